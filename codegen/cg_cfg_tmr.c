/*
** cg_cfg_tmr.c — storage of the NONE, TMR and selective-TMR register files.
**
** NONE: one copy c0 of the image.
** TMR: three copies c0, c1, c2 of the image; the read path is the bitwise
** majority vote; every clock each copy loads the voted value (or the cfg
** bus word being written), so a single upset is out-voted at once and
** scrubbed at the next edge — upsets never accumulate across clocks.
** seu_count counts the clocks at which the copies disagreed (one per
** isolated upset).  Each copy's always block carries (* keep *) so that
** synthesis does not merge three registers with identical inputs into one.
**
** The full-TMR vote is one module, <top>_cfg_vote (one 32-bit image word),
** emitted after <top>_cfg and instantiated once per whole word (u_vote<i>;
** a last partial word is voted inline): the hierarchical synthesis flow maps
** it once and scales it, as it does for the neurons.
**
** Selective TMR (cg_cfg_opts.tmr_mask): copy 0 holds every bit, copies 1
** and 2 only the protected ones (packed, in image order); unprotected bits
** vote with themselves (inline: a voter module would keep their constant-
** free majority logic in the synthesized area).
*/
#include "codegen/cg_cfg_int.h"

static void declare_regs(cg_buf *b, const char *const *name, const size_t *w, int n)
{
    for (int i = 0; i < n; i++)
        cg_printf(b, "    reg  [%zu:0] %s;\n", w[i] - 1, name[i]);
}

void cg_cfg__none(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g)
{
    const char *name[] = { "c0" }, *nxt[] = { "nxt" }, *inj[] = { "inj" };
    size_t w[] = { g->n_img };
    declare_regs(b, name, w, 1);
    cg_printf(b, "    wire [%zu:0] nxt;\n", g->n_img - 1);
    cg_cfg__write(b, o, g, "c0", "nxt");
    cg_cfg__inject(b, o, g->n_img);
    cg_cfg__copies(b, o, 1, name, w, nxt, inj);
    cg_cfg__front(b, o, g, "c0", "1'b0", "1'b0");
}

#define CG_VOTE_W 32   /* bits per <top>_cfg_vote: one cfg bus word */

void cg_cfg__tmr_unit(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g)
{
    if (o->tmr_mask || g->n_img < CG_VOTE_W)
        return;
    cg_lint_off(b, "", "DECLFILENAME");   /* a second module in <top>_cfg.v */
    cg_printf(b, "// Majority vote of one %d-bit image word of the three TMR copies, and\n"
                 "// whether they disagree.  Combinational; %s_cfg instantiates it once\n"
                 "// per image word.\n"
                 "module %s_cfg_vote (\n"
                 "    input  wire [%d:0] a, b, c,   // copies 0, 1, 2\n"
                 "    output wire [%d:0] v,         // bitwise majority\n"
                 "    output wire up                // some copy differs\n"
                 ");\n"
                 "    assign v = (a & b) | (b & c) | (a & c);\n"
                 "    assign up = |((a ^ b) | (b ^ c));\n"
                 "endmodule\n\n",
              CG_VOTE_W, o->top, o->top, CG_VOTE_W - 1, CG_VOTE_W - 1);
}

/* vote / upset of the full TMR copies c0..c2: one <top>_cfg_vote per whole
** 32-bit word, the last partial word inline. */
static void emit_votes(cg_buf *b, const cg_cfg_opts *o, size_t n_img)
{
    size_t nw = n_img / CG_VOTE_W, rest = n_img - nw * CG_VOTE_W, lo = nw * CG_VOTE_W;
    cg_printf(b, "    // Majority vote: the read path and the value written back.\n"
                 "    wire [%zu:0] vote;\n", n_img - 1);
    if (nw)
        cg_printf(b, "    wire [%zu:0] up_w;   // per word: the copies disagree\n", nw - 1);
    for (size_t i = 0; i < nw; i++) {
        size_t a = i * CG_VOTE_W;
        cg_printf(b, "    %s_cfg_vote u_vote%zu (.a(c0[%zu +: %d]), .b(c1[%zu +: %d]), "
                     ".c(c2[%zu +: %d]),\n        .v(vote[%zu +: %d]), .up(up_w[%zu]));\n",
                  o->top, i, a, CG_VOTE_W, a, CG_VOTE_W, a, CG_VOTE_W, a, CG_VOTE_W, i);
    }
    if (rest)
        cg_printf(b, "    assign vote[%zu +: %zu] = (c0[%zu +: %zu] & c1[%zu +: %zu])"
                     " | (c1[%zu +: %zu] & c2[%zu +: %zu])\n"
                     "        | (c0[%zu +: %zu] & c2[%zu +: %zu]);\n"
                     "    wire up_rest = |((c0[%zu +: %zu] ^ c1[%zu +: %zu])"
                     " | (c1[%zu +: %zu] ^ c2[%zu +: %zu]));\n",
                  lo, rest, lo, rest, lo, rest, lo, rest, lo, rest, lo, rest, lo, rest,
                  lo, rest, lo, rest, lo, rest, lo, rest);
    cg_printf(b, "    wire upset = %s%s%s;\n", nw ? "|up_w" : "", nw && rest ? " | " : "",
              rest ? "up_rest" : "");
}

