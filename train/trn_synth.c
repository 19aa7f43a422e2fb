/*
** trn_synth.c — synthetic calorimeter-like LD modules, so that training
** runs with no data at all (`rad4ml train --data synthetic`).
**
** Each crossing: pileup noise on every TC (a cell is hit with probability
** 0.35, exponential charge of mean 1.2 MIP_T), plus 0-3 showers (Poisson,
** mean 1.2) whose centre is anywhere on the module (TC centre + uniform
** jitter of one TC pitch), energy from a falling spectrum (E = 2 MIP_T *
** u^-1.3, capped at 3000 MIP_T) and an exponential lateral profile
** exp(-r/R), R uniform in [1, 3] sensor-cell pitches.  Charges are CALQ
** (35 per MIP_T), integers, clamped to 22 bits; an empty crossing gets one
** noise hit so that every crossing has charge, as in the real sample.
** trn_synth_ex takes those settings as options (a fleet's per-module
** occupancy and geometry); trn_synth uses the defaults above.
*/
#include <math.h>
#include "train/trn_internal.h"
#include "data/geometry.h"

#define MIP_T 35.0

static int poisson(uint64_t *s, double mean)
{
    double l = exp(-mean), p = 1;
    int k = 0;
    do {
        k++;
        p *= rad_rand_unit(s);
    } while (p > l && k < 50);
    return k - 1;
}

void trn_synth_defaults(trn_synth_opts *o)
{
    o->noise_occupancy = 0.35;
    o->noise_mip = 1.2;
    o->showers = 1.2;
    o->radius_scale = 1.0;
}

static void one_crossing(const trn_synth_opts *o, uint64_t *s, uint32_t *q)
{
    const geo_cell *c = geo_cells();
    double e[GEO_N_CELLS] = { 0 };
    for (int i = 0; i < GEO_N_CELLS; i++)
        if (rad_rand_unit(s) < o->noise_occupancy)
            e[i] += -log(1 - rad_rand_unit(s)) * o->noise_mip * MIP_T;
    int n = poisson(s, o->showers);
    for (int k = 0; k < n; k++) {
        int at = (int)(rad_rand_unit(s) * GEO_N_CELLS);
        double x0 = c[at].x + 2 * (rad_rand_unit(s) - 0.5);
        double y0 = c[at].y + 2 * (rad_rand_unit(s) - 0.5);
        double en = 2 * MIP_T * pow(1 - rad_rand_unit(s), -1.3);
        if (en > 3000 * MIP_T)
            en = 3000 * MIP_T;
        double r0 = (1 + 2 * rad_rand_unit(s)) * o->radius_scale, f[GEO_N_CELLS], tot = 0;
        for (int i = 0; i < GEO_N_CELLS; i++) {
            double r = hypot(c[i].x - x0, c[i].y - y0);
            f[i] = exp(-r / r0);
            tot += f[i];
        }
        for (int i = 0; i < GEO_N_CELLS; i++)
            e[i] += en * f[i] / tot;
    }
    uint64_t sum = 0;
    for (int i = 0; i < GEO_N_CELLS; i++) {
        double v = floor(e[i]);
        q[i] = v > 4194303 ? 4194303u : (uint32_t)v;
        sum += q[i];
    }
    if (!sum)
        q[(int)(rad_rand_unit(s) * GEO_N_CELLS)] = (uint32_t)(MIP_T + rad_rand_unit(s) * MIP_T);
}

int trn_synth(dat_set *set, size_t n, uint64_t seed, rad_err *err)
{
    trn_synth_opts o;
    trn_synth_defaults(&o);
    return trn_synth_ex(set, n, seed, &o, err);
}

int trn_synth_ex(dat_set *set, size_t n, uint64_t seed, const trn_synth_opts *o,
                 rad_err *err)
{
    if (!(o->noise_occupancy >= 0 && o->noise_occupancy <= 1) || !(o->noise_mip > 0)
        || !(o->showers >= 0 && o->showers <= 20) || !(o->radius_scale > 0))
        return rad_errf(err, RAD_ERANGE, "synthetic data: noise occupancy must be in [0,1], "
                        "showers in [0,20], noise charge and radius scale > 0");
    if (n < 1)
        return rad_errf(err, RAD_ERANGE, "synthetic data: need at least 1 crossing");
    int rc = dat_alloc(set, n, GEO_N_CELLS, err);
    if (rc)
        return rc;
    uint64_t s = trn__rng_mix(seed, 0x73796e7468);    /* "synth" */
    for (size_t i = 0; i < n; i++)
        one_crossing(o, &s, set->q + i * GEO_N_CELLS);
    return RAD_OK;
}
