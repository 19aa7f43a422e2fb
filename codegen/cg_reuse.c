/*
** cg_reuse.c — the reuse factor of `rad4ml gen --reuse R` (codegen/README.md,
** "Reuse factor").
**
** A conv/dense layer with reuse R > 1 gives each neuron with K live taps
** M = ceil(K/R) multipliers.  The clock runs R times the crossing rate and
** the design accepts one crossing every cg_interval (largest R) clocks; the
** layer's inputs stay put for those clocks (the input register loads only
** with in_valid, every register after it passes the held value on).  In the
** R clocks of a crossing (phase ph = 0 .. R-1, ph = 0 in the clock the
** layer's valid flag `st` is high) multiplier j computes tap ph*M + j; the
** accumulator starts from the bias in phase 0 and the output quantizer's
** result loads the neuron's output register in phase R-1 (`last`), where it
** stays until the next crossing's phase R-1.  So a layer adds exactly R
** clocks of latency and its outputs are held, as its inputs were.
**
** Spec syntax (o->reuse): comma-separated entries "R" (every conv/dense
** layer) or "NAME=R" (a layer's name, or a kind: conv2d / conv, dense);
** a layer name beats a kind, a kind beats the plain default.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_int.h"
#include "model/model_io.h"

#define MAX_ENT 16

typedef struct { char name[48]; int r; } reuse_ent;

/* Parses spec into e[0..*n); RAD_EUSAGE naming the bad entry. */
static int parse_spec(const char *spec, reuse_ent *e, int *n, rad_err *err)
{
    char buf[256];
    *n = 0;
    if (strlen(spec) >= sizeof buf)
        return rad_errf(err, RAD_EUSAGE, "--reuse: '%s' is too long", spec);
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == MAX_ENT)
            return rad_errf(err, RAD_EUSAGE, "--reuse: more than %d entries", MAX_ENT);
        reuse_ent *x = &e[(*n)++];
        char *eq = strchr(t, '='), *num = eq ? eq + 1 : t, *end;
        x->name[0] = '\0';
        if (eq) {
            *eq = '\0';
            if (!*t || strlen(t) >= sizeof x->name)
                return rad_errf(err, RAD_EUSAGE, "--reuse: entry '%s=%s' has no usable layer name",
                                t, num);
            snprintf(x->name, sizeof x->name, "%s", t);
        }
        long r = strtol(num, &end, 10);
        if (!*num || *end || r < 1 || r > CG_MAX_REUSE)
            return rad_errf(err, RAD_EUSAGE, "--reuse: '%s' is not a reuse factor 1..%d "
                            "(syntax: R or NAME=R,...)", num, CG_MAX_REUSE);
        x->r = (int)r;
    }
    if (*n == 0)
        return rad_errf(err, RAD_EUSAGE, "--reuse: empty (syntax: R or NAME=R,...)");
    return RAD_OK;
}

int cg_reuse_set(cg_opts *o, const char *v, rad_err *err)
{
    reuse_ent e[MAX_ENT];
    int n, rc = parse_spec(v, e, &n, err);
    if (rc)
        return rc;
    if (strlen(v) >= sizeof o->reuse)
        return rad_errf(err, RAD_EUSAGE, "--reuse: '%s' is too long", v);
    bool all1 = true;
    for (int i = 0; i < n; i++)
        all1 &= e[i].r == 1;
    /* every factor 1 is today's fully parallel design, byte for byte */
    snprintf(o->reuse, sizeof o->reuse, "%s", all1 ? "" : v);
    return RAD_OK;
}

static bool is_mac(const mdl_layer *l) { return l->kind == MDL_CONV2D || l->kind == MDL_DENSE; }

static bool kind_is(const mdl_layer *l, const char *k)
{
    if (l->kind == MDL_CONV2D)
        return !strcmp(k, "conv2d") || !strcmp(k, "conv");
    return l->kind == MDL_DENSE && !strcmp(k, "dense");
}

