/*
** fxp_fast.h — inline int64 requantization with precomputed parameters.
**
** For inner loops (the inference engine's accumulators): an int64 raw value
** with `src_frac` fractional bits is brought into `dst` with exactly the
** result of fxp_quantize (same modes, same ap_fixed semantics), but the
** shift, rounding and bounds are computed once by fxp_rq_init:
**
**     fxp_rq rq;
**     fxp_rq_init(&rq, acc_frac, &out_fmt);      // once per layer
**     for (...) out[i] = fxp_rq_apply(&rq, acc[i]);
**
** fxp_rq_apply accepts any int64 input.  Cases the inline code does not
** cover (left shifts, right shifts over 62 bits, W > 62)
** are handed to fxp_quantize, so the result is always exact; rq.fast says
** whether the inline path is taken.  (The result is an int64: for
** ufixed<64,...> destinations use fxp_quantize, whose raw is 128-bit.)
*/
#ifndef RAD4ML_FXP_FAST_H
#define RAD4ML_FXP_FAST_H

#include "fixedpoint/fxp.h"

typedef struct {
    fxp_fmt dst;       /* destination format                         */
    int     src_frac;  /* fractional bits of the input               */
    bool    fast;      /* inline path usable                         */
    int     shift;     /* right shift d = src_frac - F(dst), 0..62   */
    int64_t lo, hi;    /* in-range bounds of the quantized value     */
    int64_t lo_ovf;    /* result below lo (min, or -max for SAT_SYM) */
    int64_t hi_ovf;    /* result above hi                            */
} fxp_rq;

/* Prepares `rq`; returns fxp_fmt_check's code (FXP_OK for any valid dst). */
int fxp_rq_init(fxp_rq *rq, int src_frac, const fxp_fmt *dst);

/* Rounding increment for a dropped remainder `rem` (0 <= rem < 2^shift)
** of a value whose floor is `fl`; `neg` is the input's sign. */
static inline int64_t fxp_rq_inc_(fxp_qmode q, uint64_t rem, int shift,
                                  int64_t fl, bool neg)
{
    uint64_t half = UINT64_C(1) << (shift - 1);
    switch (q) {
    case FXP_TRN:         return 0;
    case FXP_TRN_ZERO:    return neg && rem != 0;
    case FXP_RND:         return rem >= half;
    case FXP_RND_ZERO:    return rem > half || (rem == half && neg);
    case FXP_RND_MIN_INF: return rem > half;
    case FXP_RND_INF:     return rem > half || (rem == half && !neg);
    case FXP_RND_CONV:    return rem > half || (rem == half && (fl & 1));
    }
    return 0;
}

static inline int64_t fxp_rq_apply(const fxp_rq *rq, int64_t v)
{
    if (!rq->fast)
        return (int64_t)fxp_quantize(v, rq->src_frac, &rq->dst);
    int64_t q = v;
    if (rq->shift > 0) {
        q = v >> rq->shift;
        if (rq->dst.qmode != FXP_TRN) {
            uint64_t rem = (uint64_t)v & ((UINT64_C(1) << rq->shift) - 1);
            q += fxp_rq_inc_(rq->dst.qmode, rem, rq->shift, q, v < 0);
        }
    }
    if (q < rq->lo)
        return rq->dst.omode == FXP_WRAP
                   ? (int64_t)fxp_quantize(q, fxp_frac_bits(&rq->dst), &rq->dst)
                   : rq->lo_ovf;
    if (q > rq->hi)
        return rq->dst.omode == FXP_WRAP
                   ? (int64_t)fxp_quantize(q, fxp_frac_bits(&rq->dst), &rq->dst)
                   : rq->hi_ovf;
    return q;
}

#endif /* RAD4ML_FXP_FAST_H */
