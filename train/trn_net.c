/*
** trn_net.c — the trainable network: built from a model, parameters,
** quantized weights, export.  (Forward/backward passes: trn_pass.c.)
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/trn_internal.h"
#include "model/model_io.h"

static int64_t fmt_min(const fxp_fmt *f)
{ return f->is_signed ? -((int64_t)1 << (f->width - 1)) : 0; }
static int64_t fmt_max(const fxp_fmt *f)
{ return f->is_signed ? ((int64_t)1 << (f->width - 1)) - 1 : ((int64_t)1 << f->width) - 1; }

static int bits_for(long n)
{
    int b = 0;
    while ((1L << b) < n)
        b++;
    return b;
}

/* Sets up encoder layer i from the model; *f is the fractional bits of its
** input (updated to its output's), *w the input width (for overflow checks). */
static int build_elayer(trn_net *net, int i, int *f, int *w, size_t *np, rad_err *err)
{
    const mdl_layer *ml = &net->m->layers[i];
    trn_elayer *l = &net->enc[i];
    memset(l, 0, sizeof *l);
    l->kind = ml->kind;
    l->in = ml->in;
    l->out = ml->out;
    l->n_in = mdl_shape_size(ml->in);
    l->n_out = mdl_shape_size(ml->out);
    l->map = ml->map;
    l->f_in = *f;
    if (ml->kind == MDL_MAP || ml->kind == MDL_FLATTEN) {
        l->f_out = *f;
        l->s_out = ldexp(1.0, -l->f_out);
        return RAD_OK;
    }
    if (ml->act == MDL_ACT_SIGMOID)
        return rad_errf(err, RAD_ESCHEMA, "layers[%d] (%s): the trainer supports linear "
                        "or relu encoder activations, not sigmoid", i, ml->name);
    if (ml->w_fmt.width > 32 || ml->b_fmt.width > 32 || ml->out_fmt.width > 32
        || (ml->has_acc_fmt && ml->acc_fmt.width > 62))
        return rad_errf(err, RAD_ERANGE, "layers[%d] (%s): the trainer needs weight and "
                        "output formats of at most 32 bits", i, ml->name);
    l->k = ml->kind == MDL_DENSE ? (mdl_kernel){ .kh = 1, .kw = 1, .sh = 1, .sw = 1 } : ml->k;
    l->relu = ml->act == MDL_ACT_RELU;
    l->f_w = fxp_frac_bits(&ml->w_fmt);
    l->f_b = fxp_frac_bits(&ml->b_fmt);
    int f_acc = *f + l->f_w;
    l->b_shift = f_acc - l->f_b;
    if (l->b_shift < 0 || l->b_shift > 40)
        return rad_errf(err, RAD_ERANGE, "layers[%d] (%s): bias alignment shift %d "
                        "outside 0..40", i, ml->name, l->b_shift);
    long terms = (long)l->k.kh * l->k.kw * l->in.c + 1;
    int acc_bits = *w + ml->w_fmt.width + bits_for(terms) + 1;
    if (acc_bits > 62 || ml->b_fmt.width + l->b_shift > 62)
        return rad_errf(err, RAD_ERANGE, "layers[%d] (%s): accumulator of %d bits does "
                        "not fit the trainer's 64-bit integers", i, ml->name, acc_bits);
    l->has_acc = ml->has_acc_fmt;
    int f_src = f_acc;
    if (l->has_acc) {
        trn__qplan(&l->qacc, &ml->acc_fmt, f_acc);
        f_src = fxp_frac_bits(&ml->acc_fmt);
    }
    trn__qplan(&l->qout, &ml->out_fmt, f_src);
    l->f_out = fxp_frac_bits(&ml->out_fmt);
    l->s_out = ldexp(1.0, -l->f_out);
    l->wmin = fmt_min(&ml->w_fmt); l->wmax = fmt_max(&ml->w_fmt);
    l->bmin = fmt_min(&ml->b_fmt); l->bmax = fmt_max(&ml->b_fmt);
    l->w_bits = ml->w_fmt.width;
    l->b_bits = ml->b_fmt.width;
    l->n_w = ml->n_w;
    l->n_b = ml->n_b;
    l->p_w = *np;
    l->p_b = *np + l->n_w;
    *np += l->n_w + l->n_b;
    net->n_wbits += l->n_w * (size_t)l->w_bits + l->n_b * (size_t)l->b_bits;
    *f = l->f_out;
    *w = ml->out_fmt.width;
    return RAD_OK;
}

