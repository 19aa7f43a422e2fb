/*
** mdl_json.c — the model description (JSON, format in model/FORMAT.md):
** parsing with jansson, strict checking of every field, and writing.
**
** Errors name the file and the JSON path of the offending field, e.g.
**   "m.json: layers[1].kernel: expected an integer or [h, w]".
*/
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rad_file.h"
#include "model/mdl_internal.h"

typedef struct {
    const char *file;
    rad_err    *err;
} pctx;

/* ---- field readers --------------------------------------------------- */

/* Rejects keys not in the NULL-terminated list (typos must not pass). */
static int check_keys(pctx *c, json_t *obj, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= !strcmp(key, *a);
        if (!ok)
            return rad_errf(c->err, RAD_ESCHEMA, "%s: %s%s%s: unknown field", c->file, path,
                            *path ? "." : "", key);
    }
    return RAD_OK;
}

static json_t *field(pctx *c, json_t *obj, const char *path, const char *key, int required,
                     int *rc)
{
    json_t *v = json_object_get(obj, key);
    *rc = RAD_OK;
    if (!v && required)
        *rc = rad_errf(c->err, RAD_ESCHEMA, "%s: %s%s%s: missing field", c->file, path,
                       *path ? "." : "", key);
    return v;
}

static int get_int(pctx *c, json_t *obj, const char *path, const char *key, int required,
                   int def, int lo, int hi, int *out)
{
    int rc;
    json_t *v = field(c, obj, path, key, required, &rc);
    if (rc)
        return rc;
    if (!v) {
        *out = def;
        return RAD_OK;
    }
    if (!json_is_integer(v))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s.%s: expected an integer", c->file, path, key);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        return rad_errf(c->err, RAD_ERANGE, "%s: %s.%s: %lld not in %d..%d", c->file, path, key,
                        (long long)x, lo, hi);
    *out = (int)x;
    return RAD_OK;
}

static int get_str(pctx *c, json_t *obj, const char *path, const char *key, int required,
                   const char **out)
{
    int rc;
    json_t *v = field(c, obj, path, key, required, &rc);
    *out = NULL;
    if (rc || !v)
        return rc;
    if (!json_is_string(v))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s.%s: expected a string", c->file, path, key);
    *out = json_string_value(v);
    return RAD_OK;
}

static int get_fmt(pctx *c, json_t *obj, const char *path, const char *key, int required,
                   fxp_fmt *out, int *present)
{
    const char *s;
    int rc = get_str(c, obj, path, key, required, &s);
    if (present)
        *present = s != NULL;
    if (rc || !s)
        return rc;
    char why[200];
    const char *why2 = NULL;
    if (fxp_fmt_parse(s, out, why, sizeof why) != FXP_OK)
        return rad_errf(c->err, RAD_ERANGE, "%s: %s.%s: bad format \"%s\": %s", c->file, path,
                        key, s, why);
    if (fxp_fmt_check(out, &why2) != FXP_OK)
        return rad_errf(c->err, RAD_ERANGE, "%s: %s.%s: bad format \"%s\": %s", c->file, path,
                        key, s, why2 ? why2 : "?");
    return RAD_OK;
}

static int get_act(pctx *c, json_t *obj, const char *path, int allow_sigmoid, mdl_act *out)
{
    const char *s;
    int rc = get_str(c, obj, path, "activation", 0, &s);
    if (rc)
        return rc;
    if (!s || !strcmp(s, "linear"))
        *out = MDL_ACT_LINEAR;
    else if (!strcmp(s, "relu"))
        *out = MDL_ACT_RELU;
    else if (allow_sigmoid && !strcmp(s, "sigmoid"))
        *out = MDL_ACT_SIGMOID;
    else
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s.activation: unknown activation \"%s\" (%s)",
                        c->file, path, s, allow_sigmoid ? "linear, relu or sigmoid" : "linear or relu");
    return RAD_OK;
}

/* An integer n (meaning [n, n]) or an array [a, b]. */
static int get_pair(pctx *c, json_t *obj, const char *path, const char *key, int required,
                    int def, int out[2])
{
    int rc;
    json_t *v = field(c, obj, path, key, required, &rc);
    if (rc)
        return rc;
    if (!v) {
        out[0] = out[1] = def;
        return RAD_OK;
    }
    if (json_is_integer(v)) {
        out[0] = out[1] = (int)json_integer_value(v);
    } else if (json_is_array(v) && json_array_size(v) == 2
               && json_is_integer(json_array_get(v, 0)) && json_is_integer(json_array_get(v, 1))) {
        out[0] = (int)json_integer_value(json_array_get(v, 0));
        out[1] = (int)json_integer_value(json_array_get(v, 1));
    } else {
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s.%s: expected an integer or [h, w]",
                        c->file, path, key);
    }
    if (out[0] < 1 || out[1] < 1 || out[0] > 64 || out[1] > 64)
        return rad_errf(c->err, RAD_ERANGE, "%s: %s.%s: values must be in 1..64", c->file, path, key);
    return RAD_OK;
}

