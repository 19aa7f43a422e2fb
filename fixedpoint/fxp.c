/*
** fxp.c — quantization, conversion, full-precision arithmetic, shifts and
** comparison of fixed-point numbers (see fxp.h for the semantics).
**
** Every conversion goes through fxp_quantize.  It works in two steps, as
** ap_fixed's converting constructor does:
**   1. quantization: the exact value is brought to the destination's LSB,
**      using the guard bit (first dropped bit) and the sticky bit (any
**      dropped bit below it) of the two's-complement value;
**   2. overflow: if the quantized integer q lies outside the destination
**      range, the overflow mode decides the result.
** Both steps are exact for any source value that fits in fxp_raw.
*/
#include "fixedpoint/fxp.h"
#include "fixedpoint/fxp_fast.h"

#include <math.h>
#include <string.h>

typedef unsigned __int128 u128;

#define RAW_MAX ((fxp_raw)(~(u128)0 >> 1))
#define RAW_MIN (-RAW_MAX - 1)

/* ---- formats -------------------------------------------------------- */

fxp_fmt fxp_format(int width, int int_bits, bool is_signed)
{
    fxp_fmt f;
    memset(&f, 0, sizeof f);
    f.width = width;
    f.int_bits = int_bits;
    f.is_signed = is_signed;
    f.qmode = FXP_TRN;
    f.omode = FXP_WRAP;
    f.sat_bits = 0;
    return f;
}

int fxp_fmt_check(const fxp_fmt *f, const char **why)
{
    const char *msg = NULL;
    if (f->width < 1 || f->width > FXP_MAX_W)
        msg = "width out of range 1..64";
    else if (f->int_bits < -FXP_MAX_I || f->int_bits > FXP_MAX_I)
        msg = "integer bits out of range -65536..65536";
    else if ((int)f->qmode < FXP_TRN || (int)f->qmode > FXP_RND_CONV)
        msg = "unknown quantization mode";
    else if ((int)f->omode < FXP_WRAP || (int)f->omode > FXP_SAT_SYM)
        msg = "unknown overflow mode";
    else if (f->sat_bits < 0 || f->sat_bits > f->width)
        msg = "saturation bits out of range 0..W";
    if (why)
        *why = msg;
    return msg ? FXP_EFORMAT : FXP_OK;
}

fxp_raw fxp_raw_min(const fxp_fmt *f)
{
    if (!f->is_signed)
        return 0;
    return f->width >= 128 ? RAW_MIN : -((fxp_raw)1 << (f->width - 1));
}

fxp_raw fxp_raw_max(const fxp_fmt *f)
{
    int w = f->width - (f->is_signed ? 1 : 0);
    return w >= 127 ? RAW_MAX : ((fxp_raw)1 << w) - 1;
}

/* Low `w` bits of `bits`, sign- or zero-extended: the raw of a W-bit word. */
static fxp_raw extend(u128 bits, int w, bool is_signed)
{
    if (w >= 128)
        return (fxp_raw)bits;
    bits &= ((u128)1 << w) - 1;
    if (is_signed && ((bits >> (w - 1)) & 1))
        bits |= ~(u128)0 << w;
    return (fxp_raw)bits;
}

/* ---- quantization ---------------------------------------------------- */

/* Rounding increment (0 or 1) to add to the floor `fl`, given the guard
** bit qb, the sticky bit r and the sign of the source, per mode. */
static int round_inc(fxp_qmode q, bool qb, bool r, bool neg, bool odd)
{
    switch (q) {
    case FXP_TRN:         return 0;
    case FXP_TRN_ZERO:    return neg && (qb || r);
    case FXP_RND:         return qb;
    case FXP_RND_ZERO:    return qb && (neg || r);
    case FXP_RND_MIN_INF: return qb && r;
    case FXP_RND_INF:     return qb && (!neg || r);
    case FXP_RND_CONV:    return qb && (odd || r);
    }
    return 0;
}

