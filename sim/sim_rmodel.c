/*
** sim_rmodel.c — small random models for the generator regressions: random
** converter settings, shapes, strides, paddings, zero-mapped positions,
** and every rounding / overflow mode in the fixed-point formats, so that
** the generated RTL and HLS C are checked far beyond the ECON-T model.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_hash.h"
#include "model/model_io.h"
#include "sim/sim.h"

static int rr(uint64_t *s, int lo, int hi)
{
    return lo + (int)(rad_splitmix64(s) % (uint64_t)(hi - lo + 1));
}

static fxp_fmt rfmt(uint64_t *s, int wlo, int whi, int ilo, int ihi, int sgn)
{
    fxp_fmt f = fxp_format(rr(s, wlo, whi), rr(s, ilo, ihi), sgn < 0 ? rr(s, 0, 1) : sgn);
    f.qmode = (fxp_qmode)rr(s, 0, 6);
    f.omode = (fxp_omode)rr(s, 0, 3);
    if (f.omode == FXP_WRAP && rr(s, 0, 2) == 0)
        f.sat_bits = rr(s, 1, f.width);
    return f;
}

/* Fills m (zeroed by the caller) with one random model drawn from the stream
** s: converter, layer shapes, kernels, strides, paddings, zero-mapped
** positions and formats in every rounding / overflow mode; then validates
** it.  m owns what it allocates (mdl_free).  RAD_OK or the reason. */
static int build(uint64_t *s, mdl_model *m, rad_err *err)
{
    snprintf(m->name, sizeof m->name, "random");
    m->in.n_cells = rr(s, 3, 24);
    m->in.charge_bits = rr(s, 4, 22);
    m->in.norm = rr(s, 0, 3) ? MDL_NORM_MSB : MDL_NORM_NONE;
    m->in.fmt = rfmt(s, 3, 10, -1, 4, rr(s, 0, 4) == 0);
    if (m->in.norm == MDL_NORM_NONE)
        m->in.fmt.int_bits = rr(s, m->in.fmt.width - 2, m->in.fmt.width + 20);
    m->in.sum_exp_bits = rr(s, 2, 5);
    m->in.sum_mant_bits = rr(s, 2, 5);
    /* half of the unnormalized models read their charges with fraction
    ** bits (as imported models do); derived, not drawn, so that the
    ** random stream and the other models stay as they were */
    if (m->in.norm == MDL_NORM_NONE && (m->in.sum_exp_bits & 1)) {
        m->in.charge_frac = m->in.charge_bits / 2;
        m->in.fmt.int_bits -= m->in.charge_frac;
    }
    int h = rr(s, 2, 5), w = rr(s, 2, 5), c = rr(s, 1, 2);
    int n = 0;
    mdl_layer *l = &m->layers[n++];
    l->kind = MDL_MAP;
    snprintf(l->name, sizeof l->name, "map");
    l->out = (mdl_shape){ h, w, c };
    l->map = malloc((size_t)(h * w * c) * sizeof(int));
    if (!l->map)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    for (int i = 0; i < h * w * c; i++)
        l->map[i] = rr(s, 0, 4) == 0 ? -1 : rr(s, 0, m->in.n_cells - 1);
    int n_mac = rr(s, 1, 2);
    for (int k = 0; k < n_mac; k++) {
        l = &m->layers[n++];
        bool conv = k == 0 ? rr(s, 0, 3) != 0 : false;
        if (!conv && k == 0) {
            l->kind = MDL_FLATTEN;
            snprintf(l->name, sizeof l->name, "flat");
            l = &m->layers[n++];
        }
        if (conv) {
            l->kind = MDL_CONV2D;
            snprintf(l->name, sizeof l->name, "conv%d", k);
            l->k.kh = rr(s, 1, 3); l->k.kw = rr(s, 1, 3);
            l->k.sh = rr(s, 1, 2); l->k.sw = rr(s, 1, 2);
            l->k.pt = rr(s, 0, 1); l->k.pl = rr(s, 0, 1);
            l->k.pb = rr(s, 0, 1); l->k.pr = rr(s, 0, 1);
            l->out.c = rr(s, 1, 3);
        } else {
            if (k > 0) {
                l->kind = MDL_FLATTEN;
                snprintf(l->name, sizeof l->name, "flat%d", k);
                l = &m->layers[n++];
            }
            l->kind = MDL_DENSE;
            snprintf(l->name, sizeof l->name, "dense%d", k);
            l->out.c = rr(s, 1, 6);
        }
        l->w_fmt = rfmt(s, 2, 8, -1, 3, -1);
        l->w_fmt.qmode = FXP_TRN;
        l->w_fmt.omode = FXP_WRAP;
        l->w_fmt.sat_bits = 0;
        l->b_fmt = rfmt(s, 2, 8, -1, 4, 1);
        l->b_fmt.qmode = FXP_TRN;
        l->b_fmt.omode = FXP_WRAP;
        l->b_fmt.sat_bits = 0;
        l->has_acc_fmt = rr(s, 0, 2) == 0;
        if (l->has_acc_fmt)
            l->acc_fmt = rfmt(s, 6, 20, 1, 8, 1);
        l->act = rr(s, 0, 2) ? MDL_ACT_RELU : MDL_ACT_LINEAR;
        l->out_fmt = rfmt(s, 3, 12, -1, 5, -1);
    }
    m->n_layers = n;
    m->out.n_links = rr(s, 1, 6);
    for (int i = 1; i <= MDL_MAX_LINKS; i++)
        m->out.bits_by_links[i] = rr(s, 1, 12);
    int rc = mdl_finish(m, err);
    if (rc)
        return rc;
    /* biases must not have more fractional bits than the accumulator */
    for (int i = 0; i < m->n_layers; i++) {
        mdl_layer *L = &m->layers[i];
        if (L->kind != MDL_CONV2D && L->kind != MDL_DENSE)
            continue;
        int fin = fxp_frac_bits(i ? &m->layers[i - 1].out_fmt : &m->in.fmt);
        int facc = fin + fxp_frac_bits(&L->w_fmt);
        if (fxp_frac_bits(&L->b_fmt) > facc)
            L->b_fmt.int_bits = L->b_fmt.width - facc;
    }
    if (mdl_latent_count(m) > 32)
        return rad_errf(err, RAD_ERANGE, "too many latent values");
    return mdl_validate(m, err);
}

int sim_random_model(uint64_t seed, mdl_model **out, rad_err *err)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 7;
    for (int attempt = 0; attempt < 200; attempt++) {
        mdl_model *m = calloc(1, sizeof *m);
        if (!m)
            return rad_errf(err, RAD_ENOMEM, "out of memory");
        rad_err e2;
        if (build(&s, m, &e2) == RAD_OK) {
            mdl_init_random(m, seed + 1);
            char name[64];
            snprintf(name, sizeof name, "random model (sim_random_model seed %llu)",
                     (unsigned long long)seed);
            mdl_prov_model_mem(m, name);
            *out = m;
            return RAD_OK;
        }
        mdl_free(m);
    }
    return rad_errf(err, RAD_ESCHEMA, "no valid random model for seed %llu",
                    (unsigned long long)seed);
}
