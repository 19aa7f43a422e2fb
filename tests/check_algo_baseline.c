/*
** check_algo_baseline.c — threshold / best choice / STC on hand-made modules,
** bit costs, equal-budget plans, and EMD on real crossings against GLPK.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "algo/baseline.h"
#include "algo/emd.h"
#include "data/dataset.h"
#include "data/hgcfloat.h"

#define N GEO_N_CELLS

static uint32_t rt(uint32_t q) { return dat_4e3m_decode(dat_4e3m_encode(q, 1), 1); }

START_TEST(bc_table_is_the_budget)
{
    static const int want[] = { 0, 1, 4, 6, 9, 14, 18, 23, 28, 32, 37, 41, 46, 48 };
    for (int l = 0; l <= 13; l++) {
        ck_assert_int_eq(bl_bc_n_for_links(l), want[l]);
        if (l == 0)
            continue;
        bl_config c = bl_plan(BL_BC, l, 1);
        ck_assert_int_eq(c.n_bc, want[l]);
        ck_assert_int_le(bl_fixed_bits(&c), 32 * l);
        if (want[l] < 48) {                 /* one more TC would not fit */
            c.n_bc++;
            ck_assert_int_gt(bl_fixed_bits(&c), 32 * l);
        }
    }
}
END_TEST

START_TEST(threshold_hand_module)
{
    uint32_t q[N], rec[N];
    for (int t = 0; t < N; t++)
        q[t] = 1;
    q[3] = 47; q[10] = 46; q[20] = 5000; q[47] = 100000;
    bl_config c = bl_plan(BL_THRESHOLD, 5, 1);
    ck_assert_int_eq(c.thr, 47);
    int bits = bl_run(&c, q, rec);
    ck_assert_int_eq(bits, 4 + 8 + 48 + 7 * 3);
    for (int t = 0; t < N; t++) {
        uint32_t want = (t == 3 || t == 20 || t == 47) ? rt(q[t]) : 0;
        ck_assert_uint_eq(rec[t], want);
    }
    ck_assert_uint_eq(rec[3], 46);     /* 47 -> v=23: e=2,m=3 -> (3<<1)+16 = 22 -> 44 + 2 */
}
END_TEST

START_TEST(bc_hand_module)
{
    uint32_t q[N], rec[N];
    for (int t = 0; t < N; t++)
        q[t] = (uint32_t)t;
    q[40] = 1000; q[5] = 900; q[6] = 900; q[7] = 900; q[30] = 2;
    bl_config c = bl_plan(BL_BC, 2, 1);           /* N = 4 */
    ck_assert_int_eq(bl_run(&c, q, rec), 4 + 8 + 4 * 13);
    for (int t = 0; t < N; t++) {
        int kept = t == 40 || t == 5 || t == 6 || t == 7;
        ck_assert_uint_eq(rec[t], kept ? rt(q[t]) : 0);
    }
    /* ties: lower index first (three 900s, keep 5 and 6 with N = 3) */
    c.n_bc = 3;
    bl_run(&c, q, rec);
    ck_assert_uint_ne(rec[5], 0);
    ck_assert_uint_ne(rec[6], 0);
    ck_assert_uint_eq(rec[7], 0);
    /* N = 48: every TC as 4E3M; bits use the 48-bit map */
    c.n_bc = 48;
    ck_assert_int_eq(bl_run(&c, q, rec), 4 + 8 + 48 + 7 * 48);
    for (int t = 0; t < N; t++)
        ck_assert_uint_eq(rec[t], rt(q[t]));
}
END_TEST