int cg_reuse_of(const mdl_model *m, const cg_opts *o, int li)
{
    const mdl_layer *l = &m->layers[li];
    reuse_ent e[MAX_ENT];
    int n, r_kind = 0, r_def = 1;
    rad_err err;
    if (!o->reuse[0] || !is_mac(l) || parse_spec(o->reuse, e, &n, &err))
        return 1;
    for (int i = 0; i < n; i++) {
        if (e[i].name[0] && !strcmp(e[i].name, l->name))
            return e[i].r;
        if (e[i].name[0] && kind_is(l, e[i].name))
            r_kind = e[i].r;
        else if (!e[i].name[0])
            r_def = e[i].r;
    }
    return r_kind ? r_kind : r_def;
}

int cg_reuse_check(const mdl_model *m, const cg_opts *o, rad_err *err)
{
    reuse_ent e[MAX_ENT];
    int n;
    if (!o->reuse[0])
        return RAD_OK;
    int rc = parse_spec(o->reuse, e, &n, err);
    for (int i = 0; !rc && i < n; i++) {
        bool hit = !e[i].name[0];
        for (int li = 0; !hit && li < m->n_layers; li++)
            hit = is_mac(&m->layers[li]) && (!strcmp(e[i].name, m->layers[li].name) ||
                                            kind_is(&m->layers[li], e[i].name));
        if (!hit)
            rc = rad_errf(err, RAD_EUSAGE, "--reuse: '%s' names no conv2d/dense layer of "
                          "model '%s' (a layer name, or conv2d, conv, dense)", e[i].name, m->name);
    }
    bool heap = o->arith == CG_ARITH_CSA || o->arith == CG_ARITH_BOOTH;
    if (!rc && heap && cg_interval(m, o) > 1)
        rc = rad_errf(err, RAD_EUSAGE, "--arith %s with --reuse %s: the bit-heap arithmetic "
                      "is for reuse 1 only (use --arith tree or fpga with reuse > 1)",
                      cg_arith_name(o->arith), o->reuse);
    return rc;
}

int cg_interval(const mdl_model *m, const cg_opts *o)
{
    int r = 1;
    for (int li = 0; li < m->n_layers; li++) {
        int x = cg_reuse_of(m, o, li);
        r = x > r ? x : r;
    }
    return r;
}

int cg_latency_of(const mdl_model *m, const cg_opts *o)
{
    int lat = o->pipeline + 2;
    for (int li = 0; li < m->n_layers; li++) {
        int x = cg_reuse_of(m, o, li);
        lat += x > 1 ? x : 0;
    }
    return lat;
}

/* Multipliers and products of layer li under its reuse factor. */
static void layer_counts(const cg_plan *p, int li, long *mults, long *prods)
{
    const cg_lplan *lp = &p->lp[li];
    int r = lp->reuse > 1 ? lp->reuse : 1;
    *mults = *prods = 0;
    for (int o = 0; o < lp->n_out; o++) {
        *prods += lp->nr[o].n_taps;
        *mults += (lp->nr[o].n_taps + r - 1) / r;
    }
}

void cg_reuse_describe(const mdl_model *m, const cg_opts *o, char *buf, size_t len)
{
    cg_plan p;
    rad_err err;
    size_t k = 0;
    buf[0] = '\0';
    if (o->reuse[0] && !cg_plan_build(m, o, &p, &err)) {
        k += (size_t)snprintf(buf, len, "reuse:");
        for (int li = 0; li < m->n_layers && k < len; li++) {
            long mu, pr;
            if (!is_mac(&m->layers[li]))
                continue;
            layer_counts(&p, li, &mu, &pr);
            k += (size_t)snprintf(buf + k, len - k, " %s R=%d (%ld multipliers for %ld products);",
                                  m->layers[li].name, p.lp[li].reuse, mu, pr);
        }
        if (k < len)
            snprintf(buf + k, len - k, " clock = %d x the crossing rate (%d MHz for 40 MHz "
                     "crossings), one crossing every %d clocks, latency %d clocks",
                     p.interval, 40 * p.interval, p.interval, p.latency);
    }
    if (o->reuse[0])
        cg_plan_free(&p);
}

