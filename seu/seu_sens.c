/*
** seu_sens.c — per-bit sensitivity map: mean EMD increase over a set of
** crossings when one bit of the weight image flips.
**
** Brute force is bits x crossings full inferences and decodings (12,864 x N).
** Three things make it fast without changing a single number:
**   1. Bits of the LAST layer (if dense: 12,384 of ECON-T's 12,864) change
**      one accumulator only: acc'[o] = acc[o] + in[i] * delta, applied to
**      accumulators cached per crossing, then requantized exactly as the
**      engine does (checked against the engine on the unperturbed model).
**   2. Only crossings whose SENT word changed are decoded and EMD'd; the
**      others cost nothing (their EMD increase is exactly 0).
**   3. For last-layer bits the changed word differs from the golden one in
**      one latent value, so (latent, new value) -> EMD is memoised per
**      crossing: many bits give the same new value.
** Earlier layers' bits take the full path: flip, recompile the plan,
** re-encode every crossing.  Work is split over threads by crossing (1-3)
** and by bit (full path); each thread has its own EMD context.
*/
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "seu/seu_internal.h"
#include "model/model_io.h"

#define SEU_MEMO_MAX (1 << 16)   /* latent x values beyond which no memo */

void seu_sens_defaults(seu_sens_opts *o)
{
    o->threads = 2;
    o->empty_penalty = seu__max_distance();
    o->shard_i = 0;
    o->shard_n = 0;
}

/* Whether bit k belongs to the shard this run computes. */
static int in_shard(const seu_sens_opts *o, size_t k)
{
    return o->shard_n == 0 || k % o->shard_n == o->shard_i;
}

/* Everything a worker needs; read-only but for the per-thread fields. */
/* Worker threads of one sensitivity run at most (--threads is clamped). */
#define SEU_SENS_MAX_THREADS 64

typedef struct {
    const mdl_model   *m;
    const seu__xset   *x;
    const seu_sens_opts *o;
    const seu_bit     *where;
    size_t             n_bits;
    int                last;        /* incremental layer, -1 when none    */
    size_t             inc_begin;   /* first image bit of that layer      */
    fxp_fmt            lat_fmt;
    int                tid, nthreads;
    double            *dsum;        /* [n_bits] sum of EMD increases      */
    long              *nchg;        /* [n_bits] crossings changed         */
    long               n_decoded;
    int                rc;
    rad_err            err;
} worker;

static int frac_in(const mdl_model *m, int layer)
{
    return layer == 0 ? fxp_frac_bits(&m->in.fmt)
                      : fxp_frac_bits(&m->layers[layer - 1].out_fmt);
}

/* acc (F_in + F_w fractional bits) -> raw SENT value, as the engine does:
** acc_fmt, activation, out_fmt, then the link truncation. */
static int32_t requant(const mdl_layer *l, int f_in, fxp_raw acc,
                       const fxp_fmt *lat, int32_t *latent)
{
    int f = f_in + fxp_frac_bits(&l->w_fmt);
    fxp_raw v = acc;
    if (l->has_acc_fmt) {
        v = fxp_quantize(v, f, &l->acc_fmt);
        f = fxp_frac_bits(&l->acc_fmt);
    }
    if (l->act == MDL_ACT_RELU && v < 0)
        v = 0;
    v = fxp_quantize(v, f, &l->out_fmt);
    *latent = (int32_t)v;
    return (int32_t)fxp_quantize(v, fxp_frac_bits(&l->out_fmt), lat);
}

/* Scratch of one worker for the incremental path. */
typedef struct {
    eng_trace *tr;
    fxp_raw   *acc;
    double    *memo;
    float     *cells;
    double    *b;
    size_t     memo_n;
    emd_ctx   *ctx;
    eng_out    o;
} scratch;

/* One changed latent value: memoised decode + EMD, returns the increase. */
static double changed_value(worker *w, scratch *s, size_t c, int out,
                            int32_t sent, int32_t latent)
{
    const seu__xset *x = w->x;
    size_t key = 0;
    if (s->memo) {
        fxp_raw lo = fxp_raw_min(&w->lat_fmt);
        key = (size_t)out << w->lat_fmt.width | (size_t)(sent - lo);
        if (!isnan(s->memo[key]))
            return s->memo[key];
    }
    s->o = x->gold[c];
    s->o.sent[out] = sent;
    s->o.latent[out] = latent;
    double e = seu__emd(w->m, s->ctx, &x->qd[c * (size_t)x->n_cells], &s->o,
                        w->o->empty_penalty, s->cells, s->b);
    w->n_decoded++;
    double d = e - x->gold_emd[c];
    if (s->memo)
        s->memo[key] = d;
    return d;
}