static void init_random(trn_net *net, uint64_t seed)
{
    uint64_t s = trn__rng_mix(seed, 0x696e6974);   /* "init" */
    double *th = net->theta;
    for (int i = 0; i < net->n_enc; i++) {
        const trn_elayer *l = &net->enc[i];
        if (!l->n_w)
            continue;
        /* He-uniform, kept inside the format (a ReLU network). */
        double fan_in = (double)l->k.kh * l->k.kw * l->in.c;
        double a = sqrt(6.0 / fan_in);
        double top = ldexp((double)l->wmax, -l->f_w), bot = ldexp((double)l->wmin, -l->f_w);
        for (size_t k = 0; k < l->n_w; k++) {
            double v = (2 * rad_rand_unit(&s) - 1) * a;
            th[l->p_w + k] = v > top ? top : v < bot ? bot : v;
        }
        for (size_t k = 0; k < l->n_b; k++)
            th[l->p_b + k] = 0;
    }
    for (int j = 0; j < net->n_dec; j++) {
        const trn_dlayer *l = &net->dec[j];
        if (!l->n_w)
            continue;
        double fan_in = (double)l->k.kh * l->k.kw * l->in.c, fan_out = (double)l->k.kh * l->k.kw * l->out.c;
        if (l->kind == MDL_F_DENSE) {
            fan_in = l->n_in;
            fan_out = l->out.c;
        }
        double a = sqrt(6.0 / (fan_in + fan_out));
        for (size_t k = 0; k < l->n_w; k++)
            th[l->p_w + k] = (2 * rad_rand_unit(&s) - 1) * a;
        for (size_t k = 0; k < l->n_b; k++)
            th[l->p_b + k] = 0;
    }
}

