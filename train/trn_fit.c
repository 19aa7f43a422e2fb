/*
** trn_fit.c — the training loop: mini-batches over fixed shards, worker
** threads, Adam, cosine learning rate, validation and early stopping.
**
** Why shards: each mini-batch is cut into TRN_SHARDS contiguous pieces,
** each piece's gradient goes to its own buffer and the buffers are summed
** in shard order.  Which thread computes a shard never matters, so the
** trained weights depend on the seed alone (same bits with 1 or 2 threads).
*/
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train/trn_internal.h"
#include "algo/emd.h"

void trn_config_default(trn_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->loss = TRN_LOSS_TELESCOPE;
    cfg->target = TRN_TARGET_MSB;
    cfg->epochs = 300;
    cfg->float_epochs = 0;
    cfg->batch = 16;
    cfg->lr = 2e-3;
    cfg->lr_min = 2e-5;
    cfg->warmup = 3;
    cfg->patience = 60;
    cfg->threads = 2;
    cfg->seed = 1;
    cfg->seu_rate = 0;
    cfg->emd_subset = 400;
    cfg->weight_decay = 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- a small persistent thread pool over shards ------------------------ */

/* Workers sleep on a condition variable between parallel sections: a
** mini-batch of 16 crossings is ~0.5 ms of work, too short to create
** threads for each. */
typedef void (*shard_fn)(void *job, int shard, int tid);

typedef struct trn_pool trn_pool;

typedef struct {
    trn_pool *pool;
    int       tid;
} worker_arg;

struct trn_pool {
    pthread_mutex_t mu;
    pthread_cond_t  go, done;
    int             nthreads;      /* including the calling thread */
    pthread_t       th[TRN_SHARDS];
    worker_arg      args[TRN_SHARDS];
    unsigned        gen;
    int             pending, quit;
    shard_fn        fn;
    void           *job;
};

static void run_mine(trn_pool *p, int tid)
{
    for (int s = tid; s < TRN_SHARDS; s += p->nthreads)
        p->fn(p->job, s, tid);
}

static void *worker(void *arg)
{
    worker_arg *a = arg;
    trn_pool *p = a->pool;
    unsigned seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->gen == seen && !p->quit)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->quit)
            break;
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        run_mine(p, a->tid);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Starts up to nthreads-1 workers (fewer if the system refuses). */
static void pool_start(trn_pool *p, int nthreads)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->nthreads = 1;
    for (int t = 1; t < nthreads; t++) {
        p->args[t] = (worker_arg){ p, t };
        if (pthread_create(&p->th[t], NULL, worker, &p->args[t]))
            break;
        p->nthreads = t + 1;
    }
}

static void pool_stop(trn_pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int t = 1; t < p->nthreads; t++)
        pthread_join(p->th[t], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
}

