/*
** check_engine.c — reference engine: converter corner cases, hand-computed
** layers, latent truncation, fast path == generic path (random models and
** random / corner inputs; ENG_CHECK_SCALE=N multiplies the counts), the
** float encoder path == the integer path, and the float decoder.
*/
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_hash.h"
#include "engine/engine.h"
#include "model/model_io.h"

static long scale = 1;

static uint64_t rng_state;
static uint64_t rnd(void) { return rad_splitmix64(&rng_state); }
static int rndi(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); }

static mdl_model *load_default(void)
{
    rad_err err;
    mdl_model *m = NULL;
    ck_assert_msg(mdl_load_default(&m, &err) == RAD_OK, "%s", err.msg);
    return m;
}

static int same_out(const eng_out *a, const eng_out *b)
{
    if (a->sum != b->sum || a->msb != b->msb || a->sum_code != b->sum_code
        || a->n_latent != b->n_latent)
        return 0;
    for (int k = 0; k < a->n_latent; k++)
        if (a->latent[k] != b->latent[k] || a->sent[k] != b->sent[k])
            return 0;
    return 1;
}

/* Random charges of several kinds, including the corner cases. */
static void random_charges(uint32_t *q, int n, int bits, long i)
{
    uint32_t max = bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
    int kind = (int)(i % 9);
    for (int c = 0; c < n; c++) {
        switch (kind) {
        case 0: q[c] = 0; break;                                    /* all zero */
        case 1: q[c] = c == (int)(i / 9) % n ? max : 0; break;      /* one cell max */
        case 2: q[c] = max; break;                                  /* all max */
        case 3: q[c] = c == 0 ? (uint32_t)1 << (i / 9) % bits : 0; break;  /* sum 2^k */
        case 4: q[c] = (uint32_t)rnd() & max & ((1u << rndi(0, bits < 31 ? bits : 31)) - 1); break;
        case 5: q[c] = rnd() % 4 ? 0 : (uint32_t)rnd() & max; break; /* sparse */
        case 6: q[c] = (uint32_t)rnd() & max & 15; break;           /* tiny: msb < 7 */
        case 7: q[c] = (uint32_t)rnd(); break;                      /* beyond charge_bits */
        default: q[c] = rnd() % 3 ? 0 : (uint32_t)rnd() % 4000; break;  /* data-like */
        }
    }
}

/* ---- converter --------------------------------------------------------- */

START_TEST(converter_corners)
{
    mdl_model *m = load_default();
    eng_trace *tr = eng_trace_new(m);
    uint32_t q[48] = { 0 };
    eng_trace_run(m, q, tr);
    ck_assert_uint_eq(tr->out.sum, 0);
    ck_assert_int_eq(tr->out.msb, 0);
    ck_assert_uint_eq(tr->out.sum_code, 0);
    for (int i = 0; i < 48; i++)
        ck_assert_int_eq(tr->t[0][i], 0);
    /* one cell at 2^22-1: msb 21, x = 255, code e=18 m=15 */
    q[5] = (1u << 22) - 1;
    eng_trace_run(m, q, tr);
    ck_assert_int_eq(tr->out.msb, 21);
    ck_assert_int_eq(tr->t[0][5], 255);
    ck_assert_int_eq(tr->t[0][4], 0);
    ck_assert_uint_eq(tr->out.sum_code, (18u << 4) | 15);
    /* all 48 at max: msb 27, x = (2^22-1) >> 20 = 3 */
    for (int i = 0; i < 48; i++)
        q[i] = (1u << 22) - 1;
    eng_trace_run(m, q, tr);
    ck_assert_int_eq(tr->out.msb, 27);
    for (int i = 0; i < 48; i++)
        ck_assert_int_eq(tr->t[0][i], 3);
    /* sum exactly a power of two */
    memset(q, 0, sizeof q);
    q[0] = 1u << 10;
    eng_trace_run(m, q, tr);
    ck_assert_int_eq(tr->t[0][0], 128);
    q[0] = q[1] = 1u << 9;
    eng_trace_run(m, q, tr);
    ck_assert_int_eq(tr->out.msb, 10);
    ck_assert_int_eq(tr->t[0][0], 64);
    ck_assert_int_eq(tr->t[0][1], 64);
    /* small sums shift left: q=1 -> 1.0; q=3 -> 1.5; {1,2} -> {0.5,1.0} */
    memset(q, 0, sizeof q);
    q[7] = 1;
    eng_trace_run(m, q, tr);
    ck_assert_int_eq(tr->t[0][7], 128);
    q[7] = 3;
    eng_trace_run(m, q, tr);
    ck_assert_int_eq(tr->t[0][7], 192);
    q[7] = 1;
    q[8] = 2;
    eng_trace_run(m, q, tr);
    ck_assert_int_eq(tr->t[0][7], 64);
    ck_assert_int_eq(tr->t[0][8], 128);
    /* a truncation: {5, 6}: msb 3, x = floor(5*16) = 80, 96; {5, 11}: msb 4,
    ** x = floor(5*8) = 40 and 88 */
    q[7] = 5;
    q[8] = 11;
    eng_trace_run(m, q, tr);
    ck_assert_int_eq(tr->t[0][7], 40);
    ck_assert_int_eq(tr->t[0][8], 88);
    /* 1000 and 3: msb 9, x = floor(1000 / 4) = 250, floor(3/4) = 0 */
    q[7] = 1000;
    q[8] = 3;
    eng_trace_run(m, q, tr);
    ck_assert_int_eq(tr->t[0][7], 250);
    ck_assert_int_eq(tr->t[0][8], 0);
    /* bits above charge_bits are ignored */
    memset(q, 0, sizeof q);
    q[0] = (1u << 22) + 5;
    eng_trace_run(m, q, tr);
    ck_assert_uint_eq(tr->out.sum, 5);
    /* the map: t[1][p] = t[0][map[p]] or 0 */
    for (int i = 0; i < 48; i++)
        q[i] = (uint32_t)(i * 1000 + 7);
    eng_trace_run(m, q, tr);
    for (int p = 0; p < 64; p++)
        ck_assert_int_eq(tr->t[1][p], m->layers[0].map[p] < 0 ? 0 : tr->t[0][m->layers[0].map[p]]);
    eng_trace_free(tr);
    mdl_free(m);
}
END_TEST

