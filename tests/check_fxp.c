/*
** check_fxp.c — unit tests of fixedpoint/ on hand-computed examples:
** format parsing (and its error reasons), every quantization and overflow
** mode, width-growth rules, shifts, comparison and printing.  Bit-exactness
** against the real ap_fixed / ac_fixed headers is tests/fxp_oracle.sh.
*/
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixedpoint/fxp.h"
#include "fixedpoint/fxp_fast.h"

static fxp_fmt F(const char *text)
{
    fxp_fmt f;
    char why[200];
    int rc = fxp_fmt_parse(text, &f, why, sizeof why);
    ck_assert_msg(rc == FXP_OK, "parse %s: %s", text, why);
    return f;
}

static fxp_fmt with(const char *text, fxp_qmode q, fxp_omode o, int n)
{
    fxp_fmt f = F(text);
    f.qmode = q;
    f.omode = o;
    f.sat_bits = n;
    return f;
}

/* ---- parsing ---------------------------------------------------------------- */

START_TEST(parse_ok)
{
    fxp_fmt f = F("ap_fixed<6,1,AP_RND,AP_SAT>");
    ck_assert_int_eq(f.width, 6);
    ck_assert_int_eq(f.int_bits, 1);
    ck_assert(f.is_signed);
    ck_assert_int_eq(f.qmode, FXP_RND);
    ck_assert_int_eq(f.omode, FXP_SAT);
    ck_assert_int_eq(f.sat_bits, 0);

    f = F("ap_ufixed<8,1>");
    ck_assert(!f.is_signed);
    ck_assert_int_eq(f.qmode, FXP_TRN);
    ck_assert_int_eq(f.omode, FXP_WRAP);

    f = F(" ufixed < 9 , 1 , TRN , SAT > ");
    ck_assert(!f.is_signed && f.width == 9 && f.omode == FXP_SAT);

    f = F("ac_fixed<8,1,false,AC_TRN,AC_WRAP>");
    ck_assert(!f.is_signed && f.width == 8 && f.int_bits == 1);
    f = F("ac_fixed<8,-3>");
    ck_assert(f.is_signed && f.int_bits == -3);
    f = F("ac_fixed<10,12,true,AC_RND_CONV,AC_SAT_SYM>");
    ck_assert(f.qmode == FXP_RND_CONV && f.omode == FXP_SAT_SYM);

    f = F("ap_int<12>");
    ck_assert(f.is_signed && f.width == 12 && f.int_bits == 12);
    f = F("ap_uint<64>");
    ck_assert(!f.is_signed && f.width == 64 && f.int_bits == 64);
    f = F("ac_int<7,false>");
    ck_assert(!f.is_signed && f.width == 7);

    f = F("ap_fixed<8,3,AP_RND_ZERO,AP_WRAP,2>");
    ck_assert(f.qmode == FXP_RND_ZERO && f.omode == FXP_WRAP && f.sat_bits == 2);
    f = F("fixed<6,1,RND_MIN_INF,SAT_ZERO>");
    ck_assert(f.qmode == FXP_RND_MIN_INF && f.omode == FXP_SAT_ZERO);
    f = F("fixed<6,1,RND_INF,WRAP>");
    ck_assert(f.qmode == FXP_RND_INF);
    f = F("ap_fixed<8,1,AP_RND,AP_SAT,2>");   /* legal; N only acts with WRAP */
    ck_assert(f.omode == FXP_SAT && f.sat_bits == 2);
    f = F("fixed<6,1,TRN_ZERO>");
    ck_assert(f.qmode == FXP_TRN_ZERO);
}
END_TEST

static void expect_error(const char *text, const char *reason)
{
    fxp_fmt f;
    char why[200];
    int rc = fxp_fmt_parse(text, &f, why, sizeof why);
    ck_assert_msg(rc == FXP_EFORMAT, "\"%s\" should not parse", text);
    ck_assert_msg(strstr(why, reason) != NULL, "\"%s\": got \"%s\", want \"%s\"",
                  text, why, reason);
}