/* See trn.h.  Validates m, builds the trainer's view of it (encoder layers
** with their quantization plans, decoder, parameter offsets) on a private
** copy of the model, and draws the initial parameters from seed.  *out is
** owned by the caller (trn_net_free); NULL on error. */
int trn_net_new(const mdl_model *m, uint64_t seed, trn_net **out, rad_err *err)
{
    *out = NULL;
    int rc = mdl_validate(m, err);
    if (rc)
        return rc;
    if (m->n_dec < 1 || !m->dec_map)
        return rad_errf(err, RAD_ESCHEMA, "model '%s' has no decoder: training needs one", m->name);
    if (m->in.fmt.width > 32)
        return rad_errf(err, RAD_ERANGE, "input.fmt: the trainer needs at most 32 bits");
    trn_net *net = calloc(1, sizeof *net);
    if (!net || !(net->m = mdl_clone(m))) {
        free(net);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    net->n_cells = m->in.n_cells;
    if (net->n_cells == GEO_N_CELLS)
        trn__ot_kernel(net->ot_kernel);
    net->n_enc = m->n_layers;
    net->n_dec = m->n_dec;
    net->f_in = fxp_frac_bits(&m->in.fmt);
    net->dec_map = net->m->dec_map;
    int f = net->f_in, w = m->in.fmt.width;
    size_t np = 0;
    net->max_t = net->n_cells;
    for (int i = 0; i < net->n_enc; i++) {
        if ((rc = build_elayer(net, i, &f, &w, &np, err))) {
            trn_net_free(net);
            return rc;
        }
        if (net->enc[i].n_out > net->max_t)
            net->max_t = net->enc[i].n_out;
    }
    bool trainable = false;
    for (int i = 0; i < net->n_enc; i++) {
        net->enc[i].need_din = trainable;
        if (net->enc[i].n_w)
            trainable = true;
    }
    net->n_latent = net->enc[net->n_enc - 1].n_out;
    if (net->n_latent > TRN_MAX_LATENT) {
        int n = net->n_latent;
        trn_net_free(net);
        return rad_errf(err, RAD_ERANGE, "latent of %d values: the trainer allows %d", n,
                        TRN_MAX_LATENT);
    }
    fxp_fmt sf = mdl_latent_fmt(net->m);
    trn__qplan(&net->qsent, &sf, f);
    net->f_sent = fxp_frac_bits(&sf);
    for (int j = 0; j < net->n_dec; j++) {
        const mdl_flayer *ml = &m->dec[j];
        trn_dlayer *l = &net->dec[j];
        l->kind = ml->kind;
        l->in = ml->in;
        l->out = ml->out;
        l->n_in = mdl_shape_size(ml->in);
        l->n_out = mdl_shape_size(ml->out);
        l->k = ml->k;
        l->act = ml->act;
        l->n_w = ml->n_w;
        l->n_b = ml->n_b;
        l->p_w = np;
        l->p_b = np + l->n_w;
        np += l->n_w + l->n_b;
        if (l->n_out > net->max_t)
            net->max_t = l->n_out;
        if (l->n_in > net->max_t)
            net->max_t = l->n_in;
    }
    net->n_params = np;
    net->theta = calloc(np ? np : 1, sizeof(double));
    if (!net->theta || trn__qw_alloc(net, &net->qw)) {
        trn_net_free(net);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    init_random(net, seed);
    trn_net_sync(net);
    *out = net;
    return RAD_OK;
}

void trn_net_free(trn_net *net)
{
    if (!net)
        return;
    trn__qw_free(net, &net->qw);
    free(net->theta);
    mdl_free(net->m);
    free(net);
}

void trn_net_load_weights(trn_net *net, const mdl_model *m)
{
    for (int i = 0; i < net->n_enc; i++) {
        const trn_elayer *l = &net->enc[i];
        for (size_t k = 0; k < l->n_w; k++)
            net->theta[l->p_w + k] = ldexp((double)m->layers[i].w[k], -l->f_w);
        for (size_t k = 0; k < l->n_b; k++)
            net->theta[l->p_b + k] = ldexp((double)m->layers[i].b[k], -l->f_b);
    }
    for (int j = 0; j < net->n_dec; j++) {
        const trn_dlayer *l = &net->dec[j];
        for (size_t k = 0; k < l->n_w; k++)
            net->theta[l->p_w + k] = m->dec[j].w[k];
        for (size_t k = 0; k < l->n_b; k++)
            net->theta[l->p_b + k] = m->dec[j].b[k];
    }
    trn_net_sync(net);
}

int trn_net_export(const trn_net *net, mdl_model *m, rad_err *err)
{
    if (m->n_layers != net->n_enc || m->n_dec != net->n_dec)
        return rad_errf(err, RAD_ESCHEMA, "export: model structure differs from the trained one");
    for (int i = 0; i < net->n_enc; i++) {
        const trn_elayer *l = &net->enc[i];
        if (m->layers[i].n_w != l->n_w || m->layers[i].n_b != l->n_b)
            return rad_errf(err, RAD_ESCHEMA, "export: layers[%d] size differs", i);
        for (size_t k = 0; k < l->n_w; k++)
            m->layers[i].w[k] = net->qw.wq[i][k];
        for (size_t k = 0; k < l->n_b; k++)
            m->layers[i].b[k] = net->qw.bq[i][k];
    }
    for (int j = 0; j < net->n_dec; j++) {
        const trn_dlayer *l = &net->dec[j];
        if (m->dec[j].n_w != l->n_w || m->dec[j].n_b != l->n_b)
            return rad_errf(err, RAD_ESCHEMA, "export: decoder[%d] size differs", j);
        for (size_t k = 0; k < l->n_w; k++)
            m->dec[j].w[k] = (float)net->theta[l->p_w + k];
        for (size_t k = 0; k < l->n_b; k++)
            m->dec[j].b[k] = (float)net->theta[l->p_b + k];
    }
    return mdl_validate(m, err);
}

size_t  trn_net_n_params(const trn_net *net) { return net->n_params; }
double *trn_net_params(trn_net *net) { return net->theta; }
void    trn_net_sync(trn_net *net) { trn__qw_from_theta(net, &net->qw); }

/* ---- quantized weights ---------------------------------------------- */

int trn__qw_alloc(const trn_net *net, trn_qw *qw)
{
    memset(qw, 0, sizeof *qw);
    for (int i = 0; i < net->n_enc; i++) {
        const trn_elayer *l = &net->enc[i];
        if (!l->n_w)
            continue;
        qw->wq[i] = calloc(l->n_w, sizeof(int64_t));
        qw->bq[i] = calloc(l->n_b, sizeof(int64_t));
        qw->wr[i] = calloc(l->n_w, sizeof(double));
        qw->br[i] = calloc(l->n_b, sizeof(double));
        if (!qw->wq[i] || !qw->bq[i] || !qw->wr[i] || !qw->br[i]) {
            trn__qw_free(net, qw);
            return RAD_ENOMEM;
        }
    }
    return RAD_OK;
}

void trn__qw_free(const trn_net *net, trn_qw *qw)
{
    for (int i = 0; i < net->n_enc; i++) {
        free(qw->wq[i]); free(qw->bq[i]); free(qw->wr[i]); free(qw->br[i]);
        qw->wq[i] = qw->bq[i] = NULL;
        qw->wr[i] = qw->br[i] = NULL;
    }
}

/* Shadow -> raw: round half away from zero, saturate to the format. */
static int64_t quant_weight(double v, int f, int64_t lo, int64_t hi)
{
    double r = round(ldexp(v, f));
    if (!(r >= (double)lo))       /* also NaN */
        return lo;
    if (r > (double)hi)
        return hi;
    return (int64_t)r;
}

void trn__qw_from_theta(const trn_net *net, trn_qw *qw)
{
    for (int i = 0; i < net->n_enc; i++) {
        const trn_elayer *l = &net->enc[i];
        for (size_t k = 0; k < l->n_w; k++) {
            qw->wq[i][k] = quant_weight(net->theta[l->p_w + k], l->f_w, l->wmin, l->wmax);
            qw->wr[i][k] = ldexp((double)qw->wq[i][k], -l->f_w);
        }
        for (size_t k = 0; k < l->n_b; k++) {
            qw->bq[i][k] = quant_weight(net->theta[l->p_b + k], l->f_b, l->bmin, l->bmax);
            qw->br[i][k] = ldexp((double)qw->bq[i][k], -l->f_b);
        }
    }
}

void trn__qw_copy(const trn_net *net, trn_qw *dst, const trn_qw *src)
{
    for (int i = 0; i < net->n_enc; i++) {
        const trn_elayer *l = &net->enc[i];
        if (!l->n_w)
            continue;
        memcpy(dst->wq[i], src->wq[i], l->n_w * sizeof(int64_t));
        memcpy(dst->bq[i], src->bq[i], l->n_b * sizeof(int64_t));
        memcpy(dst->wr[i], src->wr[i], l->n_w * sizeof(double));
        memcpy(dst->br[i], src->br[i], l->n_b * sizeof(double));
    }
}

/* Flips bit `bit` of a W-bit two's-complement raw value. */
static int64_t flip(int64_t v, int bit, int w, bool sgn)
{
    uint64_t mask = w >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
    uint64_t u = ((uint64_t)v & mask) ^ ((uint64_t)1 << bit);
    if (sgn && (u >> (w - 1)) & 1)
        return (int64_t)(u | ~mask);
    return (int64_t)u;
}

/* See trn_internal.h.  Flips each raw encoder weight and bias bit of qw
** with probability p (geometric gaps between flips drawn from *rng),
** keeping the real values wr/br in step. */
void trn__qw_upset(const trn_net *net, trn_qw *qw, double p, uint64_t *rng)
{
    if (p <= 0)
        return;
    /* Geometric skips: the gap to the next flipped bit. */
    double lq = p < 1 ? log1p(-p) : -1e300;
    size_t pos = 0;
    for (;;) {
        double u = rad_rand_unit(rng);
        double gap = p < 1 ? floor(log1p(-u) / lq) : 0;
        if (gap > (double)net->n_wbits)
            return;
        pos += (size_t)gap;
        if (pos >= net->n_wbits)
            return;
        /* Locate the bit: layer by layer, kernel then bias. */
        size_t k = pos;
        for (int i = 0; i < net->n_enc; i++) {
            const trn_elayer *l = &net->enc[i];
            const mdl_layer *ml = &net->m->layers[i];
            size_t nwb = l->n_w * (size_t)l->w_bits, nbb = l->n_b * (size_t)l->b_bits;
            if (k < nwb) {
                size_t idx = k / l->w_bits;
                qw->wq[i][idx] = flip(qw->wq[i][idx], (int)(k % l->w_bits), l->w_bits,
                                      ml->w_fmt.is_signed);
                qw->wr[i][idx] = ldexp((double)qw->wq[i][idx], -l->f_w);
                break;
            }
            k -= nwb;
            if (k < nbb) {
                size_t idx = k / l->b_bits;
                qw->bq[i][idx] = flip(qw->bq[i][idx], (int)(k % l->b_bits), l->b_bits,
                                      ml->b_fmt.is_signed);
                qw->br[i][idx] = ldexp((double)qw->bq[i][idx], -l->f_b);
                break;
            }
            k -= nbb;
        }
        pos++;
    }
}

void trn__clip_shadow(trn_net *net)
{
    for (int i = 0; i < net->n_enc; i++) {
        const trn_elayer *l = &net->enc[i];
        if (!l->n_w)
            continue;
        double lo = ldexp((double)l->wmin - 0.49, -l->f_w), hi = ldexp((double)l->wmax + 0.49, -l->f_w);
        for (size_t k = 0; k < l->n_w; k++) {
            double *v = &net->theta[l->p_w + k];
            *v = *v < lo ? lo : *v > hi ? hi : *v;
        }
        lo = ldexp((double)l->bmin - 0.49, -l->f_b);
        hi = ldexp((double)l->bmax + 0.49, -l->f_b);
        for (size_t k = 0; k < l->n_b; k++) {
            double *v = &net->theta[l->p_b + k];
            *v = *v < lo ? lo : *v > hi ? hi : *v;
        }
    }
}