/* ---- hand-computed layers ------------------------------------------------ */

START_TEST(tiny_model_by_hand)
{
    rad_err err;
    mdl_model *m;
    ck_assert_msg(mdl_load("model/examples/tiny.json", NULL, &m, &err) == RAD_OK, "%s", err.msg);
    eng_plan *p;
    ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
    ck_assert(eng_plan_is_fast(p));
    uint32_t q[4] = { 1, 2, 3, 4 };
    eng_out a, b;
    eng_encode(p, q, &a);
    eng_encode_generic(m, q, &b);
    /* out0 = .25+1-3+7+.25 = 5.5 -> raw 22; out1 = -.25+2.25-8-.5 = -6.5 -> -26 */
    ck_assert_int_eq(a.latent[0], 22);
    ck_assert_int_eq(a.latent[1], -26);
    /* 1 link: 6 bits, I = 6, TRN: 5 and -7 */
    ck_assert_int_eq(a.sent[0], 5);
    ck_assert_int_eq(a.sent[1], -7);
    ck_assert(same_out(&a, &b));
    /* sum 10 as E3M3: 1010 -> e=1 m=010 */
    ck_assert_uint_eq(a.sum_code, (1u << 3) | 2);
    /* saturation both ways */
    uint32_t q2[4] = { 255, 255, 0, 255 };
    eng_encode(p, q2, &a);
    ck_assert_int_eq(a.latent[0], 127);
    ck_assert_int_eq(a.latent[1], -128);
    ck_assert_int_eq(a.sent[0], 31);
    ck_assert_int_eq(a.sent[1], -32);
    eng_free(p);
    mdl_free(m);
}
END_TEST

/* One dense unit y = w * q (+ optional acc_fmt, activation) into out_fmt,
** input ufixed<8,8> (raw = q): format edges with hand-computed results. */
typedef struct {
    const char *w_fmt;
    int         w_raw;
    const char *acc_fmt;     /* NULL: none */
    const char *act;
    const char *out_fmt;
    uint32_t    q;
    int         want;        /* raw output */
} edge_case;

