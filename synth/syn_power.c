/*
** syn_power.c — technology assumptions, area, VCD toggle counting and the
** activity-based power estimate.  Every number here is an assumption stated
** in synth/README.md; the estimate is good to a factor of a few, no better.
*/
#include "common/rad_hash.h"
#include "synth/syn.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void syn_tech_65nm(syn_tech *t)
{
    /* NAND2 X1 in commercial 65 nm libraries: ~1.04 um^2 (7-track, dense)
    ** to ~1.44 um^2 (9-track); rad-tolerant libraries are larger still. */
    t->nand2_um2_lo = 1.08;
    t->nand2_um2 = 1.44;
    t->nand2_um2_hi = 2.0;
    t->utilization = 0.70;
    t->vdd = 1.2;
    t->f_hz = 40e6;
    /* Switched capacitance per NAND2-eq of logic: gate input caps of the
    ** fan-out (~0.7-1 fF per X1 input in 65 nm) plus local wire. */
    t->c_node_ff_lo = 1.0;
    t->c_node_ff = 1.5;
    t->c_node_ff_hi = 2.0;
    t->c_clk_ff = 2.0;          /* clock pin + share of the clock tree   */
    t->leak_nw_per_gate = 0.1;  /* 65 nm LP, typical corner               */
    t->glitch_hi = 2.0;         /* zero-delay sim misses glitches         */
}

double syn_area_mm2(double nand2, double nand2_um2, double utilization)
{
    return nand2 * nand2_um2 / utilization * 1e-6;
}

/* ---- VCD ----------------------------------------------------------------
** A small reader for what Icarus and Verilator write: $scope/$upscope,
** $var <type> <width> <id> <name> [range] $end, then #time lines and value
** changes "0!", "1!", "x!", "b0101 !", "r1.5 !".  Variables are hashed by
** id; each id keeps its previous value to count 0<->1 changes per bit. */

typedef struct {
    char  *id;
    int    width;
    int    scope;       /* index into a->scope            */
    char  *val;         /* width chars, MSB first         */
    int    used;
} vcd_var;

typedef struct {
    vcd_var *v;
    size_t   cap;       /* power of two */
    size_t   n;
} vcd_tab;

static size_t id_hash(const char *s)
{
    return (size_t)rad_fnv1a(RAD_FNV1A_INIT, s, strlen(s));
}

static vcd_var *tab_find(vcd_tab *t, const char *id, int create)
{
    if (create && (t->n + 1) * 2 > t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 1024;
        vcd_var *nv = calloc(nc, sizeof *nv);
        if (!nv)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].used)
                continue;
            size_t h = id_hash(t->v[i].id) & (nc - 1);
            while (nv[h].used)
                h = (h + 1) & (nc - 1);
            nv[h] = t->v[i];
        }
        free(t->v);
        t->v = nv;
        t->cap = nc;
    }
    if (!t->cap)
        return NULL;
    size_t h = id_hash(id) & (t->cap - 1);
    while (t->v[h].used) {
        if (!strcmp(t->v[h].id, id))
            return &t->v[h];
        h = (h + 1) & (t->cap - 1);
    }
    if (!create)
        return NULL;
    t->v[h].used = 1;
    t->v[h].id = strdup(id);
    t->n++;
    return &t->v[h];
}

static void tab_free(vcd_tab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].used) {
            free(t->v[i].id);
            free(t->v[i].val);
        }
    free(t->v);
}

static int add_scope(syn_activity *a, const char *path)
{
    for (int i = 0; i < a->n_scope; i++)
        if (!strcmp(a->scope[i].scope, path))
            return i;
    syn_scope_act *s = realloc(a->scope, (size_t)(a->n_scope + 1) * sizeof *s);
    if (!s)
        return -1;
    a->scope = s;
    memset(&s[a->n_scope], 0, sizeof *s);
    snprintf(s[a->n_scope].scope, sizeof s->scope, "%s", path);
    return a->n_scope++;
}

typedef struct {
    FILE         *fp;
    const char   *path;
    long          line;
    syn_activity *a;
    vcd_tab       tab;
    vcd_var      *clk;        /* looked up after the header (rehashing) */
    char          clk_id[256];
    const char   *clk_name;
    long          skip;
    int           in_dumpvars;
    rad_err      *err;
} vcd_rd;

