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

/* Overflow step: signed value `v` (vw bits) -> dst, into wire `out`
** (declared here, dst->width bits).  `neg_possible` false when v >= 0. */
static void emit_ovf(cg_buf *b, const char *in, const char *pfx, const char *v, int vw,
                     const fxp_fmt *dst, const char *out)
{
    int w = dst->width;
    bool s = dst->is_signed;
    bool hi_pos = s ? vw > w : vw - 1 > w;
    bool lo_pos = s ? vw > w : true;
    char mx[80], mn[80], nmx[80];
    lit(mx, sizeof mx, w, s ? ones(w - 1) : ones(w));
    lit(mn, sizeof mn, w, s ? 1ULL << (w - 1) : 0);
    lit(nmx, sizeof nmx, w, s && w > 1 ? (1ULL << (w - 1)) | 1 : (s ? 1 : 0));
    int xw = vw > w ? vw : w;
    if (xw > vw)
        cg_printf(b, "%swire [%d:0] %s_x = {{%d{%s[%d]}}, %s};\n", in, xw - 1, pfx,
                  xw - vw, v, vw - 1, v);
    else
        cg_printf(b, "%swire [%d:0] %s_x = %s;\n", in, xw - 1, pfx, v);
    cg_printf(b, "%swire [%d:0] %s_wr = %s_x[%d:0];\n", in, w - 1, pfx, pfx, w - 1);
    cg_printf(b, "%swire %s_sg = %s[%d];\n", in, pfx, v, vw - 1);
    if (hi_pos) {
        int lo_bit = s ? w - 1 : w;
        cg_printf(b, "%swire %s_hi = ~%s_sg & (|%s[%d:%d]);\n", in, pfx, pfx, v, vw - 2, lo_bit);
    } else
        cg_printf(b, "%swire %s_hi = 1'b0;\n", in, pfx);
    if (lo_pos && s)
        cg_printf(b, "%swire %s_lo = %s_sg & ~(&%s[%d:%d]);\n", in, pfx, pfx, v, vw - 2, w - 1);
    else if (lo_pos)
        cg_printf(b, "%swire %s_lo = %s_sg;\n", in, pfx, pfx);
    else
        cg_printf(b, "%swire %s_lo = 1'b0;\n", in, pfx);
    cg_printf(b, "%swire [%d:0] %s = ", in, w - 1, out);
    switch (dst->omode) {
    case FXP_WRAP:
        if (dst->sat_bits == 0)
            cg_printf(b, "%s_wr;\n", pfx);
        else {
            unsigned long long top = ones(dst->sat_bits) << (w - dst->sat_bits);
            char t[80], nt[80], sg[80], nsg[80];
            lit(t, sizeof t, w, top);
            lit(nt, sizeof nt, w, ~top);
            lit(sg, sizeof sg, w, 1ULL << (w - 1));
            lit(nsg, sizeof nsg, w, ~(1ULL << (w - 1)));
            if (!s)
                cg_printf(b, "(%s_hi | %s_lo) ? (%s_wr | %s) : %s_wr;\n", pfx, pfx, pfx, t, pfx);
            else
                cg_printf(b, "(%s_hi | %s_lo) ? (%s_sg ? ((%s_wr & %s) | %s) : ((%s_wr | %s) & %s)) : %s_wr;\n",
                          pfx, pfx, pfx, pfx, nt, sg, pfx, t, nsg, pfx);
        }
        break;
    case FXP_SAT:
        cg_printf(b, "%s_hi ? %s : %s_lo ? %s : %s_wr;\n", pfx, mx, pfx, mn, pfx);
        break;
    case FXP_SAT_ZERO:
        cg_printf(b, "(%s_hi | %s_lo) ? %d'h0 : %s_wr;\n", pfx, pfx, w, pfx);
        break;
    case FXP_SAT_SYM:
        if (s && w > 1)
            cg_printf(b, "%s_hi ? %s : (%s_lo | (%s_wr == %s)) ? %s : %s_wr;\n",
                      pfx, mx, pfx, pfx, mn, nmx, pfx);
        else
            cg_printf(b, "%s_hi ? %s : %s_lo ? %s : %s_wr;\n", pfx, mx, pfx, mn, pfx);
        break;
    }
}

