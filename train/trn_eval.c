/*
** trn_eval.c — the EMD table printed at the end of training: the model
** through the reference engine (integer encode, float decode, CALQ units)
** against best choice and super trigger cells at the same output links.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/trn_internal.h"
#include "engine/engine.h"
#include "algo/emd.h"
#include "algo/baseline.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(const double *v, size_t n, double q)
{
    double x = q * (double)(n - 1);
    size_t i = (size_t)x;
    return i + 1 < n ? v[i] + (x - (double)i) * (v[i + 1] - v[i]) : v[n - 1];
}

/* Fills the statistics of row r from per-crossing EMDs (undefined < 0 dropped). */
static void summarize(trn_emd_row *r, double *e, size_t n)
{
    size_t m = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (e[i] >= 0) {
            e[m++] = e[i];
            sum += e[i];
        }
    r->n = m;
    if (!m) {
        r->median = r->p16 = r->p84 = r->mean = -1;
        return;
    }
    qsort(e, m, sizeof(double), cmp_double);
    r->median = quantile(e, m, 0.5);
    r->p16 = quantile(e, m, 0.16);
    r->p84 = quantile(e, m, 0.84);
    r->mean = sum / (double)m;
}

static int ae_row(const mdl_model *m, const dat_set *set, emd_ctx *ctx, double *e,
                  trn_emd_row *r, rad_err *err)
{
    eng_plan *plan = NULL;
    int rc = eng_compile(m, &plan, err);
    if (rc)
        return rc;
    float cells[MDL_MAX_CELLS];
    double a[MDL_MAX_CELLS], b[MDL_MAX_CELLS];
    eng_out o;
    for (size_t k = 0; k < set->n && rc == RAD_OK; k++) {
        const uint32_t *q = dat_row(set, k);
        eng_encode(plan, q, &o);
        rc = eng_decode(m, &o, cells, err);
        for (int i = 0; i < set->n_cells; i++) {
            a[i] = q[i];
            b[i] = cells[i] > 0 ? cells[i] : 0;    /* a charge is never negative */
        }
        e[k] = emd_compute(ctx, a, b);
    }
    eng_free(plan);
    snprintf(r->name, sizeof r->name, "autoencoder (%d-bit latents)", mdl_latent_bits(m));
    /* latents + module sum + the packet header, counted as for the baselines */
    r->bits = mdl_latent_count(m) * mdl_latent_bits(m) + m->in.sum_exp_bits
            + m->in.sum_mant_bits + BL_HEADER_BITS;
    r->fits = true;
    summarize(r, e, set->n);
    return rc;
}

static void bl_row(const bl_config *cfg, int links, const dat_set *set, emd_ctx *ctx,
                   double *e, trn_emd_row *r)
{
    uint32_t rec[GEO_N_CELLS];
    double bits = 0;
    for (size_t k = 0; k < set->n; k++) {
        const uint32_t *q = dat_row(set, k);
        bits += bl_run(cfg, q, rec);
        e[k] = emd_compute_u32(ctx, q, rec);
    }
    bl_describe(cfg, r->name, (int)sizeof r->name);
    r->bits = bl_fixed_bits(cfg);
    if (r->bits < 0)
        r->bits = (int)lround(bits / (double)(set->n ? set->n : 1));
    r->fits = cfg->kind != BL_THRESHOLD && bl_fixed_bits(cfg) <= BL_LINK_BITS * links;
    summarize(r, e, set->n);
}

int trn_emd_table(const mdl_model *m, const dat_set *set,
                  trn_emd_row *rows, int max_rows, rad_err *err)
{
    if (set->n_cells != GEO_N_CELLS || m->in.n_cells != GEO_N_CELLS)
        return -rad_errf(err, RAD_ESCHEMA, "EMD table: needs 48-cell LD modules");
    if (!set->n || max_rows < 5)
        return -rad_errf(err, RAD_ERANGE, "EMD table: empty set");
    emd_ctx *ctx = emd_new_ld();
    double *e = malloc(set->n * sizeof(double));
    if (!ctx || !e) {
        emd_free(ctx);
        free(e);
        return -rad_errf(err, RAD_ENOMEM, "EMD table: out of memory");
    }
    int n = 0, links = m->out.n_links, rc;
    if ((rc = ae_row(m, set, ctx, e, &rows[n++], err))) {
        emd_free(ctx);
        free(e);
        return -rc;
    }
    static const bl_kind kinds[] = { BL_BC, BL_STC4, BL_STC16, BL_THRESHOLD };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        bl_config cfg = bl_plan(kinds[k], links, 1);
        bl_row(&cfg, links, set, ctx, e, &rows[n++]);
    }
    emd_free(ctx);
    free(e);
    return n;
}

double trn_emd_median(const mdl_model *m, const dat_set *set, rad_err *err)
{
    if (set->n_cells != GEO_N_CELLS || !set->n)
        return -rad_errf(err, RAD_ESCHEMA, "EMD: needs 48-cell LD modules");
    emd_ctx *ctx = emd_new_ld();
    double *e = malloc(set->n * sizeof(double));
    trn_emd_row r;
    int rc = ctx && e ? ae_row(m, set, ctx, e, &r, err) : RAD_ENOMEM;
    emd_free(ctx);
    free(e);
    return rc ? -1 : r.median;
}

long trn_upset_model(mdl_model *m, double p, uint64_t seed)
{
    uint64_t s = trn__rng_mix(seed, 0x7570736574);    /* "upset" */
    long n = 0;
    for (int i = 0; i < m->n_layers; i++) {
        mdl_layer *l = &m->layers[i];
        for (int part = 0; part < 2; part++) {
            int64_t *v = part ? l->b : l->w;
            size_t cnt = part ? l->n_b : l->n_w;
            const fxp_fmt *f = part ? &l->b_fmt : &l->w_fmt;
            for (size_t k = 0; k < cnt; k++)
                for (int bit = 0; bit < f->width; bit++)
                    if (rad_rand_unit(&s) < p) {
                        uint64_t mask = ((uint64_t)1 << f->width) - 1;
                        uint64_t u = ((uint64_t)v[k] & mask) ^ ((uint64_t)1 << bit);
                        v[k] = f->is_signed && (u >> (f->width - 1)) & 1
                             ? (int64_t)(u | ~mask) : (int64_t)u;
                        n++;
                    }
        }
    }
    return n;
}
