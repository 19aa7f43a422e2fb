/*
** check_seu.c — unit tests of the seu module (C side): bit map against the
** I2C packer, flips, fast sensitivity map against brute force, multi-upset
** campaigns, selective masks, register-file geometry and the generated
** module's interface against codegen's unprotected one, codegen's SEU
** test port wired through the top.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seu/seu.h"
#include "seu/seu_rtl.h"
#include "seu/seu_rate.h"
#include "model/model_io.h"
#include "codegen/cg.h"
#include "common/rad_file.h"

static mdl_model *model(void)
{
    mdl_model *m = NULL;
    rad_err e;
    ck_assert_msg(mdl_load_default(&m, &e) == RAD_OK, "%s", e.msg);
    return m;
}

/* The first n hold-out crossings of the shared data. */
static void crossings(dat_set *all, dat_set *sub, size_t n)
{
    char path[4096];
    rad_err e;
    ck_assert_msg(dat_default_path(path, sizeof path, &e) == RAD_OK, "%s", e.msg);
    ck_assert_msg(dat_load(path, DAT_FMT_AUTO, NULL, all, &e) == RAD_OK, "%s", e.msg);
    dat_set tr, te;
    dat_split(all, DAT_TRAIN_FRACTION, &tr, &te);
    dat_slice(&te, 0, n, sub);
}

/* Flipping image bit k in the model changes exactly bit k of the packed
** image — for every one of the 12,864 bits. */
START_TEST(bits_match_i2c_image)
{
    mdl_model *m = model(), *c = mdl_clone(m);
    size_t n = seu_bit_count(m), nb = (n + 7) / 8;
    ck_assert_uint_eq(n, 12864);
    uint8_t *a = calloc(nb, 1), *b = calloc(nb, 1);
    ck_assert_int_eq(mdl_i2c_pack(m, a, nb, NULL), RAD_OK);
    for (size_t k = 0; k < n; k++) {
        seu_bit w;
        ck_assert_int_eq(seu_bit_locate(m, k, &w), RAD_OK);
        seu_flip(c, &w);
        ck_assert_int_eq(mdl_i2c_pack(c, b, nb, NULL), RAD_OK);
        for (size_t i = 0; i < nb; i++) {
            uint8_t want = (uint8_t)(i == k / 8 ? 1u << (k % 8) : 0);
            ck_assert_msg((a[i] ^ b[i]) == want, "bit %zu: byte %zu differs by %02x",
                          k, i, a[i] ^ b[i]);
        }
        seu_flip(c, &w);
    }
    seu_bit w;
    ck_assert_int_eq(seu_bit_locate(m, n, &w), RAD_ERANGE);
    free(a);
    free(b);
    mdl_free(c);
    mdl_free(m);
}
END_TEST

START_TEST(flip_raw_sign_extends)
{
    ck_assert_int_eq(seu_flip_raw(0, 6, 1, 5), -32);
    ck_assert_int_eq(seu_flip_raw(-1, 6, 1, 5), 31);
    ck_assert_int_eq(seu_flip_raw(-32, 6, 1, 0), -31);
    ck_assert_int_eq(seu_flip_raw(3, 6, 1, 1), 1);
    ck_assert_int_eq(seu_flip_raw(0, 9, 0, 8), 256);
}
END_TEST

