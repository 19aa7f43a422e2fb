/*
** check_model.c — model description and weights files, validation errors,
** save/load round trip, module-sum float, I2C image, built-in default.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/ck_tmp.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "model/model_io.h"

/* Replaces the first occurrence of `from` in a malloc'd copy of s. */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    ck_assert_msg(at != NULL, "test setup: \"%s\" not found", from);
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *r = malloc(n);
    snprintf(r, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return r;
}

static mdl_model *load_default(void)
{
    rad_err err;
    mdl_model *m = NULL;
    int rc = mdl_load_default(&m, &err);
    ck_assert_msg(rc == RAD_OK, "default: %s", err.msg);
    return m;
}

/* ---- built-in default --------------------------------------------------- */

START_TEST(default_econt_shape)
{
    mdl_model *m = load_default();
    ck_assert_int_eq(m->n_layers, 4);
    ck_assert_int_eq(m->in.n_cells, 48);
    ck_assert_int_eq(m->in.charge_bits, 22);
    ck_assert_int_eq(m->in.fmt.width, 8);
    ck_assert_int_eq(m->in.fmt.int_bits, 1);
    ck_assert(!m->in.fmt.is_signed);
    ck_assert_int_eq(m->layers[1].kind, MDL_CONV2D);
    ck_assert_int_eq(m->layers[1].k.pt, 0);
    ck_assert_int_eq(m->layers[1].k.pb, 1);
    ck_assert_int_eq(m->layers[1].k.pl, 0);
    ck_assert_int_eq(m->layers[1].k.pr, 1);
    ck_assert_int_eq(mdl_shape_size(m->layers[1].out), 128);
    ck_assert_int_eq(m->layers[3].out.c, 16);
    ck_assert_uint_eq(mdl_param_count(m), 2144);
    ck_assert_uint_eq(mdl_i2c_bits(m), 12864);
    ck_assert_uint_eq(mdl_macs(m), 3200);
    ck_assert_int_eq(mdl_latent_count(m), 16);
    /* TC placement, econt-facts 2.3: TC0 at (0,4), TC16 at (3,0), TC32 at (7,3), TC47 at (4,0) */
    const int *map = m->layers[0].map;
    ck_assert_int_eq(map[0 * 8 + 4], 0);
    ck_assert_int_eq(map[3 * 8 + 0], 16);
    ck_assert_int_eq(map[7 * 8 + 3], 32);
    ck_assert_int_eq(map[4 * 8 + 0], 47);
    ck_assert_int_eq(map[7 * 8 + 7], -1);
    /* every TC once, 16 zeros; the decoder map is the inverse */
    int seen[48] = { 0 }, zeros = 0;
    for (int p = 0; p < 64; p++) {
        if (map[p] < 0)
            zeros++;
        else
            seen[map[p]]++;
    }
    ck_assert_int_eq(zeros, 16);
    for (int t = 0; t < 48; t++) {
        ck_assert_int_eq(seen[t], 1);
        ck_assert_int_eq(map[m->dec_map[t]], t);
    }
    ck_assert_int_eq(m->n_dec, 4);
    ck_assert_int_eq(mdl_shape_size(m->dec[3].out), 64);
    mdl_free(m);
}
END_TEST

START_TEST(latent_bits_by_links)
{
    mdl_model *m = load_default();
    static const int want[14] = { 0, 1, 3, 5, 7, 9, 9, 9, 9, 9, 9, 9, 9, 9 };
    rad_err err;
    for (int k = 1; k <= 13; k++) {
        ck_assert_int_eq(mdl_set_links(m, k, &err), RAD_OK);
        ck_assert_int_eq(mdl_latent_bits(m), want[k]);
        fxp_fmt f = mdl_latent_fmt(m);
        ck_assert_int_eq(f.int_bits, 1);
        ck_assert_int_eq(f.width, want[k]);
    }
    ck_assert_int_ne(mdl_set_links(m, 0, &err), RAD_OK);
    ck_assert_int_ne(mdl_set_links(m, 14, &err), RAD_OK);
    mdl_free(m);
}
END_TEST

START_TEST(examples_load)
{
    static const char *files[] = { "model/examples/econt_443.json", "model/examples/econt_dup.json",
                                   "model/examples/tiny.json", "model/econt.json" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        rad_err err;
        mdl_model *m;
        int rc = mdl_load_json(files[i], &m, &err);
        ck_assert_msg(rc == RAD_OK, "%s: %s", files[i], err.msg);
        mdl_init_random(m, i + 1);
        ck_assert_int_eq(mdl_validate(m, &err), RAD_OK);
        if (i < 2) {
            ck_assert_uint_eq(mdl_param_count(m), i == 0 ? 2288 : 2144);
            ck_assert_int_eq(mdl_latent_count(m), 16);
        }
        mdl_free(m);
    }
    /* 4x4x3: TC = 16*ch + 4*row + col */
    rad_err err;
    mdl_model *m;
    ck_assert_int_eq(mdl_load_json("model/examples/econt_443.json", &m, &err), RAD_OK);
    ck_assert_int_eq(m->layers[0].map[(1 * 4 + 2) * 3 + 2], 32 + 4 + 2);
    ck_assert_int_eq(m->layers[1].k.pt, 1);
    mdl_free(m);
    /* duplicated variant: the bottom-right quadrant holds TCs, not zeros */
    ck_assert_int_eq(mdl_load_json("model/examples/econt_dup.json", &m, &err), RAD_OK);
    for (int p = 0; p < 64; p++)
        ck_assert_int_ge(m->layers[0].map[p], 0);
    mdl_free(m);
}
END_TEST

/* ---- module sum float ----------------------------------------------------- */