/* Result of an out-of-range q: `wrapped` holds q's low bits, `neg` its
** sign.  Mirrors the overflow modes of ap_fixed, including two details:
** unsigned WRAP with N saturation bits sets the N MSBs to one on both
** overflow and underflow, and SAT_SYM of a 1-bit signed format gives -1. */
static fxp_raw overflow_value(u128 wrapped, bool neg, const fxp_fmt *f)
{
    int w = f->width;
    switch (f->omode) {
    case FXP_SAT_ZERO:
        return 0;
    case FXP_SAT:
        return neg ? fxp_raw_min(f) : fxp_raw_max(f);
    case FXP_SAT_SYM:
        if (!neg)
            return fxp_raw_max(f);
        if (!f->is_signed || w == 1)
            return fxp_raw_min(f);
        return -fxp_raw_max(f);
    case FXP_WRAP:
        break;
    }
    int n = f->sat_bits;
    if (n > 0) {
        u128 top = (n >= 128 ? ~(u128)0 : (((u128)1 << n) - 1)) << (w - n);
        if (!f->is_signed) {
            wrapped |= top;
        } else {
            u128 sign = (u128)1 << (w - 1);
            wrapped = neg ? (wrapped & ~top) | sign : (wrapped | top) & ~sign;
        }
    }
    return extend(wrapped, w, f->is_signed);
}

/* Fast path: |value| < 2^63, 0 <= d < 63, destination of at most 62 bits.
** Plain int64 arithmetic; this is what the inference engine hits, so the
** common overflow modes are handled here too rather than in
** overflow_value. */
static int64_t quantize64(int64_t v, int d, const fxp_fmt *f)
{
    int64_t q = v;
    if (d > 0) {
        q = v >> d;
        if (f->qmode != FXP_TRN) {
            uint64_t rem = (uint64_t)v & ((UINT64_C(1) << d) - 1);
            uint64_t half = UINT64_C(1) << (d - 1);
            q += round_inc(f->qmode, rem >= half, (rem & (half - 1)) != 0,
                           v < 0, q & 1);
        }
    }
    int w = f->width;
    int64_t lo = 0, hi = (INT64_C(1) << w) - 1;
    if (f->is_signed) {
        hi >>= 1;
        lo = -hi - 1;
        if (f->omode == FXP_SAT_SYM && w > 1)
            lo++;   /* the minimum itself saturates to -max */
    }
    /* branch on the mode (the same at every call), not on the data: the
    ** clamps compile to conditional moves */
    switch (f->omode) {
    case FXP_SAT:
    case FXP_SAT_SYM:
        return q < lo ? lo : q > hi ? hi : q;
    case FXP_SAT_ZERO:
        return q < lo || q > hi ? 0 : q;
    case FXP_WRAP:
        if (f->sat_bits == 0)   /* wrapping is the identity in range */
            return f->is_signed ? (int64_t)((uint64_t)q << (64 - w)) >> (64 - w)
                                : (int64_t)((uint64_t)q & (uint64_t)hi);
        if (q >= lo && q <= hi)
            return q;
        break;
    }
    return (int64_t)overflow_value((u128)(fxp_raw)q, q < 0, f);
}

/* See fxp.h.  value (src_frac fractional bits) rounded and overflowed into
** dst exactly as ap_fixed / ac_fixed do; int64 fast path, else 128-bit. */
fxp_raw fxp_quantize(fxp_raw value, int src_frac, const fxp_fmt *dst)
{
    long long d = (long long)src_frac - fxp_frac_bits(dst);
    if (d >= 0 && d < 63 && dst->width <= 62 && (int64_t)value == value)
        return quantize64((int64_t)value, (int)d, dst);

    bool neg = value < 0;
    fxp_raw q;
    if (d > 0) {
        fxp_raw fl;
        bool qb, r;
        if (d < 128) {
            fl = value >> d;
            qb = (value >> (d - 1)) & 1;
            r = d > 1 && ((u128)value & (((u128)1 << (d - 1)) - 1)) != 0;
        } else {
            /* every bit is dropped: the value is in [-0.5, 0.5) LSB */
            fl = neg ? -1 : 0;
            qb = neg;
            r = neg ? (d > 128 || value != RAW_MIN) : value != 0;
        }
        q = fl + round_inc(dst->qmode, qb, r, neg, fl & 1);
    } else {
        long long k = -d;
        if (value == 0)
            return 0;
        if (k >= 127 || value > (RAW_MAX >> k) || value < (RAW_MIN >> k)) {
            /* far out of any range: only the low bits and sign matter */
            u128 wrapped = k < 128 ? (u128)value << k : 0;
            return overflow_value(wrapped, neg, dst);
        }
        q = (fxp_raw)((u128)value << k);
    }
    fxp_raw lo = fxp_raw_min(dst), hi = fxp_raw_max(dst);
    if (q >= lo && q <= hi) {
        if (dst->omode == FXP_SAT_SYM && dst->is_signed && q == lo &&
            dst->width > 1)
            return lo + 1;
        return q;
    }
    return overflow_value((u128)q, q < 0, dst);
}

fxp_raw fxp_convert(fxp_raw v, const fxp_fmt *src, const fxp_fmt *dst)
{
    return fxp_quantize(v, fxp_frac_bits(src), dst);
}

