/*
** check_data.c — front-end decode, mapping, calibration, file formats.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/ck_tmp.h"
#include "data/dataset.h"
#include "data/geometry.h"
#include "data/hgcfloat.h"

/* ---- 4E3M -------------------------------------------------------------- */

START_TEST(decode_hand_cases)
{
    /* LD: 1 dropped LSB, half-LSB restore */
    ck_assert_uint_eq(dat_4e3m_decode(0, 1), 1);          /* e=0: 0<<1 + 1  */
    ck_assert_uint_eq(dat_4e3m_decode(7, 1), 15);         /* 7<<1 + 1       */
    ck_assert_uint_eq(dat_4e3m_decode(8, 1), 17);         /* e=1: 8<<1 + 1  */
    ck_assert_uint_eq(dat_4e3m_decode(9, 1), 19);
    ck_assert_uint_eq(dat_4e3m_decode(16, 1), 34);        /* e=2: 16<<1 + 2 */
    ck_assert_uint_eq(dat_4e3m_decode(0x2B, 1), 368);     /* e=5,m=3: (3<<4)+(1<<7) = 176 -> 352 + (1<<4) */
    ck_assert_uint_eq(dat_4e3m_decode(127, 1), 507904);   /* (7<<14)+(1<<17) = 245760 -> 491520 + 16384 */
    /* HD: 3 dropped LSBs */
    ck_assert_uint_eq(dat_4e3m_decode(0, 3), 4);
    ck_assert_uint_eq(dat_4e3m_decode(5, 3), 44);         /* 5<<3 + 4       */
    ck_assert_uint_eq(dat_4e3m_decode(16, 3), 136);       /* 16<<3 + (1<<3) */
    ck_assert_uint_eq(dat_4e3m_decode(127, 3), 2031616);  /* 245760<<3 + (1<<16) */
    /* no dropped bit, e=0: exact, no restore */
    ck_assert_uint_eq(dat_float_decode(5, 4, 3, 0, true), 5);
    ck_assert_uint_eq(dat_float_decode(127, 4, 3, 1, false), 491520);
}
END_TEST

START_TEST(decode_fits_22_bits)
{
    /* the HD maximum must still be a 22-bit CALQ */
    ck_assert_uint_lt(dat_4e3m_decode(127, 3), 1u << DAT_CHARGE_BITS);
}
END_TEST

START_TEST(encode_hand_cases)
{
    ck_assert_uint_eq(dat_4e3m_encode(0, 1), 0);
    ck_assert_uint_eq(dat_4e3m_encode(1, 1), 0);
    ck_assert_uint_eq(dat_4e3m_encode(15, 1), 7);
    ck_assert_uint_eq(dat_4e3m_encode(16, 1), 8);
    ck_assert_uint_eq(dat_4e3m_encode(34, 1), 16);
    ck_assert_uint_eq(dat_4e3m_encode(507904, 1), 127);
    ck_assert_uint_eq(dat_4e3m_encode((1u << 22) - 1, 1), 127);   /* saturates */
    ck_assert_uint_eq(dat_4e3m_encode(1u << 19, 1), 127);
    ck_assert_uint_eq(dat_4e3m_encode((1u << 19) - 1, 1), 127);   /* e=15, m=7 */
    /* 5E4M module sum, no drop: 2400 = 0b100101100000 -> e=msb-3=8, m=0b0010 */
    ck_assert_uint_eq(dat_float_encode(2400, 5, 4, 0), (8u << 4) | 2);
}
END_TEST

/* Every code's decoded value is a midpoint that encodes back to the code;
** encoding is monotonic. */
START_TEST(encode_decode_properties)
{
    for (int drop = 0; drop <= 3; drop++) {
        for (unsigned c = 0; c < 128; c++)
            ck_assert_uint_eq(dat_4e3m_encode(dat_4e3m_decode(c, drop), drop), c);
        unsigned prev = 0;
        for (uint32_t q = 0; q < (1u << 22); q += 1 + q / 64) {
            unsigned c = dat_4e3m_encode(q, drop);
            ck_assert_uint_ge(c, prev);
            prev = c;
        }
    }
    for (unsigned c = 0; c < 512; c++)
        ck_assert_uint_eq(dat_float_encode(dat_float_decode(c, 5, 4, 1, true), 5, 4, 1), c);
}
END_TEST