/* Caches the last layer's input and accumulators for crossing c and
** checks them against the engine's result (the incremental path must
** start from exactly the engine's state). */
static int prime_crossing(worker *w, scratch *s, size_t c, const int64_t **in)
{
    const mdl_layer *l = &w->m->layers[w->last];
    int n_in = mdl_shape_size(l->in), n_out = mdl_shape_size(l->out);
    int f_in = frac_in(w->m, w->last);
    int sh = f_in + fxp_frac_bits(&l->w_fmt) - fxp_frac_bits(&l->b_fmt);
    eng_trace_run(w->m, w->x->q[c], s->tr);
    *in = s->tr->t[w->last];
    for (int o = 0; o < n_out; o++) {
        fxp_raw a = (fxp_raw)l->b[o] * ((fxp_raw)1 << sh);
        for (int i = 0; i < n_in; i++)
            a += (fxp_raw)(*in)[i] * l->w[(size_t)i * (size_t)n_out + (size_t)o];
        s->acc[o] = a;
        int32_t lat;
        if (requant(l, f_in, a, &w->lat_fmt, &lat) != w->x->gold[c].sent[o])
            return rad_errf(&w->err, RAD_EMISMATCH, "seu: incremental path "
                            "disagrees with the engine (crossing %zu, latent %d)",
                            c, o);
    }
    if (s->memo)
        for (size_t k = 0; k < s->memo_n; k++)
            s->memo[k] = NAN;
    return RAD_OK;
}

static void incremental_crossing(worker *w, scratch *s, size_t c)
{
    const mdl_layer *l = &w->m->layers[w->last];
    const int64_t *in;
    if ((w->rc = prime_crossing(w, s, c, &in)) != RAD_OK)
        return;
    int n_out = mdl_shape_size(l->out), f_in = frac_in(w->m, w->last);
    int sh = f_in + fxp_frac_bits(&l->w_fmt) - fxp_frac_bits(&l->b_fmt);
    for (size_t k = w->inc_begin; k < w->n_bits; k++) {
        if (!in_shard(w->o, k))
            continue;
        const seu_bit *b = &w->where[k];
        int o = b->is_bias ? (int)b->index : (int)(b->index % (size_t)n_out);
        fxp_raw delta;
        if (b->is_bias) {
            delta = (fxp_raw)(seu_flip_raw(l->b[o], b->width, l->b_fmt.is_signed,
                                           b->bit) - l->b[o]) * ((fxp_raw)1 << sh);
        } else {
            int64_t x = in[b->index / (size_t)n_out];
            if (x == 0)
                continue;
            int64_t wv = l->w[b->index];
            delta = (fxp_raw)x * (seu_flip_raw(wv, b->width, l->w_fmt.is_signed,
                                               b->bit) - wv);
        }
        int32_t lat, sent = requant(l, f_in, s->acc[o] + delta, &w->lat_fmt, &lat);
        if (sent == w->x->gold[c].sent[o])
            continue;
        w->nchg[k]++;
        w->dsum[k] += changed_value(w, s, c, o, sent, lat);
    }
}

static int scratch_init(worker *w, scratch *s)
{
    memset(s, 0, sizeof *s);
    int n = w->x->n_cells;
    s->ctx = emd_new_ld();
    s->cells = malloc(sizeof(float) * (size_t)n);
    s->b = malloc(sizeof(double) * (size_t)n);
    if (w->last >= 0) {
        const mdl_layer *l = &w->m->layers[w->last];
        size_t nv = (size_t)mdl_shape_size(l->out) << w->lat_fmt.width;
        s->tr = eng_trace_new(w->m);
        s->acc = malloc(sizeof(fxp_raw) * (size_t)mdl_shape_size(l->out));
        if (nv <= SEU_MEMO_MAX) {
            s->memo_n = nv;
            s->memo = malloc(sizeof(double) * nv);
        }
        if (!s->tr || !s->acc || (s->memo_n && !s->memo))
            return RAD_ENOMEM;
    }
    return s->ctx && s->cells && s->b ? RAD_OK : RAD_ENOMEM;
}