/* A double is taken apart the way ap_fixed does it: a 53-bit mantissa with
** the implicit one always set and the biased exponent minus 1023.  For
** normal numbers this is exact; subnormals are therefore read as
** (1.m) * 2^-1023 (ap_fixed's reading), and +/-inf as +/-2^1024. */
fxp_raw fxp_from_double(double x, const fxp_fmt *dst)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff);
    uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
    if (isnan(x) || (bits << 1) == 0)
        return 0;
    int64_t man = (int64_t)(m | (UINT64_C(1) << 52));
    if (bits >> 63)
        man = -man;
    /* value = man * 2^(e - 1023 - 52) */
    return fxp_quantize(man, 1023 + 52 - e, dst);
}

double fxp_to_double(fxp_raw v, const fxp_fmt *f)
{
    double d = (!f->is_signed && v < 0) ? (double)(u128)v : (double)v;
    return ldexp(d, -fxp_frac_bits(f));
}

/* ---- full-precision arithmetic ------------------------------------------ */

static int imax(int a, int b) { return a > b ? a : b; }

/* ap_fixed's rule for add/sub: I = max(Ia', Ib') + 1, where a signed
** operand's partner, if unsigned, needs one more integer bit. */
static fxp_fmt addsub_fmt(const fxp_fmt *a, const fxp_fmt *b, bool is_signed)
{
    int ia = a->int_bits + (b->is_signed && !a->is_signed);
    int ib = b->int_bits + (a->is_signed && !b->is_signed);
    int i = imax(ia, ib) + 1;
    int f = imax(fxp_frac_bits(a), fxp_frac_bits(b));
    return fxp_format(i + f, i, is_signed);
}

fxp_fmt fxp_add_fmt(const fxp_fmt *a, const fxp_fmt *b)
{
    return addsub_fmt(a, b, a->is_signed || b->is_signed);
}

fxp_fmt fxp_sub_fmt(const fxp_fmt *a, const fxp_fmt *b)
{
    return addsub_fmt(a, b, true);
}

fxp_fmt fxp_mul_fmt(const fxp_fmt *a, const fxp_fmt *b)
{
    return fxp_format(a->width + b->width, a->int_bits + b->int_bits,
                      a->is_signed || b->is_signed);
}

/* Raw `v` with frac bits `from` aligned to `to` >= from fractional bits,
** computed modulo 2^128 (exact whenever the result format fits). */
static fxp_raw align(fxp_raw v, int from, int to)
{
    int k = to - from;
    return k >= 128 ? 0 : (fxp_raw)((u128)v << k);
}

fxp_raw fxp_add(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb,
                fxp_fmt *rf)
{
    fxp_fmt r = fxp_add_fmt(fa, fb);
    int f = fxp_frac_bits(&r);
    u128 s = (u128)align(a, fxp_frac_bits(fa), f) +
             (u128)align(b, fxp_frac_bits(fb), f);
    if (rf)
        *rf = r;
    return extend(s, r.width, r.is_signed);
}

fxp_raw fxp_sub(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb,
                fxp_fmt *rf)
{
    fxp_fmt r = fxp_sub_fmt(fa, fb);
    int f = fxp_frac_bits(&r);
    u128 s = (u128)align(a, fxp_frac_bits(fa), f) -
             (u128)align(b, fxp_frac_bits(fb), f);
    if (rf)
        *rf = r;
    return extend(s, r.width, r.is_signed);
}

fxp_raw fxp_mul(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb,
                fxp_fmt *rf)
{
    fxp_fmt r = fxp_mul_fmt(fa, fb);
    if (rf)
        *rf = r;
    return extend((u128)a * (u128)b, r.width, r.is_signed);
}

/* ---- shifts ----------------------------------------------------------- */

static fxp_raw shift_left(fxp_raw v, const fxp_fmt *f, long long n)
{
    if (n >= f->width)
        return 0;
    return extend((u128)v << n, f->width, f->is_signed);
}

static fxp_raw shift_right(fxp_raw v, const fxp_fmt *f, long long n)
{
    bool neg = f->is_signed && v < 0;
    if (n >= f->width)
        return neg ? -1 : 0;
    if (!f->is_signed)
        return (fxp_raw)((u128)v >> n);
    return v >> n;
}

fxp_raw fxp_shl(fxp_raw v, const fxp_fmt *f, int n)
{
    return n >= 0 ? shift_left(v, f, n) : shift_right(v, f, -(long long)n);
}

