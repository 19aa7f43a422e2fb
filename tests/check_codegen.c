/*
** check_codegen.c — the code generators: template engine, hardware plan
** (pruning, exact accumulator widths, pipeline slots), weight image words,
** determinism and error handling.  The generated code itself is checked by
** simulation (tests/sim_*.sh) and lint (tests/codegen_rtl.sh).
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codegen/cg_int.h"
#include "common/rad_file.h"
#include "model/model_io.h"
#include "sim/sim.h"

static mdl_model *econt(void)
{
    mdl_model *m = NULL;
    rad_err err;
    ck_assert_msg(mdl_load_default(&m, &err) == RAD_OK, "%s", err.msg);
    return m;
}

/* ---- template engine ------------------------------------------------- */

START_TEST(tpl_substitute_and_repeat)
{
    cg_scope *s = cg_scope_new();
    cg_set(s, "top", "ae");
    cg_set(s, "n", "%d", 3);
    for (int i = 0; i < 3; i++) {
        cg_scope *b = cg_block(s, "row");
        cg_set(b, "i", "%d", i);
        if (i == 1)
            cg_set(cg_block(b, "inner"), "v", "x");
    }
    cg_buf out = { 0 };
    rad_err err;
    const char *tpl = "{{top}}:{{n}}\n{{#row}}\n<{{i}} {{top}}{{#inner}}[{{v}}{{i}}]{{/inner}}>\n{{/row}}\nend{{#none}}zz{{/none}}";
    ck_assert_int_eq(cg_tpl_render(tpl, "t", s, &out, &err), RAD_OK);
    ck_assert_str_eq(out.p, "ae:3\n<0 ae>\n<1 ae[x1]>\n<2 ae>\nend");
    cg_buf_free(&out);
    cg_scope_free(s);
}
END_TEST

START_TEST(tpl_errors_name_the_line)
{
    cg_scope *s = cg_scope_new();
    cg_buf out = { 0 };
    rad_err err;
    ck_assert_int_eq(cg_tpl_render("a\nb {{nope}}\n", "x.tpl", s, &out, &err), RAD_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "x.tpl:2"));
    ck_assert_ptr_nonnull(strstr(err.msg, "nope"));
    cg_buf_free(&out);
    ck_assert_int_eq(cg_tpl_render("{{#b}}\nno end\n", "y.tpl", s, &out, &err), RAD_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.msg, "not closed"));
    cg_buf_free(&out);
    ck_assert_int_eq(cg_tpl_render("x {{/b}}", "z.tpl", s, &out, &err), RAD_EPARSE);
    cg_buf_free(&out);
    cg_scope_free(s);
}
END_TEST

/* ---- plan ---------------------------------------------------------------- */

/* The emitter helpers: bare identifiers pass through without a wire,
** expressions get one; the adder tree passes odd nodes by name and
** registers the levels asked for; name lists break every 8 names. */
START_TEST(emitter_helpers)
{
    cg_buf b = { 0 };
    char res[CG_NAME];
    ck_assert(cg_is_ident("a1_0") && !cg_is_ident("a[3]") && !cg_is_ident("1'b0"));
    cg_bind(&b, "", 8, "n", "acc", res, sizeof res);
    ck_assert_str_eq(res, "acc");
    ck_assert_uint_eq(b.n, 0);
    cg_bind(&b, "", 8, "n", "acc[7:0]", res, sizeof res);
    ck_assert_str_eq(res, "n");
    ck_assert_str_eq(b.p, "wire [7:0] n = acc[7:0];\n");
    cg_buf_free(&b);
    memset(&b, 0, sizeof b);
    char nm[3][CG_NAME] = { "p0", "p1", "p2" };
    bool reg[4] = { false, false, true, false };
    cg_adder_tree(&b, "", "a", 9, nm, 3, 3, reg);
    ck_assert_str_eq(nm[0], "a2_0");      /* level 3: a single node, no alias */
    ck_assert_str_eq(b.p, "wire [8:0] a1_0 = p0 + p1;\n"
                          "reg  [8:0] a2_0;\nalways @(posedge clk) a2_0 <= a1_0 + p2;\n");
    cg_buf_free(&b);
    memset(&b, 0, sizeof b);
    cg_name_list(&b, "  wire ", "t", 10, ";\n", ";\n");
    ck_assert_str_eq(b.p, "  wire t0, t1, t2, t3, t4, t5, t6, t7;\n  wire t8, t9;\n");
    cg_buf_free(&b);
}
END_TEST

