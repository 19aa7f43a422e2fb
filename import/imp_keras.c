/*
** imp_keras.c — the Keras / QKeras HDF5 frontend (`rad4ml import`).
**
** The architecture (model_config attribute or a separate model.json) is
** walked layer by layer as one chain and mapped onto rad4ml layers:
**   first quantizer on the input -> input converter (norm none, the raw
**                                   integers of that format are the input)
**   QConv2D / QDense (+ BatchNormalization folded, + Activation relu,
**   + the QActivation that follows) -> one conv2d / dense layer
**   Flatten / Reshape -> flatten or an identity map; ZeroPadding2D ->
**   the next conv's padding (or a map with zeros); Dropout -> nothing.
** Every refusal names the file, the layer and the field.  See
** import/README.md for the table of layers and quantizers.
*/
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_file.h"
#include "import/imp_h5.h"
#include "import/imp_internal.h"
#include "import/import.h"
#include "model/model_io.h"

typedef struct {
    const imp_opts *o;
    const char     *file;
    hid_t           fid;
    char            wroot[16];      /* "/model_weights" or ""             */
    rad_err        *err;
    imp_result     *res;
    mdl_model      *m;
    int             functional;
    const char     *prev;           /* Keras name of the last layer read  */
    /* walk state */
    int             started;        /* the input quantizer has been seen  */
    mdl_shape       shape;          /* current tensor shape               */
    fxp_fmt         fmt;            /* its format once quantized          */
    int             pend;           /* weighted layer without its output
                                       quantizer yet, or -1               */
    int             pad[4];         /* ZeroPadding2D waiting: t, b, l, r  */
    int             same_next;      /* a --pad layer: next conv is 'same' */
    int             trunc, trunc_k; /* latent truncation stage, its k     */
    int             latent_bits;    /* output formatter width (0: whole)  */
} kctx;

/* Where errors point: "file: layer 'name' (Class)". */
typedef struct {
    char at[300];
    const char *name, *cls;
    json_t *cfg;
    json_t *kwargs;                 /* call arguments (TFOpLambda operand) */
} klayer;

static void note(kctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(kctx *c, const char *fmt, ...)
{
    imp_result *r = c->res;
    if (r->len + 2 >= sizeof r->notes)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->notes + r->len, sizeof r->notes - r->len - 1, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->len += (size_t)n < sizeof r->notes - r->len - 1 ? (size_t)n : sizeof r->notes - r->len - 2;
    r->notes[r->len++] = '\n';
    r->notes[r->len] = 0;
}

/* ---- config readers ---------------------------------------------------- */

static int cfg_int(kctx *c, klayer *L, const char *key, int def, int *out)
{
    json_t *v = json_object_get(L->cfg, key);
    if (!v) {
        *out = def;
        return RAD_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1 << 20)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: config.%s: expected a non-negative integer",
                        L->at, key);
    *out = (int)json_integer_value(v);
    return RAD_OK;
}

/* A pair like kernel_size [3, 3] (or a single integer). */
static int cfg_pair(kctx *c, klayer *L, const char *key, int def, int out[2])
{
    json_t *v = json_object_get(L->cfg, key);
    out[0] = out[1] = def;
    if (!v)
        return RAD_OK;
    if (json_is_integer(v)) {
        out[0] = out[1] = (int)json_integer_value(v);
    } else if (json_is_array(v) && json_array_size(v) == 2
               && json_is_integer(json_array_get(v, 0)) && json_is_integer(json_array_get(v, 1))) {
        out[0] = (int)json_integer_value(json_array_get(v, 0));
        out[1] = (int)json_integer_value(json_array_get(v, 1));
    } else {
        return rad_errf(c->err, RAD_ESCHEMA, "%s: config.%s: expected [h, w]", L->at, key);
    }
    if (out[0] < 0 || out[1] < 0 || out[0] > 64 || out[1] > 64)
        return rad_errf(c->err, RAD_ERANGE, "%s: config.%s: values must be in 0..64", L->at, key);
    return RAD_OK;
}

static const char *cfg_str(klayer *L, const char *key, const char *def)
{
    json_t *v = json_object_get(L->cfg, key);
    return json_is_string(v) ? json_string_value(v) : def;
}

/* A shape list whose first entry (batch) is ignored; 1 or 3 dims kept. */
static int read_shape(kctx *c, klayer *L, json_t *v, int skip_batch, mdl_shape *s)
{
    int d[4], n = 0;
    size_t i;
    json_t *e;
    if (!json_is_array(v))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: expected a shape list", L->at);
    json_array_foreach(v, i, e) {
        if (skip_batch && i == 0)
            continue;
        if (!json_is_integer(e) || json_integer_value(e) < 1 || n == 4)
            return rad_errf(c->err, RAD_ESCHEMA, "%s: shape: every dimension must be a fixed "
                            "positive integer (at most 3)", L->at);
        d[n++] = (int)json_integer_value(e);
    }
    if (n == 1)
        *s = (mdl_shape){ 1, 1, d[0] };
    else if (n == 3)
        *s = (mdl_shape){ d[0], d[1], d[2] };
    else
        return rad_errf(c->err, RAD_ESCHEMA, "%s: shape: %d dimensions; rad4ml takes (n,) or "
                        "(h, w, c)", L->at, n);
    return RAD_OK;
}

/* ---- building rad4ml layers ------------------------------------------- */

