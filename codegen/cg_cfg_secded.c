/*
** cg_cfg_secded.c — storage of the SECDED (extended Hamming) register file.
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
** datapath.  The per-codeword logic is two modules, <top>_cfg_dec and
** <top>_cfg_enc, emitted after <top>_cfg and instantiated once per codeword
** (u_dec<k>, u_enc<k>): the hierarchical synthesis flow maps each once and
** scales it by n_cw, as it does for the neurons, instead of mapping n_cw
** copies inside one netlist.
*/
#include <stdlib.h>
#include "codegen/cg_cfg_int.h"

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

static void print_mask(cg_buf *b, int width, const uint8_t *bits)
{
    cg_printf(b, "%d'h", width);
    for (int d = (width + 3) / 4 - 1; d >= 0; d--) {
        int v = 0;
        for (int b = 3; b >= 0; b--)
            v = v << 1 | (4 * d + b < width ? bits[4 * d + b] : 0);
        cg_printf(b, "%x", v);
    }
}

/* syn[j] over stored positions (syn = 1), or chk[j] over data bits. */
static void masks(cg_buf *b, const cg_cfg_geom *g, int r, int syn)
{
    uint8_t *m = calloc((size_t)g->cw + (size_t)g->data, 1);
    if (!m) {
        b->oom = true;
        return;
    }
    for (int j = 0; syn && j < r; j++) {
        for (int p = 0; p < g->cw; p++)
            m[p] = p >= 1 && (p >> j & 1);
        cg_printf(b, "    assign syn[%d] = ^(cw & ", j);
        print_mask(b, g->cw, m);
        cg_printf(b, ");\n");
    }
    for (int j = 0; !syn && j < r; j++) {
        for (int i = 0; i < g->data; i++)
            m[i] = data_pos(i) >> j & 1;
        cg_printf(b, "    assign chk[%d] = ^(d & ", j);
        print_mask(b, g->data, m);
        cg_printf(b, ");\n");
    }
    free(m);
}

/* {position CW-1, ..., position 0} of the codeword built from d/chk/p0, or
** the data positions of `fix` (data == 1). */
static void concat(cg_buf *b, const cg_cfg_geom *g, int data)
{
    int first = 1, i = g->data - 1, j = 0;
    while ((1 << (j + 1)) < g->cw)
        j++;
    cg_printf(b, "{");
    for (int p = g->cw - 1; p >= (data ? 1 : 0); p--) {
        int is_chk = p > 0 && (p & (p - 1)) == 0;
        if (data && is_chk)
            continue;
        cg_printf(b, "%s", first ? "" : (((g->cw - p) % 12) ? ", " : ",\n        "));
        first = 0;
        if (data)
            cg_printf(b, "fix[%d]", p);
        else if (p == 0)
            cg_printf(b, "p0");
        else if (is_chk)
            cg_printf(b, "chk[%d]", j--);
        else
            cg_printf(b, "d[%d]", i--);
    }
    cg_printf(b, "}");
}