/* Independent reference, written like the emulator's encode(): on the
** binary string of the value. */
static uint32_t ref_encode(uint64_t v, int E, int M)
{
    char bin[80];
    int len = 0;
    for (int k = 63; k >= 0; k--)
        if ((v >> k) & 1 || len)
            bin[len++] = (char)('0' + ((v >> k) & 1));
    bin[len] = 0;
    if (len <= M)
        return (uint32_t)v;
    int exp = len - M;
    if (exp >= (1 << E))
        return (1u << (E + M)) - 1;
    uint32_t mant = 0;
    for (int k = 1; k <= M; k++)
        mant = mant << 1 | (uint32_t)(bin[k] - '0');
    return (uint32_t)exp << M | mant;
}

START_TEST(sum_float_hand_cases)
{
    mdl_input in = { .sum_exp_bits = 5, .sum_mant_bits = 4 };
    ck_assert_uint_eq(mdl_sum_encode(&in, 0), 0);
    ck_assert_uint_eq(mdl_sum_encode(&in, 15), 15);
    ck_assert_uint_eq(mdl_sum_encode(&in, 16), 16);     /* e=1 m=0 */
    ck_assert_uint_eq(mdl_sum_encode(&in, 31), 31);     /* e=1 m=15 */
    ck_assert_uint_eq(mdl_sum_encode(&in, 32), 32);     /* e=2 m=0 */
    ck_assert_uint_eq(mdl_sum_encode(&in, 35), 33);     /* 100011: e=2 m=0001 (truncated) */
    ck_assert_uint_eq(mdl_sum_encode(&in, 2400), (8u << 4) | 2);   /* 100101100000: e=8 m=0010 */
    ck_assert_uint_eq(mdl_sum_decode(&in, (8u << 4) | 2), 2304);
    /* 48 cells at 2^22-1: msb 27, e = 24 */
    uint64_t big = 48ull * ((1u << 22) - 1);
    ck_assert_uint_eq(mdl_sum_encode(&in, big) >> 4, 24);
    /* saturation: msb 35 gives e = 32 >= 2^5 */
    ck_assert_uint_eq(mdl_sum_encode(&in, 1ull << 35), 511);
    ck_assert_uint_eq(mdl_sum_encode(&in, (1ull << 35) - 1), (31u << 4) | 15);
    ck_assert_int_eq(mdl_msb(0), 0);
    ck_assert_int_eq(mdl_msb(1), 0);
    ck_assert_int_eq(mdl_msb(1ull << 40), 40);
}
END_TEST

START_TEST(sum_float_vs_reference)
{
    for (int E = 1; E <= 6; E++)
        for (int M = 1; M <= 6; M++) {
            mdl_input in = { .sum_exp_bits = E, .sum_mant_bits = M };
            uint64_t s = 12345;
            for (int i = 0; i < 20000; i++) {
                s = s * 6364136223846793005ull + 1442695040888963407ull;
                int bits = (int)(s >> 58) % 40;
                uint64_t v = (s >> 7) & ((1ull << bits) - 1);
                if (i < 64)
                    v = (1ull << (i % 40)) - (uint64_t)(i >= 40);   /* powers of two and 2^k-1 */
                uint32_t c = mdl_sum_encode(&in, v);
                ck_assert_uint_eq(c, ref_encode(v, E, M));
                if (c != (1u << (E + M)) - 1) {
                    ck_assert_uint_le(mdl_sum_decode(&in, c), v);
                    ck_assert_uint_eq(mdl_sum_encode(&in, mdl_sum_decode(&in, c)), c);
                    if (v)
                        ck_assert_int_eq(mdl_sum_code_msb(&in, c), mdl_msb(v));
                }
            }
        }
}
END_TEST

/* ---- save / load ------------------------------------------------------------ */

static void assert_same_model(const mdl_model *a, const mdl_model *b)
{
    ck_assert_int_eq(a->n_layers, b->n_layers);
    ck_assert_int_eq(a->n_dec, b->n_dec);
    ck_assert(!memcmp(&a->in, &b->in, sizeof a->in));
    ck_assert(!memcmp(&a->out, &b->out, sizeof a->out));
    for (int i = 0; i < a->n_layers; i++) {
        const mdl_layer *x = &a->layers[i], *y = &b->layers[i];
        ck_assert_str_eq(x->name, y->name);
        ck_assert_int_eq(x->kind, y->kind);
        ck_assert(!memcmp(&x->out, &y->out, sizeof x->out));
        ck_assert(!memcmp(&x->out_fmt, &y->out_fmt, sizeof x->out_fmt));
        ck_assert(!memcmp(&x->k, &y->k, sizeof x->k));
        ck_assert_int_eq(x->has_acc_fmt, y->has_acc_fmt);
        ck_assert_uint_eq(x->n_w, y->n_w);
        if (x->n_w)
            ck_assert(!memcmp(x->w, y->w, x->n_w * sizeof *x->w));
        if (x->n_b)
            ck_assert(!memcmp(x->b, y->b, x->n_b * sizeof *x->b));
        if (x->map)
            ck_assert(!memcmp(x->map, y->map, (size_t)mdl_shape_size(x->out) * sizeof(int)));
    }
    for (int i = 0; i < a->n_dec; i++) {
        ck_assert_uint_eq(a->dec[i].n_w, b->dec[i].n_w);
        if (a->dec[i].n_w)
            ck_assert(!memcmp(a->dec[i].w, b->dec[i].w, a->dec[i].n_w * sizeof(float)));
        if (a->dec[i].n_b)
            ck_assert(!memcmp(a->dec[i].b, b->dec[i].b, a->dec[i].n_b * sizeof(float)));
        ck_assert(!memcmp(&a->dec[i].k, &b->dec[i].k, sizeof a->dec[i].k));
        ck_assert_int_eq(a->dec[i].act, b->dec[i].act);
    }
    if (a->n_dec)
        ck_assert(!memcmp(a->dec_map, b->dec_map, (size_t)a->in.n_cells * sizeof(int)));
    ck_assert_int_eq(a->preserve_sum, b->preserve_sum);
}