/* ---- geometry and mapping ----------------------------------------------- */

START_TEST(geometry_reference_points)
{
    /* centres of the reference EMD code (hexCoords / oneHexCell; its numbers
    ** are float32-rounded, hence 5e-5) */
    const double k = 0.5 * 2.4168015;
    const struct { int tc; double x, y; } ref[] = {
        { 0, 0.0, 0.0 }, { 1, 0.0, -2.4168015 }, { 4, 2.09301, -1.2083969 },
        { 16, -8.37204, -10.271393 }, { 31, -2.0930138, 0.6042023 },
        { 32, 4.7092705, -12.386101 }, { 47, -7.848793, -12.386101 },
    };
    const geo_cell *c = geo_cells();
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        ck_assert_double_eq_tol(c[ref[i].tc].x, ref[i].x / k, 5e-5);
        ck_assert_double_eq_tol(c[ref[i].tc].y, ref[i].y / k, 5e-5);
    }
    ck_assert_double_eq_tol(geo_distance(0, 1), 2.0, 1e-12);
    ck_assert_double_eq_tol(geo_distance(0, 4), 2.0, 1e-12);
    ck_assert_double_eq(geo_distance(7, 7), 0.0);
}
END_TEST

START_TEST(geometry_groups_and_image)
{
    int tcs[16], seen[GEO_N_CELLS] = {0};
    for (int g = 0; g < GEO_N_STC4; g++)
        ck_assert_int_eq(geo_stc_members(4, g, tcs), 4);
    for (int g = 0; g < GEO_N_STC16; g++) {
        ck_assert_int_eq(geo_stc_members(16, g, tcs), 16);
        for (int i = 0; i < 16; i++)    /* STC16 = one HGCROC */
            ck_assert_int_eq(geo_cells()[tcs[i]].hgcroc, geo_cells()[tcs[0]].hgcroc);
    }
    /* STC4 groups are 2x2 blocks: members at most 2*sqrt(3)+eps apart */
    for (int g = 0; g < GEO_N_STC4; g++) {
        geo_stc_members(4, g, tcs);
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                ck_assert_double_le(geo_distance(tcs[a], tcs[b]), 3.5);
    }
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 8; c++) {
            int t = geo_image_tc(r, c);
            if (r >= 4 && c >= 4)
                ck_assert_int_eq(t, -1);
            else {
                ck_assert_int_ge(t, 0);
                seen[t]++;
            }
        }
    for (int t = 0; t < GEO_N_CELLS; t++)
        ck_assert_int_eq(seen[t], 1);
    ck_assert_int_eq(geo_image_tc(0, 0), 28);    /* facts 2.3 */
    ck_assert_int_eq(geo_image_tc(4, 0), 47);
}
END_TEST

/* Hexagonal lattice squared distance of TCs a and b (units: TC spacing). */
static int lattice_d2(int a, int b)
{
    int du = geo_cells()[a].u - geo_cells()[b].u, dv = geo_cells()[a].v - geo_cells()[b].v;
    return du * du - du * dv + dv * dv;
}