static void emit_full(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g)
{
    const char *name[] = { "c0", "c1", "c2" }, *nxt[] = { "nxt", "nxt", "nxt" };
    const char *inj[] = { "inj", "inj", "inj" };
    size_t w[] = { g->n_img, g->n_img, g->n_img };
    declare_regs(b, name, w, 3);
    emit_votes(b, o, g->n_img);
    cg_printf(b, "    wire [%zu:0] nxt;\n", g->n_img - 1);
    cg_cfg__write(b, o, g, "vote", "nxt");
    cg_cfg__inject(b, o, g->n_img);
    cg_cfg__copies(b, o, 3, name, w, nxt, inj);
    cg_cfg__front(b, o, g, "vote", "upset", "1'b0");
}

/* One run of equally protected bits [a, a+len): where its copies 1/2 are
** (packed rank) and what the write-back and injection of those copies read. */
static void emit_run(cg_buf *b, const cg_cfg_opts *o, size_t a, size_t len, size_t rank,
                     bool prot)
{
    cg_printf(b, "    // image bits %zu..%zu: %s\n", a, a + len - 1,
              prot ? "triplicated" : "single copy");
    for (int c = 1; c <= 2; c++)
        cg_printf(b, "    assign e%d[%zu +: %zu] = c%d[%zu +: %zu];\n", c, a, len,
                  prot ? c : 0, prot ? rank : a, len);
    if (prot)
        cg_printf(b, "    assign nxt_p[%zu +: %zu] = nxt[%zu +: %zu];\n", rank, len, a, len);
    if (prot && o->seu_ports)
        cg_printf(b, "    assign inj_p[%zu +: %zu] = inj[%zu +: %zu];\n", rank, len, a, len);
}

static void emit_sel(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g)
{
    const char *name[] = { "c0", "c1", "c2" }, *nxt[] = { "nxt", "nxt_p", "nxt_p" };
    const char *inj[] = { "inj", "inj_p", "inj_p" };
    size_t n = g->n_img, p = g->n_voters, w[] = { n, p, p };
    declare_regs(b, name, w, 3);
    cg_printf(b, "    // Copies 1 and 2 hold only the %zu protected bits (packed in image\n"
                 "    // order); e1/e2 place them back, unprotected bits repeat copy 0,\n"
                 "    // so they vote with themselves.\n"
                 "    wire [%zu:0] e1, e2, nxt;\n"
                 "    wire [%zu:0] nxt_p%s;\n"
                 "    wire [%zu:0] vote = (c0 & e1) | (e1 & e2) | (c0 & e2);\n"
                 "    wire upset = |((c0 ^ e1) | (e1 ^ e2));\n",
              p, n - 1, p - 1, o->seu_ports ? ", inj_p" : "", n - 1);
    cg_cfg__write(b, o, g, "vote", "nxt");
    cg_cfg__inject(b, o, n);
    size_t rank = 0;
    for (size_t a = 0; a < n;) {
        size_t end = a;
        bool prot = o->tmr_mask[a] != 0;
        while (end < n && (o->tmr_mask[end] != 0) == prot)
            end++;
        emit_run(b, o, a, end - a, rank, prot);
        if (prot)
            rank += end - a;
        a = end;
    }
    cg_cfg__copies(b, o, 3, name, w, nxt, inj);
    cg_cfg__front(b, o, g, "vote", "upset", "1'b0");
}

void cg_cfg__tmr(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g)
{
    if (o->tmr_mask)
        emit_sel(b, o, g);
    else
        emit_full(b, o, g);
}
