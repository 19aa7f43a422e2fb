/*
** cg_plan.c — the hardware plan of a model, shared by the RTL and HLS
** emitters: which tensor elements are live (not constant zero), which MACs
** each neuron keeps, exact accumulator widths, and where the pipeline
** registers go.
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_int.h"
#include "model/model_io.h"

void cg_opts_default(cg_opts *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->top, sizeof o->top, "rad4ml_ae");
    o->weights = CG_WEIGHTS_REG;
    o->pipeline = 1;
    o->prot = CG_PROT_NONE;
    o->model_name = "built-in";
    o->weights_name = "built-in";
}

int cg_latency(const cg_opts *o)
{
    assert(!o->reuse[0]);              /* with reuse: cg_latency_of */
    return o->pipeline + 2;
}

static int set_top(cg_opts *o, const char *v, rad_err *err)
{
    static const char ident[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    if (!*v || strlen(v) >= sizeof o->top || strspn(v, ident) != strlen(v) || (*v >= '0' && *v <= '9'))
        return rad_errf(err, RAD_EUSAGE, "--top: '%s' is not a valid identifier", v);
    snprintf(o->top, sizeof o->top, "%s", v);
    return RAD_OK;
}

/* v as one of names[0..n-1] into *out (its index); RAD_EUSAGE naming
** the option and the choices otherwise. */
static int set_choice(const char *opt, const char *v, const char *const *names, int n, int *out,
                      rad_err *err)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i])) {
            *out = i;
            return RAD_OK;
        }
    char all[128] = "";
    for (int i = 0; i < n; i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i == 0 ? "" :
                 i == n - 1 ? " or " : ", ", names[i]);
    return rad_errf(err, RAD_EUSAGE, "--%s: '%s' is not %s", opt, v, all);
}

const char *cg_arith_name(cg_arith a)
{
    static const char *const names[] = { "tree", "csa", "booth", "fpga" };
    return names[a];
}

/* See cg.h: one option by its command-line name; RAD_EUSAGE with the
** reason for an unknown name or a bad value. */
int cg_opts_set(cg_opts *o, const char *name, const char *v, rad_err *err)
{
    static const char *const prot[] = { "none", "tmr", "secded" };
    static const char *const arith[] = { "tree", "csa", "booth", "fpga" };
    int i = 0, rc;
    if (!strcmp(name, "top"))
        return set_top(o, v, err);
    if (!strcmp(name, "weights-mode")) {
        if (!strcmp(v, "reg")) o->weights = CG_WEIGHTS_REG;
        else if (!strcmp(v, "const")) o->weights = CG_WEIGHTS_CONST;
        else return rad_errf(err, RAD_EUSAGE, "--weights-mode: '%s' is not reg or const", v);
        return RAD_OK;
    }
    if (!strcmp(name, "pipeline")) {
        char *end;
        long d = strtol(v, &end, 10);
        if (!*v || *end || d < 0 || d > CG_MAX_PIPELINE)
            return rad_errf(err, RAD_EUSAGE, "--pipeline: '%s' is not 0..%d", v, CG_MAX_PIPELINE);
        o->pipeline = (int)d;
        return RAD_OK;
    }
    if (!strcmp(name, "reuse"))
        return cg_reuse_set(o, v, err);
    if (!strcmp(name, "fpga-dsp")) {
        char *end;
        long d = strtol(v, &end, 10);
        if (!*v || *end || d < 0 || d > 100000)
            return rad_errf(err, RAD_EUSAGE, "--fpga-dsp: '%s' is not 0..100000", v);
        o->fpga_dsp = (int)d;
        return RAD_OK;
    }
    if (!strcmp(name, "protect")) {
        if (!(rc = set_choice("protect", v, prot, 3, &i, err)))
            o->prot = (cg_prot)i;
        return rc;
    }
    if (!strcmp(name, "arith")) {
        if (!(rc = set_choice("arith", v, arith, 4, &i, err)))
            o->arith = (cg_arith)i;
        return rc;
    }
    if (!strcmp(name, "protect-all")) {
        if (strcmp(v, "none") && strcmp(v, "tmr"))
            return rad_errf(err, RAD_EUSAGE, "--protect-all: '%s' is not none or tmr", v);
        o->tmr_all = !strcmp(v, "tmr");
        if (o->tmr_all && o->prot == CG_PROT_NONE)
            o->prot = CG_PROT_TMR;
        return RAD_OK;
    }
    return rad_errf(err, RAD_EUSAGE, "unknown generator option '%s'", name);
}

