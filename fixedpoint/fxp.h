/*
** fxp.h — fixed-point numbers with ap_fixed / ac_fixed semantics.
**
** A number is a raw two's-complement integer plus a format (fxp_fmt):
**   value = raw * 2^(I - W)
** where W is the total width in bits and I the number of integer bits
** (sign bit included for signed formats, exactly as in ap_fixed<W,I>).
** I may be negative or larger than W.  Quantization (rounding) and overflow
** modes are part of the format, as in ap_fixed<W,I,Q,O,N>; they act when a
** value is converted INTO the format.
**
** Raw values are held in fxp_raw (a signed 128-bit integer) so that every
** full-precision add/sub/mul of two formats of up to 64 bits is exact.
** User-visible formats are limited to W <= 64; result formats of the
** full-precision operators may be up to FXP_MAX_RESULT_W bits.
**
** The library has no global state; every function is reentrant.
*/
#ifndef RAD4ML_FXP_H
#define RAD4ML_FXP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {   /* C++ users: the bit-exactness oracle (fixedpoint/oracle) */
#endif

typedef __int128 fxp_raw;

#define FXP_MAX_W         64   /* widest format a user may declare   */
#define FXP_MAX_RESULT_W 128   /* widest full-precision result format */
#define FXP_MAX_I     65536   /* |I| limit checked by fxp_fmt_check    */

/* Quantization modes, same names and meaning as ap_fixed's AP_*. */
typedef enum {
    FXP_TRN = 0,      /* truncate towards minus infinity (default)  */
    FXP_TRN_ZERO,     /* truncate towards zero                      */
    FXP_RND,          /* round to nearest, ties towards plus inf     */
    FXP_RND_ZERO,     /* round to nearest, ties towards zero         */
    FXP_RND_MIN_INF,  /* round to nearest, ties towards minus inf    */
    FXP_RND_INF,      /* round to nearest, ties away from zero       */
    FXP_RND_CONV      /* round to nearest, ties to even              */
} fxp_qmode;

/* Overflow modes, same names and meaning as ap_fixed's AP_*. */
typedef enum {
    FXP_WRAP = 0,     /* keep the low W bits (default); with N>0
                         saturation bits, the N MSBs saturate       */
    FXP_SAT,          /* saturate to min / max                      */
    FXP_SAT_ZERO,     /* overflow gives zero                        */
    FXP_SAT_SYM       /* saturate to +/- max (symmetric)            */
} fxp_omode;

typedef struct {
    int      width;     /* W: 1..FXP_MAX_W (results: ..RESULT_W)   */
    int      int_bits;  /* I: any value, may be < 0 or > W          */
    bool     is_signed;
    fxp_qmode qmode;
    fxp_omode omode;
    int      sat_bits;  /* N of AP_WRAP with saturation bits, 0..W  */
} fxp_fmt;

/* Error codes (0 = success). */
enum { FXP_OK = 0, FXP_EFORMAT = 1, FXP_ERANGE = 2 };

/* ---- formats -------------------------------------------------------- */

/* Builds a format; modes default to TRN / WRAP / N = 0. */
fxp_fmt fxp_format(int width, int int_bits, bool is_signed);

/* Checks a user format (W 1..FXP_MAX_W, |I| <= FXP_MAX_I, N 0..W, modes
** in range; N is kept but only acts with WRAP, as in ap_fixed).
** Returns FXP_OK or FXP_EFORMAT and, if why != NULL, a static reason. */
int fxp_fmt_check(const fxp_fmt *f, const char **why);

/* Parses "ap_fixed<6,1,AP_RND,AP_SAT>", "ap_ufixed<8,1>", "fixed<6,1,RND,SAT>",
** "ufixed<9,1,TRN,SAT>", "ac_fixed<8,1,false,AC_TRN,AC_WRAP>" and
** "ap_int<W>" / "ap_uint<W>".  On error returns FXP_EFORMAT and writes a
** reason naming the offending part into why[why_len]. */
int fxp_fmt_parse(const char *text, fxp_fmt *out, char *why, size_t why_len);

/* Writes the canonical text of a format, "fixed<6,1,TRN,SAT>" or
** "ufixed<8,1,TRN,WRAP>" (",N" appended when sat_bits > 0).  Returns the
** length that snprintf would return. */
int fxp_fmt_str(const fxp_fmt *f, char *buf, size_t len);

/* Fractional bits F = W - I (may be negative). */
static inline int fxp_frac_bits(const fxp_fmt *f) { return f->width - f->int_bits; }