START_TEST(geometry_symmetries)
{
    int perm[GEO_N_SYM][GEO_N_CELLS];
    for (int g = 0; g < GEO_N_SYM; g++) {
        int seen[GEO_N_CELLS] = {0};
        geo_symmetry(g, perm[g]);
        for (int t = 0; t < GEO_N_CELLS; t++) {
            ck_assert_int_ge(perm[g][t], 0);
            seen[perm[g][t]]++;
        }
        for (int t = 0; t < GEO_N_CELLS; t++)
            ck_assert_int_eq(seen[t], 1);                   /* a permutation */
        for (int a = 0; a < GEO_N_CELLS; a++)               /* an isometry   */
            for (int b = 0; b < GEO_N_CELLS; b++)
                ck_assert_int_eq(lattice_d2(perm[g][a], perm[g][b]), lattice_d2(a, b));
    }
    for (int t = 0; t < GEO_N_CELLS; t++) {
        ck_assert_int_eq(perm[0][t], t);
        ck_assert_int_eq(perm[1][t], (t + 16) % 48);        /* sector 0 -> 1 -> 2 */
        ck_assert_int_eq(perm[2][perm[1][t]], t);           /* 240 = 120^-1  */
        for (int g = 3; g < GEO_N_SYM; g++)
            ck_assert_int_eq(perm[g][perm[g][t]], t);       /* reflections   */
    }
    for (int g = 1; g < GEO_N_SYM; g++)                     /* all distinct  */
        for (int h = 0; h < g; h++)
            ck_assert(memcmp(perm[g], perm[h], sizeof perm[g]) != 0);
}
END_TEST

START_TEST(augment_by_symmetry)
{
    rad_err err = { 0 };
    dat_set s, a, bad;
    ck_assert_int_eq(dat_alloc(&s, 2, GEO_N_CELLS, &err), 0);
    for (int t = 0; t < GEO_N_CELLS; t++) {
        s.q[t] = (uint32_t)(t + 1);
        s.q[GEO_N_CELLS + t] = (uint32_t)(1000 * (t + 1));
    }
    ck_assert_int_eq(dat_augment(&s, GEO_N_SYM, &a, &err), 0);
    ck_assert_uint_eq(a.n, 2 * GEO_N_SYM);
    for (size_t i = 0; i < s.n; i++)
        for (int g = 0; g < GEO_N_SYM; g++) {
            int perm[GEO_N_CELLS];
            geo_symmetry(g, perm);
            const uint32_t *row = dat_row(&a, i * GEO_N_SYM + (size_t)g);
            for (int t = 0; t < GEO_N_CELLS; t++)
                ck_assert_uint_eq(row[perm[t]], dat_row(&s, i)[t]);
        }
    /* rotation by 120 degrees: TC t's charge moves to TC t+16 */
    ck_assert_uint_eq(dat_row(&a, 1)[16], 1);
    ck_assert_uint_eq(dat_row(&a, 1)[0], 33);
    dat_free(&a);
    ck_assert_int_eq(dat_augment(&s, 7, &a, &err), RAD_ERANGE);
    ck_assert_int_eq(dat_alloc(&bad, 1, 16, &err), 0);
    ck_assert_int_eq(dat_augment(&bad, 3, &a, &err), RAD_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(err.msg, "48-cell"));
    dat_free(&bad);
    dat_free(&s);
}
END_TEST

/* The built-in table equals data/samples/ldm_tc_mapping.csv. */
START_TEST(builtin_mapping_matches_csv)
{
    char path[4096];
    rad_err err;
    if (dat_data_path("ldm_tc_mapping.csv", path, sizeof path, &err))
        ck_abort_msg("the shipped sample is missing: %s", err.msg);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    int rows = 0, tc, u, v, post, roc, etx, spot, erx, s4, s4i, s16, s16i, pre;
    while (fscanf(f, "%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d", &tc, &u, &v, &post,
                  &roc, &etx, &spot, &erx, &s4, &s4i, &s16, &s16i, &pre) == 13) {
        const geo_cell *c = &geo_cells()[tc];
        ck_assert_int_eq(c->u, u);
        ck_assert_int_eq(c->v, v);
        ck_assert_int_eq(c->hgcroc, roc);
        ck_assert_int_eq(c->erx, erx);
        ck_assert_int_eq(c->stc4, s4);
        ck_assert_int_eq(c->stc16, s16);
        ck_assert_int_eq(c->premux, pre);
        rows++;
    }
    fclose(f);
    ck_assert_int_eq(rows, 48);
    /* and the loader reads the same MUX */
    dat_frontend a, b;
    dat_frontend_default(&a);
    dat_frontend_default(&b);
    memset(b.premux, 0, sizeof b.premux);
    ck_assert_int_eq(dat_frontend_load_mapping(&b, path, &err), RAD_OK);
    ck_assert_mem_eq(a.premux, b.premux, sizeof a.premux);
}
END_TEST

