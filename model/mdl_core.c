/*
** mdl_core.c — model bookkeeping: shapes, validation, copies, random
** weights, module-sum float, names and counts.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_hash.h"
#include "model/mdl_internal.h"

const int mdl__default_bits_by_links[MDL_MAX_LINKS + 1] =
    { 0, 1, 3, 5, 7, 9, 9, 9, 9, 9, 9, 9, 9, 9 };

/* TensorFlow 'same' padding for one axis: (before, after). */
static void same_pad(int in, int k, int s, int *before, int *after)
{
    int out = (in + s - 1) / s;
    int total = (out - 1) * s + k - in;
    if (total < 0)
        total = 0;
    *before = total / 2;
    *after = total - total / 2;
}

/* Keras Conv2DTranspose 'same' crop for one axis: (before, after). */
static void same_crop(int k, int s, int *before, int *after)
{
    int total = k - s > 0 ? k - s : 0;
    *before = total / 2;
    *after = total - total / 2;
}

void mdl_kernel_same(mdl_kernel *k, mdl_shape in, bool transpose)
{
    if (transpose) {
        same_crop(k->kh, k->sh, &k->pt, &k->pb);
        same_crop(k->kw, k->sw, &k->pl, &k->pr);
    } else {
        same_pad(in.h, k->kh, k->sh, &k->pt, &k->pb);
        same_pad(in.w, k->kw, k->sw, &k->pl, &k->pr);
    }
}

/* ---- names ----------------------------------------------------------- */

const char *mdl_kind_name(mdl_kind k)
{
    switch (k) {
    case MDL_MAP:     return "map";
    case MDL_CONV2D:  return "conv2d";
    case MDL_DENSE:   return "dense";
    case MDL_FLATTEN: return "flatten";
    }
    return "?";
}

const char *mdl_fkind_name(mdl_fkind k)
{
    switch (k) {
    case MDL_F_DENSE:    return "dense";
    case MDL_F_RESHAPE:  return "reshape";
    case MDL_F_CONV2D:   return "conv2d";
    case MDL_F_CONV2D_T: return "conv2d_transpose";
    }
    return "?";
}

const char *mdl_act_name(mdl_act a)
{
    switch (a) {
    case MDL_ACT_LINEAR:  return "linear";
    case MDL_ACT_RELU:    return "relu";
    case MDL_ACT_SIGMOID: return "sigmoid";
    }
    return "?";
}

/* ---- memory ---------------------------------------------------------- */

void mdl_free(mdl_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < MDL_MAX_LAYERS; i++) {
        free(m->layers[i].map);
        free(m->layers[i].w);
        free(m->layers[i].b);
        free(m->dec[i].w);
        free(m->dec[i].b);
    }
    free(m->dec_map);
    free(m);
}

static void *dup_mem(const void *p, size_t n)
{
    if (!p)
        return NULL;
    void *q = malloc(n ? n : 1);
    if (q)
        memcpy(q, p, n);
    return q;
}

mdl_model *mdl_clone(const mdl_model *m)
{
    mdl_model *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *m;
    int ok = 1;
    for (int i = 0; i < MDL_MAX_LAYERS; i++) {
        const mdl_layer *l = &m->layers[i];
        mdl_layer *d = &c->layers[i];
        d->map = dup_mem(l->map, (size_t)mdl_shape_size(l->out) * sizeof(int));
        d->w = dup_mem(l->w, l->n_w * sizeof(int64_t));
        d->b = dup_mem(l->b, l->n_b * sizeof(int64_t));
        c->dec[i].w = dup_mem(m->dec[i].w, m->dec[i].n_w * sizeof(float));
        c->dec[i].b = dup_mem(m->dec[i].b, m->dec[i].n_b * sizeof(float));
        ok &= (!l->map || d->map) && (!l->w || d->w) && (!l->b || d->b)
              && (!m->dec[i].w || c->dec[i].w) && (!m->dec[i].b || c->dec[i].b);
    }
    c->dec_map = dup_mem(m->dec_map, (size_t)m->in.n_cells * sizeof(int));
    if (!ok || (m->dec_map && !c->dec_map)) {
        mdl_free(c);
        return NULL;
    }
    return c;
}

