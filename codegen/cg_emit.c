/*
** cg_emit.c — Verilog emitter helpers shared by the RTL generators
** (cg_int.h): lint waivers, name lists, value binding without alias wires,
** register-or-wire nodes and the balanced adder tree.
*/
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_int.h"

void cg_lint_off(cg_buf *b, const char *in, const char *rule)
{
    cg_printf(b, "%s/* verilator lint_off %s */\n", in, rule);
}

void cg_lint_on(cg_buf *b, const char *in, const char *rule)
{
    cg_printf(b, "%s/* verilator lint_on %s */\n", in, rule);
}

/* ---- name lists ---------------------------------------------------------- */

void cg_list_init(cg_list *l, cg_buf *b, const char *head, const char *sep, const char *brk,
                  int per_line)
{
    assert(per_line > 0);
    l->b = b;
    l->head = head;
    l->sep = sep;
    l->brk = brk;
    l->per_line = per_line;
    l->n = 0;
}

void cg_list_add(cg_list *l, const char *fmt, ...)
{
    if (l->n % l->per_line == 0)
        cg_printf(l->b, "%s%s", l->n ? l->brk : "", l->head);
    else
        cg_puts(l->b, l->sep);
    l->n++;
    va_list ap;
    va_start(ap, fmt);
    cg_vprintf(l->b, fmt, ap);
    va_end(ap);
}

void cg_name_list(cg_buf *b, const char *head, const char *pfx, int n, const char *brk,
                  const char *end)
{
    if (n <= 0)
        return;
    cg_list l;
    cg_list_init(&l, b, head, ", ", brk, 8);
    for (int i = 0; i < n; i++)
        cg_list_add(&l, "%s%d", pfx, i);
    cg_puts(b, end);
}

/* ---- values and nodes ------------------------------------------------------ */

bool cg_is_ident(const char *e)
{
    if (!e || !(isalpha((unsigned char)*e) || *e == '_'))
        return false;
    for (; *e; e++)
        if (!(isalnum((unsigned char)*e) || *e == '_'))
            return false;
    return true;
}

void cg_bind(cg_buf *b, const char *in, int w, const char *name, const char *expr, char *res,
             size_t len)
{
    if (cg_is_ident(expr)) {
        snprintf(res, len, "%s", expr);
        return;
    }
    const char *at = b->wire_attr ? b->wire_attr : "";
    if (w == 0)
        cg_printf(b, "%s%swire %s = %s;\n", in, at, name, expr);
    else
        cg_printf(b, "%s%swire [%d:0] %s = %s;\n", in, at, w - 1, name, expr);
    snprintf(res, len, "%s", name);
}

void cg_node(cg_buf *b, const char *in, bool reg, int w, const char *name, const char *expr,
             char *res, size_t len)
{
    if (!reg) {
        cg_bind(b, in, w, name, expr, res, len);
        return;
    }
    snprintf(res, len, "%s", name);
    if (b->tmr) {       /* full TMR: three copies and a voter (cg_tmr_all.c) */
        cg_tmr_spec s = { .declare = true, .next = expr };
        cg_tmr_reg(b, in, w, name, &s);
        return;
    }
    cg_printf(b, "%sreg  [%d:0] %s;\n%salways @(posedge clk) %s <= %s;\n", in, w - 1, name, in,
              name, expr);
    snprintf(res, len, "%s", name);
}

/* ---- adder tree ------------------------------------------------------------ */

void cg_adder_tree(cg_buf *b, const char *in, const char *pfx, int w, char (*nm)[CG_NAME],
                  int n, int levels, const bool *reg)
{
    assert(n >= 1);
    char name[CG_NAME], e[2 * CG_NAME + 8];
    for (int t = 1; t <= levels || (levels < 0 && n > 1); t++) {
        bool r = levels >= 0 && reg && reg[t];
        int nx = (n + 1) / 2;
        for (int i = 0; i < nx; i++) {
            if (2 * i + 1 < n)
                snprintf(e, sizeof e, "%s + %s", nm[2 * i], nm[2 * i + 1]);
            else
                snprintf(e, sizeof e, "%s", nm[2 * i]);
            snprintf(name, sizeof name, "%s%d_%d", pfx, t, i);
            cg_node(b, in, r, w, name, e, nm[i], CG_NAME);
        }
        n = nx;
    }
    assert(n == 1);
}
