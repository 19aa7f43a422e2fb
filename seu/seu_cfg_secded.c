/*
** seu_cfg_secded.c — storage of the SECDED (extended Hamming) register file.
**
** The image is cut into words of D data bits (64 by default), each stored
** as a CW = D + r + 1 bit codeword indexed by Hamming position: position 0
** holds the overall parity, position 2^j check bit j, the others the data
** bits in order.  Every clock, for every codeword in parallel:
**   syndrome s = XOR of the positions of the set bits, parity = XOR of all;
**   parity odd  -> single error at position s: corrected (counted);
**   parity even, s != 0 -> double error: flagged (seu_derr), not corrected;
** the corrected data (with any cfg bus write applied) are re-encoded and
** written back, so single upsets are scrubbed at the next edge.  The read
** path (w_img) is the corrected data, so a single upset never reaches the
** datapath.
*/
#include <stdlib.h>
#include "seu/seu_cfg_int.h"

/* Position of data bit i (skipping 0 and the powers of two). */
static int data_pos(int i)
{
    int p = 2;
    for (int k = 0; k <= i; k++) {
        p++;
        while ((p & (p - 1)) == 0)
            p++;
    }
    return p;
}

static void print_mask(FILE *fp, int width, const uint8_t *bits)
{
    fprintf(fp, "%d'h", width);
    for (int d = (width + 3) / 4 - 1; d >= 0; d--) {
        int v = 0;
        for (int b = 3; b >= 0; b--)
            v = v << 1 | (4 * d + b < width ? bits[4 * d + b] : 0);
        fprintf(fp, "%x", v);
    }
}

/* syn[j] over stored positions, chk[j] over data bits. */
static void masks(FILE *fp, const seu_cfg_geom *g, int r)
{
    uint8_t *m = calloc((size_t)g->cw + (size_t)g->data, 1);
    if (!m)
        return;
    for (int j = 0; j < r; j++) {
        for (int p = 0; p < g->cw; p++)
            m[p] = p >= 1 && (p >> j & 1);
        fprintf(fp, "            assign syn[%d] = ^(cw & ", j);
        print_mask(fp, g->cw, m);
        fprintf(fp, ");\n");
    }
    for (int j = 0; j < r; j++) {
        for (int i = 0; i < g->data; i++)
            m[i] = data_pos(i) >> j & 1;
        fprintf(fp, "            assign chk[%d] = ^(d & ", j);
        print_mask(fp, g->data, m);
        fprintf(fp, ");\n");
    }
    free(m);
}

/* {position CW-1, ..., position 0} of the codeword built from d/chk/p0, or
** the data positions of `fix` (data == 1). */
static void concat(FILE *fp, const seu_cfg_geom *g, int data)
{
    int first = 1, i = g->data - 1, j = 0;
    while ((1 << (j + 1)) < g->cw)
        j++;
    fprintf(fp, "{");
    for (int p = g->cw - 1; p >= (data ? 1 : 0); p--) {
        int is_chk = p > 0 && (p & (p - 1)) == 0;
        if (data && is_chk)
            continue;
        fprintf(fp, "%s", first ? "" : (((g->cw - p) % 12) ? ", " : ",\n                "));
        first = 0;
        if (data)
            fprintf(fp, "fix[%d]", p);
        else if (p == 0)
            fprintf(fp, "p0");
        else if (is_chk)
            fprintf(fp, "chk[%d]", j--);
        else
            fprintf(fp, "d[%d]", i--);
    }
    fprintf(fp, "}");
}

/* Writes the body of the SECDED-protected register file of geometry g to
** fp: the codeword store, decoders, the bus write merge and the
** re-encoding written back every clock. */
void seu_cfg__secded(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g)
{
    int r = g->cw - g->data - 1, n = g->n_cw;
    size_t st = (size_t)n * (size_t)g->cw, dw = (size_t)n * (size_t)g->data;
    fprintf(fp,
        "    reg  [%zu:0] st;   // %d codewords of %d bits\n"
        "    wire [%zu:0] dat;            // corrected data (image, zero padded)\n"
        "    wire [%zu:0] nd;             // same with the cfg bus write applied\n"
        "    wire [%zu:0] enc;            // nd re-encoded: written back every clock\n"
        "    wire [%d:0] sgl, dbl;\n"
        "    wire [%zu:0] cur = dat[%zu:0];\n",
        st - 1, n, g->cw, dw - 1, dw - 1, st - 1, n - 1, g->n_img - 1, g->n_img - 1);
    seu_cfg__write(fp, o, g, "cur", "nd");
    if (dw > g->n_img)
        fprintf(fp, "    assign nd[%zu:%zu] = %zu'd0;\n"
                    "    wire unused_pad = &{1'b0, dat[%zu:%zu]};\n",
                dw - 1, g->n_img, dw - g->n_img, dw - 1, g->n_img);
    seu_cfg__inject(fp, st);
    fprintf(fp,
        "    genvar gc;\n"
        "    generate\n"
        "        for (gc = 0; gc < %d; gc = gc + 1) begin : g_cw\n"
        "            wire [%d:0] cw = st[gc*%d +: %d];\n"
        "            wire [%d:0] syn;\n"
        "            wire [%d:0] chk;\n"
        "            wire [%d:0] d = nd[gc*%d +: %d];\n",
        n, g->cw - 1, g->cw, g->cw, r - 1, r - 1, g->data - 1, g->data, g->data);
    masks(fp, g, r);
    fprintf(fp,
        "            wire odd = ^cw;\n"
        "            wire [%d:0] fix = odd ? cw ^ (%d'd1 << syn) : cw;\n"
        "            wire p0 = ^{d, chk};\n"
        "            assign sgl[gc] = odd;\n"
        "            assign dbl[gc] = !odd && syn != %d'd0;\n"
        "            assign dat[gc*%d +: %d] = ",
        g->cw - 1, g->cw, r, g->data, g->data);
    concat(fp, g, 1);
    fprintf(fp, ";\n            // check positions of the corrected word are not read\n"
                "            wire unused_chk = &{1'b0");
    for (int p = 1; p < g->cw; p <<= 1)
        fprintf(fp, ", fix[%d]", p);
    fprintf(fp, ", fix[0]};\n");
    fprintf(fp, "            assign enc[gc*%d +: %d] = ", g->cw, g->cw);
    concat(fp, g, 0);
    fprintf(fp, ";\n        end\n    endgenerate\n"
        "    always @(posedge clk) begin\n"
        "        if (rst)\n"
        "            st <= %zu'd0;\n"
        "        else\n"
        "            st <= enc ^ (seu_inject_copy == 2'd0 ? inj : %zu'd0);\n"
        "    end\n", st, st);
    seu_cfg__front(fp, o, g, "cur", "|sgl", "|dbl");
}