/* ---- shapes ---------------------------------------------------------- */

/* Output size of a strided window with explicit padding. */
static int conv_out(int in, int k, int s, int p0, int p1)
{
    int span = in + p0 + p1 - k;
    return span < 0 ? 0 : span / s + 1;
}

/* Completes encoder layer l behind an input of shape in and format in_fmt:
** checks its kernel and paddings, derives its output shape, format and
** weight counts.  where names the layer in messages.  l keeps ownership
** of its arrays.  RAD_OK or the reason. */
int mdl__finish_layer(mdl_layer *l, mdl_shape in, const fxp_fmt *in_fmt,
                        const char *where, rad_err *err)
{
    l->in = in;
    switch (l->kind) {
    case MDL_MAP:
        l->out_fmt = *in_fmt;     /* wiring only: the format passes through */
        break;
    case MDL_FLATTEN:
        l->out_fmt = *in_fmt;
        l->out = (mdl_shape){ 1, 1, mdl_shape_size(in) };
        break;
    case MDL_CONV2D:
        if (l->k.kh < 1 || l->k.kw < 1 || l->k.sh < 1 || l->k.sw < 1)
            return rad_errf(err, RAD_ESCHEMA, "%s: kernel and stride must be >= 1", where);
        if (l->k.pt < 0 || l->k.pl < 0 || l->k.pb < 0 || l->k.pr < 0)
            return rad_errf(err, RAD_ESCHEMA, "%s: negative padding", where);
        l->out.h = conv_out(in.h, l->k.kh, l->k.sh, l->k.pt, l->k.pb);
        l->out.w = conv_out(in.w, l->k.kw, l->k.sw, l->k.pl, l->k.pr);
        if (l->out.h < 1 || l->out.w < 1)
            return rad_errf(err, RAD_ESCHEMA,
                            "%s: kernel %dx%d larger than the padded %dx%d input",
                            where, l->k.kh, l->k.kw, in.h + l->k.pt + l->k.pb,
                            in.w + l->k.pl + l->k.pr);
        break;
    case MDL_DENSE:
        if (in.h != 1 || in.w != 1)
            return rad_errf(err, RAD_ESCHEMA,
                            "%s: dense needs a flat input, got %dx%dx%d (add a flatten layer)",
                            where, in.h, in.w, in.c);
        l->out.h = l->out.w = 1;
        break;
    default:
        return rad_errf(err, RAD_ESCHEMA, "%s: unknown layer kind %d", where, (int)l->kind);
    }
    if (l->out.h < 1 || l->out.w < 1 || l->out.c < 1)
        return rad_errf(err, RAD_ESCHEMA, "%s: empty output shape %dx%dx%d",
                        where, l->out.h, l->out.w, l->out.c);
    if (mdl_shape_size(l->out) > (1 << 20))
        return rad_errf(err, RAD_ERANGE, "%s: output of %d values is too large", where,
                        mdl_shape_size(l->out));
    size_t nw = 0, nb = 0;
    if (l->kind == MDL_CONV2D) {
        nw = (size_t)l->k.kh * l->k.kw * in.c * l->out.c;
        nb = (size_t)l->out.c;
    } else if (l->kind == MDL_DENSE) {
        nw = (size_t)in.c * l->out.c;
        nb = (size_t)l->out.c;
    }
    if (nw) {
        if (!l->w) {
            l->w = calloc(nw, sizeof(int64_t));
            l->n_w = nw;
        }
        if (!l->b) {
            l->b = calloc(nb, sizeof(int64_t));
            l->n_b = nb;
        }
        if (!l->w || !l->b)
            return rad_errf(err, RAD_ENOMEM, "%s: out of memory", where);
    }
    if (l->kind == MDL_MAP && !l->map) {
        l->map = malloc((size_t)mdl_shape_size(l->out) * sizeof(int));
        if (!l->map)
            return rad_errf(err, RAD_ENOMEM, "%s: out of memory", where);
        for (int i = 0; i < mdl_shape_size(l->out); i++)
            l->map[i] = i < mdl_shape_size(in) ? i : -1;
    }
    return RAD_OK;
}