static int clog2(long long v)       /* bits to count 0..v-1; >= 1 */
{
    int b = 1;
    while ((1LL << b) < v)
        b++;
    return b;
}

int cg_sbits(__int128 lo, __int128 hi)
{
    int b = 1;
    while (b < 127 && (lo < -((__int128)1 << (b - 1)) || hi > ((__int128)1 << (b - 1)) - 1))
        b++;
    return b;
}

int cg_cfg_addr_width(const mdl_model *m)
{
    long long words = (long long)((mdl_i2c_bits(m) + 31) / 32);
    int aw = clog2(CG_CFG_WBASE + words);
    return aw < 5 ? 5 : aw;
}

void cg_layer_ident(const cg_plan *p, int li, char *buf, size_t len)
{
    char nm[48];
    size_t k = 0;
    for (const char *s = p->m->layers[li].name; *s && k + 1 < sizeof nm; s++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        nm[k++] = ok ? c : '_';
    }
    nm[k] = 0;
    snprintf(buf, len, "l%d_%s", li, nm);
}

void cg_prov(rad_prov *p, const mdl_model *m, const cg_opts *o, const char *kind)
{
    static const char *prot[] = { "none", "tmr", "secded" };
    rad_prov_init(p, kind, "gen");
    p->deterministic = true;           /* same inputs, same bytes: no date */
    mdl_prov_set(p, m);
    rad_prov_opt(p, "top", "%s", o->top);
    rad_prov_opt(p, "weights-mode", "%s", o->weights == CG_WEIGHTS_CONST ? "const" : "reg");
    rad_prov_opt(p, "pipeline", "%d", o->pipeline);
    rad_prov_opt(p, "latency", "%d", cg_latency_of(m, o));
    rad_prov_opt(p, "protect", "%s", prot[o->prot]);
    if (o->tmr_ctrl)
        rad_prov_opt(p, "tmr-control", "yes");
    if (o->tmr_all)
        rad_prov_opt(p, "protect-all", "tmr");
    if (o->arith != CG_ARITH_TREE)     /* tree: today's header, byte for byte */
        rad_prov_opt(p, "arith", "%s", cg_arith_name(o->arith));
    if (o->arith == CG_ARITH_FPGA && o->fpga_dsp > 0)
        rad_prov_opt(p, "fpga-dsp", "%d", o->fpga_dsp);
    if (o->reuse[0]) {
        rad_prov_opt(p, "reuse", "%s", o->reuse);
        rad_prov_opt(p, "interval", "%d", cg_interval(m, o));
    }
}

void cg_header(cg_buf *b, const mdl_model *m, const cg_opts *o, const char *pre,
               const char *what, const char *kind)
{
    cg_printf(b, "%s%s\n", pre, what);
    cg_printf(b, "%sGenerated by %s (rad4ml gen) -- do not edit by hand.\n", pre, CG_VERSION);
    rad_prov p;
    cg_prov(&p, m, o, kind);
    char *t = rad_prov_text_str(&p, pre);
    if (t)
        cg_printf(b, "%s", t);
    free(t);
}

void cg_plan_free(cg_plan *p)
{
    for (int i = 0; i <= MDL_MAX_LAYERS; i++) {
        free(p->t[i].live);
        free(p->t[i].bus);
    }
    for (int i = 0; i < MDL_MAX_LAYERS; i++) {
        for (int k = 0; k < p->lp[i].n_out; k++)
            free(p->lp[i].nr[k].taps);
        free(p->lp[i].nr);
        free(p->lp[i].reg);
    }
    memset(p, 0, sizeof *p);
}

static int tensor_alloc(cg_tensor *t, int n, fxp_fmt fmt)
{
    t->n = n;
    t->fmt = fmt;
    t->live = calloc((size_t)n, sizeof(bool));
    t->bus = calloc((size_t)n, sizeof(int));
    return t->live && t->bus ? 0 : -1;
}

static void tensor_index(cg_tensor *t)
{
    t->n_live = 0;
    for (int i = 0; i < t->n; i++)
        t->bus[i] = t->live[i] ? t->n_live++ : -1;
}

