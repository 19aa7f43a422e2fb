/*
** eng_vec.c — the reference engine on files (see eng_vec.h for the formats).
**
** Rows are read with data/dataset.h's dat_stream (the one crossing parser),
** encoded one at a time (fast path, or the generic path when a trace is
** asked for or the model does not fit the fast path) and written with a
** small exact number formatter: a row of the ECON-T output is ~300 bytes,
** so printf's double formatting would dominate the run time.
*/
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_file.h"
#include "engine/eng_vec.h"

#define ROW_MAX 32768           /* longest output line (256 decoded cells) */

/* ---- inputs ------------------------------------------------------------- */

struct eng_src {
    const mdl_model *m;
    eng_in_kind      kind;
    dat_stream      *st;
    eng_plan        *plan;
    eng_trace       *tr;           /* tensor inputs run the generic path */
    uint32_t         q[MDL_MAX_CELLS];
};

int eng_src_open(const mdl_model *m, const char *path, eng_in_kind kind,
                 const dat_frontend *fe, eng_src **out, rad_err *err)
{
    eng_src *s = calloc(1, sizeof *s);
    if (!s)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    s->m = m;
    s->kind = kind;
    dat_format f = kind == ENG_IN_CSV ? DAT_FMT_CSV :
                   kind == ENG_IN_EPORTRX ? DAT_FMT_EPORTRX : DAT_FMT_AUTO;
    int rc = RAD_OK;
    if (kind == ENG_IN_EPORTRX && m->in.n_cells != GEO_N_CELLS)
        rc = rad_errf(err, RAD_ESCHEMA, "ePortRX input needs a %d-cell model (this one "
                      "has %d)", GEO_N_CELLS, m->in.n_cells);
    if (!rc)
        rc = dat_stream_open(path, f, fe, m->in.n_cells, m->in.charge_bits, &s->st, err);
    if (!rc && kind == ENG_IN_TENSOR && !(s->tr = eng_trace_new(m)))
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!rc && kind != ENG_IN_TENSOR)
        rc = eng_compile(m, &s->plan, err);
    if (rc) {
        eng_src_close(s);
        return rc;
    }
    *out = s;
    return RAD_OK;
}

void eng_src_close(eng_src *s)
{
    if (!s)
        return;
    dat_stream_close(s->st);
    eng_free(s->plan);
    eng_trace_free(s->tr);
    free(s);
}

int eng_src_next(eng_src *s, eng_out *o, eng_trace *tr, rad_err *err)
{
    int rc;
    if (s->kind == ENG_IN_TENSOR) {
        eng_trace *t = tr ? tr : s->tr;
        if ((rc = dat_stream_next_tensor(s->st, &s->m->in.fmt, t->t[0], err)) != 1)
            return rc;
        eng_trace_from_input(s->m, t->t[0], t);
        *o = t->out;
        return 1;
    }
    if ((rc = dat_stream_next(s->st, s->q, err)) != 1)
        return rc;
    if (tr) {
        eng_trace_run(s->m, s->q, tr);
        *o = tr->out;
    } else
        eng_encode(s->plan, s->q, o);
    return 1;
}

const char *eng_src_path(const eng_src *s) { return dat_stream_path(s->st); }
int eng_src_line(const eng_src *s) { return dat_stream_line(s->st); }
bool eng_src_fast(const eng_src *s) { return s->plan && eng_plan_is_fast(s->plan); }

/* ---- bit fields ------------------------------------------------------------ */

static void put_field(uint32_t *w, size_t pos, int width, uint64_t v)
{
    for (int b = 0; b < width; b++, pos++)
        if ((v >> b) & 1)
            w[pos / 32] |= (uint32_t)1 << (pos % 32);
}

static int64_t get_field(const uint32_t *w, size_t pos, int width, bool is_signed)
{
    uint64_t v = 0;
    for (int b = 0; b < width; b++, pos++)
        v |= (uint64_t)((w[pos / 32] >> (pos % 32)) & 1) << b;
    if (is_signed && width < 64 && (v >> (width - 1)) & 1)
        v |= ~(uint64_t)0 << width;
    return (int64_t)v;
}

