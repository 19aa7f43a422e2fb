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
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_io.h"
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

/* ---- the convolution window ------------------------------------------- */

/* Geometry of one walk over a convolution window, in plain ints (whatever
** kernel struct the layers carry).  A convolution gathers: output pixel p
** reads the input pixels q = p * stride + tap - pad.  A transposed
** convolution scatters: input pixel p adds into the output pixels
** q = p * stride + tap - crop.  So the walk visits the pixels p of the
** "walked" grid and, for each, the taps whose q lies inside the "reached"
** grid; what happens at a position and at a tap is passed in. */
typedef struct {
    int kh, kw, sh, sw, pt, pl;  /* kernel, stride, pad (conv) / crop (conv-T) */
    int ph, pw;                  /* walked grid: conv output, conv-T input      */
    int qh, qw;                  /* reached grid: conv input, conv-T output     */
} conv_win;

/* Called at walked pixel p before its taps; returning false skips them. */
typedef bool (*conv_pos_fn)(void *ctx, size_t p);
/* Called per tap: walked pixel p, reached pixel q, tap t = ky * kw + kx. */
typedef void (*conv_tap_fn)(void *ctx, size_t p, size_t q, size_t t);

/* The one convolution-window walk of the trainer: p in raster order, then
** the taps (ky, kx) in raster order, so every sum keeps the order of the
** straight loops it replaced (bit-exact).  pos may be NULL.  Inlined with
** constant pos / tap, the calls are inlined too (no indirect call). */
static inline void conv_walk(const conv_win *g, conv_pos_fn pos, conv_tap_fn tap, void *ctx)
{
    for (int py = 0; py < g->ph; py++)
        for (int px = 0; px < g->pw; px++) {
            size_t p = (size_t)py * g->pw + px;
            if (pos && !pos(ctx, p))
                continue;
            for (int ky = 0; ky < g->kh; ky++) {
                int qy = py * g->sh + ky - g->pt;
                if (qy < 0 || qy >= g->qh)
                    continue;
                for (int kx = 0; kx < g->kw; kx++) {
                    int qx = px * g->sw + kx - g->pl;
                    if (qx < 0 || qx >= g->qw)
                        continue;
                    tap(ctx, p, (size_t)qy * g->qw + qx, (size_t)ky * g->kw + kx);
                }
            }
        }
}

/* The window of a conv / dense layer: walked = `walked`, reached = `reached`. */
static conv_win win_of(int kh, int kw, int sh, int sw, int pt, int pl, mdl_shape walked,
                       mdl_shape reached)
{
    return (conv_win){ kh, kw, sh, sw, pt, pl, walked.h, walked.w, reached.h, reached.w };
}

/* A conv layer's window, output walked; a conv-T's, input walked. */
#define WIN_GATHER(l) win_of((l)->k.kh, (l)->k.kw, (l)->k.sh, (l)->k.sw, (l)->k.pt, \
                             (l)->k.pl, (l)->out, (l)->in)
#define WIN_SCATTER(l) win_of((l)->k.kh, (l)->k.kw, (l)->k.sh, (l)->k.sw, (l)->k.pt, \
                              (l)->k.pl, (l)->in, (l)->out)

/* ---- per-tap work -------------------------------------------------------- */

/* dst[cout] += src[cin] W, W = wk[cin][cout]. */
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

/* in[cin] x d[cout] -> gw[cin][cout] += in d^T, din[cin] += W d, with the
** weights transposed, wt[cout][cin]. */
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

/* ---- encoder, integer ------------------------------------------------- */

/* Integer conv / dense (a 1x1 conv on a 1x1xN input): acc = b << b_shift
** + sum of in * w over the taps, per output pixel and channel. */
typedef struct {
    const int64_t *in, *w, *b;
    int64_t       *acc;
    int            cin, cout, b_shift;
} int_conv;

static bool int_conv_pos(void *ctx, size_t p)
{
    int_conv *c = ctx;
    int64_t *acc = c->acc + p * c->cout;
    for (int co = 0; co < c->cout; co++)
        acc[co] = c->b[co] * ((int64_t)1 << c->b_shift);   /* no UB for b < 0 */
    return true;
}

static inline void int_tap(const int64_t *restrict src, const int64_t *restrict wk,
                           int64_t *restrict acc, int cin, int cout)
{
    for (int ci = 0; ci < cin; ci++) {
        int64_t v = src[ci];
        if (!v)
            continue;
        const int64_t *wc = wk + (size_t)ci * cout;
        for (int co = 0; co < cout; co++)
            acc[co] += v * wc[co];
    }
}