/* Taps of every output of a conv/dense layer: padding, constant-zero
** inputs and (with constant weights) zero weights are pruned. */
static int plan_taps(cg_plan *p, int li)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_tensor *in = &p->t[li];
    cg_lplan *lp = &p->lp[li];
    int n_out = mdl_shape_size(l->out);
    int kmax = l->kind == MDL_CONV2D ? l->k.kh * l->k.kw * l->in.c : mdl_shape_size(l->in);
    lp->n_out = n_out;
    lp->nr = calloc((size_t)n_out, sizeof(cg_neuron));
    if (!lp->nr)
        return -1;
    for (int o = 0; o < n_out; o++) {
        cg_neuron *nr = &lp->nr[o];
        int co = o % l->out.c;
        nr->bias = co;
        nr->taps = malloc((size_t)(kmax ? kmax : 1) * sizeof(cg_tap));
        if (!nr->taps)
            return -1;
        if (l->kind == MDL_DENSE) {
            for (int k = 0; k < kmax; k++) {
                int w = k * l->out.c + co;
                if (in->live[k] && (p->o.weights == CG_WEIGHTS_REG || l->w[w]))
                    nr->taps[nr->n_taps++] = (cg_tap){ k, w };
            }
            continue;
        }
        int oy = o / (l->out.w * l->out.c), ox = (o / l->out.c) % l->out.w;
        for (int ky = 0; ky < l->k.kh; ky++)
            for (int kx = 0; kx < l->k.kw; kx++)
                for (int ci = 0; ci < l->in.c; ci++) {
                    int iy = oy * l->k.sh + ky - l->k.pt, ix = ox * l->k.sw + kx - l->k.pl;
                    if (iy < 0 || iy >= l->in.h || ix < 0 || ix >= l->in.w)
                        continue;                           /* zero padding */
                    int i = (iy * l->in.w + ix) * l->in.c + ci;
                    int w = ((ky * l->k.kw + kx) * l->in.c + ci) * l->out.c + co;
                    if (in->live[i] && (p->o.weights == CG_WEIGHTS_REG || l->w[w]))
                        nr->taps[nr->n_taps++] = (cg_tap){ i, w };
                }
    }
    return 0;
}

void cg_neuron_range(const cg_plan *p, int li, int o, __int128 *lo_out, __int128 *hi_out)
{
    const mdl_layer *l = &p->m->layers[li];
    const fxp_fmt *fi = &p->t[li].fmt;
    const cg_lplan *lp = &p->lp[li];
    const cg_neuron *nr = &lp->nr[o];
    __int128 xlo = fxp_raw_min(fi), xhi = fxp_raw_max(fi);
    __int128 wlo = fxp_raw_min(&l->w_fmt), whi = fxp_raw_max(&l->w_fmt);
    __int128 lo = 0, hi = 0;
    for (int k = 0; k < nr->n_taps; k++) {
        __int128 a = wlo, b = whi;
        if (p->o.weights == CG_WEIGHTS_CONST)
            a = b = l->w[nr->taps[k].w];
        __int128 c[4] = { xlo * a, xlo * b, xhi * a, xhi * b };
        __int128 mn = c[0], mx = c[0];
        for (int j = 1; j < 4; j++) {
            mn = c[j] < mn ? c[j] : mn;
            mx = c[j] > mx ? c[j] : mx;
        }
        lo += mn;
        hi += mx;
    }
    __int128 bl = fxp_raw_min(&l->b_fmt), bh = fxp_raw_max(&l->b_fmt);
    if (p->o.weights == CG_WEIGHTS_CONST)
        bl = bh = l->b[nr->bias];
    *lo_out = lo + bl * ((__int128)1 << lp->bias_shift);
    *hi_out = hi + bh * ((__int128)1 << lp->bias_shift);
}

/* Exact accumulator width over every neuron (worst case over the formats
** with reconfigurable weights, over the actual weights with constants). */
static void plan_widths(cg_plan *p, int li)
{
    const mdl_layer *l = &p->m->layers[li];
    const fxp_fmt *fi = &p->t[li].fmt;
    cg_lplan *lp = &p->lp[li];
    lp->acc_frac = fxp_frac_bits(fi) + fxp_frac_bits(&l->w_fmt);
    lp->bias_shift = lp->acc_frac - fxp_frac_bits(&l->b_fmt);
    lp->prod_w = fi->width + !fi->is_signed + l->w_fmt.width + !l->w_fmt.is_signed;
    int accw = 1;
    lp->kmax = 0;
    for (int o = 0; o < lp->n_out; o++) {
        __int128 lo, hi;
        if (lp->nr[o].n_taps > lp->kmax)
            lp->kmax = lp->nr[o].n_taps;
        cg_neuron_range(p, li, o, &lo, &hi);
        int w = cg_sbits(lo, hi);
        accw = w > accw ? w : accw;
    }
    /* products are sign-extended into the tree: never narrower than them */
    lp->acc_w = accw > lp->prod_w ? accw : lp->prod_w;
    lp->levels = 0;
    while ((1 << lp->levels) < lp->kmax + 1)
        lp->levels++;
}

