/*
** dataset.c — ePortRX / plain CSV crossings (see dataset.h).
**
** Files are read whole (rad_read_all) and parsed line by line; every error
** names file:line:column.  The parser is strict on purpose: a silently
** misread data file would bias every EMD figure downstream.
*/
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "data/dataset.h"
#include "data/hgcfloat.h"
#include "model/model.h"

#define DAT_MAX_FIELDS 64
#define DAT_ROW_MAX_FIELDS (MDL_MAX_CELLS + 1)   /* a row of charges, + 1 to see an extra */

/* ---- line tokenizer ------------------------------------------------ */

typedef struct {
    const char *path;
    char       *p;        /* next unread character       */
    int         line;     /* line number of the last line */
} dat_reader;

/* Next line (NUL-terminated in place, CR stripped), or NULL at the end. */
static char *next_line(dat_reader *r)
{
    if (!r->p || !*r->p)
        return NULL;
    char *s = r->p;
    char *nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        r->p = nl + 1;
    } else {
        r->p = s + strlen(s);
    }
    size_t n = strlen(s);
    if (n && s[n - 1] == '\r')
        s[n - 1] = '\0';
    r->line++;
    return s;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

/* Splits at commas, trimming blanks; returns the field count (may exceed
** max: the extra fields are counted, not stored). */
static int split_fields(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        char *start = s;
        char *comma = strchr(s, ',');
        char *end = comma ? comma : s + strlen(s);
        char *t = end;
        while (t > start && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        *t = '\0';
        if (n < max)
            f[n] = start;
        n++;
        if (!comma)
            return n;
        s = comma + 1;
    }
}