/* ---- RTL ------------------------------------------------------------------ */

static int phase_bits(int r)
{
    int b = 1;
    while ((1 << b) < r)
        b++;
    return b;
}

void cg_reuse_top_comment(const cg_plan *p, cg_buf *b)
{
    int R = p->interval;
    cg_printf(b, "// Reuse (time-multiplexed multipliers):");
    for (int li = 0; li < p->m->n_layers; li++)
        if (is_mac(&p->m->layers[li]))
            cg_printf(b, " %s R=%d", p->m->layers[li].name, p->lp[li].reuse);
    cg_printf(b, ".\n// Clock relation: the clock runs at %d x the crossing rate (%d MHz for\n"
                 "// 40 MHz crossings); one crossing every %d clocks: in_valid may be high at\n"
                 "// most once in any %d consecutive clocks, in_q is registered only with\n"
                 "// in_valid.  A layer with reuse R computes each neuron's K products with\n"
                 "// ceil(K/R) multipliers in R clocks (R clocks of latency, outputs held).\n",
              R, 40 * R, R, R);
}

void cg_reuse_counter(const cg_plan *p, int li, cg_buf *b)
{
    int R = p->lp[li].reuse, pb = phase_bits(R);
    cg_printf(b, "    // phase of the crossing at the inputs: 0 in the clock st is high,\n"
                 "    // then 1 .. %d (0 when idle); last: the neurons' outputs load\n", R - 1);
    cg_printf(b, "    reg  [%d:0] ph_r;\n    wire [%d:0] ph = st ? %d'd0 : ph_r;\n"
                 "    wire last = ph == %d'd%d;\n", pb - 1, pb - 1, pb, pb, R - 1);
    cg_printf(b, "    always @(posedge clk)\n        ph_r <= (rst || last || (!st && ph_r == %d'd0))"
                 " ? %d'd0 : ph + %d'd1;\n", pb, pb, pb);
    if (p->o.arith == CG_ARITH_FPGA)
        cg_reuse_xmux(p, li, b);
}

/* Header comment and ports of the reuse neuron (K taps, M multipliers). */
static void rneuron_ports(const cg_plan *p, int li, int K, int M, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_lplan *lp = &p->lp[li];
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    int R = lp->reuse, ww = l->w_fmt.width, wb = l->b_fmt.width, pb = phase_bits(R);
    char id[80];
    cg_layer_ident(p, li, id, sizeof id);
    cg_printf(b, "// Neuron of %s with %d live taps, reuse %d: %d multiplier(s), multiplier j\n"
                 "// computes tap ph*%d + j in phase ph (0..%d); acc = (b << %d) + sum x*w over\n"
                 "// the %d phases, %s, quantize; y loads in the last phase and holds.\n",
              id, K, R, M, M, R - 1, lp->bias_shift, R, mdl_act_name(l->act));
    cg_printf(b, "module %s_%s_k%d_r%d", p->o.top, id, K, R);
    if (cst && K > 0)
        cg_printf(b, " #(\n    parameter [%d:0] W = %d'h0,\n    parameter [%d:0] B = %d'h0\n)",
                  K * ww - 1, K * ww, wb - 1, wb);
    else if (cst)
        cg_printf(b, " #(\n    parameter [%d:0] B = %d'h0\n)", wb - 1, wb);
    cg_printf(b, " (\n    input  wire clk,\n");
    if (M == 0)
        cg_lint_off(b, "    ", "UNUSED");
    cg_printf(b, "    input  wire st,\n    input  wire [%d:0] ph,\n", pb - 1);
    if (M == 0)
        cg_lint_on(b, "    ", "UNUSED");
    cg_printf(b, "    input  wire last,\n");
    if (p->o.arith == CG_ARITH_FPGA)     /* lanes' inputs, muxed in the layer */
        cg_port_list(b, "input  wire", p->t[li].fmt.width, "mx", M, false);
    else
        cg_port_list(b, "input  wire", p->t[li].fmt.width, "x", K, false);
    if (!cst) {
        cg_port_list(b, "input  wire", ww, "w", K, false);
        cg_printf(b, "    input  wire [%d:0] b,\n", wb - 1);
    }
    cg_printf(b, "    output wire [%d:0] y\n);\n", l->out_fmt.width - 1);
}