/* The fast path (incremental last layer, changed words only, memo) gives
** the brute-force numbers (full generic re-encode of every crossing). */
START_TEST(sens_fast_equals_bruteforce)
{
    mdl_model *m = model();
    dat_set all, d;
    crossings(&all, &d, 24);
    seu_sens_opts o;
    seu_sens_defaults(&o);
    seu_sens s;
    rad_err e;
    ck_assert_msg(seu_sens_run(m, &d, &o, &s, &e) == RAD_OK, "%s", e.msg);
    size_t bits[64], n = 0;
    for (size_t k = 0; k < 480; k += 37)        /* conv kernel and bias */
        bits[n++] = k;
    for (size_t k = 475; k < 486; k++)           /* conv/dense boundary  */
        bits[n++] = k;
    for (size_t k = 12760; k < 12864; k += 9)    /* dense kernel tail, bias */
        bits[n++] = k;
    double top = 0;
    size_t kt = 0;
    for (size_t k = 0; k < s.n_bits; k++)
        if (s.d_emd[k] > top)
            top = s.d_emd[k], kt = k;
    bits[n++] = kt;
    double *bf = calloc(n, sizeof *bf);
    ck_assert_msg(seu_sens_bruteforce(m, &d, bits, n, o.empty_penalty, bf, &e) == RAD_OK,
                  "%s", e.msg);
    int nonzero = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(fabs(bf[i] - s.d_emd[bits[i]]) <= 1e-12,
                      "bit %zu: fast %.15g brute %.15g", bits[i], s.d_emd[bits[i]], bf[i]);
        nonzero += bf[i] != 0;
    }
    ck_assert_int_gt(nonzero, 5);     /* the comparison is not all zeros */
    ck_assert_double_gt(top, 0);
    free(bf);
    seu_sens_free(&s);
    dat_free(&all);
    mdl_free(m);
}
END_TEST

START_TEST(upsets_deterministic_and_masked)
{
    mdl_model *m = model();
    dat_set all, d;
    crossings(&all, &d, 30);
    seu_upset_opts o;
    seu_upset_defaults(&o);
    o.rate = 3;
    o.trials = 20;
    seu_upset_result r1, r2, r0, rm;
    rad_err e;
    ck_assert_msg(seu_upset_run(m, &d, &o, &r1, &e) == RAD_OK, "%s", e.msg);
    ck_assert_int_eq(seu_upset_run(m, &d, &o, &r2, &e), RAD_OK);
    ck_assert(r1.upset_emd == r2.upset_emd && r1.mean_flips == r2.mean_flips);
    ck_assert_double_gt(r1.mean_flips, 1.5);
    ck_assert_double_gt(r1.frac_changed, 0);
    uint8_t *all_prot = malloc(seu_bit_count(m));
    memset(all_prot, 1, seu_bit_count(m));
    o.mask = all_prot;                             /* everything protected */
    ck_assert_int_eq(seu_upset_run(m, &d, &o, &rm, &e), RAD_OK);
    /* same EMDs, summed in another order: equal to rounding, not bit for bit */
    ck_assert_double_eq_tol(rm.upset_emd, rm.clean_emd, 1e-12 * rm.clean_emd);
    ck_assert(rm.mean_flips == 0);
    o.mask = NULL;
    o.rate = 0;
    ck_assert_int_eq(seu_upset_run(m, &d, &o, &r0, &e), RAD_OK);
    ck_assert_double_eq_tol(r0.upset_emd, r0.clean_emd, 1e-12 * r0.clean_emd);
    o.rate = -1;
    ck_assert_int_eq(seu_upset_run(m, &d, &o, &r0, &e), RAD_EUSAGE);
    free(all_prot);
    dat_free(&all);
    mdl_free(m);
}
END_TEST

START_TEST(select_mask_ranks)
{
    seu_sens s = { 0 };
    double d[10] = { 0.1, 0.5, -0.2, 0.9, 0.0, 0.3, 0.7, 0.2, 0.05, 0.4 };
    s.n_bits = 10;
    s.d_emd = d;
    uint8_t mask[10];
    ck_assert_int_eq(seu_select_mask(&s, 0.3, mask), RAD_OK);
    uint8_t want[10] = { 0, 1, 0, 1, 0, 0, 1, 0, 0, 0 };
    ck_assert_mem_eq(mask, want, 10);
    ck_assert_double_eq_tol(seu_select_expect(&s, NULL, 2.0), 2.0 * 2.95 / 10, 1e-12);
    ck_assert_double_eq_tol(seu_select_expect(&s, mask, 2.0), 2.0 * 0.85 / 10, 1e-12);
    ck_assert_int_eq(seu_select_mask(&s, 1.5, mask), RAD_ERANGE);
}
END_TEST