START_TEST(parse_errors)
{
    expect_error("ap_fixed<0,1>", "width 0 out of range 1..64");
    expect_error("ap_fixed<65,1>", "width 65 out of range 1..64");
    expect_error("ap_fixed<8,1,AP_FOO>", "unknown quantization mode \"AP_FOO\"");
    expect_error("ap_fixed<8,1,AP_RND,AP_BAR>", "unknown overflow mode \"AP_BAR\"");
    expect_error("ap_fixed<8,1", "missing '>'");
    expect_error("ap_fixed<8>", "expected at least <W,I>");
    expect_error("ap_fixed<8,1,AP_RND,AP_WRAP,9>", "saturation bits out of range");
    expect_error("bfloat<8,1>", "unknown type \"bfloat\"");
    expect_error("ap_fixed<8,1>x", "unexpected text \"x\"");
    expect_error("ap_fixed<8,x>", "integer bits \"x\" is not an integer");
    expect_error("ap_fixed<8,99999999>", "out of range");
    expect_error("ac_fixed<8,1,maybe>", "signedness \"maybe\"");
    expect_error("ap_fixed<8,1,AP_RND,AP_WRAP_SM>", "AP_WRAP_SM is not supported");
    expect_error("ac_fixed<8,1,true,AC_RND_CONV_ODD>", "not supported");
    expect_error("", "expected a type name");
    expect_error("ap_fixed<8,1,,>", "argument 3 is empty");
    expect_error("ap_int<8,1>", "too many arguments");
    expect_error("ap_fixed 8,1", "expected '<'");
    /* the message names the whole input */
    expect_error("ap_fixed<0,1>", "format \"ap_fixed<0,1>\"");
}
END_TEST

START_TEST(format_str_roundtrip)
{
    char buf[80];
    fxp_fmt f = F("ap_fixed<6,1,AP_RND,AP_SAT>");
    fxp_fmt_str(&f, buf, sizeof buf);
    ck_assert_str_eq(buf, "fixed<6,1,RND,SAT>");
    f = F("ap_ufixed<8,1,AP_TRN,AP_WRAP,3>");
    int n = fxp_fmt_str(&f, buf, sizeof buf);
    ck_assert_str_eq(buf, "ufixed<8,1,TRN,WRAP,3>");
    ck_assert_int_eq(n, (int)strlen(buf));
    fxp_fmt g = F(buf);
    ck_assert(memcmp(&f, &g, sizeof f) == 0);
    ck_assert_int_eq(fxp_frac_bits(&f), 7);

    f = fxp_format(9, 1, false);
    const char *why = NULL;
    ck_assert_int_eq(fxp_fmt_check(&f, &why), FXP_OK);
    f.width = 0;
    ck_assert_int_eq(fxp_fmt_check(&f, &why), FXP_EFORMAT);
    ck_assert_ptr_nonnull(why);
}
END_TEST

/* ---- quantization modes, fixed<6,1>: LSB 1/32, range [-1, 31/32] ----------- */

static long long q6(double x, fxp_qmode q)
{
    fxp_fmt f = with("fixed<6,1>", q, FXP_WRAP, 0);
    return (long long)fxp_from_double(x, &f);
}