static int new_layer(kctx *c, klayer *L, mdl_kind kind, const char *suffix, mdl_layer **out)
{
    mdl_model *m = c->m;
    if (m->n_layers == MDL_MAX_LAYERS)
        return rad_errf(c->err, RAD_ERANGE, "%s: more than %d rad4ml layers", L->at,
                        MDL_MAX_LAYERS);
    mdl_layer *l = &m->layers[m->n_layers++];
    l->kind = kind;
    int n = snprintf(l->name, sizeof l->name, "%s%s", L->name, suffix);
    if (n >= (int)sizeof l->name)
        return rad_errf(c->err, RAD_ERANGE, "%s: layer name longer than %d characters", L->at,
                        (int)sizeof l->name - 1);
    for (char *p = l->name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || *p == '_' || *p == '-' || *p == '.'))
            *p = '_';
    *out = l;
    return RAD_OK;
}

/* A map layer: identity onto `to` (same size), or zero padding by c->pad. */
static int add_map(kctx *c, klayer *L, mdl_shape to, int padding)
{
    mdl_layer *l;
    int rc = new_layer(c, L, MDL_MAP, padding ? "_pad" : "", &l);
    if (rc)
        return rc;
    const mdl_shape in = c->shape;
    l->out = to;
    if (!(l->map = malloc((size_t)mdl_shape_size(to) * sizeof(int))))
        return rad_errf(c->err, RAD_ENOMEM, "out of memory");
    for (int y = 0; y < to.h; y++)
        for (int x = 0; x < to.w; x++)
            for (int ch = 0; ch < to.c; ch++) {
                int i = (y * to.w + x) * to.c + ch, sy = y - c->pad[0], sx = x - c->pad[2];
                if (!padding)
                    l->map[i] = i;
                else
                    l->map[i] = sy < 0 || sx < 0 || sy >= in.h || sx >= in.w ? -1
                                : (sy * in.w + sx) * in.c + ch;
            }
    if (padding)
        memset(c->pad, 0, sizeof c->pad);
    c->shape = to;
    return RAD_OK;
}

/* ZeroPadding2D not taken by a conv becomes a map layer. */
static int flush_pad(kctx *c, klayer *L)
{
    if (!c->pad[0] && !c->pad[1] && !c->pad[2] && !c->pad[3])
        return RAD_OK;
    mdl_shape to = { c->shape.h + c->pad[0] + c->pad[1], c->shape.w + c->pad[2] + c->pad[3],
                     c->shape.c };
    return add_map(c, L, to, 1);
}

/* Largest |accumulator| of layer l over all inputs of its input format,
** in units of the accumulator's LSB. */
static double acc_bound(const mdl_layer *l, const fxp_fmt *in_fmt)
{
    double xmax = ldexp(1.0, in_fmt->width - in_fmt->is_signed);
    int cout = l->out.c;
    size_t taps = l->n_w / (size_t)cout;
    int f_acc = fxp_frac_bits(in_fmt) + fxp_frac_bits(&l->w_fmt);
    double worst = 0;
    for (int o = 0; o < cout; o++) {
        double s = fabs((double)l->b[o]) * ldexp(1.0, f_acc - fxp_frac_bits(&l->b_fmt));
        for (size_t t = 0; t < taps; t++)
            s += fabs((double)l->w[t * (size_t)cout + (size_t)o]) * xmax;
        worst = s > worst ? s : worst;
    }
    return worst;
}

/* The weighted layer's output with no quantizer after it: the exact
** accumulator (what QKeras' float32 holds while it fits 24 bits). */
static int finish_exact(kctx *c, klayer *L)
{
    mdl_layer *l = &c->m->layers[c->pend];
    double b = acc_bound(l, &c->fmt);
    int bits = 1;
    while (bits < 64 && ldexp(1.0, bits - 1) <= b)
        bits++;
    bits++;                                             /* sign */
    if (bits > 62)
        return rad_errf(c->err, RAD_ERANGE, "%s: layer %s: unquantized output needs %d bits",
                        L->at, l->name, bits);
    int f = fxp_frac_bits(&c->fmt) + fxp_frac_bits(&l->w_fmt);
    l->out_fmt = fxp_format(bits, bits - f, true);
    note(c, "layer %s: no output quantizer: exact accumulator fixed<%d,%d>", l->name, bits,
         bits - f);
    c->fmt = l->out_fmt;
    c->pend = -1;
    return RAD_OK;
}

/* The bound check of QKeras' float32 accumulation, for the quantized case. */
static void check_float32(kctx *c, const mdl_layer *l, const fxp_fmt *in_fmt)
{
    double b = acc_bound(l, in_fmt);
    if (b >= ldexp(1.0, 24)) {
        c->res->exact = 0;
        note(c, "layer %s: WARNING: sums reach 2^%.1f LSBs; QKeras' float32 accumulation may "
             "round beyond 2^24, rad4ml computes exactly", l->name, log2(b));
    }
}

/* ---- weights ------------------------------------------------------------ */