static int is_number(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* A header line starts with a column name (a letter or '_'); anything else
** is data, so that "7.5" gets the number parser's message. */
static int is_header(const char *s)
{
    return (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == '"';
}

/* Parses an unsigned decimal field into a 32-bit value. */
static int parse_u32(const dat_reader *r, int col, const char *s, uint32_t *out,
                     rad_err *err)
{
    if (!is_number(s))
        return rad_errf(err, RAD_EPARSE, "%s:%d:%d: not an unsigned decimal "
                        "number: '%.40s'", r->path, r->line, col, s);
    if (strlen(s) > 10)
        return rad_errf(err, RAD_ERANGE, "%s:%d:%d: value %.40s beyond 32 bits",
                        r->path, r->line, col, s);
    unsigned long long v = strtoull(s, NULL, 10);
    if (v > UINT32_MAX)
        return rad_errf(err, RAD_ERANGE, "%s:%d:%d: value %llu beyond 32 bits",
                        r->path, r->line, col, v);
    *out = (uint32_t)v;
    return RAD_OK;
}

/* ---- front end ------------------------------------------------------ */

void dat_frontend_default(dat_frontend *fe)
{
    const geo_cell *c = geo_cells();
    fe->drop_lsb = 1;
    for (int t = 0; t < GEO_N_CELLS; t++) {
        fe->premux[t] = c[t].premux;
        fe->calvalue[t] = DAT_CAL_PASS;
    }
}

void dat_decode_row(const dat_frontend *fe, const uint32_t words[DAT_ERX_WORDS],
                    uint32_t q[GEO_N_CELLS])
{
    uint32_t mux_in[GEO_N_CELLS];
    for (int e = 0; e < DAT_ERX_WORDS; e++)
        for (int k = 0; k < 4; k++)
            mux_in[4 * e + k] = dat_4e3m_decode((words[e] >> (7 * k)) & 127u,
                                                fe->drop_lsb);
    for (int t = 0; t < GEO_N_CELLS; t++) {
        uint64_t charge = mux_in[fe->premux[t]];
        q[t] = (uint32_t)((charge * fe->calvalue[t]) >> 11);
    }
}

void dat_encode_row(const dat_frontend *fe, const uint32_t q[GEO_N_CELLS],
                    uint32_t words[DAT_ERX_WORDS])
{
    memset(words, 0, DAT_ERX_WORDS * sizeof words[0]);
    for (int t = 0; t < GEO_N_CELLS; t++) {
        int slot = fe->premux[t];
        uint32_t code = dat_4e3m_encode(q[t], fe->drop_lsb);
        words[slot / 4] |= code << (7 * (slot % 4));
    }
}

/* Reads a whole file for line parsing. */
static int open_reader(const char *path, dat_reader *r, char **buf, rad_err *err)
{
    size_t len;
    int rc = rad_read_all(path, buf, &len, err);
    if (rc)
        return rc;
    if (strlen(*buf) != len) {
        free(*buf);
        return rad_errf(err, RAD_EPARSE, "%s: binary file (NUL byte)", path);
    }
    r->path = path;
    r->p = *buf;
    r->line = 0;
    return RAD_OK;
}

/* Column index of `name` in a header line, or -1. */
static int find_col(char **f, int n, const char *name)
{
    for (int i = 0; i < n && i < DAT_MAX_FIELDS; i++)
        if (!strcmp(f[i], name))
            return i;
    return -1;
}

/* See dataset.h.  Reads the ePortRX MUX mapping CSV at path into fe: a
** trigger-cell and a pre-MUX column, each cell once.  RAD_OK, or an error
** naming the file, line and field. */
int dat_frontend_load_mapping(dat_frontend *fe, const char *path, rad_err *err)
{
    dat_reader r;
    char *buf, *line, *f[DAT_MAX_FIELDS];
    int rc = open_reader(path, &r, &buf, err);
    if (rc)
        return rc;
    int ctc = -1, cpre = -1, ncols = 0, seen[GEO_N_CELLS] = {0}, used[GEO_N_CELLS] = {0};
    int premux[GEO_N_CELLS];
    while ((line = next_line(&r)) && is_blank(line))
        ;
    if (!line) {
        rc = rad_errf(err, RAD_EPARSE, "%s: empty mapping file", path);
        goto out;
    }
    ncols = split_fields(line, f, DAT_MAX_FIELDS);
    ctc = find_col(f, ncols, "TC_Number");
    cpre = find_col(f, ncols, "ECON_TC_Number_PreMux");
    if (ctc < 0 || cpre < 0) {
        rc = rad_errf(err, RAD_ESCHEMA, "%s:%d: header lacks column %s", path,
                      r.line, ctc < 0 ? "TC_Number" : "ECON_TC_Number_PreMux");
        goto out;
    }
    int rows = 0;
    while ((line = next_line(&r))) {
        if (is_blank(line))
            continue;
        int n = split_fields(line, f, DAT_MAX_FIELDS);
        if (n != ncols) {
            rc = rad_errf(err, RAD_ESCHEMA, "%s:%d: %d columns, header has %d",
                          path, r.line, n, ncols);
            goto out;
        }
        uint32_t tc, pre;
        if ((rc = parse_u32(&r, ctc + 1, f[ctc], &tc, err)) ||
            (rc = parse_u32(&r, cpre + 1, f[cpre], &pre, err)))
            goto out;
        if (tc >= GEO_N_CELLS || pre >= GEO_N_CELLS) {
            rc = rad_errf(err, RAD_ERANGE, "%s:%d:%d: index %u not in 0..47", path,
                          r.line, tc >= GEO_N_CELLS ? ctc + 1 : cpre + 1,
                          tc >= GEO_N_CELLS ? tc : pre);
            goto out;
        }
        if (seen[tc]++ || used[pre]++) {
            rc = rad_errf(err, RAD_ESCHEMA, "%s:%d: %s %u appears twice", path,
                          r.line, seen[tc] > 1 ? "TC_Number" : "PreMux index",
                          seen[tc] > 1 ? tc : pre);
            goto out;
        }
        premux[tc] = (int)pre;
        rows++;
    }
    if (rows != GEO_N_CELLS) {
        rc = rad_errf(err, RAD_ESCHEMA, "%s: %d trigger cells, expected %d", path,
                      rows, GEO_N_CELLS);
        goto out;
    }
    memcpy(fe->premux, premux, sizeof premux);
out:
    free(buf);
    return rc;
}

/* See dataset.h.  Reads the per-cell calibration CSV at path into fe:
** every one of the GEO_N_CELLS cells exactly once, values in range.
** RAD_OK, or an error naming the file, line and field. */
int dat_frontend_load_calib(dat_frontend *fe, const char *path, rad_err *err)
{
    dat_reader r;
    char *buf, *line, *f[DAT_MAX_FIELDS];
    int rc = open_reader(path, &r, &buf, err);
    if (rc)
        return rc;
    uint32_t cal[GEO_N_CELLS];
    int n_vals = 0, first = 1, pairs = -1, seen[GEO_N_CELLS] = {0};
    while ((line = next_line(&r))) {
        if (is_blank(line))
            continue;
        int n = split_fields(line, f, DAT_MAX_FIELDS);
        if (first && !is_number(f[0])) {      /* header line */
            first = 0;
            continue;
        }
        first = 0;
        if (pairs < 0)
            pairs = (n == 2);
        if (pairs) {
            uint32_t tc, v;
            if (n != 2) {
                rc = rad_errf(err, RAD_ESCHEMA, "%s:%d: %d columns, expected 2 "
                              "(TC,CALVALUE)", path, r.line, n);
                goto out;
            }
            if ((rc = parse_u32(&r, 1, f[0], &tc, err)) ||
                (rc = parse_u32(&r, 2, f[1], &v, err)))
                goto out;
            if (tc >= GEO_N_CELLS || seen[tc]++) {
                rc = rad_errf(err, RAD_ESCHEMA, "%s:%d:1: TC %u %s", path, r.line,
                              tc, tc >= GEO_N_CELLS ? "not in 0..47" : "appears twice");
                goto out;
            }
            if (v > DAT_CAL_MAX) {
                rc = rad_errf(err, RAD_ERANGE, "%s:%d:2: CALVALUE %u beyond 12 bits "
                              "(max %d)", path, r.line, v, DAT_CAL_MAX);
                goto out;
            }
            cal[tc] = v;
            n_vals++;
            continue;
        }
        for (int i = 0; i < n; i++) {
            uint32_t v;
            if (i >= DAT_MAX_FIELDS || n_vals >= GEO_N_CELLS) {
                rc = rad_errf(err, RAD_ESCHEMA, "%s:%d:%d: more than %d CALVALUEs",
                              path, r.line, i + 1, GEO_N_CELLS);
                goto out;
            }
            if ((rc = parse_u32(&r, i + 1, f[i], &v, err)))
                goto out;
            if (v > DAT_CAL_MAX) {
                rc = rad_errf(err, RAD_ERANGE, "%s:%d:%d: CALVALUE %u beyond 12 bits "
                              "(max %d)", path, r.line, i + 1, v, DAT_CAL_MAX);
                goto out;
            }
            cal[n_vals++] = v;
        }
    }
    if (n_vals != GEO_N_CELLS) {
        rc = rad_errf(err, RAD_ESCHEMA, "%s: %d CALVALUEs, expected %d", path,
                      n_vals, GEO_N_CELLS);
        goto out;
    }
    memcpy(fe->calvalue, cal, sizeof cal);
out:
    free(buf);
    return rc;
}

/* ---- sets ------------------------------------------------------------ */

int dat_alloc(dat_set *set, size_t n, int n_cells, rad_err *err)
{
    memset(set, 0, sizeof *set);
    set->q = calloc(n ? n * (size_t)n_cells : 1, sizeof *set->q);
    if (!set->q)
        return rad_errf(err, RAD_ENOMEM, "out of memory for %zu crossings", n);
    set->n = n;
    set->n_cells = n_cells;
    set->owned = true;
    return RAD_OK;
}

int dat_augment(const dat_set *s, int n_sym, dat_set *out, rad_err *err)
{
    if (s->n_cells != GEO_N_CELLS)
        return rad_errf(err, RAD_ESCHEMA, "symmetry augmentation needs %d-cell crossings "
                        "(these have %d)", GEO_N_CELLS, s->n_cells);
    if (n_sym < 1 || n_sym > GEO_N_SYM)
        return rad_errf(err, RAD_ERANGE, "symmetry count %d not in 1..%d", n_sym, GEO_N_SYM);
    int rc = dat_alloc(out, s->n * (size_t)n_sym, GEO_N_CELLS, err);
    for (int g = 0; g < n_sym && !rc; g++) {
        int perm[GEO_N_CELLS];
        geo_symmetry(g, perm);
        for (size_t i = 0; i < s->n; i++) {
            const uint32_t *src = dat_row(s, i);
            uint32_t *dst = out->q + (i * (size_t)n_sym + (size_t)g) * GEO_N_CELLS;
            for (int t = 0; t < GEO_N_CELLS; t++)
                dst[perm[t]] = src[t];
        }
    }
    return rc;
}

void dat_free(dat_set *set)
{
    if (set->owned)
        free(set->q);
    memset(set, 0, sizeof *set);
}

size_t dat_split_point(size_t n, double frac)
{
    if (!(frac > 0))
        return 0;
    if (frac >= 1)
        return n;
    /* floor(n*frac), guarded against 0.75*8000 = 5999.999... */
    size_t k = (size_t)((double)n * frac + 1e-9);
    return k > n ? n : k;
}

void dat_slice(const dat_set *s, size_t begin, size_t end, dat_set *view)
{
    if (end > s->n)
        end = s->n;
    if (begin > end)
        begin = end;
    view->n = end - begin;
    view->n_cells = s->n_cells;
    view->q = s->q + begin * (size_t)s->n_cells;
    view->owned = false;
}

void dat_split(const dat_set *s, double frac, dat_set *first, dat_set *last)
{
    size_t k = dat_split_point(s->n, frac);
    dat_slice(s, 0, k, first);
    dat_slice(s, k, s->n, last);
}

/* ---- readers ---------------------------------------------------------- */

static size_t count_lines(const char *s)
{
    size_t n = 1;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Parses one non-blank line of a crossing file into row[n_cells] (CALQ,
** each < 2^charge_bits).  The first data line decides the format when *fmt
** is AUTO (12 fields -> ePortRX when n_cells is 48, n_cells -> plain CSV);
** a first line whose first field starts with a letter is a header (*got =
** 0; "7.5" is data and gets the number parser's message).
** Every error names path:line:column.  This is the one row parser of every
** crossing reader (dat_load and dat_stream). */
static int parse_row(const dat_reader *r, char *line, int *first, dat_format *fmt,
                     const dat_frontend *fe, int n_cells, int charge_bits, uint32_t *row,
                     int *got, rad_err *err)
{
    char *f[DAT_ROW_MAX_FIELDS];
    int nf = split_fields(line, f, DAT_ROW_MAX_FIELDS);
    *got = 0;
    if (*first && is_header(f[0])) {           /* header: starts with a name */
        *first = 0;
        return RAD_OK;
    }
    *first = 0;
    bool erx_ok = n_cells == GEO_N_CELLS;
    if (*fmt == DAT_FMT_AUTO) {
        if (nf == DAT_ERX_WORDS && erx_ok)
            *fmt = DAT_FMT_EPORTRX;
        else if (nf == n_cells)
            *fmt = DAT_FMT_CSV;
        else if (erx_ok)
            return rad_errf(err, RAD_ESCHEMA, "%s:%d:%d: %d columns: expected %d "
                            "(ePortRX words) or %d (charges)", r->path, r->line,
                            nf < DAT_ERX_WORDS ? nf + 1 : DAT_ERX_WORDS + 1, nf,
                            DAT_ERX_WORDS, n_cells);
    }
    int want = *fmt == DAT_FMT_EPORTRX ? DAT_ERX_WORDS : n_cells;
    if (nf != want)       /* column: the first missing or the first extra field */
        return rad_errf(err, RAD_ESCHEMA, "%s:%d:%d: %d columns, expected %d (%s)",
                        r->path, r->line, (nf < want ? nf : want) + 1, nf, want,
                        *fmt == DAT_FMT_EPORTRX ? "ePortRX words" : "charges");
    uint32_t v[DAT_ROW_MAX_FIELDS];
    int rc;
    for (int i = 0; i < nf; i++)
        if ((rc = parse_u32(r, i + 1, f[i], &v[i], err)))
            return rc;
    if (*fmt == DAT_FMT_EPORTRX) {
        for (int i = 0; i < nf; i++)
            if (v[i] >> 28)
                return rad_errf(err, RAD_ERANGE, "%s:%d:%d: header bits 31..28 set in "
                                "word %u (0x%08X)", r->path, r->line, i + 1, v[i], v[i]);
        dat_decode_row(fe, v, row);
    } else {
        for (int i = 0; i < nf; i++)
            if (charge_bits < 32 && v[i] >> charge_bits)
                return rad_errf(err, RAD_ERANGE, "%s:%d:%d: charge %u beyond %d bits",
                                r->path, r->line, i + 1, v[i], charge_bits);
        memcpy(row, v, (size_t)nf * sizeof *row);
    }
    *got = 1;
    return RAD_OK;
}

/* Common reader: fmt EPORTRX or CSV or AUTO (decided on the first row). */
static int load_any(const char *path, dat_format fmt, const dat_frontend *fe,
                    dat_set *set, rad_err *err)
{
    dat_frontend def;
    if (!fe) {
        dat_frontend_default(&def);
        fe = &def;
    }
    memset(set, 0, sizeof *set);
    dat_reader r;
    char *buf, *line;
    int rc = open_reader(path, &r, &buf, err);
    if (rc)
        return rc;
    size_t cap = count_lines(buf), n = 0;
    uint32_t *q = malloc(cap * GEO_N_CELLS * sizeof *q);
    if (!q) {
        free(buf);
        return rad_errf(err, RAD_ENOMEM, "%s: out of memory", path);
    }
    int first = 1, got, header = 0;
    while ((line = next_line(&r))) {
        if (is_blank(line) || line[0] == '#')        /* '#': comment (provenance) */
            continue;
        rc = parse_row(&r, line, &first, &fmt, fe, GEO_N_CELLS, DAT_CHARGE_BITS,
                       q + n * GEO_N_CELLS, &got, err);
        if (rc)
            goto fail;
        header |= !got;                              /* only a header gives no row */
        n += (size_t)got;
    }
    if (n == 0) {
        rc = rad_errf(err, RAD_EPARSE, "%s: no crossings (%s)", path,
                      header ? "only a header line" : "empty file");
        goto fail;
    }
    free(buf);
    set->q = q;
    set->n = n;
    set->n_cells = GEO_N_CELLS;
    set->owned = true;
    return RAD_OK;
fail:
    free(buf);
    free(q);
    return rc;
}

int dat_load(const char *path, dat_format fmt, const dat_frontend *fe,
             dat_set *set, rad_err *err)
{
    return load_any(path, fmt, fe, set, err);
}

int dat_load_eportrx(const char *path, const dat_frontend *fe, dat_set *set,
                     rad_err *err)
{
    return load_any(path, DAT_FMT_EPORTRX, fe, set, err);
}

int dat_load_csv(const char *path, dat_set *set, rad_err *err)
{
    return load_any(path, DAT_FMT_CSV, NULL, set, err);
}

/* ---- writers ----------------------------------------------------------- */

int dat_write_csv(const char *path, const dat_set *set, const rad_prov *prov,
                  rad_err *err)
{
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    if (prov)
        rad_prov_text(f.fp, prov, "# ");
    for (int t = 0; t < set->n_cells; t++)
        fprintf(f.fp, "%sCALQ_%d", t ? "," : "", t);
    fputc('\n', f.fp);
    for (size_t i = 0; i < set->n; i++) {
        const uint32_t *row = dat_row(set, i);
        for (int t = 0; t < set->n_cells; t++)
            fprintf(f.fp, "%s%u", t ? "," : "", row[t]);
        fputc('\n', f.fp);
    }
    return rad_file_commit(&f, err);
}

int dat_write_eportrx(const char *path, const dat_frontend *fe,
                      const dat_set *set, const rad_prov *prov, rad_err *err)
{
    dat_frontend def;
    if (!fe) {
        dat_frontend_default(&def);
        fe = &def;
    }
    if (set->n_cells != GEO_N_CELLS)
        return rad_errf(err, RAD_ESCHEMA, "%s: ePortRX needs %d cells, set has %d",
                        path, GEO_N_CELLS, set->n_cells);
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    if (prov)
        rad_prov_text(f.fp, prov, "# ");
    for (int e = 0; e < DAT_ERX_WORDS; e++)
        fprintf(f.fp, "%sePortRxDataGroup_%d", e ? ", " : "", e);
    fputc('\n', f.fp);
    for (size_t i = 0; i < set->n; i++) {
        uint32_t w[DAT_ERX_WORDS];
        dat_encode_row(fe, dat_row(set, i), w);
        for (int e = 0; e < DAT_ERX_WORDS; e++)
            fprintf(f.fp, "%s%u", e ? ", " : "", w[e]);
        fputc('\n', f.fp);
    }
    return rad_file_commit(&f, err);
}

/* ---- default data location --------------------------------------------- */

static int try_path(const char *dir, const char *file, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", dir, file);
    return n > 0 && (size_t)n < size && access(buf, R_OK) == 0;
}

int dat_data_path(const char *file, char *buf, size_t size, rad_err *err)
{
    const char *env = getenv("RAD4ML_DATA_DIR");
    if (env && *env) {
        if (try_path(env, file, buf, size))
            return RAD_OK;
        return rad_errf(err, RAD_EIO, "%s/%s: not found (RAD4ML_DATA_DIR is set)",
                        env, file);
    }
    if (try_path(DAT_SAMPLES_DIR, file, buf, size))
        return RAD_OK;
    char probe[512], root[4096];
    snprintf(probe, sizeof probe, DAT_SAMPLES_DIR "/%s", file);
    if (rad_exe_root(probe, root, sizeof root, NULL) == RAD_OK) {
        strncat(root, "/" DAT_SAMPLES_DIR, sizeof root - strlen(root) - 1);
        if (try_path(root, file, buf, size))
            return RAD_OK;
    }
    return rad_errf(err, RAD_EIO, "%s: not found in " DAT_SAMPLES_DIR " (from the "
                    "current directory) nor in the repo of the rad4ml build; set "
                    "RAD4ML_DATA_DIR or give the file", file);
}

int dat_default_path(char *buf, size_t size, rad_err *err)
{
    return dat_data_path(DAT_DEFAULT_FILE, buf, size, err);
}

/* ---- row-by-row reader (constant memory) ----------------------------------- */

struct dat_stream {
    dat_reader   r;            /* path and line number for the messages     */
    FILE        *fp;
    bool         own_fp;       /* false for stdin                           */
    char        *buf;          /* getline buffer                            */
    size_t       cap;
    dat_format   fmt;          /* decided on the first data row when AUTO   */
    dat_frontend fe;
    int          n_cells, charge_bits, first;
    size_t       rows;
};

int dat_stream_open(const char *path, dat_format fmt, const dat_frontend *fe, int n_cells,
                    int charge_bits, dat_stream **out, rad_err *err)
{
    assert(n_cells > 0 && n_cells <= MDL_MAX_CELLS);
    dat_stream *s = calloc(1, sizeof *s);
    if (!s)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    bool is_stdin = !strcmp(path, "-");
    s->r.path = is_stdin ? "<stdin>" : path;
    s->fp = is_stdin ? stdin : fopen(path, "rb");
    s->own_fp = !is_stdin;
    if (!s->fp) {
        int e = errno;
        free(s);
        return rad_errf(err, RAD_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    s->fmt = fmt;
    if (fe)
        s->fe = *fe;
    else
        dat_frontend_default(&s->fe);
    s->n_cells = n_cells;
    s->charge_bits = charge_bits;
    s->first = 1;
    *out = s;
    return RAD_OK;
}

void dat_stream_close(dat_stream *s)
{
    if (!s)
        return;
    if (s->own_fp)
        fclose(s->fp);
    free(s->buf);
    free(s);
}

/* Next non-blank, non-comment ('#': provenance) line (CR stripped), NULL
** at the end or on a read error (*rc set).  A NUL byte makes the file
** binary: an error. */
static char *stream_line(dat_stream *s, int *rc, rad_err *err)
{
    ssize_t n;
    *rc = RAD_OK;
    while ((n = getline(&s->buf, &s->cap, s->fp)) >= 0) {
        s->r.line++;
        if (strlen(s->buf) != (size_t)n) {
            *rc = rad_errf(err, RAD_EPARSE, "%s:%d: binary data (NUL byte)", s->r.path,
                           s->r.line);
            return NULL;
        }
        while (n && (s->buf[n - 1] == '\n' || s->buf[n - 1] == '\r'))
            s->buf[--n] = '\0';
        if (!is_blank(s->buf) && s->buf[0] != '#')
            return s->buf;
    }
    if (ferror(s->fp))
        *rc = rad_errf(err, RAD_EIO, "%s:%d: read error", s->r.path, s->r.line);
    return NULL;
}

/* End of file: an error when no row was read at all. */
static int stream_end(const dat_stream *s, rad_err *err)
{
    if (s->rows == 0)
        return rad_errf(err, RAD_EPARSE, "%s: no crossings (empty file)", s->r.path);
    return 0;
}

int dat_stream_next(dat_stream *s, uint32_t *q, rad_err *err)
{
    int rc, got = 0;
    char *line;
    while (!got) {
        if (!(line = stream_line(s, &rc, err)))
            return rc ? -rc : -stream_end(s, err);
        rc = parse_row(&s->r, line, &s->first, &s->fmt, &s->fe, s->n_cells,
                       s->charge_bits, q, &got, err);
        if (rc)
            return -rc;
    }
    s->rows++;
    return 1;
}

/* Parses a decimal number (sign, digits, optional fraction) exactly into a
** raw value of format f: the value must lie on f's grid and in its range. */
static int parse_on_grid(const dat_reader *r, int col, const char *t, const fxp_fmt *f,
                         int64_t *raw, rad_err *err)
{
    const char *p = t;
    bool neg = *p == '-';
    p += *p == '-' || *p == '+';
    fxp_raw m = 0;
    int digits = 0, frac = -1;
    for (; *p; p++) {
        if (*p == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || digits >= 24)
            return rad_errf(err, RAD_EPARSE, "%s:%d:%d: not a decimal number: '%.40s'",
                            r->path, r->line, col, t);
        m = m * 10 + (*p - '0');
        digits++;
        frac += frac >= 0;
    }
    if (!digits)
        return rad_errf(err, RAD_EPARSE, "%s:%d:%d: not a decimal number: '%.40s'",
                        r->path, r->line, col, t);
    int F = fxp_frac_bits(f), d = frac < 0 ? 0 : frac;
    char fs[64];
    fxp_fmt_str(f, fs, sizeof fs);
    if (F > 40 || F < -40)                  /* keeps m * 2^F below 2^120 */
        return rad_errf(err, RAD_ERANGE, "%s:%d:%d: input format %s: text values need "
                        "|F| <= 40", r->path, r->line, col, fs);
    fxp_raw den = 1;
    for (int i = 0; i < d; i++)
        den *= 10;
    for (int i = 0; i < F; i++)
        m *= 2;
    for (int i = 0; i < -F; i++)
        den *= 2;
    if (m % den)
        return rad_errf(err, RAD_ERANGE, "%s:%d:%d: %s is not on the grid of the input "
                        "format %s (steps of 2^%d)", r->path, r->line, col, t, fs, -F);
    fxp_raw v = (neg ? -m : m) / den;
    if (v < fxp_raw_min(f) || v > fxp_raw_max(f))
        return rad_errf(err, RAD_ERANGE, "%s:%d:%d: %s is out of the range of the input "
                        "format %s", r->path, r->line, col, t, fs);
    *raw = (int64_t)v;
    return RAD_OK;
}

int dat_stream_next_tensor(dat_stream *s, const fxp_fmt *f, int64_t *x, rad_err *err)
{
    char *fld[DAT_ROW_MAX_FIELDS], *line;
    int rc;
    for (;;) {
        if (!(line = stream_line(s, &rc, err)))
            return rc ? -rc : -stream_end(s, err);
        int nf = split_fields(line, fld, DAT_ROW_MAX_FIELDS);
        if (s->first && nf && fld[0][0] && !strchr("+-.0123456789", fld[0][0])) {
            s->first = 0;                              /* header */
            continue;
        }
        s->first = 0;
        if (nf != s->n_cells)
            return -rad_errf(err, RAD_ESCHEMA, "%s:%d:%d: %d columns, expected %d (input "
                             "values)", s->r.path, s->r.line,
                             (nf < s->n_cells ? nf : s->n_cells) + 1, nf, s->n_cells);
        for (int i = 0; i < nf; i++)
            if ((rc = parse_on_grid(&s->r, i + 1, fld[i], f, &x[i], err)))
                return -rc;
        s->rows++;
        return 1;
    }
}

int dat_stream_line(const dat_stream *s) { return s->r.line; }
const char *dat_stream_path(const dat_stream *s) { return s->r.path; }