/* Pipeline slots in datapath order with a rough logic-depth cost each;
** the requested number of registers is spread evenly over that depth. */
typedef struct { int layer; int slot; int cost; } slot;

/* Chooses the registered slots of p (conv_reg, lp[].reg, n_regs,
** conv_regs_after) for p->o.pipeline registers and sets p->latency.
** Needs the widths and taps (plan_widths, plan_taps) already set; fails
** with RAD_ERANGE when more registers are asked than there are slots. */
static int plan_pipeline(cg_plan *p, rad_err *err)
{
    slot s[2 + MDL_MAX_LAYERS * 40];
    int n = 0, total = 0;
    total += clog2(p->m->in.n_cells + 1);
    s[n++] = (slot){ -1, 0, total };
    total += 4;
    s[n++] = (slot){ -1, 1, total };
    for (int li = 0; li < p->m->n_layers; li++) {
        const mdl_layer *l = &p->m->layers[li];
        cg_lplan *lp = &p->lp[li];
        if (l->kind != MDL_CONV2D && l->kind != MDL_DENSE)
            continue;
        lp->reg = calloc((size_t)lp->levels + 2, sizeof(bool));
        if (!lp->reg)
            return rad_errf(err, RAD_ENOMEM, "out of memory");
        if (lp->reuse > 1)
            continue;       /* sequential: its registers are its own */
        for (int k = 0; k <= lp->levels + 1; k++) {
            total += k == 0 ? 2 : k <= lp->levels ? 1 : 2;
            s[n++] = (slot){ li, k, total };
        }
    }
    total += 1;                                    /* latent formatter */
    int d = p->o.pipeline;
    if (d < 0 || d > n)
        return rad_errf(err, RAD_ERANGE,
                        "pipeline depth %d not in 0..%d (the register slots of this model%s)", d, n,
                        p->o.reuse[0] ? "; a layer with reuse > 1 offers none" : "");
    int prev = -1;
    for (int i = 1; i <= d; i++) {
        double target = (double)total * i / (d + 1);
        int best = -1;
        /* leave room for the stages still to place */
        for (int k = prev + 1; k <= n - (d - i) - 1; k++)
            if (best < 0 || __builtin_fabs(s[k].cost - target) < __builtin_fabs(s[best].cost - target))
                best = k;
        prev = best;
        if (s[best].layer < 0)
            p->conv_reg[s[best].slot] = true;
        else {
            p->lp[s[best].layer].reg[s[best].slot] = true;
            p->lp[s[best].layer].n_regs++;
            p->conv_regs_after++;
        }
    }
    /* layers with reuse R take R clocks each; where their crossings start */
    int stage = p->conv_reg[0] + p->conv_reg[1];
    p->latency = d + 2;
    p->interval = 1;
    for (int li = 0; li < p->m->n_layers; li++) {
        cg_lplan *lp = &p->lp[li];
        if (lp->reuse <= 1) {
            stage += lp->n_regs;
            continue;
        }
        lp->start = stage;
        stage += lp->reuse;
        p->conv_regs_after += lp->reuse;
        p->latency += lp->reuse;
        p->interval = lp->reuse > p->interval ? lp->reuse : p->interval;
    }
    if (p->o.arith == CG_ARITH_FPGA)
        cg_reuse_dsp_plan(p);
    return RAD_OK;
}