/* Smallest / largest raw value of a format (two's complement range). */
fxp_raw fxp_raw_min(const fxp_fmt *f);
fxp_raw fxp_raw_max(const fxp_fmt *f);

/* ---- conversions ---------------------------------------------------- */

/* Quantizes a raw value that has src_frac fractional bits (any width, exact
** integer) into format `dst`, applying dst's quantization then overflow
** mode, exactly as ap_fixed's converting constructor does.
** This is THE primitive every other conversion and every layer of the
** reference engine uses. */
fxp_raw fxp_quantize(fxp_raw value, int src_frac, const fxp_fmt *dst);

/* Converts raw `v` in format `src` into `dst` (== ap_fixed<dst>(ap_fixed<src>)). */
fxp_raw fxp_convert(fxp_raw v, const fxp_fmt *src, const fxp_fmt *dst);

/* Converts a double into `dst`, bit-exact with ap_fixed<dst>(double).
** NaN gives 0; +/-inf are treated as overflowing values. */
fxp_raw fxp_from_double(double x, const fxp_fmt *dst);

/* Exact value as a double when representable (|raw| < 2^53), else nearest. */
double fxp_to_double(fxp_raw v, const fxp_fmt *f);

/* ---- full-precision arithmetic (ap_fixed width-growth rules) ----------- */

/* Result formats of a + b, a - b and a * b, as ap_fixed computes them:
** add/sub: F = max(Fa,Fb), I = max(Ia',Ib') + 1 (signedness-adjusted);
** mul: W = Wa + Wb, I = Ia + Ib.  Result modes are TRN / WRAP. */
fxp_fmt fxp_add_fmt(const fxp_fmt *a, const fxp_fmt *b);
fxp_fmt fxp_sub_fmt(const fxp_fmt *a, const fxp_fmt *b);
fxp_fmt fxp_mul_fmt(const fxp_fmt *a, const fxp_fmt *b);

/* Exact operations; the result is in the format given by *_fmt above
** (written to *rf if rf != NULL).  Exact whenever the result width is
** <= FXP_MAX_RESULT_W: always for mul; add/sub of operands whose binary
** points are ~64+ bits apart get wider results, which wrap at 128 bits.
** An unsigned 128-bit result (ufixed<64> * ufixed<64>) is returned as its
** bit pattern. */
fxp_raw fxp_add(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb, fxp_fmt *rf);
fxp_raw fxp_sub(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb, fxp_fmt *rf);
fxp_raw fxp_mul(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb, fxp_fmt *rf);

/* Shifts keep the format (as ap_fixed's operator<< / >> do): the raw value
** is shifted and wrapped to W bits.  Negative n shifts the other way. */
fxp_raw fxp_shl(fxp_raw v, const fxp_fmt *f, int n);
fxp_raw fxp_shr(fxp_raw v, const fxp_fmt *f, int n);

/* Compares two values of any formats exactly: <0, 0, >0. */
int fxp_cmp(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb);

/* What ap_fixed's relational operators answer for a OP b, as a mask of
** FXP_CMP_LT (a < b), FXP_CMP_EQ (a == b) and FXP_CMP_GT (a > b); a <= b is
** !GT, a >= b is !LT, a != b is !EQ.  ap_types compares the aligned raw
** words with C's promotion rule, so when exactly one operand is signed and
** negative and the unsigned one is at least as wide (after alignment; and
** not both narrower than 32 bits) the signed operand compares as a large
** unsigned number, and == compares the words modulo 2^max(Wa', Wb', 32)
** (e.g. fixed<6,6> -1 == ufixed<32,32> 2^32-1 is true there).  For every
** other pair of operands this equals fxp_cmp.  Use it only to reproduce
** ap_fixed C-simulation behaviour; fxp_cmp is the exact comparison.
** Emulated exactly while the aligned widths stay below 127 bits (beyond
** that, == is the exact equality). */
enum { FXP_CMP_LT = 1, FXP_CMP_EQ = 2, FXP_CMP_GT = 4 };
int fxp_cmp_ap(fxp_raw a, const fxp_fmt *fa, fxp_raw b, const fxp_fmt *fb);

/* ---- printing ------------------------------------------------------- */

/* Exact decimal text of the value (every fractional digit, no rounding),
** e.g. "-0.96875".  Returns snprintf-style length. */
int fxp_str_dec(fxp_raw v, const fxp_fmt *f, char *buf, size_t len);

/* W-character bit string, MSB first, with a '.' at the binary point when
** 0 < F < W, e.g. "1.00001". */
int fxp_str_bits(fxp_raw v, const fxp_fmt *f, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* RAD4ML_FXP_H */
