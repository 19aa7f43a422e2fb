/*
** cg_hls.c — HLS C from the templates in hls_templates/ (hls.c.tpl,
** hls.h.tpl).  The templates are compiled into the library (build rule in
** codegen/module.mk); a template directory given at run time overrides
** them.  This file only computes the values the placeholders take.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_int.h"
#include "common/rad_file.h"
#include "model/model_io.h"

extern const unsigned char cg__tpl_hls_c[];
extern const unsigned char cg__tpl_hls_h[];

#define HLS_MAX_BITS 62   /* every intermediate must fit int64_t with margin */

static const char *ctype(int w, bool s)
{
    if (w <= 8)  return s ? "int8_t" : "uint8_t";
    if (w <= 16) return s ? "int16_t" : "uint16_t";
    if (w <= 32) return s ? "int32_t" : "uint32_t";
    return s ? "int64_t" : "uint64_t";
}

static const char *qname[] = { "RQ_TRN", "RQ_TRN_ZERO", "RQ_RND", "RQ_RND_ZERO",
                               "RQ_RND_MIN_INF", "RQ_RND_INF", "RQ_RND_CONV" };
static const char *oname[] = { "RQ_WRAP", "RQ_SAT", "RQ_SAT_ZERO", "RQ_SAT_SYM" };

/* "w, sgn, qm, om, n" arguments of rq_quantize for a format. */
static void fmt_args(char *buf, size_t len, const fxp_fmt *f)
{
    snprintf(buf, len, "%d, %d, %s, %s, %d", f->width, f->is_signed ? 1 : 0, qname[f->qmode],
             oname[f->omode], f->sat_bits);
}

static int check_fits(const cg_plan *p, rad_err *err)
{
    const mdl_model *m = p->m;
    if (m->in.charge_bits + (fxp_frac_bits(&m->in.fmt) > 0 ? fxp_frac_bits(&m->in.fmt) : 0) > HLS_MAX_BITS ||
        p->sum_w > 63 || m->in.fmt.width > HLS_MAX_BITS)
        return rad_errf(err, RAD_ERANGE, "input: too wide for the int64 HLS C");
    for (int li = 0; li < m->n_layers; li++) {
        const mdl_layer *l = &m->layers[li];
        if (l->out_fmt.width > HLS_MAX_BITS)
            return rad_errf(err, RAD_ERANGE, "layers[%d] (%s): output wider than %d bits, "
                            "too wide for the int64 HLS C", li, l->name, HLS_MAX_BITS);
        if (l->kind != MDL_CONV2D && l->kind != MDL_DENSE)
            continue;
        const cg_lplan *lp = &p->lp[li];
        int d1 = lp->acc_frac - fxp_frac_bits(l->has_acc_fmt ? &l->acc_fmt : &l->out_fmt);
        if (lp->acc_w + (d1 < 0 ? -d1 : 0) > HLS_MAX_BITS || l->w_fmt.width > 32 ||
            l->b_fmt.width > 32 || (l->has_acc_fmt && l->acc_fmt.width > HLS_MAX_BITS))
            return rad_errf(err, RAD_ERANGE, "layers[%d] (%s): accumulator of %d bits is too "
                            "wide for the int64 HLS C", li, l->name, lp->acc_w);
    }
    return RAD_OK;
}

static void int_list(cg_buf *b, const int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cg_printf(b, "%s%lld%s", i % 16 == 0 ? "    " : "", (long long)v[i],
                  i + 1 == n ? "" : (i % 16 == 15 ? ",\n" : ", "));
}

static char *buf_take(cg_buf *b) { return b->p ? b->p : (char *)""; }

static void post_code(cg_buf *b, const mdl_layer *l, const cg_lplan *lp, const char *ind)
{
    char fa[128];
    int f = lp->acc_frac;
    if (l->has_acc_fmt) {
        fmt_args(fa, sizeof fa, &l->acc_fmt);
        cg_printf(b, "%sa = rq_quantize(a, %d, %s);   /* accumulator format */\n", ind,
                  f - fxp_frac_bits(&l->acc_fmt), fa);
        f = fxp_frac_bits(&l->acc_fmt);
    }
    if (l->act == MDL_ACT_RELU)
        cg_printf(b, "%sif (a < 0)\n%s    a = 0;                           /* ReLU */\n", ind, ind);
    fmt_args(fa, sizeof fa, &l->out_fmt);
    cg_printf(b, "%sa = rq_quantize(a, %d, %s);", ind, f - fxp_frac_bits(&l->out_fmt), fa);
}

