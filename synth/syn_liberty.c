/*
** syn_liberty.c — mapping the generic netlists onto a liberty library
** (synth/flow_liberty.ys) and summing the library's cell areas.
*/
#include "common/rad_hash.h"
#include "synth/syn_liberty.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codegen/cg_int.h"     /* cg_tpl_render: the flow script is a template */
#include "common/rad_file.h"

/* ---- reading the liberty file ------------------------------------------ */

/* The libraries Debian packages (qflow-tech-osu*: Oklahoma State
** University's open cells, installed by tools/install-deps.sh). */
static const struct { const char *name, *path; } KNOWN_LIBS[] = {
    { "osu018", "/usr/share/qflow/tech/osu018/osu018_stdcells.lib" },
    { "osu035", "/usr/share/qflow/tech/osu035/osu035_stdcells.lib" },
    { "osu050", "/usr/share/qflow/tech/osu050/osu050_stdcells.lib" },
};

/* A liberty lexer just good enough for group names, `area` and ff/latch:
** identifiers and numbers, quoted strings, single punctuation characters;
** comments and line continuations skipped. */
typedef struct {
    const char *s;
    int         line;
    char        tok[256];
    int         kind;           /* 'w' word, '"' string, a punct char, 0 end */
} lib_lex;

/* Advances x to the next Liberty token (word, string, punctuation),
** skipping blanks, line continuations and comments; x->kind 0 at the end. */
static void lex_next(lib_lex *x)
{
    for (;;) {
        while (*x->s && (isspace((unsigned char)*x->s) || *x->s == '\\'))
            x->line += *x->s++ == '\n';
        if (x->s[0] == '/' && x->s[1] == '*') {
            const char *e = strstr(x->s + 2, "*/");
            for (const char *p = x->s; p < (e ? e : x->s + strlen(x->s)); p++)
                x->line += *p == '\n';
            x->s = e ? e + 2 : x->s + strlen(x->s);
            continue;
        }
        if (x->s[0] == '/' && x->s[1] == '/') {
            x->s += strcspn(x->s, "\n");
            continue;
        }
        break;
    }
    size_t n = 0;
    if (!*x->s) {
        x->kind = 0;
    } else if (*x->s == '"') {
        x->kind = '"';
        for (x->s++; *x->s && *x->s != '"'; x->s++) {
            x->line += *x->s == '\n';
            if (n + 1 < sizeof x->tok)
                x->tok[n++] = *x->s;
        }
        if (*x->s)
            x->s++;
    } else if (isalnum((unsigned char)*x->s) || strchr("_.-+!", *x->s)) {
        x->kind = 'w';
        while (*x->s && (isalnum((unsigned char)*x->s) || strchr("_.-+!", *x->s)))
            if (n + 1 < sizeof x->tok)
                x->tok[n++] = *x->s++;
            else
                x->s++;
    } else {
        x->kind = *x->s;
        x->tok[n++] = *x->s++;
    }
    x->tok[n] = '\0';
}

static int lib_error(rad_err *err, const syn_lib *lib, int line, const char *what)
{
    return rad_errf(err, RAD_EPARSE, "%s:%d: %s", lib->path, line, what);
}

/* Group header `NAME ( ARG )`: returns ARG (word or string) in x->tok. */
static int group_arg(lib_lex *x)
{
    lex_next(x);
    if (x->kind != '(')
        return -1;
    lex_next(x);
    if (x->kind != 'w' && x->kind != '"')
        return -1;
    return 0;
}

static int add_cell(syn_lib *lib, const char *name, rad_err *err)
{
    struct syn_libcell *c = realloc(lib->cell, (size_t)(lib->n_cell + 1) * sizeof *c);
    if (!c)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    lib->cell = c;
    c += lib->n_cell++;
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%.63s", name);
    c->area = -1;
    return RAD_OK;
}

/* Nesting of Liberty groups parse_lib follows at most (deeper: an error). */
#define LIB_MAX_DEPTH 64