/* Completes decoder layer l behind an input of shape in: checks its kind's
** parameters, derives its output shape and weight counts.  where names the
** layer in messages.  RAD_OK or the reason. */
int mdl__finish_flayer(mdl_flayer *l, mdl_shape in, const char *where, rad_err *err)
{
    l->in = in;
    size_t nw = 0, nb = 0;
    switch (l->kind) {
    case MDL_F_RESHAPE:
        if (mdl_shape_size(l->out) != mdl_shape_size(in))
            return rad_errf(err, RAD_ESCHEMA, "%s: reshape %dx%dx%d -> %dx%dx%d changes the size",
                            where, in.h, in.w, in.c, l->out.h, l->out.w, l->out.c);
        break;
    case MDL_F_DENSE:
        if (in.h != 1 || in.w != 1)
            return rad_errf(err, RAD_ESCHEMA, "%s: dense needs a flat input, got %dx%dx%d",
                            where, in.h, in.w, in.c);
        l->out.h = l->out.w = 1;
        nw = (size_t)in.c * l->out.c;
        nb = (size_t)l->out.c;
        break;
    case MDL_F_CONV2D:
    case MDL_F_CONV2D_T:
        if (l->k.kh < 1 || l->k.kw < 1 || l->k.sh < 1 || l->k.sw < 1)
            return rad_errf(err, RAD_ESCHEMA, "%s: kernel and stride must be >= 1", where);
        if (l->k.pt < 0 || l->k.pl < 0 || l->k.pb < 0 || l->k.pr < 0)
            return rad_errf(err, RAD_ESCHEMA, "%s: negative padding", where);
        if (l->kind == MDL_F_CONV2D) {
            l->out.h = conv_out(in.h, l->k.kh, l->k.sh, l->k.pt, l->k.pb);
            l->out.w = conv_out(in.w, l->k.kw, l->k.sw, l->k.pl, l->k.pr);
        } else {  /* full scatter size minus the crop */
            l->out.h = (in.h - 1) * l->k.sh + l->k.kh - l->k.pt - l->k.pb;
            l->out.w = (in.w - 1) * l->k.sw + l->k.kw - l->k.pl - l->k.pr;
        }
        nw = (size_t)l->k.kh * l->k.kw * in.c * l->out.c;
        nb = (size_t)l->out.c;
        break;
    default:
        return rad_errf(err, RAD_ESCHEMA, "%s: unknown decoder layer kind %d", where, (int)l->kind);
    }
    if (l->out.h < 1 || l->out.w < 1 || l->out.c < 1 || mdl_shape_size(l->out) > (1 << 20))
        return rad_errf(err, RAD_ESCHEMA, "%s: bad output shape %dx%dx%d",
                        where, l->out.h, l->out.w, l->out.c);
    if (nw) {
        if (!l->w) {
            l->w = calloc(nw, sizeof(float));
            l->n_w = nw;
        }
        if (!l->b) {
            l->b = calloc(nb, sizeof(float));
            l->n_b = nb;
        }
        if (!l->w || !l->b)
            return rad_errf(err, RAD_ENOMEM, "%s: out of memory", where);
    }
    return RAD_OK;
}

