/*
** mdl_i2c.c — the reconfigurable-weight register image.
**
** Every raw weight becomes a W-bit two's-complement field; fields are laid
** LSB-first into one bit stream, layer by layer, kernel (model.h index
** order) then bias.  On ECON-T that is conv kernel 432 b, conv bias 48 b,
** dense kernel 12,288 b, dense bias 96 b = 12,864 b, and the emulator's
** CSV holds it as 12 words of 1,072 bits (ECONT_Emulator Autoencoder.py
** convertI2CtoWeights slices from the LSB in that order).
*/
#include <stdlib.h>
#include <string.h>

#include "model/model_io.h"

size_t mdl_i2c_bits(const mdl_model *m)
{
    size_t n = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const mdl_layer *l = &m->layers[i];
        n += l->n_w * (size_t)l->w_fmt.width + l->n_b * (size_t)l->b_fmt.width;
    }
    return n;
}

static void put_bits(uint8_t *img, size_t *pos, uint64_t v, int w)
{
    for (int k = 0; k < w; k++, (*pos)++)
        if ((v >> k) & 1)
            img[*pos / 8] |= (uint8_t)(1u << (*pos % 8));
}

static int64_t get_bits(const uint8_t *img, size_t *pos, int w, int is_signed)
{
    uint64_t v = 0;
    for (int k = 0; k < w; k++, (*pos)++)
        v |= (uint64_t)((img[*pos / 8] >> (*pos % 8)) & 1) << k;
    if (is_signed && w < 64 && ((v >> (w - 1)) & 1))
        v |= ~(uint64_t)0 << w;       /* sign-extend */
    return (int64_t)v;
}

int mdl_i2c_pack(const mdl_model *m, uint8_t *img, size_t nbytes, rad_err *err)
{
    size_t need = (mdl_i2c_bits(m) + 7) / 8, pos = 0;
    if (nbytes < need)
        return rad_errf(err, RAD_ERANGE, "I2C image: %zu bytes given, %zu needed", nbytes, need);
    memset(img, 0, nbytes);
    for (int i = 0; i < m->n_layers; i++) {
        const mdl_layer *l = &m->layers[i];
        for (size_t k = 0; k < l->n_w; k++)
            put_bits(img, &pos, (uint64_t)l->w[k], l->w_fmt.width);
        for (size_t k = 0; k < l->n_b; k++)
            put_bits(img, &pos, (uint64_t)l->b[k], l->b_fmt.width);
    }
    return RAD_OK;
}

int mdl_i2c_unpack(mdl_model *m, const uint8_t *img, size_t nbytes, rad_err *err)
{
    size_t need = (mdl_i2c_bits(m) + 7) / 8, pos = 0;
    if (nbytes < need)
        return rad_errf(err, RAD_ERANGE, "I2C image: %zu bytes given, %zu needed", nbytes, need);
    for (int i = 0; i < m->n_layers; i++) {
        mdl_layer *l = &m->layers[i];
        for (size_t k = 0; k < l->n_w; k++)
            l->w[k] = get_bits(img, &pos, l->w_fmt.width, l->w_fmt.is_signed);
        for (size_t k = 0; k < l->n_b; k++)
            l->b[k] = get_bits(img, &pos, l->b_fmt.width, l->b_fmt.is_signed);
    }
    return RAD_OK;
}