/* ---- gen --arith fpga: DSP lanes ------------------------------------------------ */

/* Products of layer li if each neuron's first d multipliers are DSPs. */
static long dsp_products(const cg_plan *p, int li, int d)
{
    const cg_lplan *lp = &p->lp[li];
    long n = 0;
    for (int o = 0; o < lp->n_out; o++) {
        int m = (lp->nr[o].n_taps + lp->reuse - 1) / lp->reuse;
        n += m < d ? m : d;
    }
    return n;
}

void cg_reuse_dsp_plan(cg_plan *p)
{
    long left = p->o.fpga_dsp;
    for (int li = p->m->n_layers - 1; li >= 0; li--) {
        cg_lplan *lp = &p->lp[li];
        lp->dsp_lanes = 0;
        if (!is_mac(&p->m->layers[li]) || lp->reuse <= 1)
            continue;
        while (lp->dsp_lanes < lp->kmax && dsp_products(p, li, lp->dsp_lanes + 1) <= left)
            lp->dsp_lanes++;
        left -= dsp_products(p, li, lp->dsp_lanes);
    }
}

/* ---- gen --arith fpga: the soft multiplier ----------------------------------- */

typedef struct { int off; bool neg; char nm[CG_NAME]; } smul_node;

/* Adds node q (offset q->off > a->off) to node a, modulo 2^pw: a's low
** q->off - a->off bits pass, the rest is one carry-chain adder of
** pw - q->off bits (a subtractor when q is the negative weight row). */
static void smul_join(cg_buf *b, int pw, smul_node *a, const smul_node *q, int id)
{
    int lo = q->off - a->off;
    char nm[CG_NAME];
    snprintf(nm, sizeof nm, "t%d", id);
    cg_printf(b, "    (* keep *) wire [%d:0] %s = {%s[%d:%d] %c %s, %s[%d:0]};\n", pw - a->off - 1,
              nm, a->nm, pw - a->off - 1, lo, q->neg ? '-' : '+', q->nm, a->nm, lo - 1);
    snprintf(a->nm, sizeof a->nm, "%s", nm);
    a->neg = false;
}

/* See cg_int.h.  Row k (weight bit k) is w[k] ? x : 0 over the pw - k bits
** above 2^k (x sign- or zero-extended to pw bits); the row of a signed
** weight's MSB counts negative.  Rows are added pairwise, neighbours first
** (a balanced tree), so the sum is x * w modulo 2^pw exactly: the value
** `xs * ws` of the multiplier it replaces. */
void cg_reuse_smul(const cg_plan *p, int li, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const fxp_fmt *fi = &p->t[li].fmt;
    int wx = fi->width, ww = l->w_fmt.width, pw = p->lp[li].prod_w, n = ww, id = 0;
    char lid[80];
    smul_node r[64];
    if (ww > 64) {
        b->oom = true;
        return;
    }
    if (p->lp[li].dsp_lanes >= (p->lp[li].kmax + p->lp[li].reuse - 1) / p->lp[li].reuse)
        return;                           /* every product on a DSP block */
    cg_layer_ident(p, li, lid, sizeof lid);
    cg_printf(b, "// Soft multiplier of %s (gen --arith fpga): p = x*w modulo 2^%d as\n"
                 "// shift-and-add, one carry-chain adder per row pair.\n", lid, pw);
    cg_printf(b, "module %s_%s_smul (\n    input  wire [%d:0] x,\n    input  wire [%d:0] w,\n"
                 "    output wire [%d:0] p\n);\n", p->o.top, lid, wx - 1, ww - 1, pw - 1);
    if (pw == wx)
        cg_printf(b, "    wire [%d:0] xe = x;\n", pw - 1);
    else if (fi->is_signed)
        cg_printf(b, "    wire [%d:0] xe = {{%d{x[%d]}}, x};\n", pw - 1, pw - wx, wx - 1);
    else
        cg_printf(b, "    wire [%d:0] xe = {%d'h0, x};\n", pw - 1, pw - wx);
    for (int k = 0; k < ww; k++) {
        r[k] = (smul_node){ .off = k, .neg = l->w_fmt.is_signed && k == ww - 1 };
        snprintf(r[k].nm, sizeof r[k].nm, "r%d", k);
        cg_printf(b, "    wire [%d:0] r%d = {%d{w[%d]}} & xe[%d:0];\n", pw - k - 1, k, pw - k, k,
                  pw - k - 1);
    }
    for (; n > 1; n = (n + 1) / 2)
        for (int i = 0; 2 * i < n; i++) {
            if (2 * i + 1 < n)
                smul_join(b, pw, &r[2 * i], &r[2 * i + 1], id++);
            r[i] = r[2 * i];
        }
    cg_printf(b, "    assign p = %s%s;\nendmodule\n\n", r[0].neg ? "-" : "", r[0].nm);
}