START_TEST(sbits_exact)
{
    ck_assert_int_eq(cg_sbits(0, 0), 1);
    ck_assert_int_eq(cg_sbits(-1, 0), 1);
    ck_assert_int_eq(cg_sbits(0, 1), 2);
    ck_assert_int_eq(cg_sbits(-128, 127), 8);
    ck_assert_int_eq(cg_sbits(-129, 0), 9);
    ck_assert_int_eq(cg_sbits(0, 128), 9);
    ck_assert_int_eq(cg_sbits(-(1 << 20), 0), 21);
}
END_TEST

START_TEST(plan_econt_pruning_and_widths)
{
    mdl_model *m = econt();
    cg_opts o;
    cg_opts_default(&o);
    cg_plan p;
    rad_err err;
    ck_assert_msg(cg_plan_build(m, &o, &p, &err) == RAD_OK, "%s", err.msg);
    /* zero-mapped positions: 48 of 64 map outputs live */
    ck_assert_int_eq(p.t[1].n, 64);
    ck_assert_int_eq(p.t[1].n_live, 48);
    /* conv taps: count independently (in range and mapped) */
    const mdl_layer *c = &m->layers[1];
    for (int o2 = 0; o2 < p.lp[1].n_out; o2++) {
        int oy = o2 / (4 * 8), ox = (o2 / 8) % 4, n = 0;
        for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++) {
                int iy = 2 * oy + ky, ix = 2 * ox + kx;
                n += iy < 8 && ix < 8 && m->layers[0].map[iy * 8 + ix] >= 0;
            }
        ck_assert_int_eq(p.lp[1].nr[o2].n_taps, n);
    }
    ck_assert_int_eq(c->out.c, 8);
    ck_assert_int_eq(p.lp[1].kmax, 9);
    /* exact accumulators: conv 9 x [0,255] x [-32,31] + bias << 7 -> 18 bits;
       dense 128 taps -> [-2^20, ...] -> 21 bits */
    ck_assert_int_eq(p.lp[1].acc_w, 18);
    ck_assert_int_eq(p.lp[3].acc_w, 21);
    ck_assert_int_eq(p.lp[1].bias_shift, 7);
    ck_assert_int_eq(p.lp[3].kmax, 128);
    ck_assert_int_eq((int)p.img_bits, 12864);
    ck_assert_int_eq(p.img_words, 402);
    ck_assert_int_eq(p.latency, 3);
    ck_assert_int_eq(p.sum_w, 28);
    cg_plan_free(&p);
    /* constant weights: zero weights are pruned too */
    o.weights = CG_WEIGHTS_CONST;
    m->layers[3].w[0] = 0;
    ck_assert_int_eq(cg_plan_build(m, &o, &p, &err), RAD_OK);
    ck_assert_int_lt(p.lp[3].nr[0].n_taps, 128);
    cg_plan_free(&p);
    mdl_free(m);
}
END_TEST

START_TEST(plan_pipeline_slots)
{
    mdl_model *m = econt();
    cg_opts o;
    cg_opts_default(&o);
    rad_err err;
    for (int d = 0; d <= 10; d++) {
        cg_plan p;
        o.pipeline = d;
        ck_assert_int_eq(cg_plan_build(m, &o, &p, &err), RAD_OK);
        int n = p.conv_reg[0] + p.conv_reg[1];
        for (int li = 0; li < m->n_layers; li++)
            n += p.lp[li].n_regs;
        ck_assert_int_eq(n, d);                 /* exactly d stages placed */
        ck_assert_int_eq(p.latency, d + 2);
        cg_plan_free(&p);
    }
    cg_plan p;
    o.pipeline = 60;
    ck_assert_int_eq(cg_plan_build(m, &o, &p, &err), RAD_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "pipeline depth"));
    cg_plan_free(&p);
    mdl_free(m);
}
END_TEST

