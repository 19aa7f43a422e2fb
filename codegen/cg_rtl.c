/*
** cg_rtl.c — Verilog-2005 RTL of a model (see codegen/README.md).
**
** Hierarchy (names for top "T"):
**   T            input/output registers, valid/config-change pipeline,
**                instances of everything below
**   T_cfg        configuration registers (cg_cfg.c)
**   T_conv       converter: sum, MSB, normalized inputs, module-sum float
**   T_lI_NAME    one module per encoder layer; conv/dense layers
**                instantiate one neuron per output:
**   T_lI_NAME_kK neuron with K live taps (weights as ports with
**                reconfigurable weights, as parameters with constants)
**   T_fmt        latent formatter (truncation to the link budget)
** Every quantization is fxp_quantize() in gates: guard/sticky rounding for
** all seven modes, then the four overflow modes (and WRAP with N bits).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_int.h"
#include "model/model_io.h"

/* ---- quantizer ---------------------------------------------------------- */

static unsigned long long ones(int w) { return w >= 64 ? ~0ULL : (1ULL << w) - 1; }

/* "W'hXX" literal of the low w bits of v. */
static void lit(char *buf, size_t len, int w, unsigned long long v)
{
    snprintf(buf, len, "%d'h%llx", w, v & ones(w));
}

/* Rounding increment expression for mode q (guard qb, sticky r, sign neg,
** floor's LSB odd), as fxp.c's round_inc. */
static const char *inc_expr(fxp_qmode q)
{
    switch (q) {
    case FXP_TRN:         return NULL;
    case FXP_TRN_ZERO:    return "neg & (qb | r)";
    case FXP_RND:         return "qb";
    case FXP_RND_ZERO:    return "qb & (neg | r)";
    case FXP_RND_MIN_INF: return "qb & r";
    case FXP_RND_INF:     return "qb & (~neg | r)";
    case FXP_RND_CONV:    return "qb & (odd | r)";
    }
    return NULL;
}

static void subst_inc(char *out, size_t len, const char *e, const char *pfx)
{
    size_t k = 0;
    out[0] = 0;
    for (const char *s = e; *s && k + 40 < len; ) {
        const char *names[] = { "neg", "qb", "odd", "r" };
        int hit = 0;
        for (int i = 0; i < 4 && !hit; i++) {
            size_t n = strlen(names[i]);
            if (!strncmp(s, names[i], n)) {
                k += (size_t)snprintf(out + k, len - k, "%s_%s", pfx, names[i]);
                s += n;
                hit = 1;
            }
        }
        if (!hit)
            out[k++] = *s++, out[k] = 0;
    }
}


/* The result of an overflow step (mode dst->omode) from the wrapped value
** wr, the saturation conditions hi / lo and the sign sg, into e. */
static void ovf_expr(char *e, size_t len, const fxp_fmt *dst, const char *wr, const char *hi,
                     const char *lo, const char *sg)
{
    int w = dst->width;
    bool s = dst->is_signed;
    char mx[80], mn[80], nmx[80];
    lit(mx, sizeof mx, w, s ? ones(w - 1) : ones(w));
    lit(mn, sizeof mn, w, s ? 1ULL << (w - 1) : 0);
    lit(nmx, sizeof nmx, w, s && w > 1 ? (1ULL << (w - 1)) | 1 : (s ? 1 : 0));
    switch (dst->omode) {
    case FXP_WRAP: {
        if (dst->sat_bits == 0) {
            snprintf(e, len, "%s", wr);
            break;
        }
        unsigned long long top = ones(dst->sat_bits) << (w - dst->sat_bits);
        char t[80], nt[80], sgn[80], nsg[80];
        lit(t, sizeof t, w, top);
        lit(nt, sizeof nt, w, ~top);
        lit(sgn, sizeof sgn, w, 1ULL << (w - 1));
        lit(nsg, sizeof nsg, w, ~(1ULL << (w - 1)));
        if (!s)
            snprintf(e, len, "(%s | %s) ? (%s | %s) : %s", hi, lo, wr, t, wr);
        else
            snprintf(e, len, "(%s | %s) ? (%s ? ((%s & %s) | %s) : ((%s | %s) & %s)) : %s",
                     hi, lo, sg, wr, nt, sgn, wr, t, nsg, wr);
        break;
    }
    case FXP_SAT:
        snprintf(e, len, "%s ? %s : %s ? %s : %s", hi, mx, lo, mn, wr);
        break;
    case FXP_SAT_ZERO:
        snprintf(e, len, "(%s | %s) ? %d'h0 : %s", hi, lo, w, wr);
        break;
    case FXP_SAT_SYM:
        if (s && w > 1)
            snprintf(e, len, "%s ? %s : (%s | (%s == %s)) ? %s : %s", hi, mx, lo, wr, mn, nmx, wr);
        else
            snprintf(e, len, "%s ? %s : %s ? %s : %s", hi, mx, lo, mn, wr);
        break;
    }
}

/* Overflow step: signed value `v` (an identifier, vw bits) -> dst.  The
** result is wire `out` (dst->width bits), or an existing net when the step
** is the identity; its name goes to res.  Intermediate nets are named
** <pfx>_x, _wr, _sg, _hi, _lo; identities and constants get no wire. */
static void emit_ovf(cg_buf *b, const char *in, const char *pfx, const char *v, int vw,
                     const fxp_fmt *dst, const char *out, char *res, size_t len)
{
    int w = dst->width, xw = vw > w ? vw : w;
    bool s = dst->is_signed;
    bool hi_pos = s ? vw > w : vw - 1 > w;
    bool lo_pos = s ? vw > w : true;
    char nm[CG_NAME], e[1024], x[CG_NAME], wr[CG_NAME], sg[CG_NAME], hi[CG_NAME], lo[CG_NAME];
    snprintf(nm, sizeof nm, "%s_x", pfx);
    if (xw > vw)
        snprintf(e, sizeof e, "{{%d{%s[%d]}}, %s}", xw - vw, v, vw - 1, v);
    else
        snprintf(e, sizeof e, "%s", v);
    cg_bind(b, in, xw, nm, e, x, sizeof x);
    snprintf(nm, sizeof nm, "%s_wr", pfx);
    if (xw > w)
        snprintf(e, sizeof e, "%s[%d:0]", x, w - 1);
    else
        snprintf(e, sizeof e, "%s", x);
    cg_bind(b, in, w, nm, e, wr, sizeof wr);
    snprintf(nm, sizeof nm, "%s_sg", pfx);
    snprintf(e, sizeof e, "%s[%d]", v, vw - 1);
    cg_bind(b, in, 0, nm, e, sg, sizeof sg);
    snprintf(hi, sizeof hi, "1'b0");
    if (hi_pos) {
        snprintf(nm, sizeof nm, "%s_hi", pfx);
        snprintf(e, sizeof e, "~%s & (|%s[%d:%d])", sg, v, vw - 2, s ? w - 1 : w);
        cg_bind(b, in, 0, nm, e, hi, sizeof hi);
    }
    snprintf(lo, sizeof lo, "%s", lo_pos && !s ? sg : "1'b0");
    if (lo_pos && s) {
        snprintf(nm, sizeof nm, "%s_lo", pfx);
        snprintf(e, sizeof e, "%s & ~(&%s[%d:%d])", sg, v, vw - 2, w - 1);
        cg_bind(b, in, 0, nm, e, lo, sizeof lo);
    }
    ovf_expr(e, sizeof e, dst, wr, hi, lo, sg);
    cg_bind(b, in, w, out, e, res, len);
}

