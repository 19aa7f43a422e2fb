/*
** trn_pass.c — forward and backward pass of one crossing.
**
** Forward (quantized): the converter and every encoder layer on raw
** integers, exactly as model.h defines them; the STE mask of each output
** records whether its gradient passes (ReLU active, no saturation).  The
** real value of every raw tensor is kept for the backward pass.
** Forward (float, qw == NULL): the same network on the shadow weights
** with no quantization after the converter — differentiable everywhere but
** at ReLU kinks, so finite differences can check the backward pass.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/trn_internal.h"

trn_ws *trn__ws_new(const trn_net *net)
{
    trn_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    size_t n = (size_t)net->max_t;
    bool ok = true;
    for (int i = 0; i <= net->n_enc; i++) {
        ws->t[i] = calloc(n, sizeof(int64_t));
        ws->a[i] = calloc(n, sizeof(double));
        ws->mask[i] = calloc(n, 1);
        ok = ok && ws->t[i] && ws->a[i] && ws->mask[i];
    }
    for (int j = 0; j <= net->n_dec; j++) {
        ws->d[j] = calloc(n, sizeof(double));
        ok = ok && ws->d[j];
    }
    ws->g0 = calloc(n, sizeof(double));
    ws->g1 = calloc(n, sizeof(double));
    ws->mask_sent = calloc(n, 1);
    if (!ok || !ws->g0 || !ws->g1 || !ws->mask_sent) {
        trn__ws_free(ws);
        return NULL;
    }
    return ws;
}

void trn__ws_free(trn_ws *ws)
{
    if (!ws)
        return;
    for (int i = 0; i <= MDL_MAX_LAYERS; i++) {
        free(ws->t[i]); free(ws->a[i]); free(ws->mask[i]); free(ws->d[i]);
    }
    free(ws->g0); free(ws->g1); free(ws->mask_sent);
    free(ws);
}

/* ---- encoder, integer ------------------------------------------------- */

static void conv_dense_int(const trn_elayer *l, const int64_t *in, const int64_t *w,
                           const int64_t *b, int64_t *acc_out)
{
    int cin = l->in.c, cout = l->out.c;
    int64_t acc[1024];
    for (int oy = 0; oy < l->out.h; oy++)
        for (int ox = 0; ox < l->out.w; ox++) {
            for (int co = 0; co < cout; co++)
                acc[co] = b[co] * ((int64_t)1 << l->b_shift);   /* no UB for b < 0 */
            for (int ky = 0; ky < l->k.kh; ky++) {
                int iy = oy * l->k.sh + ky - l->k.pt;
                if (iy < 0 || iy >= l->in.h)
                    continue;
                for (int kx = 0; kx < l->k.kw; kx++) {
                    int ix = ox * l->k.sw + kx - l->k.pl;
                    if (ix < 0 || ix >= l->in.w)
                        continue;
                    const int64_t *src = in + ((size_t)iy * l->in.w + ix) * cin;
                    const int64_t *wk = w + (size_t)(ky * l->k.kw + kx) * cin * cout;
                    for (int ci = 0; ci < cin; ci++) {
                        int64_t v = src[ci];
                        if (!v)
                            continue;
                        const int64_t *wc = wk + (size_t)ci * cout;
                        for (int co = 0; co < cout; co++)
                            acc[co] += v * wc[co];
                    }
                }
            }
            memcpy(acc_out + ((size_t)oy * l->out.w + ox) * cout, acc, cout * sizeof(int64_t));
        }
}

static void elayer_int(const trn_elayer *l, const trn_qw *qw, int i, const int64_t *in,
                       int64_t *out, double *a, uint8_t *mask)
{
    if (l->kind == MDL_MAP || l->kind == MDL_FLATTEN) {
        for (int k = 0; k < l->n_out; k++) {
            int src = l->kind == MDL_MAP ? l->map[k] : k;
            out[k] = src < 0 ? 0 : in[src];
            a[k] = (double)out[k] * l->s_out;
            mask[k] = 1;
        }
        return;
    }
    conv_dense_int(l, in, qw->wq[i], qw->bq[i], out);
    for (int k = 0; k < l->n_out; k++) {
        int64_t v = out[k];
        int s1 = 0, s2 = 0;
        if (l->has_acc)
            v = trn__quant(&l->qacc, v, &s1);
        bool pass = !s1;
        if (l->relu) {
            if (v <= 0) {
                v = 0;
                pass = false;
            }
        }
        v = trn__quant(&l->qout, v, &s2);
        out[k] = v;
        a[k] = (double)v * l->s_out;
        mask[k] = pass && !s2;
    }
}