static int sum_bits(const mdl_model *m) { return m->in.sum_exp_bits + m->in.sum_mant_bits; }

int eng_word_bits(const mdl_model *m)
{
    return sum_bits(m) + mdl_latent_count(m) * mdl_latent_bits(m);
}

void eng_sent_word(const mdl_model *m, const eng_out *o, uint32_t *w, int n_words)
{
    int cw = sum_bits(m), b = mdl_latent_bits(m);
    assert(n_words * 32 >= eng_word_bits(m));
    memset(w, 0, (size_t)n_words * sizeof *w);
    put_field(w, 0, cw, o->sum_code);
    for (int k = 0; k < o->n_latent; k++)
        put_field(w, (size_t)cw + (size_t)b * (size_t)k, b, (uint64_t)(int64_t)o->sent[k]);
}

/* ---- exact, fast number formatting ---------------------------------------- */

static char *put_u64(char *p, uint64_t v)
{
    char t[24];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        *p++ = t[--n];
    return p;
}

static char *put_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

/* raw * 2^-F in decimal, every digit (a binary fraction ends in decimal). */
static char *put_fixed(char *p, int64_t raw, const fxp_fmt *f)
{
    int F = fxp_frac_bits(f);
    if (F < 0 || F > 18)
        return p + fxp_str_dec(raw, f, p, 200);
    uint64_t mag = raw < 0 ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
    if (raw < 0)
        *p++ = '-';
    p = put_u64(p, mag >> F);
    uint64_t fr = mag & (((uint64_t)1 << F) - 1);
    if (!fr)
        return p;
    uint64_t five = 1;                  /* fr / 2^F = fr * 5^F / 10^F */
    for (int i = 0; i < F; i++)
        five *= 5;
    uint64_t d = fr * five;
    char t[24];
    for (int i = F - 1; i >= 0; i--, d /= 10)
        t[i] = (char)('0' + d % 10);
    int n = F;
    while (n > 0 && t[n - 1] == '0')
        n--;
    *p++ = '.';
    memcpy(p, t, (size_t)n);
    return p + n;
}

static char *put_hex_words(char *p, const uint32_t *w, int bits)
{
    static const char hex[] = "0123456789abcdef";
    for (int d = (bits + 3) / 4 - 1; d >= 0; d--)
        *p++ = hex[(w[d / 8] >> (4 * (d % 8))) & 15];
    return p;
}

/* ---- output CSV ----------------------------------------------------------- */

void eng_csv_header(FILE *fp, const mdl_model *m, bool decode)
{
    int n = mdl_latent_count(m);
    fputs("row,sum_code", fp);
    for (int k = 0; k < n; k++)
        fprintf(fp, ",lat%d_raw", k);
    for (int k = 0; k < n; k++)
        fprintf(fp, ",lat%d", k);
    fputs(",sent_word", fp);
    for (int c = 0; decode && c < m->in.n_cells; c++)
        fprintf(fp, ",q%d", c);
    fputc('\n', fp);
}

void eng_csv_row(FILE *fp, const mdl_model *m, size_t row, const eng_out *o,
                 const float *cells)
{
    char buf[ROW_MAX], *p = buf;
    fxp_fmt lf = mdl_latent_fmt(m);
    uint32_t w[(32 + ENG_MAX_LATENT * 64 + 31) / 32];
    int nw = (eng_word_bits(m) + 31) / 32;
    p = put_u64(p, row);
    *p++ = ',';
    p = put_u64(p, o->sum_code);
    for (int k = 0; k < o->n_latent; k++) {
        *p++ = ',';
        p = put_i64(p, o->sent[k]);
    }
    for (int k = 0; k < o->n_latent; k++) {
        *p++ = ',';
        p = put_fixed(p, o->sent[k], &lf);
    }
    *p++ = ',';
    eng_sent_word(m, o, w, nw);
    p = put_hex_words(p, w, eng_word_bits(m));
    for (int c = 0; cells && c < m->in.n_cells; c++)
        p += snprintf(p, 32, ",%.7g", (double)cells[c]);
    *p++ = '\n';
    assert(p - buf < ROW_MAX);
    fwrite(buf, 1, (size_t)(p - buf), fp);
}

