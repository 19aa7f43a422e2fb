/*
** flt_part.c — shard specs, partial result files, merge (see flt_part.h).
*/
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_file.h"
#include "fleet/flt_part.h"

/* ---- shard spec -------------------------------------------------------- */

static int parse_size(const char *s, const char *end, size_t *v)
{
    if (s == end || end - s > 9)
        return -1;
    size_t x = 0;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        x = x * 10 + (size_t)(*p - '0');
    }
    *v = x;
    return 0;
}

int flt_shard_parse(const char *text, flt_shard *s, rad_err *err)
{
    const char *slash = strchr(text, '/');
    if (!slash || parse_size(text, slash, &s->i) ||
        parse_size(slash + 1, slash + strlen(slash), &s->n))
        return rad_errf(err, RAD_EUSAGE, "--shard '%s': expected i/N (two integers, "
                        "e.g. 0/4)", text);
    if (s->n < 1 || s->n > FLT_MAX_SHARDS || s->i >= s->n)
        return rad_errf(err, RAD_ERANGE, "--shard '%s': need 0 <= i < N <= %d", text,
                        FLT_MAX_SHARDS);
    return RAD_OK;
}

bool flt_shard_has(const flt_shard *s, size_t k)
{
    return s->n == 0 || k % s->n == s->i;
}

void flt_part_name(char *buf, size_t len, const char *out, const flt_shard *s)
{
    snprintf(buf, len, "%s.part-%zu-of-%zu", out, s->i, s->n);
}

/* ---- hashing ------------------------------------------------------------ */

int flt_fnv_file(uint64_t *h, const char *path, rad_err *err)
{
    char *buf;
    size_t len;
    int rc = rad_read_all(path, &buf, &len, err);
    if (rc)
        return rc;
    *h = rad_fnv1a(*h, buf, len);
    free(buf);
    return RAD_OK;
}

/* ---- building ----------------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* "rad4ml " + argv (argv[0] the subcommand) joined by spaces, words with
** shell-special characters single-quoted. */
static char *join_argv(int argc, char **argv)
{
    size_t len = 8;
    for (int i = 0; i < argc; i++)
        len += 4 * strlen(argv[i]) + 3;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    p += sprintf(p, "rad4ml ");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789_-./=,:+@%") == strlen(a);
        if (i)
            *p++ = ' ';
        if (plain) {
            p += sprintf(p, "%s", a);
            continue;
        }
        *p++ = '\'';
        for (; *a; a++)
            p += *a == '\'' ? sprintf(p, "'\\''") : sprintf(p, "%c", *a);
        *p++ = '\'';
    }
    *p = 0;
    return s;
}

int flt_part_init(flt_part *p, const char *kind, const char *key, const flt_shard *s,
                  size_t total, int argc, char **argv, rad_err *err)
{
    memset(p, 0, sizeof *p);
    snprintf(p->kind, sizeof p->kind, "%s", kind);
    snprintf(p->key, sizeof p->key, "%s", key);
    p->shard = *s;
    p->total = total;
    p->cmd = join_argv(argc, argv);
    return p->cmd ? RAD_OK : rad_errf(err, RAD_ENOMEM, "out of memory");
}

int flt_part_meta(flt_part *p, const char *name, const char *value, rad_err *err)
{
    assert(!strchr(name, ' ') && !strchr(value, '\n'));
    size_t n = strlen(name) + strlen(value) + 2;
    char **m = realloc(p->meta, (p->n_meta + 1) * sizeof *m);
    if (m)
        p->meta = m;
    char *s = m ? malloc(n) : NULL;
    if (!s)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    snprintf(s, n, "%s %s", name, value);
    p->meta[p->n_meta++] = s;
    return RAD_OK;
}

int flt_part_item(flt_part *p, size_t index, const char *text, rad_err *err)
{
    assert(!strchr(text, '\n'));
    flt_item *it = realloc(p->items, (p->n_items + 1) * sizeof *it);
    if (it)
        p->items = it;
    char *s = it ? dup_str(text) : NULL;
    if (!s)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    p->items[p->n_items++] = (flt_item){ index, s };
    return RAD_OK;
}

const char *flt_part_get(const flt_part *p, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < p->n_meta; i++)
        if (!strncmp(p->meta[i], name, n) && p->meta[i][n] == ' ')
            return p->meta[i] + n + 1;
    return NULL;
}

void flt_part_free(flt_part *p)
{
    free(p->cmd);
    for (size_t i = 0; i < p->n_meta; i++)
        free(p->meta[i]);
    free(p->meta);
    for (size_t i = 0; i < p->n_items; i++)
        free(p->items[i].text);
    free(p->items);
    memset(p, 0, sizeof *p);
}