/* fxp_quantize(src, sfrac, dst) with a constant shift: `src` is sw bits,
** signed or not; the result is wire `out` (dst->width bits). */
static void emit_quant(cg_buf *b, const char *in, const char *pfx, const char *src, int sw,
                       bool ssigned, int sfrac, const fxp_fmt *dst, const char *out)
{
    int w = sw + !ssigned;
    if (ssigned)
        cg_printf(b, "%swire [%d:0] %s_s = %s;\n", in, w - 1, pfx, src);
    else
        cg_printf(b, "%swire [%d:0] %s_s = {1'b0, %s};\n", in, w - 1, pfx, src);
    int d = sfrac - fxp_frac_bits(dst);
    char v[96];
    int vw;
    snprintf(v, sizeof v, "%s_v", pfx);
    if (d <= 0) {
        vw = w - d;
        if (d < 0)
            cg_printf(b, "%swire [%d:0] %s = {%s_s, %d'h0};\n", in, vw - 1, v, pfx, -d);
        else
            cg_printf(b, "%swire [%d:0] %s = %s_s;\n", in, vw - 1, v, pfx);
    } else {
        int ew = w > d + 2 ? w : d + 2;
        if (ew > w)
            cg_printf(b, "%swire [%d:0] %s_e = {{%d{%s_s[%d]}}, %s_s};\n", in, ew - 1, pfx,
                      ew - w, pfx, w - 1, pfx);
        else
            cg_printf(b, "%swire [%d:0] %s_e = %s_s;\n", in, ew - 1, pfx, pfx);
        int bw = ew - d;
        const char *ie = inc_expr(dst->qmode);
        if (!ie) {
            vw = bw;
            cg_printf(b, "%swire [%d:0] %s = %s_e[%d:%d];\n", in, vw - 1, v, pfx, ew - 1, d);
        } else {
            char e[256];
            subst_inc(e, sizeof e, ie, pfx);
            vw = bw + 1;
            cg_printf(b, "%swire %s_neg = %s_e[%d];\n", in, pfx, pfx, ew - 1);
            cg_printf(b, "%swire %s_qb = %s_e[%d];\n", in, pfx, pfx, d - 1);
            cg_printf(b, "%swire %s_odd = %s_e[%d];\n", in, pfx, pfx, d);
            if (d >= 2)
                cg_printf(b, "%swire %s_r = |%s_e[%d:0];\n", in, pfx, pfx, d - 2);
            else
                cg_printf(b, "%swire %s_r = 1'b0;\n", in, pfx);
            cg_printf(b, "%swire [%d:0] %s = {%s_e[%d], %s_e[%d:%d]} + {%d'h0, %s};\n", in,
                      vw - 1, v, pfx, ew - 1, pfx, ew - 1, d, vw - 1, e);
        }
    }
    emit_ovf(b, in, pfx, v, vw, dst, out);
}

/* ---- converter ---------------------------------------------------------- */

static const char *T(const cg_plan *p) { return p->o.top; }

/* "    input  wire [w-1:0] x0, x1, ...,\n" in lines of 8 names; `last` ends
** the port list (no trailing comma). */
static void port_list(cg_buf *b, const char *dir, int w, const char *pfx, int n, bool last)
{
    for (int i = 0; i < n; i += 8) {
        cg_printf(b, "    %s [%d:0] ", dir, w - 1);
        for (int k = i; k < n && k < i + 8; k++)
            cg_printf(b, "%s%d%s", pfx, k, k + 1 < n && k + 1 < i + 8 ? ", " : "");
        cg_printf(b, "%s\n", i + 8 >= n && last ? "" : ",");
    }
}

/* Converter output i: a wire, or a register with conv_reg[1]. */
static void conv_out(const cg_plan *p, cg_buf *b, int i, const char *val)
{
    if (p->conv_reg[1])
        cg_printf(b, "    reg  [%d:0] xreg%d;\n    always @(posedge clk) xreg%d <= %s;\n"
                     "    assign x%d = xreg%d;\n", p->m->in.fmt.width - 1, i, i, val, i, i);
    else
        cg_printf(b, "    assign x%d = %s;\n", i, val);
}