/* Integer list of exactly n entries (n < 0: any length, returned in *len). */
static int get_ints(pctx *c, json_t *obj, const char *path, const char *key, int n, int lo,
                    int hi, int **out, int *len)
{
    int rc;
    json_t *v = field(c, obj, path, key, 1, &rc);
    if (rc)
        return rc;
    if (!json_is_array(v))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s.%s: expected an array of integers",
                        c->file, path, key);
    int sz = (int)json_array_size(v);
    if (n >= 0 && sz != n)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s.%s: %d entries, expected %d", c->file, path,
                        key, sz, n);
    int *a = malloc((size_t)(sz ? sz : 1) * sizeof(int));
    if (!a)
        return rad_errf(c->err, RAD_ENOMEM, "out of memory");
    for (int i = 0; i < sz; i++) {
        json_t *e = json_array_get(v, (size_t)i);
        if (!json_is_integer(e) || json_integer_value(e) < lo || json_integer_value(e) > hi) {
            free(a);
            return rad_errf(c->err, RAD_ERANGE, "%s: %s.%s[%d]: expected an integer in %d..%d",
                            c->file, path, key, i, lo, hi);
        }
        a[i] = (int)json_integer_value(e);
    }
    *out = a;
    if (len)
        *len = sz;
    return RAD_OK;
}

static int get_shape(pctx *c, json_t *obj, const char *path, const char *key, mdl_shape *s)
{
    int *a, n, rc = get_ints(c, obj, path, key, -1, 1, 1 << 16, &a, &n);
    if (rc)
        return rc;
    if (n != 3) {
        free(a);
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s.%s: expected [h, w, c]", c->file, path, key);
    }
    *s = (mdl_shape){ a[0], a[1], a[2] };
    free(a);
    return RAD_OK;
}

/* "same", "valid" or [[top, bottom], [left, right]] into k->pt..pr, for a
** window whose size and stride are set.  transpose: "same" means the
** Conv2DTranspose crop instead of the conv input padding. */
static int get_padding(pctx *c, json_t *obj, const char *path, mdl_shape in, int transpose,
                       mdl_kernel *k)
{
    json_t *v = json_object_get(obj, "padding");
    if (!v || (json_is_string(v) && !strcmp(json_string_value(v), "valid"))) {
        k->pt = k->pb = k->pl = k->pr = 0;
        return RAD_OK;
    }
    if (json_is_string(v) && !strcmp(json_string_value(v), "same")) {
        mdl_kernel_same(k, in, transpose);
        return RAD_OK;
    }
    int pad[4] = { 0 };
    int ok = json_is_array(v) && json_array_size(v) == 2;
    for (int i = 0; ok && i < 2; i++) {
        json_t *p = json_array_get(v, (size_t)i);
        ok = json_is_array(p) && json_array_size(p) == 2;
        for (int j = 0; ok && j < 2; j++) {
            json_t *e = json_array_get(p, (size_t)j);
            ok = json_is_integer(e) && json_integer_value(e) >= 0 && json_integer_value(e) <= 64;
            if (ok)
                pad[2 * i + j] = (int)json_integer_value(e);
        }
    }
    if (!ok)
        return rad_errf(c->err, RAD_ESCHEMA,
                        "%s: %s.padding: expected \"same\", \"valid\" or [[top, bottom], [left, right]] (0..64)",
                        c->file, path);
    k->pt = pad[0]; k->pb = pad[1];
    k->pl = pad[2]; k->pr = pad[3];
    return RAD_OK;
}

/* kernel, stride and padding of a conv2d / conv2d_transpose layer. */
static int get_kernel(pctx *c, json_t *obj, const char *path, mdl_shape in, int transpose,
                      mdl_kernel *k)
{
    int hw[2], st[2], rc;
    if ((rc = get_pair(c, obj, path, "kernel", 1, 1, hw))
        || (rc = get_pair(c, obj, path, "stride", 0, 1, st)))
        return rc;
    k->kh = hw[0]; k->kw = hw[1];
    k->sh = st[0]; k->sw = st[1];
    return get_padding(c, obj, path, in, transpose, k);
}

/* ---- sections --------------------------------------------------------- */

static int parse_input(pctx *c, json_t *o, mdl_input *in)
{
    static const char *const keys[] = { "cells", "charge_bits", "norm", "format",
                                        "sum_exp_bits", "sum_mant_bits", "charge_frac", NULL };
    int rc;
    if (!json_is_object(o))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: input: expected an object", c->file);
    const char *norm;
    if ((rc = check_keys(c, o, "input", keys))
        || (rc = get_int(c, o, "input", "cells", 1, 0, 1, MDL_MAX_CELLS, &in->n_cells))
        || (rc = get_int(c, o, "input", "charge_bits", 1, 0, 1, 32, &in->charge_bits))
        || (rc = get_str(c, o, "input", "norm", 0, &norm))
        || (rc = get_fmt(c, o, "input", "format", 1, &in->fmt, NULL))
        || (rc = get_int(c, o, "input", "sum_exp_bits", 0, 5, 1, 8, &in->sum_exp_bits))
        || (rc = get_int(c, o, "input", "sum_mant_bits", 0, 4, 1, 24, &in->sum_mant_bits))
        || (rc = get_int(c, o, "input", "charge_frac", 0, 0, 0, 32, &in->charge_frac)))
        return rc;
    if (!norm || !strcmp(norm, "msb"))
        in->norm = MDL_NORM_MSB;
    else if (!strcmp(norm, "none"))
        in->norm = MDL_NORM_NONE;
    else
        return rad_errf(c->err, RAD_ESCHEMA, "%s: input.norm: \"%s\" is not \"msb\" or \"none\"",
                        c->file, norm);
    if (in->norm == MDL_NORM_MSB && in->charge_frac)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: input.charge_frac: only with \"norm\": \"none\"",
                        c->file);
    return RAD_OK;
}