int flt_part_write(const flt_part *p, const char *path, rad_err *err)
{
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    fprintf(f.fp, "rad4ml-part 1\nkind %s\nkey %s\nshard %zu/%zu\ntotal %zu\ncmd %s\n",
            p->kind, p->key, p->shard.i, p->shard.n, p->total, p->cmd ? p->cmd : "");
    for (size_t i = 0; i < p->n_meta; i++)
        fprintf(f.fp, "meta %s\n", p->meta[i]);
    for (size_t i = 0; i < p->n_items; i++)
        fprintf(f.fp, "item %zu %s\n", p->items[i].index, p->items[i].text);
    fprintf(f.fp, "end %zu\n", p->n_items);
    return rad_file_commit(&f, err);
}

/* ---- reading ------------------------------------------------------------- */

/* One line "<word> <rest>" of a partial file into *p; *ended set by "end". */
static int read_line(flt_part *p, const char *path, int ln, char *line, bool *ended,
                     rad_err *err)
{
    char *sp = strchr(line, ' ');
    if (!sp)
        return rad_errf(err, RAD_EPARSE, "%s:%d: expected '<field> <value>'", path, ln);
    *sp = 0;
    const char *w = line, *v = sp + 1;
    char *end;
    if (*ended)
        return rad_errf(err, RAD_EPARSE, "%s:%d: text after the 'end' line", path, ln);
    if (!strcmp(w, "kind"))
        snprintf(p->kind, sizeof p->kind, "%s", v);
    else if (!strcmp(w, "key"))
        snprintf(p->key, sizeof p->key, "%s", v);
    else if (!strcmp(w, "shard")) {
        rad_err e2;
        if (flt_shard_parse(v, &p->shard, &e2))
            return rad_errf(err, RAD_EPARSE, "%s:%d: %s", path, ln, e2.msg);
    } else if (!strcmp(w, "total")) {
        p->total = strtoull(v, &end, 10);
        if (*end || end == v)
            return rad_errf(err, RAD_EPARSE, "%s:%d: bad total '%s'", path, ln, v);
    } else if (!strcmp(w, "cmd")) {
        free(p->cmd);
        if (!(p->cmd = dup_str(v)))
            return rad_errf(err, RAD_ENOMEM, "out of memory");
    } else if (!strcmp(w, "meta")) {
        char *s2 = strchr(v, ' ');
        if (!s2)
            return rad_errf(err, RAD_EPARSE, "%s:%d: meta without a value", path, ln);
        *s2 = 0;
        return flt_part_meta(p, v, s2 + 1, err);
    } else if (!strcmp(w, "item")) {
        size_t k = strtoull(v, &end, 10);
        if (end == v || *end != ' ')
            return rad_errf(err, RAD_EPARSE, "%s:%d: bad item index", path, ln);
        return flt_part_item(p, k, end + 1, err);
    } else if (!strcmp(w, "end")) {
        size_t k = strtoull(v, &end, 10);
        if (*end || end == v || k != p->n_items)
            return rad_errf(err, RAD_EPARSE, "%s:%d: the file says %s items, it holds %zu "
                            "(truncated or edited)", path, ln, v, p->n_items);
        *ended = true;
    } else
        return rad_errf(err, RAD_EPARSE, "%s:%d: unknown field '%s'", path, ln, w);
    return RAD_OK;
}

int flt_part_read(const char *path, flt_part *p, rad_err *err)
{
    char *buf;
    size_t len;
    memset(p, 0, sizeof *p);
    int rc = rad_read_all(path, &buf, &len, err);
    if (rc)
        return rc;
    if (strncmp(buf, "rad4ml-part 1\n", 14)) {
        free(buf);
        return rad_errf(err, RAD_EPARSE, "%s:1: not a rad4ml partial result "
                        "(expected 'rad4ml-part 1')", path);
    }
    bool ended = false;
    int ln = 1;
    for (char *line = buf + 14; !rc && *line; ln++) {
        char *nl = strchr(line, '\n');
        if (!nl) {
            rc = rad_errf(err, RAD_EPARSE, "%s:%d: last line unterminated", path, ln + 1);
            break;
        }
        *nl = 0;
        rc = read_line(p, path, ln + 1, line, &ended, err);
        line = nl + 1;
    }
    free(buf);
    if (!rc && (!ended || !*p->kind || !*p->key || p->shard.n == 0))
        rc = rad_errf(err, RAD_EPARSE, "%s: incomplete partial (no kind, key, shard or "
                      "'end' line)", path);
    if (rc)
        flt_part_free(p);
    return rc;
}