START_TEST(decode_row_mux_and_calibration)
{
    dat_frontend fe;
    dat_frontend_default(&fe);
    for (int t = 0; t < GEO_N_CELLS; t++) {
        uint32_t w[DAT_ERX_WORDS] = {0}, q[GEO_N_CELLS];
        int slot = fe.premux[t];
        w[slot / 4] = 42u << (7 * (slot % 4));     /* code 42 on one slot */
        dat_decode_row(&fe, w, q);
        for (int s = 0; s < GEO_N_CELLS; s++)
            ck_assert_uint_eq(q[s], s == t ? dat_4e3m_decode(42, 1) : 1);
    }
    /* calibration: CALQ = (charge * CALVALUE) >> 11 */
    uint32_t w[DAT_ERX_WORDS], q[GEO_N_CELLS];
    for (int e = 0; e < DAT_ERX_WORDS; e++)
        w[e] = (100u) | (100u << 7) | (100u << 14) | (100u << 21);
    uint32_t charge = dat_4e3m_decode(100, 1);     /* e=12,m=4: 4<<11 + 1<<14 = 24576 -> 49152+2048 */
    ck_assert_uint_eq(charge, 51200);
    fe.calvalue[0] = 1024;
    fe.calvalue[1] = 4095;
    fe.calvalue[2] = 0;
    fe.calvalue[3] = 3000;
    dat_decode_row(&fe, w, q);
    ck_assert_uint_eq(q[0], 25600);
    ck_assert_uint_eq(q[1], (uint32_t)((51200ull * 4095) >> 11));
    ck_assert_uint_eq(q[2], 0);
    ck_assert_uint_eq(q[3], (uint32_t)((51200ull * 3000) >> 11));
    ck_assert_uint_eq(q[4], 51200);
}
END_TEST

START_TEST(encode_row_inverts_decode)
{
    dat_frontend fe;
    dat_frontend_default(&fe);
    uint64_t s = 12345;
    for (int r = 0; r < 2000; r++) {
        uint32_t w[DAT_ERX_WORDS], w2[DAT_ERX_WORDS], q[GEO_N_CELLS];
        for (int e = 0; e < DAT_ERX_WORDS; e++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            w[e] = (uint32_t)(s >> 36) & 0x0FFFFFFFu;
        }
        fe.drop_lsb = r % 2 ? 1 : 3;
        dat_decode_row(&fe, w, q);
        dat_encode_row(&fe, q, w2);
        ck_assert_mem_eq(w, w2, sizeof w);
    }
}
END_TEST