/* Rounding step of emit_quant for d > 0 dropped bits: the sign-extended
** value ev (ew bits) shifted right by d and rounded as dst->qmode says,
** into a new identifier v (width *vw). */
static void emit_round(cg_buf *b, const char *in, const char *pfx, const char *ev, int ew, int d,
                       const fxp_fmt *dst, char *v, size_t len, int *vw)
{
    char nm[CG_NAME], e[768];
    const char *ie = inc_expr(dst->qmode);
    snprintf(nm, sizeof nm, "%s_v", pfx);
    *vw = ew - d;
    if (!ie) {
        snprintf(e, sizeof e, "%s[%d:%d]", ev, ew - 1, d);
        cg_bind(b, in, *vw, nm, e, v, len);
        return;
    }
    char inc[256];
    subst_inc(inc, sizeof inc, ie, pfx);
    *vw = ew - d + 1;
    cg_printf(b, "%swire %s_neg = %s[%d];\n", in, pfx, ev, ew - 1);
    cg_printf(b, "%swire %s_qb = %s[%d];\n", in, pfx, ev, d - 1);
    cg_printf(b, "%swire %s_odd = %s[%d];\n", in, pfx, ev, d);
    if (d >= 2)
        cg_printf(b, "%swire %s_r = |%s[%d:0];\n", in, pfx, ev, d - 2);
    else
        cg_printf(b, "%swire %s_r = 1'b0;\n", in, pfx);
    snprintf(e, sizeof e, "{%s[%d], %s[%d:%d]} + {%d'h0, %s}", ev, ew - 1, ev, ew - 1, d,
             *vw - 1, inc);
    cg_bind(b, in, *vw, nm, e, v, len);
}

/* fxp_quantize(src, sfrac, dst) with a constant shift: `src` is sw bits,
** signed or not; the result is wire `out` (dst->width bits) or an existing
** net when every step is the identity; its name goes to res. */
static void emit_quant(cg_buf *b, const char *in, const char *pfx, const char *src, int sw,
                       bool ssigned, int sfrac, const fxp_fmt *dst, const char *out, char *res,
                       size_t len)
{
    int w = sw + !ssigned, d = sfrac - fxp_frac_bits(dst), vw;
    char nm[CG_NAME], e[256], sv[CG_NAME], v[CG_NAME];
    snprintf(nm, sizeof nm, "%s_s", pfx);
    if (ssigned)
        snprintf(e, sizeof e, "%s", src);
    else
        snprintf(e, sizeof e, "{1'b0, %s}", src);
    cg_bind(b, in, w, nm, e, sv, sizeof sv);
    if (d <= 0) {
        vw = w - d;
        snprintf(nm, sizeof nm, "%s_v", pfx);
        if (d < 0)
            snprintf(e, sizeof e, "{%s, %d'h0}", sv, -d);
        else
            snprintf(e, sizeof e, "%s", sv);
        cg_bind(b, in, vw, nm, e, v, sizeof v);
    } else {
        int ew = w > d + 2 ? w : d + 2;
        char ev[CG_NAME];
        snprintf(nm, sizeof nm, "%s_e", pfx);
        if (ew > w)
            snprintf(e, sizeof e, "{{%d{%s[%d]}}, %s}", ew - w, sv, w - 1, sv);
        else
            snprintf(e, sizeof e, "%s", sv);
        cg_bind(b, in, ew, nm, e, ev, sizeof ev);
        emit_round(b, in, pfx, ev, ew, d, dst, v, sizeof v, &vw);
    }
    emit_ovf(b, in, pfx, v, vw, dst, out, res, len);
}

/* ---- converter ---------------------------------------------------------- */

static const char *T(const cg_plan *p) { return p->o.top; }

/* "    <dir> [w-1:0] x0, x1, ...,\n" in lines of 8 names; `last` ends the
** port list (no trailing comma). */
static void port_list(cg_buf *b, const char *dir, int w, const char *pfx, int n, bool last)
{
    char head[80];
    snprintf(head, sizeof head, "    %s [%d:0] ", dir, w - 1);
    cg_name_list(b, head, pfx, n, ",\n", last ? "\n" : ",\n");
}

void cg_port_list(cg_buf *b, const char *dir, int w, const char *pfx, int n, bool last)
{
    port_list(b, dir, w, pfx, n, last);
}

/* Converter output i: val, through a register with conv_reg[1]. */
static void conv_out(const cg_plan *p, cg_buf *b, int i, const char *val)
{
    char nm[32], res[CG_NAME];
    snprintf(nm, sizeof nm, "xreg%d", i);
    cg_node(b, "    ", p->conv_reg[1], p->m->in.fmt.width, nm, val, res, sizeof res);
    cg_printf(b, "    assign x%d = %s;\n", i, res);
}

/* Sum of the charges (adder tree), with conv_reg[0] registered together
** with the charges; MSB priority encoder.  Names of the (registered) sum
** and charges go to sum / qr. */
static void conv_sum(const cg_plan *p, cg_buf *b, char *sum, char *qr)
{
    int n = p->m->in.n_cells, cb = p->m->in.charge_bits, sw = p->sum_w, mw = p->msb_w;
    char (*nm)[CG_NAME] = malloc((size_t)n * sizeof *nm);
    if (!nm) {
        b->oom = true;
        snprintf(sum, CG_NAME, "sum");
        snprintf(qr, CG_NAME, "q");
        return;
    }
    for (int i = 0; i < n; i++) {
        cg_printf(b, "    wire [%d:0] s0_%d = {%d'h0, q[%d +: %d]};\n", sw - 1, i,
                  sw - cb > 0 ? sw - cb : 1, i * cb, cb);
        snprintf(nm[i], CG_NAME, "s0_%d", i);
    }
    cg_adder_tree(b, "    ", "s", sw, nm, n, -1, NULL);
    cg_node(b, "    ", p->conv_reg[0], sw, "sum", nm[0], sum, CG_NAME);
    cg_node(b, "    ", p->conv_reg[0], n * cb, "q_r", "q", qr, CG_NAME);
    free(nm);
    cg_printf(b, "    // msb = floor(log2(sum)), 0 when sum == 0\n");
    cg_printf(b, "    reg  [%d:0] msb;\n    integer i;\n    always @* begin\n"
                 "        msb = %d'd0;\n        for (i = 0; i < %d; i = i + 1)\n"
                 "            if (%s[i]) msb = i[%d:0];\n    end\n", mw - 1, mw, sw, sum, mw - 1);
}

