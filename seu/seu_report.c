/*
** seu_report.c — the sensitivity map as JSON (for the report module) and
** as a short human summary.
**
** JSON layout (every d_emd is a mean EMD increase over n_crossings):
**   { "generator", "model", "n_bits", "n_crossings", "base_emd",
**     "empty_penalty",
**     "layers": [ { "index", "name", "kind",
**                   "weights": { "width", "raw": [...],
**                                "d_emd": [[bit0..bitW-1], ...] },
**                   "biases":  { same } } ],
**     "summary": { "total_d_emd", "mean_d_emd",
**                  "by_layer":  [ {name, part, bits, sum, share} ],
**                  "by_bit":    [ {part, bit, mean, share} ]  (part = w|b),
**                  "top":       [ {bit, layer, part, index, field_bit,
**                                  raw, d_emd, changed} ] } }
*/
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "seu/seu.h"
#include "common/rad_file.h"

#define SEU_JSON_TOP 50

static json_t *tensor_json(const seu_sens *s, int layer, int is_bias,
                           const int64_t *raw, size_t n, int width)
{
    json_t *d = json_array(), *r = json_array();
    size_t k0 = 0;
    while (k0 < s->n_bits && !(s->where[k0].layer == layer
                               && s->where[k0].is_bias == is_bias))
        k0++;
    for (size_t i = 0; i < n; i++) {
        json_t *bits = json_array();
        for (int b = 0; b < width; b++)
            json_array_append_new(bits, json_real(s->d_emd[k0 + i * (size_t)width + (size_t)b]));
        json_array_append_new(d, bits);
        json_array_append_new(r, json_integer(raw[i]));
    }
    return json_pack("{s:i, s:o, s:o}", "width", width, "raw", r, "d_emd", d);
}

static json_t *layers_json(const seu_sens *s, const mdl_model *m)
{
    json_t *a = json_array();
    for (int i = 0; i < m->n_layers; i++) {
        const mdl_layer *l = &m->layers[i];
        if (l->kind != MDL_CONV2D && l->kind != MDL_DENSE)
            continue;
        json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:o, s:o}",
            "index", i, "name", l->name,
            "kind", l->kind == MDL_DENSE ? "dense" : "conv2d",
            "weights", tensor_json(s, i, 0, l->w, l->n_w, l->w_fmt.width),
            "biases", tensor_json(s, i, 1, l->b, l->n_b, l->b_fmt.width)));
    }
    return a;
}

static double total(const seu_sens *s)
{
    double t = 0;
    for (size_t k = 0; k < s->n_bits; k++)
        t += s->d_emd[k];
    return t;
}

/* Sum of d_emd and count of bits for (layer, part) or, with layer < 0,
** for (part, field bit). */
static double group_sum(const seu_sens *s, int layer, int part, int bit, size_t *n)
{
    double sum = 0;
    *n = 0;
    for (size_t k = 0; k < s->n_bits; k++) {
        const seu_bit *w = &s->where[k];
        if (w->is_bias != part || (layer >= 0 ? w->layer != layer : w->bit != bit))
            continue;
        sum += s->d_emd[k];
        (*n)++;
    }
    return sum;
}

static int max_width(const seu_sens *s)
{
    int w = 0;
    for (size_t k = 0; k < s->n_bits; k++)
        if (s->where[k].width > w)
            w = s->where[k].width;
    return w;
}

/* Indices of the `top` largest d_emd (malloc'd, *n set). */
static size_t *top_bits(const seu_sens *s, int top, size_t *n)
{
    size_t cap = (size_t)top < s->n_bits ? (size_t)top : s->n_bits, cnt = 0;
    size_t *t = malloc(sizeof *t * (cap + 1));
    if (!t) {
        *n = 0;
        return NULL;
    }
    for (size_t k = 0; k < s->n_bits; k++) {
        size_t i = cnt < cap ? cnt++ : cap;
        if (i == cap && (cap == 0 || s->d_emd[k] <= s->d_emd[t[cap - 1]]))
            continue;
        if (i == cap)
            i = cap - 1;
        while (i > 0 && s->d_emd[t[i - 1]] < s->d_emd[k]) {
            t[i] = t[i - 1];
            i--;
        }
        t[i] = k;
    }
    *n = cnt;
    return t;
}

static int64_t raw_of(const mdl_model *m, const seu_bit *w)
{
    const mdl_layer *l = &m->layers[w->layer];
    return w->is_bias ? l->b[w->index] : l->w[w->index];
}

