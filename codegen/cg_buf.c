/*
** cg_buf.c — text buffer and the tiny template engine of the generators.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_int.h"
#include "common/rad_file.h"

/* ---- text buffer ------------------------------------------------------ */

static void buf_grow(cg_buf *b, size_t more)
{
    if (b->oom || b->n + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return;
    }
    b->p = p;
    b->cap = cap;
}

void cg_vprintf(cg_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    buf_grow(b, (size_t)n);
    if (b->oom)
        return;
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    b->n += (size_t)n;
}

void cg_printf(cg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cg_vprintf(b, fmt, ap);
    va_end(ap);
}

static void buf_put(cg_buf *b, const char *s, size_t n)
{
    buf_grow(b, n);
    if (b->oom)
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void cg_puts(cg_buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void cg_buf_free(cg_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

int cg_buf_write(const cg_buf *b, const char *path, rad_err *err)
{
    if (b->oom)
        return rad_errf(err, RAD_ENOMEM, "%s: out of memory while generating", path);
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    if (b->n && fwrite(b->p, 1, b->n, f.fp) != b->n) {
        rad_file_abort(&f);
        return rad_errf(err, RAD_EIO, "%s: write failed", path);
    }
    return rad_file_commit(&f, err);
}

/* ---- template engine -------------------------------------------------- */

typedef struct { char *name, *value; } cg_var;
typedef struct { char *name; cg_scope **inst; int n; } cg_blk;

struct cg_scope {
    const cg_scope *parent;
    cg_var *vars;  int n_vars;
    cg_blk *blks;  int n_blks;
};

cg_scope *cg_scope_new(void) { return calloc(1, sizeof(cg_scope)); }

void cg_scope_free(cg_scope *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_vars; i++) {
        free(s->vars[i].name);
        free(s->vars[i].value);
    }
    for (int i = 0; i < s->n_blks; i++) {
        for (int k = 0; k < s->blks[i].n; k++)
            cg_scope_free(s->blks[i].inst[k]);
        free(s->blks[i].inst);
        free(s->blks[i].name);
    }
    free(s->vars);
    free(s->blks);
    free(s);
}

/* Allocation failures inside a scope are ignored here and show up as
** unknown names at render time (an error, never silent output). */
void cg_set(cg_scope *s, const char *name, const char *fmt, ...)
{
    if (!s)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *v = malloc((size_t)n + 1);
    if (!v)
        return;
    va_start(ap, fmt);
    vsnprintf(v, (size_t)n + 1, fmt, ap);
    va_end(ap);
    for (int i = 0; i < s->n_vars; i++)
        if (!strcmp(s->vars[i].name, name)) {
            free(s->vars[i].value);
            s->vars[i].value = v;
            return;
        }
    cg_var *nv = realloc(s->vars, (size_t)(s->n_vars + 1) * sizeof *nv);
    char *nm = strdup(name);
    if (!nv || !nm) {
        free(v);
        free(nm);
        if (nv)
            s->vars = nv;
        return;
    }
    s->vars = nv;
    s->vars[s->n_vars].name = nm;
    s->vars[s->n_vars].value = v;
    s->n_vars++;
}

static cg_blk *find_blk(const cg_scope *s, const char *name, size_t len)
{
    for (int i = 0; i < s->n_blks; i++)
        if (strlen(s->blks[i].name) == len && !strncmp(s->blks[i].name, name, len))
            return &s->blks[i];
    return NULL;
}

cg_scope *cg_block(cg_scope *s, const char *blk)
{
    if (!s)
        return NULL;
    cg_blk *b = find_blk(s, blk, strlen(blk));
    if (!b) {
        cg_blk *nb = realloc(s->blks, (size_t)(s->n_blks + 1) * sizeof *nb);
        if (!nb)
            return NULL;
        s->blks = nb;
        b = &s->blks[s->n_blks];
        memset(b, 0, sizeof *b);
        if (!(b->name = strdup(blk)))
            return NULL;
        s->n_blks++;
    }
    cg_scope **ni = realloc(b->inst, (size_t)(b->n + 1) * sizeof *ni);
    if (!ni)
        return NULL;
    b->inst = ni;
    cg_scope *c = cg_scope_new();
    if (!c)
        return NULL;
    c->parent = s;
    b->inst[b->n++] = c;
    return c;
}

static const char *lookup(const cg_scope *s, const char *name, size_t len)
{
    for (; s; s = s->parent)
        for (int i = 0; i < s->n_vars; i++)
            if (strlen(s->vars[i].name) == len && !strncmp(s->vars[i].name, name, len))
                return s->vars[i].value;
    return NULL;
}

static const cg_blk *lookup_blk(const cg_scope *s, const char *name, size_t len)
{
    for (; s; s = s->parent) {
        const cg_blk *b = find_blk(s, name, len);
        if (b)
            return b;
    }
    return NULL;
}

static int line_of(const char *tpl, const char *at)
{
    int line = 1;
    for (const char *p = tpl; p < at; p++)
        line += *p == '\n';
    return line;
}

/* Finds the {{/name}} matching a {{#name}} that ends at `from`. */
static const char *find_close(const char *from, const char *name, size_t len)
{
    int depth = 1;
    for (const char *p = strstr(from, "{{"); p; p = strstr(p + 2, "{{")) {
        if ((p[2] == '#' || p[2] == '/') && !strncmp(p + 3, name, len) &&
            !strncmp(p + 3 + len, "}}", 2)) {
            depth += p[2] == '#' ? 1 : -1;
            if (depth == 0)
                return p;
        }
    }
    return NULL;
}

/* Renders the template text [begin, end) of template tpl (tpl_name: for
** messages; begin/end point into tpl) in scope s, appending to out:
** {{name}} looked up in s and its parents, {{#blk}}..{{/blk}} rendered
** once per instance of blk (recursively).  The caller owns every buffer;
** an unknown name or an unclosed block is reported with the line. */
static int render(const char *tpl, const char *begin, const char *end,
                  const char *tpl_name, const cg_scope *s, cg_buf *out, rad_err *err)
{
    const char *p = begin;
    while (p < end) {
        const char *o = strstr(p, "{{");
        if (!o || o >= end) {
            buf_put(out, p, (size_t)(end - p));
            break;
        }
        buf_put(out, p, (size_t)(o - p));
        const char *c = strstr(o, "}}");
        if (!c || c > end)
            return rad_errf(err, RAD_EPARSE, "%s:%d: unclosed '{{'", tpl_name, line_of(tpl, o));
        if (o[2] == '#') {
            const char *name = o + 3;
            size_t len = (size_t)(c - name);
            const char *close = find_close(c + 2, name, len);
            if (!close || close > end)
                return rad_errf(err, RAD_EPARSE, "%s:%d: block '%.*s' not closed",
                                tpl_name, line_of(tpl, o), (int)len, name);
            const char *body = c + 2, *after = close + len + 5;
            if (*body == '\n')          /* block tags on their own lines */
                body++;
            if (*after == '\n')
                after++;
            const cg_blk *b = lookup_blk(s, name, len);
            for (int i = 0; b && i < b->n; i++) {
                int rc = render(tpl, body, close, tpl_name, b->inst[i], out, err);
                if (rc)
                    return rc;
            }
            p = after;
            continue;
        }
        if (o[2] == '/')
            return rad_errf(err, RAD_EPARSE, "%s:%d: '%.*s' without its block",
                            tpl_name, line_of(tpl, o), (int)(c - o + 2), o);
        const char *v = lookup(s, o + 2, (size_t)(c - o - 2));
        if (!v)
            return rad_errf(err, RAD_EPARSE, "%s:%d: unknown placeholder '%.*s'",
                            tpl_name, line_of(tpl, o), (int)(c - o - 2), o + 2);
        cg_puts(out, v);
        p = c + 2;
    }
    return out->oom ? rad_errf(err, RAD_ENOMEM, "%s: out of memory", tpl_name) : RAD_OK;
}

int cg_tpl_render(const char *tpl, const char *tpl_name, const cg_scope *s,
                  cg_buf *out, rad_err *err)
{
    /* Trim the close tag's line too: handled by render() via `after`. */
    return render(tpl, tpl, tpl + strlen(tpl), tpl_name, s, out, err);
}
