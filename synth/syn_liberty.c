/*
** syn_liberty.c — mapping the generic netlists onto a liberty library
** (synth/flow_liberty.ys) and summing the library's cell areas.
*/
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

static int parse_lib(const char *text, syn_lib *lib, rad_err *err)
{
    lib_lex x = { .s = text, .line = 1 };
    int depth = 0, cell_depth = -1, open_line[64];
    for (lex_next(&x); x.kind; lex_next(&x)) {
        if (x.kind == '{') {
            if (depth == 64)
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
    lib->hash = syn_hash(SYN_HASH_INIT, text, len);
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

/* Writes the flow script for one netlist (the template filled in). */
static int write_script(const char *tpl, const char *tpl_name, const char *path,
                        const char *netlist, const char *liberty, const char *report,
                        rad_err *err)
{
    cg_scope *s = cg_scope_new();
    if (!s)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    cg_set(s, "netlist", "%s", netlist);
    cg_set(s, "liberty", "%s", liberty);
    cg_set(s, "report", "%s", report);
    cg_buf b = { 0 };
    int rc = cg_tpl_render(tpl, tpl_name, s, &b, err);
    if (rc == RAD_OK)
        rc = cg_buf_write(&b, path, err);
    cg_buf_free(&b);
    cg_scope_free(s);
    return rc;
}

/* Maps one generic netlist (or finds its report) and adds its figures. */
static int map_one(const syn_job *j, const char *netlist, unsigned long long key,
                   const char *tpl, const char *tpl_name, const syn_lib *lib,
                   const syn_netlist *nl, syn_libarea *out, rad_err *err)
{
    char report[4200], tmp[4300], script[4200], log[4200];
    snprintf(report, sizeof report, "%s/lib_%016llx.txt", j->cache_dir, key);
    if (j->no_cache || !file_exists(report)) {
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", report, (long)getpid());
        snprintf(script, sizeof script, "%s/lib_%016llx.ys", j->cache_dir, key);
        snprintf(log, sizeof log, "%s/lib_%016llx.log", j->cache_dir, key);
        int rc = write_script(tpl, tpl_name, script, netlist, lib->path, tmp, err);
        if (rc)
            return rc;
        int st = syn_yosys_script(script, log, &out->seconds);
        out->n_run++;
        out->cached = 0;
        if (st != 0 || rename(tmp, report) != 0) {
            remove(tmp);
            return rad_errf(err, RAD_ETOOL, "%s: yosys mapping onto %s failed (exit %d); "
                            "log %s", netlist, lib->path, st, log);
        }
    }
    char *text;
    size_t len;
    int rc = rad_read_all(report, &text, &len, err);
    if (rc)
        return rc;
    rc = syn_lib_add_report(report, text, lib, nl, out, err);
    free(text);
    return rc;
}

int syn_lib_map(const syn_job *j, const syn_netlist *nl, const syn_lib *lib,
                syn_libarea *out, rad_err *err)
{
    memset(out, 0, sizeof *out);
    out->cached = 1;
    char tpl_name[4096];
    int rc = syn_find_script("flow_liberty.ys", tpl_name, sizeof tpl_name, err);
    char *tpl = NULL;
    size_t tlen;
    if (rc || (rc = rad_read_all(tpl_name, &tpl, &tlen, err)))
        return rc;
    unsigned long long base = syn_hash(lib->hash, tpl, tlen);
    if (j->n_mod == 0) {        /* flat, or a design the flow ran whole */
        rc = map_one(j, j->netlist, syn_hash(base, &j->hash, sizeof j->hash), tpl, tpl_name,
                     lib, nl, out, err);
    } else {
        char net[4200];
        for (int i = 0; i < j->n_mod && rc == RAD_OK; i++) {
            syn_module_netlist(j, &j->mod[i], net, sizeof net);
            rc = map_one(j, net, syn_hash(base, &j->mod[i].hash, sizeof j->mod[i].hash),
                         tpl, tpl_name, lib, nl, out, err);
        }
    }
    free(tpl);
    if (rc == RAD_OK)
        out->nand2_eq = out->area / lib->nand2_area;
    return rc;
}