/* ---- output records read back --------------------------------------------- */

struct eng_rec_reader {
    const mdl_model *m;
    const char      *path;
    FILE            *fp;
    char            *buf;
    size_t           cap;
    int              line;
    bool             csv;             /* else a hex dump */
};

/* Next line that is not blank nor a comment ('#', "//"); NULL at the end. */
static char *rec_line(eng_rec_reader *r)
{
    ssize_t n;
    while ((n = getline(&r->buf, &r->cap, r->fp)) >= 0) {
        r->line++;
        while (n && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
            r->buf[--n] = '\0';
        char *s = r->buf + strspn(r->buf, " \t");
        if (*s && *s != '#' && strncmp(s, "//", 2))
            return s;
    }
    return NULL;
}

int eng_rec_open(const mdl_model *m, const char *path, eng_rec_reader **out, rad_err *err)
{
    eng_rec_reader *r = calloc(1, sizeof *r);
    if (!r)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    r->m = m;
    r->path = path;
    r->fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!r->fp) {
        int e = errno;
        free(r);
        return rad_errf(err, RAD_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    int c = getc(r->fp);
    while (c == '#') {                    /* a provenance block before the header */
        while (c != EOF && c != '\n')
            c = getc(r->fp);
        r->line++;
        c = c == EOF ? EOF : getc(r->fp);
    }
    r->csv = c == 'r';                    /* "row,sum_code,..." */
    if (c != EOF)
        ungetc(c, r->fp);
    if (r->csv) {
        char *h = rec_line(r);
        char want[32];
        snprintf(want, sizeof want, "lat%d_raw", mdl_latent_count(m) - 1);
        char last[40];
        snprintf(last, sizeof last, "lat%d_raw,", mdl_latent_count(m));
        if (!h || strncmp(h, "row,sum_code,", 13) || !strstr(h, want) || strstr(h, last)) {
            int ln = r->line ? r->line : 1;
            eng_rec_close(r);
            return rad_errf(err, RAD_ESCHEMA, "%s:%d: header is not that of a `rad4ml run` "
                            "output with %d latents", path, ln, mdl_latent_count(m));
        }
    }
    *out = r;
    return RAD_OK;
}

void eng_rec_close(eng_rec_reader *r)
{
    if (!r)
        return;
    if (r->fp && r->fp != stdin)
        fclose(r->fp);
    free(r->buf);
    free(r);
}

/* Next field of a comma (csv) or blank separated line as a number. */
static int rec_num(eng_rec_reader *r, char **s, int col, int base, bool is_signed,
                   long long *v, rad_err *err)
{
    char *p = *s + strspn(*s, " \t"), *end;
    errno = 0;
    *v = is_signed ? strtoll(p, &end, base) : (long long)strtoull(p, &end, base);
    bool sep = r->csv ? (*end == ',' || !*end) : (*end == ' ' || *end == '\t' || !*end);
    if (end == p || !sep || errno || (!is_signed && *p == '-'))
        return rad_errf(err, RAD_EPARSE, "%s:%d:%d: not a %s number: '%.20s'", r->path,
                        r->line, col, base == 16 ? "hex" : "decimal", p);
    *s = end + (*end == ',');
    return RAD_OK;
}

/* Hex latent bus -> sent values (LW-bit fields). */
static int rec_bus(eng_rec_reader *r, char *s, int col, eng_rec *rec, rad_err *err)
{
    const mdl_layer *l = &r->m->layers[r->m->n_layers - 1];
    int n = mdl_latent_count(r->m), lw = l->out_fmt.width;
    uint32_t w[ENG_MAX_LATENT * 2 + 1] = { 0 };
    s += strspn(s, " \t");
    size_t len = strcspn(s, " \t");
    if (!len || len > (size_t)(n * lw + 3) / 4 || s[strspn(s, "0123456789abcdefABCDEF")] > ' ')
        return rad_errf(err, RAD_EPARSE, "%s:%d:%d: latent bus: expected up to %d hex "
                        "digits, got '%.40s'", r->path, r->line, col, (n * lw + 3) / 4, s);
    for (size_t i = 0; i < len; i++) {
        char ch = s[len - 1 - i];
        uint32_t d = ch <= '9' ? (uint32_t)(ch - '0') : (uint32_t)((ch | 32) - 'a' + 10);
        w[i / 8] |= d << (4 * (i % 8));
    }
    for (int k = 0; k < n; k++)
        rec->sent[k] = (int32_t)get_field(w, (size_t)k * (size_t)lw, lw, l->out_fmt.is_signed);
    return RAD_OK;
}

int eng_rec_next(eng_rec_reader *r, eng_rec *rec, rad_err *err)
{
    char *s = rec_line(r);
    if (!s)
        return 0;
    long long v;
    int rc, n = mdl_latent_count(r->m);
    memset(rec, 0, sizeof *rec);
    if ((rc = rec_num(r, &s, 1, 10, false, &v, err)))
        return -rc;
    rec->index = (long)v;
    rec->cycle = -1;
    if (r->csv) {
        if ((rc = rec_num(r, &s, 2, 10, false, &v, err)))
            return -rc;
        rec->sum_code = (uint32_t)v;
        for (int k = 0; k < n; k++) {
            if ((rc = rec_num(r, &s, 3 + k, 10, true, &v, err)))
                return -rc;
            rec->sent[k] = (int32_t)v;
        }
        return 1;
    }
    long long flag;
    if ((rc = rec_num(r, &s, 2, 10, false, &v, err)) ||
        (rc = rec_num(r, &s, 3, 10, false, &flag, err)))
        return -rc;
    rec->cycle = (long)v;
    if ((rc = rec_num(r, &s, 4, 16, false, &v, err)))
        return -rc;
    rec->sum_code = (uint32_t)v;
    return (rc = rec_bus(r, s, 5, rec, err)) ? -rc : 1;
}

void eng_rec_from_out(const mdl_model *m, long index, const eng_out *o, eng_rec *rec)
{
    memset(rec, 0, sizeof *rec);
    rec->index = index;
    rec->cycle = -1;
    rec->sum_code = o->sum_code;
    memcpy(rec->sent, o->sent, (size_t)mdl_latent_count(m) * sizeof *rec->sent);
}

int eng_rec_cmp(const mdl_model *m, const eng_rec *a, const eng_rec *b)
{
    if (a->sum_code != b->sum_code)
        return 0;
    for (int k = 0; k < mdl_latent_count(m); k++)
        if (a->sent[k] != b->sent[k])
            return 1 + k;
    return -1;
}

/* ---- traces ------------------------------------------------------------- */

struct eng_trace_out {
    const mdl_model *m;
    int              n;
    rad_file         f[MDL_MAX_LAYERS + 1];
};

void eng_trace_path(const mdl_model *m, const char *dir, int k, char *buf, size_t len)
{
    snprintf(buf, len, "%s/t%02d_%s.csv", dir, k, k ? m->layers[k - 1].name : "input");
}

/* The '#' line and the column header of tensor k. */
static void trace_header(const mdl_model *m, int k, int size, FILE *fp)
{
    const fxp_fmt *f = k ? &m->layers[k - 1].out_fmt : &m->in.fmt;
    mdl_shape s = k ? m->layers[k - 1].out : (mdl_shape){ 1, 1, m->in.n_cells };
    char fs[64];
    fxp_fmt_str(f, fs, sizeof fs);
    if (k)
        fprintf(fp, "# tensor %d: output of layer %d '%s' (%s), shape %dx%dx%d (HWC), "
                "format %s, value = raw * 2^-%d\n", k, k - 1, m->layers[k - 1].name,
                mdl_kind_name(m->layers[k - 1].kind), s.h, s.w, s.c, fs, fxp_frac_bits(f));
    else
        fprintf(fp, "# tensor 0: converter output, %d values, format %s, value = raw * "
                "2^-%d\n", size, fs, fxp_frac_bits(f));
    fputs("row", fp);
    for (int i = 0; i < size; i++)
        fprintf(fp, ",v%d", i);
    fputc('\n', fp);
}

int eng_trace_out_open(const mdl_model *m, const char *dir, eng_trace_out **out, rad_err *err)
{
    eng_trace_out *t = calloc(1, sizeof *t);
    if (!t)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    t->m = m;
    int rc = rad_mkdirs(dir, err);
    for (int k = 0; !rc && k <= m->n_layers; k++) {
        char path[4096];
        eng_trace_path(m, dir, k, path, sizeof path);
        if (!(rc = rad_file_open(&t->f[k], path, err))) {
            t->n = k + 1;
            trace_header(m, k, k ? mdl_shape_size(m->layers[k - 1].out) : m->in.n_cells,
                         t->f[k].fp);
        }
    }
    if (rc) {
        eng_trace_out_abort(t);
        return rc;
    }
    *out = t;
    return RAD_OK;
}

void eng_trace_out_row(eng_trace_out *t, size_t row, const eng_trace *tr)
{
    char buf[ROW_MAX];
    for (int k = 0; k < t->n; k++) {
        char *p = put_u64(buf, row);
        for (int i = 0; i < tr->size[k]; i++) {
            if (p - buf > ROW_MAX - 32) {
                fwrite(buf, 1, (size_t)(p - buf), t->f[k].fp);
                p = buf;
            }
            *p++ = ',';
            p = put_i64(p, tr->t[k][i]);
        }
        *p++ = '\n';
        fwrite(buf, 1, (size_t)(p - buf), t->f[k].fp);
    }
}

int eng_trace_out_commit(eng_trace_out *t, rad_err *err)
{
    int rc = RAD_OK;
    for (int k = 0; k < t->n; k++) {
        if (!rc)
            rc = rad_file_commit(&t->f[k], err);
        else
            rad_file_abort(&t->f[k]);
    }
    free(t);
    return rc;
}

void eng_trace_out_abort(eng_trace_out *t)
{
    if (!t)
        return;
    for (int k = 0; k < t->n; k++)
        rad_file_abort(&t->f[k]);
    free(t);
}

int eng_trace_read_row(const mdl_model *m, const char *dir, int k, size_t row, int64_t *v,
                       rad_err *err)
{
    char path[4096];
    eng_trace_path(m, dir, k, path, sizeof path);
    eng_rec_reader r = { .m = m, .path = path, .csv = true };
    if (!(r.fp = fopen(path, "rb")))
        return -rad_errf(err, RAD_EIO, "%s: cannot open: %s", path, strerror(errno));
    int size = k ? mdl_shape_size(m->layers[k - 1].out) : m->in.n_cells, rc = 0;
    char *s;
    long long x;
    while (!rc && (s = rec_line(&r))) {
        if (!strncmp(s, "row", 3))
            continue;
        int e = rec_num(&r, &s, 1, 10, false, &x, err);
        if (e || (size_t)x != row) {
            rc = e ? -e : 0;
            continue;
        }
        for (int i = 0; i < size && !rc; i++)
            if ((e = rec_num(&r, &s, 2 + i, 10, true, &x, err)))
                rc = -e;
            else
                v[i] = x;
        if (!rc && *s)
            rc = -rad_errf(err, RAD_ESCHEMA, "%s:%d: more than %d values", path, r.line, size);
        if (!rc)
            rc = 1;
    }
    fclose(r.fp);
    free(r.buf);
    return rc;
}