/* Builds the whole plan of m under o into p (tensors, live elements,
** taps, widths, pipeline slots, cfg geometry).  p owns its arrays (free
** with cg_plan_free, also after a failure); m must outlive p. */
int cg_plan_build(const mdl_model *m, const cg_opts *o, cg_plan *p, rad_err *err)
{
    memset(p, 0, sizeof *p);
    p->m = m;
    p->o = *o;
    if (m->n_layers < 1)
        return rad_errf(err, RAD_ESCHEMA, "model has no encoder layers");
    if (o->tmr_all && (o->weights != CG_WEIGHTS_REG || o->prot == CG_PROT_NONE))
        return rad_errf(err, RAD_EUSAGE, "--protect-all tmr needs --weights-mode reg and a "
                        "protected configuration (--protect tmr or secded, not none): every "
                        "flip-flop is protected");
    int rc = cg_reuse_check(m, o, err);
    if (rc)
        return rc;
    for (int li = 0; li < m->n_layers; li++)
        p->lp[li].reuse = cg_reuse_of(m, o, li);
    if (o->tmr_all && o->reuse[0])
        return rad_errf(err, RAD_EUSAGE, "--protect-all tmr with --reuse %s: not supported "
                        "(the reuse neurons' registers are not triplicated)", o->reuse);
    if (m->in.n_cells < 1 || m->in.charge_bits < 1 || m->in.charge_bits > 32)
        return rad_errf(err, RAD_ERANGE, "input: %d cells of %d bits not supported "
                        "(1..32 bits)", m->in.n_cells, m->in.charge_bits);
    if (tensor_alloc(&p->t[0], m->in.n_cells, m->in.fmt))
        goto oom;
    for (int i = 0; i < m->in.n_cells; i++)
        p->t[0].live[i] = true;
    tensor_index(&p->t[0]);
    for (int li = 0; li < m->n_layers; li++) {
        const mdl_layer *l = &m->layers[li];
        const cg_tensor *in = &p->t[li];
        cg_tensor *out = &p->t[li + 1];
        int n = mdl_shape_size(l->out);
        if (tensor_alloc(out, n, l->out_fmt))
            goto oom;
        switch (l->kind) {
        case MDL_MAP:
            for (int i = 0; i < n; i++)
                out->live[i] = l->map[i] >= 0 && in->live[l->map[i]];
            break;
        case MDL_FLATTEN:
            for (int i = 0; i < n; i++)
                out->live[i] = in->live[i];
            break;
        case MDL_CONV2D:
        case MDL_DENSE:
            if (l->act != MDL_ACT_LINEAR && l->act != MDL_ACT_RELU)
                return rad_errf(err, RAD_ESCHEMA, "layers[%d] (%s): activation %s has no "
                                "hardware form (linear or relu only)", li, l->name,
                                mdl_act_name(l->act));
            if (plan_taps(p, li))
                goto oom;
            plan_widths(p, li);
            for (int i = 0; i < n; i++)
                out->live[i] = true;
            break;
        }
        tensor_index(out);
    }
    const cg_tensor *last = &p->t[m->n_layers];
    if (last->n_live != last->n)
        return rad_errf(err, RAD_ESCHEMA, "the last encoder layer has constant-zero outputs "
                        "(end the encoder with conv2d or dense)");
    /* image offsets, in mdl_i2c_pack order */
    size_t off = 0;
    for (int li = 0; li < m->n_layers; li++) {
        const mdl_layer *l = &m->layers[li];
        p->lp[li].w_off = off;
        off += l->n_w * (size_t)l->w_fmt.width;
        p->lp[li].b_off = off;
        off += l->n_b * (size_t)l->b_fmt.width;
    }
    p->img_bits = off;
    p->img_words = (int)((off + 31) / 32);
    {
        __int128 mx = (__int128)m->in.n_cells * ((((__int128)1) << m->in.charge_bits) - 1);
        p->sum_w = 1;
        while (p->sum_w < 127 && (((__int128)1) << p->sum_w) <= mx)
            p->sum_w++;
    }
    p->msb_w = clog2(p->sum_w);
    p->code_w = m->in.sum_exp_bits + m->in.sum_mant_bits;
    if (m->in.sum_mant_bits < 1 || p->code_w > 32)
        return rad_errf(err, RAD_ERANGE, "input: module-sum float %dE%dM not supported",
                        m->in.sum_exp_bits, m->in.sum_mant_bits);
    p->links_w = 4;
    p->cfg_aw = cg_cfg_addr_width(m);
    p->lat_w = last->fmt.width;
    p->n_lat = last->n;
    return plan_pipeline(p, err);
oom:
    return rad_errf(err, RAD_ENOMEM, "out of memory while planning the hardware");
}
