/*
** imp_quant.c — QKeras quantizers (quantized_bits, quantized_relu) read
** from their string or dict form and reproduced bit for bit; see
** imp_internal.h and import/README.md for the exact semantics.
*/
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/imp_internal.h"

static const char *const BITS_ARGS[] = { "bits", "integer", "symmetric", "keep_negative", "alpha",
                                         "use_stochastic_rounding", "scale_axis", "qnoise_factor",
                                         "var_name", "use_ste", "use_variables", NULL };
static const char *const RELU_ARGS[] = { "bits", "integer", "use_sigmoid", "negative_slope",
                                         "use_stochastic_rounding", "relu_upper_bound",
                                         "is_quantized_clip", "qnoise_factor", "var_name",
                                         "use_ste", "use_variables", NULL };

/* One argument value of a quantizer string: number, True/False/None or a
** quoted string. */
static json_t *arg_value(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0])
        return json_stringn(s + 1, n - 2);
    if (n == 4 && !strncmp(s, "True", 4))
        return json_true();
    if (n == 5 && !strncmp(s, "False", 5))
        return json_false();
    if (n == 4 && !strncmp(s, "None", 4))
        return json_null();
    char buf[64], *end;
    if (n == 0 || n >= sizeof buf)
        return NULL;
    memcpy(buf, s, n);
    buf[n] = 0;
    long long i = strtoll(buf, &end, 10);
    if (!*end)
        return json_integer(i);
    double d = strtod(buf, &end);
    return *end ? NULL : json_real(d);
}