static int parse_name(pctx *c, json_t *o, const char *path, const char *type, int i, char *name,
                      size_t len)
{
    const char *s;
    int rc = get_str(c, o, path, "name", 0, &s);
    if (rc)
        return rc;
    if (!s) {
        snprintf(name, len, "%s%d", type, i);
        return RAD_OK;
    }
    if (!*s || strlen(s) >= len)
        return rad_errf(c->err, RAD_ERANGE, "%s: %s.name: must have 1..%zu characters", c->file,
                        path, len - 1);
    for (const char *p = s; *p; p++)
        if (!(*p == '_' || *p == '-' || *p == '.' || (*p >= '0' && *p <= '9')
              || ((*p | 32) >= 'a' && (*p | 32) <= 'z')))
            return rad_errf(c->err, RAD_ERANGE, "%s: %s.name: only letters, digits, '_', '-', '.'",
                            c->file, path);
    snprintf(name, len, "%s", s);
    return RAD_OK;
}

/* Reads encoder layer i (JSON object o) behind an input of shape in and
** format in_fmt into l: only the keys of its type, then
** mdl__finish_layer.  l owns the map it allocates.  RAD_OK or an error
** naming the file and JSON path. */
static int parse_layer(pctx *c, json_t *o, int i, mdl_shape in, const fxp_fmt *in_fmt,
                       mdl_layer *l)
{
    static const char *const k_map[] = { "name", "type", "shape", "index", NULL };
    static const char *const k_flat[] = { "name", "type", NULL };
    static const char *const k_conv[] = { "name", "type", "filters", "kernel", "stride", "padding",
                                          "w_fmt", "b_fmt", "acc_fmt", "activation", "out_fmt", NULL };
    static const char *const k_dense[] = { "name", "type", "units", "w_fmt", "b_fmt", "acc_fmt",
                                           "activation", "out_fmt", NULL };
    char path[32];
    snprintf(path, sizeof path, "layers[%d]", i);
    if (!json_is_object(o))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s: expected an object", c->file, path);
    const char *type;
    int rc = get_str(c, o, path, "type", 1, &type);
    if (rc)
        return rc;
    if ((rc = parse_name(c, o, path, type, i, l->name, sizeof l->name)))
        return rc;
    if (!strcmp(type, "map")) {
        l->kind = MDL_MAP;
        if ((rc = check_keys(c, o, path, k_map)) || (rc = get_shape(c, o, path, "shape", &l->out))
            || (rc = get_ints(c, o, path, "index", mdl_shape_size(l->out), -1,
                              mdl_shape_size(in) - 1, &l->map, NULL)))
            return rc;
    } else if (!strcmp(type, "flatten")) {
        l->kind = MDL_FLATTEN;
        if ((rc = check_keys(c, o, path, k_flat)))
            return rc;
    } else if (!strcmp(type, "conv2d") || !strcmp(type, "dense")) {
        int conv = type[0] == 'c', has_acc;
        l->kind = conv ? MDL_CONV2D : MDL_DENSE;
        if ((rc = check_keys(c, o, path, conv ? k_conv : k_dense))
            || (rc = get_int(c, o, path, conv ? "filters" : "units", 1, 0, 1, 1 << 16, &l->out.c))
            || (rc = get_fmt(c, o, path, "w_fmt", 1, &l->w_fmt, NULL))
            || (rc = get_fmt(c, o, path, "b_fmt", 1, &l->b_fmt, NULL))
            || (rc = get_fmt(c, o, path, "acc_fmt", 0, &l->acc_fmt, &has_acc))
            || (rc = get_fmt(c, o, path, "out_fmt", 1, &l->out_fmt, NULL))
            || (rc = get_act(c, o, path, 0, &l->act)))
            return rc;
        l->has_acc_fmt = has_acc;
        if (conv && (rc = get_kernel(c, o, path, in, 0, &l->k)))
            return rc;
    } else {
        return rad_errf(c->err, RAD_ESCHEMA,
                        "%s: %s.type: unknown layer type \"%s\" (map, conv2d, dense, flatten)",
                        c->file, path, type);
    }
    char where[300];
    snprintf(where, sizeof where, "%s: %s", c->file, path);
    if ((rc = mdl__finish_layer(l, in, in_fmt, where, c->err)))
        return rc;
    if (l->kind == MDL_CONV2D || l->kind == MDL_DENSE) {
        int f_acc = fxp_frac_bits(in_fmt) + fxp_frac_bits(&l->w_fmt);
        if (fxp_frac_bits(&l->b_fmt) > f_acc)
            return rad_errf(c->err, RAD_ESCHEMA,
                            "%s.b_fmt: %d fractional bits > the accumulator's %d (input %d + weights %d)",
                            where, fxp_frac_bits(&l->b_fmt), f_acc, fxp_frac_bits(in_fmt),
                            fxp_frac_bits(&l->w_fmt));
    }
    return RAD_OK;
}