/* ---- encoder, float (shadow weights, no quantization) ---------------- */

/* Float 'same'/'valid' convolution: out[y][x][co] = b[co] + sum over the
** taps inside the input of in[iy][ix][ci] w[tap][ci][co]. */
static void conv_fwd(const mdl_kernel *k, mdl_shape is, mdl_shape os, const double *in,
                     const double *w, const double *b, double *out)
{
    int cin = is.c, cout = os.c;
    for (int oy = 0; oy < os.h; oy++)
        for (int ox = 0; ox < os.w; ox++) {
            double *acc = out + ((size_t)oy * os.w + ox) * cout;
            for (int co = 0; co < cout; co++)
                acc[co] = b[co];
            for (int ky = 0; ky < k->kh; ky++) {
                int iy = oy * k->sh + ky - k->pt;
                if (iy < 0 || iy >= is.h)
                    continue;
                for (int kx = 0; kx < k->kw; kx++) {
                    int ix = ox * k->sw + kx - k->pl;
                    if (ix < 0 || ix >= is.w)
                        continue;
                    const double *src = in + ((size_t)iy * is.w + ix) * cin;
                    const double *wk = w + (size_t)(ky * k->kw + kx) * cin * cout;
                    for (int ci = 0; ci < cin; ci++) {
                        double v = src[ci];
                        for (int co = 0; co < cout; co++)
                            acc[co] += v * wk[ci * cout + co];
                    }
                }
            }
        }
}

static void elayer_float(const trn_elayer *l, const double *th, const double *in,
                         double *a, uint8_t *mask)
{
    if (l->kind == MDL_MAP || l->kind == MDL_FLATTEN) {
        for (int k = 0; k < l->n_out; k++) {
            int src = l->kind == MDL_MAP ? l->map[k] : k;
            a[k] = src < 0 ? 0 : in[src];
            mask[k] = 1;
        }
        return;
    }
    conv_fwd(&l->k, l->in, l->out, in, th + l->p_w, th + l->p_b, a);
    for (int k = 0; k < l->n_out; k++) {
        mask[k] = !l->relu || a[k] > 0;
        if (!mask[k])
            a[k] = 0;
    }
}

/* Backward of a conv/dense encoder layer: dout (real units) -> grads of
** the weights (into gw, gb) and, if din, of the input. */
static void conv_dense_back(const trn_elayer *l, const double *w, const double *in,
                            const double *dacc, double *gw, double *gb, double *din)
{
    int cin = l->in.c, cout = l->out.c;
    if (din)
        memset(din, 0, (size_t)l->n_in * sizeof(double));
    for (int oy = 0; oy < l->out.h; oy++)
        for (int ox = 0; ox < l->out.w; ox++) {
            const double *d = dacc + ((size_t)oy * l->out.w + ox) * cout;
            bool any = false;
            for (int co = 0; co < cout; co++) {
                gb[co] += d[co];
                any |= d[co] != 0;
            }
            if (!any)
                continue;
            for (int ky = 0; ky < l->k.kh; ky++) {
                int iy = oy * l->k.sh + ky - l->k.pt;
                if (iy < 0 || iy >= l->in.h)
                    continue;
                for (int kx = 0; kx < l->k.kw; kx++) {
                    int ix = ox * l->k.sw + kx - l->k.pl;
                    if (ix < 0 || ix >= l->in.w)
                        continue;
                    size_t ib = ((size_t)iy * l->in.w + ix) * cin;
                    size_t wb = (size_t)(ky * l->k.kw + kx) * cin * cout;
                    for (int ci = 0; ci < cin; ci++) {
                        double v = in[ib + ci];
                        double *g = gw + wb + (size_t)ci * cout;
                        const double *wc = w + wb + (size_t)ci * cout;
                        if (v != 0)
                            for (int co = 0; co < cout; co++)
                                g[co] += v * d[co];
                        if (din) {
                            double s = 0;
                            for (int co = 0; co < cout; co++)
                                s += wc[co] * d[co];
                            din[ib + ci] += s;
                        }
                    }
                }
            }
        }
}