START_TEST(cfg_geometry)
{
    mdl_model *m = model();
    cg_cfg_opts o;
    cg_cfg_geom g;
    seu_cfg_opts(&o, m, "rad4ml_ae", 3, SEU_PROT_TMR, NULL);
    ck_assert_int_eq(cg_cfg_geometry(m, &o, &g, NULL), RAD_OK);
    ck_assert_uint_eq(g.n_stored, 3 * 12864);
    ck_assert_uint_eq(g.n_voters, 12864);
    ck_assert_int_eq(g.addr_bits, 14);
    seu_cfg_opts(&o, m, "rad4ml_ae", 3, SEU_PROT_SECDED, NULL);
    ck_assert_int_eq(cg_cfg_geometry(m, &o, &g, NULL), RAD_OK);
    ck_assert_int_eq(g.cw, 72);
    ck_assert_int_eq(g.n_cw, 201);
    ck_assert_uint_eq(g.n_stored, 201 * 72);
    o.secded_data = 32;
    ck_assert_int_eq(cg_cfg_geometry(m, &o, &g, NULL), RAD_OK);
    ck_assert_int_eq(g.cw, 39);
    o.secded_data = 4;
    ck_assert_int_eq(cg_cfg_geometry(m, &o, &g, NULL), RAD_ERANGE);
    uint8_t *mask = calloc(12864, 1);
    mask[5] = mask[6] = mask[100] = 1;
    seu_cfg_opts(&o, m, "rad4ml_ae", 3, SEU_PROT_SEL, mask);
    ck_assert_int_eq(cg_cfg_prot_code(&o), 3);
    ck_assert_int_eq(cg_cfg_geometry(m, &o, &g, NULL), RAD_OK);
    ck_assert_uint_eq(g.n_stored, 12864 + 6);
    memset(mask, 0, 12864);          /* selective TMR of nothing: refused */
    ck_assert_int_eq(cg_cfg_geometry(m, &o, &g, NULL), RAD_EUSAGE);
    seu_cfg_opts(&o, m, "rad4ml_ae", 3, SEU_PROT_TMR, NULL);
    o.reg_weights = false;           /* constant weights: nothing to protect */
    ck_assert_int_eq(cg_cfg_geometry(m, &o, &g, NULL), RAD_EUSAGE);
    o.prot = CG_PROT_NONE;
    ck_assert_int_eq(cg_cfg_geometry(m, &o, &g, NULL), RAD_OK);
    ck_assert_uint_eq(g.n_stored, 0);
    free(mask);
    mdl_free(m);
}
END_TEST

/* The port list of "module <top>_cfg (" ... ");" in a text. */
static char *ports(const char *text, const char *top)
{
    char head[128];
    snprintf(head, sizeof head, "module %s_cfg (", top);
    const char *p = strstr(text, head);
    ck_assert_ptr_nonnull(p);
    const char *q = strstr(p, ");");
    ck_assert_ptr_nonnull(q);
    char *out = calloc((size_t)(q - p) + 1, 1);
    size_t n = 0;
    for (const char *c = p; c < q; c++) {       /* drop comments and blanks */
        if (c[0] == '/' && c[1] == '/') {
            while (c < q && *c != '\n')
                c++;
            continue;
        }
        if (*c != ' ' && *c != '\n')
            out[n++] = *c;
    }
    return out;
}

/* Drop-in: every protection has the unprotected module's exact ports
** (seu_ports off) and adds only the status/injection ports with them on. */
START_TEST(cfg_same_interface_as_codegen)
{
    mdl_model *m = model();
    cg_opts co;
    cg_opts_default(&co);
    char dir[] = "build/tests/seu_cfg_iface";
    rad_err e;
    ck_assert_msg(rad_mkdirs(dir, &e) == RAD_OK, "%s", e.msg);   /* files never make it */
    ck_assert_msg(cg_gen_verilog(m, &co, dir, &e) == RAD_OK, "%s", e.msg);
    char path[256], *plain = NULL;
    size_t len;
    snprintf(path, sizeof path, "%s/%s_cfg.v", dir, co.top);
    ck_assert_int_eq(rad_read_all(path, &plain, &len, NULL), RAD_OK);
    char *want = ports(plain, co.top);
    for (int p = SEU_PROT_NONE; p <= SEU_PROT_SEL; p++) {
        cg_cfg_opts o;
        uint8_t *mask = calloc(12864, 1);
        mask[12863] = mask[0] = 1;
        seu_cfg_opts(&o, m, co.top, cg_latency(&co), (seu_prot)p, mask);
        o.seu_ports = false;
        char *text = NULL;
        ck_assert_msg(cg_cfg_text(m, &o, &text, &e) == RAD_OK, "%s", e.msg);
        char *got = ports(text, co.top);
        ck_assert_str_eq(got, want);
        free(got);
        free(text);
        o.seu_ports = true;
        ck_assert_int_eq(cg_cfg_text(m, &o, &text, &e), RAD_OK);
        got = ports(text, co.top);
        ck_assert_int_eq(strncmp(got, want, strlen(want)), 0);
        ck_assert_ptr_nonnull(strstr(got, "seu_count"));
        ck_assert_ptr_nonnull(strstr(got, "seu_inject_addr"));
        free(got);
        free(text);
        free(mask);
    }
    free(want);
    free(plain);
    mdl_free(m);
}
END_TEST