/* Reads decoder layer i (JSON object o) behind an input of shape in into
** l: only the keys of its type, then mdl__finish_flayer.  RAD_OK or an
** error naming the file and JSON path. */
static int parse_flayer(pctx *c, json_t *o, int i, mdl_shape in, mdl_flayer *l)
{
    static const char *const k_dense[] = { "name", "type", "units", "activation", NULL };
    static const char *const k_resh[] = { "name", "type", "shape", NULL };
    static const char *const k_conv[] = { "name", "type", "filters", "kernel", "stride", "padding",
                                          "activation", NULL };
    char path[40];
    snprintf(path, sizeof path, "decoder.layers[%d]", i);
    if (!json_is_object(o))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s: expected an object", c->file, path);
    const char *type;
    int rc = get_str(c, o, path, "type", 1, &type);
    if (rc || (rc = parse_name(c, o, path, type, i, l->name, sizeof l->name)))
        return rc;
    if (!strcmp(type, "dense")) {
        l->kind = MDL_F_DENSE;
        if ((rc = check_keys(c, o, path, k_dense))
            || (rc = get_int(c, o, path, "units", 1, 0, 1, 1 << 16, &l->out.c))
            || (rc = get_act(c, o, path, 1, &l->act)))
            return rc;
    } else if (!strcmp(type, "reshape")) {
        l->kind = MDL_F_RESHAPE;
        if ((rc = check_keys(c, o, path, k_resh)) || (rc = get_shape(c, o, path, "shape", &l->out)))
            return rc;
    } else if (!strcmp(type, "conv2d") || !strcmp(type, "conv2d_transpose")) {
        int tr = strlen(type) > 6;
        l->kind = tr ? MDL_F_CONV2D_T : MDL_F_CONV2D;
        if ((rc = check_keys(c, o, path, k_conv))
            || (rc = get_int(c, o, path, "filters", 1, 0, 1, 1 << 16, &l->out.c))
            || (rc = get_act(c, o, path, 1, &l->act))
            || (rc = get_kernel(c, o, path, in, tr, &l->k)))
            return rc;
    } else {
        return rad_errf(c->err, RAD_ESCHEMA,
                        "%s: %s.type: unknown decoder layer type \"%s\" (dense, reshape, conv2d, conv2d_transpose)",
                        c->file, path, type);
    }
    char where[300];
    snprintf(where, sizeof where, "%s: %s", c->file, path);
    return mdl__finish_flayer(l, in, where, c->err);
}

static int parse_output(pctx *c, json_t *o, mdl_output *out)
{
    static const char *const keys[] = { "n_links", "bits_by_links", NULL };
    int rc;
    memcpy(out->bits_by_links, mdl__default_bits_by_links, sizeof out->bits_by_links);
    out->n_links = 5;
    if (!o)
        return RAD_OK;
    if (!json_is_object(o))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: output: expected an object", c->file);
    if ((rc = check_keys(c, o, "output", keys))
        || (rc = get_int(c, o, "output", "n_links", 0, 5, 1, MDL_MAX_LINKS, &out->n_links)))
        return rc;
    if (json_object_get(o, "bits_by_links")) {
        int *a;
        if ((rc = get_ints(c, o, "output", "bits_by_links", MDL_MAX_LINKS + 1, 0, 64, &a, NULL)))
            return rc;
        memcpy(out->bits_by_links, a, sizeof out->bits_by_links);
        free(a);
    }
    if (out->bits_by_links[out->n_links] < 1)
        return rad_errf(c->err, RAD_ERANGE, "%s: output.bits_by_links[%d]: %d links send 0 bits",
                        c->file, out->n_links, out->n_links);
    return RAD_OK;
}

/* A real number field (default def when absent and not required). */
static int get_real(pctx *c, json_t *obj, const char *path, const char *key, double def,
                    double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return RAD_OK;
    }
    if (!json_is_number(v) || !isfinite(json_number_value(v)))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s.%s: expected a finite number", c->file,
                        path, key);
    *out = json_number_value(v);
    return RAD_OK;
}