START_TEST(save_load_round_trip)
{
    mdl_model *m = load_default();
    mdl_init_random(m, 99);
    m->preserve_sum = true;
    m->layers[1].has_acc_fmt = true;
    m->layers[1].acc_fmt = fxp_format(14, 3, true);
    m->layers[1].acc_fmt.qmode = FXP_RND_CONV;
    m->layers[1].acc_fmt.omode = FXP_SAT_SYM;
    rad_err err;
    char jp[512], wp[512];
    snprintf(jp, sizeof jp, "%s/rt.json", ck_tmpdir);
    snprintf(wp, sizeof wp, "%s/rt.weights", ck_tmpdir);
    ck_assert_msg(mdl_save(m, jp, NULL, &err) == RAD_OK, "%s", err.msg);
    ck_assert_int_eq(access(wp, R_OK), 0);
    mdl_model *b;
    ck_assert_msg(mdl_load(jp, NULL, &b, &err) == RAD_OK, "%s", err.msg);
    assert_same_model(m, b);
    ck_assert(!memcmp(&b->layers[1].acc_fmt, &m->layers[1].acc_fmt, sizeof(fxp_fmt)));
    /* text is a fixed point of save(load()) */
    char *t1 = mdl_json_text(m), *t2 = mdl_json_text(b);
    char *w1 = mdl_weights_text(m), *w2 = mdl_weights_text(b);
    ck_assert_str_eq(t1, t2);
    ck_assert_str_eq(w1, w2);
    /* and from memory */
    mdl_model *c;
    ck_assert_msg(mdl_parse(t1, "t1", w1, "w1", &c, &err) == RAD_OK, "%s", err.msg);
    assert_same_model(m, c);
    free(t1); free(t2); free(w1); free(w2);
    /* load_weights swaps weights in; a clone is independent */
    mdl_model *d = mdl_clone(c);
    d->layers[3].w[5] = 7;
    ck_assert_int_eq(c->layers[3].w[5], m->layers[3].w[5]);
    mdl_model *z;
    ck_assert_int_eq(mdl_load_json(jp, &z, &err), RAD_OK);
    ck_assert_int_eq(z->layers[3].w[5], 0);
    ck_assert_msg(mdl_load_weights(z, wp, &err) == RAD_OK, "%s", err.msg);
    assert_same_model(m, z);
    mdl_free(m); mdl_free(b); mdl_free(c); mdl_free(d); mdl_free(z);
}
END_TEST

/* Decoder conditions (model.h mdl_cond): the first decoder layer reads
** latents + conditions; save/load keeps them bit for bit; the shipped
** models without the field load with none and write none; weights of the
** unconditioned decoder do not fit the conditioned one (named count). */
START_TEST(condition_round_trip)
{
    const char *cond = "\"preserve_sum\": false, \"condition\": [{\"input\": \"log_sum\", "
                       "\"scale\": 0.1, \"offset\": 2.5}, {\"input\": \"n_links\"}]";
    char *text = replace(mdl_default_json(), "\"preserve_sum\": false", cond);
    rad_err err = { 0, "" };
    mdl_model *m = NULL, *b = NULL, *plain = load_default();
    ck_assert_msg(mdl_parse(text, "cond.json", NULL, NULL, &m, &err) == RAD_OK, "%s", err.msg);
    ck_assert_int_eq(plain->n_cond, 0);
    ck_assert_ptr_null(strstr(mdl_default_json(), "condition"));
    char *pt = mdl_json_text(plain);
    ck_assert_ptr_null(strstr(pt, "condition"));
    free(pt);
    ck_assert_int_eq(m->n_cond, 2);
    ck_assert_int_eq(m->cond[0].kind, MDL_COND_LOG_SUM);
    ck_assert(m->cond[0].scale == 0.1 && m->cond[0].offset == 2.5);
    ck_assert(m->cond[1].kind == MDL_COND_N_LINKS && m->cond[1].scale == 1 && m->cond[1].offset == 0);
    ck_assert_int_eq(m->dec[0].in.c, 18);
    ck_assert_uint_eq(m->dec[0].n_w, 18 * 128);
    ck_assert_uint_eq(mdl_dec_param_count(m), mdl_dec_param_count(plain) + 2 * 128);
    ck_assert_uint_eq(mdl_dec_macs(m), mdl_dec_macs(plain) + 2 * 128);
    mdl_init_random(m, 7);
    char jp[512], wp[512];
    snprintf(jp, sizeof jp, "%s/cond.json", ck_tmpdir);
    snprintf(wp, sizeof wp, "%s/cond.weights", ck_tmpdir);
    ck_assert_msg(mdl_save(m, jp, NULL, &err) == RAD_OK, "%s", err.msg);
    ck_assert_msg(mdl_load(jp, NULL, &b, &err) == RAD_OK, "%s", err.msg);
    assert_same_model(m, b);
    ck_assert_int_eq(b->n_cond, 2);
    ck_assert(!memcmp(m->cond, b->cond, sizeof m->cond));
    char *t1 = mdl_json_text(m), *t2 = mdl_json_text(b);
    ck_assert_str_eq(t1, t2);
    free(t1); free(t2);
    /* the plain model's weights are one decoder input row per unit short */
    char *w = mdl_weights_text(plain);
    ck_tmp_write("plain.weights", w);
    free(w);
    snprintf(wp, sizeof wp, "%s/plain.weights", ck_tmpdir);
    ck_assert_int_ne(mdl_load_weights(b, wp, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "decoder dec_dense w") && strstr(err.msg, "2304"), "%s", err.msg);
    /* validation in memory */
    b->cond[1].scale = NAN;
    ck_assert_int_ne(mdl_validate(b, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "decoder.condition[1]"), "%s", err.msg);
    free(text);
    mdl_free(m); mdl_free(b); mdl_free(plain);
}
END_TEST