static void emit_converter(const cg_plan *p, cg_buf *b)
{
    const mdl_input *mi = &p->m->in;
    int n = mi->n_cells, cb = mi->charge_bits, sw = p->sum_w, mw = p->msb_w;
    int M = mi->sum_mant_bits, E = mi->sum_exp_bits, cw = p->code_w;
    const fxp_fmt *f = &mi->fmt;
    int xw = f->width;
    bool clk = p->conv_reg[0] || p->conv_reg[1];
    cg_printf(b, "// Converter: sum of the charges, its MSB, the normalized inputs\n"
                 "// x[i] = quantize(q[i] / 2^msb, %s) and the module sum as a\n"
                 "// %dE%dM float.%s\n", "input format", E, M,
              clk ? " Registers: see the `_r` signals." : "");
    cg_printf(b, "module %s_conv (\n", T(p));
    if (clk)
        cg_printf(b, "    input  wire clk,\n");
    cg_printf(b, "    input  wire [%d:0] q,        // %d charges x %d bits, cell i at [%d*i +: %d]\n",
              n * cb - 1, n, cb, cb, cb);
    port_list(b, "output wire", xw, "x", n, false);
    cg_printf(b, "    output wire [%d:0] sum_code  // module sum, exponent << %d | mantissa\n);\n", cw - 1, M);
    /* sum tree */
    int cnt = n, lev = 0;
    for (int i = 0; i < n; i++)
        cg_printf(b, "    wire [%d:0] s0_%d = {%d'h0, q[%d +: %d]};\n", sw - 1, i,
                  sw - cb > 0 ? sw - cb : 1, i * cb, cb);
    while (cnt > 1) {
        int nx = (cnt + 1) / 2;
        for (int i = 0; i < nx; i++) {
            if (2 * i + 1 < cnt)
                cg_printf(b, "    wire [%d:0] s%d_%d = s%d_%d + s%d_%d;\n", sw - 1, lev + 1, i,
                          lev, 2 * i, lev, 2 * i + 1);
            else
                cg_printf(b, "    wire [%d:0] s%d_%d = s%d_%d;\n", sw - 1, lev + 1, i, lev, 2 * i);
        }
        cnt = nx;
        lev++;
    }
    if (p->conv_reg[0]) {
        cg_printf(b, "    reg  [%d:0] sum;\n    reg  [%d:0] q_r;\n", sw - 1, n * cb - 1);
        cg_printf(b, "    always @(posedge clk) begin\n        sum <= s%d_0;\n        q_r <= q;\n    end\n", lev);
    } else {
        cg_printf(b, "    wire [%d:0] sum = s%d_0;\n    wire [%d:0] q_r = q;\n", sw - 1, lev, n * cb - 1);
    }
    /* MSB: priority encoder */
    cg_printf(b, "    // msb = floor(log2(sum)), 0 when sum == 0\n");
    cg_printf(b, "    reg  [%d:0] msb;\n    integer i;\n    always @* begin\n"
                 "        msb = %d'd0;\n        for (i = 0; i < %d; i = i + 1)\n"
                 "            if (sum[i]) msb = i[%d:0];\n    end\n", mw - 1, mw, sw, mw - 1);
    /* module-sum float */
    int ew = mw + 1 > E ? mw + 1 : E;
    cg_printf(b, "    // module sum float: exact below 2^%d, else e = msb - %d, the %d bits\n"
                 "    // under the leading one (truncated), all ones on exponent overflow\n", M, M - 1, M);
    cg_printf(b, "    /* verilator lint_off UNUSED */\n");
    if (sw > M) {
        cg_printf(b, "    wire c_small = ~|sum[%d:%d];\n", sw - 1, M);
        cg_printf(b, "    wire [%d:0] c_e = {%d'h0, msb} - %d'd%d;\n", ew - 1, ew - mw, ew, M - 1);
        cg_printf(b, "    wire [%d:0] c_sh = sum >> (msb - %d'd%d);\n", sw - 1, mw, M);
        if ((1LL << E) <= (long long)(sw - M))
            cg_printf(b, "    wire c_sat = c_e >= %d'd%lld;\n", ew, 1LL << E);
        else
            cg_printf(b, "    wire c_sat = 1'b0;\n");
        if (E > 0)
            cg_printf(b, "    wire [%d:0] c_small_code = {%d'h0, sum[%d:0]};\n", cw - 1, E, M - 1);
        else
            cg_printf(b, "    wire [%d:0] c_small_code = sum[%d:0];\n", cw - 1, M - 1);
        if (E > 0)
            cg_printf(b, "    wire [%d:0] c_code = c_small ? c_small_code : c_sat ? {%d{1'b1}} : {c_e[%d:0], c_sh[%d:0]};\n",
                      cw - 1, cw, E - 1, M - 1);
        else
            cg_printf(b, "    wire [%d:0] c_code = c_small ? c_small_code : {%d{1'b1}};\n", cw - 1, cw);
    } else {
        cg_printf(b, "    wire [%d:0] c_code = {%d'h0, sum};\n", cw - 1, cw - sw);
    }
    cg_printf(b, "    /* verilator lint_on UNUSED */\n");
    /* normalized inputs */
    int F = fxp_frac_bits(f);
    if (mi->norm == MDL_NORM_NONE) {
        cg_printf(b, "    // no normalization: x[i] = quantize(q[i] * 2^-%d)\n    /* verilator lint_off UNUSED */\n",
                  mi->charge_frac);
        for (int i = 0; i < n; i++) {
            char pfx[32], src[64], out[32];
            snprintf(pfx, sizeof pfx, "x%d", i);
            snprintf(src, sizeof src, "q_r[%d +: %d]", i * cb, cb);
            snprintf(out, sizeof out, "x%d_q", i);
            emit_quant(b, "    ", pfx, src, cb, false, mi->charge_frac, f, out);
            conv_out(p, b, i, out);
        }
        cg_printf(b, "    /* verilator lint_on UNUSED */\n");
    } else {
        /* raw = q * 2^(F - msb): q << P shifted right by msb + N */
        int P = F > 0 ? F : 0, N = F < 0 ? -F : 0;
        int qw = cb + P + 1;                 /* {q, P zeros, guard} */
        int shw = mw + 1;
        while ((1LL << shw) <= (long long)((1LL << mw) + N))
            shw++;
        const char *ie = inc_expr(f->qmode);
        cg_printf(b, "    // x[i] = quantize(q[i] * 2^(%d - msb)): shift right by msb + %d\n", F, N);
        cg_printf(b, "    wire [%d:0] shamt = {%d'h0, msb} + %d'd%d;\n", shw - 1, shw - mw, shw, N);
        if (ie)
            cg_printf(b, "    wire [%d:0] stmask = (({{%d{1'b0}}, 1'b1} << shamt) - %d'd1) & ~%d'd1;\n",
                      qw - 1, qw - 1, qw, qw);
        cg_printf(b, "    /* verilator lint_off UNUSED */\n");
        for (int i = 0; i < n; i++) {
            char pfx[32], v[48], out[32];
            snprintf(pfx, sizeof pfx, "x%d", i);
            snprintf(v, sizeof v, "x%d_v", i);
            snprintf(out, sizeof out, "x%d_q", i);
            if (P > 0)
                cg_printf(b, "    wire [%d:0] x%d_e = {q_r[%d +: %d], %d'h0, 1'b0};\n", qw - 1, i, i * cb, cb, P);
            else
                cg_printf(b, "    wire [%d:0] x%d_e = {q_r[%d +: %d], 1'b0};\n", qw - 1, i, i * cb, cb);
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
            emit_ovf(b, "    ", pfx, v, qw + 1, f, out);
            conv_out(p, b, i, out);
        }
        cg_printf(b, "    /* verilator lint_on UNUSED */\n");
    }
    if (p->conv_reg[1]) {
        cg_printf(b, "    reg  [%d:0] code_r;\n    always @(posedge clk) code_r <= c_code;\n"
                     "    assign sum_code = code_r;\n", cw - 1);
    } else
        cg_printf(b, "    assign sum_code = c_code;\n");
    cg_printf(b, "endmodule\n\n");
}