static const edge_case EDGES[] = {
    /* W = 1 unsigned: 0 or 1 */
    { "fixed<4,2>", 1, NULL, "linear", "ufixed<1,1,TRN,SAT>", 3, 0 },     /* 0.75 -> 0 */
    { "fixed<4,2>", 1, NULL, "linear", "ufixed<1,1,TRN,SAT>", 4, 1 },
    { "fixed<4,2>", 1, NULL, "linear", "ufixed<1,1,TRN,SAT>", 9, 1 },     /* 2.25 -> sat */
    { "fixed<4,2>", 1, NULL, "linear", "ufixed<1,1,TRN,WRAP>", 9, 0 },    /* 2 wraps to 0 */
    { "fixed<4,2>", 1, NULL, "linear", "ufixed<1,1,TRN,WRAP>", 13, 1 },   /* 3 wraps to 1 */
    /* W = 1 signed: -1 or 0 */
    { "fixed<4,2>", -1, NULL, "linear", "fixed<1,1,TRN,WRAP>", 3, -1 },   /* -0.75 -> -1 */
    { "fixed<4,2>", -1, NULL, "linear", "fixed<1,1,TRN,WRAP>", 8, 0 },    /* -2 wraps to 0 */
    { "fixed<4,2>", -1, NULL, "linear", "fixed<1,1,TRN,SAT>", 8, -1 },
    { "fixed<4,2>", -1, NULL, "linear", "fixed<1,1,TRN_ZERO,SAT>", 3, 0 },/* -0.75 -> 0 */
    /* negative I: weights fixed<4,-2> (F=6), out ufixed<4,-1> (F=5) */
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,RND,SAT>", 5, 3 },   /* 2.5 -> 3 */
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,RND_CONV,SAT>", 5, 2 },
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,RND_CONV,SAT>", 7, 4 },
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,RND_ZERO,SAT>", 5, 2 },
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,RND_INF,SAT>", 5, 3 },
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,RND_MIN_INF,SAT>", 5, 2 },
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,TRN,SAT>", 5, 2 },
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,RND,SAT>", 40, 15 }, /* 20 -> sat */
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,RND,WRAP>", 40, 4 }, /* 20 mod 16 */
    { "fixed<4,-2>", 1, NULL, "linear", "ufixed<4,-1,TRN,SAT_ZERO>", 40, 0 },
    /* negative values and rounding: -2.5 (RND -> -2, RND_INF -> -3, RND_CONV -> -2) */
    { "fixed<4,-2>", -1, NULL, "linear", "fixed<4,-1,RND,SAT>", 5, -2 },
    { "fixed<4,-2>", -1, NULL, "linear", "fixed<4,-1,RND_INF,SAT>", 5, -3 },
    { "fixed<4,-2>", -1, NULL, "linear", "fixed<4,-1,RND_ZERO,SAT>", 5, -2 },
    { "fixed<4,-2>", -1, NULL, "linear", "fixed<4,-1,RND_MIN_INF,SAT>", 5, -3 },
    { "fixed<4,-2>", -1, NULL, "linear", "fixed<4,-1,RND_CONV,SAT>", 7, -4 },  /* -3.5 */
    { "fixed<4,-2>", -1, NULL, "linear", "fixed<4,-1,TRN_ZERO,SAT>", 5, -2 },
    { "fixed<4,-2>", -1, NULL, "linear", "fixed<4,-1,TRN,SAT>", 5, -3 },
    /* ReLU, SAT vs SAT_SYM */
    { "fixed<4,2>", -1, NULL, "relu", "fixed<4,2,TRN,SAT>", 3, 0 },
    { "fixed<4,2>", -4, NULL, "linear", "fixed<3,3,TRN,SAT>", 9, -4 },
    { "fixed<4,2>", -4, NULL, "linear", "fixed<3,3,TRN,SAT_SYM>", 9, -3 },
    /* accumulator format: saturation, then rounding to fewer bits */
    { "fixed<4,2>", 1, "fixed<4,2,RND,SAT>", "linear", "fixed<8,4,TRN,SAT>", 3, 12 },
    { "fixed<4,2>", 1, "fixed<4,2,RND,SAT>", "linear", "fixed<8,4,TRN,SAT>", 9, 28 },
    { "fixed<4,2>", 1, "fixed<4,3,RND,SAT>", "linear", "fixed<8,4,TRN,SAT>", 3, 16 },
    { "fixed<4,2>", 1, "fixed<4,3,RND,SAT>", "linear", "fixed<8,4,TRN,SAT>", 5, 24 },
    { "fixed<4,2>", -1, "fixed<4,3,RND,WRAP>", "relu", "fixed<8,4,TRN,SAT>", 5, 0 },
};