/* --arith tree: multiplier j's product pr<j> = xs<j> * ws<j>, both operands
** extended to the product width. */
static void rneuron_mul_tree(const cg_plan *p, int li, int j, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const fxp_fmt *fi = &p->t[li].fmt;
    int wx = fi->width, ww = l->w_fmt.width, pw = p->lp[li].prod_w;
    if (fi->is_signed)
        cg_printf(b, "    wire [%d:0] xs%d = {{%d{m%d_x[%d]}}, m%d_x};\n", pw - 1, j, pw - wx, j, wx - 1, j);
    else
        cg_printf(b, "    wire [%d:0] xs%d = {%d'h0, m%d_x};\n", pw - 1, j, pw - wx, j);
    if (l->w_fmt.is_signed)
        cg_printf(b, "    wire [%d:0] ws%d = {{%d{m%d_w[%d]}}, m%d_w};\n", pw - 1, j, pw - ww, j, ww - 1, j);
    else
        cg_printf(b, "    wire [%d:0] ws%d = {%d'h0, m%d_w};\n", pw - 1, j, pw - ww, j);
    cg_printf(b, "    wire [%d:0] pr%d = xs%d * ws%d;\n", pw - 1, j, j, j);
}

/* gen --arith fpga: multiplier j's product pr<j> from the layer's smul. */
static void rneuron_smul_use(const cg_plan *p, int li, int j, cg_buf *b)
{
    char lid[80];
    cg_layer_ident(p, li, lid, sizeof lid);
    cg_printf(b, "    wire [%d:0] pr%d;\n    %s_%s_smul u_m%d (.x(m%d_x), .w(m%d_w), .p(pr%d));\n",
              p->lp[li].prod_w - 1, j, p->o.top, lid, j, j, j, j);
}

/* Multiplier j's operands m<j>_x, m<j>_w: an R:1 case multiplexer on ph. */
static void rneuron_mux_case(const cg_plan *p, int li, int K, int M, int j, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    int R = p->lp[li].reuse, pb = phase_bits(R), wx = p->t[li].fmt.width, ww = l->w_fmt.width;
    cg_printf(b, "    reg  [%d:0] m%d_x;\n    reg  [%d:0] m%d_w;\n", wx - 1, j, ww - 1, j);

    cg_printf(b, "    always @* begin\n        case (ph)\n");
    for (int g = 0; g < R && g * M + j < K; g++) {
        int k = g * M + j;
        if (cst)
            cg_printf(b, "        %d'd%d: begin m%d_x = x%d; m%d_w = W[%d +: %d]; end\n", pb, g, j,
                      k, j, k * ww, ww);
        else
            cg_printf(b, "        %d'd%d: begin m%d_x = x%d; m%d_w = w%d; end\n", pb, g, j, k, j, k);
    }
    cg_printf(b, "        default: begin m%d_x = %d'h0; m%d_w = %d'h0; end\n        endcase\n"
                 "    end\n", j, wx, j, ww);
}