START_TEST(quant_modes)
{
    const double t = 1.0 / 32;
    ck_assert_int_eq(q6(3.2 * t, FXP_TRN), 3);
    ck_assert_int_eq(q6(-3.2 * t, FXP_TRN), -4);
    ck_assert_int_eq(q6(-3.2 * t, FXP_TRN_ZERO), -3);
    ck_assert_int_eq(q6(3.2 * t, FXP_TRN_ZERO), 3);
    /* ties */
    ck_assert_int_eq(q6(3.5 * t, FXP_RND), 4);
    ck_assert_int_eq(q6(-3.5 * t, FXP_RND), -3);
    ck_assert_int_eq(q6(3.5 * t, FXP_RND_ZERO), 3);
    ck_assert_int_eq(q6(-3.5 * t, FXP_RND_ZERO), -3);
    ck_assert_int_eq(q6(3.5 * t, FXP_RND_MIN_INF), 3);
    ck_assert_int_eq(q6(-3.5 * t, FXP_RND_MIN_INF), -4);
    ck_assert_int_eq(q6(3.5 * t, FXP_RND_INF), 4);
    ck_assert_int_eq(q6(-3.5 * t, FXP_RND_INF), -4);
    ck_assert_int_eq(q6(3.5 * t, FXP_RND_CONV), 4);
    ck_assert_int_eq(q6(2.5 * t, FXP_RND_CONV), 2);
    ck_assert_int_eq(q6(-2.5 * t, FXP_RND_CONV), -2);
    ck_assert_int_eq(q6(-3.5 * t, FXP_RND_CONV), -4);
    /* not ties: every rounding mode goes to the nearest */
    for (fxp_qmode q = FXP_RND; q <= FXP_RND_CONV; q++) {
        ck_assert_int_eq(q6(3.6 * t, q), 4);
        ck_assert_int_eq(q6(-3.4 * t, q), -3);
    }
    /* same through fxp_quantize: raw 7 with 1 extra fractional bit = 3.5 LSB */
    fxp_fmt f = with("fixed<6,1>", FXP_RND_CONV, FXP_WRAP, 0);
    ck_assert_int_eq((long long)fxp_quantize(7, 6, &f), 4);
    ck_assert_int_eq((long long)fxp_quantize(5, 6, &f), 2);
    /* every bit dropped: |value| < 0.5 LSB, or exactly -0.5 LSB */
    f.qmode = FXP_TRN;
    ck_assert_int_eq((long long)fxp_quantize(-1, 300, &f), -1);
    f.qmode = FXP_RND;
    ck_assert_int_eq((long long)fxp_quantize(-1, 300, &f), 0);
    fxp_raw rmin = -(fxp_raw)(((unsigned __int128)1 << 127) - 1) - 1;
    f.qmode = FXP_RND_MIN_INF;   /* -2^127 / 2^128 = -0.5 LSB: a tie */
    ck_assert_int_eq((long long)fxp_quantize(rmin, 128 + 5, &f), -1);
    f.qmode = FXP_RND;
    ck_assert_int_eq((long long)fxp_quantize(rmin, 128 + 5, &f), 0);
}
END_TEST

START_TEST(overflow_modes)
{
    fxp_fmt f = with("fixed<6,1>", FXP_TRN, FXP_WRAP, 0);
    ck_assert_int_eq((long long)fxp_from_double(1.5, &f), -16);  /* 48 wraps */
    f.omode = FXP_SAT;
    ck_assert_int_eq((long long)fxp_from_double(1.5, &f), 31);
    ck_assert_int_eq((long long)fxp_from_double(-2.0, &f), -32);
    ck_assert_int_eq((long long)fxp_from_double(-1.0, &f), -32);
    f.omode = FXP_SAT_ZERO;
    ck_assert_int_eq((long long)fxp_from_double(1.5, &f), 0);
    ck_assert_int_eq((long long)fxp_from_double(-1.5, &f), 0);
    ck_assert_int_eq((long long)fxp_from_double(0.5, &f), 16);
    f.omode = FXP_SAT_SYM;   /* [-31/32, 31/32]: -1 itself saturates */
    ck_assert_int_eq((long long)fxp_from_double(-2.0, &f), -31);
    ck_assert_int_eq((long long)fxp_from_double(-1.0, &f), -31);
    ck_assert_int_eq((long long)fxp_from_double(5.0, &f), 31);
    /* WRAP with 2 saturation bits: sign bit and the next one saturate */
    f.omode = FXP_WRAP;
    f.sat_bits = 2;
    ck_assert_int_eq((long long)fxp_from_double(1.5, &f), 16);   /* 0b010000 */
    ck_assert_int_eq((long long)fxp_from_double(-2.0, &f), -32); /* 0b100000 */
    ck_assert_int_eq((long long)fxp_from_double(0.75, &f), 24);  /* in range */
    /* unsigned WRAP with N bits sets the N MSBs on both sides (ap_fixed) */
    fxp_fmt u = with("ufixed<8,1>", FXP_TRN, FXP_WRAP, 3);
    ck_assert_int_eq((long long)fxp_from_double(2.5, &u), 224);
    ck_assert_int_eq((long long)fxp_from_double(-0.5, &u), 224);
    u.omode = FXP_SAT;
    u.sat_bits = 0;
    ck_assert_int_eq((long long)fxp_from_double(-0.5, &u), 0);
    ck_assert_int_eq((long long)fxp_from_double(7.0, &u), 255);
    /* 1-bit signed SAT_SYM keeps -1, as ap_fixed does */
    fxp_fmt one = with("fixed<1,1>", FXP_TRN, FXP_SAT_SYM, 0);
    ck_assert_int_eq((long long)fxp_from_double(-3.0, &one), -1);
    ck_assert_int_eq((long long)fxp_from_double(3.0, &one), 0);
    /* rounding up into overflow */
    fxp_fmt r = with("fixed<6,1>", FXP_RND, FXP_SAT, 0);
    ck_assert_int_eq((long long)fxp_from_double(0.99, &r), 31);
    r.omode = FXP_WRAP;
    ck_assert_int_eq((long long)fxp_from_double(0.99, &r), -32);
    /* NaN gives 0; infinities overflow */
    ck_assert_int_eq((long long)fxp_from_double(NAN, &f), 0);
    f.omode = FXP_SAT;
    f.sat_bits = 0;
    ck_assert_int_eq((long long)fxp_from_double(INFINITY, &f), 31);
    ck_assert_int_eq((long long)fxp_from_double(-INFINITY, &f), -32);
}
END_TEST