/* codegen with the SEU test port (cg_opts.seu_port, what `seu --rtl
** --full` simulates): the top carries seu_count/seu_derr/seu_inject_* to
** the register file — with the injection address width of that
** protection's register file — for none, TMR and SECDED; without the port
** (or with constant weights) the top has no seu_ ports. */
START_TEST(codegen_seu_port_reaches_top)
{
    mdl_model *m = model();
    char dir[] = "build/tests/seu_cg_port", path[256], want[128];
    const cg_prot cp[3] = { CG_PROT_NONE, CG_PROT_TMR, CG_PROT_SECDED };
    const seu_prot sp[3] = { SEU_PROT_NONE, SEU_PROT_TMR, SEU_PROT_SECDED };
    rad_err e;
    ck_assert_msg(rad_mkdirs(dir, &e) == RAD_OK, "%s", e.msg);   /* files never make it */
    for (int i = 0; i < 3; i++)
        for (int port = 0; port < 2; port++) {
            cg_opts co;
            cg_opts_default(&co);
            co.prot = cp[i];
            co.seu_port = port;
            ck_assert_msg(cg_gen_verilog(m, &co, dir, &e) == RAD_OK, "%s", e.msg);
            char *top = NULL, *cfg = NULL;
            size_t len;
            snprintf(path, sizeof path, "%s/%s.v", dir, co.top);
            ck_assert_int_eq(rad_read_all(path, &top, &len, NULL), RAD_OK);
            snprintf(path, sizeof path, "%s/%s_cfg.v", dir, co.top);
            ck_assert_int_eq(rad_read_all(path, &cfg, &len, NULL), RAD_OK);
            cg_cfg_opts so;
            seu_cfg_opts(&so, m, co.top, cg_latency(&co), sp[i], NULL);
            cg_cfg_geom g;
            ck_assert_int_eq(cg_cfg_geometry(m, &so, &g, &e), RAD_OK);
            snprintf(want, sizeof want, "input  wire [%d:0] seu_inject_addr", g.addr_bits - 1);
            const char *inst = strstr(top, "_cfg u_cfg (");
            ck_assert_ptr_nonnull(inst);
            if (port) {
                ck_assert_ptr_nonnull(strstr(top, want));
                ck_assert_ptr_nonnull(strstr(top, "output wire [15:0] seu_count"));
                ck_assert_ptr_nonnull(strstr(inst, ".seu_inject_addr(seu_inject_addr)"));
                ck_assert_ptr_nonnull(strstr(inst, ".seu_count(seu_count)"));
                ck_assert_ptr_nonnull(strstr(cfg, want));
            } else {
                ck_assert_ptr_null(strstr(top, "seu_"));
                ck_assert_ptr_null(strstr(cfg, "input  wire seu_inject_en"));
            }
            free(top);
            free(cfg);
        }
    cg_opts co;                       /* constant weights: nothing to inject into */
    cg_opts_default(&co);
    co.weights = CG_WEIGHTS_CONST;
    co.seu_port = true;
    ck_assert_msg(cg_gen_verilog(m, &co, dir, &e) == RAD_OK, "%s", e.msg);
    char *top = NULL;
    size_t len;
    snprintf(path, sizeof path, "%s/%s.v", dir, co.top);
    ck_assert_int_eq(rad_read_all(path, &top, &len, NULL), RAD_OK);
    ck_assert_ptr_null(strstr(top, "seu_"));
    free(top);
    mdl_free(m);
}
END_TEST