/* Scope values of the whole file: header, names, input format, converter. */
static void fill_globals(const cg_plan *p, cg_scope *s)
{
    const mdl_model *m = p->m;
    const cg_opts *o = &p->o;
    char up[64], fa[128];
    size_t k;
    for (k = 0; o->top[k] && k + 1 < sizeof up; k++)
        up[k] = (char)(o->top[k] >= 'a' && o->top[k] <= 'z' ? o->top[k] - 32 : o->top[k]);
    up[k] = 0;
    cg_buf hdr = { 0 };
    cg_header(&hdr, p->m, o, " * ", "HLS C of the encoder block", "hls");
    if (hdr.n && hdr.p[hdr.n - 1] == '\n')
        hdr.p[--hdr.n] = 0;
    cg_set(s, "header", "%s", buf_take(&hdr));
    cg_buf_free(&hdr);
    cg_set(s, "top", "%s", o->top);
    cg_set(s, "TOP", "%s", up);
    cg_set(s, "n_cells", "%d", m->in.n_cells);
    cg_set(s, "ii", "%d", p->interval);
    if (p->interval > 1)
        cg_set(s, "target", "one crossing every %d clocks (II = %d; gen --reuse)", p->interval,
               p->interval);
    else
        cg_set(s, "target", "one crossing per clock (II = 1)");
    cg_set(s, "charge_bits", "%d", m->in.charge_bits);
    cg_set(s, "q_mask", "0x%llx", (1ULL << m->in.charge_bits) - 1);
    cg_set(s, "n_lat", "%d", p->n_lat);
    cg_set(s, "def_links", "%d", m->out.n_links);
    cg_set(s, "sum_e", "%d", m->in.sum_exp_bits);
    cg_set(s, "sum_m", "%d", m->in.sum_mant_bits);
    cg_set(s, "x_t", "%s", ctype(m->in.fmt.width, m->in.fmt.is_signed));
    cg_set(s, "x_frac", "%d", fxp_frac_bits(&m->in.fmt));
    fmt_args(fa, sizeof fa, &m->in.fmt);
    cg_set(s, "x_fmt", "%s", fa);
    if (m->in.norm == MDL_NORM_MSB)
        cg_set(s, "norm_shift", "msb");
    else
        cg_set(s, "norm_shift", "%d", m->in.charge_frac);
    int accw = 1;
    for (int li = 0; li < m->n_layers; li++)
        accw = p->lp[li].acc_w > accw ? p->lp[li].acc_w : accw;
    cg_set(s, "acc_t", "%s", accw <= 31 ? "int32_t" : "int64_t");
    for (int i = 0; i <= m->n_layers; i++) {
        cg_scope *t = cg_block(s, "tensor");
        cg_set(t, "t", "%s", ctype(p->t[i].fmt.width, p->t[i].fmt.is_signed));
        cg_set(t, "i", "%d", i);
        cg_set(t, "n", "%d", p->t[i].n);
    }
}