int mdl_finish(mdl_model *m, rad_err *err)
{
    if (m->n_layers < 1 || m->n_layers > MDL_MAX_LAYERS)
        return rad_errf(err, RAD_ESCHEMA, "layers: need 1..%d layers, got %d",
                        MDL_MAX_LAYERS, m->n_layers);
    if (m->in.n_cells < 1 || m->in.n_cells > MDL_MAX_CELLS)
        return rad_errf(err, RAD_ERANGE, "input.cells: %d not in 1..%d",
                        m->in.n_cells, MDL_MAX_CELLS);
    mdl_shape s = { 1, 1, m->in.n_cells };
    fxp_fmt f = m->in.fmt;
    char where[96];
    for (int i = 0; i < m->n_layers; i++) {
        snprintf(where, sizeof where, "layers[%d] (%s)", i, m->layers[i].name);
        int rc = mdl__finish_layer(&m->layers[i], s, &f, where, err);
        if (rc)
            return rc;
        s = m->layers[i].out;
        f = m->layers[i].out_fmt;
    }
    if (m->n_dec < 0 || m->n_dec > MDL_MAX_LAYERS)
        return rad_errf(err, RAD_ESCHEMA, "decoder.layers: at most %d layers", MDL_MAX_LAYERS);
    s = (mdl_shape){ 1, 1, mdl_dec_in_count(m) };
    for (int i = 0; i < m->n_dec; i++) {
        snprintf(where, sizeof where, "decoder.layers[%d] (%s)", i, m->dec[i].name);
        int rc = mdl__finish_flayer(&m->dec[i], s, where, err);
        if (rc)
            return rc;
        s = m->dec[i].out;
    }
    if (m->n_dec > 0 && !m->dec_map) {
        m->dec_map = malloc((size_t)m->in.n_cells * sizeof(int));
        if (!m->dec_map)
            return rad_errf(err, RAD_ENOMEM, "out of memory");
        for (int i = 0; i < m->in.n_cells; i++)
            m->dec_map[i] = i < mdl_shape_size(s) ? i : -1;
    }
    return RAD_OK;
}

/* ---- validation ------------------------------------------------------ */

static int check_fmt(const fxp_fmt *f, const char *where, const char *field, rad_err *err)
{
    const char *why = NULL;
    if (fxp_fmt_check(f, &why) != FXP_OK)
        return rad_errf(err, RAD_ERANGE, "%s.%s: invalid format: %s", where, field,
                        why ? why : "?");
    return RAD_OK;
}

static int check_raw(const int64_t *v, size_t n, const fxp_fmt *f, const char *where,
                     const char *field, rad_err *err)
{
    fxp_raw lo = fxp_raw_min(f), hi = fxp_raw_max(f);
    for (size_t k = 0; k < n; k++)
        if ((fxp_raw)v[k] < lo || (fxp_raw)v[k] > hi) {
            char fs[64];
            fxp_fmt_str(f, fs, sizeof fs);
            return rad_errf(err, RAD_ERANGE, "%s.%s[%zu]: raw value %lld outside %s [%lld, %lld]",
                            where, field, k, (long long)v[k], fs, (long long)lo, (long long)hi);
        }
    return RAD_OK;
}

/* Checks encoder layer l against its input shape in and format in_fmt:
** shapes, formats, map indices, weight and bias values within their
** formats.  Read-only; RAD_OK or the reason. */
static int validate_layer(const mdl_layer *l, mdl_shape in, const fxp_fmt *in_fmt,
                          const char *where, rad_err *err)
{
    int rc;
    if (memcmp(&l->in, &in, sizeof in))
        return rad_errf(err, RAD_ESCHEMA, "%s: input shape %dx%dx%d but the previous output is %dx%dx%d",
                        where, l->in.h, l->in.w, l->in.c, in.h, in.w, in.c);
    if ((rc = check_fmt(&l->out_fmt, where, "out_fmt", err)))
        return rc;
    if (l->act != MDL_ACT_LINEAR && l->act != MDL_ACT_RELU)
        return rad_errf(err, RAD_ESCHEMA, "%s.activation: '%s' is not allowed in the encoder (linear or relu)",
                        where, mdl_act_name(l->act));
    if (l->kind == MDL_MAP || l->kind == MDL_FLATTEN) {
        if (memcmp(&l->out_fmt, in_fmt, sizeof *in_fmt))
            return rad_errf(err, RAD_ESCHEMA, "%s: a %s layer keeps its input format", where,
                            mdl_kind_name(l->kind));
        if (l->kind == MDL_FLATTEN && mdl_shape_size(l->out) != mdl_shape_size(in))
            return rad_errf(err, RAD_ESCHEMA, "%s: flatten changes the size", where);
        if (l->kind == MDL_MAP) {
            if (!l->map)
                return rad_errf(err, RAD_ESCHEMA, "%s.index: missing", where);
            int n = mdl_shape_size(l->out), ni = mdl_shape_size(in);
            for (int i = 0; i < n; i++)
                if (l->map[i] < -1 || l->map[i] >= ni)
                    return rad_errf(err, RAD_ERANGE, "%s.index[%d]: %d not in -1..%d",
                                    where, i, l->map[i], ni - 1);
        }
        return RAD_OK;
    }
    if ((rc = check_fmt(&l->w_fmt, where, "w_fmt", err))
        || (rc = check_fmt(&l->b_fmt, where, "b_fmt", err))
        || (l->has_acc_fmt && (rc = check_fmt(&l->acc_fmt, where, "acc_fmt", err))))
        return rc;
    size_t nw = l->kind == MDL_CONV2D ? (size_t)l->k.kh * l->k.kw * in.c * l->out.c
                                      : (size_t)in.c * l->out.c;
    if (l->n_w != nw || !l->w)
        return rad_errf(err, RAD_ESCHEMA, "%s: %zu weights, expected %zu", where, l->n_w, nw);
    if (l->n_b != (size_t)l->out.c || !l->b)
        return rad_errf(err, RAD_ESCHEMA, "%s: %zu biases, expected %d", where, l->n_b, l->out.c);
    int f_acc = fxp_frac_bits(in_fmt) + fxp_frac_bits(&l->w_fmt);
    if (fxp_frac_bits(&l->b_fmt) > f_acc)
        return rad_errf(err, RAD_ESCHEMA,
                        "%s.b_fmt: %d fractional bits > the accumulator's %d (F_in %d + F_w %d)",
                        where, fxp_frac_bits(&l->b_fmt), f_acc, fxp_frac_bits(in_fmt),
                        fxp_frac_bits(&l->w_fmt));
    if ((rc = check_raw(l->w, l->n_w, &l->w_fmt, where, "w", err))
        || (rc = check_raw(l->b, l->n_b, &l->b_fmt, where, "b", err)))
        return rc;
    return RAD_OK;
}