/* The built-in default per link count (train/trained/defaults.txt): a
** listed link count loads that model at that link count, named as such in
** provenance; any other is the ECON-T default set to those links. */
START_TEST(default_per_link_count)
{
    mdl_model *plain = load_default();
    int listed = 0;
    for (int links = 0; links <= 6; links++) {
        rad_err err = { 0, "" };
        mdl_model *m = NULL;
        ck_assert_msg(mdl_load_default_links(links, &m, &err) == RAD_OK, "%d: %s", links, err.msg);
        ck_assert_int_eq(m->out.n_links, links > 0 ? links : plain->out.n_links);
        const char *j = mdl_default_links_json(links);
        if (j) {
            char want[64];
            snprintf(want, sizeof want, "built-in %d-link default", links);
            ck_assert_str_eq(m->src_model.name, want);
            ck_assert_str_ne(m->src_model.sha256, plain->src_model.sha256);
            listed++;
        } else {
            ck_assert_str_eq(m->src_model.name, "built-in");
            ck_assert_str_eq(m->src_model.sha256, plain->src_model.sha256);
            ck_assert_str_eq(m->name, plain->name);
        }
        mdl_free(m);
    }
    ck_assert_ptr_null(mdl_default_links_json(1));
    ck_assert_ptr_null(mdl_default_links_json(6));
    printf("default_per_link_count: %d of links 2..5 have a listed default\n", listed);
    mdl_free(plain);
}
END_TEST

START_TEST(explicit_padding_round_trip)
{
    static const char *js =
        "{\"format\": \"rad4ml-model\", \"version\": 1, \"name\": \"pad\",\n"
        " \"input\": {\"cells\": 12, \"charge_bits\": 10, \"norm\": \"none\", \"format\": \"fixed<11,11>\"},\n"
        " \"layers\": [\n"
        "  {\"type\": \"map\", \"shape\": [3, 4, 1], \"index\": [0,1,2,3,4,5,6,7,8,9,10,11]},\n"
        "  {\"type\": \"conv2d\", \"filters\": 2, \"kernel\": [2, 3], \"stride\": [1, 2],\n"
        "   \"padding\": [[2, 0], [1, 3]], \"w_fmt\": \"fixed<4,1>\", \"b_fmt\": \"fixed<3,3>\",\n"
        "   \"acc_fmt\": \"fixed<20,12,RND,SAT>\", \"activation\": \"linear\", \"out_fmt\": \"fixed<12,12,RND_ZERO,WRAP>\"},\n"
        "  {\"type\": \"flatten\"}]}\n";
    rad_err err;
    mdl_model *m;
    ck_assert_msg(mdl_parse(js, "pad.json", NULL, NULL, &m, &err) == RAD_OK, "%s", err.msg);
    /* out h = (3+2+0-2)/1+1 = 4, w = (4+1+3-3)/2+1 = 3 */
    ck_assert_int_eq(m->layers[1].out.h, 4);
    ck_assert_int_eq(m->layers[1].out.w, 3);
    ck_assert_str_eq(m->layers[0].name, "map0");
    mdl_init_random(m, 3);
    char *t = mdl_json_text(m), *w = mdl_weights_text(m);
    ck_assert_ptr_nonnull(strstr(t, "[[2, 0], [1, 3]]"));
    ck_assert_ptr_null(strstr(t, "charge_frac"));        /* 0: not written */
    mdl_model *b;
    ck_assert_msg(mdl_parse(t, "t", w, "w", &b, &err) == RAD_OK, "%s", err.msg);
    assert_same_model(m, b);
    free(t); free(w);
    mdl_free(b);
    /* charge_frac: written when set, read back, and the converter reads
    ** q as q * 2^-3: raw 1023 (10 bits) -> fixed<11,11> value 127.875 ->
    ** quantized to 0 fraction bits with TRN -> 127 */
    m->in.charge_frac = 3;
    ck_assert_int_eq(mdl_validate(m, &err), RAD_OK);
    t = mdl_json_text(m);
    w = mdl_weights_text(m);
    ck_assert_ptr_nonnull(strstr(t, "\"charge_frac\": 3"));
    ck_assert_msg(mdl_parse(t, "t", w, "w", &b, &err) == RAD_OK, "%s", err.msg);
    ck_assert_int_eq(b->in.charge_frac, 3);
    ck_assert_int_eq(mdl_input_frac(&b->in, 9), 3);
    ck_assert_int_eq(fxp_quantize(1023, mdl_input_frac(&b->in, 9), &b->in.fmt), 127);
    free(t); free(w);
    mdl_free(m); mdl_free(b);
}
END_TEST

/* ---- loader errors: each names the file and the field ---------------------- */

typedef struct {
    const char *from, *to;      /* edit of the default JSON                */
    const char *want1, *want2;  /* substrings the error must contain       */
} json_case;