/* ---- decoder (float) --------------------------------------------------- */

/* One scatter tap of a transposed convolution: dst[cout] += src[cin] W. */
static inline void tap_fwd(const double *restrict src, const double *restrict wk,
                           double *restrict dst, int cin, int cout)
{
    for (int ci = 0; ci < cin; ci++) {
        double v = src[ci];
        for (int co = 0; co < cout; co++)
            dst[co] += v * wk[ci * cout + co];
    }
}

/* Constant-size copies for the ECON-T decoder's shapes (see tap_back_any). */
static void tap_fwd_any(const double *src, const double *wk, double *dst, int cin, int cout)
{
    if (cin == 8 && cout == 8)
        tap_fwd(src, wk, dst, 8, 8);
    else if (cin == 8 && cout == 1)
        tap_fwd(src, wk, dst, 8, 1);
    else
        tap_fwd(src, wk, dst, cin, cout);
}

static void dlayer_forward(const trn_dlayer *l, const double *th, const double *in, double *out)
{
    const double *w = th + l->p_w, *b = th + l->p_b;
    int cin = l->in.c, cout = l->out.c;
    switch (l->kind) {
    case MDL_F_RESHAPE:
        memcpy(out, in, (size_t)l->n_out * sizeof(double));
        return;
    case MDL_F_DENSE:
        for (int o = 0; o < cout; o++)
            out[o] = b[o];
        for (int k = 0; k < l->n_in; k++) {
            double v = in[k];
            if (v == 0)
                continue;
            const double *wr = w + (size_t)k * cout;
            for (int o = 0; o < cout; o++)
                out[o] += v * wr[o];
        }
        break;
    case MDL_F_CONV2D:
        conv_fwd(&l->k, l->in, l->out, in, w, b, out);
        break;
    case MDL_F_CONV2D_T:
        for (int k = 0; k < l->n_out; k++)
            out[k] = b[k % cout];
        for (int y = 0; y < l->in.h; y++)
            for (int x = 0; x < l->in.w; x++) {
                const double *src = in + ((size_t)y * l->in.w + x) * cin;
                for (int ky = 0; ky < l->k.kh; ky++) {
                    int oy = y * l->k.sh + ky - l->k.pt;
                    if (oy < 0 || oy >= l->out.h)
                        continue;
                    for (int kx = 0; kx < l->k.kw; kx++) {
                        int ox = x * l->k.sw + kx - l->k.pl;
                        if (ox < 0 || ox >= l->out.w)
                            continue;
                        tap_fwd_any(src, w + (size_t)(ky * l->k.kw + kx) * cin * cout,
                                    out + ((size_t)oy * l->out.w + ox) * cout, cin, cout);
                    }
                }
            }
        break;
    }
    if (l->act == MDL_ACT_RELU) {
        for (int k = 0; k < l->n_out; k++)
            out[k] = out[k] > 0 ? out[k] : 0;
    } else if (l->act == MDL_ACT_SIGMOID) {
        for (int k = 0; k < l->n_out; k++)
            out[k] = 1.0 / (1.0 + exp(-out[k]));
    }
}

/* dout -> d(pre-activation) in place, from the layer's output. */
static void act_back(mdl_act act, const double *out, double *d, int n)
{
    if (act == MDL_ACT_RELU) {
        for (int k = 0; k < n; k++)
            if (out[k] <= 0)
                d[k] = 0;
    } else if (act == MDL_ACT_SIGMOID) {
        for (int k = 0; k < n; k++)
            d[k] *= out[k] * (1 - out[k]);
    }
}