/* Reads the weight of layer L whose name ends in `key` (kernel, bias,
** gamma, ...) from <wroot>/<layer>/ (listed in its weight_names
** attribute) and checks its shape against want[0..nwant-1] and that every
** value is finite.  *v is malloc'd for the caller; NULL on failure. */
static int read_weight(kctx *c, klayer *L, const char *key, const int *want, int nwant,
                       float **v)
{
    char grp[512], path[1024], **names = NULL;
    int n = 0, dims[IMP_H5_MAX_DIMS], nd = 0, rc;
    snprintf(grp, sizeof grp, "%s/%s", c->wroot, L->name);
    if (!imp_h5_exists(c->fid, grp))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: no weight group %s in the file", L->at, grp);
    if ((rc = imp_h5_attr_strings(c->fid, c->file, grp, "weight_names", &names, &n, c->err)))
        return rc;
    snprintf(path, sizeof path, "%s/%s/%s:0", grp, L->name, key);
    for (int i = 0; i < n; i++) {
        const char *base = strrchr(names[i], '/');
        base = base ? base + 1 : names[i];
        if (!strncmp(base, key, strlen(key)) && (base[strlen(key)] == ':' || !base[strlen(key)]))
            snprintf(path, sizeof path, "%s/%s", grp, names[i]);
    }
    imp_h5_free_strings(names, n);
    if (!imp_h5_exists(c->fid, path))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: weight %s: dataset %s missing", L->at, key, path);
    if ((rc = imp_h5_read_floats(c->fid, c->file, path, v, dims, &nd, c->err)))
        return rc;
    int ok = nd == nwant;
    for (int i = 0; ok && i < nd; i++)
        ok = dims[i] == want[i];
    size_t cnt = 1;
    for (int i = 0; i < nd; i++)
        cnt *= (size_t)dims[i];
    for (size_t i = 0; ok && i < cnt; i++)
        if (!isfinite((*v)[i]))
            rc = rad_errf(c->err, RAD_ERANGE, "%s: weight %s[%zu]: not a finite number", L->at,
                          key, i);
    if (!ok) {
        char got[128] = "", exp[128] = "";
        for (int i = 0; i < nd; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%d", i ? ", " : "", dims[i]);
        for (int i = 0; i < nwant; i++)
            snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s%d", i ? ", " : "", want[i]);
        rc = rad_errf(c->err, RAD_ESCHEMA, "%s: weight %s (%s): shape [%s], the architecture "
                      "implies [%s]", L->at, key, path, got, exp);
    }
    if (rc) {
        free(*v);
        *v = NULL;
    }
    return rc;
}

/* Float values into raws of *fmt: with the layer's QKeras quantizer q
** (exact) or, for float layers / unquantized tensors, --quantize. */
static int quantize_tensor(kctx *c, klayer *L, const char *what, const imp_quant *q,
                           const float *v, size_t n, int64_t **raw, fxp_fmt *fmt)
{
    if (!(*raw = malloc((n ? n : 1) * sizeof **raw)))
        return rad_errf(c->err, RAD_ENOMEM, "out of memory");
    if (q && (q->kind == IMP_Q_BITS || q->kind == IMP_Q_QRELU)) {
        *fmt = imp_quant_fmt(q);
        for (size_t i = 0; i < n; i++)
            (*raw)[i] = imp_quant_raw(q, v[i]);
        return RAD_OK;
    }
    if (!c->o->quantize)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: %s: float values (no quantizer): give "
                        "--quantize FMT to quantize them (not bit-exact with Keras)", L->at, what);
    char why[200];
    if (fxp_fmt_parse(c->o->quantize, fmt, why, sizeof why) != FXP_OK)
        return rad_errf(c->err, RAD_EUSAGE, "--quantize \"%s\": %s", c->o->quantize, why);
    for (size_t i = 0; i < n; i++)
        (*raw)[i] = fxp_from_double(v[i], fmt);
    c->res->exact = 0;
    note(c, "layer %s: %s: float values quantized to %s (approximation of the float layer)",
         L->name, what, c->o->quantize);
    return RAD_OK;
}

/* ---- activations and quantizers ----------------------------------------- */

/* The first quantizer on the input: the converter reads the raw integers
** of its format (norm none, charge_frac = F, WRAP: signed raws arrive as
** two's complement). */
static int start_input(kctx *c, klayer *L, const imp_quant *q)
{
    fxp_fmt f = imp_quant_fmt(q);
    int F = fxp_frac_bits(&f), n = mdl_shape_size(c->shape);
    if (F < 0 || F > 32 || f.width > 32)
        return rad_errf(c->err, RAD_ERANGE, "%s: input quantizer %s: rad4ml inputs need 0..32 "
                        "fraction bits and at most 32 bits", L->at, q->text);
    if (n > MDL_MAX_CELLS)
        return rad_errf(c->err, RAD_ERANGE, "%s: %d input values, rad4ml takes at most %d",
                        L->at, n, MDL_MAX_CELLS);
    mdl_input *in = &c->m->in;
    in->n_cells = n;
    in->charge_bits = f.width;
    in->norm = MDL_NORM_NONE;
    in->charge_frac = F;
    in->fmt = f;
    in->fmt.qmode = FXP_TRN;
    in->fmt.omode = FXP_WRAP;
    in->sum_exp_bits = 5;
    in->sum_mant_bits = 4;
    c->started = 1;
    c->fmt = in->fmt;
    mdl_shape logical = c->shape;
    c->shape = (mdl_shape){ 1, 1, n };
    note(c, "input: %d values, raw integers of %s (QKeras %s)", n,
         q->kind == IMP_Q_QRELU ? "ufixed" : f.is_signed ? "fixed" : "ufixed", q->text);
    if (logical.h != 1 || logical.w != 1)
        return add_map(c, L, logical, 0);
    return RAD_OK;
}

/* A quantizer or activation on the current tensor: the input quantizer,
** the pending conv/dense layer's activation and output format, or a
** refusal.  While a layer is pending c->fmt is still its input format. */
static int apply_quant(kctx *c, klayer *L, const imp_quant *q)
{
    mdl_layer *l = c->pend >= 0 ? &c->m->layers[c->pend] : NULL;
    switch (q->kind) {
    case IMP_Q_LINEAR:
        return RAD_OK;
    case IMP_Q_RELU:
        if (l)
            l->act = MDL_ACT_RELU;
        else if (!c->started || c->fmt.is_signed)
            return rad_errf(c->err, RAD_ESCHEMA, "%s: relu on a %s tensor: rad4ml applies relu "
                            "only inside a conv / dense layer", L->at,
                            c->started ? "quantized signed" : "float input");
        return RAD_OK;
    default:
        if (!c->started)
            return start_input(c, L, q);
        if (!l)
            return rad_errf(c->err, RAD_ESCHEMA, "%s: %s on an already quantized tensor: "
                            "rad4ml has no requantize-only layer", L->at, q->text);
        l->out_fmt = imp_quant_fmt(q);
        if (q->kind == IMP_Q_QRELU)
            l->act = MDL_ACT_RELU;
        check_float32(c, l, &c->fmt);
        c->fmt = l->out_fmt;
        c->pend = -1;
        return RAD_OK;
    }
}