/* ---- neurons and layers ------------------------------------------------- */

/* Distinct tap counts of a layer's neurons, ascending. */
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

static void emit_neuron(const cg_plan *p, int li, int K, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_lplan *lp = &p->lp[li];
    const fxp_fmt *fi = &p->t[li].fmt;
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    int wx = fi->width, ww = l->w_fmt.width, wb = l->b_fmt.width, wo = l->out_fmt.width;
    int pw = lp->prod_w, aw = lp->acc_w;
    char id[80];
    cg_layer_ident(p, li, id, sizeof id);
    cg_printf(b, "// Neuron of %s with %d live taps: acc = sum x*w + (b << %d), %s, quantize.\n",
              id, K, lp->bias_shift, mdl_act_name(l->act));
    cg_printf(b, "module %s_%s_k%d", T(p), id, K);
    if (cst && K > 0)
        cg_printf(b, " #(\n    parameter [%d:0] W = %d'h0,\n    parameter [%d:0] B = %d'h0\n)",
                  K * ww - 1, K * ww, wb - 1, wb);
    else if (cst)
        cg_printf(b, " #(\n    parameter [%d:0] B = %d'h0\n)", wb - 1, wb);
    cg_printf(b, " (\n");
    if (lp->n_regs)
        cg_printf(b, "    input  wire clk,\n");
    port_list(b, "input  wire", wx, "x", K, false);
    if (!cst) {
        port_list(b, "input  wire", ww, "w", K, false);
        cg_printf(b, "    input  wire [%d:0] b,\n", wb - 1);
    }
    cg_printf(b, "    output wire [%d:0] y\n);\n", wo - 1);
    const char *B = cst ? "B" : "b";
    /* leaves: products and the aligned bias */
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
    }
    int bsh = lp->bias_shift, bext = aw - wb - bsh;
    char bl[160], bs[40];
    if (l->b_fmt.is_signed)
        snprintf(bs, sizeof bs, "%s[%d]", B, wb - 1);
    else
        snprintf(bs, sizeof bs, "1'b0");
    if (bext > 0 && bsh)
        snprintf(bl, sizeof bl, "{{%d{%s}}, %s, %d'h0}", bext, bs, B, bsh);
    else if (bext > 0)
        snprintf(bl, sizeof bl, "{{%d{%s}}, %s}", bext, bs, B);
    else if (bsh)
        snprintf(bl, sizeof bl, "{%s, %d'h0}", B, bsh);
    else
        snprintf(bl, sizeof bl, "%s", B);
    /* level 0 nodes */
    int cnt = K + 1;
    const char *kw0 = lp->reg[0] ? "reg " : "wire";
    for (int k = 0; k < K; k++) {
        if (lp->reg[0])
            cg_printf(b, "    reg  [%d:0] a0_%d;\n    always @(posedge clk) a0_%d <= {{%d{pr%d[%d]}}, pr%d};\n",
                      aw - 1, k, k, aw - pw, k, pw - 1, k);
        else if (aw > pw)
            cg_printf(b, "    %s [%d:0] a0_%d = {{%d{pr%d[%d]}}, pr%d};\n", kw0, aw - 1, k, aw - pw, k, pw - 1, k);
        else
            cg_printf(b, "    %s [%d:0] a0_%d = pr%d;\n", kw0, aw - 1, k, k);
    }
    if (lp->reg[0])
        cg_printf(b, "    reg  [%d:0] a0_%d;\n    always @(posedge clk) a0_%d <= %s;\n", aw - 1, K, K, bl);
    else
        cg_printf(b, "    wire [%d:0] a0_%d = %s;\n", aw - 1, K, bl);
    for (int t = 1; t <= lp->levels; t++) {
        int nx = (cnt + 1) / 2;
        for (int i = 0; i < nx; i++) {
            char e[96];
            if (2 * i + 1 < cnt)
                snprintf(e, sizeof e, "a%d_%d + a%d_%d", t - 1, 2 * i, t - 1, 2 * i + 1);
            else
                snprintf(e, sizeof e, "a%d_%d", t - 1, 2 * i);
            if (lp->reg[t])
                cg_printf(b, "    reg  [%d:0] a%d_%d;\n    always @(posedge clk) a%d_%d <= %s;\n",
                          aw - 1, t, i, t, i, e);
            else
                cg_printf(b, "    wire [%d:0] a%d_%d = %s;\n", aw - 1, t, i, e);
        }
        cnt = nx;
    }
    cg_printf(b, "    wire [%d:0] acc = a%d_0;\n", aw - 1, lp->levels);
    /* accumulator format, activation, output format */
    cg_printf(b, "    /* verilator lint_off UNUSED */\n");
    const char *cur = "acc";
    int cw = aw, cf = lp->acc_frac;
    bool csg = true;
    if (l->has_acc_fmt) {
        emit_quant(b, "    ", "qa", "acc", aw, true, lp->acc_frac, &l->acc_fmt, "acc_q");
        cur = "acc_q";
        cw = l->acc_fmt.width;
        cf = fxp_frac_bits(&l->acc_fmt);
        csg = l->acc_fmt.is_signed;
    }
    if (l->act == MDL_ACT_RELU && csg) {
        cg_printf(b, "    wire [%d:0] act = %s[%d] ? %d'h0 : %s;   // ReLU\n", cw - 1, cur, cw - 1, cw, cur);
        cur = "act";
    }
    emit_quant(b, "    ", "qo", cur, cw, csg, cf, &l->out_fmt, "yq");
    cg_printf(b, "    /* verilator lint_on UNUSED */\n");
    if (lp->reg[lp->levels + 1])
        cg_printf(b, "    reg  [%d:0] y_r;\n    always @(posedge clk) y_r <= yq;\n    assign y = y_r;\n", wo - 1);
    else
        cg_printf(b, "    assign y = yq;\n");
    cg_printf(b, "endmodule\n\n");
}