/* The decoder's weights transposed per tap, [tap][cout][cin] (dense:
** [out][in]), so that the input gradient is a sum of contiguous axpy's
** (vectorizable) instead of short dot products. */
void trn__dec_transpose(const trn_net *net, double *wt)
{
    for (int j = 0; j < net->n_dec; j++) {
        const trn_dlayer *l = &net->dec[j];
        if (!l->n_w)
            continue;
        int cin = l->kind == MDL_F_DENSE ? l->n_in : l->in.c, cout = l->out.c;
        int taps = l->kind == MDL_F_DENSE ? 1 : l->k.kh * l->k.kw;
        const double *w = net->theta + l->p_w;
        double *t = wt + l->p_w;
        for (int k = 0; k < taps; k++)
            for (int ci = 0; ci < cin; ci++)
                for (int co = 0; co < cout; co++)
                    t[(size_t)k * cin * cout + (size_t)co * cin + ci] =
                        w[(size_t)k * cin * cout + (size_t)ci * cout + co];
    }
}

/* One tap: in[cin] x d[cout] -> gw[cin][cout] += in d^T, din[cin] += W d. */
static inline void tap_back(const double *restrict in, const double *restrict d,
                            const double *restrict wt, double *restrict gw,
                            double *restrict din, int cin, int cout)
{
    for (int ci = 0; ci < cin; ci++) {
        double v = in[ci];
        if (v != 0)
            for (int co = 0; co < cout; co++)
                gw[ci * cout + co] += v * d[co];
    }
    for (int co = 0; co < cout; co++) {
        double dc = d[co];
        if (dc != 0)
            for (int ci = 0; ci < cin; ci++)
                din[ci] += wt[co * cin + ci] * dc;
    }
}

/* The ECON-T decoder's tap shapes get constant-size copies of tap_back
** (unrolled and vectorized by the compiler): ~2x on the whole backward. */
static void tap_back_any(const double *in, const double *d, const double *wt, double *gw,
                         double *din, int cin, int cout)
{
    if (cin == 8 && cout == 8)
        tap_back(in, d, wt, gw, din, 8, 8);
    else if (cin == 8 && cout == 1)
        tap_back(in, d, wt, gw, din, 8, 1);
    else
        tap_back(in, d, wt, gw, din, cin, cout);
}

static void dlayer_backward(const trn_dlayer *l, const double *wt_all, const double *in,
                            const double *dpre, double *grad, double *din)
{
    const double *wt = wt_all + l->p_w;
    double *gw = grad + l->p_w, *gb = grad + l->p_b;
    int cin = l->in.c, cout = l->out.c;
    memset(din, 0, (size_t)l->n_in * sizeof(double));
    switch (l->kind) {
    case MDL_F_RESHAPE:
        memcpy(din, dpre, (size_t)l->n_in * sizeof(double));
        return;
    case MDL_F_DENSE:
        for (int o = 0; o < cout; o++)
            gb[o] += dpre[o];
        tap_back(in, dpre, wt, gw, din, l->n_in, cout);
        return;
    case MDL_F_CONV2D:
        for (int oy = 0; oy < l->out.h; oy++)
            for (int ox = 0; ox < l->out.w; ox++) {
                const double *d = dpre + ((size_t)oy * l->out.w + ox) * cout;
                for (int co = 0; co < cout; co++)
                    gb[co] += d[co];
                for (int ky = 0; ky < l->k.kh; ky++) {
                    int iy = oy * l->k.sh + ky - l->k.pt;
                    if (iy < 0 || iy >= l->in.h)
                        continue;
                    for (int kx = 0; kx < l->k.kw; kx++) {
                        int ix = ox * l->k.sw + kx - l->k.pl;
                        if (ix < 0 || ix >= l->in.w)
                            continue;
                        size_t ib = ((size_t)iy * l->in.w + ix) * cin;
                        size_t wb = (size_t)(ky * l->k.kw + kx) * cin * cout;
                        tap_back_any(in + ib, d, wt + wb, gw + wb, din + ib, cin, cout);
                    }
                }
            }
        return;
    case MDL_F_CONV2D_T:
        for (int k = 0; k < l->n_out; k++)
            gb[k % cout] += dpre[k];
        for (int y = 0; y < l->in.h; y++)
            for (int x = 0; x < l->in.w; x++) {
                size_t ib = ((size_t)y * l->in.w + x) * cin;
                for (int ky = 0; ky < l->k.kh; ky++) {
                    int oy = y * l->k.sh + ky - l->k.pt;
                    if (oy < 0 || oy >= l->out.h)
                        continue;
                    for (int kx = 0; kx < l->k.kw; kx++) {
                        int ox = x * l->k.sw + kx - l->k.pl;
                        if (ox < 0 || ox >= l->out.w)
                            continue;
                        const double *d = dpre + ((size_t)oy * l->out.w + ox) * cout;
                        size_t wb = (size_t)(ky * l->k.kw + kx) * cin * cout;
                        tap_back_any(in + ib, d, wt + wb, gw + wb, din + ib, cin, cout);
                    }
                }
            }
        return;
    }
}