/* ---- layers --------------------------------------------------------------- */

/* kernel, stride, padding of a Conv2D (ZeroPadding2D before it added). */
static int conv_window(kctx *c, klayer *L, mdl_layer *l)
{
    int ks[2], st[2], dil[2], groups, rc;
    const char *pad = cfg_str(L, "padding", "valid"), *df = cfg_str(L, "data_format", "channels_last");
    if ((rc = cfg_pair(c, L, "kernel_size", 1, ks)) || (rc = cfg_pair(c, L, "strides", 1, st))
        || (rc = cfg_pair(c, L, "dilation_rate", 1, dil)) || (rc = cfg_int(c, L, "groups", 1, &groups)))
        return rc;
    if (dil[0] != 1 || dil[1] != 1 || groups != 1 || strcmp(df, "channels_last"))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: config: dilation, groups and channels_first "
                        "are not supported", L->at);
    if (ks[0] < 1 || ks[1] < 1 || st[0] < 1 || st[1] < 1)
        return rad_errf(c->err, RAD_ERANGE, "%s: config: kernel_size / strides must be >= 1", L->at);
    l->k = (mdl_kernel){ .kh = ks[0], .kw = ks[1], .sh = st[0], .sw = st[1] };
    mdl_shape padded = { c->shape.h + c->pad[0] + c->pad[1], c->shape.w + c->pad[2] + c->pad[3],
                         c->shape.c };
    if (c->same_next && strcmp(pad, "valid"))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: config.padding: \"%s\" after a --pad layer "
                        "(expected valid)", L->at, pad);
    if (strcmp(pad, "same") && strcmp(pad, "valid"))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: config.padding: \"%s\" (valid or same)", L->at, pad);
    if (!strcmp(pad, "same") || c->same_next)
        mdl_kernel_same(&l->k, padded, false);
    c->same_next = 0;
    l->k.pt += c->pad[0]; l->k.pb += c->pad[1];
    l->k.pl += c->pad[2]; l->k.pr += c->pad[3];
    memset(c->pad, 0, sizeof c->pad);
    if (padded.h < ks[0] || padded.w < ks[1])
        return rad_errf(c->err, RAD_ESCHEMA, "%s: kernel %dx%d larger than its %dx%d input", L->at,
                        ks[0], ks[1], padded.h, padded.w);
    return RAD_OK;
}

/* Weights and biases of a (Q)Conv2D / (Q)Dense into l. */
static int layer_weights(kctx *c, klayer *L, mdl_layer *l, int conv, int quantized)
{
    imp_quant kq, bq;
    int rc, cin = conv ? c->shape.c : mdl_shape_size(c->shape), cout = l->out.c;
    json_t *ub = json_object_get(L->cfg, "use_bias");
    int use_bias = !ub || json_is_true(ub);
    if (quantized && ((rc = imp_quant_parse(json_object_get(L->cfg, "kernel_quantizer"),
                                            L->at, &kq, c->err))
                      || (rc = imp_quant_parse(json_object_get(L->cfg, "bias_quantizer"),
                                               L->at, &bq, c->err))))
        return rc;
    int kdims[4] = { l->k.kh, l->k.kw, cin, cout }, ddims[2] = { cin, cout };
    float *v = NULL;
    if ((rc = read_weight(c, L, "kernel", conv ? kdims : ddims, conv ? 4 : 2, &v)))
        return rc;
    l->n_w = (size_t)cin * (size_t)cout * (conv ? (size_t)l->k.kh * (size_t)l->k.kw : 1);
    rc = quantize_tensor(c, L, "kernel", quantized ? &kq : NULL, v, l->n_w, &l->w, &l->w_fmt);
    free(v);
    v = NULL;
    l->n_b = (size_t)cout;
    if (!rc && use_bias && !(rc = read_weight(c, L, "bias", &cout, 1, &v)))
        rc = quantize_tensor(c, L, "bias", quantized ? &bq : NULL, v, l->n_b, &l->b, &l->b_fmt);
    free(v);
    if (!rc && !use_bias) {
        l->b_fmt = fxp_format(2, 2, true);
        if (!(l->b = calloc(l->n_b, sizeof *l->b)))
            rc = rad_errf(c->err, RAD_ENOMEM, "out of memory");
    }
    int f_acc = fxp_frac_bits(&c->fmt) + fxp_frac_bits(&l->w_fmt);
    if (!rc && fxp_frac_bits(&l->b_fmt) > f_acc)
        rc = rad_errf(c->err, RAD_ESCHEMA, "%s: bias has %d fraction bits, more than the "
                      "accumulator's %d (input + kernel): rad4ml would have to round it", L->at,
                      fxp_frac_bits(&l->b_fmt), f_acc);
    return rc;
}