static void emit_layer(const cg_plan *p, int li, cg_buf *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_tensor *in = &p->t[li], *out = &p->t[li + 1];
    const cg_lplan *lp = &p->lp[li];
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    int wx = in->fmt.width, wo = out->fmt.width;
    char id[80];
    cg_layer_ident(p, li, id, sizeof id);
    bool mac = l->kind == MDL_CONV2D || l->kind == MDL_DENSE;
    if (mac) {
        int ks[4096];
        int nk = tap_counts(lp, ks);
        for (int i = 0; i < nk; i++)
            emit_neuron(p, li, ks[i], b);
    }
    /* which inputs / weights are read at all (unread ones get a lint waiver) */
    bool *used_x = calloc((size_t)in->n_live + 1, 1);
    bool *used_w = calloc(l->n_w + 1, 1);
    bool all_w = true;
    if (!used_x || !used_w) {
        free(used_x);
        free(used_w);
        b->oom = true;
        return;
    }
    {
        if (l->kind == MDL_MAP) {
            for (int i = 0; i < out->n; i++)
                if (out->live[i])
                    used_x[in->bus[l->map[i]]] = true;
        } else if (l->kind == MDL_FLATTEN) {
            for (int i = 0; i < in->n; i++)
                if (in->live[i])
                    used_x[in->bus[i]] = true;
        } else
            for (int o = 0; o < lp->n_out; o++)
                for (int k = 0; k < lp->nr[o].n_taps; k++) {
                    used_x[in->bus[lp->nr[o].taps[k].in]] = true;
                    used_w[lp->nr[o].taps[k].w] = true;
                }
        for (size_t i = 0; mac && i < l->n_w; i++)
            all_w &= used_w[i];
    }
    free(used_w);
    cg_printf(b, "// Layer %d: %s (%s), %dx%dx%d -> %dx%dx%d; bus carries the %d live inputs\n"
                 "// and %d live outputs (constant-zero positions are pruned).\n",
              li, l->name, mdl_kind_name(l->kind), l->in.h, l->in.w, l->in.c, l->out.h, l->out.w,
              l->out.c, in->n_live, out->n_live);
    cg_printf(b, "module %s_%s (\n", T(p), id);
    if (mac && lp->n_regs)
        cg_printf(b, "    input  wire clk,\n");
    for (int i = 0; i < in->n_live; i++) {
        if (used_x[i])
            cg_printf(b, "    input  wire [%d:0] x%d,\n", wx - 1, i);
        else
            cg_printf(b, "    /* verilator lint_off UNUSED */\n    input  wire [%d:0] x%d,   // not read\n"
                         "    /* verilator lint_on UNUSED */\n", wx - 1, i);
    }
    if (mac && !cst) {
        if (!all_w)
            cg_printf(b, "    /* verilator lint_off UNUSED */\n");
        cg_printf(b, "    input  wire [%zu:0] w,   // kernel, image order, %d bits each\n",
                  l->n_w * (size_t)l->w_fmt.width - 1, l->w_fmt.width);
        if (!all_w)
            cg_printf(b, "    /* verilator lint_on UNUSED */\n");
        cg_printf(b, "    input  wire [%zu:0] b,   // biases\n", l->n_b * (size_t)l->b_fmt.width - 1);
    }
    port_list(b, "output wire", wo, "y", out->n_live, true);
    cg_printf(b, ");\n");
    free(used_x);
    if (!mac) {
        for (int i = 0; i < out->n; i++) {
            if (!out->live[i])
                continue;
            int src = l->kind == MDL_MAP ? l->map[i] : i;
            cg_printf(b, "    assign y%d = x%d;\n", out->bus[i], in->bus[src]);
        }
        cg_printf(b, "endmodule\n\n");
        return;
    }
    int ww = l->w_fmt.width, wb = l->b_fmt.width;
    for (int o = 0; o < lp->n_out; o++) {
        const cg_neuron *nr = &lp->nr[o];
        int K = nr->n_taps;
        cg_printf(b, "    %s_%s_k%d", T(p), id, K);
        if (cst) {
            cg_printf(b, " #(");
            if (K > 0) {
                cg_printf(b, ".W({");
                for (int k = K - 1; k >= 0; k--) {
                    char v[40];
                    lit(v, sizeof v, ww, (unsigned long long)l->w[nr->taps[k].w]);
                    cg_printf(b, "%s%s", v, k ? ", " : "");
                }
                cg_printf(b, "}), ");
            }
            char v[40];
            lit(v, sizeof v, wb, (unsigned long long)l->b[nr->bias]);
            cg_printf(b, ".B(%s))", v);
        }
        cg_printf(b, " n%d (", o);
        if (lp->n_regs)
            cg_printf(b, ".clk(clk), ");
        for (int k = 0; k < K; k++)
            cg_printf(b, "%s.x%d(x%d), ", k % 8 == 0 ? "\n        " : "", k, in->bus[nr->taps[k].in]);
        for (int k = 0; !cst && k < K; k++)
            cg_printf(b, "%s.w%d(w[%d +: %d]), ", k % 6 == 0 ? "\n        " : "", k,
                      nr->taps[k].w * ww, ww);
        if (!cst)
            cg_printf(b, "\n        .b(b[%d +: %d]), ", nr->bias * wb, wb);
        cg_printf(b, ".y(y%d));\n", out->bus[o]);
    }
    cg_printf(b, "endmodule\n\n");
}