START_TEST(format_edges_by_hand)
{
    for (size_t i = 0; i < sizeof EDGES / sizeof EDGES[0]; i++) {
        const edge_case *e = &EDGES[i];
        char js[1024], acc[64] = "";
        if (e->acc_fmt)
            snprintf(acc, sizeof acc, "\"acc_fmt\": \"%s\", ", e->acc_fmt);
        snprintf(js, sizeof js,
                 "{\"format\": \"rad4ml-model\", \"version\": 1, \"name\": \"edge%zu\",\n"
                 " \"input\": {\"cells\": 1, \"charge_bits\": 8, \"norm\": \"none\", \"format\": \"ufixed<8,8>\"},\n"
                 " \"layers\": [{\"name\": \"u\", \"type\": \"dense\", \"units\": 1, \"w_fmt\": \"%s\",\n"
                 "   \"b_fmt\": \"fixed<2,2>\", %s\"activation\": \"%s\", \"out_fmt\": \"%s\"}],\n"
                 " \"output\": {\"n_links\": 1, \"bits_by_links\": [0,16,16,16,16,16,16,16,16,16,16,16,16,16]}}\n",
                 i, e->w_fmt, acc, e->act, e->out_fmt);
        rad_err err;
        mdl_model *m;
        ck_assert_msg(mdl_parse(js, "edge.json", NULL, NULL, &m, &err) == RAD_OK, "%zu: %s", i, err.msg);
        m->layers[0].w[0] = e->w_raw;
        ck_assert_int_eq(mdl_validate(m, &err), RAD_OK);
        eng_plan *p;
        ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
        eng_out a, b;
        eng_encode(p, &e->q, &a);
        eng_encode_generic(m, &e->q, &b);
        ck_assert_msg(b.latent[0] == e->want, "case %zu (%s, q=%u): generic %d, want %d", i,
                      e->out_fmt, e->q, b.latent[0], e->want);
        ck_assert_msg(a.latent[0] == e->want, "case %zu (%s, q=%u): fast %d, want %d", i,
                      e->out_fmt, e->q, a.latent[0], e->want);
        ck_assert_int_eq(a.sent[0], e->want);        /* 16 bits: nothing cut */
        eng_free(p);
        mdl_free(m);
    }
}
END_TEST

START_TEST(econt_conv_by_hand)
{
    /* filter 0 of the conv all ones (1/32), every other weight 0: output
    ** (oy,ox,0) = floor(sum of the 3x3 window of x (raw, F=7) / 32) with
    ** the 'same' window rows 2oy..2oy+2 (row 8 is padding). */
    mdl_model *m = load_default();
    mdl_layer *c = &m->layers[1];
    memset(c->w, 0, c->n_w * sizeof *c->w);
    memset(c->b, 0, c->n_b * sizeof *c->b);
    for (int k = 0; k < 9; k++)
        c->w[k * 8 + 0] = 1;
    c->b[1] = 3;     /* filter 1: bias 3/32 only -> raw out 3 << 2 = 12 */
    eng_trace *tr = eng_trace_new(m);
    eng_plan *p;
    rad_err err;
    ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
    rng_state = 77;
    for (int t = 0; t < 2000; t++) {
        uint32_t q[48];
        random_charges(q, 48, 22, t);
        eng_trace_run(m, q, tr);
        const int64_t *img = tr->t[1];
        for (int oy = 0; oy < 4; oy++)
            for (int ox = 0; ox < 4; ox++) {
                int64_t s = 0;
                for (int y = 2 * oy; y <= 2 * oy + 2 && y < 8; y++)
                    for (int x = 2 * ox; x <= 2 * ox + 2 && x < 8; x++)
                        s += img[y * 8 + x];
                int64_t want = s / 32 > 255 ? 255 : s / 32;
                ck_assert_int_eq(tr->t[2][(oy * 4 + ox) * 8 + 0], want);
                ck_assert_int_eq(tr->t[2][(oy * 4 + ox) * 8 + 1], 12);
                ck_assert_int_eq(tr->t[2][(oy * 4 + ox) * 8 + 2], 0);
            }
        eng_out a;
        eng_encode(p, q, &a);
        ck_assert(same_out(&a, &tr->out));
    }
    eng_free(p);
    eng_trace_free(tr);
    mdl_free(m);
}
END_TEST

START_TEST(latent_truncation)
{
    mdl_model *m = load_default();
    eng_trace *tr = eng_trace_new(m);
    rad_err err;
    rng_state = 5;
    for (int links = 1; links <= 13; links++) {
        ck_assert_int_eq(mdl_set_links(m, links, &err), RAD_OK);
        int bits = mdl_latent_bits(m);
        eng_plan *p;
        ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
        for (int t = 0; t < 500; t++) {
            uint32_t q[48];
            random_charges(q, 48, 22, t);
            eng_trace_run(m, q, tr);
            for (int k = 0; k < 16; k++)
                ck_assert_int_eq(tr->out.sent[k], tr->out.latent[k] >> (9 - bits));
            eng_out a;
            eng_encode(p, q, &a);
            ck_assert(same_out(&a, &tr->out));
        }
        eng_free(p);
    }
    eng_trace_free(tr);
    mdl_free(m);
}
END_TEST

/* ---- fast == generic ---------------------------------------------------- */

static fxp_fmt rnd_fmt(int wmax, int sign)
{
    int w = rnd() % 5 == 0 ? 1 : rndi(1, wmax);
    fxp_fmt f = fxp_format(w, rndi(-3, w + 3), sign < 0 ? (int)(rnd() & 1) : sign);
    f.qmode = (fxp_qmode)rndi(0, 6);
    f.omode = (fxp_omode)rndi(0, 3);
    if (f.omode == FXP_WRAP && rnd() % 4 == 0)
        f.sat_bits = rndi(1, w);
    return f;
}