static void scratch_free(scratch *s)
{
    if (s->tr)
        eng_trace_free(s->tr);
    emd_free(s->ctx);
    free(s->acc);
    free(s->memo);
    free(s->cells);
    free(s->b);
}

/* Full path for bit k: flipped clone, fresh plan, every crossing. */
static int full_bit(worker *w, scratch *s, mdl_model *mc, size_t k)
{
    const seu__xset *x = w->x;
    eng_plan *p = NULL;
    seu_flip(mc, &w->where[k]);
    int rc = eng_compile(mc, &p, &w->err);
    for (size_t c = 0; !rc && c < x->n; c++) {
        eng_encode(p, x->q[c], &s->o);
        if (!memcmp(s->o.sent, x->gold[c].sent, sizeof(int32_t) * (size_t)s->o.n_latent))
            continue;
        w->nchg[k]++;
        double e = seu__emd(w->m, s->ctx, &x->qd[c * (size_t)x->n_cells], &s->o,
                            w->o->empty_penalty, s->cells, s->b);
        w->n_decoded++;
        w->dsum[k] += e - x->gold_emd[c];
    }
    eng_free(p);
    seu_flip(mc, &w->where[k]);   /* flipping twice restores the weight */
    return rc;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    scratch s;
    mdl_model *mc = mdl_clone(w->m);
    if (!mc || scratch_init(w, &s) != RAD_OK) {
        w->rc = rad_errf(&w->err, RAD_ENOMEM, "seu: out of memory");
        if (mc)
            scratch_free(&s);
        mdl_free(mc);
        return NULL;
    }
    size_t full_end = w->last >= 0 ? w->inc_begin : w->n_bits;
    for (size_t k = (size_t)w->tid; !w->rc && k < full_end; k += (size_t)w->nthreads)
        if (in_shard(w->o, k))
            w->rc = full_bit(w, &s, mc, k);
    if (w->last >= 0)
        for (size_t c = (size_t)w->tid; !w->rc && c < w->x->n; c += (size_t)w->nthreads)
            incremental_crossing(w, &s, c);
    scratch_free(&s);
    mdl_free(mc);
    return NULL;
}

/* The incremental layer: the last one, when it is dense; and where its
** bits start in the image. */
static int pick_last(const mdl_model *m, const seu_bit *where, size_t n_bits,
                     size_t *begin)
{
    int L = m->n_layers - 1;
    if (L < 0 || m->layers[L].kind != MDL_DENSE)
        return -1;
    size_t k = n_bits;
    while (k > 0 && where[k - 1].layer == L)
        k--;
    *begin = k;
    return L;
}

static int sens_alloc(seu_sens *s, const mdl_model *m, rad_err *err)
{
    memset(s, 0, sizeof *s);
    s->n_bits = seu_bit_count(m);
    s->d_emd = calloc(s->n_bits + 1, sizeof *s->d_emd);
    s->changed = calloc(s->n_bits + 1, sizeof *s->changed);
    s->where = calloc(s->n_bits + 1, sizeof *s->where);
    if (!s->d_emd || !s->changed || !s->where) {
        seu_sens_free(s);
        return rad_errf(err, RAD_ENOMEM, "seu: out of memory");
    }
    for (size_t k = 0; k < s->n_bits; k++)
        seu_bit_locate(m, k, &s->where[k]);
    return RAD_OK;
}