START_TEST(odd_formats)
{
    /* negative I: fixed<4,-2> has LSB 2^-6, range [-8/64, 7/64] */
    fxp_fmt n = with("fixed<4,-2>", FXP_TRN, FXP_SAT, 0);
    ck_assert_int_eq((long long)fxp_from_double(0.05, &n), 3);
    ck_assert_int_eq((long long)fxp_from_double(0.5, &n), 7);
    /* I > W: ufixed<3,8> has LSB 32, range 0..224 */
    fxp_fmt b = with("ufixed<3,8>", FXP_TRN, FXP_WRAP, 0);
    ck_assert_int_eq((long long)fxp_from_double(100.0, &b), 3);
    b.qmode = FXP_RND;
    ck_assert_int_eq((long long)fxp_from_double(112.0, &b), 4);
    ck_assert_int_eq((long long)fxp_from_double(300.0, &b), 1);   /* 9 & 7 */
    /* W = 64 */
    fxp_fmt w = F("ap_int<64>");
    ck_assert((long long)fxp_from_double(-9223372036854775808.0, &w) == INT64_MIN);
    ck_assert((long long)fxp_from_double(9223372036854775808.0, &w) == INT64_MIN);
    w.omode = FXP_SAT;
    ck_assert((long long)fxp_from_double(9223372036854775808.0, &w) == INT64_MAX);
    /* conversion between formats */
    fxp_fmt a = F("fixed<8,1>"), c = with("fixed<6,1>", FXP_RND, FXP_SAT, 0);
    ck_assert_int_eq((long long)fxp_convert(-3, &a, &c), -1);   /* -0.75 LSB */
    ck_assert_int_eq((long long)fxp_convert(-2, &a, &c), 0);    /* -0.5: tie up */
    ck_assert_int_eq((long long)fxp_convert(100, &a, &c), 25);
    ck_assert_int_eq((long long)fxp_convert(127, &a, &c), 31);  /* 32 saturates */
    c.omode = FXP_WRAP;
    ck_assert_int_eq((long long)fxp_convert(127, &a, &c), -32); /* 32 wraps */
    ck_assert(fxp_to_double(-31, &c) == -0.96875);
    ck_assert(fxp_raw_min(&c) == -32 && fxp_raw_max(&c) == 31);
}
END_TEST

/* ---- arithmetic --------------------------------------------------------------- */