/* gen --arith fpga: an R:1 multiplexer on the phase as a binary tree of 2:1
** selects on the phase bits (leaf g = leaf[g], "" = zero, as the case's
** default), which FPGA synthesis maps to fewer LUTs than a case.  Nets
** <nm>_<level>_<i>; the result is <nm>_<pb>_0. */
static void ph_mux(cg_buf *b, const char *nm, int w, int R, char (*leaf)[CG_NAME])
{
    int pb = phase_bits(R), n = 1 << pb;
    for (int g = 0; g < n; g++)
        if (g < R && leaf[g][0])
            cg_printf(b, "    wire [%d:0] %s_0_%d = %s;\n", w - 1, nm, g, leaf[g]);
        else
            cg_printf(b, "    wire [%d:0] %s_0_%d = %d'h0;\n", w - 1, nm, g, w);
    for (int t = 1; t <= pb; t++, n /= 2)
        for (int i = 0; i < n / 2; i++)
            cg_printf(b, "    wire [%d:0] %s_%d_%d = ph[%d] ? %s_%d_%d : %s_%d_%d;\n", w - 1, nm, t,
                      i, t - 1, nm, t - 1, 2 * i + 1, nm, t - 1, 2 * i);
}

/* gen --arith fpga: multiplier j's weight m<j>_w by ph_mux; its input m<j>_x
** is the neuron's port mx<j>, multiplexed once per input group in the layer
** (cg_reuse_xmux), since neurons with the same taps share it. */
static void rneuron_mux_tree(const cg_plan *p, int li, int K, int M, int j, cg_buf *b)
{
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    int R = p->lp[li].reuse, pb = phase_bits(R), wx = p->t[li].fmt.width;
    int ww = p->m->layers[li].w_fmt.width;
    char (*leaf)[CG_NAME] = calloc((size_t)R, sizeof *leaf), nm[CG_NAME];
    if (!leaf) {
        b->oom = true;
        return;
    }
    for (int g = 0; g < R && g * M + j < K; g++)
        if (cst)
            snprintf(leaf[g], CG_NAME, "W[%d +: %d]", (g * M + j) * ww, ww);
        else
            snprintf(leaf[g], CG_NAME, "w%d", g * M + j);
    snprintf(nm, sizeof nm, "m%d_wt", j);
    ph_mux(b, nm, ww, R, leaf);
    cg_printf(b, "    wire [%d:0] m%d_x = mx%d;\n    wire [%d:0] m%d_w = m%d_wt_%d_0;\n", wx - 1, j,
              j, ww - 1, j, j, pb);
    free(leaf);
}

/* Representative of neuron o's input group: the first neuron with the same
** taps' inputs (same count, same order). */
static int xgroup(const cg_lplan *lp, int o)
{
    const cg_neuron *a = &lp->nr[o];
    for (int q = 0; q < o; q++) {
        const cg_neuron *c = &lp->nr[q];
        int k = 0;
        while (c->n_taps == a->n_taps && k < a->n_taps && c->taps[k].in == a->taps[k].in)
            k++;
        if (c->n_taps == a->n_taps && k == a->n_taps)
            return q;
    }
    return o;
}

void cg_reuse_xmux(const cg_plan *p, int li, cg_buf *b)
{
    const cg_lplan *lp = &p->lp[li];
    int R = lp->reuse, wx = p->t[li].fmt.width;
    char (*leaf)[CG_NAME] = calloc((size_t)R, sizeof *leaf), nm[CG_NAME];
    if (!leaf) {
        b->oom = true;
        return;
    }
    cg_printf(b, "    // input multiplexers, one per lane and group of neurons with the same "
                 "inputs\n");
    for (int o = 0; o < lp->n_out; o++) {
        const cg_neuron *nr = &lp->nr[o];
        int K = nr->n_taps, M = (K + R - 1) / R;
        for (int j = 0; xgroup(lp, o) == o && j < M; j++) {
            for (int g = 0; g < R; g++)
                if (g * M + j < K)
                    snprintf(leaf[g], CG_NAME, "x%d", p->t[li].bus[nr->taps[g * M + j].in]);
                else
                    leaf[g][0] = '\0';
            snprintf(nm, sizeof nm, "gx%d_%d", o, j);
            ph_mux(b, nm, wx, R, leaf);
        }
    }
    free(leaf);
}