static const json_case JSON_CASES[] = {
    { "\"layers\": [", "\"layers\": [[", "bad.json:", "JSON error" },
    { "\"version\": 1", "\"version\": 2", "bad.json:", "version" },
    { ", \"out_fmt\": \"ufixed<9,1,TRN,SAT>\"", "", "layers[3].out_fmt", "missing field" },
    { "\"units\": 16,", "\"units\": 16, \"unit\": 3,", "layers[3].unit", "unknown field" },
    { "\"shape\": [8, 8, 1]", "\"shape\": [8, 8, 2]", "layers[0].index", "64 entries, expected 128" },
    { "\"type\": \"conv2d\"", "\"type\": \"conv3d\"", "layers[1].type", "conv3d" },
    { "\"w_fmt\": \"fixed<6,1>\"", "\"w_fmt\": \"fixed<0,1>\"", "layers[1].w_fmt", "bad format" },
    { "\"b_fmt\": \"fixed<6,1>\"", "\"b_fmt\": \"fixed<20,1>\"", "layers[1]", "b_fmt" },
    { "28, 29, 30", "48, 29, 30", "layers[0].index[0]", "-1..47" },
    { "\"kernel\": [3, 3]", "\"kernel\": [3]", "layers[1].kernel", "[h, w]" },
    { "\"kernel\": [3, 3], \"stride\": [2, 2], \"padding\": \"same\"",
      "\"kernel\": [9, 9], \"stride\": [2, 2], \"padding\": \"valid\"", "layers[1]", "larger than" },
    { "{\"name\": \"flatten\", \"type\": \"flatten\"},", "", "layers[2]", "flat input" },
    { "\"activation\": \"relu\", \"out_fmt\": \"ufixed<8", "\"activation\": \"tanh\", \"out_fmt\": \"ufixed<8",
      "layers[1].activation", "tanh" },
    { "\"n_links\": 5", "\"n_links\": 14", "output.n_links", "14" },
    { "\"cells\": 48", "\"cells\": \"48\"", "input.cells", "integer" },
    { "\"norm\": \"msb\"", "\"norm\": \"max\"", "input.norm", "max" },
    { "\"norm\": \"msb\"", "\"norm\": \"msb\", \"charge_frac\": 3", "input.charge_frac", "only with" },
    { "\"norm\": \"msb\"", "\"norm\": \"none\", \"charge_frac\": 33", "input.charge_frac", "0..32" },
    { "\"units\": 128", "\"units\": 100", "decoder.layers[1]", "changes the size" },
    { "\"map\": [\n      4,", "\"map\": [\n      64,", "decoder.map[0]", "-1..63" },
    { "\"preserve_sum\": false", "\"preserve_sum\": 0", "decoder.preserve_sum", "true or false" },
    { "{\"name\": \"dense\"", "{\"name\": \"conv\"", "layers[3].name", "used twice" },
    { "\"preserve_sum\": false", "\"preserve_sum\": false, \"condition\": [{\"input\": \"energy\"}]",
      "decoder.condition[0].input", "unknown condition \"energy\"" },
    { "\"preserve_sum\": false", "\"preserve_sum\": false, \"condition\": [{\"input\": \"log_sum\", "
      "\"scale\": 0}]", "decoder.condition[0].scale", "must not be 0" },
    { "\"preserve_sum\": false", "\"preserve_sum\": false, \"condition\": [{\"input\": \"n_links\", "
      "\"offset\": \"1\"}]", "decoder.condition[0].offset", "finite number" },
    { "\"preserve_sum\": false", "\"preserve_sum\": false, \"condition\": [{\"input\": \"n_links\", "
      "\"gain\": 2}]", "decoder.condition[0].gain", "unknown field" },
    { "\"preserve_sum\": false", "\"preserve_sum\": false, \"condition\": {\"input\": \"log_sum\"}",
      "decoder.condition", "expected an array of 1..4" },
    { "\"preserve_sum\": false", "\"preserve_sum\": false, \"condition\": [{\"input\": \"log_sum\"}, "
      "{\"input\": \"log_sum\"}, {\"input\": \"log_sum\"}, {\"input\": \"log_sum\"}, "
      "{\"input\": \"log_sum\"}]", "decoder.condition", "expected an array of 1..4" },
    { "\"preserve_sum\": false", "\"preserve_sum\": false, \"condition\": [{\"scale\": 2}]",
      "decoder.condition[0].input", "missing field" },
};

START_TEST(json_errors)
{
    const char *base = mdl_default_json();
    for (size_t i = 0; i < sizeof JSON_CASES / sizeof JSON_CASES[0]; i++) {
        const json_case *c = &JSON_CASES[i];
        char *text = replace(base, c->from, c->to);
        char jp[512];
        snprintf(jp, sizeof jp, "%s", ck_tmp_write("bad.json", text));
        ck_tmp_write("bad.weights", "rad4ml-weights 1\nend\n");
        rad_err err = { 0, "" };
        mdl_model *m = (mdl_model *)1;
        int rc = mdl_load(jp, NULL, &m, &err);
        ck_assert_msg(rc != RAD_OK, "case %zu accepted", i);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(err.msg, "bad.json") && strstr(err.msg, c->want1)
                      && strstr(err.msg, c->want2),
                      "case %zu: message \"%s\" lacks \"%s\" / \"%s\"", i, err.msg, c->want1, c->want2);
        free(text);
    }
}
END_TEST

typedef struct {
    const char *from, *to;
    const char *want1, *want2;
} w_case;