/* The decoder conditions: a known kind each, finite non-zero scale, finite
** offset, at most MDL_MAX_COND, and only with a decoder. */
static int validate_cond(const mdl_model *m, rad_err *err)
{
    if (m->n_cond < 0 || m->n_cond > MDL_MAX_COND)
        return rad_errf(err, RAD_ERANGE, "decoder.condition: %d entries, at most %d",
                        m->n_cond, MDL_MAX_COND);
    if (m->n_cond && !m->n_dec)
        return rad_errf(err, RAD_ESCHEMA, "decoder.condition: conditions without a decoder");
    for (int i = 0; i < m->n_cond; i++) {
        const mdl_cond *c = &m->cond[i];
        if (c->kind != MDL_COND_LOG_SUM && c->kind != MDL_COND_N_LINKS)
            return rad_errf(err, RAD_ESCHEMA, "decoder.condition[%d].input: unknown kind", i);
        if (!isfinite(c->scale) || c->scale == 0 || !isfinite(c->offset))
            return rad_errf(err, RAD_ERANGE, "decoder.condition[%d]: scale must be finite and "
                            "non-zero, offset finite", i);
    }
    return RAD_OK;
}

static int validate_flayer(const mdl_flayer *l, mdl_shape in, const char *where, rad_err *err)
{
    if (memcmp(&l->in, &in, sizeof in))
        return rad_errf(err, RAD_ESCHEMA, "%s: input shape %dx%dx%d but the previous output is %dx%dx%d",
                        where, l->in.h, l->in.w, l->in.c, in.h, in.w, in.c);
    size_t nw = 0;
    if (l->kind == MDL_F_DENSE)
        nw = (size_t)in.c * l->out.c;
    else if (l->kind == MDL_F_CONV2D || l->kind == MDL_F_CONV2D_T)
        nw = (size_t)l->k.kh * l->k.kw * in.c * l->out.c;
    if (nw && (l->n_w != nw || !l->w))
        return rad_errf(err, RAD_ESCHEMA, "%s: %zu weights, expected %zu", where, l->n_w, nw);
    if (nw && (l->n_b != (size_t)l->out.c || !l->b))
        return rad_errf(err, RAD_ESCHEMA, "%s: %zu biases, expected %d", where, l->n_b, l->out.c);
    for (size_t k = 0; k < l->n_w; k++)
        if (!isfinite(l->w[k]))
            return rad_errf(err, RAD_ERANGE, "%s.w[%zu]: not a finite number", where, k);
    for (size_t k = 0; k < l->n_b; k++)
        if (!isfinite(l->b[k]))
            return rad_errf(err, RAD_ERANGE, "%s.b[%zu]: not a finite number", where, k);
    return RAD_OK;
}