/* Module-sum float code c_code from the sum and its MSB. */
static void conv_code(const cg_plan *p, cg_buf *b, const char *sum)
{
    const mdl_input *mi = &p->m->in;
    int sw = p->sum_w, mw = p->msb_w, M = mi->sum_mant_bits, E = mi->sum_exp_bits;
    int cw = p->code_w, ew = mw + 1 > E ? mw + 1 : E;
    cg_printf(b, "    // module sum float: exact below 2^%d, else e = msb - %d, the %d bits\n"
                 "    // under the leading one (truncated), all ones on exponent overflow\n", M, M - 1, M);
    cg_lint_off(b, "    ", "UNUSED");
    if (sw <= M) {
        cg_printf(b, "    wire [%d:0] c_code = {%d'h0, %s};\n", cw - 1, cw - sw, sum);
        cg_lint_on(b, "    ", "UNUSED");
        return;
    }
    cg_printf(b, "    wire c_small = ~|%s[%d:%d];\n", sum, sw - 1, M);
    cg_printf(b, "    wire [%d:0] c_e = {%d'h0, msb} - %d'd%d;\n", ew - 1, ew - mw, ew, M - 1);
    cg_printf(b, "    wire [%d:0] c_sh = %s >> (msb - %d'd%d);\n", sw - 1, sum, mw, M);
    if ((1LL << E) <= (long long)(sw - M))
        cg_printf(b, "    wire c_sat = c_e >= %d'd%lld;\n", ew, 1LL << E);
    else
        cg_printf(b, "    wire c_sat = 1'b0;\n");
    if (E > 0) {
        cg_printf(b, "    wire [%d:0] c_small_code = {%d'h0, %s[%d:0]};\n", cw - 1, E, sum, M - 1);
        cg_printf(b, "    wire [%d:0] c_code = c_small ? c_small_code : c_sat ? {%d{1'b1}} : {c_e[%d:0], c_sh[%d:0]};\n",
                  cw - 1, cw, E - 1, M - 1);
    } else {
        cg_printf(b, "    wire [%d:0] c_small_code = %s[%d:0];\n", cw - 1, sum, M - 1);
        cg_printf(b, "    wire [%d:0] c_code = c_small ? c_small_code : {%d{1'b1}};\n", cw - 1, cw);
    }
    cg_lint_on(b, "    ", "UNUSED");
}

/* Normalized input i = quantize(q[i] * 2^(F - msb)): the charge shifted
** right by msb + N (shamt, stmask declared by the caller), rounded, and
** through the overflow step; the result's name goes to res. */
static void conv_norm_one(const cg_plan *p, cg_buf *b, int i, const char *qr, char *res)
{
    const mdl_input *mi = &p->m->in;
    const fxp_fmt *f = &mi->fmt;
    int cb = mi->charge_bits, F = fxp_frac_bits(f), P = F > 0 ? F : 0, qw = cb + P + 1;
    const char *ie = inc_expr(f->qmode);
    char pfx[32], v[48], out[32];
    snprintf(pfx, sizeof pfx, "x%d", i);
    snprintf(v, sizeof v, "x%d_v", i);
    snprintf(out, sizeof out, "x%d_q", i);
    if (P > 0)
        cg_printf(b, "    wire [%d:0] x%d_e = {%s[%d +: %d], %d'h0, 1'b0};\n", qw - 1, i, qr, i * cb, cb, P);
    else
        cg_printf(b, "    wire [%d:0] x%d_e = {%s[%d +: %d], 1'b0};\n", qw - 1, i, qr, i * cb, cb);
    cg_printf(b, "    wire [%d:0] x%d_sh = x%d_e >> shamt;\n", qw - 1, i, i);
    if (ie) {
        char e[256];
        subst_inc(e, sizeof e, ie, pfx);
        cg_printf(b, "    wire x%d_neg = 1'b0;\n    wire x%d_qb = x%d_sh[0];\n"
                     "    wire x%d_odd = x%d_sh[1];\n    wire x%d_r = |(x%d_e & stmask);\n",
                  i, i, i, i, i, i, i);
        cg_printf(b, "    wire [%d:0] %s = {2'b00, x%d_sh[%d:1]} + {%d'h0, %s};\n", qw, v, i,
                  qw - 1, qw, e);
    } else
        cg_printf(b, "    wire [%d:0] %s = {2'b00, x%d_sh[%d:1]};\n", qw, v, i, qw - 1);
    emit_ovf(b, "    ", pfx, v, qw + 1, f, out, res, CG_NAME);
}

/* The converter's outputs x[i]: quantize(q[i]) without normalization,
** else quantize(q[i] / 2^msb) (conv_norm_one). */
static void conv_inputs(const cg_plan *p, cg_buf *b, const char *qr)
{
    const mdl_input *mi = &p->m->in;
    const fxp_fmt *f = &mi->fmt;
    int n = mi->n_cells, cb = mi->charge_bits, mw = p->msb_w, F = fxp_frac_bits(f);
    char res[CG_NAME];
    if (mi->norm == MDL_NORM_NONE) {
        cg_printf(b, "    // no normalization: x[i] = quantize(q[i] * 2^-%d)\n", mi->charge_frac);
        cg_lint_off(b, "    ", "UNUSED");
        for (int i = 0; i < n; i++) {
            char pfx[32], src[2 * CG_NAME], out[32];
            snprintf(pfx, sizeof pfx, "x%d", i);
            snprintf(src, sizeof src, "%s[%d +: %d]", qr, i * cb, cb);
            snprintf(out, sizeof out, "x%d_q", i);
            emit_quant(b, "    ", pfx, src, cb, false, mi->charge_frac, f, out, res, sizeof res);
            conv_out(p, b, i, res);
        }
        cg_lint_on(b, "    ", "UNUSED");
        return;
    }
    /* raw = q * 2^(F - msb): q << P shifted right by msb + N */
    int P = F > 0 ? F : 0, N = F < 0 ? -F : 0, qw = cb + P + 1, shw = mw + 1;
    while ((1LL << shw) <= (long long)((1LL << mw) + N))
        shw++;
    cg_printf(b, "    // x[i] = quantize(q[i] * 2^(%d - msb)): shift right by msb + %d\n", F, N);
    cg_printf(b, "    wire [%d:0] shamt = {%d'h0, msb} + %d'd%d;\n", shw - 1, shw - mw, shw, N);
    if (inc_expr(f->qmode))
        cg_printf(b, "    wire [%d:0] stmask = (({{%d{1'b0}}, 1'b1} << shamt) - %d'd1) & ~%d'd1;\n",
                  qw - 1, qw - 1, qw, qw);
    cg_lint_off(b, "    ", "UNUSED");
    for (int i = 0; i < n; i++) {
        conv_norm_one(p, b, i, qr, res);
        conv_out(p, b, i, res);
    }
    cg_lint_on(b, "    ", "UNUSED");
}