/* decoder.condition: [{"input": "log_sum"|"n_links", "scale": S, "offset": O}, ...]
** (scale default 1, offset 0; model.h mdl_cond). */
static int parse_cond(pctx *c, json_t *a, mdl_model *m)
{
    static const char *const keys[] = { "input", "scale", "offset", NULL };
    if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > MDL_MAX_COND)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: decoder.condition: expected an array of "
                        "1..%d conditions", c->file, MDL_MAX_COND);
    m->n_cond = (int)json_array_size(a);
    for (int i = 0; i < m->n_cond; i++) {
        char path[48];
        snprintf(path, sizeof path, "decoder.condition[%d]", i);
        json_t *o = json_array_get(a, (size_t)i);
        const char *kind;
        int rc;
        if (!json_is_object(o))
            return rad_errf(c->err, RAD_ESCHEMA, "%s: %s: expected an object", c->file, path);
        if ((rc = check_keys(c, o, path, keys)) || (rc = get_str(c, o, path, "input", 1, &kind))
            || (rc = get_real(c, o, path, "scale", 1.0, &m->cond[i].scale))
            || (rc = get_real(c, o, path, "offset", 0.0, &m->cond[i].offset)))
            return rc;
        if (mdl_cond_parse(kind, &m->cond[i].kind))
            return rad_errf(c->err, RAD_ESCHEMA, "%s: %s.input: unknown condition \"%s\" "
                            "(log_sum, n_links)", c->file, path, kind);
        if (m->cond[i].scale == 0)
            return rad_errf(c->err, RAD_ERANGE, "%s: %s.scale: must not be 0", c->file, path);
    }
    return RAD_OK;
}

static int parse_decoder(pctx *c, json_t *o, mdl_model *m)
{
    static const char *const keys[] = { "layers", "map", "preserve_sum", "condition", NULL };
    int rc;
    if (!json_is_object(o))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: decoder: expected an object", c->file);
    if ((rc = check_keys(c, o, "decoder", keys)))
        return rc;
    json_t *ls = field(c, o, "decoder", "layers", 1, &rc);
    if (rc)
        return rc;
    if (!json_is_array(ls) || json_array_size(ls) < 1 || json_array_size(ls) > MDL_MAX_LAYERS)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: decoder.layers: expected an array of 1..%d layers",
                        c->file, MDL_MAX_LAYERS);
    m->n_dec = (int)json_array_size(ls);
    json_t *cond = json_object_get(o, "condition");
    if (cond && (rc = parse_cond(c, cond, m)))
        return rc;
    mdl_shape s = { 1, 1, mdl_dec_in_count(m) };
    for (int i = 0; i < m->n_dec; i++) {
        if ((rc = parse_flayer(c, json_array_get(ls, (size_t)i), i, s, &m->dec[i])))
            return rc;
        for (int j = 0; j < i; j++)
            if (!strcmp(m->dec[j].name, m->dec[i].name))
                return rad_errf(c->err, RAD_ESCHEMA, "%s: decoder.layers[%d].name: \"%s\" used twice",
                                c->file, i, m->dec[i].name);
        s = m->dec[i].out;
    }
    if ((rc = get_ints(c, o, "decoder", "map", m->in.n_cells, -1, mdl_shape_size(s) - 1,
                       &m->dec_map, NULL)))
        return rc;
    json_t *ps = json_object_get(o, "preserve_sum");
    if (ps && !json_is_boolean(ps))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: decoder.preserve_sum: expected true or false",
                        c->file);
    m->preserve_sum = ps && json_is_true(ps);
    return RAD_OK;
}

/* Reads the top-level object of a model file into m (input, layers,
** output, decoder) and the weights file it names into *weights_ref (a
** pointer into root).  RAD_OK or an error naming the JSON path. */
static int parse_root(pctx *c, json_t *root, mdl_model *m, const char **weights_ref)
{
    static const char *const keys[] = { "format", "version", "name", "description", "weights",
                                        "input", "layers", "output", "decoder", "provenance",
                                        NULL };
    int rc, version;
    const char *fmt, *name, *desc;
    if (!json_is_object(root))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: the top level must be an object", c->file);
    if ((rc = check_keys(c, root, "", keys)) || (rc = get_str(c, root, "", "format", 1, &fmt)))
        return rc;
    if (strcmp(fmt, "rad4ml-model"))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: format: \"%s\" is not \"rad4ml-model\"", c->file, fmt);
    if ((rc = get_int(c, root, "", "version", 1, 0, 0, 1 << 30, &version)))
        return rc;
    if (version != MDL_FORMAT_VERSION)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: version: %d, this rad4ml reads version %d",
                        c->file, version, MDL_FORMAT_VERSION);
    if ((rc = get_str(c, root, "", "name", 0, &name))
        || (rc = get_str(c, root, "", "description", 0, &desc))
        || (rc = get_str(c, root, "", "weights", 0, weights_ref)))
        return rc;
    snprintf(m->name, sizeof m->name, "%s", name ? name : "model");
    int rc2 = RAD_OK;
    json_t *in = field(c, root, "", "input", 1, &rc2);
    if (rc2 || (rc = parse_input(c, in, &m->in)))
        return rc2 ? rc2 : rc;
    json_t *ls = field(c, root, "", "layers", 1, &rc);
    if (rc)
        return rc;
    if (!json_is_array(ls) || json_array_size(ls) < 1 || json_array_size(ls) > MDL_MAX_LAYERS)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: layers: expected an array of 1..%d layers",
                        c->file, MDL_MAX_LAYERS);
    m->n_layers = (int)json_array_size(ls);
    mdl_shape s = { 1, 1, m->in.n_cells };
    fxp_fmt f = m->in.fmt;
    for (int i = 0; i < m->n_layers; i++) {
        if ((rc = parse_layer(c, json_array_get(ls, (size_t)i), i, s, &f, &m->layers[i])))
            return rc;
        for (int j = 0; j < i; j++)
            if (!strcmp(m->layers[j].name, m->layers[i].name))
                return rad_errf(c->err, RAD_ESCHEMA, "%s: layers[%d].name: \"%s\" used twice",
                                c->file, i, m->layers[i].name);
        s = m->layers[i].out;
        f = m->layers[i].out_fmt;
    }
    if ((rc = parse_output(c, json_object_get(root, "output"), &m->out)))
        return rc;
    json_t *dec = json_object_get(root, "decoder");
    if (dec && (rc = parse_decoder(c, dec, m)))
        return rc;
    return RAD_OK;
}