/* gen --reuse: spec parsing, per-layer precedence, latency, interval,
** plan (start flags, no pipeline slots in reused layers), errors. */
START_TEST(reuse_spec_and_plan)
{
    mdl_model *m = econt();       /* layers: map, conv (conv2d), flatten, dense */
    cg_opts o;
    cg_opts_default(&o);
    rad_err err;
    ck_assert_int_eq(cg_opts_set(&o, "reuse", "1", &err), RAD_OK);
    ck_assert_str_eq(o.reuse, "");                 /* all 1: today's design */
    ck_assert_int_eq(cg_opts_set(&o, "reuse", "conv=1,dense=1", &err), RAD_OK);
    ck_assert_str_eq(o.reuse, "");
    ck_assert_int_eq(cg_latency(&o), 3);
    ck_assert_int_eq(cg_opts_set(&o, "reuse", "2,dense=8,conv2d=4", &err), RAD_OK);
    ck_assert_int_eq(cg_reuse_of(m, &o, 0), 1);    /* map: never reused */
    ck_assert_int_eq(cg_reuse_of(m, &o, 1), 4);    /* kind beats the default */
    ck_assert_int_eq(cg_reuse_of(m, &o, 3), 8);    /* the layer's name */
    ck_assert_int_eq(cg_interval(m, &o), 8);
    ck_assert_int_eq(cg_latency_of(m, &o), 1 + 2 + 4 + 8);
    cg_plan p;
    ck_assert_int_eq(cg_plan_build(m, &o, &p, &err), RAD_OK);
    ck_assert_int_eq(p.latency, 15);
    ck_assert_int_eq(p.interval, 8);
    ck_assert_int_eq(p.conv_reg[0] + p.conv_reg[1], 1);   /* D = 1 in the converter */
    ck_assert_int_eq(p.lp[1].start, 1);
    ck_assert_int_eq(p.lp[3].start, 1 + 4);
    ck_assert_int_eq(p.lp[1].n_regs + p.lp[3].n_regs, 0);
    cg_plan_free(&p);
    o.pipeline = 3;                                 /* only 2 converter slots left */
    ck_assert_int_eq(cg_plan_build(m, &o, &p, &err), RAD_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "reuse"));
    cg_plan_free(&p);
    o.pipeline = 1;
    static const char *bad[] = { "0", "65", "x", "dense=", "=4", "4x", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cg_opts q = o;
        ck_assert_int_eq(cg_opts_set(&q, "reuse", bad[i], &err), RAD_EUSAGE);
        ck_assert_ptr_nonnull(strstr(err.msg, "--reuse"));
    }
    ck_assert_int_eq(cg_opts_set(&o, "reuse", "fc=4", &err), RAD_OK);
    ck_assert_int_eq(cg_reuse_check(m, &o, &err), RAD_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "'fc'"));
    ck_assert_int_eq(cg_plan_build(m, &o, &p, &err), RAD_EUSAGE);
    cg_plan_free(&p);
    mdl_free(m);
}
END_TEST

/* ---- image, determinism, errors ---------------------------------------- */

START_TEST(image_words_follow_i2c_pack)
{
    mdl_model *m = econt();
    uint32_t *w;
    int n;
    rad_err err;
    ck_assert_int_eq(cg_image_words(m, &w, &n, &err), RAD_OK);
    ck_assert_int_eq(n, 402);
    /* conv kernel weight k sits at image bits [6k, 6k+6) */
    for (int k = 0; k < 72; k++) {
        uint32_t v = 0;
        for (int b = 0; b < 6; b++) {
            int bit = 6 * k + b;
            v |= ((w[bit / 32] >> (bit % 32)) & 1u) << b;
        }
        ck_assert_uint_eq(v, (uint32_t)m->layers[1].w[k] & 63u);
    }
    free(w);
    mdl_free(m);
}
END_TEST

static char *slurp(const char *path)
{
    char *d = NULL;
    size_t len;
    rad_err err;
    ck_assert_msg(rad_read_all(path, &d, &len, &err) == RAD_OK, "%s", err.msg);
    return d;
}