/* ---- merging ------------------------------------------------------------- */

/* The command that reruns shard i: `cmd` with its "--shard j/N" replaced. */
static void rerun_cmd(char *buf, size_t len, const flt_part *p, size_t i)
{
    const char *at = p->cmd ? strstr(p->cmd, "--shard ") : NULL;
    if (!at) {
        snprintf(buf, len, "(the job's command with --shard %zu/%zu)", i, p->shard.n);
        return;
    }
    const char *rest = strchr(at + 8, ' ');
    snprintf(buf, len, "%.*s--shard %zu/%zu%s", (int)(at - p->cmd), p->cmd, i, p->shard.n,
             rest ? rest : "");
}

/* Same job?  Kind, key, shard count, total and meta must agree. */
static int same_job(const flt_part *a, const char *pa, const flt_part *b, const char *pb,
                    rad_err *err)
{
    if (strcmp(a->kind, b->kind) || strcmp(a->key, b->key))
        return rad_errf(err, RAD_EMISMATCH, "merge: %s (%s, key %s) and %s (%s, key %s) are "
                        "not shards of the same job", pa, a->kind, a->key, pb, b->kind, b->key);
    if (a->shard.n != b->shard.n || a->total != b->total)
        return rad_errf(err, RAD_EMISMATCH, "merge: %s is shard %zu/%zu of %zu items, %s is "
                        "%zu/%zu of %zu", pa, a->shard.i, a->shard.n, a->total, pb,
                        b->shard.i, b->shard.n, b->total);
    bool same = a->n_meta == b->n_meta;
    for (size_t i = 0; same && i < a->n_meta; i++)     /* run.*: this shard's own */
        same = !strcmp(a->meta[i], b->meta[i]) || (!strncmp(a->meta[i], "run.", 4)
                                                   && !strncmp(b->meta[i], "run.", 4));
    if (!same)
        return rad_errf(err, RAD_EMISMATCH, "merge: %s and %s disagree on their settings "
                        "(meta lines)", pa, pb);
    return RAD_OK;
}

/* Every shard once; on a gap, the missing ids and how to rerun the first. */
static int check_shards(flt_part *ps, char *const *paths, size_t n, rad_err *err)
{
    size_t N = ps[0].shard.n;
    long *seen = malloc(N * sizeof *seen);
    if (!seen)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    for (size_t s = 0; s < N; s++)
        seen[s] = -1;
    int rc = RAD_OK;
    for (size_t f = 0; f < n && !rc; f++) {
        size_t i = ps[f].shard.i;
        if (seen[i] >= 0)
            rc = rad_errf(err, RAD_ESCHEMA, "merge: shard %zu/%zu given twice (%s and %s)",
                          i, N, paths[seen[i]], paths[f]);
        seen[i] = (long)f;
    }
    char missing[512] = "", cmd[2048] = "";
    size_t n_missing = 0;
    for (size_t s = 0; s < N && !rc; s++)
        if (seen[s] < 0) {
            size_t k = strlen(missing);
            if (k < sizeof missing - 16)
                snprintf(missing + k, sizeof missing - k, "%s%zu", n_missing ? "," : "", s);
            if (!n_missing++)
                rerun_cmd(cmd, sizeof cmd, &ps[0], s);
        }
    if (!rc && n_missing)
        rc = rad_errf(err, RAD_ESCHEMA, "merge: %zu of %zu shards missing (crashed or not "
                      "run): %s; rerun one alone with: %s", n_missing, N, missing, cmd);
    free(seen);
    return rc;
}

static int by_index(const void *a, const void *b)
{
    size_t x = ((const flt_item *)a)->index, y = ((const flt_item *)b)->index;
    return x < y ? -1 : x > y;
}

/* The shard unit of item ix: meta "shard_by" (a comma list, one unit per
** item: modules of a group share a unit), else ix itself. */
static size_t shard_unit(const flt_part *p, size_t ix)
{
    const char *s = flt_part_get(p, "shard_by");
    for (size_t k = 0; s && k < ix; k++)
        s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL;
    return s ? strtoull(s, NULL, 10) : ix;
}