/* "name(a, b, key=c)" into *name and a config object by QKeras' argument
** order.  Returns 0 on success. */
static int parse_call(const char *text, char *name, size_t nlen, json_t **cfg)
{
    const char *lp = strchr(text, '('), *rp = strrchr(text, ')');
    if (!lp || !rp || rp < lp || (size_t)(lp - text) >= nlen)
        return -1;
    snprintf(name, nlen, "%.*s", (int)(lp - text), text);
    const char *const *order = !strcmp(name, "quantized_bits") ? BITS_ARGS
                               : !strcmp(name, "quantized_relu") ? RELU_ARGS : NULL;
    *cfg = json_object();
    char args[256];
    if ((size_t)(rp - lp - 1) >= sizeof args)
        return -1;
    snprintf(args, sizeof args, "%.*s", (int)(rp - lp - 1), lp + 1);
    int pos = 0;
    for (char *save = NULL, *a = strtok_r(args, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(a, '=');
        const char *key;
        if (eq) {
            *eq = 0;
            while (isspace((unsigned char)*a))
                a++;
            for (char *e = eq - 1; e >= a && isspace((unsigned char)*e); e--)
                *e = 0;
            key = a;
        } else {
            if (!order || !order[pos])
                return order ? -1 : 0;   /* unknown class: the caller names it */
            key = order[pos++];
        }
        json_t *v = arg_value(eq ? eq + 1 : a);
        if (!v)
            return -1;
        json_object_set_new(*cfg, key, v);
    }
    return 0;
}

static int num(json_t *cfg, const char *key, double def, double *out)
{
    json_t *v = json_object_get(cfg, key);
    if (!v || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (!json_is_number(v))
        return -1;
    *out = json_number_value(v);
    return 0;
}

/* Checks a quantized_bits / quantized_relu config and fills q. */
static int read_config(json_t *cfg, const char *where, imp_quant *q, rad_err *err)
{
    double bits, integer, sym, kn, sr, qn, sig, slope, clipq;
    json_t *alpha = json_object_get(cfg, "alpha"), *ub = json_object_get(cfg, "relu_upper_bound");
    int relu = q->kind == IMP_Q_QRELU;
    if (num(cfg, "bits", 8, &bits) || num(cfg, "integer", 0, &integer)
        || num(cfg, "symmetric", 0, &sym) || num(cfg, "keep_negative", 1, &kn)
        || num(cfg, "use_stochastic_rounding", 0, &sr) || num(cfg, "qnoise_factor", 1, &qn)
        || num(cfg, "use_sigmoid", 0, &sig) || num(cfg, "negative_slope", 0, &slope)
        || num(cfg, "is_quantized_clip", 1, &clipq))
        return rad_errf(err, RAD_ESCHEMA, "%s: %s: a parameter is not a number", where, q->text);
    const char *why = NULL;
    if (bits != floor(bits) || integer != floor(integer) || bits < 1 || bits > 32
        || integer < -32 || integer > 32)
        why = "bits must be an integer in 1..32 and integer in -32..32";
    else if (alpha && json_is_string(alpha))
        why = "alpha 'auto' / 'auto_po2' scales every channel by a value computed from the "
              "weights: no fixed format expresses it";
    else if (alpha && !json_is_null(alpha) && !(json_is_number(alpha) && json_number_value(alpha) == 1))
        why = "alpha other than 1 or None scales the values: not supported";
    else if (sr)
        why = "stochastic rounding is not reproducible";
    else if (qn != 1)
        why = "qnoise_factor != 1 mixes float and quantized values";
    else if (relu && (sig || slope != 0))
        why = "the sigmoid and leaky (negative_slope) variants are not supported";
    else if (relu && !clipq && ub && !json_is_null(ub))
        why = "relu_upper_bound without is_quantized_clip is not supported";
    else if (!relu && bits - (kn != 0) < 1)
        why = "1-bit quantized_bits is a sign function, not a fixed-point format";
    if (why)
        return rad_errf(err, RAD_ESCHEMA, "%s: %s: refused: %s", where, q->text, why);
    q->bits = (int)bits;
    q->integer = (int)integer;
    q->keep_negative = relu ? 0 : kn != 0;
    q->symmetric = relu ? 0 : sym != 0;
    return RAD_OK;
}

static int from_name(const char *name, json_t *cfg, const char *where, imp_quant *q, rad_err *err)
{
    if (!strcmp(name, "linear") || !strcmp(name, "None")) {
        q->kind = IMP_Q_LINEAR;
        return RAD_OK;
    }
    if (!strcmp(name, "relu")) {
        q->kind = IMP_Q_RELU;
        return RAD_OK;
    }
    if (!strcmp(name, "quantized_bits") || !strcmp(name, "quantized_relu")) {
        q->kind = name[10] == 'b' ? IMP_Q_BITS : IMP_Q_QRELU;
        return read_config(cfg, where, q, err);
    }
    return rad_errf(err, RAD_ESCHEMA,
                    "%s: %s: refused: unsupported quantizer or activation \"%s\" (supported: "
                    "quantized_bits, quantized_relu, relu, linear)", where, q->text, name);
}

int imp_quant_parse(json_t *v, const char *where, imp_quant *q, rad_err *err)
{
    memset(q, 0, sizeof *q);
    if (!v || json_is_null(v)) {
        q->kind = IMP_Q_LINEAR;
        snprintf(q->text, sizeof q->text, "None");
        return RAD_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        snprintf(q->text, sizeof q->text, "%s", s);
        if (!strchr(s, '('))
            return from_name(s, NULL, where, q, err);
        char name[64];
        json_t *cfg = NULL;
        int bad = parse_call(s, name, sizeof name, &cfg);
        int rc = bad ? rad_errf(err, RAD_EPARSE, "%s: \"%s\": cannot read this quantizer", where, s)
                     : from_name(name, cfg, where, q, err);
        json_decref(cfg);
        return rc;
    }
    json_t *cls = json_object_get(v, "class_name"), *cfg = json_object_get(v, "config");
    if (!json_is_object(v) || !json_is_string(cls) || (cfg && !json_is_object(cfg)))
        return rad_errf(err, RAD_ESCHEMA, "%s: expected a quantizer string or "
                        "{\"class_name\": ..., \"config\": {...}}", where);
    snprintf(q->text, sizeof q->text, "%s", json_string_value(cls));
    return from_name(json_string_value(cls), cfg, where, q, err);
}

fxp_fmt imp_quant_fmt(const imp_quant *q)
{
    int kn = q->kind == IMP_Q_BITS && q->keep_negative;
    fxp_fmt f = fxp_format(q->bits, q->integer + kn, kn);
    f.qmode = FXP_RND_CONV;
    f.omode = kn && q->symmetric ? FXP_SAT_SYM : FXP_SAT;
    return f;
}

int64_t imp_quant_raw(const imp_quant *q, float x)
{
    int kn = q->kind == IMP_Q_BITS && q->keep_negative;
    float m = ldexpf(1.0f, q->bits - kn), m_i = ldexpf(1.0f, q->integer);
    float p = x * m / m_i;
    double r = rint((double)p);                 /* round half to even */
    double lo = kn ? -(double)m + q->symmetric : 0, hi = (double)m - 1;
    return (int64_t)(r < lo ? lo : r > hi ? hi : r);
}