/* See model.h.  Checks every field of m against the format (ranges,
** shapes chaining layer to layer, formats, weight values in their formats,
** decoder and its cell map).  Read-only; RAD_OK or the first problem. */
int mdl_validate(const mdl_model *m, rad_err *err)
{
    int rc;
    const mdl_input *in = &m->in;
    if (in->n_cells < 1 || in->n_cells > MDL_MAX_CELLS)
        return rad_errf(err, RAD_ERANGE, "input.cells: %d not in 1..%d", in->n_cells, MDL_MAX_CELLS);
    if (in->charge_bits < 1 || in->charge_bits > 32)
        return rad_errf(err, RAD_ERANGE, "input.charge_bits: %d not in 1..32", in->charge_bits);
    if (in->norm != MDL_NORM_MSB && in->norm != MDL_NORM_NONE)
        return rad_errf(err, RAD_ESCHEMA, "input.norm: unknown mode");
    if (in->charge_frac < 0 || in->charge_frac > 32 || (in->norm == MDL_NORM_MSB && in->charge_frac))
        return rad_errf(err, RAD_ERANGE, "input.charge_frac: %d (0..32, only with norm none)",
                        in->charge_frac);
    if ((rc = check_fmt(&in->fmt, "input", "format", err)))
        return rc;
    if (in->sum_exp_bits < 1 || in->sum_exp_bits > 8 || in->sum_mant_bits < 1
        || in->sum_mant_bits > 24)
        return rad_errf(err, RAD_ERANGE,
                        "input: sum_exp_bits %d / sum_mant_bits %d not in 1..8 / 1..24",
                        in->sum_exp_bits, in->sum_mant_bits);
    if (m->n_layers < 1 || m->n_layers > MDL_MAX_LAYERS)
        return rad_errf(err, RAD_ESCHEMA, "layers: need 1..%d layers", MDL_MAX_LAYERS);
    mdl_shape s = { 1, 1, in->n_cells };
    fxp_fmt f = in->fmt;
    char where[96];
    for (int i = 0; i < m->n_layers; i++) {
        const mdl_layer *l = &m->layers[i];
        snprintf(where, sizeof where, "layers[%d] (%s)", i, l->name);
        for (int j = 0; j < i; j++)
            if (!strcmp(m->layers[j].name, l->name))
                return rad_errf(err, RAD_ESCHEMA, "%s.name: used twice", where);
        if ((rc = validate_layer(l, s, &f, where, err)))
            return rc;
        s = l->out;
        f = l->out_fmt;
    }
    if (f.width > 32)
        return rad_errf(err, RAD_ERANGE, "layers[%d].out_fmt: latent values must fit 32 bits",
                        m->n_layers - 1);
    if (mdl_shape_size(s) > MDL_MAX_LATENT)
        return rad_errf(err, RAD_ERANGE, "layers: the last layer has %d values, at most %d latent values",
                        mdl_shape_size(s), MDL_MAX_LATENT);
    const mdl_output *o = &m->out;
    if (o->n_links < 1 || o->n_links > MDL_MAX_LINKS)
        return rad_errf(err, RAD_ERANGE, "output.n_links: %d not in 1..%d", o->n_links, MDL_MAX_LINKS);
    for (int k = 1; k <= MDL_MAX_LINKS; k++)
        if (o->bits_by_links[k] < 0 || o->bits_by_links[k] > 64)
            return rad_errf(err, RAD_ERANGE, "output.bits_by_links[%d]: %d not in 0..64",
                            k, o->bits_by_links[k]);
    if (o->bits_by_links[o->n_links] < 1)
        return rad_errf(err, RAD_ERANGE, "output: %d links send 0 bits per latent value",
                        o->n_links);
    if (m->n_dec < 0 || m->n_dec > MDL_MAX_LAYERS)
        return rad_errf(err, RAD_ESCHEMA, "decoder.layers: at most %d layers", MDL_MAX_LAYERS);
    if ((rc = validate_cond(m, err)))
        return rc;
    s = (mdl_shape){ 1, 1, mdl_dec_in_count(m) };
    for (int i = 0; i < m->n_dec; i++) {
        snprintf(where, sizeof where, "decoder.layers[%d] (%s)", i, m->dec[i].name);
        if ((rc = validate_flayer(&m->dec[i], s, where, err)))
            return rc;
        s = m->dec[i].out;
    }
    if (m->n_dec > 0) {
        if (!m->dec_map)
            return rad_errf(err, RAD_ESCHEMA, "decoder.map: missing");
        for (int i = 0; i < in->n_cells; i++)
            if (m->dec_map[i] < -1 || m->dec_map[i] >= mdl_shape_size(s))
                return rad_errf(err, RAD_ERANGE, "decoder.map[%d]: %d not in -1..%d", i,
                                m->dec_map[i], mdl_shape_size(s) - 1);
    }
    return RAD_OK;
}

