/*
** mdl_weights.c — the weights file (format in model/FORMAT.md):
**
**   rad4ml-weights 1
**   # comment lines start with '#'
**   layer <name> w <count> <format>      raw integers of an encoder layer
**   <count integers, any line breaks>
**   layer <name> b <count> <format>
**   ...
**   decoder <name> w <count> float       float decoder weights (%.9g)
**   ...
**   end
**
** Every tensor of the model must appear exactly once (any order); counts
** and formats must match the description; a missing "end" means the file
** was cut short.  Errors name "file:line".
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_file.h"
#include "model/mdl_internal.h"

/* ---- tokenizer -------------------------------------------------------- */

typedef struct {
    const char *p;
    int         line;
    const char *name;
    rad_err    *err;
    char        tok[128];
} wlex;

/* Next whitespace-separated token; skips '#' comments.  0 at end of text.
** A token longer than tok[] is an error (returns -1). */
static int next_tok(wlex *x)
{
    for (;;) {
        while (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n') {
            if (*x->p == '\n')
                x->line++;
            x->p++;
        }
        if (*x->p == '#') {
            while (*x->p && *x->p != '\n')
                x->p++;
            continue;
        }
        break;
    }
    if (!*x->p)
        return 0;
    size_t n = 0;
    while (*x->p && *x->p != ' ' && *x->p != '\t' && *x->p != '\r' && *x->p != '\n') {
        if (n + 1 >= sizeof x->tok) {
            rad_errf(x->err, RAD_EPARSE, "%s:%d: token too long", x->name, x->line);
            return -1;
        }
        x->tok[n++] = *x->p++;
    }
    x->tok[n] = 0;
    return 1;
}

/* Header's tensor: "layer"/"decoder" name, "w"/"b". */
typedef struct {
    int      dec;        /* 0 encoder, 1 decoder */
    int      idx;
    int      is_b;
    size_t   count;
} wtensor;

static int find_tensor(const mdl_model *m, int dec, const char *name)
{
    int n = dec ? m->n_dec : m->n_layers;
    for (int i = 0; i < n; i++)
        if (!strcmp(dec ? m->dec[i].name : m->layers[i].name, name))
            return i;
    return -1;
}

/* Reads the header of one tensor block at x ("layer|decoder NAME w|b COUNT
** FORMAT") into t, checking that m has that tensor with that count and
** format; its label for messages goes into label.  RAD_OK or an error
** naming the line. */
static int read_header(wlex *x, const mdl_model *m, wtensor *t, char *label, size_t llen)
{
    int hline = x->line;
    t->dec = !strcmp(x->tok, "decoder");
    char name[64];
    if (next_tok(x) != 1 || strlen(x->tok) >= sizeof name)
        return rad_errf(x->err, RAD_EPARSE, "%s:%d: expected a layer name after \"%s\"", x->name,
                        hline, t->dec ? "decoder" : "layer");
    strcpy(name, x->tok);
    snprintf(label, llen, "%s %s", t->dec ? "decoder" : "layer", name);
    t->idx = find_tensor(m, t->dec, name);
    if (t->idx < 0)
        return rad_errf(x->err, RAD_ESCHEMA, "%s:%d: %s: no such %s in the model", x->name, hline,
                        label, t->dec ? "decoder layer" : "layer");
    if (next_tok(x) != 1 || (strcmp(x->tok, "w") && strcmp(x->tok, "b")))
        return rad_errf(x->err, RAD_EPARSE, "%s:%d: %s: expected \"w\" or \"b\"", x->name, hline, label);
    t->is_b = x->tok[0] == 'b';
    strncat(label, t->is_b ? " b" : " w", llen - strlen(label) - 1);
    char *end;
    if (next_tok(x) != 1)
        return rad_errf(x->err, RAD_EPARSE, "%s:%d: %s: missing count", x->name, hline, label);
    errno = 0;
    unsigned long long cnt = strtoull(x->tok, &end, 10);
    if (*end || errno || x->tok[0] == '-')
        return rad_errf(x->err, RAD_EPARSE, "%s:%d: %s: bad count \"%s\"", x->name, hline, label, x->tok);
    t->count = (size_t)cnt;
    size_t want;
    if (t->dec) {
        const mdl_flayer *l = &m->dec[t->idx];
        want = t->is_b ? l->n_b : l->n_w;
    } else {
        const mdl_layer *l = &m->layers[t->idx];
        want = t->is_b ? l->n_b : l->n_w;
    }
    if (want == 0)
        return rad_errf(x->err, RAD_ESCHEMA, "%s:%d: %s: this layer has no weights", x->name, hline, label);
    if (t->count != want)
        return rad_errf(x->err, RAD_ESCHEMA, "%s:%d: %s: count %zu, the model's shape needs %zu",
                        x->name, hline, label, t->count, want);
    if (next_tok(x) != 1)
        return rad_errf(x->err, RAD_EPARSE, "%s:%d: %s: missing format", x->name, hline, label);
    if (t->dec) {
        if (strcmp(x->tok, "float"))
            return rad_errf(x->err, RAD_ESCHEMA, "%s:%d: %s: decoder weights are \"float\", not \"%s\"",
                            x->name, hline, label, x->tok);
        return RAD_OK;
    }
    fxp_fmt f;
    char why[160];
    if (fxp_fmt_parse(x->tok, &f, why, sizeof why) != FXP_OK)
        return rad_errf(x->err, RAD_EPARSE, "%s:%d: %s: bad format \"%s\": %s", x->name, hline, label,
                        x->tok, why);
    const mdl_layer *l = &m->layers[t->idx];
    const fxp_fmt *mf = t->is_b ? &l->b_fmt : &l->w_fmt;
    if (f.width != mf->width || f.int_bits != mf->int_bits || f.is_signed != mf->is_signed) {
        char ms[80];
        fxp_fmt_str(mf, ms, sizeof ms);
        return rad_errf(x->err, RAD_ESCHEMA, "%s:%d: %s: format %s, the model says %s", x->name,
                        hline, label, x->tok, ms);
    }
    return RAD_OK;
}