static void emit_converter(const cg_plan *p, cg_buf *b)
{
    const mdl_input *mi = &p->m->in;
    int n = mi->n_cells, cb = mi->charge_bits, cw = p->code_w;
    bool clk = p->conv_reg[0] || p->conv_reg[1];
    char sum[CG_NAME], qr[CG_NAME], res[CG_NAME];
    cg_printf(b, "// Converter: sum of the charges, its MSB, the normalized inputs\n"
                 "// x[i] = quantize(q[i] / 2^msb, %s) and the module sum as a\n"
                 "// %dE%dM float.%s\n", "input format", mi->sum_exp_bits, mi->sum_mant_bits,
              clk ? " Registers: see the `_r` signals." : "");
    cg_printf(b, "module %s_conv (\n", T(p));
    if (clk)
        cg_printf(b, "    input  wire clk,\n");
    if (clk)
        cg_tmr_port(b, false);
    cg_printf(b, "    input  wire [%d:0] q,        // %d charges x %d bits, cell i at [%d*i +: %d]\n",
              n * cb - 1, n, cb, cb, cb);
    port_list(b, "output wire", mi->fmt.width, "x", n, false);
    cg_printf(b, "    output wire [%d:0] sum_code  // module sum, exponent << %d | mantissa\n);\n",
              cw - 1, mi->sum_mant_bits);
    conv_sum(p, b, sum, qr);
    conv_code(p, b, sum);
    conv_inputs(p, b, qr);
    cg_node(b, "    ", p->conv_reg[1], cw, "code_r", "c_code", res, sizeof res);
    cg_printf(b, "    assign sum_code = %s;\n", res);
    if (clk)
        cg_tmr_collect(b, "    ", "tmr_err");
    cg_printf(b, "endmodule\n\n");
}

/* ---- neurons and layers ------------------------------------------------- */

/* Distinct tap counts of a layer's neurons, ascending, into ks (room for
** lp->n_out entries); returns how many. */
static int tap_counts(const cg_lplan *lp, int *ks)
{
    int n = 0;
    for (int o = 0; o < lp->n_out; o++) {
        int k = lp->nr[o].n_taps, j = 0;
        while (j < n && ks[j] != k)
            j++;
        if (j == n)
            ks[n++] = k;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && ks[j - 1] > ks[j]; j--) {
            int t = ks[j]; ks[j] = ks[j - 1]; ks[j - 1] = t;
        }
    return n;
}

/* Header and ports of the neuron module with K live taps. */
void cg_neuron_ports(const cg_plan *p, int li, int K, const char *id, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_lplan *lp = &p->lp[li];
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    int ww = l->w_fmt.width, wb = l->b_fmt.width;
    cg_printf(b, "// Neuron of %s with %d live taps: acc = sum x*w + (b << %d), %s, quantize.\n",
              id, K, lp->bias_shift, mdl_act_name(l->act));
    cg_printf(b, "module %s_%s_k%d", T(p), id, K);
    if (cst && K > 0)
        cg_printf(b, " #(\n    parameter [%d:0] W = %d'h0,\n    parameter [%d:0] B = %d'h0\n)",
                  K * ww - 1, K * ww, wb - 1, wb);
    else if (cst)
        cg_printf(b, " #(\n    parameter [%d:0] B = %d'h0\n)", wb - 1, wb);
    cg_printf(b, " (\n");
    if (lp->n_regs) {
        cg_printf(b, "    input  wire clk,\n");
        cg_tmr_port(b, false);
    }
    port_list(b, "input  wire", p->t[li].fmt.width, "x", K, false);
    if (!cst) {
        port_list(b, "input  wire", ww, "w", K, false);
        cg_printf(b, "    input  wire [%d:0] b,\n", wb - 1);
    }
    cg_printf(b, "    output wire [%d:0] y\n);\n", l->out_fmt.width - 1);
}

/* The aligned bias term of the accumulator, into bl. */
static void bias_term(const cg_plan *p, int li, char *bl, size_t len)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_lplan *lp = &p->lp[li];
    const char *B = p->o.weights == CG_WEIGHTS_CONST ? "B" : "b";
    int wb = l->b_fmt.width, bsh = lp->bias_shift, bext = lp->acc_w - wb - bsh;
    char bs[40];
    if (l->b_fmt.is_signed)
        snprintf(bs, sizeof bs, "%s[%d]", B, wb - 1);
    else
        snprintf(bs, sizeof bs, "1'b0");
    if (bext > 0 && bsh)
        snprintf(bl, len, "{{%d{%s}}, %s, %d'h0}", bext, bs, B, bsh);
    else if (bext > 0)
        snprintf(bl, len, "{{%d{%s}}, %s}", bext, bs, B);
    else if (bsh)
        snprintf(bl, len, "{%s, %d'h0}", B, bsh);
    else
        snprintf(bl, len, "%s", B);
}

void cg_bias_term(const cg_plan *p, int li, char *bl, size_t len) { bias_term(p, li, bl, len); }

/* The K products and the bias as adder-tree leaves a0_0 .. a0_K (registered
** with reg[0]); their names go to nm[0..K]. */
static void neuron_leaves(const cg_plan *p, int li, int K, cg_buf *b, char (*nm)[CG_NAME])
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_lplan *lp = &p->lp[li];
    const fxp_fmt *fi = &p->t[li].fmt;
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    int wx = fi->width, ww = l->w_fmt.width, pw = lp->prod_w, aw = lp->acc_w;
    char e[CG_NAME * 2], name[CG_NAME];
    for (int k = 0; k < K; k++) {
        if (fi->is_signed)
            cg_printf(b, "    wire [%d:0] xs%d = {{%d{x%d[%d]}}, x%d};\n", pw - 1, k, pw - wx, k, wx - 1, k);
        else
            cg_printf(b, "    wire [%d:0] xs%d = {%d'h0, x%d};\n", pw - 1, k, pw - wx, k);
        char wk[48];
        if (cst)
            snprintf(wk, sizeof wk, "W[%d +: %d]", k * ww, ww);
        else
            snprintf(wk, sizeof wk, "w%d", k);
        if (l->w_fmt.is_signed)
            cg_printf(b, "    wire [%d:0] ws%d = {{%d{%s[%d]}}, %s};\n", pw - 1, k, pw - ww,
                      cst ? "W" : wk, cst ? k * ww + ww - 1 : ww - 1, wk);
        else
            cg_printf(b, "    wire [%d:0] ws%d = {%d'h0, %s};\n", pw - 1, k, pw - ww, wk);
        cg_printf(b, "    wire [%d:0] pr%d = xs%d * ws%d;\n", pw - 1, k, k, k);
        if (aw > pw)
            snprintf(e, sizeof e, "{{%d{pr%d[%d]}}, pr%d}", aw - pw, k, pw - 1, k);
        else
            snprintf(e, sizeof e, "pr%d", k);
        snprintf(name, sizeof name, "a0_%d", k);
        cg_node(b, "    ", lp->reg[0], aw, name, e, nm[k], CG_NAME);
    }
    bias_term(p, li, e, sizeof e);
    snprintf(name, sizeof name, "a0_%d", K);
    cg_node(b, "    ", lp->reg[0], aw, name, e, nm[K], CG_NAME);
}

void cg_neuron_quant(const cg_plan *p, int li, const char *acc, cg_buf *b, char *res,
                     size_t len)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_lplan *lp = &p->lp[li];
    int cw = lp->acc_w, cf = lp->acc_frac;
    bool csg = true;
    char cur[CG_NAME];
    snprintf(cur, sizeof cur, "%s", acc);
    if (l->has_acc_fmt) {
        emit_quant(b, "    ", "qa", acc, cw, true, cf, &l->acc_fmt, "acc_q", cur, sizeof cur);
        cw = l->acc_fmt.width;
        cf = fxp_frac_bits(&l->acc_fmt);
        csg = l->acc_fmt.is_signed;
    }
    if (l->act == MDL_ACT_RELU && csg) {
        cg_printf(b, "    wire [%d:0] act = %s[%d] ? %d'h0 : %s;   // ReLU\n", cw - 1, cur, cw - 1, cw, cur);
        snprintf(cur, sizeof cur, "act");
    }
    emit_quant(b, "    ", "qo", cur, cw, csg, cf, &l->out_fmt, "yq", res, len);
}