/* ---- settings and counts --------------------------------------------- */

int mdl_latent_count(const mdl_model *m)
{
    return m->n_layers > 0 ? mdl_shape_size(m->layers[m->n_layers - 1].out) : 0;
}

int mdl_dec_in_count(const mdl_model *m)
{
    return mdl_latent_count(m) + m->n_cond;
}

static const char *const cond_names[] = { "log_sum", "n_links" };

const char *mdl_cond_name(mdl_cond_kind k)
{
    return (unsigned)k < sizeof cond_names / sizeof *cond_names ? cond_names[k] : "?";
}

int mdl_cond_parse(const char *s, mdl_cond_kind *k)
{
    for (unsigned i = 0; i < sizeof cond_names / sizeof *cond_names; i++)
        if (!strcmp(s, cond_names[i])) {
            *k = (mdl_cond_kind)i;
            return 0;
        }
    return -1;
}

void mdl_cond_values(const mdl_model *m, uint32_t sum_code, double *v)
{
    for (int i = 0; i < m->n_cond; i++) {
        const mdl_cond *c = &m->cond[i];
        double raw = c->kind == MDL_COND_LOG_SUM
                     ? log1p((double)mdl_sum_decode(&m->in, sum_code))
                     : (double)m->out.n_links;
        v[i] = c->scale * (raw - c->offset);
    }
}

int mdl_set_links(mdl_model *m, int n_links, rad_err *err)
{
    if (n_links < 1 || n_links > MDL_MAX_LINKS)
        return rad_errf(err, RAD_ERANGE, "number of links %d not in 1..%d", n_links, MDL_MAX_LINKS);
    if (m->out.bits_by_links[n_links] < 1)
        return rad_errf(err, RAD_ERANGE, "%d links send 0 bits per latent value", n_links);
    m->out.n_links = n_links;
    return RAD_OK;
}

int mdl_latent_bits(const mdl_model *m)
{
    int w = m->layers[m->n_layers - 1].out_fmt.width;
    int b = m->out.bits_by_links[m->out.n_links];
    return b < w ? b : w;
}

fxp_fmt mdl_latent_fmt(const mdl_model *m)
{
    fxp_fmt f = m->layers[m->n_layers - 1].out_fmt;
    f.width = mdl_latent_bits(m);
    f.qmode = FXP_TRN;
    f.omode = FXP_SAT;
    f.sat_bits = 0;
    return f;
}

size_t mdl_param_count(const mdl_model *m)
{
    size_t n = 0;
    for (int i = 0; i < m->n_layers; i++)
        n += m->layers[i].n_w + m->layers[i].n_b;
    return n;
}

size_t mdl_layer_macs(const mdl_layer *l)
{
    if (l->kind == MDL_CONV2D)
        return (size_t)mdl_shape_size(l->out) * l->k.kh * l->k.kw * l->in.c;
    if (l->kind == MDL_DENSE)
        return (size_t)l->in.c * l->out.c;
    return 0;
}

size_t mdl_macs(const mdl_model *m)
{
    size_t n = 0;
    for (int i = 0; i < m->n_layers; i++)
        n += mdl_layer_macs(&m->layers[i]);
    return n;
}