START_TEST(generation_is_deterministic)
{
    mdl_model *m = econt();
    cg_opts o;
    cg_opts_default(&o);
    rad_err err;
    char d1[] = "/tmp/cgtestXXXXXX", d2[] = "/tmp/cgtestXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(d1));
    ck_assert_ptr_nonnull(mkdtemp(d2));
    ck_assert_msg(cg_gen_verilog(m, &o, d1, &err) == RAD_OK, "%s", err.msg);
    ck_assert_msg(cg_gen_verilog(m, &o, d2, &err) == RAD_OK, "%s", err.msg);
    ck_assert_msg(cg_gen_hls(m, &o, NULL, d1, &err) == RAD_OK, "%s", err.msg);
    ck_assert_msg(cg_gen_hls(m, &o, NULL, d2, &err) == RAD_OK, "%s", err.msg);
    const char *files[] = { "rad4ml_ae.v", "rad4ml_ae_cfg.v", "rad4ml_ae_hls.c", "rad4ml_ae_hls.h" };
    for (int i = 0; i < 4; i++) {
        char p1[256], p2[256];
        snprintf(p1, sizeof p1, "%s/%s", d1, files[i]);
        snprintf(p2, sizeof p2, "%s/%s", d2, files[i]);
        char *a = slurp(p1), *b = slurp(p2);
        ck_assert_msg(!strcmp(a, b), "%s differs between runs", files[i]);
        ck_assert_ptr_nonnull(strstr(a, CG_VERSION));       /* header names the generator */
        free(a);
        free(b);
        unlink(p1);
        unlink(p2);
    }
    rmdir(d1);
    rmdir(d2);
    mdl_free(m);
}
END_TEST

/* TMR / SECDED replace the cfg module: INFO says which, the register count
** matches the protection; constant weights cannot be protected. */
START_TEST(protected_register_files)
{
    mdl_model *m = econt();
    static const struct { cg_prot prot; const char *info, *tag; } v[] = {
        { CG_PROT_TMR, "32'h01921301", "38592 configuration flip-flops" },
        { CG_PROT_SECDED, "32'h01922301", "secded" },
    };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        cg_opts o;
        cg_opts_default(&o);
        o.prot = v[k].prot;
        rad_err err;
        char d[] = "/tmp/cgtestXXXXXX", p[256];
        ck_assert_ptr_nonnull(mkdtemp(d));
        ck_assert_int_eq(cg_gen_verilog(m, &o, d, &err), RAD_OK);
        snprintf(p, sizeof p, "%s/rad4ml_ae_cfg.v", d);
        char *t = slurp(p);
        ck_assert_ptr_nonnull(strstr(t, v[k].info));
        ck_assert_ptr_nonnull(strstr(t, v[k].tag));
        free(t);
        ck_assert_int_eq(unlink(p), 0);
        snprintf(p, sizeof p, "%s/rad4ml_ae.v", d);
        ck_assert_int_eq(unlink(p), 0);

        o.weights = CG_WEIGHTS_CONST;                 /* nothing to protect */
        ck_assert_int_ne(cg_gen_verilog(m, &o, d, &err), RAD_OK);
        ck_assert_ptr_nonnull(strstr(err.msg, "--weights-mode reg"));
        ck_assert_int_ne(access(p, F_OK), 0);          /* nothing written */
        rmdir(d);
    }
    mdl_free(m);
}
END_TEST