/* The conv/dense values of layer li's block b: types, sizes, post-
** processing code, the convolution geometry. */
static void fill_mac(const cg_plan *p, int li, cg_scope *b)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_lplan *lp = &p->lp[li];
    cg_set(b, "w_t", "%s", ctype(l->w_fmt.width, l->w_fmt.is_signed));
    cg_set(b, "b_t", "%s", ctype(l->b_fmt.width, l->b_fmt.is_signed));
    cg_set(b, "n_w", "%zu", l->n_w);
    cg_set(b, "n_b", "%zu", l->n_b);
    cg_set(b, "bias_shift", "%d", lp->bias_shift);
    cg_set(b, "act", "%s", mdl_act_name(l->act));
    cg_buf post = { 0 };
    post_code(&post, l, lp, l->kind == MDL_CONV2D ? "                " : "        ");
    cg_set(b, "post", "%s", buf_take(&post));
    cg_buf_free(&post);
    if (lp->reuse > 1) {            /* gen --reuse: hls4ml-style allocation */
        long mults = 0, prods = 0;
        for (int o = 0; o < lp->n_out; o++) {
            prods += lp->nr[o].n_taps;
            mults += (lp->nr[o].n_taps + lp->reuse - 1) / lp->reuse;
        }
        cg_scope *r = cg_block(b, "reuse");
        cg_set(r, "r", "%d", lp->reuse);
        cg_set(r, "mults", "%ld", mults);
        cg_set(r, "prods", "%ld", prods);
    }
    if (l->kind != MDL_CONV2D)
        return;
    cg_set(b, "kh", "%d", l->k.kh);  cg_set(b, "kw", "%d", l->k.kw);
    cg_set(b, "sh", "%d", l->k.sh);  cg_set(b, "sw", "%d", l->k.sw);
    cg_set(b, "pt", "%d", l->k.pt);  cg_set(b, "pl", "%d", l->k.pl);
    cg_set(b, "in_h", "%d", l->in.h);  cg_set(b, "in_w", "%d", l->in.w);
    cg_set(b, "cin", "%d", l->in.c);
    cg_set(b, "out_h", "%d", l->out.h);  cg_set(b, "out_w", "%d", l->out.w);
    cg_set(b, "cout", "%d", l->out.c);
}

/* The weights of conv/dense layer li (number k of those): a compiled-in
** table with constant weights, else function arguments (appended to wargs). */
static void fill_weights(const cg_plan *p, int li, int k, cg_scope *s, cg_buf *wargs)
{
    const mdl_layer *l = &p->m->layers[li];
    bool cst = p->o.weights == CG_WEIGHTS_CONST;
    char fn[80];
    cg_layer_ident(p, li, fn, sizeof fn);
    cg_scope *w = cg_block(s, cst ? "wtable" : "wparam");
    cg_set(w, "fn", "%s", fn);
    cg_set(w, "name", "%s", l->name);
    cg_set(w, "w_t", "%s", ctype(l->w_fmt.width, l->w_fmt.is_signed));
    cg_set(w, "b_t", "%s", ctype(l->b_fmt.width, l->b_fmt.is_signed));
    cg_set(w, "n_w", "%zu", l->n_w);
    cg_set(w, "n_b", "%zu", l->n_b);
    cg_set(w, "k", "%d", k);
    if (!cst) {
        cg_printf(wargs, "%s_w, %s_b, ", fn, fn);
        return;
    }
    cg_buf v = { 0 };
    int_list(&v, l->w, l->n_w);
    cg_set(w, "wvals", "%s", buf_take(&v));
    cg_buf_free(&v);
    int_list(&v, l->b, l->n_b);
    cg_set(w, "bvals", "%s", buf_take(&v));
    cg_buf_free(&v);
}

/* Layer li's block (map / flatten / conv / dense) and its call in the top
** function.  -1 on out of memory. */
static int fill_layer(const cg_plan *p, int li, cg_scope *s)
{
    const mdl_layer *l = &p->m->layers[li];
    const cg_tensor *in = &p->t[li], *out = &p->t[li + 1];
    char fn[80];
    cg_layer_ident(p, li, fn, sizeof fn);
    const char *kind = l->kind == MDL_MAP ? "map" : l->kind == MDL_FLATTEN ? "flatten" :
                       l->kind == MDL_CONV2D ? "conv" : "dense";
    cg_scope *b = cg_block(s, kind);
    cg_set(b, "name", "%s", l->name);
    cg_set(b, "fn", "%s", fn);
    cg_set(b, "in_t", "%s", ctype(in->fmt.width, in->fmt.is_signed));
    cg_set(b, "out_t", "%s", ctype(out->fmt.width, out->fmt.is_signed));
    cg_set(b, "n_in", "%d", in->n);
    cg_set(b, "n_out", "%d", out->n);
    cg_scope *c = cg_block(s, "call");
    bool mac = l->kind == MDL_CONV2D || l->kind == MDL_DENSE;
    if (mac)
        cg_set(c, "call", "%s(t%d, %s_w, %s_b, t%d);", fn, li, fn, fn, li + 1);
    else
        cg_set(c, "call", "%s(t%d, t%d);", fn, li, li + 1);
    if (mac)
        fill_mac(p, li, b);
    if (l->kind != MDL_MAP)
        return 0;
    int64_t *tmp = malloc((size_t)out->n * sizeof *tmp);
    if (!tmp)
        return -1;
    for (int i = 0; i < out->n; i++)
        tmp[i] = l->map[i];
    cg_buf iv = { 0 };
    int_list(&iv, tmp, (size_t)out->n);
    free(tmp);
    cg_set(b, "idx", "%s", buf_take(&iv));
    cg_buf_free(&iv);
    return 0;
}