size_t mdl_dec_param_count(const mdl_model *m)
{
    size_t n = 0;
    for (int i = 0; i < m->n_dec; i++)
        n += m->dec[i].n_w + m->dec[i].n_b;
    return n;
}

size_t mdl_flayer_macs(const mdl_flayer *l)
{
    size_t taps = (size_t)l->k.kh * l->k.kw * l->in.c * l->out.c;
    switch (l->kind) {
    case MDL_F_DENSE:    return (size_t)mdl_shape_size(l->in) * l->out.c;
    case MDL_F_CONV2D:   return (size_t)l->out.h * l->out.w * taps;
    case MDL_F_CONV2D_T: return (size_t)l->in.h * l->in.w * taps;
    default:             return 0;
    }
}

size_t mdl_dec_macs(const mdl_model *m)
{
    size_t n = 0;
    for (int i = 0; i < m->n_dec; i++)
        n += mdl_flayer_macs(&m->dec[i]);
    return n;
}

/* ---- module sum float ------------------------------------------------ */

int mdl_msb(uint64_t sum)
{
    return sum ? 63 - __builtin_clzll(sum) : 0;
}

uint32_t mdl_sum_encode(const mdl_input *in, uint64_t sum)
{
    int M = in->sum_mant_bits, E = in->sum_exp_bits;
    if (sum < ((uint64_t)1 << M))
        return (uint32_t)sum;                     /* exponent 0: exact */
    int e = mdl_msb(sum) - M + 1;                 /* >= 1 */
    if (e >= (1 << E))
        return ((uint32_t)1 << (E + M)) - 1;      /* saturate: all ones */
    uint32_t mant = (uint32_t)(sum >> (e - 1)) & (((uint32_t)1 << M) - 1);
    return ((uint32_t)e << M) | mant;
}

uint64_t mdl_sum_decode(const mdl_input *in, uint32_t code)
{
    int M = in->sum_mant_bits;
    uint32_t e = code >> M, mant = code & (((uint32_t)1 << M) - 1);
    if (e == 0)
        return mant;
    return ((uint64_t)((1u << M) | mant)) << (e - 1);
}

int mdl_sum_code_msb(const mdl_input *in, uint32_t code)
{
    return mdl_msb(mdl_sum_decode(in, code));
}

/* ---- random weights -------------------------------------------------- */

static int64_t rnd_range(uint64_t *s, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(span ? rad_splitmix64(s) % span : rad_splitmix64(s));
}

void mdl_init_random(mdl_model *m, uint64_t seed)
{
    uint64_t s = seed * 0x2545f4914f6cdd1dULL + 1;
    for (int i = 0; i < m->n_layers; i++) {
        mdl_layer *l = &m->layers[i];
        if (l->kind != MDL_CONV2D && l->kind != MDL_DENSE)
            continue;
        int64_t lo = (int64_t)fxp_raw_min(&l->w_fmt), hi = (int64_t)fxp_raw_max(&l->w_fmt);
        for (size_t k = 0; k < l->n_w; k++)
            l->w[k] = rnd_range(&s, lo, hi);
        lo = (int64_t)fxp_raw_min(&l->b_fmt) / 4;
        hi = (int64_t)fxp_raw_max(&l->b_fmt) / 4;
        for (size_t k = 0; k < l->n_b; k++)
            l->b[k] = rnd_range(&s, lo, hi);
    }
    for (int i = 0; i < m->n_dec; i++) {
        mdl_flayer *l = &m->dec[i];
        if (!l->n_w)
            continue;
        double fan = (double)l->n_w / l->out.c + l->out.c;
        double a = sqrt(6.0 / fan);
        for (size_t k = 0; k < l->n_w; k++)
            l->w[k] = (float)((2 * rad_rand_unit(&s) - 1) * a);
        for (size_t k = 0; k < l->n_b; k++)
            l->b[k] = (float)(0.01 * rad_rand_unit(&s));
    }
    char name[64];
    snprintf(name, sizeof name, "random (mdl_init_random seed %llu)", (unsigned long long)seed);
    mdl_prov_weights_mem(m, name);
}