/* ---- whole passes ------------------------------------------------------ */

static void converter(const trn_net *net, const uint32_t *q, trn_ws *ws)
{
    const mdl_input *in = &net->m->in;
    uint64_t mask = in->charge_bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << in->charge_bits) - 1;
    uint64_t sum = 0;
    for (int i = 0; i < net->n_cells; i++)
        sum += q[i] & mask;
    int msb = 0;
    for (uint64_t s = sum; s > 1; s >>= 1)
        msb++;
    ws->sum = sum;
    ws->msb = msb;
    trn_qplan p;
    trn__qplan(&p, &in->fmt, mdl_input_frac(in, msb));
    double s_in = ldexp(1.0, -net->f_in);
    for (int i = 0; i < net->n_cells; i++) {
        int sat;
        ws->t[0][i] = trn__quant(&p, (int64_t)(q[i] & mask), &sat);
        ws->a[0][i] = (double)ws->t[0][i] * s_in;
    }
}

double trn__forward(const trn_net *net, const trn_qw *qw, trn_loss_kind loss,
                    trn_target target, const uint32_t *q, trn_ws *ws)
{
    converter(net, q, ws);
    for (int i = 0; i < net->n_enc; i++) {
        const trn_elayer *l = &net->enc[i];
        if (qw)
            elayer_int(l, qw, i, ws->t[i], ws->t[i + 1], ws->a[i + 1], ws->mask[i + 1]);
        else
            elayer_float(l, net->theta, ws->a[i], ws->a[i + 1], ws->mask[i + 1]);
    }
    /* Latent truncation to the link budget (identity STE where in range). */
    double *z = ws->d[0], s_sent = ldexp(1.0, -net->f_sent);
    const int64_t *lat = ws->t[net->n_enc];
    for (int k = 0; k < net->n_latent; k++) {
        if (qw) {
            int sat;
            int64_t s = trn__quant(&net->qsent, lat[k], &sat);
            z[k] = (double)s * s_sent;
            ws->mask_sent[k] = !sat;
        } else {
            z[k] = ws->a[net->n_enc][k];
            ws->mask_sent[k] = 1;
        }
    }
    for (int j = 0; j < net->n_dec; j++)
        dlayer_forward(&net->dec[j], net->theta, ws->d[j], ws->d[j + 1]);
    const double *img = ws->d[net->n_dec];
    double scale = target == TRN_TARGET_SUM ? (ws->sum ? 1.0 / (double)ws->sum : 0)
                                            : ldexp(1.0, -ws->msb);
    for (int i = 0; i < net->n_cells; i++) {
        ws->pred[i] = img[net->dec_map[i]];
        ws->target[i] = (double)q[i] * scale;
    }
    return trn__loss(loss, net->n_cells, ws->pred, ws->target, ws->gpred, net->ot_kernel);
}

