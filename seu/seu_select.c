/*
** seu_select.c — selective protection: which bits to triplicate, and the
** EMD damage expected from the ones left bare.
*/
#include <stdlib.h>
#include <string.h>
#include "seu/seu.h"

typedef struct { double v; size_t k; } ranked;

static int by_value_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? 1 : -1;
    return x->k < y->k ? -1 : x->k > y->k;   /* ties: image order (stable) */
}

int seu_select_mask(const seu_sens *s, double frac, uint8_t *mask)
{
    if (!(frac >= 0 && frac <= 1))
        return RAD_ERANGE;
    ranked *r = malloc(sizeof *r * (s->n_bits + 1));
    if (!r)
        return RAD_ENOMEM;
    for (size_t k = 0; k < s->n_bits; k++)
        r[k] = (ranked){ s->d_emd[k], k };
    qsort(r, s->n_bits, sizeof *r, by_value_desc);
    size_t top = (size_t)(frac * (double)s->n_bits + 0.5);
    memset(mask, 0, s->n_bits);
    for (size_t i = 0; i < top && i < s->n_bits; i++)
        mask[r[i].k] = 1;
    free(r);
    return RAD_OK;
}

double seu_select_expect(const seu_sens *s, const uint8_t *mask, double rate)
{
    double sum = 0;
    for (size_t k = 0; k < s->n_bits; k++)
        if (!mask || !mask[k])
            sum += s->d_emd[k];
    return s->n_bits ? rate * sum / (double)s->n_bits : 0;
}