/* Random formats of a conv / dense layer reading format *in; the bias
** keeps F_b <= F_acc as the contract requires. */
static void set_mac_formats(mdl_layer *l, const fxp_fmt *in)
{
    l->w_fmt = rnd_fmt(8, rnd() % 4 ? 1 : 0);
    int f_acc = fxp_frac_bits(in) + fxp_frac_bits(&l->w_fmt);
    int wb = rndi(1, 10);
    l->b_fmt = fxp_format(wb, wb - f_acc + rndi(0, 3), rnd() % 4 ? 1 : 0);
    if ((l->has_acc_fmt = rnd() % 3 == 0))
        l->acc_fmt = rnd_fmt(20, -1);
    l->act = rnd() & 1 ? MDL_ACT_RELU : MDL_ACT_LINEAR;
    l->out_fmt = rnd_fmt(12, -1);
}

/* A random encoder: [map] -> conv* -> flatten -> dense+, small formats. */
static mdl_model *random_model(uint64_t seed)
{
    rng_state = seed;
    mdl_model *m = calloc(1, sizeof *m);
    snprintf(m->name, sizeof m->name, "random%llu", (unsigned long long)seed);
    m->in.n_cells = rndi(1, 40);
    m->in.charge_bits = rndi(1, 22);
    m->in.norm = rnd() % 3 ? MDL_NORM_MSB : MDL_NORM_NONE;
    m->in.fmt = rnd_fmt(12, -1);
    m->in.sum_exp_bits = rndi(1, 6);
    m->in.sum_mant_bits = rndi(1, 6);
    if (m->in.norm == MDL_NORM_NONE && (m->in.sum_exp_bits & 1))
        m->in.charge_frac = m->in.charge_bits / 2;   /* derived: same random stream */
    int n = 0;
    mdl_shape s = { 1, 1, m->in.n_cells };
    fxp_fmt cur = m->in.fmt;
    if (rnd() % 4) {         /* a map to a small image, zeros and duplicates */
        mdl_layer *l = &m->layers[n++];
        l->kind = MDL_MAP;
        l->out = (mdl_shape){ rndi(1, 6), rndi(1, 6), rndi(1, 3) };
        l->map = malloc((size_t)mdl_shape_size(l->out) * sizeof(int));
        for (int i = 0; i < mdl_shape_size(l->out); i++)
            l->map[i] = rnd() % 5 == 0 ? -1 : rndi(0, m->in.n_cells - 1);
        s = l->out;
        int nconv = rndi(0, 2);
        for (int k = 0; k < nconv; k++) {
            l = &m->layers[n++];
            l->kind = MDL_CONV2D;
            l->k.kh = rndi(1, 3); l->k.kw = rndi(1, 3); l->k.sh = rndi(1, 2); l->k.sw = rndi(1, 2);
            l->k.pt = rndi(0, 2); l->k.pb = rndi(0, 2);
            l->k.pl = rndi(0, 2); l->k.pr = rndi(0, 2);
            if (s.h + l->k.pt + l->k.pb < l->k.kh)
                l->k.pb += l->k.kh;
            if (s.w + l->k.pl + l->k.pr < l->k.kw)
                l->k.pr += l->k.kw;
            l->out.c = rndi(1, 10);
            set_mac_formats(l, &cur);
            cur = l->out_fmt;
            s = (mdl_shape){ (s.h + l->k.pt + l->k.pb - l->k.kh) / l->k.sh + 1,
                             (s.w + l->k.pl + l->k.pr - l->k.kw) / l->k.sw + 1, l->out.c };
        }
    }
    if (s.h != 1 || s.w != 1) {
        m->layers[n++].kind = MDL_FLATTEN;
        s = (mdl_shape){ 1, 1, mdl_shape_size(s) };
    }
    int ndense = rndi(1, 2);
    for (int k = 0; k < ndense; k++) {
        mdl_layer *l = &m->layers[n++];
        l->kind = MDL_DENSE;
        l->out.c = k + 1 == ndense ? rndi(1, 20) : rndi(1, 40);
        set_mac_formats(l, &cur);
        cur = l->out_fmt;
    }
    if (rnd() % 5 == 0) {    /* end in wiring: the plan must materialize it */
        mdl_layer *l = &m->layers[n++];
        l->kind = MDL_MAP;
        l->out = (mdl_shape){ 1, 1, rndi(1, 24) };
        l->map = malloc((size_t)l->out.c * sizeof(int));
        for (int i = 0; i < l->out.c; i++)
            l->map[i] = rnd() % 6 == 0 ? -1 : rndi(0, m->layers[n - 2].out.c - 1);
    }
    m->n_layers = n;
    for (int i = 0; i < n; i++)
        snprintf(m->layers[i].name, sizeof m->layers[i].name, "l%d", i);
    m->out.n_links = rndi(1, 13);
    for (int k = 1; k <= MDL_MAX_LINKS; k++)
        m->out.bits_by_links[k] = rndi(1, 14);
    rad_err err;
    int rc = mdl_finish(m, &err);
    ck_assert_msg(rc == RAD_OK, "random model %llu: %s", (unsigned long long)seed, err.msg);
    mdl_init_random(m, seed);
    rc = mdl_validate(m, &err);
    ck_assert_msg(rc == RAD_OK, "random model %llu: %s", (unsigned long long)seed, err.msg);
    return m;
}