fxp_raw fxp_shr(fxp_raw v, const fxp_fmt *f, int n)
{
    return n >= 0 ? shift_right(v, f, n) : shift_left(v, f, -(long long)n);
}

/* ---- comparison --------------------------------------------------------- */

/* Compares the magnitudes ma * 2^-fa and mb * 2^-fb. */
static int cmp_mag(u128 ma, int fa, u128 mb, int fb)
{
    if (fa < fb)
        return -cmp_mag(mb, fb, ma, fa);
    long long d = (long long)fa - fb;
    u128 hi = d >= 128 ? 0 : ma >> d;
    if (hi != mb)
        return hi < mb ? -1 : 1;
    u128 low = d >= 128 ? ma : ma & (((u128)1 << d) - 1);
    return low != 0;
}

int fxp_cmp(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb)
{
    bool na = fa->is_signed && a < 0, nb = fb->is_signed && b < 0;
    if (na != nb)
        return na ? -1 : 1;
    u128 ma = na ? -(u128)a : (u128)a;
    u128 mb = nb ? -(u128)b : (u128)b;
    int c = cmp_mag(ma, fxp_frac_bits(fa), mb, fxp_frac_bits(fb));
    return na ? -c : c;
}

/* ---- precomputed requantization (fxp_fast.h) ---------------------------- */

int fxp_rq_init(fxp_rq *rq, int src_frac, const fxp_fmt *dst)
{
    int rc = fxp_fmt_check(dst, NULL);
    long long d = (long long)src_frac - fxp_frac_bits(dst);
    memset(rq, 0, sizeof *rq);
    rq->dst = *dst;
    rq->src_frac = src_frac;
    rq->fast = rc == FXP_OK && d >= 0 && d <= 62 && dst->width <= 62;
    if (!rq->fast)
        return rc;
    rq->shift = (int)d;
    rq->lo = (int64_t)fxp_raw_min(dst);
    rq->hi = (int64_t)fxp_raw_max(dst);
    rq->lo_ovf = dst->omode == FXP_SAT_ZERO ? 0 : rq->lo;
    rq->hi_ovf = dst->omode == FXP_SAT_ZERO ? 0 : rq->hi;
    if (dst->omode == FXP_SAT_SYM && dst->is_signed && dst->width > 1)
        rq->lo = rq->lo_ovf = -rq->hi;
    return FXP_OK;
}

/* ---- ap_fixed's comparison operators (see fxp_cmp_ap in fxp.h) ---------- */

static int cmp_mask(int c)
{
    return c < 0 ? FXP_CMP_LT : c > 0 ? FXP_CMP_GT : FXP_CMP_EQ;
}

int fxp_cmp_ap(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb)
{
    int exact = fxp_cmp(a, fa, b, fb);
    if (fa->is_signed == fb->is_signed)
        return cmp_mask(exact);
    /* widths of the two words ap_fixed compares: the operand with fewer
    ** fractional bits is extended to the other's LSB (the left one with
    ** one more integer bit) */
    long long d = (long long)fxp_frac_bits(fa) - fxp_frac_bits(fb);
    long long wa = fa->width, wb = fb->width;
    if (d > 0)
        wb = wb + d;
    else if (d < 0)
        wa = wa - d + 1;
    bool neg = (fa->is_signed && a < 0) || (fb->is_signed && b < 0);
    if (!neg)
        return cmp_mask(exact);
    /* relational: unsigned comparison of the words when the unsigned side
    ** is at least as wide; then the negative operand is the larger one */
    long long ws = fa->is_signed ? wa : wb, wu = fa->is_signed ? wb : wa;
    bool as_unsigned = !(wa < 32 && wb < 32) && wu >= ws;
    int rel = exact;
    if (as_unsigned)
        rel = fa->is_signed ? 1 : -1;
    int mask = rel < 0 ? FXP_CMP_LT : rel > 0 ? FXP_CMP_GT : 0;
    /* equality: the words modulo 2^max(wa, wb, 32) */
    long long m = wa > wb ? wa : wb;
    if (m < 32)
        m = 32;
    if (m <= 126 && wa <= 126 && wb <= 126) {
        u128 x = (u128)(d < 0 ? (fxp_raw)((u128)a << -d) : a);
        u128 y = (u128)(d > 0 ? (fxp_raw)((u128)b << d) : b);
        u128 mask_m = ((u128)1 << m) - 1;
        if ((x & mask_m) == (y & mask_m))
            mask |= FXP_CMP_EQ;
    } else if (exact == 0) {
        mask |= FXP_CMP_EQ;
    }
    return mask;
}
