/*
** cg_tmr_all.c — the one emitter of triplicated flip-flops (cg_int.h).
**
** `gen --protect-all tmr` (cg_opts.tmr_all) triplicates every flip-flop of
** the design, as CERN's TMRG flow does for registers: three copies, each in
** its own (* keep *) always block (otherwise Yosys' opt_merge folds
** identical copies back into one), a bitwise majority voter after them,
** and every copy loaded from the next value computed from VOTED values
** (voted feedback), so that an upset in one copy is out-voted at once and
** overwritten at the next edge: state registers self-correct, pipeline
** registers are rewritten anyway.  Each triplicated register also gives a
** disagreement term; the terms of a module are ORed into its `tmr_err`
** output, the modules' outputs up to the top and into <top>_cfg, whose
** saturating counter seu_count (ERR_STATUS, address 5) counts the clocks
** with a disagreement: one per isolated upset.
**
** `--tmr-control` alone (the valid / cfg-change flags) uses the same
** emitter (copy names <base>_0.._2, no error terms), so there is one
** triplication mechanism.  With full TMR the copies are <name>_tmr0..2.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_int.h"

struct cg_tmr {
    cg_buf terms;         /* ", name" per disagreement term of the module */
    int    n;
};

int cg_tmr_begin(cg_buf *b)
{
    assert(!b->tmr);
    b->tmr = calloc(1, sizeof *b->tmr);
    if (!b->tmr)
        b->oom = true;
    return b->tmr ? 0 : -1;
}

void cg_tmr_end(cg_buf *b)
{
    if (!b->tmr)
        return;
    cg_buf_free(&b->tmr->terms);
    free(b->tmr);
    b->tmr = NULL;
}

void cg_tmr_reg(cg_buf *b, const char *in, int w, const char *name, const cg_tmr_spec *s)
{
    const char *sfx = b->tmr ? "_tmr" : "_", *c = s->base ? s->base : name;
    for (int k = 0; k < 3; k++)
        cg_printf(b, "%sreg  [%d:0] %s%s%d;\n", in, w - 1, c, sfx, k);
    if (s->declare)
        cg_printf(b, "%swire [%d:0] %s", in, w - 1, name);
    else
        cg_printf(b, "%sassign %s", in, name);
    cg_printf(b, " = (%s%s0 & %s%s1) | (%s%s0 & %s%s2) | (%s%s1 & %s%s2);\n", c, sfx, c, sfx, c,
              sfx, c, sfx, c, sfx, c, sfx);
    for (int k = 0; k < 3; k++) {
        cg_printf(b, "%s(* keep *)\n%salways @(posedge clk)\n%s    %s%s%d <= ", in, in, in, c, sfx,
                  k);
        if (s->reset)
            cg_printf(b, "%s ? %s : %s;\n", s->reset, s->reset_value, s->next);
        else
            cg_printf(b, "%s;\n", s->next);
    }
    if (!b->tmr)
        return;
    cg_printf(b, "%swire %s_terr = |((%s_tmr0 ^ %s_tmr1) | (%s_tmr1 ^ %s_tmr2));\n", in, c, c, c,
              c, c);
    cg_printf(&b->tmr->terms, "%s_terr\n", c);
    b->tmr->n++;
}

void cg_tmr_port(cg_buf *b, bool last)
{
    if (b->tmr)
        cg_printf(b, "    output wire tmr_err%s   // a triplicated register disagreed this clock\n",
                  last ? "" : ",");
}

void cg_tmr_sub(cg_buf *b, const char *in, const char *inst)
{
    if (!b->tmr)
        return;
    cg_printf(b, "%swire %s_terr;\n", in, inst);
    cg_printf(&b->tmr->terms, "%s_terr\n", inst);
    b->tmr->n++;
}

void cg_tmr_conn(cg_buf *b, const char *inst)
{
    if (b->tmr)
        cg_printf(b, ".tmr_err(%s_terr), ", inst);
}

void cg_tmr_collect(cg_buf *b, const char *in, const char *target)
{
    if (!b->tmr)
        return;
    if (b->tmr->n == 0) {
        cg_printf(b, "%sassign %s = 1'b0;\n", in, target);
        return;
    }
    cg_list l;
    cg_printf(b, "%sassign %s = |{", in, target);
    cg_list_init(&l, b, "", ", ", ",\n        ", 6);
    char *save = NULL, *t = b->tmr->terms.p;
    for (char *tok = t ? strtok_r(t, "\n", &save) : NULL; tok; tok = strtok_r(NULL, "\n", &save))
        cg_list_add(&l, "%s", tok);
    cg_puts(b, "};\n");
    b->oom |= b->tmr->terms.oom;
    b->tmr->terms.n = 0;
    if (b->tmr->terms.p)
        b->tmr->terms.p[0] = 0;
    b->tmr->n = 0;
}
