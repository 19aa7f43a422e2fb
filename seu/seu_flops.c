/*
** seu_flops.c — the flip-flops of a generated design, read from its
** Verilog text, for the every-flop campaign (seu_flop_map, seu_rtl.h).
**
** The generators write every flip-flop as a `reg` loaded with a
** non-blocking assignment (`name <= ...`) in an `always @(posedge clk)`
** block, and nothing else uses `<=` (combinational `reg`s such as the
** converter's msb or cfg_rdata are assigned with `=`).  So the registers
** of a module are its `reg` declarations that appear on the left of a
** `<=`; the instance tree is read from the instance lines
** (`<module> [#(...)] <name> (`), and the map lists every register of every
** instance by its path from the top.  Reading the text rather than asking
** the generators keeps the campaign honest: a register a generator adds
** is found without telling the campaign.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seu/seu_rtl.h"
#include "common/rad_file.h"

const char *const seu_cls_name[SEU_N_CLS] = { "weights", "config", "status", "input",
                                               "control", "pipeline", "output" };

#define FM_NAME 96

typedef struct { char name[FM_NAME]; int width, flop; } fm_reg;
typedef struct { char mod[FM_NAME], inst[FM_NAME]; } fm_inst;
typedef struct {
    char     name[FM_NAME];
    fm_reg  *reg;
    int      n_reg, cap_reg;
    fm_inst *inst;
    int      n_inst, cap_inst;
} fm_mod;
typedef struct { fm_mod *m; int n, cap; bool oom; } fm_design;

static void *grow(void *p, int *cap, int n, size_t sz, bool *oom)
{
    if (n < *cap)
        return p;
    int c = *cap ? 2 * *cap : 16;
    void *q = realloc(p, (size_t)c * sz);
    if (!q) {
        *oom = true;
        return p;
    }
    *cap = c;
    return q;
}

/* The identifier at s into out (FM_NAME); returns the text after it. */
static const char *ident(const char *s, char *out)
{
    int k = 0;
    while (isalnum((unsigned char)*s) || *s == '_') {
        if (k + 1 < FM_NAME)
            out[k++] = *s;
        s++;
    }
    out[k] = 0;
    return s;
}

