/*
** cg_arith.c — the bit-heap neurons of `rad4ml gen --arith csa|booth`
** (codegen/README.md, "Arithmetic").
**
** A neuron with K taps computes acc = sum_k x_k * w_k + (b << bias_shift)
** with weights that are runtime values (configuration registers).  Instead
** of K multipliers and an adder tree (--arith tree, cg_rtl.c), every
** partial-product bit of the K products and every bias bit go into one bit
** heap (one column per bit weight), a Dadda tree of full and half adders
** reduces the heap to two rows, and one carry-propagate adder adds them.
**
**  - Signs (Baugh-Wooley, folded): a bit a of negative weight -2^c is
**    written as ~a at 2^c plus the constant -2^c; all such constants of the
**    neuron are summed into one constant whose one-bits enter the heap.
**  - Width: the heap is computed modulo 2^W, W = the exact signed width of
**    the neuron's range proved from the formats (cg_neuron_range, never
**    from data); the true sum lies in that range, so the W-bit result is
**    exact, and it is sign-extended to the layer's accumulator width.
**  - booth: the weight is radix-4 Booth recoded (digits -2..2, one row per
**    two weight bits): each row is x * {0, +-1, +-2}, a negative digit
**    written as the inverted row plus a +1 bit into the heap.
** Pipeline registers of the adder-tree slots 0..levels become registers
** on the W-bit accumulator after the final adder (fewer flip-flops than the
** tree's acc_w-bit node), so the latency and the results are those of
** --arith tree.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_int.h"

#define BIT 48                   /* longest heap entry ("~pp127_5[7]") */

typedef struct {
    int       W;                 /* columns 0 .. W-1 (bits of weight 2^c) */
    int      *n, *cap;
    char   (**col)[BIT];
    unsigned __int128 konst;     /* the folded constant, modulo 2^W      */
    int       nfa, nha;          /* full / half adders emitted            */
    bool      oom;
} heap;

static int heap_init(heap *h, int W)
{
    memset(h, 0, sizeof *h);
    h->W = W;
    h->n = calloc((size_t)W, sizeof *h->n);
    h->cap = calloc((size_t)W, sizeof *h->cap);
    h->col = calloc((size_t)W, sizeof *h->col);
    return h->n && h->cap && h->col ? 0 : -1;
}

static void heap_free(heap *h)
{
    for (int c = 0; h->col && c < h->W; c++)
        free(h->col[c]);
    free(h->col);
    free(h->n);
    free(h->cap);
}

/* Appends the bit `s` to column c (dropped when c >= W: modulo 2^W). */
static void heap_put(heap *h, int c, const char *s)
{
    if (c < 0 || c >= h->W || h->oom)
        return;
    if (h->n[c] == h->cap[c]) {
        int nc = h->cap[c] ? 2 * h->cap[c] : 16;
        char (*p)[BIT] = realloc(h->col[c], (size_t)nc * sizeof *p);
        if (!p) {
            h->oom = true;
            return;
        }
        h->col[c] = p;
        h->cap[c] = nc;
    }
    snprintf(h->col[c][h->n[c]++], BIT, "%.*s", BIT - 1, s);
}