static int weighted_layer(kctx *c, klayer *L, int conv, int quantized)
{
    int rc, n;
    if (!c->started)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: its input is not quantized: put a QActivation "
                        "(quantized_bits / quantized_relu) on the model's input", L->at);
    if (c->pend >= 0 && (rc = finish_exact(c, L)))
        return rc;
    if (!conv && (rc = flush_pad(c, L)))
        return rc;
    if (!conv && (c->shape.h != 1 || c->shape.w != 1))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: Dense on a %dx%dx%d tensor: put a Flatten "
                        "before it", L->at, c->shape.h, c->shape.w, c->shape.c);
    if ((rc = cfg_int(c, L, conv ? "filters" : "units", 0, &n)))
        return rc;
    if (n < 1)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: config.%s: missing or 0", L->at,
                        conv ? "filters" : "units");
    mdl_layer *l;
    if ((rc = new_layer(c, L, conv ? MDL_CONV2D : MDL_DENSE, "", &l)))
        return rc;
    l->out.c = n;
    if ((conv && (rc = conv_window(c, L, l))) || (rc = layer_weights(c, L, l, conv, quantized)))
        return rc;
    c->pend = c->m->n_layers - 1;
    if (conv)
        c->shape = (mdl_shape){ (c->shape.h + l->k.pt + l->k.pb - l->k.kh) / l->k.sh + 1,
                                (c->shape.w + l->k.pl + l->k.pr - l->k.kw) / l->k.sw + 1, n };
    else
        c->shape = (mdl_shape){ 1, 1, n };
    imp_quant act;
    if ((rc = imp_quant_parse(json_object_get(L->cfg, "activation"), L->at, &act, c->err)))
        return rc;
    return apply_quant(c, L, &act);
}

/* One BatchNormalization parameter vector, or `def` when the layer has
** none (scale / center false). */
static int bn_param(kctx *c, klayer *L, const char *key, const char *flag, int n, float def,
                    float **v)
{
    json_t *f = flag ? json_object_get(L->cfg, flag) : NULL;
    if (f && json_is_false(f)) {
        if (!(*v = malloc((size_t)n * sizeof **v)))
            return rad_errf(c->err, RAD_ENOMEM, "out of memory");
        for (int i = 0; i < n; i++)
            (*v)[i] = def;
        return RAD_OK;
    }
    return read_weight(c, L, key, &n, 1, v);
}

/* Folds y = (acc - mean) * gamma / sqrt(var + eps) + beta into the pending
** layer (c->pend >= 0, no padding waiting): w' = w * s, b' = (b - mean) *
** s + beta, s computed in float32, both rounded into --bn-format; the note
** counts the values that were not exactly representable (then the result
** is no longer bit-exact with QKeras and res->exact is cleared). */
static int batchnorm(kctx *c, klayer *L)
{
    if (c->pend < 0 || c->pad[0] || c->pad[1] || c->pad[2] || c->pad[3])
        return rad_errf(c->err, RAD_ESCHEMA, "%s: BatchNormalization is folded into the conv / "
                        "dense layer before it (before its quantizer); here there is none", L->at);
    if (!c->o->bn_format)
        return rad_errf(c->err, RAD_EUSAGE, "%s: give --bn-format FMT, the format of the folded "
                        "weights and biases", L->at);
    mdl_layer *l = &c->m->layers[c->pend];
    fxp_fmt bf;
    char why[200];
    if (fxp_fmt_parse(c->o->bn_format, &bf, why, sizeof why) != FXP_OK)
        return rad_errf(c->err, RAD_EUSAGE, "--bn-format \"%s\": %s", c->o->bn_format, why);
    json_t *ax = json_object_get(L->cfg, "axis"), *ep = json_object_get(L->cfg, "epsilon");
    if (json_is_array(ax) && json_array_size(ax) == 1)
        ax = json_array_get(ax, 0);
    if (ax && !(json_is_integer(ax) && (json_integer_value(ax) == -1
                                        || json_integer_value(ax) == (l->kind == MDL_CONV2D ? 3 : 1))))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: config.axis: only the channel axis", L->at);
    float eps = json_is_number(ep) ? (float)json_number_value(ep) : 1e-3f;
    int n = l->out.c, rc;
    float *g = NULL, *be = NULL, *mu = NULL, *var = NULL;
    if (!(rc = bn_param(c, L, "gamma", "scale", n, 1.0f, &g))
        && !(rc = bn_param(c, L, "beta", "center", n, 0.0f, &be))
        && !(rc = bn_param(c, L, "moving_mean", NULL, n, 0, &mu)))
        rc = bn_param(c, L, "moving_variance", NULL, n, 0, &var);
    size_t inexact = 0, taps = l->n_w / (size_t)n;
    for (int o = 0; !rc && o < n; o++) {
        double s = (double)(g[o] * (1.0f / sqrtf(var[o] + eps)));
        for (size_t t = 0; t < taps; t++) {
            int64_t *w = &l->w[t * (size_t)n + (size_t)o];
            double v = fxp_to_double(*w, &l->w_fmt) * s;
            *w = fxp_from_double(v, &bf);
            inexact += fxp_to_double(*w, &bf) != v;
        }
        double v = (fxp_to_double(l->b[o], &l->b_fmt) - mu[o]) * s + be[o];
        l->b[o] = fxp_from_double(v, &bf);
        inexact += fxp_to_double(l->b[o], &bf) != v;
    }
    free(g); free(be); free(mu); free(var);
    if (rc)
        return rc;
    l->w_fmt = l->b_fmt = bf;
    if (inexact) {
        c->res->exact = 0;
        note(c, "layer %s: BatchNormalization %s folded into %s: %zu of %zu values rounded "
             "(not bit-exact with QKeras)", l->name, L->name, c->o->bn_format, inexact, l->n_w + l->n_b);
    } else {
        note(c, "layer %s: BatchNormalization %s folded exactly into %s", l->name, L->name,
             c->o->bn_format);
    }
    if (fxp_frac_bits(&bf) > fxp_frac_bits(&c->fmt) + fxp_frac_bits(&bf))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: --bn-format: bias fraction exceeds the "
                        "accumulator's", L->at);
    return RAD_OK;
}