void cg_reuse_xconn(const cg_plan *p, int li, int o, cg_buf *b)
{
    const cg_lplan *lp = &p->lp[li];
    int M = (lp->nr[o].n_taps + lp->reuse - 1) / lp->reuse, g = xgroup(lp, o);
    for (int j = 0; j < M; j++)
        cg_printf(b, "%s.mx%d(gx%d_%d_%d_0),", j % 6 ? " " : "\n        ", j, g, j,
                  phase_bits(lp->reuse));
}

/* Multiplier j's operands: an R:1 multiplexer on the phase; its product
** sign-extended to the accumulator width as leaf nm. */
static void rneuron_mult(const cg_plan *p, int li, int K, int M, int j, cg_buf *b, char *nm)
{
    const cg_lplan *lp = &p->lp[li];
    int pw = lp->prod_w, aw = lp->acc_w;
    if (p->o.arith == CG_ARITH_FPGA) {
        rneuron_mux_tree(p, li, K, M, j, b);
        if (j < lp->dsp_lanes)
            rneuron_mul_tree(p, li, j, b);     /* a DSP block */
        else
            rneuron_smul_use(p, li, j, b);
    } else {
        rneuron_mux_case(p, li, K, M, j, b);
        rneuron_mul_tree(p, li, j, b);
    }
    char e[CG_NAME * 2], name[CG_NAME];
    if (aw > pw)
        snprintf(e, sizeof e, "{{%d{pr%d[%d]}}, pr%d}", aw - pw, j, pw - 1, j);
    else
        snprintf(e, sizeof e, "pr%d", j);
    snprintf(name, sizeof name, "p%d", j);
    cg_bind(b, "    ", aw, name, e, nm, CG_NAME);
}

/* See cg_int.h.  Ports, the M multiplexed multipliers and their adder
** tree, the accumulator (from the bias in phase 0), the output quantizer
** and the output register loaded in the last phase. */
void cg_reuse_neuron(const cg_plan *p, int li, int K, cg_buf *b)
{
    const cg_lplan *lp = &p->lp[li];
    int R = lp->reuse, M = (K + R - 1) / R, aw = lp->acc_w;
    int ow = p->m->layers[li].out_fmt.width;
    char (*nm)[CG_NAME] = malloc((size_t)(M + 1) * sizeof *nm);
    char bias[CG_NAME * 2], res[CG_NAME];
    if (!nm) {
        b->oom = true;
        return;
    }
    rneuron_ports(p, li, K, M, b);
    for (int j = 0; j < M; j++)
        rneuron_mult(p, li, K, M, j, b, nm[j]);
    cg_bias_term(p, li, bias, sizeof bias);
    if (M > 0) {
        if (p->o.arith == CG_ARITH_FPGA)   /* sums stay carry-chain adders */
            b->wire_attr = "(* keep *) ";
        cg_adder_tree(b, "    ", "s", aw, nm, M, -1, NULL);
        b->wire_attr = NULL;
        cg_printf(b, "    reg  [%d:0] acc;\n    wire [%d:0] acc_b = st ? %s : acc;\n"
                     "    wire [%d:0] acc_n = acc_b + %s;\n    always @(posedge clk) acc <= acc_n;\n",
                  aw - 1, aw - 1, bias, aw - 1, nm[0]);
    } else
        cg_printf(b, "    wire [%d:0] acc_n = %s;\n", aw - 1, bias);
    cg_lint_off(b, "    ", "UNUSED");         /* bits the quantizers drop */
    cg_neuron_quant(p, li, "acc_n", b, res, sizeof res);
    cg_lint_on(b, "    ", "UNUSED");
    cg_printf(b, "    reg  [%d:0] y_r;\n    always @(posedge clk)\n        if (last) y_r <= %s;\n"
                 "    assign y = y_r;\nendmodule\n\n", ow - 1, res);
    free(nm);
}