static const w_case W_CASES[] = {
    { "layer conv w 72", "layer conv w 71", "bad.weights:", "count 71, the model's shape needs 72" },
    { "layer conv b 8 fixed<6,1,TRN,WRAP>\n", "layer conv b 8 fixed<6,1,TRN,WRAP>\n40 ",
      "layer conv b[0]", "raw value 40 outside" },
    { "layer conv b 8 fixed<6,1,TRN,WRAP>\n", "layer conv b 8 fixed<6,1,TRN,WRAP>\n-33 ",
      "layer conv b[0]", "outside" },
    { "layer conv b 8 fixed<6,1,TRN,WRAP>", "layer conv b 8 fixed<7,1>", "layer conv b", "the model says" },
    { "layer dense b", "layer densex b", "layer densex", "no such layer" },
    { "rad4ml-weights 1", "rad4ml-weights 2", "bad.weights:1", "version" },
    { "layer conv b 8 fixed<6,1,TRN,WRAP>\n", "layer conv b 8 fixed<6,1,TRN,WRAP>\n1.5 ",
      "layer conv b[0]", "not an integer" },
    { "decoder dec_dense b 128 float\n", "decoder dec_dense b 128 float\nnan ",
      "decoder dec_dense b[0]", "finite" },
    { "layer conv b 8 fixed<6,1,TRN,WRAP>\n", "layer conv w 72 fixed<6,1>\n",
      "layer conv w", "given twice" },
};

START_TEST(weights_errors)
{
    mdl_model *m = load_default();
    mdl_init_random(m, 5);
    char *wt = mdl_weights_text(m);
    char jp[512];
    snprintf(jp, sizeof jp, "%s", ck_tmp_write("bad.json", mdl_default_json()));
    for (size_t i = 0; i < sizeof W_CASES / sizeof W_CASES[0]; i++) {
        const w_case *c = &W_CASES[i];
        char *text = replace(wt, c->from, c->to);
        ck_tmp_write("bad.weights", text);
        rad_err err = { 0, "" };
        mdl_model *b;
        ck_assert_msg(mdl_load(jp, NULL, &b, &err) != RAD_OK, "case %zu accepted", i);
        ck_assert_msg(strstr(err.msg, "bad.weights") && strstr(err.msg, c->want1)
                      && strstr(err.msg, c->want2),
                      "case %zu: message \"%s\" lacks \"%s\" / \"%s\"", i, err.msg, c->want1, c->want2);
        free(text);
    }
    /* truncated at every 997th byte: always an error naming the file */
    size_t n = strlen(wt);
    for (size_t cut = 0; cut < n - 4; cut += 997) {
        char *t = strndup(wt, cut);
        ck_tmp_write("bad.weights", t);
        rad_err err = { 0, "" };
        mdl_model *b;
        ck_assert_msg(mdl_load(jp, NULL, &b, &err) != RAD_OK, "cut %zu accepted", cut);
        ck_assert_msg(strstr(err.msg, "bad.weights"), "cut %zu: %s", cut, err.msg);
        free(t);
    }
    /* a whole tensor missing */
    char *t = strdup(wt);
    char *at = strstr(t, "layer dense b");
    strcpy(at, "end\n");
    ck_tmp_write("bad.weights", t);
    rad_err err;
    mdl_model *b;
    ck_assert_int_ne(mdl_load(jp, NULL, &b, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "no weights for layer dense b"), "%s", err.msg);
    /* missing file */
    ck_assert_int_ne(mdl_load(jp, "/nonexistent/x.weights", &b, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "/nonexistent/x.weights"), "%s", err.msg);
    free(t);
    free(wt);
    mdl_free(m);
}
END_TEST

START_TEST(validate_in_memory)
{
    mdl_model *m = load_default();
    rad_err err;
    m->layers[3].w[7] = 32;              /* fixed<6,1> max raw is 31 */
    ck_assert_int_eq(mdl_validate(m, &err), RAD_ERANGE);
    ck_assert_msg(strstr(err.msg, "layers[3] (dense).w[7]"), "%s", err.msg);
    m->layers[3].w[7] = 0;
    m->layers[1].n_b = 7;
    ck_assert_int_ne(mdl_validate(m, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "biases"), "%s", err.msg);
    m->layers[1].n_b = 8;
    m->dec_map[3] = 64;
    ck_assert_int_ne(mdl_validate(m, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "decoder.map[3]"), "%s", err.msg);
    m->dec_map[3] = 5;
    ck_assert_int_eq(mdl_validate(m, &err), RAD_OK);
    /* saving an invalid model writes nothing */
    m->layers[1].b[0] = -40;
    char jp[512];
    snprintf(jp, sizeof jp, "%s/never.json", ck_tmpdir);
    ck_assert_int_ne(mdl_save(m, jp, NULL, &err), RAD_OK);
    ck_assert_int_ne(access(jp, F_OK), 0);
    mdl_free(m);
}
END_TEST

/* ---- I2C ------------------------------------------------------------------- */

static int bit(const uint8_t *img, size_t k) { return (img[k / 8] >> (k % 8)) & 1; }

