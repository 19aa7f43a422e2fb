/*
** seu_cfg_tmr.c — storage of the NONE, TMR and selective-TMR register files.
**
** TMR: three copies c0, c1, c2 of the image; the read path is the bitwise
** majority vote; every clock each copy loads the voted value (or the cfg
** bus word being written), so a single upset is out-voted at once and
** scrubbed at the next edge — upsets never accumulate across clocks.
** seu_count counts the clocks at which the copies disagreed (one per
** isolated upset).  Each copy's always block carries (* keep *) so that
** synthesis does not merge three registers with identical inputs into one.
**
** Selective TMR: copy 0 holds every bit, copies 1 and 2 only the protected
** ones (packed, in image order); unprotected bits vote with themselves.
*/
#include "seu/seu_cfg_int.h"

static void declare_regs(FILE *fp, const char *const *name, const size_t *w,
                           int n)
{
    for (int i = 0; i < n; i++)
        fprintf(fp, "    reg [%zu:0] %s;\n", w[i] - 1, name[i]);
}

static void seq_block(FILE *fp, int n, const char *const *name,
                      const size_t *w, const char *const *nxt,
                      const char *const *inj)
{
    /* One always block per copy, each (* keep *): Yosys attaches the
    ** attribute to the flip-flops it infers, so opt_merge cannot fold the
    ** identical copies into one (a keep on the reg alone does not stop it). */
    for (int i = 0; i < n; i++)
        fprintf(fp, "    (* keep *)\n"
                    "    always @(posedge clk)\n"
                    "        if (rst)\n"
                    "            %s <= %zu'd0;\n"
                    "        else\n"
                    "            %s <= %s ^ (seu_inject_copy == 2'd%d ? %s : %zu'd0);\n",
                name[i], w[i], name[i], nxt[i], i, inj[i], w[i]);
}

static void emit_none(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g)
{
    const char *name[] = { "c0" }, *nxt[] = { "nxt" }, *inj[] = { "inj" };
    size_t w[] = { g->n_img };
    declare_regs(fp, name, w, 1);
    fprintf(fp, "    wire [%zu:0] nxt;\n", g->n_img - 1);
    seu_cfg__write(fp, o, g, "c0", "nxt");
    seu_cfg__inject(fp, g->n_img);
    seq_block(fp, 1, name, w, nxt, inj);
    seu_cfg__front(fp, o, g, "c0", "1'b0", "1'b0");
}

static void emit_tmr(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g)
{
    const char *name[] = { "c0", "c1", "c2" }, *nxt[] = { "nxt", "nxt", "nxt" };
    const char *inj[] = { "inj", "inj", "inj" };
    size_t w[] = { g->n_img, g->n_img, g->n_img };
    declare_regs(fp, name, w, 3);
    fprintf(fp,
        "    // Majority vote: the read path and the value written back.\n"
        "    wire [%zu:0] vote = (c0 & c1) | (c1 & c2) | (c0 & c2);\n"
        "    wire [%zu:0] nxt;\n"
        "    wire upset = |((c0 ^ c1) | (c1 ^ c2));\n",
        g->n_img - 1, g->n_img - 1);
    seu_cfg__write(fp, o, g, "vote", "nxt");
    seu_cfg__inject(fp, g->n_img);
    seq_block(fp, 3, name, w, nxt, inj);
    seu_cfg__front(fp, o, g, "vote", "upset", "1'b0");
}

/* One run of equally protected bits [a, a+len): where its copies 1/2 are
** (packed rank) and what the write-back and injection of those copies read. */
static void emit_run(FILE *fp, size_t a, size_t len, size_t rank, int prot)
{
    fprintf(fp, "    // image bits %zu..%zu: %s\n", a, a + len - 1,
            prot ? "triplicated" : "single copy");
    for (int c = 1; c <= 2; c++)
        fprintf(fp, "    assign e%d[%zu +: %zu] = c%d[%zu +: %zu];\n", c, a, len,
                prot ? c : 0, prot ? rank : a, len);
    if (prot)
        fprintf(fp, "    assign nxt_p[%zu +: %zu] = nxt[%zu +: %zu];\n"
                    "    assign inj_p[%zu +: %zu] = inj[%zu +: %zu];\n",
                rank, len, a, len, rank, len, a, len);
}

static void emit_sel(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g)
{
    const char *name[] = { "c0", "c1", "c2" }, *nxt[] = { "nxt", "nxt_p", "nxt_p" };
    const char *inj[] = { "inj", "inj_p", "inj_p" };
    size_t n = g->n_img, p = g->n_voters, w[] = { n, p, p };
    declare_regs(fp, name, w, 3);
    fprintf(fp,
        "    // Copies 1 and 2 hold only the %zu protected bits (packed in image\n"
        "    // order); e1/e2 place them back, unprotected bits repeat copy 0,\n"
        "    // so they vote with themselves.\n"
        "    wire [%zu:0] e1, e2, nxt;\n"
        "    wire [%zu:0] nxt_p, inj_p;\n"
        "    wire [%zu:0] vote = (c0 & e1) | (e1 & e2) | (c0 & e2);\n"
        "    wire upset = |((c0 ^ e1) | (e1 ^ e2));\n", p, n - 1, p - 1, n - 1);
    seu_cfg__write(fp, o, g, "vote", "nxt");
    seu_cfg__inject(fp, n);
    size_t rank = 0;
    for (size_t a = 0; a < n;) {
        size_t b = a;
        int prot = o->sel_mask[a] != 0;
        while (b < n && (o->sel_mask[b] != 0) == prot)
            b++;
        emit_run(fp, a, b - a, rank, prot);
        if (prot)
            rank += b - a;
        a = b;
    }
    seq_block(fp, 3, name, w, nxt, inj);
    seu_cfg__front(fp, o, g, "vote", "upset", "1'b0");
}

void seu_cfg__tmr(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g)
{
    if (o->prot == SEU_PROT_NONE)
        emit_none(fp, o, g);
    else if (o->prot == SEU_PROT_TMR)
        emit_tmr(fp, o, g);
    else
        emit_sel(fp, o, g);
}