/* Rates against hand computation: lambda = 1e-14 * 1e7 = 1e-7 /bit/s,
** T = 25 ns, lambda*T = 2.5e-15.  none: 1000 bits -> 1000*1e-7*3600 = 0.36/h.
** TMR: 3 (lambda T)^2 per triplet per interval -> 1000*3*6.25e-30*4e7*3600
** = 2.7e-15/h.  SECDED (8 data bits -> 13-bit codeword, 125 words):
** C(13,2)=78 -> 125*78*6.25e-30*4e7*3600 = 8.775e-15/h.  Fill damage without
** scrubbing, none: d * n * mean over 10 h of lambda t (first order) =
** 0.5 * 1000 * 1e-7 * 18000 = 0.9; exact mean of (1-e^{-2 lt})/2 with
** x = 2 l tf = 0.0072: (1 - (1-e^{-x})/x)/2 = 0.00179568 -> 0.89784. */
START_TEST(rate_hand_computed)
{
    seu_rate_in in;
    seu_rate_row r[SEU_RATE_N];
    rad_err e = { 0, "" };
    seu_rate_defaults(&in);
    in.n_img = 1000;
    in.secded_data = 8;
    in.emd_per_bit = 0.5;
    ck_assert_int_eq(seu_rate_compute(&in, r, &e), 0);
    ck_assert_double_eq_tol(r[SEU_RATE_NONE].upsets_per_h, 0.36, 1e-12);
    ck_assert_double_eq_tol(r[SEU_RATE_NONE].uncorr_per_h, 0.36, 1e-12);
    ck_assert_double_eq_tol(r[SEU_RATE_TMR].upsets_per_h, 1.08, 1e-12);
    ck_assert_double_eq_tol(r[SEU_RATE_TMR].uncorr_per_h / 2.7e-15, 1.0, 1e-6);
    ck_assert_int_eq(r[SEU_RATE_SECDED].group_bits, 13);
    ck_assert_double_eq_tol(r[SEU_RATE_SECDED].stored_bits, 1625, 1e-9);
    ck_assert_double_eq_tol(r[SEU_RATE_SECDED].uncorr_per_h / 8.775e-15, 1.0, 1e-6);
    ck_assert_double_eq_tol(r[SEU_RATE_TMR].mtbue_h * 2.7e-15, 1.0, 1e-6);
    ck_assert_double_eq_tol(r[SEU_RATE_NONE].emd_noscrub, 0.89784, 1e-5);
    ck_assert(r[SEU_RATE_NONE].emd_noscrub < 0.9);
    /* TMR scrubbed: mean of r t over the fill = rate * 5 h, 1 bit each. */
    ck_assert_double_eq_tol(r[SEU_RATE_TMR].emd_scrub / (0.5 * 2.7e-15 * 5), 1.0, 1e-4);
    ck_assert(r[SEU_RATE_TMR].emd_noscrub > 1e3 * r[SEU_RATE_TMR].emd_scrub);
    ck_assert_double_eq_tol(seu_rate_p2(3, 0.5), 0.5, 1e-15);
    ck_assert_double_eq_tol(seu_rate_p2(2, 0.1), 0.01, 1e-15);
    in.flux = 0;
    ck_assert_int_eq(seu_rate_compute(&in, r, &e), RAD_ERANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "--flux"));
    in.flux = 1e7;
    in.xs = NAN;
    ck_assert_int_eq(seu_rate_compute(&in, r, &e), RAD_ERANGE);
    ck_assert_ptr_nonnull(strstr(e.msg, "--xs"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("seu");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, bits_match_i2c_image);
    tcase_add_test(t, flip_raw_sign_extends);
    tcase_add_test(t, sens_fast_equals_bruteforce);
    tcase_add_test(t, upsets_deterministic_and_masked);
    tcase_add_test(t, select_mask_ranks);
    tcase_add_test(t, cfg_geometry);
    tcase_add_test(t, cfg_same_interface_as_codegen);
    tcase_add_test(t, codegen_seu_port_reaches_top);
    tcase_add_test(t, rate_hand_computed);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