static const char *skip(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static fm_mod *find_mod(fm_design *d, const char *name)
{
    for (int i = 0; i < d->n; i++)
        if (!strcmp(d->m[i].name, name))
            return &d->m[i];
    return NULL;
}

/* "[output ]reg [h:l] a, b;" -> registers of cur (a port: one name). */
static void parse_reg(fm_design *d, fm_mod *cur, const char *s, bool port)
{
    int hi = 0, lo = 0;
    s = skip(s + 3);
    if (*s == '[' && sscanf(s, "[%d:%d]", &hi, &lo) == 2)
        s = skip(strchr(s, ']') + 1);
    for (;;) {
        char nm[FM_NAME];
        s = skip(ident(s, nm));
        if (!nm[0])
            return;
        cur->reg = grow(cur->reg, &cur->cap_reg, cur->n_reg, sizeof *cur->reg, &d->oom);
        if (d->oom)
            return;
        fm_reg *r = &cur->reg[cur->n_reg++];
        snprintf(r->name, sizeof r->name, "%s", nm);
        r->width = hi - lo + 1;
        r->flop = 0;
        if (port || *s != ',')
            return;
        s = skip(s + 1);
    }
}

/* Every "name <=" of the line marks the register `name` a flip-flop. */
static void parse_nba(fm_mod *cur, const char *line)
{
    for (const char *p = strstr(line, "<="); p; p = strstr(p + 2, "<=")) {
        const char *e = p;
        while (e > line && e[-1] == ' ')
            e--;
        const char *b = e;
        while (b > line && (isalnum((unsigned char)b[-1]) || b[-1] == '_'))
            b--;
        for (int i = 0; i < cur->n_reg; i++)
            if (strlen(cur->reg[i].name) == (size_t)(e - b)
                && !strncmp(cur->reg[i].name, b, (size_t)(e - b)))
                cur->reg[i].flop = 1;
    }
}

/* An instance line "<known module> [#(...)] <inst> (" of cur. */
static void parse_inst(fm_design *d, fm_mod *cur, const char *s)
{
    char mod[FM_NAME], inst[FM_NAME];
    s = skip(ident(s, mod));
    if (!mod[0] || !find_mod(d, mod))
        return;
    if (*s == '#') {                          /* parameters: skip (...) */
        int depth = 0;
        for (s++; *s; s++) {
            depth += *s == '(';
            depth -= *s == ')';
            if (*s == ')' && depth == 0) {
                s++;
                break;
            }
        }
        s = skip(s);
    }
    s = skip(ident(s, inst));
    if (!inst[0] || *s != '(')
        return;
    cur->inst = grow(cur->inst, &cur->cap_inst, cur->n_inst, sizeof *cur->inst, &d->oom);
    if (d->oom)
        return;
    snprintf(cur->inst[cur->n_inst].mod, FM_NAME, "%s", mod);
    snprintf(cur->inst[cur->n_inst++].inst, FM_NAME, "%s", inst);
}

/* One pass over text: pass 0 collects the module names, pass 1 the rest. */
static void parse_text(fm_design *d, char *text, int pass)
{
    fm_mod *cur = NULL;
    char *save = NULL;
    for (char *ln = strtok_r(text, "\n", &save); ln && !d->oom; ln = strtok_r(NULL, "\n", &save)) {
        const char *s = skip(ln);
        if (!strncmp(s, "//", 2))
            continue;
        if (!strncmp(s, "module ", 7)) {
            char nm[FM_NAME];
            ident(skip(s + 7), nm);
            if (pass == 0) {
                d->m = grow(d->m, &d->cap, d->n, sizeof *d->m, &d->oom);
                if (!d->oom)
                    memset(&d->m[d->n], 0, sizeof *d->m), snprintf(d->m[d->n++].name, FM_NAME, "%s", nm);
            }
            cur = find_mod(d, nm);
            continue;
        }
        if (pass == 0 || !cur)
            continue;
        bool port = !strncmp(s, "output ", 7);
        const char *r = port ? skip(s + 7) : s;
        if (!strncmp(r, "reg ", 4))
            parse_reg(d, cur, r, port);
        else if (strstr(s, "<="))
            parse_nba(cur, s);
        else
            parse_inst(d, cur, s);
    }
}

/* Register class from the module (top, register file, other) and name. */
static int reg_class(const char *top, const char *mod, const char *name)
{
    char cfg[FM_NAME + 8];
    snprintf(cfg, sizeof cfg, "%s_cfg", top);
    if (!strcmp(mod, cfg)) {
        if (name[0] == 'c' && isdigit((unsigned char)name[1]))
            return SEU_CLS_WEIGHTS;
        if (name[0] == 'l' && isdigit((unsigned char)name[1]))
            return SEU_CLS_CONFIG;
        return SEU_CLS_STATUS;
    }
    if (strcmp(mod, top))
        return SEU_CLS_PIPELINE;
    if (!strncmp(name, "q_in", 4))
        return SEU_CLS_INPUT;
    if (!strncmp(name, "out_sum", 7) || !strncmp(name, "out_latent", 10))
        return SEU_CLS_OUTPUT;
    if (!strncmp(name, "code", 4))
        return SEU_CLS_PIPELINE;
    return SEU_CLS_CONTROL;       /* vld, chg, ov, oc, out_valid, out_cfg_chg */
}

/* The registers of module `mod` and of its instances, below path. */
static void walk(const fm_design *d, const fm_mod *mod, const char *top, const char *path,
                 FILE *fp, long *n, long *bits, int depth)
{
    char sub[1024];
    for (int i = 0; i < mod->n_reg; i++) {
        const fm_reg *r = &mod->reg[i];
        if (!r->flop)
            continue;
        (*n)++;
        *bits += r->width;
        if (fp)
            fprintf(fp, "%s%s %d %d\n", path, r->name, r->width,
                    reg_class(top, mod->name, r->name));
    }
    for (int i = 0; i < mod->n_inst && depth < 16; i++) {
        const fm_mod *m = find_mod((fm_design *)d, mod->inst[i].mod);
        snprintf(sub, sizeof sub, "%s%s.", path, mod->inst[i].inst);
        walk(d, m, top, sub, fp, n, bits, depth + 1);
    }
}

int seu_flop_map(const char *design_v, const char *cfg_v, const char *top, const char *out,
                 long *n_regs, long *n_bits, rad_err *err)
{
    fm_design d = { 0 };
    char *t[2] = { strdup(design_v), strdup(cfg_v) }, *u[2] = { strdup(design_v), strdup(cfg_v) };
    int rc = t[0] && t[1] && u[0] && u[1] ? RAD_OK : rad_errf(err, RAD_ENOMEM, "seu: out of memory");
    for (int i = 0; !rc && i < 2; i++)
        parse_text(&d, t[i], 0);
    for (int i = 0; !rc && i < 2; i++)
        parse_text(&d, u[i], 1);
    const fm_mod *tm = rc ? NULL : find_mod(&d, top);
    if (!rc && (d.oom || !tm))
        rc = d.oom ? rad_errf(err, RAD_ENOMEM, "seu: out of memory")
                   : rad_errf(err, RAD_EPARSE, "seu: no module %s in the generated design", top);
    *n_regs = *n_bits = 0;
    if (!rc)
        walk(&d, tm, top, "", NULL, n_regs, n_bits, 0);
    rad_file f;
    if (!rc && !(rc = rad_file_open(&f, out, err))) {
        long n = 0, b = 0;
        fprintf(f.fp, "%ld\n", *n_regs);
        walk(&d, tm, top, "", f.fp, &n, &b, 0);
        rc = rad_file_commit(&f, err);
    }
    for (int i = 0; i < d.n; i++) {
        free(d.m[i].reg);
        free(d.m[i].inst);
    }
    free(d.m);
    for (int i = 0; i < 2; i++)
        free(t[i]), free(u[i]);
    return rc;
}

/* ---- the table ------------------------------------------------------------ */

static double pct(long a, long b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

int seu_flops_ok(seu_prot p, const seu_flops_result *r)
{
    if (r->injected == 0 || r->compared == 0)
        return 0;
    if (p == SEU_PROT_FULL)
        return r->fail == 0 && r->masked_all == r->injected && r->counted_all == r->injected;
    if (p == SEU_PROT_TMR)
        return r->masked[SEU_CLS_WEIGHTS] == r->inj[SEU_CLS_WEIGHTS];
    return r->transient_all + r->persistent_all > 0;   /* the control must see damage */
}

int seu_flops_print(seu_prot p, const seu_full_opts *o, const seu_flops_result *r, FILE *fp)
{
    int ok = seu_flops_ok(p, r);
    fprintf(fp, "seu flops %s: %ld %s upsets in %ld registers / %ld flip-flops (%s", seu_prot_name(p),
            r->injected, o->mbu ? "adjacent double-bit (MBU)" : "single", r->regs, r->flop_bits,
            o->upsets ? "sampled" : "exhaustive: every flip-flop");
    if (o->upsets)
        fprintf(fp, " %ld, seed %llu", o->upsets, (unsigned long long)o->seed);
    if (o->shard_n)
        fprintf(fp, ", shard %zu/%zu", o->shard_i, o->shard_n);
    fprintf(fp, "), random cycles under traffic; %ld outputs, %ld compared\n", r->outputs,
            r->compared);
    fprintf(fp, "  %-9s %8s %8s %18s %22s %8s\n", "class", "upsets", "masked",
            "transient (k max)", "persistent (latent)", "counted");
    for (int c = 0; c <= SEU_N_CLS; c++) {
        bool all = c == SEU_N_CLS;
        long n = all ? r->injected : r->inj[c], m = all ? r->masked_all : r->masked[c];
        long t = all ? r->transient_all : r->transient[c];
        long ps = all ? r->persistent_all : r->persistent[c], kmax = 0, lat = 0;
        for (int k = 0; k < SEU_N_CLS; k++)
            if (all || k == c) {
                kmax = r->kmax[k] > kmax ? r->kmax[k] : kmax;
                lat += r->latent[k];
            }
        if (!all && n == 0)
            continue;
        fprintf(fp, "  %-9s %8ld %7.1f%% %8.1f%% (k<=%2ld) %11.1f%% (%6ld) %7.1f%%\n",
                all ? "all" : seu_cls_name[c], n, pct(m, n), pct(t, n), kmax, pct(ps, n), lat,
                pct(all ? r->counted_all : r->counted[c], n));
    }
    fprintf(fp, "  -> %s (%ld failed expectations, %ld reloads; %ld cycles, sim %.1f s, "
            "build %.1f s)\n", ok ? "PASS" : "FAIL", r->fail, r->reloads, r->cycles, r->seconds,
            r->build_seconds);
    return ok;
}