/* Parses a description; *weights_ref (owned by the caller, may be NULL)
** receives a copy of the JSON's "weights" field. */
static int parse_json(const char *text, const char *name, mdl_model **out, char **weights_ref,
                      rad_err *err)
{
    json_error_t je;
    *out = NULL;
    if (weights_ref)
        *weights_ref = NULL;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return rad_errf(err, RAD_EPARSE, "%s:%d:%d: JSON error: %s", name, je.line, je.column,
                        je.text);
    mdl_model *m = calloc(1, sizeof *m);
    if (!m) {
        json_decref(root);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    pctx c = { name, err };
    const char *wref = NULL;
    int rc = parse_root(&c, root, m, &wref);
    if (!rc && wref && weights_ref && !(*weights_ref = strdup(wref)))
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    json_decref(root);
    if (rc) {
        mdl_free(m);
        return rc;
    }
    *out = m;
    return RAD_OK;
}

int mdl_parse(const char *json_text, const char *json_name, const char *weights_text,
              const char *weights_name, mdl_model **out, rad_err *err)
{
    mdl_model *m;
    int rc = parse_json(json_text, json_name, &m, NULL, err);
    if (rc)
        return rc;
    if (weights_text)
        rc = mdl__parse_weights(m, weights_text, weights_name ? weights_name : "(weights)", err);
    if (!rc)
        rc = mdl_validate(m, err);
    if (rc) {
        mdl_free(m);
        return rc;
    }
    rad_prov_src_mem(&m->src_model, json_name, json_text, strlen(json_text));
    if (weights_text)
        rad_prov_src_mem(&m->src_weights, weights_name ? weights_name : "(weights)",
                         weights_text, strlen(weights_text));
    else
        rad_prov_src_mem(&m->src_weights, "none (all zero)", "", 0);
    *out = m;
    return RAD_OK;
}

int mdl_load_json(const char *model_path, mdl_model **out, rad_err *err)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = rad_read_all(model_path, &text, &len, err);
    if (rc)
        return rc;
    if (strlen(text) != len)
        rc = rad_errf(err, RAD_EPARSE, "%s: contains a NUL byte (not a text file)", model_path);
    else
        rc = mdl_parse(text, model_path, NULL, NULL, out, err);
    free(text);
    return rc;
}

/* "<dir of json>/<ref>" or "<json minus .json>.weights". */
static char *weights_path_for(const char *json_path, const char *ref)
{
    size_t n = strlen(json_path);
    char *p = malloc(n + (ref ? strlen(ref) : 0) + 16);
    if (!p)
        return NULL;
    if (ref) {
        const char *slash = strrchr(json_path, '/');
        if (ref[0] == '/' || !slash)
            strcpy(p, ref);
        else
            sprintf(p, "%.*s/%s", (int)(slash - json_path), json_path, ref);
    } else {
        strcpy(p, json_path);
        if (n > 5 && !strcmp(p + n - 5, ".json"))
            p[n - 5] = 0;
        strcat(p, ".weights");
    }
    return p;
}

int mdl_load(const char *model_path, const char *weights_path, mdl_model **out, rad_err *err)
{
    char *text = NULL, *wtext = NULL, *ref = NULL, *wpath = NULL;
    size_t len;
    mdl_model *m = NULL;
    *out = NULL;
    int rc = rad_read_all(model_path, &text, &len, err);
    if (rc)
        return rc;
    if (strlen(text) != len) {
        free(text);
        return rad_errf(err, RAD_EPARSE, "%s: contains a NUL byte (not a text file)", model_path);
    }
    rc = parse_json(text, model_path, &m, &ref, err);
    if (!rc)
        rad_prov_src_mem(&m->src_model, model_path, text, len);
    free(text);
    if (rc)
        return rc;
    wpath = weights_path ? strdup(weights_path) : weights_path_for(model_path, ref);
    free(ref);
    if (!wpath)
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!rc)
        rc = rad_read_all(wpath, &wtext, &len, err);
    if (!rc)
        rc = mdl__parse_weights(m, wtext, wpath, err);
    if (!rc)
        rc = mdl_validate(m, err);
    if (!rc)
        rad_prov_src_mem(&m->src_weights, wpath, wtext, len);
    free(wtext);
    free(wpath);
    if (rc) {
        mdl_free(m);
        return rc;
    }
    *out = m;
    return RAD_OK;
}

/* ---- writing ---------------------------------------------------------- */