START_TEST(random_models_plan)
{
    for (uint64_t s = 1; s <= 40; s++) {
        mdl_model *m = NULL;
        rad_err err;
        ck_assert_msg(sim_random_model(s, &m, &err) == RAD_OK, "%s", err.msg);
        cg_opts o;
        cg_opts_default(&o);
        cg_plan p;
        o.pipeline = (int)(s % 3);
        ck_assert_msg(cg_plan_build(m, &o, &p, &err) == RAD_OK, "seed %d: %s", (int)s, err.msg);
        /* every accumulator holds its worst case */
        for (int li = 0; li < m->n_layers; li++)
            if (m->layers[li].kind == MDL_CONV2D || m->layers[li].kind == MDL_DENSE)
                ck_assert_int_ge(p.lp[li].acc_w, p.lp[li].prod_w);
        cg_plan_free(&p);
        /* every emitter path runs (contents are checked by simulation) */
        char d[] = "/tmp/cgtestXXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(d));
        o.weights = s % 2 ? CG_WEIGHTS_REG : CG_WEIGHTS_CONST;
        ck_assert_msg(cg_gen_verilog(m, &o, d, &err) == RAD_OK, "seed %d: %s", (int)s, err.msg);
        ck_assert_msg(cg_gen_hls(m, &o, NULL, d, &err) == RAD_OK, "seed %d: %s", (int)s, err.msg);
        const char *f[] = { "rad4ml_ae.v", "rad4ml_ae_cfg.v", "rad4ml_ae_hls.c", "rad4ml_ae_hls.h" };
        for (int i = 0; i < 4; i++) {
            char path[256];
            snprintf(path, sizeof path, "%s/%s", d, f[i]);
            ck_assert_int_eq(unlink(path), 0);
        }
        rmdir(d);
        mdl_free(m);
    }
}
END_TEST

/* The checker itself: a perfect DUT model (the expected values, `latency`
** clocks later, flagged when a write was in flight) gives zero mismatches;
** one corrupted value gives exactly one. */
static sim_counts run_schedule(int corrupt_at)
{
    mdl_model *a = econt(), *b = mdl_clone(a);
    mdl_init_random(b, 99);
    sim_cfg c = { 0 };
    c.seed = 3;
    c.n_vectors = 1500;
    c.reg_weights = true;
    c.reload = true;
    c.links2 = 3;
    c.latency = 3;
    sim_stim *s;
    rad_err err;
    ck_assert_int_eq(sim_stim_new(a, b, &c, &s, &err), RAD_OK);
    sim_cycle cy, hist[8];
    int wr[8] = { 0 }, valid[8] = { 0 };
    long cyc = 0, n_out = 0;
    while (sim_stim_next(s, &cy)) {
        hist[cyc % 8] = cy;
        valid[cyc % 8] = cy.in_valid && !cy.rst;
        wr[cyc % 8] = cy.cfg_we;
        long src = cyc - (c.latency - 1);           /* crossing leaving now */
        if (src >= 0 && valid[src % 8]) {
            sim_cycle *h = &hist[src % 8];
            int chg = 0;
            for (long k = src; k <= cyc; k++)
                chg |= wr[k % 8];
            int32_t lat[ENG_MAX_LATENT];
            memcpy(lat, h->exp_lat, sizeof lat);
            if (n_out++ == corrupt_at)
                lat[0] ^= 1;
            sim_stim_observe(s, chg, h->exp_sum, lat);
        }
        cyc++;
    }
    sim_counts k = *sim_stim_counts(s);
    sim_stim_free(s);
    mdl_free(a);
    mdl_free(b);
    return k;
}

START_TEST(checker_counts)
{
    sim_counts k = run_schedule(-1);
    ck_assert_uint_eq(k.crossings, 1500);
    ck_assert_uint_eq(k.outputs, 1500);
    ck_assert_uint_eq(k.mismatches, 0);
    ck_assert_uint_eq(k.latency_errors, 0);
    ck_assert_uint_eq(k.bad_flag, 0);
    ck_assert_uint_gt(k.compared, 1000);
    ck_assert_uint_gt(k.skipped, 400);          /* the 402-word reload in flight */
    k = run_schedule(1200);
    ck_assert_uint_eq(k.mismatches, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("codegen");
    TCase *t = tcase_create("all");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, tpl_substitute_and_repeat);
    tcase_add_test(t, tpl_errors_name_the_line);
    tcase_add_test(t, emitter_helpers);
    tcase_add_test(t, sbits_exact);
    tcase_add_test(t, plan_econt_pruning_and_widths);
    tcase_add_test(t, plan_pipeline_slots);
    tcase_add_test(t, reuse_spec_and_plan);
    tcase_add_test(t, image_words_follow_i2c_pack);
    tcase_add_test(t, generation_is_deterministic);
    tcase_add_test(t, protected_register_files);
    tcase_add_test(t, random_models_plan);
    tcase_add_test(t, checker_counts);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