/* Reads the Liberty text into lib: the cells' names and areas (groups
** nested at most LIB_MAX_DEPTH).  RAD_OK, or an error naming the line. */
static int parse_lib(const char *text, syn_lib *lib, rad_err *err)
{
    lib_lex x = { .s = text, .line = 1 };
    int depth = 0, cell_depth = -1, open_line[LIB_MAX_DEPTH];
    for (lex_next(&x); x.kind; lex_next(&x)) {
        if (x.kind == '{') {
            if (depth == LIB_MAX_DEPTH)
                return lib_error(err, lib, x.line, "groups nested too deep");
            open_line[depth++] = x.line;
        } else if (x.kind == '}') {
            if (depth == 0)
                return lib_error(err, lib, x.line, "'}' without a group");
            if (--depth == cell_depth)
                cell_depth = -1;
        } else if (x.kind == 'w' && depth == 0 && !strcmp(x.tok, "library")) {
            if (group_arg(&x))
                return lib_error(err, lib, x.line, "expected library (NAME)");
            snprintf(lib->name, sizeof lib->name, "%.159s", x.tok);
        } else if (x.kind == 'w' && depth == 1 && !strcmp(x.tok, "cell")) {
            if (group_arg(&x))
                return lib_error(err, lib, x.line, "expected cell (NAME)");
            int rc = add_cell(lib, x.tok, err);
            if (rc)
                return rc;
            cell_depth = 1;
        } else if (x.kind == 'w' && cell_depth == 1 && depth == 2 && !strcmp(x.tok, "area")) {
            lex_next(&x);
            char *end = NULL;
            if (x.kind == ':')
                lex_next(&x);
            double a = strtod(x.tok, &end);
            if (x.kind != 'w' || *end || a < 0)
                return lib_error(err, lib, x.line, "area: expected a number >= 0");
            lib->cell[lib->n_cell - 1].area = a;
        } else if (x.kind == 'w' && cell_depth == 1 && depth >= 2
                   && (!strcmp(x.tok, "ff") || !strcmp(x.tok, "latch"))) {
            lib->cell[lib->n_cell - 1].seq = 1;
        }
    }
    if (depth)
        return lib_error(err, lib, open_line[depth - 1], "group not closed before the end of file");
    if (!lib->name[0])
        return rad_errf(err, RAD_EPARSE, "%s: no library (NAME) { ... } group: not a liberty file",
                        lib->path);
    return RAD_OK;
}

/* The NAND2 cell: the smallest cell with an area whose name has "nand2". */
static int find_nand2(syn_lib *lib, rad_err *err)
{
    for (int i = 0; i < lib->n_cell; i++) {
        const struct syn_libcell *c = &lib->cell[i];
        char low[64];
        size_t k;
        for (k = 0; c->name[k] && k + 1 < sizeof low; k++)
            low[k] = (char)tolower((unsigned char)c->name[k]);
        low[k] = '\0';
        if (strstr(low, "nand2") && c->area > 0
            && (!lib->nand2[0] || c->area < lib->nand2_area)) {
            snprintf(lib->nand2, sizeof lib->nand2, "%s", c->name);
            lib->nand2_area = c->area;
        }
    }
    if (!lib->nand2[0])
        return rad_errf(err, RAD_EPARSE, "%s: no NAND2 cell with an area (needed as the "
                        "unit of NAND2 equivalents)", lib->path);
    return RAD_OK;
}

int syn_lib_load(const char *name_or_path, syn_lib *lib, rad_err *err)
{
    memset(lib, 0, sizeof *lib);
    snprintf(lib->path, sizeof lib->path, "%s", name_or_path);
    for (size_t i = 0; i < sizeof KNOWN_LIBS / sizeof KNOWN_LIBS[0]; i++)
        if (!strcmp(name_or_path, KNOWN_LIBS[i].name))
            snprintf(lib->path, sizeof lib->path, "%s", KNOWN_LIBS[i].path);
    char *text;
    size_t len;
    int rc = rad_read_all(lib->path, &text, &len, err);
    if (rc)
        return rc;
    lib->hash = rad_fnv1a(RAD_FNV1A_INIT, text, len);
    rc = parse_lib(text, lib, err);
    free(text);
    if (rc == RAD_OK)
        rc = find_nand2(lib, err);
    if (rc)
        syn_lib_free(lib);
    return rc;
}