/* Accumulator format, activation and output quantization of acc; the
** output y, registered with reg[levels + 1].  Opened by the caller with an
** UNUSED waiver (bits the quantizers drop), closed here. */
void cg_neuron_output(const cg_plan *p, int li, const char *acc, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_lplan *lp = &p->lp[li];
    char cur[CG_NAME], res[CG_NAME];
    cg_neuron_quant(p, li, acc, b, res, sizeof res);
    cg_lint_on(b, "    ", "UNUSED");
    cg_node(b, "    ", lp->reg[lp->levels + 1], l->out_fmt.width, "y_r", res, cur, sizeof cur);
    cg_printf(b, "    assign y = %s;\n", cur);
    if (lp->n_regs)
        cg_tmr_collect(b, "    ", "tmr_err");
    cg_printf(b, "endmodule\n\n");
}

static void emit_neuron(const cg_plan *p, int li, int K, cg_buf *b)
{
    const cg_lplan *lp = &p->lp[li];
    char id[80];
    if (p->o.arith == CG_ARITH_CSA || p->o.arith == CG_ARITH_BOOTH) {
        cg_arith_neuron(p, li, K, b);
        return;
    }
    cg_layer_ident(p, li, id, sizeof id);
    cg_neuron_ports(p, li, K, id, b);
    char (*nm)[CG_NAME] = malloc((size_t)(K + 1) * sizeof *nm);
    if (!nm) {
        b->oom = true;
        return;
    }
    /* the accumulator (tree root, or the bias leaf of a neuron without
    ** taps) has bits the quantizers drop */
    cg_lint_off(b, "    ", "UNUSED");
    neuron_leaves(p, li, K, b, nm);
    cg_adder_tree(b, "    ", "a", lp->acc_w, nm, K + 1, lp->levels, lp->reg);
    cg_neuron_output(p, li, nm[0], b);
    free(nm);
}

/* Which live inputs (used_x[bus]) and weights (*all_w: every weight) the
** layer reads; unread ones get a lint waiver. */
static void layer_usage(const cg_plan *p, int li, bool *used_x, bool *used_w, bool *all_w)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_tensor *in = &p->t[li], *out = &p->t[li + 1];
    const cg_lplan *lp = &p->lp[li];
    *all_w = true;
    if (l->kind == MDL_MAP) {
        for (int i = 0; i < out->n; i++)
            if (out->live[i])
                used_x[in->bus[l->map[i]]] = true;
        return;
    }
    if (l->kind == MDL_FLATTEN) {
        for (int i = 0; i < in->n; i++)
            if (in->live[i])
                used_x[in->bus[i]] = true;
        return;
    }
    for (int o = 0; o < lp->n_out; o++)
        for (int k = 0; k < lp->nr[o].n_taps; k++) {
            used_x[in->bus[lp->nr[o].taps[k].in]] = true;
            used_w[lp->nr[o].taps[k].w] = true;
        }
    for (size_t i = 0; i < l->n_w; i++)
        *all_w &= used_w[i];
}

/* Header comment and ports of layer li's module. */
static void layer_ports(const cg_plan *p, int li, const char *id, const bool *used_x, bool all_w,
                        cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_tensor *in = &p->t[li], *out = &p->t[li + 1];
    bool mac = l->kind == MDL_CONV2D || l->kind == MDL_DENSE;
    int wx = in->fmt.width;
    cg_printf(b, "// Layer %d: %s (%s), %dx%dx%d -> %dx%dx%d; bus carries the %d live inputs\n"
                 "// and %d live outputs (constant-zero positions are pruned).\n",
              li, l->name, mdl_kind_name(l->kind), l->in.h, l->in.w, l->in.c, l->out.h, l->out.w,
              l->out.c, in->n_live, out->n_live);
    cg_printf(b, "module %s_%s (\n", T(p), id);
    if (mac && (p->lp[li].n_regs || p->lp[li].reuse > 1)) {
        cg_printf(b, "    input  wire clk,\n");
        cg_tmr_port(b, false);
    }
    if (mac && p->lp[li].reuse > 1)
        cg_printf(b, "    input  wire rst,\n    input  wire st,    // first clock of a crossing\n");
    for (int i = 0; i < in->n_live; i++) {
        if (used_x[i]) {
            cg_printf(b, "    input  wire [%d:0] x%d,\n", wx - 1, i);
            continue;
        }
        cg_lint_off(b, "    ", "UNUSED");
        cg_printf(b, "    input  wire [%d:0] x%d,   // not read\n", wx - 1, i);
        cg_lint_on(b, "    ", "UNUSED");
    }
    if (mac && p->o.weights != CG_WEIGHTS_CONST) {
        if (!all_w)
            cg_lint_off(b, "    ", "UNUSED");
        cg_printf(b, "    input  wire [%zu:0] w,   // kernel, image order, %d bits each\n",
                  l->n_w * (size_t)l->w_fmt.width - 1, l->w_fmt.width);
        if (!all_w)
            cg_lint_on(b, "    ", "UNUSED");
        cg_printf(b, "    input  wire [%zu:0] b,   // biases\n", l->n_b * (size_t)l->b_fmt.width - 1);
    }
    port_list(b, "output wire", out->fmt.width, "y", out->n_live, true);
    cg_printf(b, ");\n");
}

/* Neuron o of layer li as an instance (weights as parameters with constant
** weights, slices of the w/b ports otherwise). */
static void neuron_instance(const cg_plan *p, int li, int o, const char *id, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_lplan *lp = &p->lp[li];
    const cg_neuron *nr = &lp->nr[o];
    const int *bus = p->t[li].bus;
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    int K = nr->n_taps, ww = l->w_fmt.width, wb = l->b_fmt.width;
    char v[40], inst[24];
    snprintf(inst, sizeof inst, "n%d", o);
    if (lp->n_regs)
        cg_tmr_sub(b, "    ", inst);
    cg_printf(b, "    %s_%s_k%d", T(p), id, K);
    if (lp->reuse > 1)
        cg_printf(b, "_r%d", lp->reuse);
    if (cst) {
        cg_list pl;
        cg_list_init(&pl, b, "", ", ", "", 1 << 30);
        cg_printf(b, " #(");
        for (int k = K - 1; k >= 0; k--) {
            lit(v, sizeof v, ww, (unsigned long long)l->w[nr->taps[k].w]);
            cg_list_add(&pl, "%s%s", k == K - 1 ? ".W({" : "", v);
        }
        cg_printf(b, "%s", K > 0 ? "}), " : "");
        lit(v, sizeof v, wb, (unsigned long long)l->b[nr->bias]);
        cg_printf(b, ".B(%s))", v);
    }
    cg_printf(b, " n%d (", o);
    if (lp->reuse > 1)
        cg_printf(b, ".clk(clk), .st(st), .ph(ph), .last(last),");
    else if (lp->n_regs) {
        cg_printf(b, ".clk(clk), ");
        cg_tmr_conn(b, inst);
    }
    cg_list cl;
    cg_list_init(&cl, b, "\n        ", " ", "", 8);
    bool xmux = lp->reuse > 1 && p->o.arith == CG_ARITH_FPGA;
    if (xmux)                                /* inputs muxed in the layer */
        cg_reuse_xconn(p, li, o, b);
    for (int k = 0; !xmux && k < K; k++)
        cg_list_add(&cl, ".x%d(x%d),", k, bus[nr->taps[k].in]);
    cl.per_line = 6;
    cl.n = 0;
    for (int k = 0; !cst && k < K; k++)
        cg_list_add(&cl, ".w%d(w[%d +: %d]),", k, nr->taps[k].w * ww, ww);
    if (!cst)
        cg_printf(b, "\n        .b(b[%d +: %d]),", nr->bias * wb, wb);
    cg_printf(b, " .y(y%d));\n", p->t[li + 1].bus[o]);
}