/* Float encoder layers with quantization reproduce the integer trace. */
static void check_float_layers(const mdl_model *m, const eng_trace *tr)
{
    float in[4096], out[4096];
    const fxp_fmt *f = &m->in.fmt;
    for (int i = 0; i < m->n_layers; i++) {
        const mdl_layer *l = &m->layers[i];
        for (int k = 0; k < tr->size[i]; k++)
            in[k] = (float)ldexp((double)tr->t[i][k], -fxp_frac_bits(f));
        eng_layer_float(l, in, out, 1);
        for (int k = 0; k < tr->size[i + 1]; k++) {
            double want = ldexp((double)tr->t[i + 1][k], -fxp_frac_bits(&l->out_fmt));
            ck_assert_msg(out[k] == (float)want, "%s layer %d value %d: float %.9g, int %.9g",
                          m->name, i, k, (double)out[k], want);
        }
        f = &l->out_fmt;
    }
}

START_TEST(fast_equals_generic_random_models)
{
    long models = 300 * scale, per = 1000;
    long fast_models = 0, cases = 0, bad = 0;
    for (long s = 1; s <= models; s++) {
        mdl_model *m = random_model((uint64_t)s * 7919);
        eng_plan *p;
        rad_err err;
        ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
        fast_models += eng_plan_is_fast(p);
        eng_trace *tr = eng_trace_new(m);
        uint32_t q[64];
        for (long t = 0; t < per; t++) {
            random_charges(q, m->in.n_cells, m->in.charge_bits, t);
            eng_trace_run(m, q, tr);
            eng_out a;
            eng_encode(p, q, &a);
            if (!same_out(&a, &tr->out)) {
                if (!bad)
                    fprintf(stderr, "first mismatch: model %ld input %ld\n", s, t);
                bad++;
            }
            if (t < 20)
                check_float_layers(m, tr);
            cases++;
        }
        /* batch == single */
        uint32_t qb[4 * 64];
        eng_out ob[4], o1;
        for (int t = 0; t < 4; t++)
            random_charges(qb + t * m->in.n_cells, m->in.n_cells, m->in.charge_bits, t + 4);
        eng_encode_batch(p, qb, 4, ob);
        for (int t = 0; t < 4; t++) {
            eng_encode(p, qb + t * m->in.n_cells, &o1);
            ck_assert(same_out(&o1, &ob[t]));
        }
        eng_trace_free(tr);
        eng_free(p);
        mdl_free(m);
    }
    printf("random models: %ld models (%ld on the fast path), %ld inputs, %ld mismatches\n",
           models, fast_models, cases, bad);
    ck_assert_int_eq(bad, 0);
    ck_assert_int_ge(fast_models, models / 2);   /* the fast path is really exercised */
}
END_TEST

START_TEST(fast_equals_generic_econt)
{
    long per = 200000 * scale, bad = 0, cases = 0;
    mdl_model *m = load_default();
    eng_trace *tr = eng_trace_new(m);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        mdl_init_random(m, seed);
        if (seed == 5)        /* biases at the extremes */
            for (int i = 1; i < 4; i += 2)
                for (size_t k = 0; k < m->layers[i].n_b; k++)
                    m->layers[i].b[k] = k & 1 ? 31 : -32;
        eng_plan *p;
        rad_err err;
        ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
        ck_assert(eng_plan_is_fast(p));
        rng_state = seed;
        uint32_t q[48];
        for (long t = 0; t < per; t++) {
            random_charges(q, 48, 22, t);
            eng_trace_run(m, q, tr);
            eng_out a;
            eng_encode(p, q, &a);
            bad += !same_out(&a, &tr->out);
            cases++;
        }
        eng_free(p);
    }
    printf("ECON-T: %ld inputs over 5 weight sets, %ld mismatches\n", cases, bad);
    ck_assert_int_eq(bad, 0);
    eng_trace_free(tr);
    mdl_free(m);
}
END_TEST