void syn_lib_free(syn_lib *lib)
{
    free(lib->cell);
    lib->cell = NULL;
    lib->n_cell = 0;
}

static const struct syn_libcell *lib_cell(const syn_lib *lib, const char *name)
{
    for (int i = 0; i < lib->n_cell; i++)
        if (!strcmp(lib->cell[i].name, name))
            return &lib->cell[i];
    return NULL;
}

/* ---- Yosys reports ----------------------------------------------------- */

/* Adds one module's figures (own cells only) times its instances. */
static int add_module(const char *report, const char *mod, long cells, long ff, double area,
                      const syn_netlist *nl, syn_libarea *out, rad_err *err)
{
    if (area < 0 && cells > 0)     /* Yosys omits the line when no cell has an area */
        return rad_errf(err, RAD_EPARSE, "%s: module %s: library cells but no chip area line",
                        report, mod);
    const syn_module *m = syn_netlist_find(nl, mod);
    if (!m)
        return rad_errf(err, RAD_EPARSE, "%s: module %s is not in the netlist %s (stale report)",
                        report, mod, nl->top);
    out->area += (area > 0 ? area : 0) * (double)m->instances;
    out->cells += cells * m->instances;
    out->ff += ff * m->instances;
    return RAD_OK;
}

/* See syn_liberty.h.  Parses the mapped-area report text (named report)
** into out, module by module against nl's modules.  RAD_OK or the reason. */
int syn_lib_add_report(const char *report, const char *text, const syn_lib *lib,
                       const syn_netlist *nl, syn_libarea *out, rad_err *err)
{
    char mod[SYN_NAME_MAX] = "", line[1024];
    long cells = 0, ff = 0;
    double area = -1;
    int n_mod = 0;
    for (const char *p = text; *p; ) {
        size_t n = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        p += n + (p[n] == '\n');
        char name[SYN_NAME_MAX], type[128];
        long count;
        double a;
        if (sscanf(line, " === %159s ===", name) == 1) {
            if (mod[0] && add_module(report, mod, cells, ff, area, nl, out, err))
                return err->code;
            if (!strcmp(name, "design")) {      /* "=== design hierarchy ===" */
                mod[0] = '\0';
                break;
            }
            snprintf(mod, sizeof mod, "%s", name);
            cells = ff = 0;
            area = -1;
            n_mod++;
        } else if (sscanf(line, " Chip area for module '%159[^']': %lf", name, &a) == 2) {
            area = a;
        } else if (mod[0] && sscanf(line, " %127s %ld", type, &count) == 2) {
            const struct syn_libcell *c = lib_cell(lib, type);
            if (c) {             /* library cells only: not submodule instances */
                cells += count;
                ff += c->seq ? count : 0;
            }
        }
    }
    if (mod[0] && add_module(report, mod, cells, ff, area, nl, out, err))
        return err->code;
    if (n_mod == 0)
        return rad_errf(err, RAD_EPARSE, "%s: no module statistics in the report", report);
    out->nand2_eq = out->area / lib->nand2_area;
    return RAD_OK;
}

/* ---- mapping ----------------------------------------------------------- */

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Fills in a template and writes it to path; frees the scope. */
static int write_filled(const char *tpl, const char *tpl_name, cg_scope *s, const char *path,
                        rad_err *err)
{
    cg_buf b = { 0 };
    int rc = cg_tpl_render(tpl, tpl_name, s, &b, err);
    if (rc == RAD_OK)
        rc = cg_buf_write(&b, path, err);
    cg_buf_free(&b);
    cg_scope_free(s);
    return rc;
}