/* Reads the values of tensor t (label for messages) at x into m, each
** checked against its format.  RAD_OK or an error naming the line. */
static int read_values(wlex *x, mdl_model *m, const wtensor *t, const char *label)
{
    const fxp_fmt *f = NULL;
    int64_t *iv = NULL;
    float *fv = NULL;
    if (t->dec) {
        fv = t->is_b ? m->dec[t->idx].b : m->dec[t->idx].w;
    } else {
        mdl_layer *l = &m->layers[t->idx];
        iv = t->is_b ? l->b : l->w;
        f = t->is_b ? &l->b_fmt : &l->w_fmt;
    }
    for (size_t k = 0; k < t->count; k++) {
        int r = next_tok(x);
        if (r < 0)
            return x->err ? x->err->code : RAD_EPARSE;
        if (r == 0)
            return rad_errf(x->err, RAD_EPARSE, "%s:%d: %s: file ends after %zu of %zu values (truncated?)",
                            x->name, x->line, label, k, t->count);
        char *end;
        errno = 0;
        if (fv) {
            double d = strtod(x->tok, &end);
            if (*end || errno == ERANGE || !isfinite(d) || fabs(d) > 3.4e38)
                return rad_errf(x->err, RAD_EPARSE, "%s:%d: %s[%zu]: \"%s\" is not a finite float",
                                x->name, x->line, label, k, x->tok);
            fv[k] = (float)d;
        } else {
            long long v = strtoll(x->tok, &end, 10);
            if (*end || errno)
                return rad_errf(x->err, RAD_EPARSE, "%s:%d: %s[%zu]: \"%s\" is not an integer",
                                x->name, x->line, label, k, x->tok);
            fxp_raw lo = fxp_raw_min(f), hi = fxp_raw_max(f);
            if ((fxp_raw)v < lo || (fxp_raw)v > hi) {
                char fs[80];
                fxp_fmt_str(f, fs, sizeof fs);
                return rad_errf(x->err, RAD_ERANGE, "%s:%d: %s[%zu]: raw value %lld outside %s [%lld, %lld]",
                                x->name, x->line, label, k, v, fs, (long long)lo, (long long)hi);
            }
            iv[k] = v;
        }
    }
    return RAD_OK;
}