/* ---- latent formatter ------------------------------------------------- */

static void emit_formatter(const cg_plan *p, cg_buf *b)
{
    const fxp_fmt *lf = &p->t[p->m->n_layers].fmt;
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
    cg_printf(b, "    /* verilator lint_off UNUSED */\n");
    for (int j = 0; j < nb; j++) {
        fxp_fmt f = *lf;
        f.width = distinct[j];
        f.qmode = FXP_TRN;
        f.omode = FXP_SAT;
        f.sat_bits = 0;
        cg_printf(b, "    wire [%d:0] z%d;\n", n * w - 1, distinct[j]);
        for (int i = 0; i < n; i++) {
            char pfx[32], src[48], out[32];
            snprintf(pfx, sizeof pfx, "b%d_%d", distinct[j], i);
            snprintf(src, sizeof src, "y%d", i);
            snprintf(out, sizeof out, "b%d_%d_q", distinct[j], i);
            emit_quant(b, "    ", pfx, src, w, lf->is_signed, fxp_frac_bits(lf), &f, out);
            int e = w - distinct[j];
            if (e == 0)
                cg_printf(b, "    assign z%d[%d +: %d] = %s;\n", distinct[j], i * w, w, out);
            else if (lf->is_signed)
                cg_printf(b, "    assign z%d[%d +: %d] = {{%d{%s[%d]}}, %s};\n", distinct[j], i * w, w,
                          e, out, distinct[j] - 1, out);
            else
                cg_printf(b, "    assign z%d[%d +: %d] = {%d'h0, %s};\n", distinct[j], i * w, w, e, out);
        }
    }
    cg_printf(b, "    /* verilator lint_on UNUSED */\n");
    cg_printf(b, "    always @* begin\n        case (n_links)\n");
    for (int k = 1; k <= MDL_MAX_LINKS && k < (1 << lw); k++)
        if (bits[k] && bits[k] != def)
            cg_printf(b, "        %d'd%d: z = z%d;\n", lw, k, bits[k]);
    cg_printf(b, "        default: z = z%d;\n        endcase\n    end\nendmodule\n\n", def);
}

/* ---- top ---------------------------------------------------------------- */