START_TEST(calib_files)
{
    dat_frontend fe;
    dat_frontend_default(&fe);
    rad_err err;
    char text[2048] = "TC,CALVALUE\n";
    for (int t = 0; t < 48; t++)
        sprintf(text + strlen(text), "%d,%d\n", 47 - t, 1000 + t);
    ck_assert_int_eq(dat_frontend_load_calib(&fe, ck_tmp_write("cal1.csv", text), &err), RAD_OK);
    ck_assert_uint_eq(fe.calvalue[47], 1000);
    ck_assert_uint_eq(fe.calvalue[0], 1047);
    text[0] = 0;
    for (int t = 0; t < 48; t++)
        sprintf(text + strlen(text), "%s%d", t ? "," : "", 2000 + t);
    strcat(text, "\n");
    ck_assert_int_eq(dat_frontend_load_calib(&fe, ck_tmp_write("cal2.csv", text), &err), RAD_OK);
    ck_assert_uint_eq(fe.calvalue[5], 2005);
    /* out of range: 4096 is not a 12-bit register */
    text[0] = 0;
    for (int t = 0; t < 48; t++)
        sprintf(text + strlen(text), "%d\n", t == 9 ? 4096 : 2048);
    const char *p = ck_tmp_write("cal3.csv", text);
    ck_assert_int_ne(dat_frontend_load_calib(&fe, p, &err), RAD_OK);
    char want[600];
    snprintf(want, sizeof want, "%s:10:1:", p);
    ck_assert_msg(strstr(err.msg, want), "message '%s' lacks '%s'", err.msg, want);
    ck_assert_uint_eq(fe.calvalue[5], 2005);         /* unchanged on error */
    /* too few values */
    ck_assert_int_ne(dat_frontend_load_calib(&fe, ck_tmp_write("cal4.csv", "2048\n2048\n"), &err), RAD_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "2 CALVALUEs, expected 48"));
}
END_TEST

/* ---- malformed files ------------------------------------------------------ */

static void expect_error(const char *name, const char *text, dat_format fmt,
                         int line, int col, const char *reason)
{
    const char *p = ck_tmp_write(name, text);
    dat_set s;
    rad_err err = { 0, "" };
    int rc = dat_load(p, fmt, NULL, &s, &err);
    ck_assert_msg(rc != RAD_OK, "%s: accepted", name);
    char want[600];
    if (col > 0)
        snprintf(want, sizeof want, "%s:%d:%d: ", p, line, col);
    else if (line > 0)
        snprintf(want, sizeof want, "%s:%d: ", p, line);
    else
        snprintf(want, sizeof want, "%s: ", p);
    ck_assert_msg(strstr(err.msg, want), "%s: message '%s' lacks '%s'", name, err.msg, want);
    ck_assert_msg(strstr(err.msg, reason), "%s: message '%s' lacks '%s'", name, err.msg, reason);
    ck_assert_ptr_null(s.q);
}

START_TEST(malformed_files)
{
    const char *hdr = "a,b,c,d,e,f,g,h,i,j,k,l\n";
    char text[4096];
    snprintf(text, sizeof text, "%s0,0,0,0,0,0,0,0,0,0,0,0\n0,0,0,0,0,0,0,0,0,0,0\n", hdr);
    expect_error("cols.csv", text, DAT_FMT_AUTO, 3, 12, "11 columns, expected 12");
    snprintf(text, sizeof text, "%s0,0,0,0,0,0,x1,0,0,0,0,0\n", hdr);
    expect_error("nonnum.csv", text, DAT_FMT_AUTO, 2, 7, "not an unsigned decimal");
    snprintf(text, sizeof text, "0,0,0,0,0,0,0,0,0,0,0,-5\n");
    expect_error("neg.csv", text, DAT_FMT_AUTO, 1, 12, "not an unsigned decimal");
    snprintf(text, sizeof text, "\n0,0,0,4294967296,0,0,0,0,0,0,0,0\n");
    expect_error("big.csv", text, DAT_FMT_AUTO, 2, 4, "beyond 32 bits");
    snprintf(text, sizeof text, "0,0,0,0,0,0,0,0,0,0,0,0\n0,268435456,0,0,0,0,0,0,0,0,0,0\n");
    expect_error("header.csv", text, DAT_FMT_EPORTRX, 2, 2, "header bits");
    char *t = text;
    for (int i = 0; i < 48; i++)
        t += sprintf(t, "%s%u", i ? "," : "", i == 30 ? (1u << 22) : 5u);
    strcat(text, "\n");
    expect_error("wide.csv", text, DAT_FMT_AUTO, 1, 31, "beyond 22 bits");
    expect_error("empty.csv", "", DAT_FMT_AUTO, 0, 0, "no crossings");
    expect_error("onlyhdr.csv", hdr, DAT_FMT_AUTO, 0, 0, "no crossings");
    expect_error("odd.csv", "1,2,3\n", DAT_FMT_AUTO, 1, 4, "3 columns");
    snprintf(text, sizeof text, "0,0,0,0,0,0,0,0,0,0,0,0\n");
    expect_error("asplain.csv", text, DAT_FMT_CSV, 1, 13, "12 columns, expected 48");
    /* a missing file */
    dat_set s;
    rad_err err;
    ck_assert_int_eq(dat_load("/nonexistent/x.csv", DAT_FMT_AUTO, NULL, &s, &err), RAD_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/x.csv"));
}
END_TEST

START_TEST(malformed_mapping)
{
    dat_frontend fe;
    rad_err err;
    dat_frontend_default(&fe);
    const char *p = ck_tmp_write("map1.csv", "TC_Number,Foo\n0,1\n");
    ck_assert_int_ne(dat_frontend_load_mapping(&fe, p, &err), RAD_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "ECON_TC_Number_PreMux"));
    char text[4096] = "TC_Number,ECON_TC_Number_PreMux\n";
    for (int i = 0; i < 48; i++)
        sprintf(text + strlen(text), "%d,%d\n", i, i == 20 ? 3 : i);
    p = ck_tmp_write("map2.csv", text);
    ck_assert_int_ne(dat_frontend_load_mapping(&fe, p, &err), RAD_OK);
    char want[600];
    snprintf(want, sizeof want, "%s:22:", p);
    ck_assert_msg(strstr(err.msg, want), "'%s' lacks '%s'", err.msg, want);
    ck_assert_ptr_nonnull(strstr(err.msg, "twice"));
    ck_assert_int_eq(fe.premux[0], geo_cells()[0].premux);    /* unchanged */
}
END_TEST