/* Reads a template from synth/ (syn_find_script); *name gets its path. */
static int read_template(const char *file, char *name, size_t size, char **text, size_t *len,
                         rad_err *err)
{
    int rc = syn_find_script(file, name, size, err);
    return rc ? rc : rad_read_all(name, text, len, err);
}

/* The outputs of one run (report and mapped netlist) are renamed into
** place only when the tool succeeded; returns 0 when both are there. */
static int commit_outputs(int st, const char *tmp1, const char *out1, const char *tmp2,
                          const char *out2)
{
    if (st == 0 && rename(tmp1, out1) == 0 && (!tmp2 || rename(tmp2, out2) == 0))
        return 0;
    remove(tmp1);
    if (tmp2)
        remove(tmp2);
    return -1;
}

/* What every mapping of one syn_lib_map call shares. */
typedef struct {
    const syn_job     *j;
    const char        *tpl, *tpl_name;
    const syn_lib     *lib;
    double             period_ns;
    const syn_netlist *nl;
    const char        *fa_map;   /* synth/fa_liberty.v, or NULL: no FA cell */
} map_ctx;

/* The scope of flow_liberty.ys for one mapping: the generic netlist
** (whole design), or the module's RTL (m: per module, with full adders
** onto the library's cell when c->fa_map); report and netlist to tmp names. */
static cg_scope *map_scope(const map_ctx *c, const syn_modjob *m, const char *netlist,
                           const char *report, const char *verilog)
{
    cg_scope *s = cg_scope_new();
    if (!s)
        return NULL;
    cg_set(s, "liberty", "%s", c->lib->path);
    cg_set(s, "report", "%s", report);
    cg_set(s, "verilog", "%s", verilog);
    cg_set(s, "delay_ps", "%.0f", 1e3 * c->period_ns);
    if (!m) {
        cg_set(cg_block(s, "json"), "netlist", "%s", netlist);
        return s;
    }
    cg_scope *r = cg_block(s, "rtl");
    cg_set(r, "file", "%s/mod_%016llx.v", c->j->cache_dir, m->hash);
    cg_set(r, "incdir", "%s", c->j->rtl_dir ? c->j->rtl_dir : ".");
    cg_set(r, "top", "%s", m->name);
    if (c->fa_map)
        cg_set(cg_block(s, "fa"), "fa_map", "%s", c->fa_map);
    return s;
}

/* Maps one netlist (the whole design's generic one, or module m's RTL) or
** finds its report, and adds its figures. */
static int map_one(const map_ctx *c, const syn_modjob *m, const char *netlist,
                   unsigned long long key, syn_libarea *out, rad_err *err)
{
    char report[4200], tmp[4300], vout[4200], vtmp[4300], script[4200], log[4200];
    const char *dir = c->j->cache_dir;
    snprintf(report, sizeof report, "%s/lib_%016llx.txt", dir, key);
    snprintf(vout, sizeof vout, "%s/lib_%016llx.v", dir, key);
    if (out->n_net == SYN_MAX_MODS)
        return rad_errf(err, RAD_ERANGE, "%s: more than %d netlists", netlist, SYN_MAX_MODS);
    out->net_key[out->n_net++] = key;
    if (c->j->no_cache || !file_exists(report) || !file_exists(vout)) {
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", report, (long)getpid());
        snprintf(vtmp, sizeof vtmp, "%s.tmp.%ld.v", vout, (long)getpid());
        snprintf(script, sizeof script, "%s/lib_%016llx.ys", dir, key);
        snprintf(log, sizeof log, "%s/lib_%016llx.log", dir, key);
        cg_scope *s = map_scope(c, m, netlist, tmp, vtmp);
        if (!s)
            return rad_errf(err, RAD_ENOMEM, "out of memory");
        int rc = write_filled(c->tpl, c->tpl_name, s, script, err);
        if (rc)
            return rc;
        int st = syn_yosys_script(script, log, &out->seconds);
        out->n_run++;
        out->cached = 0;
        if (commit_outputs(st, tmp, report, vtmp, vout))
            return rad_errf(err, RAD_ETOOL, "%s: yosys mapping onto %s failed (exit %d); "
                            "log %s", netlist, c->lib->path, st, log);
    }
    char *text;
    size_t len;
    int rc = rad_read_all(report, &text, &len, err);
    if (rc)
        return rc;
    rc = syn_lib_add_report(report, text, c->lib, c->nl, out, err);
    free(text);
    return rc;
}