/* Next whitespace-separated token; NULL at end of file. */
static char *token(vcd_rd *r, char *buf, size_t size)
{
    int ch;
    do {
        ch = fgetc(r->fp);
        if (ch == '\n')
            r->line++;
    } while (ch != EOF && isspace(ch));
    if (ch == EOF)
        return NULL;
    size_t n = 0;
    while (ch != EOF && !isspace(ch)) {
        if (n + 1 < size)
            buf[n++] = (char)ch;
        ch = fgetc(r->fp);
    }
    if (ch == '\n')
        r->line++;
    buf[n] = '\0';
    return buf;
}

static int skip_to_end(vcd_rd *r, char *buf, size_t size)
{
    while (token(r, buf, size))
        if (!strcmp(buf, "$end"))
            return 0;
    return rad_errf(r->err, RAD_EPARSE, "%s:%ld: unterminated $ section",
                    r->path, r->line);
}

/* Reads the VCD header up to $enddefinitions: the scopes and the ids and
** widths of the signals, into r.  RAD_OK, or an error naming the line. */
static int read_header(vcd_rd *r)
{
    char tok[1024], path[2 * SYN_NAME_MAX] = "";
    int cur = -1;
    while (token(r, tok, sizeof tok)) {
        if (!strcmp(tok, "$enddefinitions"))
            return skip_to_end(r, tok, sizeof tok);
        if (!strcmp(tok, "$scope")) {
            char kind[64], name[512];
            if (!token(r, kind, sizeof kind) || !token(r, name, sizeof name))
                break;
            size_t n = strlen(path), nn = strlen(name);
            if (n + nn + 2 > sizeof path)
                return rad_errf(r->err, RAD_EPARSE, "%s:%ld: scope path too long",
                                r->path, r->line);
            if (n)
                path[n++] = '.';
            memcpy(path + n, name, nn + 1);
            if ((cur = add_scope(r->a, path)) < 0)
                return rad_errf(r->err, RAD_ENOMEM, "out of memory");
            if (skip_to_end(r, tok, sizeof tok))
                return r->err ? r->err->code : RAD_EPARSE;
        } else if (!strcmp(tok, "$upscope")) {
            char *dot = strrchr(path, '.');
            if (dot)
                *dot = '\0';
            else
                path[0] = '\0';
            cur = path[0] ? add_scope(r->a, path) : -1;
            if (skip_to_end(r, tok, sizeof tok))
                return r->err ? r->err->code : RAD_EPARSE;
        } else if (!strcmp(tok, "$var")) {
            char type[64], width[32], id[256], name[512];
            if (!token(r, type, sizeof type) || !token(r, width, sizeof width)
                || !token(r, id, sizeof id) || !token(r, name, sizeof name))
                break;
            int w = atoi(width);
            if (w <= 0 || w > 1 << 20)
                return rad_errf(r->err, RAD_EPARSE, "%s:%ld: bad width '%s'",
                                r->path, r->line, width);
            if (skip_to_end(r, tok, sizeof tok))
                return r->err ? r->err->code : RAD_EPARSE;
            if (!strcmp(type, "real") || !strcmp(type, "event") || cur < 0)
                continue;
            vcd_var *v = tab_find(&r->tab, id, 0);
            if (!v) {
                v = tab_find(&r->tab, id, 1);
                if (!v || !(v->val = malloc((size_t)w)))
                    return rad_errf(r->err, RAD_ENOMEM, "out of memory");
                memset(v->val, 'x', (size_t)w);
                v->width = w;
                v->scope = cur;
                if (strcmp(name, r->clk_name) || r->clk_id[0])
                    r->a->scope[cur].bits += w;
                else
                    snprintf(r->clk_id, sizeof r->clk_id, "%s", id);
            }
        } else if (tok[0] == '$') {
            if (skip_to_end(r, tok, sizeof tok))
                return r->err ? r->err->code : RAD_EPARSE;
        }
    }
    return rad_errf(r->err, RAD_EPARSE, "%s:%ld: no $enddefinitions", r->path, r->line);
}