/* Parses the text of a weights file (name for messages) into the tensors
** of m, each exactly once and every value in its format.  RAD_OK, or an
** error naming the file and line. */
int mdl__parse_weights(mdl_model *m, const char *text, const char *name, rad_err *err)
{
    wlex x = { text, 1, name, err, "" };
    int r = next_tok(&x);
    if (r < 0)
        return err ? err->code : RAD_EPARSE;
    if (r == 0 || strcmp(x.tok, "rad4ml-weights"))
        return rad_errf(err, RAD_EPARSE, "%s:%d: not a rad4ml weights file (expected \"rad4ml-weights 1\")",
                        name, x.line);
    if (next_tok(&x) != 1 || strcmp(x.tok, "1"))
        return rad_errf(err, RAD_EPARSE, "%s:%d: unsupported weights version \"%s\" (this rad4ml reads 1)",
                        name, x.line, x.tok);
    /* seen[dec][layer][is_b] */
    unsigned char seen[2][MDL_MAX_LAYERS][2];
    memset(seen, 0, sizeof seen);
    for (;;) {
        r = next_tok(&x);
        if (r < 0)
            return err ? err->code : RAD_EPARSE;
        if (r == 0)
            return rad_errf(err, RAD_EPARSE, "%s:%d: missing \"end\" (truncated file?)", name, x.line);
        if (!strcmp(x.tok, "end"))
            break;
        if (strcmp(x.tok, "layer") && strcmp(x.tok, "decoder"))
            return rad_errf(err, RAD_EPARSE,
                            "%s:%d: expected \"layer\", \"decoder\" or \"end\", got \"%s\" (more values than the count?)",
                            name, x.line, x.tok);
        wtensor t = { 0, 0, 0, 0 };
        char label[96];
        int line = x.line, rc;
        if ((rc = read_header(&x, m, &t, label, sizeof label)))
            return rc;
        if (seen[t.dec][t.idx][t.is_b])
            return rad_errf(err, RAD_ESCHEMA, "%s:%d: %s: given twice", name, line, label);
        seen[t.dec][t.idx][t.is_b] = 1;
        if ((rc = read_values(&x, m, &t, label)))
            return rc;
    }
    if (next_tok(&x) != 0)
        return rad_errf(err, RAD_EPARSE, "%s:%d: text after \"end\"", name, x.line);
    for (int i = 0; i < m->n_layers; i++)
        for (int b = 0; b < 2; b++)
            if ((b ? m->layers[i].n_b : m->layers[i].n_w) && !seen[0][i][b])
                return rad_errf(err, RAD_ESCHEMA, "%s: no weights for layer %s %s", name,
                                m->layers[i].name, b ? "b" : "w");
    for (int i = 0; i < m->n_dec; i++)
        for (int b = 0; b < 2; b++)
            if ((b ? m->dec[i].n_b : m->dec[i].n_w) && !seen[1][i][b])
                return rad_errf(err, RAD_ESCHEMA, "%s: no weights for decoder %s %s", name,
                                m->dec[i].name, b ? "b" : "w");
    return RAD_OK;
}

int mdl_load_weights(mdl_model *m, const char *weights_path, rad_err *err)
{
    char *text;
    size_t len;
    int rc = rad_read_all(weights_path, &text, &len, err);
    if (rc)
        return rc;
    /* Parse into a copy so that a bad file leaves m untouched. */
    mdl_model *c = mdl_clone(m);
    if (!c) {
        free(text);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    rc = mdl__parse_weights(c, text, weights_path, err);
    if (!rc)
        rad_prov_src_mem(&c->src_weights, weights_path, text, len);
    free(text);
    if (!rc)
        rc = mdl_validate(c, err);
    if (!rc) {
        mdl_model tmp = *m;
        *m = *c;
        *c = tmp;
    }
    mdl_free(c);
    return rc;
}

/* ---- writing ---------------------------------------------------------- */

void mdl__put_weights(FILE *fp, const mdl_model *m)
{
    fprintf(fp, "rad4ml-weights 1\n# model: %s; raw integers per format, decoder floats (%%.9g)\n",
            m->name);
    for (int i = 0; i < m->n_layers; i++) {
        const mdl_layer *l = &m->layers[i];
        for (int b = 0; b < 2; b++) {
            size_t n = b ? l->n_b : l->n_w;
            const int64_t *v = b ? l->b : l->w;
            if (!n)
                continue;
            char fs[80];
            fxp_fmt_str(b ? &l->b_fmt : &l->w_fmt, fs, sizeof fs);
            fprintf(fp, "layer %s %s %zu %s\n", l->name, b ? "b" : "w", n, fs);
            /* one row per output channel's worth of inputs keeps it readable */
            for (size_t k = 0; k < n; k++)
                fprintf(fp, "%lld%s", (long long)v[k], (k + 1) % 16 == 0 || k + 1 == n ? "\n" : " ");
        }
    }
    for (int i = 0; i < m->n_dec; i++) {
        const mdl_flayer *l = &m->dec[i];
        for (int b = 0; b < 2; b++) {
            size_t n = b ? l->n_b : l->n_w;
            const float *v = b ? l->b : l->w;
            if (!n)
                continue;
            fprintf(fp, "decoder %s %s %zu float\n", l->name, b ? "b" : "w", n);
            for (size_t k = 0; k < n; k++)
                fprintf(fp, "%.9g%s", (double)v[k], (k + 1) % 8 == 0 || k + 1 == n ? "\n" : " ");
        }
    }
    fprintf(fp, "end\n");
}

char *mdl_weights_text(const mdl_model *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return NULL;
    mdl__put_weights(fp, m);
    fclose(fp);
    return buf;
}

int mdl_save_weights(const mdl_model *m, const char *weights_path, rad_err *err)
{
    return mdl_save_weights_prov(m, weights_path, NULL, err);
}

int mdl_save_weights_prov(const mdl_model *m, const char *weights_path, const rad_prov *prov,
                          rad_err *err)
{
    int rc = mdl_validate(m, err);
    if (rc)
        return rc;
    rad_file f;
    if ((rc = rad_file_open(&f, weights_path, err)))
        return rc;
    rad_prov p;
    mdl__file_prov(m, prov, "weights", &p);
    rad_prov_text(f.fp, &p, "# ");
    mdl__put_weights(f.fp, m);
    return rad_file_commit(&f, err);
}