/* Whether lib has a cell of that name. */
static int lib_has_cell(const syn_lib *lib, const char *name)
{
    for (int i = 0; i < lib->n_cell; i++)
        if (strcmp(lib->cell[i].name, name) == 0)
            return 1;
    return 0;
}

/* The cache key base of every mapping: liberty text, script, clock and,
** when full adders are mapped, the techmap rule's text. */
static int map_base(map_ctx *c, char *fa_name, size_t fa_size, unsigned long long *base,
                    rad_err *err)
{
    *base = rad_fnv1a(c->lib->hash, c->tpl, strlen(c->tpl));
    *base = rad_fnv1a(*base, &c->period_ns, sizeof c->period_ns);
    if (c->j->n_mod == 0 || !lib_has_cell(c->lib, "FAX1"))
        return RAD_OK;
    char *text;
    size_t len;
    int rc = read_template("fa_liberty.v", fa_name, fa_size, &text, &len, err);
    if (rc)
        return rc;
    *base = rad_fnv1a(*base, text, len);
    free(text);
    c->fa_map = fa_name;
    return RAD_OK;
}

int syn_lib_map(const syn_job *j, const syn_netlist *nl, const syn_lib *lib, double period_ns,
                syn_libarea *out, rad_err *err)
{
    memset(out, 0, sizeof *out);
    out->cached = 1;
    char tpl_name[4096], fa_name[4096], *tpl;
    size_t tlen;
    int rc = read_template("flow_liberty.ys", tpl_name, sizeof tpl_name, &tpl, &tlen, err);
    if (rc)
        return rc;
    map_ctx c = { j, tpl, tpl_name, lib, period_ns, nl, NULL };
    unsigned long long base;
    rc = map_base(&c, fa_name, sizeof fa_name, &base, err);
    if (rc == RAD_OK && j->n_mod == 0) {   /* flat, or a design the flow ran whole */
        rc = map_one(&c, NULL, j->netlist, rad_fnv1a(base, &j->hash, sizeof j->hash), out, err);
    } else {
        char net[4200];
        for (int i = 0; i < j->n_mod && rc == RAD_OK; i++) {
            syn_module_netlist(j, &j->mod[i], net, sizeof net);
            rc = map_one(&c, &j->mod[i], net, rad_fnv1a(base, &j->mod[i].hash,
                         sizeof j->mod[i].hash), out, err);
        }
    }
    free(tpl);
    return rc;
}

/* ---- static timing ------------------------------------------------------- */

/* "Startpoint: NAME (...)" -> NAME. */
static void point_name(const char *line, const char *tag, char *out, size_t size)
{
    const char *p = strstr(line, tag);
    if (!p)
        return;
    p += strlen(tag);
    p += strspn(p, " ");
    snprintf(out, size, "%.*s", (int)strcspn(p, " \n"), p);
}