START_TEST(i2c_layout_econt)
{
    mdl_model *m = load_default();
    for (int i = 1; i < 4; i += 2) {     /* conv, dense */
        memset(m->layers[i].w, 0, m->layers[i].n_w * sizeof(int64_t));
        memset(m->layers[i].b, 0, m->layers[i].n_b * sizeof(int64_t));
    }
    uint8_t img[1608];
    rad_err err;
    ck_assert_int_eq(mdl_i2c_pack(m, img, sizeof img, &err), RAD_OK);
    for (size_t k = 0; k < 12864; k++)
        ck_assert_int_eq(bit(img, k), 0);
    m->layers[1].w[0] = -1;      /* 111111 at bits 0..5 */
    m->layers[1].w[71] = 1;      /* bit 71*6 = 426 */
    m->layers[1].b[0] = -32;     /* 100000: bit 432+5 */
    m->layers[3].w[0] = 5;       /* 000101 at 480.. */
    m->layers[3].w[2047] = -2;   /* 111110 at 480+2047*6 */
    m->layers[3].b[15] = 31;     /* 011111 at 12768+90 */
    ck_assert_int_eq(mdl_i2c_pack(m, img, sizeof img, &err), RAD_OK);
    size_t ones[] = { 0, 1, 2, 3, 4, 5, 426, 437, 480, 482, 480 + 2047 * 6 + 1, 480 + 2047 * 6 + 2,
                      480 + 2047 * 6 + 3, 480 + 2047 * 6 + 4, 480 + 2047 * 6 + 5,
                      12858, 12859, 12860, 12861, 12862 };
    size_t n1 = 0;
    for (size_t k = 0; k < 12864; k++)
        n1 += bit(img, k);
    ck_assert_uint_eq(n1, sizeof ones / sizeof ones[0]);
    for (size_t i = 0; i < sizeof ones / sizeof ones[0]; i++)
        ck_assert_msg(bit(img, ones[i]), "bit %zu", ones[i]);
    /* too small a buffer */
    ck_assert_int_ne(mdl_i2c_pack(m, img, 1607, &err), RAD_OK);
    /* unpack gives the weights back */
    mdl_model *z = mdl_clone(m);
    memset(z->layers[3].w, 0, 2048 * sizeof(int64_t));
    ck_assert_int_eq(mdl_i2c_unpack(z, img, sizeof img, &err), RAD_OK);
    ck_assert_int_eq(z->layers[3].w[2047], -2);
    ck_assert_int_eq(z->layers[1].b[0], -32);
    /* hex words: 12 lines of 268 digits; the first word's last digit is
    ** bits 0..3 = 1111 */
    char hp[512];
    snprintf(hp, sizeof hp, "%s/w.hex", ck_tmpdir);
    ck_assert_int_eq(mdl_i2c_write_hex(m, 1072, NULL, hp, &err), RAD_OK);
    FILE *f = fopen(hp, "r");
    char line[400];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "//", 2))        /* header, provenance, CRC-32 */
            continue;
        ck_assert_uint_eq(strlen(line), 269);
        if (lines == 0)
            ck_assert_int_eq(line[267], 'f');
        lines++;
    }
    fclose(f);
    ck_assert_int_eq(lines, 12);
    /* the file reads back (header, CRC) into the same weights */
    mdl_image im;
    ck_assert_msg(mdl_image_read(hp, &im, &err) == RAD_OK, "%s", err.msg);
    ck_assert_int_eq(im.word_bits, 1072);
    ck_assert_uint_eq(im.words, 12);
    memset(z->layers[3].w, 0, 2048 * sizeof(int64_t));
    ck_assert_msg(mdl_image_unpack(&im, hp, z, &err) == RAD_OK, "%s", err.msg);
    char where[256];
    ck_assert_int_eq(mdl_weights_compare(z, m, where, sizeof where), 0);
    z->layers[3].w[5] ^= 1;
    ck_assert_int_eq(mdl_weights_compare(z, m, where, sizeof where), 1);
    ck_assert_msg(strstr(where, "kernel index 5"), "%s", where);
    /* another model's image is refused */
    z->src_model.sha256[0] = z->src_model.sha256[0] == '0' ? '1' : '0';
    ck_assert_int_eq(mdl_image_unpack(&im, hp, z, &err), RAD_EMISMATCH);
    mdl_image_free(&im);
    mdl_free(z);
    mdl_free(m);
}
END_TEST

/* A flipped digit, a missing CRC line and a headerless file are refused. */
START_TEST(image_corrupt)
{
    rad_err err;
    mdl_model *m;
    ck_assert_int_eq(mdl_load_default(&m, &err), RAD_OK);
    char hp[512], bp[512], line[400];
    snprintf(hp, sizeof hp, "%s/ok.hex", ck_tmpdir);
    ck_assert_int_eq(mdl_image_write(m, 32, NULL, hp, &err), RAD_OK);
    mdl_image im;
    ck_assert_msg(mdl_image_read(hp, &im, &err) == RAD_OK, "%s", err.msg);
    mdl_image_free(&im);
    const char *what[] = { "flip", "nocrc", "noheader" };
    for (int k = 0; k < 3; k++) {
        snprintf(bp, sizeof bp, "%s/bad%d.hex", ck_tmpdir, k);
        FILE *in = fopen(hp, "r"), *out = fopen(bp, "w");
        int n = 0, done = 0;
        while (fgets(line, sizeof line, in)) {
            n++;
            if (k == 0 && !done && line[0] != '/') {
                line[0] = line[0] == '0' ? '1' : '0';
                done = 1;
            }
            if ((k == 1 && strstr(line, "crc32")) || (k == 2 && n == 1))
                continue;
            fputs(line, out);
        }
        fclose(in);
        fclose(out);
        ck_assert_msg(mdl_image_read(bp, &im, &err) != RAD_OK, "%s accepted", what[k]);
        ck_assert_msg(strstr(err.msg, k == 0 ? "CRC-32" : k == 1 ? "crc32" : "rad4ml-image"),
                      "%s: %s", what[k], err.msg);
    }
    mdl_free(m);
}
END_TEST