static void int_conv_tap(void *ctx, size_t p, size_t q, size_t t)
{
    int_conv *c = ctx;
    int_tap(c->in + q * c->cin, c->w + t * c->cin * c->cout, c->acc + p * c->cout, c->cin,
            c->cout);
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
    conv_win g = WIN_GATHER(l);
    int_conv c = { in, qw->wq[i], qw->bq[i], out, l->in.c, l->out.c, l->b_shift };
    conv_walk(&g, int_conv_pos, int_conv_tap, &c);
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

/* ---- float convolution, forward ------------------------------------------ */

/* Float conv (walked = output, out[p] = b + sum in[q] W[t]) or transposed
** conv (walked = input, out[q] += in[p] W[t] after out = b everywhere). */
typedef struct {
    const double *in, *w, *b;
    double       *out;
    int           cin, cout;
} flt_conv;

static bool flt_conv_pos(void *ctx, size_t p)
{
    flt_conv *c = ctx;
    double *acc = c->out + p * c->cout;
    for (int co = 0; co < c->cout; co++)
        acc[co] = c->b[co];
    return true;
}

static void flt_conv_tap(void *ctx, size_t p, size_t q, size_t t)
{
    flt_conv *c = ctx;
    tap_fwd(c->in + q * c->cin, c->w + t * c->cin * c->cout, c->out + p * c->cout, c->cin,
            c->cout);
}

static void flt_convt_tap(void *ctx, size_t p, size_t q, size_t t)
{
    flt_conv *c = ctx;
    tap_fwd_any(c->in + p * c->cin, c->w + t * c->cin * c->cout, c->out + q * c->cout,
                c->cin, c->cout);
}

/* 'same'/'valid' convolution out = b + in * W of window g (output walked). */
static void conv_fwd(const conv_win *g, int cin, int cout, const double *in, const double *w,
                     const double *b, double *out)
{
    flt_conv c = { in, w, b, out, cin, cout };
    conv_walk(g, flt_conv_pos, flt_conv_tap, &c);
}

/* ---- encoder, float (shadow weights, no quantization) ---------------- */

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
    conv_win g = WIN_GATHER(l);
    conv_fwd(&g, l->in.c, l->out.c, in, th + l->p_w, th + l->p_b, a);
    for (int k = 0; k < l->n_out; k++) {
        mask[k] = !l->relu || a[k] > 0;
        if (!mask[k])
            a[k] = 0;
    }
}

/* ---- float convolution, backward ----------------------------------------- */

/* Backward of a conv (walked = output) or conv-T (walked = input): d =
** dL/d(pre-activation) of the output; gw += in d^T per tap, gb += d, and
** din += W d when din != NULL.  Encoder layers read W as stored, w
** [tap][cin][cout], and skip the output pixels where d is all zero; decoder
** layers read it transposed per tap, wt [tap][cout][cin]. */
typedef struct {
    const double *in, *d, *w;
    double       *gw, *gb, *din;
    int           cin, cout;
} flt_back;

/* Encoder: gb += d at output pixel p; taps only where d is not all zero. */
static bool enc_back_pos(void *ctx, size_t p)
{
    flt_back *c = ctx;
    const double *d = c->d + p * c->cout;
    bool any = false;
    for (int co = 0; co < c->cout; co++) {
        c->gb[co] += d[co];
        any |= d[co] != 0;
    }
    return any;
}

static void enc_back_tap(void *ctx, size_t p, size_t q, size_t t)
{
    flt_back *c = ctx;
    int cin = c->cin, cout = c->cout;
    const double *d = c->d + p * cout;
    size_t ib = q * cin, wb = t * cin * cout;
    for (int ci = 0; ci < cin; ci++) {
        double v = c->in[ib + ci];
        double *g = c->gw + wb + (size_t)ci * cout;
        const double *wc = c->w + wb + (size_t)ci * cout;
        if (v != 0)
            for (int co = 0; co < cout; co++)
                g[co] += v * d[co];
        if (c->din) {
            double s = 0;
            for (int co = 0; co < cout; co++)
                s += wc[co] * d[co];
            c->din[ib + ci] += s;
        }
    }
}

/* Decoder conv: gb += d at output pixel p (every pixel). */
static bool dec_back_pos(void *ctx, size_t p)
{
    flt_back *c = ctx;
    const double *d = c->d + p * c->cout;
    for (int co = 0; co < c->cout; co++)
        c->gb[co] += d[co];
    return true;
}