int syn_sta_parse(const char *report, const char *text, syn_timing *t, rad_err *err)
{
    int have_arrival = 0, have_slack = 0;
    t->start[0] = t->end[0] = '\0';
    for (const char *p = text; *p; ) {
        size_t n = strcspn(p, "\n");
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        p += n + (p[n] == '\n');
        double v;
        char word[32];
        if (!t->start[0] && strstr(line, "Startpoint:"))
            point_name(line, "Startpoint:", t->start, sizeof t->start);
        else if (!t->end[0] && strstr(line, "Endpoint:"))
            point_name(line, "Endpoint:", t->end, sizeof t->end);
        else if (!have_arrival && strstr(line, "data arrival time")
                 && sscanf(line, " %lf", &v) == 1)
            t->arrival_ns = v, have_arrival = 1;
        else if (!have_slack && sscanf(line, " %lf slack (%31[A-Z]", &v, word) == 2)
            t->slack_ns = v, have_slack = 1;
    }
    if (!have_arrival || !have_slack || !t->start[0] || !t->end[0])
        return rad_errf(err, RAD_EPARSE, "%s: no timing path (Startpoint / Endpoint / data "
                        "arrival time / slack) in the OpenSTA report", report);
    return RAD_OK;
}

static const char *sta_bin(void)
{
    const char *s = getenv("RAD4ML_STA");
    return s && *s ? s : "sta";
}

/* See syn_liberty.h.  Static timing of the design of job j mapped onto
** lib (OpenSTA on the mapped netlist, clock clk at period_ns), cached by
** key; results into t.  RAD_OK or the reason. */
int syn_lib_sta(const syn_job *j, const syn_lib *lib, const syn_libarea *a,
                const char *top, const char *clk, double period_ns, syn_timing *t,
                rad_err *err)
{
    memset(t, 0, sizeof *t);
    t->period_ns = period_ns;
    t->cached = 1;
    char tpl_name[4096], *tpl;
    size_t tlen;
    int rc = read_template("sta_liberty.tcl", tpl_name, sizeof tpl_name, &tpl, &tlen, err);
    if (rc)
        return rc;
    unsigned long long key = rad_fnv1a(lib->hash, tpl, tlen);
    key = rad_fnv1a(key, a->net_key, (size_t)a->n_net * sizeof a->net_key[0]);
    key = rad_fnv1a(key, top, strlen(top) + 1);
    key = rad_fnv1a(key, clk, strlen(clk) + 1);
    key = rad_fnv1a(key, &period_ns, sizeof period_ns);
    char report[4200], tmp[4300], script[4200], log[4200];
    snprintf(report, sizeof report, "%s/sta_%016llx.txt", j->cache_dir, key);
    if (j->no_cache || !file_exists(report)) {
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", report, (long)getpid());
        snprintf(script, sizeof script, "%s/sta_%016llx.tcl", j->cache_dir, key);
        snprintf(log, sizeof log, "%s/sta_%016llx.log", j->cache_dir, key);
        cg_scope *s = cg_scope_new();
        if (!s) {
            free(tpl);
            return rad_errf(err, RAD_ENOMEM, "out of memory");
        }
        cg_set(s, "liberty", "%s", lib->path);
        cg_set(s, "top", "%s", top);
        cg_set(s, "clk", "%s", clk);
        cg_set(s, "period_ns", "%.6g", period_ns);
        cg_set(s, "report", "%s", tmp);
        for (int i = 0; i < a->n_net; i++)
            cg_set(cg_block(s, "netlist"), "file", "%s/lib_%016llx.v", j->cache_dir,
                   a->net_key[i]);
        rc = write_filled(tpl, tpl_name, s, script, err);
        if (rc == RAD_OK) {
            char *argv[] = { (char *)sta_bin(), "-no_init", "-no_splash", "-exit", script, NULL };
            int st = syn_run_tool(argv, log, &t->seconds);
            t->cached = 0;
            /* OpenSTA exits 0 even when a command failed: the report must exist */
            if (commit_outputs(st, tmp, report, NULL, NULL))
                rc = rad_errf(err, RAD_ETOOL, "%s: OpenSTA (%s) failed (exit %d); log %s",
                              top, sta_bin(), st, log);
        }
    }
    free(tpl);
    if (rc)
        return rc;
    char *text;
    size_t len;
    if ((rc = rad_read_all(report, &text, &len, err)))
        return rc;
    rc = syn_sta_parse(report, text, t, err);
    free(text);
    return rc;
}