START_TEST(i2c_round_trip_random)
{
    static const char *files[] = { "model/examples/econt_443.json", "model/examples/tiny.json" };
    for (int f = 0; f < 2; f++)
        for (uint64_t seed = 0; seed < 50; seed++) {
            rad_err err;
            mdl_model *m, *z;
            ck_assert_int_eq(mdl_load_json(files[f], &m, &err), RAD_OK);
            mdl_init_random(m, seed);
            size_t nb = (mdl_i2c_bits(m) + 7) / 8;
            uint8_t *img = malloc(nb);
            ck_assert_int_eq(mdl_i2c_pack(m, img, nb, &err), RAD_OK);
            ck_assert_int_eq(mdl_load_json(files[f], &z, &err), RAD_OK);
            ck_assert_int_eq(mdl_i2c_unpack(z, img, nb, &err), RAD_OK);
            for (int i = 0; i < m->n_layers; i++) {
                if (m->layers[i].n_w)
                    ck_assert(!memcmp(m->layers[i].w, z->layers[i].w, m->layers[i].n_w * 8));
                if (m->layers[i].n_b)
                    ck_assert(!memcmp(m->layers[i].b, z->layers[i].b, m->layers[i].n_b * 8));
            }
            free(img);
            mdl_free(m);
            mdl_free(z);
        }
}
END_TEST

/* ---- rad4ml info ---------------------------------------------------------- */

/* Runs the CLI (args split at blanks), returns its exit status, output
** (stdout+stderr) in buf. */
static int run_cli(const char *args, char *buf, size_t len)
{
    const char *bin = getenv("RAD4ML");
    char words[2048], log[300];
    rad_argv *av = malloc(sizeof *av);
    ck_assert_ptr_nonnull(av);
    rad_argv_reset(av);
    rad_argv_add(av, bin && *bin ? bin : "build/bin/rad4ml");
    snprintf(words, sizeof words, "%s", args);
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
        rad_argv_add(av, w);
    snprintf(log, sizeof log, "%s/cli.log", ck_tmpdir);
    rad_proc_opts o = { .log = log };
    rad_err err = { 0 };
    int st;
    ck_assert_msg(rad_proc_run(av->v, &o, &st, &err) == RAD_OK, "%s", err.msg);
    free(av);
    char *text = NULL;
    size_t n = 0;
    ck_assert_int_eq(rad_read_all(log, &text, &n, &err), RAD_OK);
    snprintf(buf, len, "%s", text);
    free(text);
    return st;
}

START_TEST(cli_info)
{
    static char out[65536];
    char args[2200];
    ck_assert_int_eq(run_cli("info", out, sizeof out), 0);
    ck_assert_msg(strstr(out, "2144 parameters") && strstr(out, "12864 weight bits")
                  && strstr(out, "3200 MACs") && strstr(out, "conv2d"), "%s", out);
    ck_assert_int_eq(run_cli("info --help", out, sizeof out), 0);
    ck_assert_int_eq(run_cli("info --bogus", out, sizeof out), 2);
    ck_assert_int_eq(run_cli("info --links 2", out, sizeof out), 0);
    ck_assert_msg(strstr(out, "2 links -> 3 bits each"), "%s", out);
    ck_assert_int_eq(run_cli("info --model model/examples/econt_443.json", out, sizeof out), 0);
    ck_assert_msg(strstr(out, "2288 parameters"), "%s", out);
    /* an invalid model: exit 1, the message names file and field, and
    ** the requested outputs are not written */
    char *bad = replace(mdl_default_json(), "\"kernel\": [3, 3]", "\"kernel\": [3, 0]");
    char jp[512];
    snprintf(jp, sizeof jp, "%s", ck_tmp_write("cli.json", bad));
    free(bad);
    snprintf(args, sizeof args, "info --model %s --no-weights --save-json %s/out.json --i2c-hex %s/out.hex",
             jp, ck_tmpdir, ck_tmpdir);
    ck_assert_int_eq(run_cli(args, out, sizeof out), 1);
    ck_assert_msg(strstr(out, "cli.json") && strstr(out, "layers[1].kernel"), "%s", out);
    snprintf(args, sizeof args, "%s/out.json", ck_tmpdir);
    ck_assert_int_ne(access(args, F_OK), 0);
    /* a valid one round-trips through --save-json */
    snprintf(args, sizeof args, "info --random-weights 4 --save-json %s/cli_ok.json --i2c-hex %s/ok.hex",
             ck_tmpdir, ck_tmpdir);
    ck_assert_int_eq(run_cli(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "info --model %s/cli_ok.json", ck_tmpdir);
    ck_assert_int_eq(run_cli(args, out, sizeof out), 0);
    /* missing weights file */
    snprintf(args, sizeof args, "info --model %s/cli_ok.json --weights %s/none.weights", ck_tmpdir, ck_tmpdir);
    ck_assert_int_eq(run_cli(args, out, sizeof out), 1);
    ck_assert_msg(strstr(out, "none.weights"), "%s", out);
}
END_TEST

int main(void)
{
    if (ck_tmp_init("check_model"))
        return 1;
    Suite *s = suite_create("model");
    TCase *t = tcase_create("model");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, default_econt_shape);
    tcase_add_test(t, latent_bits_by_links);
    tcase_add_test(t, examples_load);
    tcase_add_test(t, sum_float_hand_cases);
    tcase_add_test(t, sum_float_vs_reference);
    tcase_add_test(t, save_load_round_trip);
    tcase_add_test(t, explicit_padding_round_trip);
    tcase_add_test(t, condition_round_trip);
    tcase_add_test(t, default_per_link_count);
    tcase_add_test(t, json_errors);
    tcase_add_test(t, weights_errors);
    tcase_add_test(t, validate_in_memory);
    tcase_add_test(t, i2c_layout_econt);
    tcase_add_test(t, i2c_round_trip_random);
    tcase_add_test(t, image_corrupt);
    tcase_add_test(t, cli_info);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    ck_tmp_cleanup();
    return failed ? 1 : 0;
}