static void free3(void *a, void *b, void *c)
{
    free(a);
    free(b);
    free(c);
}

static void emit_layer(const cg_plan *p, int li, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_tensor *in = &p->t[li], *out = &p->t[li + 1];
    const cg_lplan *lp = &p->lp[li];
    bool mac = l->kind == MDL_CONV2D || l->kind == MDL_DENSE, all_w;
    char id[80];
    cg_layer_ident(p, li, id, sizeof id);
    bool *used_x = calloc((size_t)in->n_live + 1, 1);
    bool *used_w = calloc(l->n_w + 1, 1);
    int *ks = calloc((size_t)lp->n_out + 1, sizeof *ks);
    if (!used_x || !used_w || !ks) {
        free3(used_x, used_w, ks);
        b->oom = true;
        return;
    }
    if (mac && lp->reuse > 1 && p->o.arith == CG_ARITH_FPGA)
        cg_reuse_smul(p, li, b);
    for (int i = 0, nk = mac ? tap_counts(lp, ks) : 0; i < nk; i++)
        if (lp->reuse > 1)
            cg_reuse_neuron(p, li, ks[i], b);
        else
            emit_neuron(p, li, ks[i], b);
    layer_usage(p, li, used_x, used_w, &all_w);
    layer_ports(p, li, id, used_x, all_w, b);
    if (mac && lp->reuse > 1)
        cg_reuse_counter(p, li, b);
    for (int i = 0; !mac && i < out->n; i++)
        if (out->live[i])
            cg_printf(b, "    assign y%d = x%d;\n", out->bus[i],
                      in->bus[l->kind == MDL_MAP ? l->map[i] : i]);
    for (int o = 0; mac && o < lp->n_out; o++)
        neuron_instance(p, li, o, id, b);
    if (mac && lp->n_regs)
        cg_tmr_collect(b, "    ", "tmr_err");
    cg_printf(b, "endmodule\n\n");
    free3(used_x, used_w, ks);
}

/* ---- latent formatter ------------------------------------------------- */

/* z<bits>: every latent value truncated to `bits` bits (TRN, SAT),
** right-aligned in its w-bit field. */
static void fmt_width(const cg_plan *p, int bits, cg_buf *b)
{
    const fxp_fmt *lf = &p->t[p->m->n_layers].fmt;
    int n = p->n_lat, w = p->lat_w, e = w - bits;
    fxp_fmt f = *lf;
    f.width = bits;
    f.qmode = FXP_TRN;
    f.omode = FXP_SAT;
    f.sat_bits = 0;
    cg_printf(b, "    wire [%d:0] z%d;\n", n * w - 1, bits);
    for (int i = 0; i < n; i++) {
        char pfx[32], src[48], out[32], res[CG_NAME];
        snprintf(pfx, sizeof pfx, "b%d_%d", bits, i);
        snprintf(src, sizeof src, "y%d", i);
        snprintf(out, sizeof out, "b%d_%d_q", bits, i);
        emit_quant(b, "    ", pfx, src, w, lf->is_signed, fxp_frac_bits(lf), &f, out, res, sizeof res);
        if (e == 0)
            cg_printf(b, "    assign z%d[%d +: %d] = %s;\n", bits, i * w, w, res);
        else if (lf->is_signed)
            cg_printf(b, "    assign z%d[%d +: %d] = {{%d{%s[%d]}}, %s};\n", bits, i * w, w,
                      e, res, bits - 1, res);
        else
            cg_printf(b, "    assign z%d[%d +: %d] = {%d'h0, %s};\n", bits, i * w, w, e, res);
    }
}

static void emit_formatter(const cg_plan *p, cg_buf *b)
{
    int n = p->n_lat, w = p->lat_w, lw = p->links_w;
    int bits[MDL_MAX_LINKS + 1], nb = 0, distinct[MDL_MAX_LINKS + 1];
    for (int k = 1; k <= MDL_MAX_LINKS; k++) {
        int v = p->m->out.bits_by_links[k];
        bits[k] = v < 1 ? 0 : v < w ? v : w;
        int j = 0;
        while (j < nb && distinct[j] != bits[k])
            j++;
        if (bits[k] && j == nb)
            distinct[nb++] = bits[k];
    }
    int def = bits[p->m->out.n_links];
    cg_printf(b, "// Latent formatter: each latent value truncated to the bits of the\n"
                 "// link budget (TRN, SAT, integer bits kept), selected by n_links;\n"
                 "// n_links values the model does not allow select %d bits (n_links = %d).\n",
              def, p->m->out.n_links);
    cg_printf(b, "module %s_fmt (\n    input  wire [%d:0] n_links,\n", T(p), lw - 1);
    port_list(b, "input  wire", w, "y", n, false);
    cg_printf(b, "    output reg  [%d:0] z\n);\n", n * w - 1);
    cg_lint_off(b, "    ", "UNUSED");
    for (int j = 0; j < nb; j++)
        fmt_width(p, distinct[j], b);
    cg_lint_on(b, "    ", "UNUSED");
    cg_printf(b, "    always @* begin\n        case (n_links)\n");
    for (int k = 1; k <= MDL_MAX_LINKS && k < (1 << lw); k++)
        if (bits[k] && bits[k] != def)
            cg_printf(b, "        %d'd%d: z = z%d;\n", lw, k, bits[k]);
    cg_printf(b, "        default: z = z%d;\n        endcase\n    end\nendmodule\n\n", def);
}

/* ---- top ---------------------------------------------------------------- */

/* A control register triplicated (--tmr-control or full TMR): copies
** <base>_*, voted value `voted` (declared by the caller), reset to `reset`
** by rst, next value `next` computed from voted values (cg_tmr_reg). */
static void emit_tmr_regs(cg_buf *b, const char *base, int msb, const char *voted,
                          const char *reset, const char *next)
{
    cg_tmr_spec s = { .base = base, .reset = "rst", .reset_value = reset, .next = next };
    cg_tmr_reg(b, "    ", msb + 1, voted, &s);
}