/* Runs fn over every shard; returns when all are done. */
static void run_shards(trn_pool *p, shard_fn fn, void *job)
{
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->job = job;
    p->pending = p->nthreads - 1;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    run_mine(p, 0);
    pthread_mutex_lock(&p->mu);
    while (p->pending > 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* ---- shared state of one training run --------------------------------- */

typedef struct {
    trn_net         *net;
    const trn_config *cfg;
    const dat_set   *set;
    const size_t    *idx;          /* sample order of the current pass    */
    size_t           begin, end;   /* the current batch: idx[begin..end) */
    bool             quantized;
    uint64_t         upset_seed;   /* per batch                           */
    double          *grad[TRN_SHARDS];
    double           loss[TRN_SHARDS];
    trn_ws          *ws[TRN_MAX_THREADS];
    trn_qw           qw[TRN_MAX_THREADS];   /* SEU copies                */
    emd_ctx         *emd[TRN_MAX_THREADS];
    double          *emd_out;      /* validation EMD per crossing         */
    size_t           emd_n;
    trn_pool         pool;
    double          *wt;           /* transposed decoder weights        */
} trn_job;

static void shard_range(size_t begin, size_t end, int s, size_t *b, size_t *e)
{
    size_t n = end - begin;
    *b = begin + n * (size_t)s / TRN_SHARDS;
    *e = begin + n * (size_t)(s + 1) / TRN_SHARDS;
}

/* The raw weights shard s runs with: the network's own, or, for fault-aware
** training (--seu-rate), thread tid's copy with upsets drawn from the stream
** (seed, s), so the draws depend on the shard, not on the thread. */
static const trn_qw *shard_weights(trn_job *j, uint64_t seed, int s, int tid)
{
    const trn_net *net = j->net;
    if (!(j->cfg->seu_rate > 0))
        return &net->qw;
    uint64_t r = trn__rng_mix(seed, (uint64_t)s);
    trn__qw_copy(net, &j->qw[tid], &net->qw);
    trn__qw_upset(net, &j->qw[tid], j->cfg->seu_rate, &r);
    return &j->qw[tid];
}

static void train_shard(void *p, int s, int tid)
{
    trn_job *j = p;
    const trn_net *net = j->net;
    double *g = j->grad[s];
    memset(g, 0, net->n_params * sizeof(double));
    j->loss[s] = 0;
    const trn_qw *qw = j->quantized ? shard_weights(j, j->upset_seed, s, tid) : NULL;
    size_t b, e;
    shard_range(j->begin, j->end, s, &b, &e);
    for (size_t k = b; k < e; k++) {
        const uint32_t *q = dat_row(j->set, j->idx ? j->idx[k] : k);
        j->loss[s] += trn__forward(net, qw, j->cfg->loss, j->cfg->target, q, j->ws[tid]);
        trn__backward(net, qw, j->wt, j->ws[tid], g);
    }
}

/* Validation: loss of every crossing, EMD of the first emd_n. */
static void eval_shard(void *p, int s, int tid)
{
    trn_job *j = p;
    const trn_net *net = j->net;
    trn_ws *ws = j->ws[tid];
    j->loss[s] = 0;
    /* Fault-aware training is judged under upsets too: the same draws in
    ** every epoch (fixed seed per shard), so epochs stay comparable. */
    const trn_qw *qw = shard_weights(j, j->cfg->seed ^ 0x76616c7365ULL, s, tid);
    size_t b, e;
    shard_range(j->begin, j->end, s, &b, &e);
    for (size_t k = b; k < e; k++) {
        const uint32_t *q = dat_row(j->set, k);
        j->loss[s] += trn__forward(net, qw, j->cfg->loss, j->cfg->target, q, ws);
        if (k < j->emd_n && j->emd[tid]) {
            double a[MDL_MAX_CELLS], c[MDL_MAX_CELLS];
            double scale = j->cfg->target == TRN_TARGET_SUM ? (double)ws->sum
                                                            : ldexp(1.0, ws->msb);
            for (int i = 0; i < net->n_cells; i++) {
                a[i] = q[i];
                c[i] = ws->pred[i] > 0 ? ws->pred[i] * scale : 0;
            }
            j->emd_out[k] = emd_compute(j->emd[tid], a, c);
        }
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of the defined (>= 0) values; -1 when none. */
static double median_valid(double *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] >= 0)
            v[m++] = v[i];
    if (!m)
        return -1;
    qsort(v, m, sizeof(double), cmp_double);
    return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

static void job_free(trn_job *j, int nthreads)
{
    pool_stop(&j->pool);
    free(j->wt);
    for (int s = 0; s < TRN_SHARDS; s++)
        free(j->grad[s]);
    for (int t = 0; t < nthreads; t++) {
        trn__ws_free(j->ws[t]);
        trn__qw_free(j->net, &j->qw[t]);
        emd_free(j->emd[t]);
    }
    free(j->emd_out);
}

static int job_init(trn_job *j, trn_net *net, const trn_config *cfg, int nthreads,
                    size_t emd_n, rad_err *err)
{
    memset(j, 0, sizeof *j);
    j->net = net;
    j->cfg = cfg;
    bool ok = true;
    for (int s = 0; s < TRN_SHARDS; s++)
        ok = ok && (j->grad[s] = calloc(net->n_params ? net->n_params : 1, sizeof(double)));
    ok = ok && (j->wt = calloc(net->n_params ? net->n_params : 1, sizeof(double)));
    for (int t = 0; t < nthreads; t++) {
        ok = ok && (j->ws[t] = trn__ws_new(net));
        ok = ok && trn__qw_alloc(net, &j->qw[t]) == RAD_OK;
        if (emd_n && net->n_cells == GEO_N_CELLS)
            ok = ok && (j->emd[t] = emd_new_ld());
    }
    if (emd_n)
        ok = ok && (j->emd_out = calloc(emd_n, sizeof(double)));
    j->emd_n = net->n_cells == GEO_N_CELLS ? emd_n : 0;
    pool_start(&j->pool, nthreads);
    if (!ok) {
        job_free(j, nthreads);
        return rad_errf(err, RAD_ENOMEM, "training: out of memory");
    }
    return RAD_OK;
}

static int clamp_threads(int t)
{
    return t < 1 ? 1 : t > TRN_SHARDS ? TRN_SHARDS : t;
}

/* Validation pass; returns mean loss, *emd the median EMD (or -1). */
static double validate(trn_job *j, const dat_set *val, double *emd)
{
    *emd = -1;
    if (!val || !val->n)
        return NAN;
    j->set = val;
    j->idx = NULL;
    j->begin = 0;
    j->end = val->n;
    size_t en = j->emd_n < val->n ? j->emd_n : val->n;
    size_t saved = j->emd_n;
    j->emd_n = en;
    for (size_t k = 0; k < en; k++)
        j->emd_out[k] = -1;
    run_shards(&j->pool, eval_shard, j);
    j->emd_n = saved;
    double l = 0;
    for (int s = 0; s < TRN_SHARDS; s++)
        l += j->loss[s];
    if (en)
        *emd = median_valid(j->emd_out, en);
    return l / (double)val->n;
}

double trn_eval_loss(const trn_net *net, const dat_set *set, const trn_config *cfg)
{
    trn_job j;
    int nt = clamp_threads(cfg->threads);
    if (job_init(&j, (trn_net *)net, cfg, nt, 0, NULL))
        return NAN;
    double emd;
    double l = validate(&j, set, &emd);
    job_free(&j, nt);
    return l;
}

/* One epoch over `train` in the order idx; returns the mean loss. */
static double epoch(trn_job *j, const dat_set *train, size_t *idx, uint64_t ep,
                    double lr, size_t *t_adam, double *m, double *v)
{
    trn_net *net = j->net;
    const trn_config *cfg = j->cfg;
    size_t n = train->n, np = net->n_params;
    uint64_t r = trn__rng_mix(cfg->seed, 0x65706f6368ULL + ep);   /* "epoch" */
    for (size_t i = n; i > 1; i--) {
        size_t k = (size_t)(rad_splitmix64(&r) % i);
        size_t t = idx[i - 1]; idx[i - 1] = idx[k]; idx[k] = t;
    }
    j->set = train;
    j->idx = idx;
    double total = 0;
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    for (size_t b = 0; b < n; b += (size_t)cfg->batch) {
        j->begin = b;
        j->end = b + (size_t)cfg->batch < n ? b + (size_t)cfg->batch : n;
        j->upset_seed = trn__rng_mix(cfg->seed ^ 0x736575ULL, ep * 1000003ULL + b);
        trn__dec_transpose(net, j->wt);
        run_shards(&j->pool, train_shard, j);
        double inv = 1.0 / (double)(j->end - j->begin);
        double *g = j->grad[0];
        for (int s = 1; s < TRN_SHARDS; s++)
            for (size_t k = 0; k < np; k++)
                g[k] += j->grad[s][k];
        for (int s = 0; s < TRN_SHARDS; s++)
            total += j->loss[s];
        (*t_adam)++;
        double c1 = 1 - pow(b1, (double)*t_adam), c2 = 1 - pow(b2, (double)*t_adam);
        double step = lr * sqrt(c2) / c1;
        size_t dec0 = net->n_dec ? net->dec[0].p_w : np;
        for (size_t k = 0; k < np; k++) {
            double gk = g[k] * inv;
            m[k] = b1 * m[k] + (1 - b1) * gk;
            v[k] = b2 * v[k] + (1 - b2) * gk * gk;
            net->theta[k] -= step * m[k] / (sqrt(v[k]) + eps);
            if (cfg->weight_decay > 0 && k >= dec0)
                net->theta[k] -= lr * cfg->weight_decay * net->theta[k];
        }
        trn__clip_shadow(net);
        trn_net_sync(net);
    }
    return total / (double)n;
}

static double lr_at(const trn_config *cfg, int e)
{
    if (e < cfg->warmup)
        return cfg->lr * (e + 1) / (cfg->warmup + 1);
    double span = cfg->epochs - cfg->warmup;
    double x = span > 1 ? (e - cfg->warmup) / (span - 1) : 1;
    return cfg->lr_min + 0.5 * (cfg->lr - cfg->lr_min) * (1 + cos(M_PI * x));
}

/* See trn.h.  Mini-batch Adam on train with the schedule of cfg (float
** epochs first, warm-up, cosine decay), sharded over cfg->threads, keeping
** the parameters of the best validation epoch in net; fn (may be NULL) is
** called once per epoch with ctx.  The data sets are borrowed. */
int trn_fit(trn_net *net, const dat_set *train, const dat_set *val,
            const trn_config *cfg, trn_progress_fn fn, void *ctx,
            trn_result *res, rad_err *err)
{
    memset(res, 0, sizeof *res);
    if (!train->n)
        return rad_errf(err, RAD_ERANGE, "training set is empty");
    if (train->n_cells != net->n_cells || (val && val->n && val->n_cells != net->n_cells))
        return rad_errf(err, RAD_ESCHEMA, "data have %d cells per crossing, the model %d",
                        train->n_cells, net->n_cells);
    if (cfg->batch < 1 || cfg->epochs < 1 || !(cfg->lr > 0))
        return rad_errf(err, RAD_ERANGE, "bad training settings (batch, epochs, lr)");
    int nt = clamp_threads(cfg->threads);
    trn_job j;
    int rc = job_init(&j, net, cfg, nt, (size_t)(cfg->emd_subset > 0 ? cfg->emd_subset : 0), err);
    if (rc)
        return rc;
    size_t np = net->n_params;
    size_t *idx = malloc(train->n * sizeof(size_t));
    double *m = calloc(np, sizeof(double)), *v = calloc(np, sizeof(double));
    double *best = malloc(np * sizeof(double));
    if (!idx || !m || !v || !best) {
        free(idx); free(m); free(v); free(best);
        job_free(&j, nt);
        return rad_errf(err, RAD_ENOMEM, "training: out of memory");
    }
    for (size_t i = 0; i < train->n; i++)
        idx[i] = i;
    memcpy(best, net->theta, np * sizeof(double));
    double best_metric = INFINITY, t0 = now_s();
    size_t t_adam = 0, samples = 0;
    int since = 0;
    res->best_val_loss = res->best_val_emd = -1;
    bool use_emd = cfg->emd_subset > 0 && j.emd_n > 0;
    for (int e = 0; e < cfg->epochs; e++) {
        double te = now_s(), lr = lr_at(cfg, e);
        j.quantized = e >= cfg->float_epochs;
        double tl = epoch(&j, train, idx, (uint64_t)e, lr, &t_adam, m, v);
        samples += train->n;
        double vemd, vl = validate(&j, val, &vemd);
        trn_progress p = { e + 1, cfg->epochs, tl, vl, vemd, lr, now_s() - te, false, j.quantized };
        double metric = !val || !val->n ? -e : use_emd && vemd >= 0 ? vemd : vl;
        if (e == 0)
            res->first_train_loss = tl;
        res->last_train_loss = tl;
        res->epochs_run = e + 1;
        /* Weights from the float warm-up are never "best": they are not
        ** what the quantized network computes. */
        if (j.quantized && metric < best_metric) {
            best_metric = metric;
            memcpy(best, net->theta, np * sizeof(double));
            res->best_epoch = e + 1;
            res->best_val_loss = vl;
            res->best_val_emd = vemd;
            p.improved = true;
            since = 0;
        } else if (j.quantized) {
            since++;
        }
        if (fn)
            fn(ctx, &p);
        if (cfg->patience > 0 && since >= cfg->patience)
            break;
    }
    memcpy(net->theta, best, np * sizeof(double));
    trn_net_sync(net);
    res->seconds = now_s() - t0;
    res->samples_per_s = res->seconds > 0 ? (double)samples / res->seconds : 0;
    free(idx); free(m); free(v); free(best);
    job_free(&j, nt);
    return RAD_OK;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double trn_bench(trn_net *net, const dat_set *train, const trn_config *cfg, int epochs,
                 double *cpu_s)
{
    int nt = clamp_threads(cfg->threads);
    trn_job j;
    if (job_init(&j, net, cfg, nt, 0, NULL))
        return 0;
    size_t np = net->n_params, t_adam = 0;
    size_t *idx = malloc(train->n * sizeof(size_t));
    double *m = calloc(np, sizeof(double)), *v = calloc(np, sizeof(double));
    double rate = 0;
    if (idx && m && v) {
        for (size_t i = 0; i < train->n; i++)
            idx[i] = i;
        j.quantized = true;
        double t0 = now_s(), c0 = cpu_now();
        for (int e = 0; e < epochs; e++)
            epoch(&j, train, idx, (uint64_t)e, cfg->lr, &t_adam, m, v);
        double dt = now_s() - t0;
        if (cpu_s)
            *cpu_s = cpu_now() - c0;
        rate = dt > 0 ? (double)train->n * epochs / dt : 0;
    }
    free(idx); free(m); free(v);
    job_free(&j, nt);
    return rate;
}