START_TEST(examples_fast_equals_generic)
{
    static const char *files[] = { "model/examples/econt_443.json", "model/examples/econt_dup.json" };
    for (int f = 0; f < 2; f++) {
        rad_err err;
        mdl_model *m;
        ck_assert_msg(mdl_load(files[f], NULL, &m, &err) == RAD_OK, "%s", err.msg);
        eng_plan *p;
        ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
        ck_assert(eng_plan_is_fast(p));
        eng_trace *tr = eng_trace_new(m);
        rng_state = 9;
        for (long t = 0; t < 20000 * scale; t++) {
            uint32_t q[48];
            random_charges(q, 48, 22, t);
            eng_trace_run(m, q, tr);
            eng_out a;
            eng_encode(p, q, &a);
            ck_assert_msg(same_out(&a, &tr->out), "%s input %ld", files[f], t);
        }
        eng_trace_free(tr);
        eng_free(p);
        mdl_free(m);
    }
}
END_TEST

START_TEST(generic_fallback)
{
    /* 20-bit activations do not fit int16: the plan runs the generic path */
    static const char *js =
        "{\"format\": \"rad4ml-model\", \"version\": 1,\n"
        " \"input\": {\"cells\": 3, \"charge_bits\": 20, \"norm\": \"none\", \"format\": \"ufixed<20,20>\"},\n"
        " \"layers\": [{\"type\": \"dense\", \"units\": 2, \"w_fmt\": \"fixed<3,3>\", \"b_fmt\": \"fixed<3,3>\",\n"
        "   \"out_fmt\": \"fixed<24,24>\"}]}\n";
    rad_err err;
    mdl_model *m;
    ck_assert_msg(mdl_parse(js, "wide.json", NULL, NULL, &m, &err) == RAD_OK, "%s", err.msg);
    m->layers[0].w[0] = 3;
    m->layers[0].w[2] = -4;
    m->layers[0].w[5] = 1;
    m->layers[0].b[1] = -1;
    eng_plan *p;
    ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
    ck_assert(!eng_plan_is_fast(p));
    uint32_t q[3] = { 1000000, 5, 77 };
    eng_out a;
    eng_encode(p, q, &a);
    ck_assert_int_eq(a.latent[0], 3000000 - 20);
    ck_assert_int_eq(a.latent[1], 77 - 1);
    ck_assert_int_eq(eng_plan_cells(p), 3);
    ck_assert_int_eq(eng_plan_latent(p), 2);
    eng_free(p);
    mdl_free(m);
    /* a first layer that fits, a second that does not: the partly built
    ** fast program is dropped */
    static const char *js2 =
        "{\"format\": \"rad4ml-model\", \"version\": 1,\n"
        " \"input\": {\"cells\": 3, \"charge_bits\": 8, \"norm\": \"none\", \"format\": \"ufixed<8,8>\"},\n"
        " \"layers\": [{\"type\": \"dense\", \"units\": 2, \"w_fmt\": \"fixed<3,3>\", \"b_fmt\": \"fixed<3,3>\",\n"
        "   \"out_fmt\": \"fixed<12,12>\"},\n"
        "  {\"type\": \"dense\", \"units\": 1, \"w_fmt\": \"fixed<3,3>\", \"b_fmt\": \"fixed<3,3>\",\n"
        "   \"out_fmt\": \"fixed<24,24>\"}]}\n";
    ck_assert_msg(mdl_parse(js2, "wide2.json", NULL, NULL, &m, &err) == RAD_OK, "%s", err.msg);
    mdl_init_random(m, 4);
    ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
    ck_assert(!eng_plan_is_fast(p));
    eng_out b;
    uint32_t q2[3] = { 200, 7, 99 };
    eng_encode(p, q2, &a);
    eng_encode_generic(m, q2, &b);
    ck_assert(same_out(&a, &b));
    eng_free(p);
    mdl_free(m);
}
END_TEST

/* ---- float decoder ------------------------------------------------------ */