/* The valid and configuration-change flags, one bit per register stage:
** plain registers, or triplicated with --tmr-control (cg_opts.tmr_ctrl). */
static void emit_control(const cg_plan *p, cg_buf *b)
{
    int D = p->latency - 2;          /* pipeline + the reuse layers' clocks */
    char nv[96], nc[96], rz[16];
    if (D == 0) {
        snprintf(nv, sizeof nv, "in_valid");
        snprintf(nc, sizeof nc, "cfg_wr");
    } else {
        snprintf(nv, sizeof nv, "{vld[%d:0], in_valid}", D - 1);
        snprintf(nc, sizeof nc, "{chg[%d:0], 1'b0} | {%d{cfg_wr}}", D - 1, D + 1);
    }
    snprintf(rz, sizeof rz, "%d'h0", D + 1);
    bool tmr = p->o.tmr_ctrl || p->o.tmr_all;
    cg_printf(b, "    // valid and configuration-change flags, one per register stage%s\n",
              tmr ? "\n    // (triplicated: three copies, majority vote, voted value reloaded)" : "");
    if (tmr) {
        cg_printf(b, "    wire [%d:0] vld;\n    wire [%d:0] chg;\n", D, D);
        emit_tmr_regs(b, "vld", D, "vld", rz, nv);
        emit_tmr_regs(b, "chg", D, "chg", rz, nc);
        return;
    }
    cg_printf(b, "    reg  [%d:0] vld;\n    reg  [%d:0] chg;\n", D, D);
    cg_printf(b, "    always @(posedge clk) begin\n        if (rst) begin\n"
                 "            vld <= %s;\n            chg <= %s;\n        end else begin\n"
                 "            vld <= %s;\n            chg <= %s;\n        end\n    end\n",
              rz, rz, nv, nc);
}

/* Header comment, ports, and the configuration register file instance. */
static void top_ports(const cg_plan *p, cg_buf *b)
{
    const mdl_model *m = p->m;
    int n = m->in.n_cells, cb = m->in.charge_bits, cw = p->code_w, L = p->latency;
    int nl = p->n_lat, lw = p->lat_w;
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    bool sp = p->o.seu_port && !cst;    /* the cfg module has the SEU ports */
    const char *ov = p->o.tmr_ctrl || p->o.tmr_all ? "wire" : "reg ";
    const char *od = p->o.tmr_all ? "wire" : "reg ";
    char ii[64] = "one crossing per clock (II = 1)";
    if (p->interval > 1) {
        cg_reuse_top_comment(p, b);
        snprintf(ii, sizeof ii, "one crossing every %d clocks (II = %d)", p->interval, p->interval);
    }
    cg_printf(b, "// Top: %s.  in_valid/in_q are registered at\n"
                 "// a rising edge; the result leaves the output registers %d clocks later\n"
                 "// (out_valid high after edge k + %d for a crossing sampled at edge k).\n"
                 "// out_cfg_chg = 1: a configuration write happened while this crossing was\n"
                 "// in flight (its weights may be a mix of old and new).  Synchronous resets:\n"
                 "// rst clears the valid pipeline only (the datapath), rst_cfg (configuration\n"
                 "// reset / power-on) the configuration registers only.\n", ii, L, L);
    cg_printf(b, "module %s (\n    input  wire clk,\n    input  wire rst,          // datapath reset\n"
                 "    input  wire rst_cfg,      // configuration reset / power-on\n"
                 "    input  wire in_valid,\n"
                 "    input  wire [%d:0] in_q,        // %d charges x %d bits, cell i at [%d*i +: %d]\n"
                 "    output %s out_valid,\n    output %s out_cfg_chg,\n"
                 "    output %s [%d:0] out_sum,      // module-sum float code\n"
                 "    output %s [%d:0] out_latent,   // %d sent latent values x %d bits (raw, right-aligned)\n"
                 "    input  wire cfg_we,\n    input  wire [%d:0] cfg_addr,\n"
                 "    input  wire [31:0] cfg_wdata,\n    output wire [31:0] cfg_rdata%s\n",
              T(p), n * cb - 1, n, cb, cb, cb, ov, ov, od, cw - 1, od, nl * lw - 1, nl, lw, p->cfg_aw - 1,
              sp ? "," : "");
    if (sp)     /* test only: rad4ml seu --rtl --full drives these */
        cg_printf(b, "    output wire [15:0] seu_count,   // corrected upsets (%s_cfg)\n"
                     "    output wire seu_derr,           // uncorrectable error seen\n"
                     "    input  wire seu_inject_en,      // SEU injection, test only\n"
                     "    input  wire [1:0] seu_inject_copy,\n"
                     "    input  wire [%d:0] seu_inject_addr\n", T(p), cg_cfg_seu_addr_bits(p) - 1);
    cg_printf(b, ");\n");
    cg_printf(b, "    // configuration registers\n    wire [%d:0] n_links;\n    wire cfg_wr;\n", p->links_w - 1);
    if (!cst)
        cg_printf(b, "    wire [%zu:0] wimg;\n", p->img_bits - 1);
    if (p->o.tmr_all)
        cg_printf(b, "    wire tmr_err_dp;   // full TMR: a datapath register disagreed this clock\n");
    cg_printf(b, "    %s_cfg u_cfg (.clk(clk), .rst_cfg(rst_cfg), .cfg_we(cfg_we), .cfg_addr(cfg_addr),\n"
                 "        .cfg_wdata(cfg_wdata), .cfg_rdata(cfg_rdata),%s%s .n_links(n_links), .cfg_wr(cfg_wr)%s);\n",
              T(p), cst ? "" : " .wimg(wimg),", p->o.tmr_all ? " .tmr_err(tmr_err_dp),\n       " : "",
              sp ? ",\n        .seu_count(seu_count), .seu_derr(seu_derr), .seu_inject_en(seu_inject_en),\n"
                   "        .seu_inject_copy(seu_inject_copy), .seu_inject_addr(seu_inject_addr)" : "");
}

/* ".x0(t<li>_0), .x1(...)" (eight to a line) for the n live values of
** tensor li, as port `port`; the caller ends the list. */
static void conn_list(cg_buf *b, const char *port, int li, int n, const char *end)
{
    cg_list l;
    cg_list_init(&l, b, "\n        ", ", ", ",", 8);
    for (int i = 0; i < n; i++)
        cg_list_add(&l, ".%s%d(t%d_%d)", port, i, li, i);
    cg_puts(b, end);
}