/* ---- round trips and splits ------------------------------------------------ */

START_TEST(csv_round_trip)
{
    dat_set a, b;
    rad_err err;
    ck_assert_int_eq(dat_alloc(&a, 300, GEO_N_CELLS, &err), RAD_OK);
    uint64_t s = 99;
    for (size_t i = 0; i < a.n * GEO_N_CELLS; i++) {
        s = s * 6364136223846793005ull + 1;
        a.q[i] = (uint32_t)(s >> 42);           /* 22 bits */
    }
    char p[512];
    snprintf(p, sizeof p, "%s/rt.csv", ck_tmpdir);
    ck_assert_int_eq(dat_write_csv(p, &a, NULL, &err), RAD_OK);
    ck_assert_int_eq(dat_load(p, DAT_FMT_AUTO, NULL, &b, &err), RAD_OK);
    ck_assert_uint_eq(b.n, a.n);
    ck_assert_mem_eq(a.q, b.q, a.n * GEO_N_CELLS * sizeof *a.q);
    dat_free(&b);
    /* csv -> eportrx -> csv gives the 4E3M midpoints */
    snprintf(p, sizeof p, "%s/rt_e.csv", ck_tmpdir);
    ck_assert_int_eq(dat_write_eportrx(p, NULL, &a, NULL, &err), RAD_OK);
    ck_assert_int_eq(dat_load(p, DAT_FMT_AUTO, NULL, &b, &err), RAD_OK);
    for (size_t i = 0; i < a.n * GEO_N_CELLS; i++)
        ck_assert_uint_eq(b.q[i], dat_4e3m_decode(dat_4e3m_encode(a.q[i], 1), 1));
    dat_free(&a);
    dat_free(&b);
}
END_TEST