/* The latent output: width, signedness, bits-by-links table and default. */
static void fill_latent(const cg_plan *p, cg_scope *s)
{
    const mdl_model *m = p->m;
    const fxp_fmt *lf = &p->t[m->n_layers].fmt;
    cg_set(s, "last", "%d", m->n_layers);
    cg_set(s, "lat_w", "%d", lf->width);
    cg_set(s, "lat_signed", "%d", lf->is_signed ? 1 : 0);
    cg_buf bt = { 0 };
    int def = 0;
    for (int i = 0; i <= MDL_MAX_LINKS; i++) {
        int v = m->out.bits_by_links[i];
        v = i == 0 || v < 1 ? 0 : v < lf->width ? v : lf->width;
        if (i == m->out.n_links)
            def = v;
        cg_printf(&bt, "%d%s", v, i < MDL_MAX_LINKS ? ", " : "");
    }
    cg_set(s, "bits_tab", "%s", buf_take(&bt));
    cg_buf_free(&bt);
    cg_set(s, "n_links_tab", "%d", MDL_MAX_LINKS + 1);
    cg_set(s, "def_bits", "%d", def);
}

/* Every value of the HLS templates for plan p, into scope s (owned by the
** caller).  -1 on out of memory (s then incomplete). */
static int fill_scope(const cg_plan *p, cg_scope *s)
{
    const mdl_model *m = p->m;
    cg_buf wargs = { 0 };
    int nwl = 0, rc = 0;
    fill_globals(p, s);
    for (int li = 0; li < m->n_layers && !rc; li++) {
        rc = fill_layer(p, li, s);
        if (m->layers[li].kind == MDL_CONV2D || m->layers[li].kind == MDL_DENSE)
            fill_weights(p, li, nwl++, s, &wargs);
    }
    cg_set(s, "wargs", "%s", buf_take(&wargs));
    cg_buf_free(&wargs);
    cg_set(s, "n_wlayers", "%d", nwl);
    fill_latent(p, s);
    return rc;
}

static int load_tpl(const char *dir, const char *file, const unsigned char *builtin,
                    char **text, rad_err *err)
{
    if (!dir) {
        *text = strdup((const char *)builtin);
        return *text ? RAD_OK : rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return rad_read_all(path, text, &len, err);
}

int cg_gen_hls(const mdl_model *m, const cg_opts *o, const char *tpl_dir, const char *dir,
               rad_err *err)
{
    cg_plan p;
    int rc = cg_plan_build(m, o, &p, err);
    if (!rc)
        rc = check_fits(&p, err);
    cg_scope *s = NULL;
    char *tc = NULL, *th = NULL;
    cg_buf bc = { 0 }, bh = { 0 };
    if (!rc && (!(s = cg_scope_new()) || fill_scope(&p, s)))
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!rc)
        rc = load_tpl(tpl_dir, "hls.c.tpl", cg__tpl_hls_c, &tc, err);
    if (!rc)
        rc = load_tpl(tpl_dir, "hls.h.tpl", cg__tpl_hls_h, &th, err);
    if (!rc)
        rc = cg_tpl_render(tc, "hls.c.tpl", s, &bc, err);
    if (!rc)
        rc = cg_tpl_render(th, "hls.h.tpl", s, &bh, err);
    char path[4096];
    if (!rc) {
        snprintf(path, sizeof path, "%s/%s_hls.c", dir, o->top);
        rc = cg_buf_write(&bc, path, err);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/%s_hls.h", dir, o->top);
        rc = cg_buf_write(&bh, path, err);
    }
    cg_buf_free(&bc);
    cg_buf_free(&bh);
    free(tc);
    free(th);
    cg_scope_free(s);
    cg_plan_free(&p);
    return rc;
}
