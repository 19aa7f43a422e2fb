/*
** seu_bits.c — the I2C image bit by bit: locating and flipping weight bits.
**
** The order is mdl_i2c_pack's (model/model_io.h), so bit k here is bit k of
** the register image the RTL holds and the SEU campaigns address.
*/
#include "seu/seu.h"
#include "model/model_io.h"

static int has_weights(const mdl_layer *l)
{
    return l->kind == MDL_CONV2D || l->kind == MDL_DENSE;
}

size_t seu_bit_count(const mdl_model *m)
{
    return mdl_i2c_bits(m);
}

int seu_bit_locate(const mdl_model *m, size_t k, seu_bit *out)
{
    size_t off = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const mdl_layer *l = &m->layers[i];
        if (!has_weights(l))
            continue;
        size_t ww = (size_t)l->w_fmt.width, bw = (size_t)l->b_fmt.width;
        size_t kbits = l->n_w * ww, bbits = l->n_b * bw;
        if (k < off + kbits) {
            *out = (seu_bit){ i, 0, (k - off) / ww, (int)((k - off) % ww), (int)ww };
            return RAD_OK;
        }
        off += kbits;
        if (k < off + bbits) {
            *out = (seu_bit){ i, 1, (k - off) / bw, (int)((k - off) % bw), (int)bw };
            return RAD_OK;
        }
        off += bbits;
    }
    return RAD_ERANGE;
}

int64_t seu_flip_raw(int64_t raw, int width, int is_signed, int bit)
{
    uint64_t mask = width >= 64 ? ~0ull : (1ull << width) - 1;
    uint64_t u = ((uint64_t)raw & mask) ^ (1ull << bit);
    if (is_signed && width < 64 && (u >> (width - 1)) & 1)
        return (int64_t)(u | ~mask);    /* sign-extend */
    return (int64_t)u;
}

void seu_flip(mdl_model *m, const seu_bit *b)
{
    mdl_layer *l = &m->layers[b->layer];
    if (b->is_bias)
        l->b[b->index] = seu_flip_raw(l->b[b->index], l->b_fmt.width,
                                      l->b_fmt.is_signed, b->bit);
    else
        l->w[b->index] = seu_flip_raw(l->w[b->index], l->w_fmt.width,
                                      l->w_fmt.is_signed, b->bit);
}