/* The modules <top>_cfg_dec (one codeword's syndrome decode / correction:
** cw -> dat, sgl, dbl) and <top>_cfg_enc (one data word's encode: d -> enc).
** Every codeword is the same logic, so the register file instantiates them
** n_cw times each and hierarchical synthesis maps each once (synth/README.md,
** "Run time").  Two modules, not one: the decoded data reach the encoder
** through the write path in <top>_cfg, and the logic-depth analysis takes
** every input of a submodule to reach every output, so one module holding
** both would look like a combinational loop.  No state. */
void cg_cfg__secded_unit(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g)
{
    int r = g->cw - g->data - 1;
    cg_lint_off(b, "", "DECLFILENAME");   /* more modules in <top>_cfg.v */
    cg_printf(b,
        "// One SECDED codeword (%d data + %d check + 1 parity bits): syndrome,\n"
        "// single-error correction, double-error flag.  Combinational; %s_cfg\n"
        "// instantiates it once per codeword.\n"
        "module %s_cfg_dec (\n"
        "    input  wire [%d:0] cw,     // stored codeword, bit p = Hamming position p\n"
        "    output wire [%d:0] dat,    // corrected data\n"
        "    output wire sgl,           // single error (corrected)\n"
        "    output wire dbl            // double error (flagged)\n"
        ");\n"
        "    wire [%d:0] syn;\n",
        g->data, r, o->top, o->top, g->cw - 1, g->data - 1, r - 1);
    masks(b, g, r, 1);
    cg_printf(b,
        "    wire odd = ^cw;\n"
        "    wire [%d:0] fix = odd ? cw ^ (%d'd1 << syn) : cw;\n"
        "    assign sgl = odd;\n"
        "    assign dbl = !odd && syn != %d'd0;\n"
        "    assign dat = ",
        g->cw - 1, g->cw, r);
    concat(b, g, 1);
    cg_printf(b, ";\n    // check positions of the corrected word are not read\n"
                "    wire unused_chk = &{1'b0");
    for (int p = 1; p < g->cw; p <<= 1)
        cg_printf(b, ", fix[%d]", p);
    cg_printf(b, ", fix[0]};\nendmodule\n\n");
    cg_printf(b,
        "// SECDED encode of one %d-bit data word into its codeword.  Combinational;\n"
        "// %s_cfg instantiates it once per codeword.\n"
        "module %s_cfg_enc (\n"
        "    input  wire [%d:0] d,      // data word (corrected, cfg write applied)\n"
        "    output wire [%d:0] enc     // its codeword, bit p = Hamming position p\n"
        ");\n"
        "    wire [%d:0] chk;\n",
        g->data, o->top, o->top, g->data - 1, g->cw - 1, r - 1);
    masks(b, g, r, 0);
    cg_printf(b, "    wire p0 = ^{d, chk};\n    assign enc = ");
    concat(b, g, 0);
    cg_printf(b, ";\nendmodule\n\n");
}

/* The SECDED storage (file comment): codeword register st, one
** <top>_cfg_dec and one <top>_cfg_enc per codeword, the write path and the
** shared front.  g from cg_cfg_geometry (cw, data, n_cw). */
void cg_cfg__secded(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g)
{
    int n = g->n_cw;
    size_t st = (size_t)n * (size_t)g->cw, dw = (size_t)n * (size_t)g->data;
    cg_printf(b,
        "    reg  [%zu:0] st;   // %d codewords of %d bits\n"
        "    wire [%zu:0] dat;            // corrected data (image, zero padded)\n"
        "    wire [%zu:0] nd;             // same with the cfg bus write applied\n"
        "    wire [%zu:0] enc;            // nd re-encoded: written back every clock\n"
        "    wire [%d:0] sgl, dbl;\n"
        "    wire [%zu:0] cur = dat[%zu:0];\n",
        st - 1, n, g->cw, dw - 1, dw - 1, st - 1, n - 1, g->n_img - 1, g->n_img - 1);
    cg_cfg__write(b, o, g, "cur", "nd");
    if (dw > g->n_img)
        cg_printf(b, "    assign nd[%zu:%zu] = %zu'd0;\n"
                    "    wire unused_pad = &{1'b0, dat[%zu:%zu]};\n",
                dw - 1, g->n_img, dw - g->n_img, dw - 1, g->n_img);
    cg_cfg__inject(b, o, st);
    cg_printf(b, "    // Codeword k: st[k*%d +: %d], data dat / nd[k*%d +: %d].\n",
              g->cw, g->cw, g->data, g->data);
    for (int k = 0; k < n; k++) {
        size_t c = (size_t)k * (size_t)g->cw, d = (size_t)k * (size_t)g->data;
        cg_printf(b, "    %s_cfg_dec u_dec%d (.cw(st[%zu +: %d]), .dat(dat[%zu +: %d]), "
                     ".sgl(sgl[%d]), .dbl(dbl[%d]));\n"
                     "    %s_cfg_enc u_enc%d (.d(nd[%zu +: %d]), .enc(enc[%zu +: %d]));\n",
                  o->top, k, c, g->cw, d, g->data, k, k, o->top, k, d, g->data, c, g->cw);
    }
    const char *name[] = { "st" }, *nxt[] = { "enc" }, *inj[] = { "inj" };
    cg_cfg__copies(b, o, 1, name, &st, nxt, inj);
    cg_cfg__front(b, o, g, "cur", "|sgl", "|dbl");
}