static void heap_putf(heap *h, int c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void heap_putf(heap *h, int c, const char *fmt, ...)
{
    char s[BIT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    heap_put(h, c, s);
}

/* A bit of weight -2^c: ~s at 2^c and the constant -2^c. */
static void heap_neg(heap *h, int c, const char *s)
{
    char t[BIT + 2];
    snprintf(t, sizeof t, "~%s", s);
    heap_put(h, c, t);
    if (c >= 0 && c < h->W)
        h->konst -= (unsigned __int128)1 << c;
}

/* The one-bits of the folded constant as 1'b1 entries. */
static void heap_konst(heap *h)
{
    for (int c = 0; c < h->W; c++)
        if ((h->konst >> c) & 1)
            heap_put(h, c, "1'b1");
}

/* ---- operands ------------------------------------------------------------ */

/* Bit j of weight k (sign- or zero-extended above its width). */
static void wbit(const cg_plan *p, int li, int k, int j, char *s, size_t len)
{
    const fxp_fmt *f = &p->m->layers[li].w_fmt;
    int ww = f->width;
    if (j >= ww && !f->is_signed) {
        snprintf(s, len, "1'b0");
        return;
    }
    if (j >= ww)
        j = ww - 1;
    if (p->o.weights == CG_WEIGHTS_CONST)
        snprintf(s, len, "W[%d]", k * ww + j);
    else
        snprintf(s, len, "w%d[%d]", k, j);
}

/* Plain partial products of tap k: row j = x_k & w_k[j], a bit of weight
** -2^c (exactly one of its factors is a sign bit) through heap_neg. */
static void csa_products(const cg_plan *p, int li, int k, cg_buf *b, heap *h)
{
    const fxp_fmt *fx = &p->t[li].fmt, *fw = &p->m->layers[li].w_fmt;
    int wx = fx->width, ww = fw->width;
    char wb[BIT], bit[BIT];
    for (int j = 0; j < ww; j++) {
        wbit(p, li, k, j, wb, sizeof wb);
        cg_printf(b, "    wire [%d:0] pp%d_%d = x%d & {%d{%s}};\n", wx - 1, k, j, k, wx, wb);
        for (int i = 0; i < wx; i++) {
            bool neg = (fx->is_signed && i == wx - 1) != (fw->is_signed && j == ww - 1);
            snprintf(bit, sizeof bit, "pp%d_%d[%d]", k, j, i);
            if (neg)
                heap_neg(h, i + j, bit);
            else
                heap_put(h, i + j, bit);
        }
    }
}

/* Radix-4 Booth rows of tap k: digit j of the weight from its bits
** (2j+1, 2j, 2j-1) as one (|d| = 1), two (|d| = 2), neg (d < 0); row
** e = (x * |d|) ^ neg over n+1 bits (n: x as a signed number), its sign
** bit through heap_neg, and the +1 of the negation as the bit neg. */
static void booth_products(const cg_plan *p, int li, int k, cg_buf *b, heap *h)
{
    const fxp_fmt *fx = &p->t[li].fmt, *fw = &p->m->layers[li].w_fmt;
    int wx = fx->width, n = wx + !fx->is_signed, G = (fw->width + !fw->is_signed + 1) / 2;
    char b2[BIT], b1[BIT], b0[BIT], bit[BIT];
    if (fx->is_signed)
        cg_printf(b, "    wire [%d:0] xe%d = {{%d{x%d[%d]}}, x%d};\n", n, k, n + 1 - wx, k,
                  wx - 1, k);
    else
        cg_printf(b, "    wire [%d:0] xe%d = {%d'h0, x%d};\n", n, k, n + 1 - wx, k);
    for (int j = 0; j < G; j++) {
        wbit(p, li, k, 2 * j + 1, b2, sizeof b2);
        wbit(p, li, k, 2 * j, b1, sizeof b1);
        if (j)
            wbit(p, li, k, 2 * j - 1, b0, sizeof b0);
        if (j)
            cg_printf(b, "    wire bo%d_%d = %s ^ %s;\n    wire bt%d_%d = (%s & ~%s & ~%s) | "
                         "(~%s & %s & %s);\n", k, j, b1, b0, k, j, b2, b1, b0, b2, b1, b0);
        else    /* bit -1 is 0 */
            cg_printf(b, "    wire bo%d_%d = %s;\n    wire bt%d_%d = %s & ~%s;\n", k, j, b1,
                      k, j, b2, b1);
        cg_printf(b, "    wire bn%d_%d = %s;\n", k, j, b2);
        cg_printf(b, "    wire [%d:0] e%d_%d = ((xe%d & {%d{bo%d_%d}}) | ({xe%d[%d:0], 1'b0} & "
                     "{%d{bt%d_%d}})) ^ {%d{bn%d_%d}};\n", n, k, j, k, n + 1, k, j, k, n - 1,
                  n + 1, k, j, n + 1, k, j);
        for (int i = 0; i < n; i++)
            heap_putf(h, 2 * j + i, "e%d_%d[%d]", k, j, i);
        snprintf(bit, sizeof bit, "e%d_%d[%d]", k, j, n);
        heap_neg(h, 2 * j + n, bit);
        heap_putf(h, 2 * j, "bn%d_%d", k, j);
    }
}

/* The bias bits at their weights (bias_shift up), the sign bit negative
** when the bias is signed. */
static void bias_bits(const cg_plan *p, int li, heap *h)
{
    const fxp_fmt *f = &p->m->layers[li].b_fmt;
    int wb = f->width, sh = p->lp[li].bias_shift;
    const char *B = p->o.weights == CG_WEIGHTS_CONST ? "B" : "b";
    char bit[BIT];
    for (int i = 0; i < wb; i++) {
        snprintf(bit, sizeof bit, "%s[%d]", B, i);
        if (f->is_signed && i == wb - 1)
            heap_neg(h, i + sh, bit);
        else
            heap_put(h, i + sh, bit);
    }
}

/* ---- Dadda reduction ----------------------------------------------------- */

/* A full (c3 non-NULL) or half adder of column c: its sum goes to nc (the
** stage's new column c), its carry to carry (column c + 1; none at the
** top column: modulo 2^W). */
static void adder(heap *h, cg_buf *b, int c, const char *a1, const char *a2, const char *a3,
                  heap *nc, heap *carry)
{
    char s[BIT], co[BIT];
    if (a3) {
        snprintf(s, sizeof s, "fa%d_s", h->nfa);
        snprintf(co, sizeof co, "fa%d_c", h->nfa++);
        cg_printf(b, "    wire %s = %s ^ %s ^ %s;\n", s, a1, a2, a3);
        if (c + 1 < h->W)
            cg_printf(b, "    wire %s = (%s & %s) | (%s & %s) | (%s & %s);\n", co, a1, a2, a1,
                      a3, a2, a3);
    } else {
        snprintf(s, sizeof s, "ha%d_s", h->nha);
        snprintf(co, sizeof co, "ha%d_c", h->nha++);
        cg_printf(b, "    wire %s = %s ^ %s;\n", s, a1, a2);
        if (c + 1 < h->W)
            cg_printf(b, "    wire %s = %s & %s;\n", co, a1, a2);
    }
    heap_put(nc, c, s);
    heap_put(carry, c + 1, co);
}

/* Contract: one Dadda stage to height d.  Column by column from the LSB,
** the column's height counts the carries coming in from the column below
** in this stage; while it exceeds d, a full adder (two too many or more)
** or a half adder (one too many) takes the column's oldest bits.  The new
** column is: the bits left, this stage's sums, the carries from below.
** Returns -1 when out of memory. */
static int dadda_stage(heap *h, cg_buf *b, int d)
{
    heap nh, cy;
    if (heap_init(&nh, h->W) || heap_init(&cy, h->W)) {
        heap_free(&nh);
        heap_free(&cy);
        return -1;
    }
    for (int c = 0; c < h->W; c++) {
        int L = h->n[c], used = 0, eff = L + cy.n[c], nfa = 0, nha = 0;
        char (*o)[BIT] = h->col[c];
        while (eff > d && L - used >= 2) {          /* how many adders */
            bool fa = eff - d >= 2 && L - used >= 3;
            nfa += fa;
            nha += !fa;
            used += fa ? 3 : 2;
            eff -= fa ? 2 : 1;
        }
        for (int i = used; i < L; i++)
            heap_put(&nh, c, o[i]);
        int i = 0;
        for (int k = 0; k < nfa; k++, i += 3)
            adder(h, b, c, o[i], o[i + 1], o[i + 2], &nh, &cy);
        for (int k = 0; k < nha; k++, i += 2)
            adder(h, b, c, o[i], o[i + 1], NULL, &nh, &cy);
        for (int j = 0; j < cy.n[c]; j++)
            heap_put(&nh, c, cy.col[c][j]);
    }
    int bad = nh.oom || cy.oom;
    heap_free(&cy);
    for (int c = 0; c < h->W; c++)
        free(h->col[c]);
    free(h->col);
    free(h->n);
    free(h->cap);
    h->n = nh.n;
    h->cap = nh.cap;
    h->col = nh.col;
    return bad ? -1 : 0;
}

static int heap_height(const heap *h)
{
    int m = 0;
    for (int c = 0; c < h->W; c++)
        m = h->n[c] > m ? h->n[c] : m;
    return m;
}

/* Dadda heights 2, 3, 4, 6, 9, 13, ...: stages to the largest below the
** heap's height, down to 2 (then more stages of height 2 while a column's
** carries left it at 3). */
static int dadda(heap *h, cg_buf *b)
{
    int ds[64], nd = 1;
    ds[0] = 2;
    while (nd < 63 && ds[nd - 1] * 3 / 2 < heap_height(h)) {
        ds[nd] = ds[nd - 1] * 3 / 2;
        nd++;
    }
    for (int i = nd - 1; i >= 0; i--)
        if (ds[i] < heap_height(h) && dadda_stage(h, b, ds[i]))
            return -1;
    for (int guard = 0; heap_height(h) > 2 && guard < 64; guard++)
        if (dadda_stage(h, b, 2))
            return -1;
    return heap_height(h) > 2 ? -1 : 0;
}

/* ---- the neuron ---------------------------------------------------------- */

/* Exact accumulator width of the layer's neurons with K taps. */
static int neuron_width(const cg_plan *p, int li, int K)
{
    const cg_lplan *lp = &p->lp[li];
    int W = 1;
    for (int o = 0; o < lp->n_out; o++) {
        if (lp->nr[o].n_taps != K)
            continue;
        __int128 lo, hi;
        cg_neuron_range(p, li, o, &lo, &hi);
        int w = cg_sbits(lo, hi);
        W = w > W ? w : W;
    }
    return W;
}

/* Row r (0 or 1) of the reduced heap as a concatenation, MSB first. */
static char *heap_row(const heap *h, int r)
{
    size_t len = (size_t)h->W * (BIT + 2) + 4, k = 0;
    char *e = malloc(len);
    if (!e)
        return NULL;
    k += (size_t)snprintf(e, len, "{");
    for (int c = h->W - 1; c >= 0; c--)
        k += (size_t)snprintf(e + k, len - k, "%s%s", h->n[c] > r ? h->col[c][r] : "1'b0",
                              c ? ", " : "}");
    return e;
}

/* The two rows, their sum (one carry-propagate adder), registered once
** per register the adder-tree slots 0..levels hold (the accumulator is
** narrower than the two rows), and the sign extension to the layer's
** accumulator width: the accumulator's name into acc. */
static void final_adder(const cg_plan *p, int li, const heap *h, cg_buf *b, char *acc)
{
    const cg_lplan *lp = &p->lp[li];
    int W = h->W;
    char *r0 = heap_row(h, 0), *r1 = heap_row(h, 1), s0[CG_NAME], s1[CG_NAME];
    char e[3 * CG_NAME], nm[CG_NAME];
    if (!r0 || !r1) {
        b->oom = true;
        snprintf(acc, CG_NAME, "acc");
        free(r0);
        free(r1);
        return;
    }
    cg_bind(b, "    ", W, "acc_s", r0, s0, sizeof s0);
    cg_bind(b, "    ", W, "acc_c", r1, s1, sizeof s1);
    free(r0);
    free(r1);
    snprintf(e, sizeof e, "%s + %s", s0, s1);
    cg_bind(b, "    ", W, "acc_w", e, acc, CG_NAME);
    for (int s = 0; s <= lp->levels; s++) {
        if (!lp->reg[s])
            continue;
        snprintf(e, sizeof e, "%s", acc);
        snprintf(nm, sizeof nm, "acc_r%d", s);
        cg_node(b, "    ", true, W, nm, e, acc, CG_NAME);
    }
    if (W < lp->acc_w) {
        snprintf(e, sizeof e, "{{%d{%s[%d]}}, %s}", lp->acc_w - W, acc, W - 1, acc);
        cg_bind(b, "    ", lp->acc_w, "acc", e, acc, CG_NAME);
    }
}

/* See cg_int.h.  Ports as the tree neuron, the heap (products, bias,
** constant), the Dadda tree, the final adder, the output quantization. */
void cg_arith_neuron(const cg_plan *p, int li, int K, cg_buf *b)
{
    char id[80], acc[CG_NAME];
    cg_layer_ident(p, li, id, sizeof id);
    cg_neuron_ports(p, li, K, id, b);
    heap h;
    if (heap_init(&h, neuron_width(p, li, K))) {
        heap_free(&h);
        b->oom = true;
        return;
    }
    cg_lint_off(b, "    ", "UNUSED");
    for (int k = 0; k < K; k++)
        if (p->o.arith == CG_ARITH_BOOTH)
            booth_products(p, li, k, b, &h);
        else
            csa_products(p, li, k, b, &h);
    bias_bits(p, li, &h);
    heap_konst(&h);
    cg_printf(b, "    // bit heap: %d columns, height %d; Dadda tree, then one adder\n", h.W,
              heap_height(&h));
    if (h.oom || dadda(&h, b))
        b->oom = true;
    final_adder(p, li, &h, b, acc);
    heap_free(&h);
    cg_neuron_output(p, li, acc, b);
}