void trn__backward(const trn_net *net, const trn_qw *qw, const double *wt, trn_ws *ws,
                   double *grad)
{
    double *g = ws->g0, *gn = ws->g1, *t;
    const trn_dlayer *last = &net->dec[net->n_dec - 1];
    memset(g, 0, (size_t)last->n_out * sizeof(double));
    for (int i = 0; i < net->n_cells; i++)
        g[net->dec_map[i]] += ws->gpred[i];
    for (int j = net->n_dec - 1; j >= 0; j--) {
        const trn_dlayer *l = &net->dec[j];
        act_back(l->act, ws->d[j + 1], g, l->n_out);
        dlayer_backward(l, wt, ws->d[j], g, grad, gn);
        t = g; g = gn; gn = t;
    }
    for (int k = 0; k < net->n_latent; k++)
        if (!ws->mask_sent[k])
            g[k] = 0;
    for (int i = net->n_enc - 1; i >= 0; i--) {
        const trn_elayer *l = &net->enc[i];
        const uint8_t *mk = ws->mask[i + 1];
        if (l->kind == MDL_MAP || l->kind == MDL_FLATTEN) {
            if (!l->need_din)
                return;
            memset(gn, 0, (size_t)l->n_in * sizeof(double));
            for (int k = 0; k < l->n_out; k++) {
                int src = l->kind == MDL_MAP ? l->map[k] : k;
                if (src >= 0)
                    gn[src] += g[k];
            }
        } else {
            for (int k = 0; k < l->n_out; k++)
                if (!mk[k])
                    g[k] = 0;
            const double *w = qw ? qw->wr[i] : net->theta + l->p_w;
            conv_dense_back(l, w, ws->a[i], g, grad + l->p_w, grad + l->p_b,
                            l->need_din ? gn : NULL);
            if (!l->need_din)
                return;
        }
        t = g; g = gn; gn = t;
    }
}

/* ---- public single-crossing helpers -------------------------------------- */

double trn_loss_grad(const trn_net *net, trn_loss_kind loss, trn_target target,
                     const uint32_t *q, bool quantized, double *grad)
{
    trn_ws *ws = trn__ws_new(net);
    if (!ws)
        return NAN;
    double *wt = malloc(net->n_params * sizeof(double));
    if (!wt) {
        trn__ws_free(ws);
        return NAN;
    }
    trn__dec_transpose(net, wt);
    const trn_qw *qw = quantized ? &net->qw : NULL;
    double l = trn__forward(net, qw, loss, target, q, ws);
    trn__backward(net, qw, wt, ws, grad);
    free(wt);
    trn__ws_free(ws);
    return l;
}

double trn_predict(const trn_net *net, trn_loss_kind loss, trn_target target,
                   const uint32_t *q, double *cells)
{
    trn_ws *ws = trn__ws_new(net);
    if (!ws)
        return NAN;
    double l = trn__forward(net, &net->qw, loss, target, q, ws);
    memcpy(cells, ws->pred, (size_t)net->n_cells * sizeof(double));
    trn__ws_free(ws);
    return l;
}

trn_trace *trn_trace_new(const trn_net *net)
{
    trn_trace *tr = calloc(1, sizeof *tr);
    if (!tr)
        return NULL;
    tr->n_tensors = net->n_enc + 1;
    tr->size[0] = net->n_cells;
    for (int i = 0; i < net->n_enc; i++)
        tr->size[i + 1] = net->enc[i].n_out;
    for (int i = 0; i < tr->n_tensors; i++)
        if (!(tr->t[i] = calloc((size_t)tr->size[i], sizeof(int64_t)))) {
            trn_trace_free(tr);
            return NULL;
        }
    return tr;
}

void trn_trace_free(trn_trace *tr)
{
    if (!tr)
        return;
    for (int i = 0; i <= MDL_MAX_LAYERS; i++)
        free(tr->t[i]);
    free(tr);
}

void trn_forward_exact(const trn_net *net, const uint32_t *q, trn_trace *tr)
{
    trn_ws *ws = trn__ws_new(net);
    if (!ws)
        return;
    converter(net, q, ws);
    for (int i = 0; i < net->n_enc; i++)
        elayer_int(&net->enc[i], &net->qw, i, ws->t[i], ws->t[i + 1], ws->a[i + 1],
                   ws->mask[i + 1]);
    for (int i = 0; i < tr->n_tensors; i++)
        memcpy(tr->t[i], ws->t[i], (size_t)tr->size[i] * sizeof(int64_t));
    tr->sum = ws->sum;
    tr->msb = ws->msb;
    tr->sum_code = 0;
    tr->n_latent = net->n_latent;
    for (int k = 0; k < net->n_latent; k++) {
        int sat;
        tr->latent[k] = ws->t[net->n_enc][k];
        tr->sent[k] = trn__quant(&net->qsent, tr->latent[k], &sat);
    }
    trn__ws_free(ws);
}