/* Three copies of a control register, bitwise majority vote, each copy
** loaded from `next` (computed from voted values) so that an upset in one
** copy is outvoted at once and overwritten at the next edge.  Each copy has
** its own (* keep *) always block: otherwise Yosys' opt_merge folds the
** identical copies back into one register. */
static void emit_tmr_regs(cg_buf *b, const char *base, int msb, const char *voted,
                          const char *reset, const char *next)
{
    for (int k = 0; k < 3; k++)
        cg_printf(b, "    reg  [%d:0] %s_%d;\n", msb, base, k);
    cg_printf(b, "    assign %s = (%s_0 & %s_1) | (%s_0 & %s_2) | (%s_1 & %s_2);\n", voted, base,
              base, base, base, base, base);
    for (int k = 0; k < 3; k++)
        cg_printf(b, "    (* keep *)\n    always @(posedge clk)\n        %s_%d <= rst ? %s : %s;\n",
                  base, k, reset, next);
}

/* The valid and configuration-change flags, one bit per register stage:
** plain registers, or triplicated with --tmr-control (cg_opts.tmr_ctrl). */
static void emit_control(const cg_plan *p, cg_buf *b)
{
    int D = p->o.pipeline;
    char nv[96], nc[96], rz[16];
    if (D == 0) {
        snprintf(nv, sizeof nv, "in_valid");
        snprintf(nc, sizeof nc, "cfg_wr");
    } else {
        snprintf(nv, sizeof nv, "{vld[%d:0], in_valid}", D - 1);
        snprintf(nc, sizeof nc, "{chg[%d:0], 1'b0} | {%d{cfg_wr}}", D - 1, D + 1);
    }
    snprintf(rz, sizeof rz, "%d'h0", D + 1);
    cg_printf(b, "    // valid and configuration-change flags, one per register stage%s\n",
              p->o.tmr_ctrl ? "\n    // (triplicated: three copies, majority vote, voted value reloaded)" : "");
    if (p->o.tmr_ctrl) {
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

static void emit_top(const cg_plan *p, cg_buf *b)
{
    const mdl_model *m = p->m;
    int n = m->in.n_cells, cb = m->in.charge_bits, cw = p->code_w;
    int nl = p->n_lat, lw = p->lat_w, L = p->latency, D = p->o.pipeline;
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    bool sp = p->o.seu_port && !cst;    /* the cfg module has the SEU ports */
    cg_printf(b, "// Top: one crossing per clock (II = 1).  in_valid/in_q are registered at\n"
                 "// a rising edge; the result leaves the output registers %d clocks later\n"
                 "// (out_valid high after edge k + %d for a crossing sampled at edge k).\n"
                 "// out_cfg_chg = 1: a configuration write happened while this crossing was\n"
                 "// in flight (its weights may be a mix of old and new).  Synchronous resets:\n"
                 "// rst clears the valid pipeline only (the datapath), rst_cfg (configuration\n"
                 "// reset / power-on) the configuration registers only.\n", L, L);
    cg_printf(b, "module %s (\n    input  wire clk,\n    input  wire rst,          // datapath reset\n"
                 "    input  wire rst_cfg,      // configuration reset / power-on\n"
                 "    input  wire in_valid,\n"
                 "    input  wire [%d:0] in_q,        // %d charges x %d bits, cell i at [%d*i +: %d]\n"
                 "    output %s out_valid,\n    output %s out_cfg_chg,\n"
                 "    output reg  [%d:0] out_sum,      // module-sum float code\n"
                 "    output reg  [%d:0] out_latent,   // %d sent latent values x %d bits (raw, right-aligned)\n"
                 "    input  wire cfg_we,\n    input  wire [%d:0] cfg_addr,\n"
                 "    input  wire [31:0] cfg_wdata,\n    output wire [31:0] cfg_rdata%s\n",
              T(p), n * cb - 1, n, cb, cb, cb, p->o.tmr_ctrl ? "wire" : "reg ", p->o.tmr_ctrl ? "wire" : "reg ",
              cw - 1, nl * lw - 1, nl, lw, p->cfg_aw - 1, sp ? "," : "");
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
    cg_printf(b, "    %s_cfg u_cfg (.clk(clk), .rst_cfg(rst_cfg), .cfg_we(cfg_we), .cfg_addr(cfg_addr),\n"
                 "        .cfg_wdata(cfg_wdata), .cfg_rdata(cfg_rdata),%s .n_links(n_links), .cfg_wr(cfg_wr)%s);\n",
              T(p), cst ? "" : " .wimg(wimg),",
              sp ? ",\n        .seu_count(seu_count), .seu_derr(seu_derr), .seu_inject_en(seu_inject_en),\n"
                   "        .seu_inject_copy(seu_inject_copy), .seu_inject_addr(seu_inject_addr)" : "");
    cg_printf(b, "    // input registers\n    reg  [%d:0] q_in;\n    always @(posedge clk) q_in <= in_q;\n", n * cb - 1);
    emit_control(p, b);
    /* datapath */
    cg_printf(b, "    // datapath tensors: t0 = converter output, tI = output of layer I-1\n"
                 "    // (live values only, one wire each, raw fixed-point integers)\n");
    for (int li = 0; li <= m->n_layers; li++) {
        const cg_tensor *t = &p->t[li];
        char fs[64];
        fxp_fmt_str(&t->fmt, fs, sizeof fs);
        cg_printf(b, "    // t%d: %s, %d of %d values live, %s\n", li,
                  li ? m->layers[li - 1].name : "converter", t->n_live, t->n, fs);
        for (int i = 0; i < t->n_live; i += 8) {
            cg_printf(b, "    wire [%d:0] ", t->fmt.width - 1);
            for (int k = i; k < t->n_live && k < i + 8; k++)
                cg_printf(b, "t%d_%d%s", li, k, k + 1 < t->n_live && k + 1 < i + 8 ? ", " : ";\n");
        }
    }
    cg_printf(b, "    wire [%d:0] code0;\n", cw - 1);
    cg_printf(b, "    %s_conv u_conv (%s.q(q_in),", T(p),
              p->conv_reg[0] || p->conv_reg[1] ? ".clk(clk), " : "");
    for (int i = 0; i < p->t[0].n_live; i++)
        cg_printf(b, "%s.x%d(t0_%d),", i % 8 == 0 ? "\n        " : " ", i, i);
    cg_printf(b, " .sum_code(code0));\n");
    for (int li = 0; li < m->n_layers; li++) {
        const cg_tensor *ti = &p->t[li], *t = &p->t[li + 1];
        const mdl_layer *l = &m->layers[li];
        char id[80];
        cg_layer_ident(p, li, id, sizeof id);
        bool mac = l->kind == MDL_CONV2D || l->kind == MDL_DENSE;
        cg_printf(b, "    %s_%s u_%s (", T(p), id, id);
        if (mac && p->lp[li].n_regs)
            cg_printf(b, ".clk(clk), ");
        if (mac && !cst)
            cg_printf(b, ".w(wimg[%zu +: %zu]), .b(wimg[%zu +: %zu]),", p->lp[li].w_off,
                      l->n_w * (size_t)l->w_fmt.width, p->lp[li].b_off, l->n_b * (size_t)l->b_fmt.width);
        for (int i = 0; i < ti->n_live; i++)
            cg_printf(b, "%s.x%d(t%d_%d),", i % 8 == 0 ? "\n        " : " ", i, li, i);
        for (int i = 0; i < t->n_live; i++)
            cg_printf(b, "%s.y%d(t%d_%d)%s", i % 8 == 0 ? "\n        " : " ", i, li + 1, i,
                      i + 1 < t->n_live ? "," : ");\n");
    }
    /* the module-sum code travels with the data */
    int k = p->conv_regs_after;
    cg_printf(b, "    // module-sum code delayed by the %d register stage(s) after the converter\n", k);
    if (k == 0)
        cg_printf(b, "    wire [%d:0] code_d = code0;\n", cw - 1);
    else {
        for (int i = 1; i <= k; i++)
            cg_printf(b, "    reg  [%d:0] code%d;\n", cw - 1, i);
        cg_printf(b, "    always @(posedge clk) begin\n");
        for (int i = 1; i <= k; i++)
            cg_printf(b, "        code%d <= code%d;\n", i, i - 1);
        cg_printf(b, "    end\n    wire [%d:0] code_d = code%d;\n", cw - 1, k);
    }
    cg_printf(b, "    wire [%d:0] lat;\n", nl * lw - 1);
    cg_printf(b, "    %s_fmt u_fmt (.n_links(n_links),", T(p));
    for (int i = 0; i < nl; i++)
        cg_printf(b, "%s.y%d(t%d_%d),", i % 8 == 0 ? "\n        " : " ", i, m->n_layers, i);
    cg_printf(b, " .z(lat));\n");
    cg_printf(b, "    // output registers\n    always @(posedge clk) begin\n"
                 "        out_sum <= code_d;\n        out_latent <= lat;\n");
    if (!p->o.tmr_ctrl)
        cg_printf(b, "        if (rst) begin\n            out_valid <= 1'b0;\n            out_cfg_chg <= 1'b0;\n"
                     "        end else begin\n            out_valid <= vld[%d];\n"
                     "            out_cfg_chg <= chg[%d] | cfg_wr;\n        end\n", D, D);
    cg_printf(b, "    end\n");
    if (p->o.tmr_ctrl) {
        char nv[32], nc[48];
        snprintf(nv, sizeof nv, "vld[%d]", D);
        snprintf(nc, sizeof nc, "chg[%d] | cfg_wr", D);
        emit_tmr_regs(b, "ov", 0, "out_valid", "1'b0", nv);
        emit_tmr_regs(b, "oc", 0, "out_cfg_chg", "1'b0", nc);
    }
    cg_printf(b, "endmodule\n");
}

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
    cg_header(&b, o, "// ", what);
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
    cg_buf_free(&b);
    cg_buf_free(&c);
    cg_plan_free(&p);
    return rc;
}