static int run_workers(worker *ws, int nt, seu_sens *s, rad_err *err)
{
    pthread_t th[SEU_SENS_MAX_THREADS];
    assert(nt >= 1 && nt <= SEU_SENS_MAX_THREADS);
    int started = 0, rc = RAD_OK;
    for (int t = 1; t < nt; t++) {
        if (pthread_create(&th[t], NULL, worker_main, &ws[t]) != 0)
            break;
        started = t;
    }
    for (int t = started + 1; t < nt; t++)   /* threads we could not start */
        worker_main(&ws[t]);
    worker_main(&ws[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < nt; t++) {
        if (ws[t].rc && !rc) {
            rc = ws[t].rc;
            if (err)
                *err = ws[t].err;
        }
        for (size_t k = 0; k < s->n_bits; k++) {
            s->d_emd[k] += ws[t].dsum[k];
            s->changed[k] += (double)ws[t].nchg[k];
            s->n_changed += ws[t].nchg[k];
        }
        s->n_decoded += ws[t].n_decoded;
    }
    return rc;
}

/* See seu.h.  Per-bit sensitivity: the EMD increase of flipping each
** weight bit alone over the crossings of set, on o->threads threads, into
** s (which owns its arrays, seu_sens_free).  RAD_OK or the reason. */
int seu_sens_run(const mdl_model *m, const dat_set *set,
                 const seu_sens_opts *o, seu_sens *s, rad_err *err)
{
    seu__xset x;
    if (o->shard_n && o->shard_i >= o->shard_n)
        return rad_errf(err, RAD_EUSAGE, "seu: shard %zu of %zu does not exist",
                        o->shard_i, o->shard_n);
    int rc = sens_alloc(s, m, err);
    if (rc)
        return rc;
    if ((rc = seu__xset_init(&x, m, set, o->empty_penalty, err)) != RAD_OK) {
        seu_sens_free(s);
        return rc;
    }
    int nt = o->threads < 1 ? 1 : o->threads > SEU_SENS_MAX_THREADS ? SEU_SENS_MAX_THREADS
                                                                     : o->threads;
    worker *ws = calloc((size_t)nt, sizeof *ws);
    size_t begin = 0;
    int last = pick_last(m, s->where, s->n_bits, &begin);
    for (int t = 0; ws && t < nt; t++) {
        ws[t] = (worker){ .m = m, .x = &x, .o = o, .where = s->where,
                          .n_bits = s->n_bits, .last = last, .inc_begin = begin,
                          .lat_fmt = mdl_latent_fmt(m), .tid = t, .nthreads = nt };
        ws[t].dsum = calloc(s->n_bits + 1, sizeof(double));
        ws[t].nchg = calloc(s->n_bits + 1, sizeof(long));
        if (!ws[t].dsum || !ws[t].nchg)
            rc = rad_errf(err, RAD_ENOMEM, "seu: out of memory");
    }
    if (!ws)
        rc = rad_errf(err, RAD_ENOMEM, "seu: out of memory");
    if (!rc)
        rc = run_workers(ws, nt, s, err);
    s->n_cross = x.n;
    s->base_emd = x.mean_emd;
    for (size_t k = 0; k < s->n_bits; k++) {
        s->d_emd[k] /= (double)x.n;
        s->changed[k] /= (double)x.n;
    }
    for (int t = 0; ws && t < nt; t++) {
        free(ws[t].dsum);
        free(ws[t].nchg);
    }
    free(ws);
    seu__xset_free(&x);
    if (rc)
        seu_sens_free(s);
    return rc;
}

void seu_sens_free(seu_sens *s)
{
    free(s->d_emd);
    free(s->changed);
    free(s->where);
    memset(s, 0, sizeof *s);
}

int seu_sens_bruteforce(const mdl_model *m, const dat_set *set,
                        const size_t *bits, size_t n, double empty_penalty,
                        double *d_emd, rad_err *err)
{
    seu__xset x;
    int rc = seu__xset_init(&x, m, set, empty_penalty, err);
    if (rc)
        return rc;
    mdl_model *mc = mdl_clone(m);
    emd_ctx *ctx = emd_new_ld();
    float *cells = malloc(sizeof(float) * (size_t)x.n_cells);
    double *b = malloc(sizeof(double) * (size_t)x.n_cells);
    if (!mc || !ctx || !cells || !b)
        rc = rad_errf(err, RAD_ENOMEM, "seu: out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        seu_bit where;
        if (seu_bit_locate(m, bits[i], &where) != RAD_OK) {
            rc = rad_errf(err, RAD_ERANGE, "seu: bit %zu beyond the image", bits[i]);
            break;
        }
        seu_flip(mc, &where);
        double sum = 0;
        eng_out o;
        for (size_t c = 0; c < x.n; c++) {
            eng_encode_generic(mc, x.q[c], &o);   /* the slow, obvious path */
            sum += seu__emd(m, ctx, &x.qd[c * (size_t)x.n_cells], &o,
                            empty_penalty, cells, b) - x.gold_emd[c];
        }
        d_emd[i] = sum / (double)x.n;
        seu_flip(mc, &where);
    }
    mdl_free(mc);
    emd_free(ctx);
    free(cells);
    free(b);
    seu__xset_free(&x);
    return rc;
}