START_TEST(arith)
{
    fxp_fmt s = F("fixed<6,1>"), u = F("ufixed<8,1>"), rf;
    fxp_raw r = fxp_mul(-32, &s, -32, &s, &rf);
    ck_assert_int_eq(rf.width, 12);
    ck_assert_int_eq(rf.int_bits, 2);
    ck_assert((long long)r == 1024);              /* (-1) * (-1) = 1.0 */
    r = fxp_add(-32, &s, 255, &u, &rf);           /* -1 + 255/128 */
    ck_assert_int_eq(rf.width, 10);
    ck_assert_int_eq(rf.int_bits, 3);
    ck_assert(rf.is_signed);
    ck_assert((long long)r == 127);
    r = fxp_sub(0, &u, 255, &u, &rf);
    ck_assert(rf.is_signed && rf.width == 9 && rf.int_bits == 2);
    ck_assert((long long)r == -255);
    fxp_fmt add_u = fxp_add_fmt(&u, &u);
    ck_assert(!add_u.is_signed && add_u.width == 9);
    /* 64 x 64 bits: exact 128-bit product */
    fxp_fmt w = F("ap_int<64>");
    r = fxp_mul(INT64_MIN, &w, INT64_MIN, &w, &rf);
    ck_assert(rf.width == 128 && r == (fxp_raw)1 << 126);
    char buf[64];
    fxp_str_dec(r, &rf, buf, sizeof buf);
    ck_assert_str_eq(buf, "85070591730234615865843651857942052864");
}
END_TEST

START_TEST(shifts_and_compare)
{
    fxp_fmt s = F("fixed<6,1>"), u = F("ufixed<8,1>");
    ck_assert((long long)fxp_shl(3, &s, 2) == 12);
    ck_assert((long long)fxp_shl(31, &s, 1) == -2);    /* wraps to 6 bits */
    ck_assert((long long)fxp_shr(-32, &s, 10) == -1);
    ck_assert((long long)fxp_shr(-32, &s, 2) == -8);
    ck_assert((long long)fxp_shr(200, &u, 3) == 25);
    ck_assert((long long)fxp_shl(200, &u, -3) == 25);
    ck_assert((long long)fxp_shr(3, &s, -2) == 12);
    ck_assert((long long)fxp_shl(1, &s, 6) == 0);

    ck_assert_int_lt(fxp_cmp(-32, &s, 0, &u), 0);
    ck_assert_int_eq(fxp_cmp(16, &s, 64, &u), 0);      /* 0.5 == 0.5 */
    ck_assert_int_gt(fxp_cmp(17, &s, 64, &u), 0);
    fxp_fmt tiny = F("fixed<4,-60>"), huge = F("ufixed<4,70>");
    ck_assert_int_lt(fxp_cmp(7, &tiny, 1, &huge), 0);
    ck_assert_int_gt(fxp_cmp(-1, &tiny, -8, &s), 0);
    ck_assert_int_eq(fxp_cmp(0, &tiny, 0, &huge), 0);
}
END_TEST

/* ---- printing --------------------------------------------------------------------- */