static json_t *summary_json(const seu_sens *s, const mdl_model *m)
{
    double tot = total(s), share = tot != 0 ? tot : 1;
    json_t *byl = json_array(), *byb = json_array(), *top = json_array();
    for (int i = 0; i < m->n_layers; i++)
        for (int part = 0; part < 2; part++) {
            size_t n;
            double sum = group_sum(s, i, part, 0, &n);
            if (n)
                json_array_append_new(byl, json_pack("{s:s, s:s, s:I, s:f, s:f}",
                    "name", m->layers[i].name, "part", part ? "b" : "w",
                    "bits", (json_int_t)n, "sum", sum, "share", sum / share));
        }
    for (int part = 0; part < 2; part++)
        for (int b = 0; b < max_width(s); b++) {
            size_t n;
            double sum = group_sum(s, -1, part, b, &n);
            if (n)
                json_array_append_new(byb, json_pack("{s:s, s:i, s:f, s:f}",
                    "part", part ? "b" : "w", "bit", b, "mean", sum / (double)n,
                    "share", sum / share));
        }
    size_t nt;
    size_t *t = top_bits(s, SEU_JSON_TOP, &nt);
    for (size_t i = 0; i < nt; i++) {
        const seu_bit *w = &s->where[t[i]];
        json_array_append_new(top, json_pack("{s:I, s:s, s:s, s:I, s:i, s:I, s:f, s:f}",
            "bit", (json_int_t)t[i], "layer", m->layers[w->layer].name,
            "part", w->is_bias ? "b" : "w", "index", (json_int_t)w->index,
            "field_bit", w->bit, "raw", (json_int_t)raw_of(m, w),
            "d_emd", s->d_emd[t[i]], "changed", s->changed[t[i]]));
    }
    free(t);
    return json_pack("{s:f, s:f, s:o, s:o, s:o}", "total_d_emd", tot,
                     "mean_d_emd", s->n_bits ? tot / (double)s->n_bits : 0,
                     "by_layer", byl, "by_bit", byb, "top", top);
}

int seu_sens_write_json(const seu_sens *s, const mdl_model *m, const rad_prov *prov,
                        const char *path, rad_err *err)
{
    json_t *root = json_pack("{s:s, s:s, s:I, s:I, s:f, s:o, s:o}",
        "generator", "rad4ml seu --sens", "model", m->name,
        "n_bits", (json_int_t)s->n_bits, "n_crossings", (json_int_t)s->n_cross,
        "base_emd", s->base_emd, "layers", layers_json(s, m),
        "summary", summary_json(s, m));
    if (!root)
        return rad_errf(err, RAD_ENOMEM, "%s: cannot build the JSON", path);
    json_object_set_new(root, "provenance", rad_prov_json(prov));
    json_object_set_new(root, "crossings_note",
        json_string("d_emd = mean over crossings of EMD(flipped) - EMD(golden); "
                    "crossings whose sent word is unchanged count 0"));
    int rc = rad_json_write(path, root, JSON_COMPACT | JSON_REAL_PRECISION(8), err);
    json_decref(root);
    return rc;
}

void seu_sens_print(const seu_sens *s, const mdl_model *m, int top, FILE *fp)
{
    double tot = total(s), share = tot != 0 ? tot : 1;
    fprintf(fp, "sensitivity: %zu bits x %zu crossings, base EMD %.4f, "
            "mean dEMD per flipped bit %.5f\n", s->n_bits, s->n_cross,
            s->base_emd, s->n_bits ? tot / (double)s->n_bits : 0);
    fprintf(fp, "  by layer:\n");
    for (int i = 0; i < m->n_layers; i++)
        for (int part = 0; part < 2; part++) {
            size_t n;
            double sum = group_sum(s, i, part, 0, &n);
            if (n)
                fprintf(fp, "    %-16s %-6s %6zu bits  mean dEMD %.5f  share %5.1f%%\n",
                        m->layers[i].name, part ? "bias" : "kernel", n,
                        sum / (double)n, 100 * sum / share);
        }
    fprintf(fp, "  by bit of the field (0 = LSB; the top bit is the sign):\n");
    for (int part = 0; part < 2; part++)
        for (int b = 0; b < max_width(s); b++) {
            size_t n;
            double sum = group_sum(s, -1, part, b, &n);
            if (n)
                fprintf(fp, "    %-6s bit %d  mean dEMD %.5f  share %5.1f%%\n",
                        part ? "bias" : "kernel", b, sum / (double)n, 100 * sum / share);
        }
    size_t nt;
    size_t *t = top_bits(s, top, &nt);
    fprintf(fp, "  most sensitive bits:\n");
    for (size_t i = 0; i < nt; i++) {
        const seu_bit *w = &s->where[t[i]];
        fprintf(fp, "    image bit %5zu  %s.%s[%zu] bit %d (raw %+lld)  dEMD %.4f  "
                "changed %5.1f%% of crossings\n", t[i], m->layers[w->layer].name,
                w->is_bias ? "b" : "w", w->index, w->bit, (long long)raw_of(m, w),
                s->d_emd[t[i]], 100 * s->changed[t[i]]);
    }
    free(t);
}