START_TEST(stc_hand_module)
{
    uint32_t q[N] = {0}, rec[N];
    /* STC4 group of TCs 0,1,4,5 */
    q[0] = 100; q[1] = 300; q[4] = 50; q[5] = 300;
    q[47] = 7;
    bl_config c = bl_plan(BL_STC4, 5, 1);
    ck_assert_int_eq(c.sum_ebits, 5);
    ck_assert_int_eq(bl_run(&c, q, rec), 4 + 12 * (9 + 2));
    /* sum 750 -> v = 375: e = 5, m = 7 -> (7<<4)+(1<<8) = 368 -> 736 + 16 */
    ck_assert_uint_eq(rec[1], 752);
    ck_assert_uint_eq(rec[5], 0);
    ck_assert_uint_eq(rec[0], 0);
    ck_assert_uint_eq(rec[47], 7);      /* 7 -> v=3 -> 6+1 */
    uint64_t total = 0;
    for (int t = 0; t < N; t++)
        total += rec[t];
    /* the 10 empty groups send code 0, which decodes to 1 (half LSB) */
    ck_assert_uint_eq(total, 752 + 7 + 10);
}
END_TEST

START_TEST(stc16_and_plans)
{
    uint32_t q[N], rec[N];
    for (int t = 0; t < N; t++)
        q[t] = 100 + (uint32_t)t;
    bl_config c = bl_plan(BL_STC16, 2, 1);
    ck_assert_int_eq(bl_fixed_bits(&c), 4 + 3 * (9 + 4));
    ck_assert_int_le(bl_fixed_bits(&c), 64);
    bl_run(&c, q, rec);
    /* max of each HGCROC block: TC 15, 31, 47 (increasing charges) */
    uint64_t s[3] = {0};
    for (int t = 0; t < N; t++)
        s[geo_cells()[t].stc16] += q[t];
    for (int t = 0; t < N; t++) {
        int g = geo_cells()[t].stc16;
        uint32_t want = (t == 15 || t == 31 || t == 47)
            ? (uint32_t)dat_float_decode(dat_float_encode(s[g], 5, 4, 1), 5, 4, 1, true) : 0;
        ck_assert_uint_eq(rec[t], want);
    }
    bl_config c4 = bl_plan(BL_STC4, 4, 1);
    ck_assert_int_eq(c4.sum_ebits, 4);
    ck_assert_int_eq(bl_fixed_bits(&c4), 4 + 12 * 9);
    ck_assert_int_le(bl_fixed_bits(&c4), 128);
}
END_TEST

/* Baselines' reconstructions of the real data: EMD = GLPK's. */
START_TEST(real_data_emd_vs_glpk)
{
    char path[4096];
    rad_err err;
    if (dat_default_path(path, sizeof path, &err))
        ck_abort_msg("the shipped sample is missing: %s", err.msg);
    dat_set s;
    ck_assert_int_eq(dat_load(path, DAT_FMT_AUTO, NULL, &s, &err), RAD_OK);
    emd_ctx *e = emd_new_ld();
    double cost[N * N];
    geo_distance_matrix(cost);
    int bad = 0, cases = 0;
    for (size_t i = 0; i < s.n; i += 40) {
        for (bl_kind k = BL_THRESHOLD; k <= BL_STC16; k++) {
            bl_config c = bl_plan(k, 3, 1);
            uint32_t rec[N];
            double a[N], b[N];
            bl_run(&c, dat_row(&s, i), rec);
            for (int t = 0; t < N; t++) {
                a[t] = dat_row(&s, i)[t];
                b[t] = rec[t];
            }
            double z = emd_compute(e, a, b), g = emd_glpk(N, cost, a, b);
            bad += fabs(z - g) > 1e-9 * fabs(g) + 1e-12;
            cases++;
        }
    }
    printf("real-data EMD vs GLPK: %d cases, %d mismatches\n", cases, bad);
    ck_assert_int_eq(bad, 0);
    emd_free(e);
    dat_free(&s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("algo_baseline");
    TCase *tc = tcase_create("baseline");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bc_table_is_the_budget);
    tcase_add_test(tc, threshold_hand_module);
    tcase_add_test(tc, bc_hand_module);
    tcase_add_test(tc, stc_hand_module);
    tcase_add_test(tc, stc16_and_plans);
    tcase_add_test(tc, real_data_emd_vs_glpk);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