START_TEST(printing)
{
    char buf[400];
    fxp_fmt s = F("fixed<6,1>");
    fxp_str_dec(-31, &s, buf, sizeof buf);
    ck_assert_str_eq(buf, "-0.96875");
    fxp_str_dec(1, &s, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.03125");
    fxp_str_dec(0, &s, buf, sizeof buf);
    ck_assert_str_eq(buf, "0");
    fxp_str_dec(-32, &s, buf, sizeof buf);
    ck_assert_str_eq(buf, "-1");
    fxp_str_bits(-31, &s, buf, sizeof buf);
    ck_assert_str_eq(buf, "1.00001");
    fxp_fmt b = F("ufixed<3,8>");
    fxp_str_dec(7, &b, buf, sizeof buf);
    ck_assert_str_eq(buf, "224");
    fxp_str_bits(7, &b, buf, sizeof buf);
    ck_assert_str_eq(buf, "111");
    fxp_fmt n = F("fixed<4,-2>");
    fxp_str_bits(3, &n, buf, sizeof buf);
    ck_assert_str_eq(buf, "0011");
    fxp_str_dec(3, &n, buf, sizeof buf);
    ck_assert_str_eq(buf, "0.046875");
    fxp_fmt big = F("fixed<64,200>");               /* raw 1 = 2^136 */
    fxp_str_dec(1, &big, buf, sizeof buf);
    ck_assert_str_eq(buf, "87112285931760246646623899502532662132736");
    fxp_fmt small = F("ufixed<8,-100>");             /* raw 1 = 2^-108 */
    int len = fxp_str_dec(1, &small, buf, sizeof buf);
    ck_assert_int_eq(len, 110);                      /* "0." + 108 digits */
    ck_assert(strncmp(buf, "0.00000000000000000000000000000000308148791101957736488956470813588",
                      66) == 0);
    ck_assert_int_eq(buf[len - 1], '5');
    /* truncated output still NUL-terminated; length as snprintf */
    char tiny[4];
    ck_assert_int_eq(fxp_str_dec(-31, &s, tiny, sizeof tiny), 8);
    ck_assert_str_eq(tiny, "-0.");
}
END_TEST

/* Random values whose exact decimal text is also an exact double: strtod of
** the text must give the same value back (checks every printed digit). */
START_TEST(printing_roundtrip)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    char buf[2000];
    for (int k = 0; k < 20000; k++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        int w = 1 + (int)(x % 53), i = (int)((x >> 8) % 600) - 300;
        fxp_fmt f = fxp_format(w, i, (x >> 20) & 1);
        /* any raw wraps into the format (TRN / WRAP) */
        fxp_raw v = fxp_convert((fxp_raw)((int64_t)(x * 31) >> (x % 64)), &f, &f);
        fxp_str_dec(v, &f, buf, sizeof buf);
        double d = strtod(buf, NULL);
        ck_assert_msg(d == fxp_to_double(v, &f), "%s w%d i%d", buf, w, i);
        ck_assert_msg(fxp_from_double(d, &f) == v, "%s w%d i%d", buf, w, i);
    }
}
END_TEST

/* ---- the inline requantizer must equal fxp_quantize --------------------------------- */

START_TEST(fast_requant)
{
    const char *fmts[] = { "fixed<6,1>", "ufixed<8,1>", "ufixed<9,1>", "fixed<1,1>",
                           "fixed<16,4>", "ufixed<62,30>", "fixed<62,2>", "fixed<64,10>",
                           "fixed<5,-3>", "ufixed<3,9>" };
    const int fracs[] = { 0, 1, 5, 10, 17, 40, 62, 63, 80, -3 };
    uint64_t x = 88172645463325252ULL;
    long checked = 0;
    for (size_t fi = 0; fi < sizeof fmts / sizeof fmts[0]; fi++)
        for (int q = FXP_TRN; q <= FXP_RND_CONV; q++)
            for (int o = 0; o < 5; o++)
                for (size_t s = 0; s < sizeof fracs / sizeof fracs[0]; s++) {
                    fxp_fmt f = F(fmts[fi]);
                    f.qmode = (fxp_qmode)q;
                    f.omode = o == 4 ? FXP_WRAP : (fxp_omode)o;
                    f.sat_bits = o == 4 ? 1 : 0;
                    int sf = fxp_frac_bits(&f) + fracs[s];
                    fxp_rq rq;
                    ck_assert_int_eq(fxp_rq_init(&rq, sf, &f), FXP_OK);
                    for (int k = 0; k < 300; k++) {
                        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                        int64_t v = (int64_t)x >> (x % 64);
                        if (k < 8)
                            v = (int64_t[]){0, 1, -1, INT64_MIN, INT64_MAX,
                                            1 << 4, -(1 << 4), 3}[k];
                        int64_t want = (int64_t)fxp_quantize(v, sf, &f);
                        ck_assert_msg(fxp_rq_apply(&rq, v) == want,
                                      "%s q%d o%d frac %d v %lld", fmts[fi], q, o,
                                      sf, (long long)v);
                        checked++;
                    }
                }
    ck_assert_int_gt(checked, 100000);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fxp");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, parse_ok);
    tcase_add_test(tc, parse_errors);
    tcase_add_test(tc, format_str_roundtrip);
    tcase_add_test(tc, quant_modes);
    tcase_add_test(tc, overflow_modes);
    tcase_add_test(tc, odd_formats);
    tcase_add_test(tc, arith);
    tcase_add_test(tc, shifts_and_compare);
    tcase_add_test(tc, printing);
    tcase_add_test(tc, printing_roundtrip);
    tcase_add_test(tc, fast_requant);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
