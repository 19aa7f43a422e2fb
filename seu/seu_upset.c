/*
** seu_upset.c — random multi-bit upsets of the weight image and the EMD
** they cost, at a stated rate (expected flipped bits per image).
**
** Each trial draws an image's upsets: a Poisson(rate) number of distinct
** bit positions, uniform over the image.  The draws depend only on the
** seed and the image size, never on the model or on the protection mask,
** so two models (or two masks) are compared on exactly the same upsets.
** Protected bits (mask) are drawn but not applied: protection corrects
** them.  Every crossing is re-encoded with the upset model; only those
** whose sent word changed are decoded again.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common/rad_hash.h"
#include "seu/seu_internal.h"
#include "model/model_io.h"

#define SEU_MAX_RATE 1000.0

void seu_upset_defaults(seu_upset_opts *o)
{
    o->rate = 1.0;
    o->trials = 200;
    o->seed = 1;
    o->empty_penalty = seu__max_distance();
    o->mask = NULL;
}

/* Knuth's Poisson sampler, fine for the small rates of interest. */
static int poisson(uint64_t *st, double rate)
{
    double l = exp(-rate), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= rad_rand_unit(st);
    } while (p > l);
    return k - 1;
}

/* Draws one image's upset positions (distinct) into pos; returns count. */
static size_t draw_upsets(uint64_t *st, double rate, size_t n_bits,
                          size_t *pos, size_t cap)
{
    size_t n = (size_t)poisson(st, rate);
    if (n > cap)
        n = cap;
    for (size_t i = 0; i < n; i++) {
        size_t k, j;
        do {
            k = (size_t)(rad_splitmix64(st) % n_bits);
            for (j = 0; j < i && pos[j] != k; j++)
                ;
        } while (j < i);
        pos[i] = k;
    }
    return n;
}

/* Mean EMD over the crossings of the model mc (upsets applied). */
static int trial_emd(const mdl_model *m, const mdl_model *mc, const seu__xset *x,
                     double pen, emd_ctx *ctx, float *cells, double *b,
                     double *mean, long *changed, rad_err *err)
{
    eng_plan *p = NULL;
    int rc = eng_compile(mc, &p, err);
    if (rc)
        return rc;
    double sum = 0;
    eng_out o;
    for (size_t c = 0; c < x->n; c++) {
        eng_encode(p, x->q[c], &o);
        if (!memcmp(o.sent, x->gold[c].sent, sizeof(int32_t) * (size_t)o.n_latent)) {
            sum += x->gold_emd[c];
            continue;
        }
        (*changed)++;
        sum += seu__emd(m, ctx, &x->qd[c * (size_t)x->n_cells], &o, pen, cells, b);
    }
    eng_free(p);
    *mean = sum / (double)x->n;
    return RAD_OK;
}

typedef struct {
    mdl_model *mc;
    emd_ctx   *ctx;
    float     *cells;
    double    *b;
    size_t    *pos;
    seu_bit   *where;
} upset_scratch;

static void scratch_free(upset_scratch *s)
{
    mdl_free(s->mc);
    emd_free(s->ctx);
    free(s->cells);
    free(s->b);
    free(s->pos);
    free(s->where);
}

static int scratch_init(upset_scratch *s, const mdl_model *m, size_t cap,
                        rad_err *err)
{
    s->mc = mdl_clone(m);
    s->ctx = emd_new_ld();
    s->cells = malloc(sizeof(float) * (size_t)m->in.n_cells);
    s->b = malloc(sizeof(double) * (size_t)m->in.n_cells);
    s->pos = malloc(sizeof(size_t) * cap);
    s->where = malloc(sizeof(seu_bit) * cap);
    if (s->mc && s->ctx && s->cells && s->b && s->pos && s->where)
        return RAD_OK;
    scratch_free(s);
    return rad_errf(err, RAD_ENOMEM, "seu: out of memory");
}

/* See seu.h.  Monte-Carlo of random upsets at rate o->rate over o->trials
** trials on the crossings of set: EMD degradation per trial into r.
** Borrows m and set.  RAD_OK or the reason. */
int seu_upset_run(const mdl_model *m, const dat_set *set,
                  const seu_upset_opts *o, seu_upset_result *r, rad_err *err)
{
    if (!(o->rate >= 0 && o->rate <= SEU_MAX_RATE) || o->trials < 1)
        return rad_errf(err, RAD_EUSAGE, "seu: upset rate %g must be in [0, %g] "
                        "and trials %d >= 1", o->rate, SEU_MAX_RATE, o->trials);
    size_t n_bits = seu_bit_count(m), cap = (size_t)(o->rate * 4 + 64);
    if (cap > n_bits)
        cap = n_bits;
    seu__xset x;
    upset_scratch s;
    int rc = seu__xset_init(&x, m, set, o->empty_penalty, err);
    if (rc)
        return rc;
    if ((rc = scratch_init(&s, m, cap, err)) != RAD_OK) {
        seu__xset_free(&x);
        return rc;
    }
    memset(r, 0, sizeof *r);
    r->n_cross = x.n;
    r->trials = o->trials;
    r->clean_emd = x.mean_emd;
    uint64_t st = o->seed;
    double sum = 0, sum2 = 0;
    long changed = 0, flips = 0;
    for (int t = 0; !rc && t < o->trials; t++) {
        size_t n = draw_upsets(&st, o->rate, n_bits, s.pos, cap), na = 0;
        for (size_t i = 0; i < n; i++)
            if (!o->mask || !o->mask[s.pos[i]])
                seu_bit_locate(m, s.pos[i], &s.where[na++]);
        for (size_t i = 0; i < na; i++)
            seu_flip(s.mc, &s.where[i]);
        double mean = x.mean_emd;
        if (na)
            rc = trial_emd(m, s.mc, &x, o->empty_penalty, s.ctx, s.cells, s.b,
                           &mean, &changed, err);
        for (size_t i = na; i-- > 0;)
            seu_flip(s.mc, &s.where[i]);
        flips += (long)na;
        sum += mean;
        sum2 += mean * mean;
        if (mean > r->worst_trial)
            r->worst_trial = mean;
    }
    double T = o->trials;
    r->upset_emd = sum / T;
    r->upset_sem = T > 1 ? sqrt(fmax(0, (sum2 - sum * sum / T) / (T - 1)) / T) : 0;
    r->mean_flips = (double)flips / T;
    r->frac_changed = (double)changed / (T * (double)x.n);
    scratch_free(&s);
    seu__xset_free(&x);
    return rc;
}
