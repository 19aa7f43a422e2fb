/*
** bench.c — speed figures of the data and algo modules (`make bench`):
** front-end decode rows/s, file load rows/s, exact EMDs/s (transportation
** simplex) and, side by side in the same run, GLPK's EMDs/s on the same
** problems.  `bench regress` instead checks the simplex against GLPK on
** every real crossing (make regress).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "algo/baseline.h"
#include "algo/emd.h"
#include "data/dataset.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Synthetic crossings when the sample data are not there. */
static void synth(dat_set *s)
{
    uint64_t r = 7;
    for (size_t i = 0; i < s->n * GEO_N_CELLS; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        s->q[i] = (r >> 60) < 5 ? (uint32_t)(r >> 50) : 1;
    }
}

/* make regress: the simplex against GLPK on every real crossing x every
** baseline at 2 and 5 links, plus random maps; exits 1 on any mismatch. */
static int regress(const dat_set *s)
{
    emd_ctx *e = emd_new_ld();
    double cost[GEO_N_CELLS * GEO_N_CELLS], a[GEO_N_CELLS], b[GEO_N_CELLS];
    geo_distance_matrix(cost);
    long cases = 0, bad = 0;
    double worst = 0;
    uint64_t r = 1;
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < s->n; i++)
            for (bl_kind k = BL_THRESHOLD; k <= BL_STC16; k++) {
                uint32_t rec[GEO_N_CELLS];
                if (pass < 2) {
                    bl_config c = bl_plan(k, pass ? 5 : 2, 1);
                    bl_run(&c, dat_row(s, i), rec);
                    for (int t = 0; t < GEO_N_CELLS; t++) {
                        a[t] = dat_row(s, i)[t];
                        b[t] = rec[t];
                    }
                } else {            /* random maps, random sparsity */
                    for (int t = 0; t < GEO_N_CELLS; t++) {
                        r = r * 6364136223846793005ull + 1442695040888963407ull;
                        a[t] = (r >> 62) ? (double)(r >> 40) : 0;
                        r = r * 6364136223846793005ull + 1442695040888963407ull;
                        b[t] = (r >> 61) < (unsigned)k + 1 ? (double)(r >> 45) : 0;
                    }
                    a[i % GEO_N_CELLS] += 1;
                    b[(i * 7) % GEO_N_CELLS] += 1;
                }
                double z = emd_compute(e, a, b), g = emd_glpk(GEO_N_CELLS, cost, a, b);
                double d = fabs(z - g) / (g > 0 ? g : 1);
                if (d > worst)
                    worst = d;
                bad += d > 1e-9;
                cases++;
            }
    }
    printf("regress: EMD simplex vs GLPK on %ld cases (%zu real crossings x 4 "
           "baselines x 2 budgets + random): %ld mismatches, worst rel %.2g\n",
           cases, s->n, bad, worst);
    emd_free(e);
    return bad ? 1 : 0;
}

/* `rad4ml` bench program of algo/ (make bench): times the data loading, the
** baselines and the EMD on the shared crossings (synthetic ones if the data
** are missing) and prints one figure a line.  Exit 0, or 1 on a failure. */
int main(int argc, char **argv)
{
    char path[4096];
    rad_err err;
    dat_set s;
    double t0, dt;
    if (dat_default_path(path, sizeof path, &err) == RAD_OK) {
        t0 = now();
        int loads = 0;
        do {
            if (loads)
                dat_free(&s);
            if (dat_load(path, DAT_FMT_AUTO, NULL, &s, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            loads++;
        } while ((dt = now() - t0) < 0.5);
        printf("data: load+parse+decode ePortRX CSV: %.0f rows/s (%zu rows x %d)\n",
               loads * (double)s.n / dt, s.n, loads);
    } else {
        dat_alloc(&s, 8000, GEO_N_CELLS, &err);
        synth(&s);
        printf("data: %s; synthetic crossings\n", err.msg);
    }
    if (argc > 1 && !strcmp(argv[1], "regress")) {
        int rc = regress(&s);
        dat_free(&s);
        return rc;
    }
    /* front-end decode alone, from words */
    dat_frontend fe;
    dat_frontend_default(&fe);
    uint32_t (*w)[DAT_ERX_WORDS] = malloc(s.n * sizeof *w), q[GEO_N_CELLS];
    for (size_t i = 0; i < s.n; i++)
        dat_encode_row(&fe, dat_row(&s, i), w[i]);
    unsigned long sink = 0;
    long rows = 0;
    t0 = now();
    do {
        for (size_t i = 0; i < s.n; i++, rows++) {
            dat_decode_row(&fe, w[i], q);
            sink += q[i % GEO_N_CELLS];
        }
    } while ((dt = now() - t0) < 0.5);
    printf("data: front-end decode (4E3M + MUX + calibration): %.3g rows/s\n",
           rows / dt);
    /* EMD: input vs best-choice N=4 (2 links) reconstruction, real crossings */
    emd_ctx *e = emd_new_ld();
    double cost[GEO_N_CELLS * GEO_N_CELLS];
    geo_distance_matrix(cost);
    bl_config bc = bl_plan(BL_BC, 2, 1);
    size_t n = s.n < 2000 ? s.n : 2000;
    double (*a)[GEO_N_CELLS] = malloc(n * sizeof *a), (*b)[GEO_N_CELLS] = malloc(n * sizeof *b);
    for (size_t i = 0; i < n; i++) {
        uint32_t rec[GEO_N_CELLS];
        bl_run(&bc, dat_row(&s, i), rec);
        for (int t = 0; t < GEO_N_CELLS; t++) {
            a[i][t] = dat_row(&s, i)[t];
            b[i][t] = rec[t];
        }
    }
    double acc = 0;
    long solves = 0;
    t0 = now();
    do {
        for (size_t i = 0; i < n; i++, solves++)
            acc += emd_compute(e, a[i], b[i]);
    } while ((dt = now() - t0) < 1.0);
    double simplex_rate = solves / dt;
    long glpk_solves = 0;
    t0 = now();
    do {
        acc += emd_glpk(GEO_N_CELLS, cost, a[glpk_solves % n], b[glpk_solves % n]);
        glpk_solves++;
    } while ((dt = now() - t0) < 1.0);
    double glpk_rate = glpk_solves / dt;
    long pivots;
    emd_stats(e, &solves, &pivots, NULL);
    printf("algo: exact EMD (transportation simplex), real crossings vs BC N=4: "
           "%.0f EMD/s (%.1f pivots/solve)\n", simplex_rate, (double)pivots / solves);
    printf("algo: same problems with GLPK simplex: %.0f EMD/s -> simplex is %.0fx faster\n",
           glpk_rate, simplex_rate / glpk_rate);
    /* baselines */
    uint32_t rec[GEO_N_CELLS];
    long runs = 0;
    bl_config st = bl_plan(BL_STC4, 5, 1), bc14 = bl_plan(BL_BC, 5, 1);
    t0 = now();
    do {
        for (size_t i = 0; i < s.n; i++, runs++) {
            sink += (unsigned long)bl_run(&bc14, dat_row(&s, i), rec);
            sink += (unsigned long)bl_run(&st, dat_row(&s, i), rec);
        }
    } while ((dt = now() - t0) < 0.5);
    printf("algo: baselines BC N=14 + STC4: %.3g crossings/s\n", runs / dt);
    if (acc < 0 || sink == 42)
        printf("(checksum %g)\n", acc);
    free(w); free(a); free(b);
    emd_free(e);
    dat_free(&s);
    return 0;
}