/* The tensors between the modules and the instances of the converter and
** of every layer. */
static void top_datapath(const cg_plan *p, cg_buf *b)
{
    const mdl_model *m = p->m;
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    cg_printf(b, "    // datapath tensors: t0 = converter output, tI = output of layer I-1\n"
                 "    // (live values only, one wire each, raw fixed-point integers)\n");
    for (int li = 0; li <= m->n_layers; li++) {
        const cg_tensor *t = &p->t[li];
        char fs[64], head[48], pfx[24];
        fxp_fmt_str(&t->fmt, fs, sizeof fs);
        cg_printf(b, "    // t%d: %s, %d of %d values live, %s\n", li,
                  li ? m->layers[li - 1].name : "converter", t->n_live, t->n, fs);
        snprintf(head, sizeof head, "    wire [%d:0] ", t->fmt.width - 1);
        snprintf(pfx, sizeof pfx, "t%d_", li);
        if (t->n_live)
            cg_name_list(b, head, pfx, t->n_live, ";\n", ";\n");
    }
    cg_printf(b, "    wire [%d:0] code0;\n", p->code_w - 1);
    bool cclk = p->conv_reg[0] || p->conv_reg[1];
    if (cclk)
        cg_tmr_sub(b, "    ", "u_conv");
    cg_printf(b, "    %s_conv u_conv (%s", T(p), cclk ? ".clk(clk), " : "");
    if (cclk)
        cg_tmr_conn(b, "u_conv");
    cg_printf(b, ".q(q_in),");
    conn_list(b, "x", 0, p->t[0].n_live, ", .sum_code(code0));\n");
    for (int li = 0; li < m->n_layers; li++) {
        const mdl_layer *l = &m->layers[li];
        char id[80];
        cg_layer_ident(p, li, id, sizeof id);
        bool mac = l->kind == MDL_CONV2D || l->kind == MDL_DENSE;
        char inst[96];
        snprintf(inst, sizeof inst, "u_%s", id);
        if (mac && p->lp[li].n_regs)
            cg_tmr_sub(b, "    ", inst);
        cg_printf(b, "    %s_%s %s (", T(p), id, inst);
        if (mac && p->lp[li].reuse > 1)
            cg_printf(b, ".clk(clk), .rst(rst), .st(vld[%d]), ", p->lp[li].start);
        else if (mac && p->lp[li].n_regs) {
            cg_printf(b, ".clk(clk), ");
            cg_tmr_conn(b, inst);
        }
        if (mac && !cst)
            cg_printf(b, ".w(wimg[%zu +: %zu]), .b(wimg[%zu +: %zu]),", p->lp[li].w_off,
                      l->n_w * (size_t)l->w_fmt.width, p->lp[li].b_off, l->n_b * (size_t)l->b_fmt.width);
        conn_list(b, "x", li, p->t[li].n_live, ",");
        conn_list(b, "y", li + 1, p->t[li + 1].n_live, ");\n");
    }
}

/* The module-sum code delayed like the data, the latent formatter, and
** the output registers. */
static void top_outputs(const cg_plan *p, cg_buf *b)
{
    int cw = p->code_w, nl = p->n_lat, lw = p->lat_w, D = p->latency - 2, k = p->conv_regs_after;
    char code[CG_NAME], prev[CG_NAME], name[32];
    cg_printf(b, "    // module-sum code delayed by the %d register stage(s) after the converter\n", k);
    snprintf(code, sizeof code, "code0");
    for (int i = 1; i <= k; i++) {
        snprintf(prev, sizeof prev, "%s", code);
        snprintf(name, sizeof name, "code%d", i);
        cg_node(b, "    ", true, cw, name, prev, code, sizeof code);
    }
    cg_printf(b, "    wire [%d:0] lat;\n", nl * lw - 1);
    cg_printf(b, "    %s_fmt u_fmt (.n_links(n_links),", T(p));
    conn_list(b, "y", p->m->n_layers, nl, ", .z(lat));\n");
    if (p->o.tmr_all) {
        cg_tmr_spec s = { .next = code };
        cg_printf(b, "    // output registers (triplicated)\n");
        cg_tmr_reg(b, "    ", cw, "out_sum", &s);
        s.next = "lat";
        cg_tmr_reg(b, "    ", nl * lw, "out_latent", &s);
    } else
        cg_printf(b, "    // output registers\n    always @(posedge clk) begin\n"
                     "        out_sum <= %s;\n        out_latent <= lat;\n", code);
    if (!p->o.tmr_ctrl && !p->o.tmr_all)
        cg_printf(b, "        if (rst) begin\n            out_valid <= 1'b0;\n            out_cfg_chg <= 1'b0;\n"
                     "        end else begin\n            out_valid <= vld[%d];\n"
                     "            out_cfg_chg <= chg[%d] | cfg_wr;\n        end\n", D, D);
    if (!p->o.tmr_all)
        cg_printf(b, "    end\n");
    if (p->o.tmr_ctrl || p->o.tmr_all) {
        char nv[32], nc[48];
        snprintf(nv, sizeof nv, "vld[%d]", D);
        snprintf(nc, sizeof nc, "chg[%d] | cfg_wr", D);
        emit_tmr_regs(b, "ov", 0, "out_valid", "1'b0", nv);
        emit_tmr_regs(b, "oc", 0, "out_cfg_chg", "1'b0", nc);
    }
}

static void emit_top(const cg_plan *p, cg_buf *b)
{
    int qw = p->m->in.n_cells * p->m->in.charge_bits;
    top_ports(p, b);
    if (p->o.tmr_all) {
        cg_tmr_spec s = { .declare = true, .next = "in_q" };
        cg_printf(b, "    // input registers (triplicated)\n");
        cg_tmr_reg(b, "    ", qw, "q_in", &s);
    } else
        cg_printf(b, "    // input registers\n    reg  [%d:0] q_in;\n    always @(posedge clk) %sq_in <= in_q;\n",
                  qw - 1, p->interval > 1 ? "if (in_valid) " : "");
    emit_control(p, b);
    top_datapath(p, b);
    top_outputs(p, b);
    cg_tmr_collect(b, "    ", "tmr_err_dp");
    cg_printf(b, "endmodule\n");
}

/* See cg.h.  Builds the plan, writes <top>.v (full TMR: through the
** triplication emitter, cg_tmr_begin) and <top>_cfg.v, each all or
** nothing.  RAD_OK or the reason. */
int cg_gen_verilog(const mdl_model *m, const cg_opts *o, const char *dir, rad_err *err)
{
    cg_plan p;
    int rc = cg_plan_build(m, o, &p, err);
    if (rc) {
        cg_plan_free(&p);
        return rc;
    }
    cg_buf b = { 0 }, c = { 0 };
    char path[4096], what[256];
    snprintf(what, sizeof what, "%s.v -- encoder block (converter, %d layers, latent formatter)",
             o->top, m->n_layers);
    cg_header(&b, m, o, "// ", what, "rtl");
    if (o->tmr_all && cg_tmr_begin(&b)) {
        cg_plan_free(&p);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    cg_printf(&b, "//\n// Ports and timing: codegen/README.md; registers: %s_cfg.v, codegen/REGMAP.md.\n"
                  "`default_nettype none\n"
                  "/* verilator lint_off DECLFILENAME */   // one file, several modules\n\n", o->top);
    emit_converter(&p, &b);
    for (int li = 0; li < m->n_layers; li++)
        emit_layer(&p, li, &b);
    emit_formatter(&p, &b);
    emit_top(&p, &b);
    cg_printf(&b, "`default_nettype wire\n");
    rc = cg_cfg_emit(&p, &c, err);
    if (!rc) {
        snprintf(path, sizeof path, "%s/%s.v", dir, o->top);
        rc = cg_buf_write(&b, path, err);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/%s_cfg.v", dir, o->top);
        rc = cg_buf_write(&c, path, err);
    }
    cg_tmr_end(&b);
    cg_buf_free(&b);
    cg_buf_free(&c);
    cg_plan_free(&p);
    return rc;
}