static void put_fmt(FILE *fp, const char *key, const fxp_fmt *f, const char *sep)
{
    char s[80];
    fxp_fmt_str(f, s, sizeof s);
    fprintf(fp, "\"%s\": \"%s\"%s", key, s, sep);
}

static void put_ints(FILE *fp, const int *a, int n, int per_line, const char *indent)
{
    fputc('[', fp);
    for (int i = 0; i < n; i++) {
        if (per_line && i % per_line == 0 && n > per_line)
            fprintf(fp, "\n%s  ", indent);
        fprintf(fp, "%d%s", a[i], i + 1 < n ? (per_line && (i + 1) % per_line == 0 ? "," : ", ") : "");
    }
    if (n > per_line && per_line)
        fprintf(fp, "\n%s", indent);
    fputc(']', fp);
}

/* Kernel, stride and padding; padding as "same" when it equals what
** "same" computes for this window, else explicit. */
static void put_kernel(FILE *fp, const mdl_kernel *k, mdl_shape in, int transpose)
{
    mdl_kernel same = *k;
    mdl_kernel_same(&same, in, transpose);
    fprintf(fp, "\"kernel\": [%d, %d], \"stride\": [%d, %d], ", k->kh, k->kw, k->sh, k->sw);
    if (!k->pt && !k->pb && !k->pl && !k->pr)
        fprintf(fp, "\"padding\": \"valid\"");
    else if (same.pt == k->pt && same.pb == k->pb && same.pl == k->pl && same.pr == k->pr)
        fprintf(fp, "\"padding\": \"same\"");
    else
        fprintf(fp, "\"padding\": [[%d, %d], [%d, %d]]", k->pt, k->pb, k->pl, k->pr);
}

static void put_layer(FILE *fp, const mdl_layer *l, int last)
{
    fprintf(fp, "    {\"name\": \"%s\", \"type\": \"%s\"", l->name, mdl_kind_name(l->kind));
    if (l->kind == MDL_MAP) {
        fprintf(fp, ", \"shape\": [%d, %d, %d],\n     \"index\": ", l->out.h, l->out.w, l->out.c);
        put_ints(fp, l->map, mdl_shape_size(l->out), l->out.w * l->out.c, "     ");
    } else if (l->kind != MDL_FLATTEN) {
        if (l->kind == MDL_CONV2D) {
            fprintf(fp, ", \"filters\": %d, ", l->out.c);
            put_kernel(fp, &l->k, l->in, 0);
        } else {
            fprintf(fp, ", \"units\": %d", l->out.c);
        }
        fprintf(fp, ",\n     ");
        put_fmt(fp, "w_fmt", &l->w_fmt, ", ");
        put_fmt(fp, "b_fmt", &l->b_fmt, ", ");
        if (l->has_acc_fmt)
            put_fmt(fp, "acc_fmt", &l->acc_fmt, ", ");
        fprintf(fp, "\n     \"activation\": \"%s\", ", mdl_act_name(l->act));
        put_fmt(fp, "out_fmt", &l->out_fmt, "");
    }
    fprintf(fp, "}%s\n", last ? "" : ",");
}

static void put_flayer(FILE *fp, const mdl_flayer *l, int last)
{
    fprintf(fp, "      {\"name\": \"%s\", \"type\": \"%s\"", l->name, mdl_fkind_name(l->kind));
    if (l->kind == MDL_F_RESHAPE) {
        fprintf(fp, ", \"shape\": [%d, %d, %d]", l->out.h, l->out.w, l->out.c);
    } else if (l->kind == MDL_F_DENSE) {
        fprintf(fp, ", \"units\": %d, \"activation\": \"%s\"", l->out.c, mdl_act_name(l->act));
    } else {
        fprintf(fp, ", \"filters\": %d,\n       ", l->out.c);
        put_kernel(fp, &l->k, l->in, l->kind == MDL_F_CONV2D_T);
        fprintf(fp, ", \"activation\": \"%s\"", mdl_act_name(l->act));
    }
    fprintf(fp, "}%s\n", last ? "" : ",");
}

