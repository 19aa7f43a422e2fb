/*
** eng_float.c — float paths: the off-detector decoder, and float versions
** of encoder layers (for training and evaluation).
**
** Decoder conventions (model.h): tensors HWC; dense weights [in][out];
** conv weights [kh][kw][cin][cout] (correlation, as Keras Conv2D);
** conv-transpose weights [kh][kw][cin][cout], scattered:
**     full[iy*sh + ky][ix*sw + kx][co] += in[iy][ix][ci] * w[ky][kx][ci][co]
** then cropped by pad_top/left (the output starts at full row pad_top).
** NOTE: Keras stores Conv2DTranspose kernels as [kh][kw][cout][cin]; an
** importer must transpose the last two axes.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

static float act(mdl_act a, float v)
{
    switch (a) {
    case MDL_ACT_RELU:    return v > 0 ? v : 0;
    case MDL_ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
    default:              return v;
    }
}

static void conv_fwd(const mdl_flayer *l, const float *in, float *out)
{
    int cin = l->in.c, cout = l->out.c;
    for (int oy = 0; oy < l->out.h; oy++)
        for (int ox = 0; ox < l->out.w; ox++) {
            float *o = out + ((size_t)oy * l->out.w + ox) * cout;
            for (int co = 0; co < cout; co++)
                o[co] = l->b[co];
            for (int ky = 0; ky < l->k.kh; ky++) {
                int iy = oy * l->k.sh + ky - l->k.pt;
                if (iy < 0 || iy >= l->in.h)
                    continue;
                for (int kx = 0; kx < l->k.kw; kx++) {
                    int ix = ox * l->k.sw + kx - l->k.pl;
                    if (ix < 0 || ix >= l->in.w)
                        continue;
                    const float *x = in + ((size_t)iy * l->in.w + ix) * cin;
                    const float *w = l->w + (size_t)(ky * l->k.kw + kx) * cin * cout;
                    for (int ci = 0; ci < cin; ci++)
                        for (int co = 0; co < cout; co++)
                            o[co] += x[ci] * w[(size_t)ci * cout + co];
                }
            }
        }
}

static void convt_fwd(const mdl_flayer *l, const float *in, float *out)
{
    int cin = l->in.c, cout = l->out.c, n = mdl_shape_size(l->out);
    for (int k = 0; k < n; k++)
        out[k] = l->b[k % cout];
    for (int iy = 0; iy < l->in.h; iy++)
        for (int ix = 0; ix < l->in.w; ix++)
            for (int ky = 0; ky < l->k.kh; ky++) {
                int oy = iy * l->k.sh + ky - l->k.pt;
                if (oy < 0 || oy >= l->out.h)
                    continue;             /* cropped */
                for (int kx = 0; kx < l->k.kw; kx++) {
                    int ox = ix * l->k.sw + kx - l->k.pl;
                    if (ox < 0 || ox >= l->out.w)
                        continue;
                    const float *x = in + ((size_t)iy * l->in.w + ix) * cin;
                    const float *w = l->w + (size_t)(ky * l->k.kw + kx) * cin * cout;
                    float *o = out + ((size_t)oy * l->out.w + ox) * cout;
                    for (int ci = 0; ci < cin; ci++)
                        for (int co = 0; co < cout; co++)
                            o[co] += x[ci] * w[(size_t)ci * cout + co];
                }
            }
}

void eng_flayer_forward(const mdl_flayer *l, const float *in, float *out)
{
    int n = mdl_shape_size(l->out);
    switch (l->kind) {
    case MDL_F_RESHAPE:
        memmove(out, in, (size_t)n * sizeof *out);
        return;
    case MDL_F_DENSE: {
        int nin = l->in.c;
        for (int k = 0; k < n; k++)
            out[k] = l->b[k];
        for (int j = 0; j < nin; j++) {
            float x = in[j];
            if (x == 0)
                continue;
            const float *w = l->w + (size_t)j * n;
            for (int k = 0; k < n; k++)
                out[k] += x * w[k];
        }
        break;
    }
    case MDL_F_CONV2D:
        conv_fwd(l, in, out);
        break;
    case MDL_F_CONV2D_T:
        convt_fwd(l, in, out);
        break;
    }
    for (int k = 0; k < n; k++)
        out[k] = act(l->act, out[k]);
}

void eng_fnet_forward(const mdl_flayer *layers, int n, const float *in, float **acts)
{
    for (int i = 0; i < n; i++)
        eng_flayer_forward(&layers[i], i ? acts[i - 1] : in, acts[i]);
}

int eng_dec_max_size(const mdl_model *m)
{
    int mx = mdl_latent_count(m);
    for (int i = 0; i < m->n_dec; i++)
        if (mdl_shape_size(m->dec[i].out) > mx)
            mx = mdl_shape_size(m->dec[i].out);
    return mx;
}

