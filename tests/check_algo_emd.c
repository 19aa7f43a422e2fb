/*
** check_algo_emd.c — the exact EMD solver against GLPK and hand cases.
*/
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "algo/emd.h"
#include "data/geometry.h"

#define N GEO_N_CELLS

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static double urand(void)            /* xorshift64*, [0,1) */
{
    rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ull) >> 11) * 0x1.0p-53;
}

/* A random map: sparsity p_zero in [0, 0.97], magnitudes log-uniform over
** `decades` decades, optionally integers (like CALQ). */
static void random_map(double *a, int n, double p_zero, double decades, int integer)
{
    int any = 0;
    for (int i = 0; i < n; i++) {
        a[i] = urand() < p_zero ? 0 : pow(10.0, urand() * decades);
        if (integer)
            a[i] = floor(a[i]);
        any |= a[i] > 0;
    }
    if (!any)
        a[(int)(urand() * n)] = 1;
}

static int close_enough(double z, double g)
{
    return fabs(z - g) <= 1e-9 * fabs(g) + 1e-12;
}

START_TEST(identical_is_zero)
{
    emd_ctx *e = emd_new_ld();
    double a[N], b[N];
    for (int r = 0; r < 20; r++) {
        random_map(a, N, 0.5, 4, 0);
        for (int i = 0; i < N; i++)
            b[i] = 3.5 * a[i];            /* same after normalization */
        ck_assert_double_le(fabs(emd_compute(e, a, b)), 1e-12);
    }
    emd_free(e);
}
END_TEST

START_TEST(single_cell_shift_is_distance)
{
    emd_ctx *e = emd_new_ld();
    double a[N] = {0}, b[N] = {0};
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i] = 5; b[j] = 7;
            ck_assert_double_eq_tol(emd_compute(e, a, b), geo_distance(i, j), 1e-12);
            a[i] = 0; b[j] = 0;
        }
    /* adjacent TCs are 2 apart; TC 0 and TC 1 are neighbours */
    a[0] = 1; b[1] = 1;
    ck_assert_double_eq_tol(emd_compute(e, a, b), 2.0, 1e-12);
    /* half the mass moves: half the distance */
    b[0] = 1;
    ck_assert_double_eq_tol(emd_compute(e, a, b), 1.0, 1e-12);
    emd_free(e);
}
END_TEST

START_TEST(conventions)
{
    emd_ctx *e = emd_new_ld();
    double z[N] = {0}, a[N] = {0};
    a[3] = 1;
    ck_assert_double_eq(emd_compute(e, z, a), EMD_EMPTY_IN);
    ck_assert_double_eq(emd_compute(e, z, z), EMD_EMPTY_IN);
    ck_assert_double_eq(emd_compute(e, a, z), EMD_EMPTY_OUT);
    a[5] = -1;
    ck_assert_double_eq(emd_compute(e, a, a), EMD_INVALID);
    a[5] = NAN;
    ck_assert_double_eq(emd_compute(e, a, a), EMD_INVALID);
    emd_free(e);
}
END_TEST

/* >= 1000 random LD cases, random sparsity and magnitude, against GLPK. */
START_TEST(random_vs_glpk)
{
    emd_ctx *e = emd_new_ld();
    double cost[N * N], a[N], b[N];
    geo_distance_matrix(cost);
    int cases = 1200, bad = 0;
    double worst = 0;
    for (int r = 0; r < cases; r++) {
        random_map(a, N, urand() * 0.97, 1 + urand() * 6, r % 2);
        random_map(b, N, urand() * 0.97, 1 + urand() * 6, r % 3 == 0);
        double z = emd_compute(e, a, b), g = emd_glpk(N, cost, a, b);
        ck_assert_double_ge(g, 0);
        if (g > 0 && fabs(z - g) / g > worst)
            worst = fabs(z - g) / g;
        if (!close_enough(z, g)) {
            bad++;
            fprintf(stderr, "case %d: simplex %.15g glpk %.15g\n", r, z, g);
        }
        /* symmetry of a metric EMD */
        ck_assert(close_enough(emd_compute(e, b, a), z));
    }
    long solves, pivots, fallbacks;
    emd_stats(e, &solves, &pivots, &fallbacks);
    printf("EMD vs GLPK: %d cases, %d mismatches beyond 1e-9 rel (worst %.2g); "
           "%ld solves, %.1f pivots/solve, %ld GLPK fallbacks\n", cases, bad, worst,
           solves, (double)pivots / solves, fallbacks);
    ck_assert_int_eq(bad, 0);
    emd_free(e);
}
END_TEST

/* Non-metric random costs (no common-mass reduction), smaller n. */
START_TEST(random_nonmetric_vs_glpk)
{
    int n = 20, bad = 0;
    double cost[20 * 20], a[20], b[20];
    for (int r = 0; r < 300; r++) {
        for (int i = 0; i < n * n; i++)
            cost[i] = urand() * 10;
        emd_ctx *e = emd_new(n, cost, 0);
        random_map(a, n, urand() * 0.9, 3, 0);
        random_map(b, n, urand() * 0.9, 3, 0);
        double z = emd_compute(e, a, b), g = emd_glpk(n, cost, a, b);
        bad += !close_enough(z, g);
        emd_free(e);
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* Extreme cases: one cell against many, huge dynamic range, near ties. */
START_TEST(extremes_vs_glpk)
{
    emd_ctx *e = emd_new_ld();
    double cost[N * N], a[N], b[N];
    geo_distance_matrix(cost);
    for (int r = 0; r < 200; r++) {
        for (int i = 0; i < N; i++) {
            a[i] = (r % 4 == 0) ? (i == r % N) : 1.0 + (urand() < 0.01) * 1e12;
            b[i] = (r % 4 == 1) ? (i == (r * 7) % N) : floor(urand() * 3);
        }
        double z = emd_compute(e, a, b), g = emd_glpk(N, cost, a, b);
        if (g >= 0)
            ck_assert_msg(close_enough(z, g), "case %d: %.15g vs %.15g", r, z, g);
    }
    emd_free(e);
}
END_TEST

/* Past the pivot cap a solve falls back to GLPK: same value, counted. */
START_TEST(fallback_path)
{
    emd_ctx *e = emd_new_ld();
    double cost[N * N], a[N], b[N];
    geo_distance_matrix(cost);
    emd_set_max_pivots(e, 1);
    int fell = 0;
    for (int r = 0; r < 30; r++) {
        random_map(a, N, 0.2, 3, 0);
        random_map(b, N, 0.2, 3, 0);
        long before, after;
        emd_stats(e, NULL, NULL, &before);
        double z = emd_compute(e, a, b), g = emd_glpk(N, cost, a, b);
        emd_stats(e, NULL, NULL, &after);
        fell += after > before;
        ck_assert(close_enough(z, g));
    }
    ck_assert_int_gt(fell, 20);           /* dense maps need many pivots */
    emd_free(e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("algo_emd");
    TCase *tc = tcase_create("emd");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, identical_is_zero);
    tcase_add_test(tc, single_cell_shift_is_distance);
    tcase_add_test(tc, conventions);
    tcase_add_test(tc, random_vs_glpk);
    tcase_add_test(tc, random_nonmetric_vs_glpk);
    tcase_add_test(tc, extremes_vs_glpk);
    tcase_add_test(tc, fallback_path);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