/* Moves every item into out (which holds the meta of shard 0), checks each
** index once and in its shard. */
static int gather(flt_part *ps, char *const *paths, size_t n, flt_part *out, rad_err *err)
{
    size_t total = 0;
    for (size_t f = 0; f < n; f++) {
        for (size_t k = 0; k < ps[f].n_items; k++) {
            size_t ix = ps[f].items[k].index;
            if (ix >= ps[f].total || !flt_shard_has(&ps[f].shard, shard_unit(out, ix)))
                return rad_errf(err, RAD_ESCHEMA, "merge: %s: item %zu does not belong to "
                                "shard %zu/%zu", paths[f], ix, ps[f].shard.i, ps[f].shard.n);
        }
        total += ps[f].n_items;
    }
    out->items = calloc(total + 1, sizeof *out->items);
    if (!out->items)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    for (size_t f = 0; f < n; f++) {
        memcpy(out->items + out->n_items, ps[f].items, ps[f].n_items * sizeof *ps[f].items);
        out->n_items += ps[f].n_items;
        ps[f].n_items = 0;
    }
    qsort(out->items, out->n_items, sizeof *out->items, by_index);
    for (size_t k = 0; k < out->n_items; k++)
        if (out->items[k].index != k)
            return rad_errf(err, RAD_ESCHEMA, "merge: item %zu %s", k,
                            out->items[k].index < k ? "appears twice" : "is missing");
    if (out->n_items != out->total)
        return rad_errf(err, RAD_ESCHEMA, "merge: %zu items of %zu", out->n_items, out->total);
    return RAD_OK;
}

/* Contract: reads the n partials, checks they are one job (same_job), every
** shard once (check_shards) and every item once in its shard (gather); out
** gets shard 0's kind, key, meta and command and the items in order. */
int flt_merge(char *const *paths, size_t n, flt_part *out, rad_err *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return rad_errf(err, RAD_EUSAGE, "merge: no partial files given");
    flt_part *ps = calloc(n, sizeof *ps);
    if (!ps)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    int rc = RAD_OK;
    size_t nread = 0;
    for (; nread < n && !rc; nread++)
        rc = flt_part_read(paths[nread], &ps[nread], err);
    for (size_t f = 1; f < n && !rc; f++)
        rc = same_job(&ps[0], paths[0], &ps[f], paths[f], err);
    if (!rc)
        rc = check_shards(ps, paths, n, err);
    char **pv = rc ? NULL : malloc(n * sizeof *pv);    /* paths in ps order */
    if (!rc && !pv)
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    for (size_t f = 0; f < n && !rc; f++)
        pv[f] = paths[f];
    for (size_t f = 1; f < n && !rc; f++)
        if (ps[f].shard.i == 0) {           /* shard 0 first: its run.* meta */
            flt_part t = ps[0];
            ps[0] = ps[f];
            ps[f] = t;
            pv[f] = pv[0];
            pv[0] = paths[f];
        }
    if (!rc) {
        *out = ps[0];                       /* kind, key, meta, cmd of shard 0 */
        out->items = NULL;
        out->n_items = 0;
        ps[0].meta = NULL;
        ps[0].n_meta = 0;
        ps[0].cmd = NULL;
        out->shard = (flt_shard){ 0, 0 };
        rc = gather(ps, pv, n, out, err);
    }
    free(pv);
    for (size_t f = 0; f < nread; f++)
        flt_part_free(&ps[f]);
    free(ps);
    if (rc)
        flt_part_free(out);
    return rc;
}

/* The provenance block of meta "prov" as comment lines, when present. */
static int table_prov(FILE *fp, const flt_part *p, rad_err *err)
{
    if (!flt_part_get(p, "prov"))
        return RAD_OK;
    rad_prov prov;
    int rc = flt_part_get_prov(p, "prov", &prov, err);
    if (!rc)
        rad_prov_text(fp, &prov, "# ");
    return rc;
}

int flt_table_write(const char *path, const char *header, const flt_part *p, rad_err *err)
{
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    if ((rc = table_prov(f.fp, p, err))) {
        rad_file_abort(&f);
        return rc;
    }
    fprintf(f.fp, "%s\n", header);
    for (size_t i = 0; i < p->n_items; i++)
        fprintf(f.fp, "%s\n", p->items[i].text);
    return rad_file_commit(&f, err);
}

int flt_table_finish(flt_part *p, const char *path, const char *header,
                     const rad_prov *prov, rad_err *err)
{
    int rc = flt_part_meta(p, "output", path, err);
    if (!rc)
        rc = flt_part_meta(p, "header", header, err);
    if (!rc && prov)
        rc = flt_part_set_prov(p, "prov", prov, err);
    if (rc || p->shard.n == 0)
        return rc ? rc : flt_table_write(path, header, p, err);
    char part[4200];
    flt_part_name(part, sizeof part, path, &p->shard);
    return flt_part_write(p, part, err);
}