START_TEST(conv_transpose_by_hand)
{
    /* 2x2x1 ones, kernel 3x3 ones, stride 2, 'same' (crop top/left 0,
    ** bottom/right 1): per axis counts [1,1,2,1] -> out = c[y]*c[x]. */
    mdl_flayer l;
    memset(&l, 0, sizeof l);
    l.kind = MDL_F_CONV2D_T;
    l.in = (mdl_shape){ 2, 2, 1 };
    l.k.kh = l.k.kw = 3;
    l.k.sh = l.k.sw = 2;
    l.k.pb = l.k.pr = 1;
    l.out = (mdl_shape){ 4, 4, 1 };
    l.act = MDL_ACT_LINEAR;
    float w[9], b[1] = { 0.5f }, in[4] = { 1, 1, 1, 1 }, out[16];
    for (int k = 0; k < 9; k++)
        w[k] = 1;
    l.w = w; l.n_w = 9; l.b = b; l.n_b = 1;
    eng_flayer_forward(&l, in, out);
    static const float c[4] = { 1, 1, 2, 1 };
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            ck_assert_float_eq(out[y * 4 + x], c[y] * c[x] + 0.5f);
    /* stride 1 'same' (crop 1 each side) of a single 1 in the centre of 3x3
    ** with an asymmetric kernel: out[y][x] = w[y-1+1][x-1+1] */
    l.in = (mdl_shape){ 3, 3, 1 };
    l.k.sh = l.k.sw = 1;
    l.k.pt = l.k.pl = l.k.pb = l.k.pr = 1;
    l.out = (mdl_shape){ 3, 3, 1 };
    b[0] = 0;
    float in9[9] = { 0, 0, 0, 0, 1, 0, 0, 0, 0 }, out9[9];
    for (int k = 0; k < 9; k++)
        w[k] = (float)k;
    eng_flayer_forward(&l, in9, out9);
    for (int k = 0; k < 9; k++)
        ck_assert_float_eq(out9[k], (float)k);
    /* the same in a conv (correlation) flips the kernel */
    l.kind = MDL_F_CONV2D;
    eng_flayer_forward(&l, in9, out9);
    for (int k = 0; k < 9; k++)
        ck_assert_float_eq(out9[k], (float)(8 - k));
}
END_TEST

START_TEST(decoder_econt)
{
    mdl_model *m = load_default();
    eng_plan *p;
    rad_err err;
    ck_assert_int_eq(eng_compile(m, &p, &err), RAD_OK);
    rng_state = 3;
    float cells[48];
    for (int t = 0; t < 200; t++) {
        uint32_t q[48];
        random_charges(q, 48, 22, t);
        eng_out o;
        eng_encode(p, q, &o);
        m->preserve_sum = t & 1;
        ck_assert_int_eq(eng_decode(m, &o, cells, &err), RAD_OK);
        double s = 0;
        for (int i = 0; i < 48; i++) {
            ck_assert(isfinite(cells[i]) && cells[i] >= 0);   /* final ReLU */
            s += cells[i];
        }
        if (m->preserve_sum && s > 0) {
            double want = (double)mdl_sum_decode(&m->in, o.sum_code);
            ck_assert_msg(fabs(s - want) <= 1e-4 * want + 1e-3, "sum %g, want %g", s, want);
        }
    }
    /* decode_float with a one-hot latent equals a hand forward pass of the
    ** first dense layer through the rest of the decoder */
    float lat[16] = { 0 };
    lat[3] = 1.0f;
    m->preserve_sum = false;
    ck_assert_int_eq(eng_decode_float(m, lat, 4.0, -1, cells, &err), RAD_OK);
    float *acts[4];
    for (int i = 0; i < 4; i++)
        acts[i] = malloc((size_t)mdl_shape_size(m->dec[i].out) * sizeof(float));
    eng_fnet_forward(m->dec, 4, lat, acts);
    for (int k = 0; k < 128; k++) {
        float v = m->dec[0].b[k] + m->dec[0].w[3 * 128 + k];
        ck_assert_float_eq_tol(acts[0][k], v > 0 ? v : 0, 1e-6);
    }
    for (int i = 0; i < 48; i++)
        ck_assert_float_eq_tol(cells[i], acts[3][m->dec_map[i]] * 4.0f, 1e-5);
    for (int i = 0; i < 4; i++)
        free(acts[i]);
    /* no decoder: an error naming the model */
    mdl_model *t;
    ck_assert_int_eq(mdl_load("model/examples/tiny.json", NULL, &t, &err), RAD_OK);
    eng_out o = { 0 };
    ck_assert_int_ne(eng_decode(t, &o, cells, &err), RAD_OK);
    ck_assert_msg(strstr(err.msg, "tiny"), "%s", err.msg);
    mdl_free(t);
    eng_free(p);
    mdl_free(m);
}
END_TEST

int main(void)
{
    const char *sc = getenv("ENG_CHECK_SCALE");
    if (sc && atol(sc) > 0)
        scale = atol(sc);
    Suite *s = suite_create("engine");
    TCase *t = tcase_create("engine");
    tcase_set_timeout(t, 600 * (double)scale);
    tcase_add_test(t, converter_corners);
    tcase_add_test(t, tiny_model_by_hand);
    tcase_add_test(t, format_edges_by_hand);
    tcase_add_test(t, econt_conv_by_hand);
    tcase_add_test(t, latent_truncation);
    tcase_add_test(t, generic_fallback);
    tcase_add_test(t, conv_transpose_by_hand);
    tcase_add_test(t, decoder_econt);
    tcase_add_test(t, examples_fast_equals_generic);
    tcase_add_test(t, fast_equals_generic_random_models);
    tcase_add_test(t, fast_equals_generic_econt);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