/* Applies a new value (MSB first, may be shorter than the width). */
static void apply(vcd_rd *r, vcd_var *v, const char *val)
{
    size_t n = strlen(val);
    if (n > (size_t)v->width)
        val += n - (size_t)v->width, n = (size_t)v->width;
    char pad = (val[0] == 'x' || val[0] == 'z') ? val[0] : '0';
    long toggles = 0;
    for (int i = 0; i < v->width; i++) {
        size_t off = (size_t)(v->width - i);
        char nb = off > n ? pad : val[n - off];
        nb = (char)tolower(nb);
        char ob = v->val[i];
        if ((ob == '0' && nb == '1') || (ob == '1' && nb == '0'))
            toggles++;
        v->val[i] = nb;
    }
    if (v == r->clk) {
        if (toggles && v->val[v->width - 1] == '1')
            r->a->cycles++;
        return;
    }
    if (!r->in_dumpvars && r->a->cycles > r->skip) {
        r->a->scope[v->scope].toggles += toggles;
        r->a->toggles += toggles;
    }
}

static int read_changes(vcd_rd *r)
{
    char tok[1 << 16];
    while (token(r, tok, sizeof tok)) {
        char c = tok[0];
        if (c == '#')
            continue;
        if (c == '$') {
            if (!strcmp(tok, "$dumpvars"))
                r->in_dumpvars = 1;
            else if (!strcmp(tok, "$end"))
                r->in_dumpvars = 0;
            continue;      /* $dumpon/$dumpoff/$dumpall: values follow */
        }
        if (c == 'b' || c == 'B' || c == 'r' || c == 'R') {
            char id[256];
            if (!token(r, id, sizeof id))
                return rad_errf(r->err, RAD_EPARSE, "%s:%ld: value without id",
                                r->path, r->line);
            vcd_var *v = tab_find(&r->tab, id, 0);
            if (v && (c == 'b' || c == 'B'))
                apply(r, v, tok + 1);
            continue;
        }
        if (strchr("01xXzZ", c)) {
            char val[2] = { c, 0 };
            vcd_var *v = tab_find(&r->tab, tok + 1, 0);
            if (v)
                apply(r, v, val);
            continue;
        }
        return rad_errf(r->err, RAD_EPARSE, "%s:%ld: unexpected '%.40s'",
                        r->path, r->line, tok);
    }
    return RAD_OK;
}

int syn_vcd_activity(const char *vcd_path, const char *clk, long skip_cycles,
                     syn_activity *a, rad_err *err)
{
    memset(a, 0, sizeof *a);
    vcd_rd r = { .path = vcd_path, .line = 1, .a = a, .clk_name = clk,
                 .skip = skip_cycles, .err = err };
    r.fp = fopen(vcd_path, "r");
    if (!r.fp)
        return rad_errf(err, RAD_EIO, "%s: cannot open", vcd_path);
    int rc = read_header(&r);
    if (rc == RAD_OK && r.clk_id[0])
        r.clk = tab_find(&r.tab, r.clk_id, 0);
    if (rc == RAD_OK && !r.clk)
        rc = rad_errf(err, RAD_ESCHEMA, "%s: no clock signal named '%s'", vcd_path, clk);
    if (rc == RAD_OK)
        rc = read_changes(&r);
    fclose(r.fp);
    tab_free(&r.tab);
    if (rc == RAD_OK) {
        a->cycles -= skip_cycles < a->cycles ? skip_cycles : a->cycles;
        for (int i = 0; i < a->n_scope; i++)
            a->bits += a->scope[i].bits;
        if (a->cycles <= 0)
            rc = rad_errf(err, RAD_ESCHEMA, "%s: no clock cycles after the first %ld",
                          vcd_path, skip_cycles);
    }
    if (rc)
        syn_activity_free(a);
    return rc;
}

void syn_activity_free(syn_activity *a)
{
    free(a->scope);
    a->scope = NULL;
    a->n_scope = 0;
}

/* ---- power ------------------------------------------------------------- */

typedef struct {
    const syn_netlist  *nl;
    const syn_activity *a;
    double             *bits, *tog;   /* per instance, filled by matching */
    char              **path;
    int                *mod;
    int                 n, cap;
} inst_list;

