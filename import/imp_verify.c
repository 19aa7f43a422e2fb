/*
** imp_verify.c — an imported model checked against the tool that made it:
** the engine's outputs against reference outputs (e.g. QKeras'
** model.predict), exactly.  File format in import/README.md.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_file.h"
#include "engine/engine.h"
#include "import/import.h"
#include "model/model_io.h"

typedef struct {
    char       *p;
    const char *file;
    int         line;
} rd;

/* Next whitespace-separated token; tracks the line number. */
static char *token(rd *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->line += *r->p++ == '\n';
    if (!*r->p)
        return NULL;
    char *t = r->p;
    while (*r->p && *r->p != ' ' && *r->p != '\t' && *r->p != '\n' && *r->p != '\r')
        r->p++;
    if (*r->p) {
        r->line += *r->p == '\n';
        *r->p++ = 0;
    }
    return t;
}

static int read_long(rd *r, const char *what, long long lo, long long hi, long long *v,
                     rad_err *err)
{
    char *t = token(r), *end;
    if (!t)
        return rad_errf(err, RAD_EPARSE, "%s:%d: %s: missing (file truncated)", r->file, r->line, what);
    errno = 0;
    *v = strtoll(t, &end, 10);
    if (*end || errno || *v < lo || *v > hi)
        return rad_errf(err, RAD_EPARSE, "%s:%d: %s: \"%s\" is not an integer in %lld..%lld",
                        r->file, r->line, what, t, lo, hi);
    return RAD_OK;
}

static int read_float(rd *r, const char *what, float *v, rad_err *err)
{
    char *t = token(r), *end;
    if (!t)
        return rad_errf(err, RAD_EPARSE, "%s:%d: %s: missing (file truncated)", r->file, r->line, what);
    *v = strtof(t, &end);              /* float32 first, as model.predict */
    if (*end || !isfinite(*v))
        return rad_errf(err, RAD_EPARSE, "%s:%d: %s: \"%s\" is not a number", r->file, r->line,
                        what, t);
    return RAD_OK;
}

/* Compares one vector; returns 1 on a mismatch (message in err once). */
static int check_vector(const mdl_model *m, const eng_plan *p, const uint32_t *q, const float *ref,
                        int n_out, long vec, const rd *r, int *reported, rad_err *err)
{
    eng_out o;
    eng_encode(p, q, &o);
    fxp_fmt lf = mdl_latent_fmt(m);
    for (int k = 0; k < n_out; k++) {
        double got = fxp_to_double(o.sent[k], &lf);
        if (got != (double)ref[k]) {
            if (!(*reported)++)
                rad_errf(err, RAD_EMISMATCH, "%s:%d: vector %ld output %d: rad4ml %.9g, "
                         "reference %.9g", r->file, r->line, vec, k, got, (double)ref[k]);
            return 1;
        }
    }
    return 0;
}

/* Header, then every vector; the contract is in import.h. */
int imp_verify(const mdl_model *m, const char *io_path, long *n_vec, long *n_mis, rad_err *err)
{
    char *text;
    size_t len;
    *n_vec = *n_mis = 0;
    int rc = rad_read_all(io_path, &text, &len, err);
    if (rc)
        return rc;
    rd r = { text, io_path, 1 };
    long long cnt, nin, nout, ver;
    char *magic = token(&r);
    const mdl_input *in = &m->in;
    int n_lat = mdl_latent_count(m);
    if (!magic || strcmp(magic, "rad4ml-io"))
        rc = rad_errf(err, RAD_EPARSE, "%s:1: not a rad4ml-io file", io_path);
    if (!rc && !(rc = read_long(&r, "version", 1, 1, &ver, err))
        && !(rc = read_long(&r, "count", 1, 100000000, &cnt, err))
        && !(rc = read_long(&r, "inputs", in->n_cells, in->n_cells, &nin, err)))
        rc = read_long(&r, "outputs", n_lat, n_lat, &nout, err);
    eng_plan *p = NULL;
    if (!rc)
        rc = eng_compile(m, &p, err);
    long long lo = in->fmt.is_signed ? -(1LL << (in->fmt.width - 1)) : 0;
    long long hi = in->fmt.is_signed ? (1LL << (in->fmt.width - 1)) - 1 : (1LL << in->fmt.width) - 1;
    uint32_t q[MDL_MAX_CELLS];
    float ref[MDL_MAX_LATENT];
    int reported = 0;
    for (long v = 0; !rc && v < cnt; v++) {
        for (int i = 0; !rc && i < nin; i++) {
            long long x;
            if (!(rc = read_long(&r, "input raw", lo, hi, &x, err)))
                q[i] = (uint32_t)((uint64_t)x & ((1ULL << in->charge_bits) - 1));
        }
        for (int k = 0; !rc && k < nout; k++)
            rc = read_float(&r, "output", &ref[k], err);
        if (!rc) {
            *n_mis += check_vector(m, p, q, ref, (int)nout, v, &r, &reported, err);
            (*n_vec)++;
        }
    }
    if (!rc && token(&r))
        rc = rad_errf(err, RAD_EPARSE, "%s:%d: more data than its %lld vectors", io_path, r.line, cnt);
    eng_free(p);
    free(text);
    if (!rc && *n_mis)
        rc = RAD_EMISMATCH;
    return rc;
}