static int flatten_to(kctx *c, klayer *L, mdl_shape to)
{
    int rc, padded = c->pad[0] || c->pad[1] || c->pad[2] || c->pad[3];
    if (!c->started && padded)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: reshaping a zero-padded float input: "
                        "quantize the input first", L->at);
    if (!c->started) {               /* before the input quantizer: relabel */
        if (mdl_shape_size(to) != mdl_shape_size(c->shape))
            return rad_errf(c->err, RAD_ESCHEMA, "%s: target shape has %d values, its input %d",
                            L->at, mdl_shape_size(to), mdl_shape_size(c->shape));
        c->shape = to;
        return RAD_OK;
    }
    if ((rc = flush_pad(c, L)))
        return rc;
    if (mdl_shape_size(to) != mdl_shape_size(c->shape))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: target shape has %d values, its input %d",
                        L->at, mdl_shape_size(to), mdl_shape_size(c->shape));
    if (to.h == c->shape.h && to.w == c->shape.w)
        return RAD_OK;
    if (to.h == 1 && to.w == 1) {
        mdl_layer *l;
        if ((rc = new_layer(c, L, MDL_FLATTEN, "", &l)))
            return rc;
        c->shape = to;
        return RAD_OK;
    }
    return add_map(c, L, to, 0);
}

static int zero_padding(kctx *c, klayer *L)
{
    json_t *v = json_object_get(L->cfg, "padding");
    int p[4];
    if (json_is_integer(v)) {
        p[0] = p[1] = p[2] = p[3] = (int)json_integer_value(v);
    } else if (json_is_array(v) && json_array_size(v) == 2 && json_is_integer(json_array_get(v, 0))) {
        p[0] = p[1] = (int)json_integer_value(json_array_get(v, 0));
        p[2] = p[3] = (int)json_integer_value(json_array_get(v, 1));
    } else {
        int ok = json_is_array(v) && json_array_size(v) == 2;
        for (int i = 0; ok && i < 4; i++) {
            json_t *e = json_array_get(json_array_get(v, (size_t)i / 2), (size_t)i % 2);
            ok = json_is_integer(e);
            p[i] = ok ? (int)json_integer_value(e) : 0;
        }
        if (!ok)
            return rad_errf(c->err, RAD_ESCHEMA, "%s: config.padding: expected n, [h, w] or "
                            "[[top, bottom], [left, right]]", L->at);
    }
    for (int i = 0; i < 4; i++) {
        if (p[i] < 0 || p[i] > 64)
            return rad_errf(c->err, RAD_ERANGE, "%s: config.padding: values in 0..64", L->at);
        c->pad[i] += p[i];
    }
    if (c->shape.h == 1 && c->shape.w == 1 && c->shape.c > 1 && !c->started)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: ZeroPadding2D on a flat input", L->at);
    return RAD_OK;
}

/* The input layer's shape (InputLayer, or batch_input_shape of the first). */
static int input_shape(kctx *c, klayer *L)
{
    json_t *s = json_object_get(L->cfg, "batch_input_shape");
    if (!s)
        s = json_object_get(L->cfg, "batch_shape");
    if (!s)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: config.batch_input_shape: missing (the "
                        "model's input size is unknown)", L->at);
    return read_shape(c, L, s, 1, &c->shape);
}

/* Functional models: the layer must read exactly the previous one.
** inbound_nodes is [[tensor, ...]] for layers, [tensor] for TFOpLambda;
** a tensor is [layer, node, index, kwargs] (kwargs into L->kwargs). */
static int check_chain(kctx *c, klayer *L, json_t *layer)
{
    json_t *in = json_object_get(layer, "inbound_nodes");
    if (!c->functional || !c->prev)
        return RAD_OK;
    json_t *t = json_array_get(in, 0);
    size_t n_t = 1;
    if (json_is_array(json_array_get(t, 0))) {
        n_t = json_array_size(t);
        t = json_array_get(t, 0);
    }
    const char *src = json_string_value(json_array_get(t, 0));
    L->kwargs = json_array_get(t, 3);
    if (!json_is_array(in) || json_array_size(in) != 1 || n_t != 1 || !src)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: inbound_nodes: not one input (merge and "
                        "shared layers are not supported)", L->at);
    if (strcmp(src, c->prev))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: reads '%s', not the previous layer '%s': "
                        "only a chain of layers is imported", L->at, src, c->prev);
    return RAD_OK;
}

/* k when v == 2^k exactly, else -1000. */
static int log2_exact(double v)
{
    int e;
    return v > 0 && frexp(v, &e) == 0.5 ? e - 1 : -1000;
}