int eng_decode_float(const mdl_model *m, const float *latent, double scale, double target_sum,
                     float *cells, rad_err *err)
{
    if (m->n_dec < 1)
        return rad_errf(err, RAD_ESCHEMA, "model %s has no decoder", m->name);
    int mx = eng_dec_max_size(m);
    float stack[2 * 2048];          /* the usual decoder needs no malloc */
    float *a = mx <= 2048 ? stack : malloc(2 * (size_t)mx * sizeof *a);
    if (!a)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    float *buf[2] = { a, a + mx };
    const float *x = latent;
    for (int i = 0; i < m->n_dec; i++) {
        eng_flayer_forward(&m->dec[i], x, buf[i & 1]);
        x = buf[i & 1];
    }
    double sum = 0;
    for (int i = 0; i < m->in.n_cells; i++) {
        cells[i] = m->dec_map[i] < 0 ? 0.0f : (float)(x[m->dec_map[i]] * scale);
        sum += cells[i];
    }
    if (m->preserve_sum && target_sum >= 0 && sum > 0)
        for (int i = 0; i < m->in.n_cells; i++)
            cells[i] = (float)(cells[i] * (target_sum / sum));
    if (a != stack)
        free(a);
    return RAD_OK;
}

int eng_decode(const mdl_model *m, const eng_out *o, float *cells, rad_err *err)
{
    float lat[ENG_MAX_LATENT + MDL_MAX_COND];
    double cond[MDL_MAX_COND];
    fxp_fmt lf = mdl_latent_fmt(m);
    int n = o->n_latent < ENG_MAX_LATENT ? o->n_latent : ENG_MAX_LATENT;
    for (int k = 0; k < n; k++)
        lat[k] = (float)fxp_to_double(o->sent[k], &lf);
    mdl_cond_values(m, o->sum_code, cond);     /* decoder input: latents, then conditions */
    for (int k = 0; k < m->n_cond; k++)
        lat[n + k] = (float)cond[k];
    double scale = 1.0;
    if (m->in.norm == MDL_NORM_MSB)
        scale = ldexp(1.0, mdl_sum_code_msb(&m->in, o->sum_code));
    return eng_decode_float(m, lat, scale, (double)mdl_sum_decode(&m->in, o->sum_code), cells, err);
}

/* ---- float encoder layers ------------------------------------------- */

static double wval(int64_t raw, const fxp_fmt *f)
{
    return ldexp((double)raw, -fxp_frac_bits(f));
}

/* Quantizes a real value into a format and returns the value again. */
static double qval(double v, const fxp_fmt *f)
{
    return fxp_to_double(fxp_from_double(v, f), f);
}

/* See engine.h.  Float forward of encoder layer l (quantize: the layer's
** formats applied to each output).  in and out do not overlap. */
void eng_layer_float(const mdl_layer *l, const float *in, float *out, int quantize)
{
    int n = mdl_shape_size(l->out);
    if (l->kind == MDL_MAP) {
        for (int i = 0; i < n; i++)
            out[i] = l->map[i] < 0 ? 0.0f : in[l->map[i]];
        return;
    }
    if (l->kind == MDL_FLATTEN) {
        memmove(out, in, (size_t)n * sizeof *out);
        return;
    }
    int cin = l->in.c, cout = l->out.c;
    for (int p = 0; p < n / cout; p++) {
        int oy = l->kind == MDL_CONV2D ? p / l->out.w : 0;
        int ox = l->kind == MDL_CONV2D ? p % l->out.w : 0;
        for (int co = 0; co < cout; co++) {
            double acc = wval(l->b[co], &l->b_fmt);
            if (l->kind == MDL_DENSE) {
                for (int ci = 0; ci < cin; ci++)
                    acc += (double)in[ci] * wval(l->w[(size_t)ci * cout + co], &l->w_fmt);
            } else {
                for (int ky = 0; ky < l->k.kh; ky++) {
                    int iy = oy * l->k.sh + ky - l->k.pt;
                    for (int kx = 0; kx < l->k.kw && iy >= 0 && iy < l->in.h; kx++) {
                        int ix = ox * l->k.sw + kx - l->k.pl;
                        if (ix < 0 || ix >= l->in.w)
                            continue;
                        const float *x = in + ((size_t)iy * l->in.w + ix) * cin;
                        for (int ci = 0; ci < cin; ci++)
                            acc += (double)x[ci]
                                   * wval(l->w[((size_t)(ky * l->k.kw + kx) * cin + ci) * cout + co],
                                          &l->w_fmt);
                    }
                }
            }
            if (quantize && l->has_acc_fmt)
                acc = qval(acc, &l->acc_fmt);
            if (l->act == MDL_ACT_RELU && acc < 0)
                acc = 0;
            if (quantize)
                acc = qval(acc, &l->out_fmt);
            out[(size_t)p * cout + co] = (float)acc;
        }
    }
}
