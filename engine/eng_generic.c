/*
** eng_generic.c — the obviously-correct integer path.
**
** Every value is computed as model/model.h states it, with exact 128-bit
** accumulation and fxp_quantize for every requantization.  It is slow on
** purpose: it is the oracle the fast path, the generated HLS C and the
** RTL are compared with.
*/
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

/* Fractional bits of the tensor a layer reads. */
static int layer_in_frac(const mdl_model *m, int i)
{
    return fxp_frac_bits(i ? &m->layers[i - 1].out_fmt : &m->in.fmt);
}

/* The accumulators of conv / dense layer l: out = bias << b_shift + sum of
** in * w over the window, in raw units with in_frac fractional input
** bits.  in and out do not overlap. */
static void mac_layer(const mdl_layer *l, int in_frac, const int64_t *in, int64_t *out)
{
    int f_acc = in_frac + fxp_frac_bits(&l->w_fmt);
    int b_shift = f_acc - fxp_frac_bits(&l->b_fmt);   /* >= 0 (validated) */
    int cin = l->in.c, cout = l->out.c;
    int n_pos = l->kind == MDL_CONV2D ? l->out.h * l->out.w : 1;
    for (int p = 0; p < n_pos; p++) {
        int oy = l->kind == MDL_CONV2D ? p / l->out.w : 0;
        int ox = l->kind == MDL_CONV2D ? p % l->out.w : 0;
        for (int co = 0; co < cout; co++) {
            fxp_raw acc = 0;
            if (l->kind == MDL_DENSE) {
                for (int ci = 0; ci < cin; ci++)
                    acc += (fxp_raw)in[ci] * l->w[(size_t)ci * cout + co];
            } else {
                for (int ky = 0; ky < l->k.kh; ky++) {
                    int iy = oy * l->k.sh + ky - l->k.pt;
                    if (iy < 0 || iy >= l->in.h)
                        continue;                  /* zero padding */
                    for (int kx = 0; kx < l->k.kw; kx++) {
                        int ix = ox * l->k.sw + kx - l->k.pl;
                        if (ix < 0 || ix >= l->in.w)
                            continue;
                        const int64_t *x = in + ((size_t)iy * l->in.w + ix) * cin;
                        const int64_t *w = l->w + ((size_t)(ky * l->k.kw + kx) * cin) * cout + co;
                        for (int ci = 0; ci < cin; ci++)
                            acc += (fxp_raw)x[ci] * w[(size_t)ci * cout];
                    }
                }
            }
            acc += (fxp_raw)l->b[co] * ((fxp_raw)1 << b_shift);
            int f = f_acc;
            if (l->has_acc_fmt) {
                acc = fxp_quantize(acc, f, &l->acc_fmt);
                f = fxp_frac_bits(&l->acc_fmt);
            }
            if (l->act == MDL_ACT_RELU && acc < 0)
                acc = 0;
            out[(size_t)p * cout + co] = (int64_t)fxp_quantize(acc, f, &l->out_fmt);
        }
    }
}

void eng_layer_generic(const mdl_layer *l, int in_frac, const int64_t *in, int64_t *out)
{
    int n = mdl_shape_size(l->out);
    switch (l->kind) {
    case MDL_MAP:
        for (int i = 0; i < n; i++)
            out[i] = l->map[i] < 0 ? 0 : in[l->map[i]];
        break;
    case MDL_FLATTEN:
        memcpy(out, in, (size_t)n * sizeof *out);
        break;
    case MDL_CONV2D:
    case MDL_DENSE:
        mac_layer(l, in_frac, in, out);
        break;
    }
}

/* ---- trace ------------------------------------------------------------ */

eng_trace *eng_trace_new(const mdl_model *m)
{
    eng_trace *tr = calloc(1, sizeof *tr);
    if (!tr)
        return NULL;
    tr->n_tensors = m->n_layers + 1;
    size_t total = 0;
    for (int i = 0; i < tr->n_tensors; i++) {
        tr->size[i] = i ? mdl_shape_size(m->layers[i - 1].out) : m->in.n_cells;
        total += (size_t)tr->size[i];
    }
    int64_t *buf = calloc(total, sizeof *buf);
    if (!buf) {
        free(tr);
        return NULL;
    }
    for (int i = 0; i < tr->n_tensors; i++) {
        tr->t[i] = buf;
        buf += tr->size[i];
    }
    return tr;
}

void eng_trace_free(eng_trace *tr)
{
    if (tr) {
        free(tr->t[0]);
        free(tr);
    }
}

/* Latent formatter: raw last-layer outputs -> sent values. */
static void format_latent(const mdl_model *m, const int64_t *last, eng_out *o)
{
    const mdl_layer *l = &m->layers[m->n_layers - 1];
    fxp_fmt lf = mdl_latent_fmt(m);
    int f = fxp_frac_bits(&l->out_fmt);
    o->n_latent = mdl_shape_size(l->out);
    for (int i = 0; i < o->n_latent; i++) {
        o->latent[i] = (int32_t)last[i];
        o->sent[i] = (int32_t)fxp_quantize(last[i], f, &lf);
    }
}

void eng_trace_from_input(const mdl_model *m, const int64_t *x, eng_trace *tr)
{
    tr->out.sum = 0;
    tr->out.msb = 0;
    tr->out.sum_code = 0;
    if (tr->t[0] != x)
        memcpy(tr->t[0], x, (size_t)m->in.n_cells * sizeof *x);
    for (int i = 0; i < m->n_layers; i++)
        eng_layer_generic(&m->layers[i], layer_in_frac(m, i), tr->t[i], tr->t[i + 1]);
    format_latent(m, tr->t[m->n_layers], &tr->out);
}

/* The converter block: sum, MSB, normalized inputs, module-sum float. */
static void convert(const mdl_model *m, const uint32_t *q, int64_t *x, eng_out *o)
{
    const mdl_input *in = &m->in;
    uint32_t mask = in->charge_bits >= 32 ? 0xffffffffu : (1u << in->charge_bits) - 1;
    uint64_t sum = 0;
    for (int i = 0; i < in->n_cells; i++)
        sum += q[i] & mask;
    o->sum = sum;
    o->msb = mdl_msb(sum);
    o->sum_code = mdl_sum_encode(in, sum);
    int src_frac = mdl_input_frac(in, o->msb);
    for (int i = 0; i < in->n_cells; i++)
        x[i] = (int64_t)fxp_quantize(q[i] & mask, src_frac, &in->fmt);
}

void eng_trace_run(const mdl_model *m, const uint32_t *charges, eng_trace *tr)
{
    convert(m, charges, tr->t[0], &tr->out);
    eng_out keep = tr->out;
    eng_trace_from_input(m, tr->t[0], tr);
    tr->out.sum = keep.sum;
    tr->out.msb = keep.msb;
    tr->out.sum_code = keep.sum_code;
}

void eng_encode_generic(const mdl_model *m, const uint32_t *charges, eng_out *out)
{
    eng_trace *tr = eng_trace_new(m);
    if (!tr) {
        memset(out, 0, sizeof *out);
        return;
    }
    eng_trace_run(m, charges, tr);
    *out = tr->out;
    eng_trace_free(tr);
}