/* The ECON-T latent truncation, written in Keras as TFOpLambda layers
** after the last quantizer: x * 2^k, floor, / 2^k (or * 2^-k), then
** optionally minimum(x, M).  It is the output formatter's cut (TRN + SAT
** to k fraction bits, integer bits kept) when M is at least the cut
** format's maximum; anything else among TFOpLambda layers is refused. */
static int latent_op(kctx *c, klayer *L)
{
    const char *fn = cfg_str(L, "function", "?");
    json_t *y = json_object_get(L->kwargs, "y");
    double v = json_is_number(y) ? json_number_value(y) : NAN;
    int F = fxp_frac_bits(&c->fmt), kk = log2_exact(v);
    if (c->started && c->pend < 0 && c->m->n_layers > 0) {
        if (c->trunc == 0 && !strcmp(fn, "math.multiply") && kk >= 0 && kk < 64) {
            c->trunc_k = kk;
            c->trunc = 1;
            return RAD_OK;
        }
        if (c->trunc == 1 && !strcmp(fn, "math.floor")) {
            c->trunc = 2;
            return RAD_OK;
        }
        if (c->trunc == 2 && ((!strcmp(fn, "math.truediv") && kk == c->trunc_k)
                              || (!strcmp(fn, "math.multiply") && kk == -c->trunc_k))) {
            int cut = c->trunc_k < F ? F - c->trunc_k : 0;
            c->latent_bits = c->fmt.width - cut;
            c->trunc = 3;
            note(c, "latent truncation (x * 2^%d, floor, / 2^%d) -> output formatter: %d bits, "
                 "%d fraction bits, TRN", c->trunc_k, c->trunc_k, c->latent_bits, F - cut);
            return c->latent_bits >= 1 ? RAD_OK
                   : rad_errf(c->err, RAD_ERANGE, "%s: truncation leaves no bit", L->at);
        }
        double max = ldexp(1.0, c->fmt.int_bits - c->fmt.is_signed)
                     - ldexp(1.0, -(c->trunc_k < F ? c->trunc_k : F));
        if (c->trunc == 3 && !strcmp(fn, "math.minimum") && v >= max) {
            c->trunc = 4;
            note(c, "latent minimum(x, %g): at or above the cut format's maximum %g, the "
                 "formatter's saturation", v, max);
            return RAD_OK;
        }
    }
    return rad_errf(c->err, RAD_ESCHEMA, "%s: function %s: refused: among TFOpLambda layers only "
                    "the latent truncation (x * 2^k, floor, / 2^k, minimum at or above the "
                    "format's maximum) after the last quantizer is understood; --stop-at the "
                    "layer before", L->at, fn);
}

/* --pad LAYER=same[,LAYER=same]: is this layer one of them? */
static int pad_layer(const char *spec, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, name, n) && !strncmp(p + n, "=same", 5) && (!p[n + 5] || p[n + 5] == ','))
            return 1;
    return 0;
}

/* One Keras layer by class onto the walk state (c->m, c->shape, c->fmt,
** c->pend, c->pad); unknown classes are refused by name. */
static int dispatch(kctx *c, klayer *L)
{
    const char *k = L->cls;
    imp_quant q;
    int rc;
    if (c->same_next && strcmp(k, "QConv2D") && strcmp(k, "Conv2D"))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: follows a --pad layer, but is not a conv", L->at);
    if (!strcmp(k, "TFOpLambda"))
        return latent_op(c, L);
    if (c->trunc && strcmp(k, "Dropout"))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: after the latent truncation: --stop-at its "
                        "last layer", L->at);
    if (!strcmp(k, "QConv2D") || !strcmp(k, "Conv2D"))
        return weighted_layer(c, L, 1, k[0] == 'Q');
    if (!strcmp(k, "QDense") || !strcmp(k, "Dense"))
        return weighted_layer(c, L, 0, k[0] == 'Q');
    if (!strcmp(k, "QActivation") || !strcmp(k, "Activation")) {
        if ((rc = imp_quant_parse(json_object_get(L->cfg, "activation"), L->at, &q, c->err)))
            return rc;
        if (k[0] != 'Q' && q.kind != IMP_Q_LINEAR && q.kind != IMP_Q_RELU)
            return rad_errf(c->err, RAD_ESCHEMA, "%s: config.activation: relu or linear", L->at);
        return apply_quant(c, L, &q);
    }
    if (!strcmp(k, "BatchNormalization"))
        return batchnorm(c, L);
    if (!strcmp(k, "Flatten")) {
        if (c->started && (rc = flush_pad(c, L)))
            return rc;
        return flatten_to(c, L, (mdl_shape){ 1, 1, mdl_shape_size(c->shape) });
    }
    if (!strcmp(k, "Reshape")) {
        mdl_shape to;
        return (rc = read_shape(c, L, json_object_get(L->cfg, "target_shape"), 0, &to))
               ? rc : flatten_to(c, L, to);
    }
    if (!strcmp(k, "ZeroPadding2D"))
        return zero_padding(c, L);
    if (!strcmp(k, "Dropout")) {
        note(c, "layer %s: Dropout ignored (inference)", L->name);
        return RAD_OK;
    }
    if (!strcmp(k, "InputLayer"))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: a second input in the chain", L->at);
    return rad_errf(c->err, RAD_ESCHEMA, "%s: unsupported layer class %s%s (supported: "
                    "InputLayer, QActivation, QConv2D, QDense, Conv2D, Dense, Activation, Flatten, "
                    "Reshape, ZeroPadding2D, BatchNormalization, Dropout); --stop-at imports the "
                    "layers before it", L->at, k,
                    strstr(k, "Lambda") ? " (arbitrary code)" : "");
}

/* ---- the walk ------------------------------------------------------------ */