START_TEST(splits)
{
    ck_assert_uint_eq(dat_split_point(8000, DAT_TRAIN_FRACTION), 6000);
    ck_assert_uint_eq(dat_split_point(10, 0.75), 7);
    ck_assert_uint_eq(dat_split_point(10, 0), 0);
    ck_assert_uint_eq(dat_split_point(10, 1.5), 10);
    dat_set s, a, b;
    rad_err err;
    dat_alloc(&s, 8, GEO_N_CELLS, &err);
    for (size_t i = 0; i < 8; i++)
        s.q[i * GEO_N_CELLS] = (uint32_t)i;
    dat_split(&s, 0.75, &a, &b);
    ck_assert_uint_eq(a.n, 6);
    ck_assert_uint_eq(b.n, 2);
    ck_assert_uint_eq(dat_row(&b, 0)[0], 6);
    dat_free(&b);                          /* a view: must not free */
    ck_assert_uint_eq(s.q[7 * GEO_N_CELLS], 7);
    dat_free(&s);
}
END_TEST

START_TEST(data_dir_override)
{
    char buf[4096], want[600];
    rad_err err;
    const char *old = getenv("RAD4ML_DATA_DIR");
    char *saved = old ? strdup(old) : NULL;
    ck_tmp_write(DAT_DEFAULT_FILE, "1,2,3,4,5,6,7,8,9,10,11,12\n");
    setenv("RAD4ML_DATA_DIR", ck_tmpdir, 1);
    ck_assert_int_eq(dat_default_path(buf, sizeof buf, &err), RAD_OK);
    snprintf(want, sizeof want, "%s/%s", ck_tmpdir, DAT_DEFAULT_FILE);
    ck_assert_str_eq(buf, want);
    ck_assert_int_eq(dat_data_path("missing.csv", buf, sizeof buf, &err), RAD_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "RAD4ML_DATA_DIR"));
    if (saved)
        setenv("RAD4ML_DATA_DIR", saved, 1);
    else
        unsetenv("RAD4ML_DATA_DIR");
    free(saved);
}
END_TEST

/* The shared LD data: 8000 crossings with the README's statistics. */
START_TEST(real_data)
{
    char path[4096];
    rad_err err;
    if (dat_default_path(path, sizeof path, &err))
        ck_abort_msg("the shipped sample is missing: %s", err.msg);
    dat_set s;
    ck_assert_int_eq(dat_load(path, DAT_FMT_AUTO, NULL, &s, &err), RAD_OK);
    ck_assert_uint_eq(s.n, 8000);
    double occ = 0;
    for (size_t i = 0; i < s.n; i++) {
        const uint32_t *q = dat_row(&s, i);
        for (int t = 0; t < GEO_N_CELLS; t++) {
            occ += q[t] > 35;
            ck_assert_uint_ge(q[t], 1);                 /* LD code 0 -> 1 */
            ck_assert_uint_lt(q[t], 1u << 22);
        }
    }
    occ /= s.n;
    printf("real data: %zu crossings, %.2f TCs > 1 MIP_T on average\n", s.n, occ);
    ck_assert_double_gt(occ, 14);
    ck_assert_double_lt(occ, 17);
    dat_free(&s);
}
END_TEST

int main(void)
{
    if (ck_tmp_init("check_data"))
        return 1;
    Suite *su = suite_create("data");
    TCase *tc = tcase_create("data");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, decode_hand_cases);
    tcase_add_test(tc, decode_fits_22_bits);
    tcase_add_test(tc, encode_hand_cases);
    tcase_add_test(tc, encode_decode_properties);
    tcase_add_test(tc, geometry_reference_points);
    tcase_add_test(tc, geometry_groups_and_image);
    tcase_add_test(tc, geometry_symmetries);
    tcase_add_test(tc, augment_by_symmetry);
    tcase_add_test(tc, builtin_mapping_matches_csv);
    tcase_add_test(tc, decode_row_mux_and_calibration);
    tcase_add_test(tc, encode_row_inverts_decode);
    tcase_add_test(tc, calib_files);
    tcase_add_test(tc, malformed_files);
    tcase_add_test(tc, malformed_mapping);
    tcase_add_test(tc, csv_round_trip);
    tcase_add_test(tc, splits);
    tcase_add_test(tc, data_dir_override);
    tcase_add_test(tc, real_data);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ck_tmp_cleanup();
    return failed ? 1 : 0;
}
