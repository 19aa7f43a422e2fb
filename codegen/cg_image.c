/*
** cg_image.c — the weight image as 32-bit configuration words.
*/
#include <stdio.h>
#include <stdlib.h>

#include "codegen/cg_int.h"
#include "model/model_io.h"

int cg_image_words(const mdl_model *m, uint32_t **words, int *n, rad_err *err)
{
    size_t bits = mdl_i2c_bits(m), nb = (bits + 31) / 32 * 4;
    uint8_t *img = calloc(nb ? nb : 4, 1);
    uint32_t *w = calloc(nb / 4 ? nb / 4 : 1, sizeof *w);
    if (!img || !w) {
        free(img);
        free(w);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    int rc = mdl_i2c_pack(m, img, nb, err);
    for (size_t i = 0; !rc && i < nb / 4; i++)
        w[i] = (uint32_t)img[4 * i] | (uint32_t)img[4 * i + 1] << 8 |
               (uint32_t)img[4 * i + 2] << 16 | (uint32_t)img[4 * i + 3] << 24;
    free(img);
    if (rc) {
        free(w);
        return rc;
    }
    *words = w;
    *n = (int)(nb / 4);
    return RAD_OK;
}

uint32_t cg_image_crc(const uint32_t *words, int n)
{
    uint8_t *b = malloc(n > 0 ? (size_t)n * 4 : 1);
    if (!b)
        return 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            b[4 * i + k] = (uint8_t)(words[i] >> (8 * k));   /* LSB first */
    uint32_t c = mdl_image_crc(b, (size_t)(n > 0 ? n : 0) * 4);
    free(b);
    return c;
}

int cg_gen_image(const mdl_model *m, const cg_opts *o, const char *path, rad_err *err)
{
    rad_prov p;
    cg_prov(&p, m, o, "image");
    rad_prov_opt(&p, "cfg-base", "%d", CG_CFG_WBASE);
    return mdl_image_write(m, 32, &p, path, err);
}