static void dec_back_tap(void *ctx, size_t p, size_t q, size_t t)
{
    flt_back *c = ctx;
    size_t wb = t * c->cin * c->cout;
    tap_back_any(c->in + q * c->cin, c->d + p * c->cout, c->w + wb, c->gw + wb,
                 c->din + q * c->cin, c->cin, c->cout);
}

/* Decoder conv-T: input pixel p, output pixel q. */
static void dec_backt_tap(void *ctx, size_t p, size_t q, size_t t)
{
    flt_back *c = ctx;
    size_t wb = t * c->cin * c->cout;
    tap_back_any(c->in + p * c->cin, c->d + q * c->cout, c->w + wb, c->gw + wb,
                 c->din + p * c->cin, c->cin, c->cout);
}

/* Backward of a conv/dense encoder layer: dacc (real units) -> grads of
** the weights (into gw, gb) and, if din, of the input. */
static void conv_dense_back(const trn_elayer *l, const double *w, const double *in,
                            const double *dacc, double *gw, double *gb, double *din)
{
    if (din)
        memset(din, 0, (size_t)l->n_in * sizeof(double));
    conv_win g = WIN_GATHER(l);
    flt_back c = { in, dacc, w, gw, gb, din, l->in.c, l->out.c };
    conv_walk(&g, enc_back_pos, enc_back_tap, &c);
}

/* ---- decoder (float) --------------------------------------------------- */

/* Float forward of decoder layer l with parameters th: out = act(layer(in)).
** in and out do not overlap. */
static void dlayer_forward(const trn_dlayer *l, const double *th, const double *in, double *out)
{
    const double *w = th + l->p_w, *b = th + l->p_b;
    int cin = l->in.c, cout = l->out.c;
    conv_win g;
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
        g = WIN_GATHER(l);
        conv_fwd(&g, cin, cout, in, w, b, out);
        break;
    case MDL_F_CONV2D_T: {
        for (int k = 0; k < l->n_out; k++)
            out[k] = b[k % cout];
        g = WIN_SCATTER(l);
        flt_conv c = { in, w, b, out, cin, cout };
        conv_walk(&g, NULL, flt_convt_tap, &c);
        break;
    }
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

/* Decoder layer backward: dpre = dL/d(pre-activation) of the output ->
** parameter gradients into grad (wt_all: trn__dec_transpose's weights) and
** the input gradient into din (overwritten, n_in entries). */
static void dlayer_backward(const trn_dlayer *l, const double *wt_all, const double *in,
                            const double *dpre, double *grad, double *din)
{
    const double *wt = wt_all + l->p_w;
    double *gw = grad + l->p_w, *gb = grad + l->p_b;
    int cin = l->in.c, cout = l->out.c;
    flt_back c = { in, dpre, wt, gw, gb, din, cin, cout };
    conv_win g;
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
        g = WIN_GATHER(l);
        conv_walk(&g, dec_back_pos, dec_back_tap, &c);
        return;
    case MDL_F_CONV2D_T:
        for (int k = 0; k < l->n_out; k++)
            gb[k % cout] += dpre[k];
        g = WIN_SCATTER(l);
        conv_walk(&g, NULL, dec_backt_tap, &c);
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

/* See trn_internal.h.  Converter, encoder (integer with qw, float without),
** latent truncation (STE mask in ws->mask_sent), the decoder conditions
** after the latents (mdl_cond_values on the sent sum code), the decoder,
** and the loss against the target of `target`; ws keeps every activation. */
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
    if (net->m->n_cond) {       /* decoder conditions after the latents (model.h) */
        double cv[MDL_MAX_COND];
        mdl_cond_values(net->m, mdl_sum_encode(&net->m->in, ws->sum), cv);
        memcpy(z + net->n_latent, cv, (size_t)net->m->n_cond * sizeof *cv);
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

/* See trn_internal.h.  From ws->gpred back through the decoder and the
** encoder (STE masks of the forward) into grad (added); stops at the first
** encoder layer with nothing trainable before it.  Uses ws->g0/g1. */
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
    /* g: the decoder input's gradient; the conditions' entries (after the
    ** latents) end here: nothing trainable lies before them. */
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
    assert(net->n_latent <= TRN_MAX_LATENT);
    for (int k = 0; k < net->n_latent; k++) {
        int sat;
        tr->latent[k] = ws->t[net->n_enc][k];
        tr->sent[k] = trn__quant(&net->qsent, tr->latent[k], &sat);
    }
    trn__ws_free(ws);
}
