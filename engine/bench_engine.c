/*
** bench_engine.c — `make bench` figures of the reference engine.
**
** Single-threaded inferences per second on the real crossings
** (data/samples, or $RAD4ML_DATA_DIR), fast compiled path and generic
** oracle side by side in one run (rates per second of this thread's CPU
** time, so that other load on a shared machine does not count), their ratio, and the number of
** mismatches between the two over every crossing (must be 0).
**
**   build/bin/bench_engine [--model M.json [--weights W]] [--data FILE]
**                          [--seconds S]
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/dataset.h"
#include "engine/engine.h"

/* CPU time of this thread: the machine is shared, and wall time would
** count the time other processes hold the core. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Runs encode over the set repeatedly for about `secs`; returns inf/s
** (CPU time) and the wall-clock rate in *wall_rate. */
static double time_fast(const eng_plan *p, const dat_set *s, eng_out *out, double secs,
                        unsigned *check, double *wall_rate)
{
    size_t done = 0;
    double w0 = wall(), t0 = now(), t;
    do {
        eng_encode_batch(p, s->q, s->n, out);
        for (size_t i = 0; i < s->n; i += 97)
            *check += (unsigned)out[i].sent[0];
        done += s->n;
    } while ((t = now() - t0) < secs);
    *wall_rate = (double)done / (wall() - w0);
    return (double)done / t;
}

static double time_generic(const mdl_model *m, const dat_set *s, double secs, unsigned *check)
{
    eng_trace *tr = eng_trace_new(m);
    size_t done = 0;
    double t0 = now(), t;
    do {
        for (size_t i = 0; i < s->n && (i & 255 || now() - t0 < secs); i++, done++) {
            eng_trace_run(m, dat_row(s, i), tr);
            *check += (unsigned)tr->out.sent[0];
        }
    } while ((t = now() - t0) < secs);
    eng_trace_free(tr);
    return (double)done / t;
}

/* Engine bench (make bench): times the generic and the fast integer paths
** on the crossings given (or synthetic ones) for --seconds each and prints
** inferences/s.  Exit 0, or 1 on a load error. */
int main(int argc, char **argv)
{
    const char *model = NULL, *weights = NULL, *data = NULL;
    double secs = 1.0;
    static const struct option opts[] = {
        { "model", 1, 0, 'm' }, { "weights", 1, 0, 'w' }, { "data", 1, 0, 'd' },
        { "seconds", 1, 0, 's' }, { 0, 0, 0, 0 } };
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'w': weights = optarg; break;
        case 'd': data = optarg; break;
        case 's': secs = atof(optarg); break;
        default:
            fprintf(stderr, "usage: bench_engine [--model M --weights W] [--data F] [--seconds S]\n");
            return 2;
        }
    }
    rad_err err;
    mdl_model *m;
    char path[4096];
    dat_set set = { 0 };
    if ((model ? mdl_load(model, weights, &m, &err) : mdl_load_default(&m, &err))) {
        fprintf(stderr, "bench_engine: %s\n", err.msg);
        return 1;
    }
    if (!data && dat_default_path(path, sizeof path, &err) == RAD_OK)
        data = path;
    if (!data || dat_load(data, DAT_FMT_AUTO, NULL, &set, &err)) {
        fprintf(stderr, "bench_engine: %s\n", err.msg);
        return 1;
    }
    eng_plan *p;
    if (eng_compile(m, &p, &err)) {
        fprintf(stderr, "bench_engine: %s\n", err.msg);
        return 1;
    }
    eng_out *out = malloc(set.n * sizeof *out);
    eng_trace *tr = eng_trace_new(m);
    if (!out || !tr)
        return 1;
    /* bit-exactness on every crossing first */
    eng_encode_batch(p, set.q, set.n, out);
    size_t bad = 0;
    for (size_t i = 0; i < set.n; i++) {
        eng_trace_run(m, dat_row(&set, i), tr);
        bad += memcmp(tr->out.latent, out[i].latent, (size_t)out[i].n_latent * 4) != 0
               || memcmp(tr->out.sent, out[i].sent, (size_t)out[i].n_latent * 4) != 0
               || tr->out.sum_code != out[i].sum_code;
    }
    unsigned check = 0;
    double fast_wall;
    double fast = time_fast(p, &set, out, secs, &check, &fast_wall);
    double gen = time_generic(m, &set, secs / 2, &check);
    printf("engine bench: model %s (%s path), %zu real crossings (%s)\n", m->name,
           eng_plan_is_fast(p) ? "fast" : "generic-only", set.n, data);
    printf("  fast path     %12.0f inferences/s (single thread, CPU time)\n", fast);
    printf("  generic path  %12.0f inferences/s (single thread, CPU time)\n", gen);
    printf("  (fast path wall clock on this possibly shared machine: %.0f inferences/s)\n",
           fast_wall);
    printf("  ratio fast/generic %.1fx; fast vs generic mismatches: %zu of %zu crossings%s\n",
           fast / gen, bad, set.n, check == 0xffffffffu ? " " : "");
    eng_trace_free(tr);
    free(out);
    eng_free(p);
    mdl_free(m);
    dat_free(&set);
    return bad != 0;
}