/* Walks the layer list (one chain) up to --stop-at; see the file comment. */
static int walk(kctx *c, json_t *layers)
{
    size_t i, n = json_array_size(layers);
    int stopped = 0, rc = RAD_OK;
    for (i = 0; i < n && !stopped; i++) {
        json_t *ly = json_array_get(layers, i);
        klayer L = { .cls = json_string_value(json_object_get(ly, "class_name")),
                     .cfg = json_object_get(ly, "config") };
        L.name = json_string_value(json_object_get(L.cfg, "name"));
        if (!L.name)
            L.name = json_string_value(json_object_get(ly, "name"));
        if (!L.cls || !json_is_object(L.cfg) || !L.name)
            return rad_errf(c->err, RAD_ESCHEMA, "%s: layers[%zu]: class_name, config or name "
                            "missing", c->file, i);
        snprintf(L.at, sizeof L.at, "%s: layer '%s' (%s)", c->file, L.name, L.cls);
        if (!strcmp(L.cls, "InputLayer") && c->prev) {
            note(c, "layer %s: a second input, ignored (nothing imported may read it)", L.name);
            continue;
        }
        if ((rc = check_chain(c, &L, ly)))
            return rc;
        if (!c->prev && (rc = input_shape(c, &L)))
            return rc;
        if (c->o->pad && pad_layer(c->o->pad, L.name)) {
            c->same_next = 1;
            note(c, "layer %s (%s): taken as the 'same' padding of the next conv (--pad)",
                 L.name, L.cls);
        } else if (strcmp(L.cls, "InputLayer") && (rc = dispatch(c, &L))) {
            return rc;
        }
        c->prev = L.name;
        stopped = c->o->stop_at && !strcmp(c->o->stop_at, L.name);
    }
    if (c->o->stop_at && !stopped)
        return rad_errf(c->err, RAD_EUSAGE, "%s: --stop-at %s: no such layer", c->file,
                        c->o->stop_at);
    if (i < n) {
        char later[256] = "";
        for (size_t j = i; j < n && strlen(later) < 200; j++)
            snprintf(later + strlen(later), sizeof later - strlen(later), "%s%s", j > i ? ", " : "",
                     json_string_value(json_object_get(json_object_get(json_array_get(layers, j),
                                                                       "config"), "name")));
        note(c, "stopped at %s: %zu later layers not imported (%s)", c->o->stop_at, n - i, later);
    }
    klayer last = { .name = c->prev ? c->prev : "model" };
    snprintf(last.at, sizeof last.at, "%s: end of the model", c->file);
    if (!c->started)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: no quantizer on the input (rad4ml needs the "
                        "model's input quantized by a QActivation)", c->file);
    if ((rc = flush_pad(c, &last)) || (c->pend >= 0 && (rc = finish_exact(c, &last))))
        return rc;
    if (c->trunc == 1 || c->trunc == 2 || c->same_next)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: the model ends inside %s", c->file,
                        c->same_next ? "a --pad layer's conv" : "the latent truncation");
    if (!c->m->n_layers)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: no layer to import", c->file);
    return RAD_OK;
}

/* The architecture JSON: --json file, or the model_config attribute. */
static int load_arch(kctx *c, json_t **root)
{
    char *text = NULL;
    size_t len;
    const char *src = c->o->arch_json;
    int rc = src ? rad_read_all(src, &text, &len, c->err)
                 : imp_h5_attr_string(c->fid, c->file, "/", "model_config", &text, c->err);
    if (rc)
        return rc;
    if (!text)
        return rad_errf(c->err, RAD_ESCHEMA, "%s: no model_config attribute (weights only?): "
                        "give the architecture with --json model.json", c->file);
    json_error_t je;
    *root = json_loads(text, 0, &je);
    free(text);
    if (!*root)
        return rad_errf(c->err, RAD_EPARSE, "%s:%d:%d: architecture JSON: %s",
                        src ? src : c->file, je.line, je.column, je.text);
    return RAD_OK;
}

static void set_name(mdl_model *m, const char *name)
{
    snprintf(m->name, sizeof m->name, "%s", name && *name ? name : "imported");
    for (char *p = m->name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || *p == '_' || *p == '-' || *p == '.'))
            *p = '_';
}

static int import_root(kctx *c, json_t *root)
{
    const char *cls = json_string_value(json_object_get(root, "class_name"));
    json_t *cfg = json_object_get(root, "config");
    json_t *layers = json_object_get(cfg, "layers");
    if (!cls || !json_is_array(layers))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: architecture: expected {\"class_name\": "
                        "\"Sequential\" or \"Functional\", \"config\": {\"layers\": [...]}}",
                        c->o->arch_json ? c->o->arch_json : c->file);
    if (strcmp(cls, "Sequential") && strcmp(cls, "Functional") && strcmp(cls, "Model"))
        return rad_errf(c->err, RAD_ESCHEMA, "%s: architecture: class %s (Sequential or "
                        "Functional)", c->file, cls);
    c->functional = strcmp(cls, "Sequential") != 0;
    set_name(c->m, c->o->name ? c->o->name : json_string_value(json_object_get(cfg, "name")));
    snprintf(c->wroot, sizeof c->wroot, "%s",
             imp_h5_exists(c->fid, "/model_weights") ? "/model_weights" : "");
    int rc = walk(c, layers);
    if (rc)
        return rc;
    mdl_model *m = c->m;
    m->out.n_links = 5;
    for (int i = 1; i <= MDL_MAX_LINKS; i++)  /* 32: capped at the width,
                                                 the output is sent whole */
        m->out.bits_by_links[i] = c->latent_bits ? c->latent_bits : 32;
    return (rc = mdl_finish(m, c->err)) ? rc : mdl_validate(m, c->err);
}

int imp_keras(const imp_opts *o, mdl_model **out, imp_result *res, rad_err *err)
{
    *out = NULL;
    memset(res, 0, sizeof *res);
    res->exact = 1;
    kctx c = { .o = o, .file = o->path, .err = err, .res = res, .pend = -1 };
    for (const char *p = o->pad; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        const char *eq = strchr(p, '='), *cm = strchr(p, ',');
        if (!eq || eq == p || (cm && cm < eq) || strncmp(eq, "=same", 5) || (eq[5] && eq[5] != ','))
            return rad_errf(err, RAD_EUSAGE, "--pad \"%s\": expected LAYER=same[,LAYER=same]", o->pad);
    }
    int rc = imp_h5_open(o->path, &c.fid, err);
    if (rc)
        return rc;
    json_t *root = NULL;
    if (!(c.m = calloc(1, sizeof *c.m)))
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!rc && !(rc = load_arch(&c, &root)))
        rc = import_root(&c, root);
    json_decref(root);
    imp_h5_close(c.fid);
    if (rc) {
        mdl_free(c.m);
        return rc;
    }
    *out = c.m;
    return RAD_OK;
}
