/*
** trn_quant.c — the trainer's int64 quantizer and its random numbers.
**
** trn__quant computes exactly what fxp_quantize computes (checked against
** it in tests/check_train.c for every mode), but on int64: the training
** forward pass runs it ~150 times per crossing, so it must be cheap.
** Modes whose overflow rule is unusual (WRAP with saturation bits,
** SAT_SYM) and shifts beyond 62 bits use fxp_quantize itself.
*/
#include <math.h>
#include "train/trn_internal.h"

void trn__qplan(trn_qplan *p, const fxp_fmt *fmt, int src_frac)
{
    p->fmt = *fmt;
    p->src_frac = src_frac;
    p->shift = src_frac - fxp_frac_bits(fmt);
    int w = fmt->width;
    if (fmt->is_signed) {
        p->lo = w >= 63 ? INT64_MIN : -((int64_t)1 << (w - 1));
        p->hi = w >= 63 ? INT64_MAX : ((int64_t)1 << (w - 1)) - 1;
    } else {
        p->lo = 0;
        p->hi = w >= 63 ? INT64_MAX : ((int64_t)1 << w) - 1;
    }
    p->generic = w > 62 || p->shift > 62 || p->shift < -62
              || fmt->omode == FXP_SAT_SYM
              || (fmt->omode == FXP_WRAP && fmt->sat_bits > 0);
}

static int64_t round_shift(int64_t v, int d, fxp_qmode q)
{
    int64_t fl = v >> d;                  /* arithmetic: floor(v / 2^d) */
    int64_t rem = v - (int64_t)((uint64_t)fl << d);
    int64_t half = (int64_t)1 << (d - 1);
    switch (q) {
    case FXP_TRN:         return fl;
    case FXP_TRN_ZERO:    return fl + (v < 0 && rem != 0);
    case FXP_RND:         return fl + (rem >= half);
    case FXP_RND_ZERO:    return fl + (rem > half || (rem == half && v < 0));
    case FXP_RND_MIN_INF: return fl + (rem > half);
    case FXP_RND_INF:     return fl + (rem > half || (rem == half && v >= 0));
    case FXP_RND_CONV:    return fl + (rem > half || (rem == half && (fl & 1)));
    }
    return fl;
}

int64_t trn__quant(const trn_qplan *p, int64_t v, int *sat)
{
    int64_t r;
    if (p->generic || (p->shift < 0 && (v > (INT64_MAX >> -p->shift)
                                        || v < (INT64_MIN >> -p->shift)))) {
        r = (int64_t)fxp_quantize((fxp_raw)v, p->src_frac, &p->fmt);
        /* Saturated when the result sits on a range end the exact value
        ** passed (only the STE mask depends on this). */
        double exact = ldexp((double)v, -p->src_frac);
        double got = ldexp((double)r, -fxp_frac_bits(&p->fmt));
        double lsb = ldexp(1.0, -fxp_frac_bits(&p->fmt));
        *sat = fabs(exact - got) >= lsb;
        return r;
    }
    if (p->shift > 0)
        r = round_shift(v, p->shift, p->fmt.qmode);
    else
        r = (int64_t)((uint64_t)v << -p->shift);
    *sat = 0;
    if (r < p->lo || r > p->hi) {
        *sat = 1;
        switch (p->fmt.omode) {
        case FXP_SAT:      r = r < p->lo ? p->lo : p->hi; break;
        case FXP_SAT_ZERO: r = 0; break;
        default: {          /* WRAP: keep the low W bits */
            int w = p->fmt.width;
            uint64_t u = (uint64_t)r & (((uint64_t)1 << w) - 1);
            if (p->fmt.is_signed && (u >> (w - 1)) & 1)
                r = (int64_t)(u - ((uint64_t)1 << w));
            else
                r = (int64_t)u;
        }
        }
    }
    return r;
}

/* ---- random numbers (on common/rad_hash.h's splitmix64) ---------------- */

double trn__rng_normal(uint64_t *s)
{
    double u1 = rad_rand_unit(s), u2 = rad_rand_unit(s);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint64_t trn__rng_mix(uint64_t a, uint64_t b)
{
    uint64_t s = a ^ (b * 0xd1342543de82ef95ULL);
    rad_splitmix64(&s);
    return rad_splitmix64(&s);
}