static int list_instances(inst_list *L, int m, const char *path)
{
    if (L->n == L->cap) {
        int nc = L->cap ? L->cap * 2 : 64;
        char **p = realloc(L->path, (size_t)nc * sizeof *p);
        if (!p)
            return -1;
        L->path = p;
        int *mm = realloc(L->mod, (size_t)nc * sizeof *mm);
        if (!mm)
            return -1;
        L->mod = mm;
        L->cap = nc;
    }
    L->path[L->n] = strdup(path);
    L->mod[L->n++] = m;
    if (!L->path[L->n - 1])
        return -1;
    const syn_module *sm = &L->nl->mod[m];
    for (long i = 0; i < sm->n_sub; i++) {
        char sub[4 * SYN_NAME_MAX];
        snprintf(sub, sizeof sub, "%s.%s", path, sm->child[i].name);
        if (list_instances(L, sm->child[i].sub, sub))
            return -1;
    }
    return 0;
}

/* Instance whose path is the longest prefix of scope (on a '.' boundary). */
static int match_scope(const inst_list *L, const char *scope)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < L->n; i++) {
        size_t n = strlen(L->path[i]);
        if (n >= best_len && !strncmp(scope, L->path[i], n)
            && (scope[n] == '\0' || scope[n] == '.')) {
            best = i;
            best_len = n;
        }
    }
    return best;
}

/* See syn.h.  Dynamic + leakage power of netlist nl under the switching
** activity a (VCD scope root) with technology t, into p.  Borrows nl and
** a.  RAD_OK or the reason. */
int syn_power_estimate(const syn_netlist *nl, const syn_activity *a,
                       const char *root, const syn_tech *t, syn_power *p,
                       rad_err *err)
{
    memset(p, 0, sizeof *p);
    if (nl->n_mod == 0 || a->cycles <= 0)
        return rad_errf(err, RAD_ESCHEMA, "power: empty netlist or activity");
    inst_list L = { .nl = nl, .a = a };
    int rc = RAD_OK;
    if (list_instances(&L, nl->n_mod - 1, root)
        || !(L.bits = calloc((size_t)L.n, sizeof *L.bits))
        || !(L.tog = calloc((size_t)L.n, sizeof *L.tog))) {
        rc = rad_errf(err, RAD_ENOMEM, "power: out of memory");
        goto out;
    }
    for (int s = 0; s < a->n_scope; s++) {
        int i = match_scope(&L, a->scope[s].scope);
        if (i >= 0) {
            L.bits[i] += (double)a->scope[s].bits;
            L.tog[i] += (double)a->scope[s].toggles;
        }
    }
    if (L.bits[0] <= 0 && L.n > 0) {
        rc = rad_errf(err, RAD_ESCHEMA, "power: no signals under scope '%s' in "
                      "the VCD", root);
        goto out;
    }
    /* Instances without dumped signals of their own take the design mean. */
    double mean = a->bits ? (double)a->toggles / ((double)a->bits * (double)a->cycles) : 0;
    double sw = 0, gates = 0;
    for (int i = 0; i < L.n; i++) {
        double g = nl->mod[L.mod[i]].tr_own / 4.0;
        double alpha = mean;
        if (L.bits[i] > 0) {
            alpha = L.tog[i] / (L.bits[i] * (double)a->cycles);
            p->nand2_matched += g;
        }
        sw += alpha * g;
        gates += g;
    }
    p->alpha = gates > 0 ? sw / gates : 0;
    double v2f = t->vdd * t->vdd * t->f_hz;
    double e_per_cycle = 0.5 * sw * v2f;                  /* per farad   */
    p->p_dyn_w = e_per_cycle * t->c_node_ff * 1e-15;
    p->p_clk_w = (double)nl->ff * t->c_clk_ff * 1e-15 * v2f;
    p->p_leak_w = nl->nand2 * t->leak_nw_per_gate * 1e-9;
    p->p_w = p->p_dyn_w + p->p_clk_w + p->p_leak_w;
    p->p_lo_w = e_per_cycle * t->c_node_ff_lo * 1e-15 + p->p_clk_w * 0.5
              + p->p_leak_w * 0.5;
    p->p_hi_w = e_per_cycle * t->c_node_ff_hi * 1e-15 * t->glitch_hi
              + p->p_clk_w * 1.5 + p->p_leak_w * 10;
    p->e_j = p->p_w / t->f_hz;
    p->e_lo_j = p->p_lo_w / t->f_hz;
    p->e_hi_j = p->p_hi_w / t->f_hz;
out:
    for (int i = 0; i < L.n; i++)
        free(L.path[i]);
    free(L.path);
    free(L.mod);
    free(L.bits);
    free(L.tog);
    return rc;
}