/* Writes the description of m as JSON to fp: header (provenance and
** weights_ref when given), input, layers, output, and the decoder with its
** map, preserve_sum and, only when it has any, its conditions (so a model
** without them is written exactly as before). */
static void put_model(FILE *fp, const mdl_model *m, const char *weights_ref,
                      const rad_prov *prov)
{
    const mdl_input *in = &m->in;
    fprintf(fp, "{\n  \"format\": \"rad4ml-model\",\n  \"version\": %d,\n  \"name\": \"%s\",\n",
            MDL_FORMAT_VERSION, m->name);
    json_t *pj = prov ? rad_prov_json(prov) : NULL;
    char *ps = pj ? json_dumps(pj, JSON_COMPACT) : NULL;
    if (ps)
        fprintf(fp, "  \"provenance\": %s,\n", ps);
    free(ps);
    json_decref(pj);
    if (weights_ref)
        fprintf(fp, "  \"weights\": \"%s\",\n", weights_ref);
    fprintf(fp, "  \"input\": {\"cells\": %d, \"charge_bits\": %d, \"norm\": \"%s\", ",
            in->n_cells, in->charge_bits, in->norm == MDL_NORM_MSB ? "msb" : "none");
    if (in->charge_frac)
        fprintf(fp, "\"charge_frac\": %d, ", in->charge_frac);
    put_fmt(fp, "format", &in->fmt, ",\n            ");
    fprintf(fp, "\"sum_exp_bits\": %d, \"sum_mant_bits\": %d},\n  \"layers\": [\n",
            in->sum_exp_bits, in->sum_mant_bits);
    for (int i = 0; i < m->n_layers; i++)
        put_layer(fp, &m->layers[i], i + 1 == m->n_layers);
    fprintf(fp, "  ],\n  \"output\": {\"n_links\": %d, \"bits_by_links\": ", m->out.n_links);
    put_ints(fp, m->out.bits_by_links, MDL_MAX_LINKS + 1, 0, "");
    fprintf(fp, "}%s\n", m->n_dec ? "," : "");
    if (m->n_dec) {
        fprintf(fp, "  \"decoder\": {\n    \"layers\": [\n");
        for (int i = 0; i < m->n_dec; i++)
            put_flayer(fp, &m->dec[i], i + 1 == m->n_dec);
        fprintf(fp, "    ],\n    \"map\": ");
        put_ints(fp, m->dec_map, m->in.n_cells, 16, "    ");
        fprintf(fp, ",\n    \"preserve_sum\": %s", m->preserve_sum ? "true" : "false");
        for (int i = 0; i < m->n_cond; i++)
            fprintf(fp, "%s{\"input\": \"%s\", \"scale\": %.17g, \"offset\": %.17g}%s",
                    i ? ",\n                   " : ",\n    \"condition\": [",
                    mdl_cond_name(m->cond[i].kind), m->cond[i].scale, m->cond[i].offset,
                    i + 1 == m->n_cond ? "]" : "");
        fprintf(fp, "\n  }\n");
    }
    fprintf(fp, "}\n");
}

char *mdl_json_text(const mdl_model *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return NULL;
    put_model(fp, m, NULL, NULL);
    fclose(fp);
    return buf;
}

/* See model_io.h.  Validates m and writes the model JSON and its weights
** file (default: beside it), each all-or-nothing.  RAD_OK or the reason. */
int mdl_save(const mdl_model *m, const char *model_path, const char *weights_path, rad_err *err)
{
    return mdl_save_prov(m, model_path, weights_path, NULL, err);
}

/* The provenance of a saved model / weights file: prov's command, data and
** options (or none), kind `kind`, the model's own sources. */
void mdl__file_prov(const mdl_model *m, const rad_prov *prov, const char *kind, rad_prov *out)
{
    if (prov)
        *out = *prov;
    else
        rad_prov_init(out, kind, "");
    snprintf(out->kind, sizeof out->kind, "%s", kind);
    mdl_prov_set(out, m);
}

/* See model_io.h.  Writes the description (JSON) and the integer weights of
** m, each atomically and each with the provenance block prov (NULL: the
** model's own), so that both files name where they came from.  Nothing is
** left behind on an error.  Borrows m and prov. */
int mdl_save_prov(const mdl_model *m, const char *model_path, const char *weights_path,
                  const rad_prov *prov, rad_err *err)
{
    int rc = mdl_validate(m, err);
    if (rc)
        return rc;
    char *wpath = weights_path ? strdup(weights_path) : weights_path_for(model_path, NULL);
    if (!wpath)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    /* The JSON names its weights relative to itself when they share a
    ** directory, else by the path given. */
    const char *ref = wpath;
    char absbuf[8192];
    const char *js = strrchr(model_path, '/'), *ws = strrchr(wpath, '/');
    size_t jd = js ? (size_t)(js - model_path) : 0, wd = ws ? (size_t)(ws - wpath) : 0;
    if (jd == wd && !strncmp(model_path, wpath, jd)) {
        ref = ws ? ws + 1 : wpath;
    } else if (wpath[0] != '/') {
        /* elsewhere: an absolute path (a relative one would be read
        ** relative to the JSON's directory) */
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) {
            rc = rad_errf(err, RAD_EIO, "%s: cannot resolve the weights path", wpath);
            free(wpath);
            return rc;
        }
        snprintf(absbuf, sizeof absbuf, "%s/%s", cwd, wpath);
        ref = absbuf;
    }
    /* both files are written to temporaries first, then renamed: a
    ** failure leaves neither behind */
    rad_file fw, fj;
    if (!(rc = rad_file_open(&fw, wpath, err))) {
        if ((rc = rad_file_open(&fj, model_path, err))) {
            rad_file_abort(&fw);
        } else {
            rad_prov pw, pm;
            mdl__file_prov(m, prov, "weights", &pw);
            mdl__file_prov(m, prov, "model", &pm);
            rad_prov_text(fw.fp, &pw, "# ");
            mdl__put_weights(fw.fp, m);
            put_model(fj.fp, m, ref, &pm);
            if ((rc = rad_file_commit(&fw, err)))
                rad_file_abort(&fj);
            else
                rc = rad_file_commit(&fj, err);
        }
    }
    free(wpath);
    return rc;
}
