// oracle.cpp — bit-exactness oracle: rad4ml's C fixed-point library against
// the real ap_fixed (default) or ac_fixed (-DORACLE_AC) headers.
//
// A thin C++ test program: every case is computed twice in-process, once by
// the vendor template class and once by the C library (linked as C through
// extern "C"), and the raw bits are compared.  Formats are template
// arguments, so the program instantiates a fixed list of source/destination
// formats chosen to cover the corners (W = 1, W = 64, negative I, I > W,
// signed and unsigned); values and shift amounts are random plus corner
// values.  Compiled in parts (-DPART=0..5) so the build can run in parallel:
//   PART 0..4  conversions and from-double, one overflow variant each
//              (WRAP, SAT, SAT_ZERO, SAT_SYM, WRAP with N saturation bits)
//   PART 5     add/sub/mul full precision, shifts, comparisons
// main() and the value generators are in oracle_main.cpp (no vendor code).
// Headers are fetched at test time (tests/fxp_oracle.sh); nothing from them
// is part of rad4ml.
#include "oracle.h"

#ifdef ORACLE_AC
#include <ac_fixed.h>
constexpr int BQ[7] = {AC_TRN, AC_TRN_ZERO, AC_RND, AC_RND_ZERO,
                       AC_RND_MIN_INF, AC_RND_INF, AC_RND_CONV};
constexpr int BO[4] = {AC_WRAP, AC_SAT, AC_SAT_ZERO, AC_SAT_SYM};
template <int W, int I, bool S, int Q, int O, int N>
using FX = ac_fixed<W, I, S, (ac_q_mode)BQ[Q], (ac_o_mode)BO[O]>;
template <class T> struct Tr;
template <int W, int I, bool S, ac_q_mode Q, ac_o_mode O>
struct Tr<ac_fixed<W, I, S, Q, O>> { enum { w = W, i = I, s = S }; };
template <class T> static void set_raw(T &x, int64_t r)
{
    x.set_slc(0, ac_int<Tr<T>::w, Tr<T>::s>(r));
}
template <class T> static u128 get_bits(const T &x)
{
    enum { W = Tr<T>::w, LW = W < 64 ? W : 64, HW = W > 64 ? W - 64 : 1 };
    u128 v = (uint64_t)x.template slc<LW>(0).to_uint64();
    if (W > 64)
        v |= (u128)(uint64_t)x.template slc<HW>(W > 64 ? 64 : 0).to_uint64() << 64;
    return v;
}
#else
#include <ap_fixed.h>
constexpr int BQ[7] = {AP_TRN, AP_TRN_ZERO, AP_RND, AP_RND_ZERO,
                       AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV};
constexpr int BO[4] = {AP_WRAP, AP_SAT, AP_SAT_ZERO, AP_SAT_SYM};
template <int W, int I, bool S, int Q, int O, int N>
using FX = ap_fixed_base<W, I, S, (ap_q_mode)BQ[Q], (ap_o_mode)BO[O], N>;
template <class T> struct Tr;
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
struct Tr<ap_fixed_base<W, I, S, Q, O, N>> { enum { w = W, i = I, s = S }; };
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct Tr<ap_fixed<W, I, Q, O, N>> { enum { w = W, i = I, s = 1 }; };
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct Tr<ap_ufixed<W, I, Q, O, N>> { enum { w = W, i = I, s = 0 }; };
template <class T> static void set_raw(T &x, int64_t r) { x.setBits((ap_ulong)r); }
template <class T> static u128 get_bits(const T &x)
{
    enum { W = Tr<T>::w };
    u128 v = (uint64_t)x.range(W < 64 ? W - 1 : 63, 0).to_uint64();
    if (W > 64)
        v |= (u128)(uint64_t)x.range(W - 1, W > 64 ? 64 : 0).to_uint64() << 64;
    return v;
}
#endif

template <class T> static fxp_raw get_raw(const T &x)
{
    return extend(get_bits(x), Tr<T>::w, Tr<T>::s);
}
template <class T> static fxp_fmt fmt_of()
{
    return fxp_format(Tr<T>::w, Tr<T>::i, Tr<T>::s);
}

// ---- format lists ----------------------------------------------------------

template <int W_, int I_, bool S_, int N_ = 1> struct Fm {
    enum { W = W_, I = I_, S = S_, N = N_ };
};
template <class... T> struct List {};
template <class... T> constexpr long count(List<T...>) { return sizeof...(T); }

// Sources of conversions (default modes).  Kept short: every format costs
// compile time (35 mode pairs x sources x destinations instantiations).
using Srcs = List<Fm<8, 3, true>, Fm<16, -2, true>, Fm<12, 20, false>,
                  Fm<64, 10, true>, Fm<1, 0, false>, Fm<64, 64, false>,
                  Fm<1, 1, true>>;
// Destinations: <W, I, signed, N (saturation bits for WRAP-N)>.
using Dsts = List<Fm<6, 1, true, 2>, Fm<8, 1, false, 3>, Fm<1, 1, true, 1>,
                  Fm<1, -3, false, 1>, Fm<64, 32, true, 5>, Fm<64, 70, false, 64>,
                  Fm<4, -2, true, 2>, Fm<62, 20, true, 7>, Fm<63, 0, false, 1>,
                  Fm<3, 8, false, 2>, Fm<17, -10, false, 17>>;
// Operands of add/sub/mul/compare and shifts.
using Ops = List<Fm<6, 1, true>, Fm<8, 1, false>, Fm<1, 1, true>, Fm<1, 0, false>,
                 Fm<64, 32, true>, Fm<64, 64, false>, Fm<16, -4, true>,
                 Fm<10, 14, false>, Fm<33, 2, true>, Fm<64, -3, true>>;

// ---- conversions --------------------------------------------------------------

template <class SF, class DF, int Q, int O, int N>
static void conv_one(Ctx &c, Tally &t)
{
    typedef FX<SF::W, SF::I, SF::S, 0, 0, 0> src_t;
    typedef FX<DF::W, DF::I, DF::S, Q, O, N> dst_t;
    fxp_fmt sf = fmt_of<src_t>();
    fxp_fmt df = fmt_of<dst_t>();
    df.qmode = (fxp_qmode)Q;
    df.omode = (fxp_omode)O;
    df.sat_bits = N;
    fxp_fmt dfm = df;   // negative control: wrong quantization mode
    dfm.qmode = (fxp_qmode)((Q + 1) % 7);
    Gen g = gen_for(sf, df);
    long n = c.n_conv + (long)g.ncorner;
    for (long k = 0; k < n; k++) {
        int64_t raw = k < (long)g.ncorner ? g.corner[k] : gen_raw(c.rng, g);
        src_t a;
        set_raw(a, raw);
        dst_t b = a;
        fxp_raw want = get_raw(b);
        fxp_raw got = fxp_convert(val(raw, sf), &sf, c.mutate ? &dfm : &df);
        t.check(want == got, "convert", &sf, raw, &df, want, got);
    }
    long nd = c.n_double + 32;
    for (long k = 0; k < nd; k++) {
        double x = k < 32 ? corner_double(k, df) : gen_double(c.rng, df);
        if (x != x)
            continue;   // NaN: ap_fixed warns and reads garbage; rad4ml gives 0
        dst_t b = x;
        fxp_raw want = get_raw(b);
        fxp_raw got = fxp_from_double(x, &df);
        t.check_d(want == got, x, &df, want, got);
    }
}

template <int Q, int O, bool USE_N, class SF, class... Ds>
static void conv_src(Ctx &c, Tally &t, List<Ds...>)
{
    (conv_one<SF, Ds, Q, O, USE_N ? (int)Ds::N : 0>(c, t), ...);
}

template <int Q, int O, bool USE_N, class... Ss>
static void conv_pair(Ctx &c, List<Ss...>)
{
    Tally t(c, Q, USE_N ? 4 : O);
    long combos = (long)sizeof...(Ss) * count(Dsts{});
    c.n_conv = (c.n_pair + combos - 1) / combos;
    c.n_double = c.n_conv;
    (conv_src<Q, O, USE_N, Ss>(c, t, Dsts{}), ...);
    t.print();
}

template <int O, bool USE_N> static void conv_part(Ctx &c)
{
    conv_pair<0, O, USE_N>(c, Srcs{});
    conv_pair<1, O, USE_N>(c, Srcs{});
    conv_pair<2, O, USE_N>(c, Srcs{});
    conv_pair<3, O, USE_N>(c, Srcs{});
    conv_pair<4, O, USE_N>(c, Srcs{});
    conv_pair<5, O, USE_N>(c, Srcs{});
    conv_pair<6, O, USE_N>(c, Srcs{});
}

// ---- arithmetic, shifts, comparisons ---------------------------------------

[[maybe_unused]] static bool same_fmt(const fxp_fmt &a, const fxp_fmt &b)
{
    return a.width == b.width && a.int_bits == b.int_bits &&
           a.is_signed == b.is_signed;
}

// Compares fxp_add / fxp_sub / fxp_mul / compare / shift of formats A and
// B with the vendor type's operators on c.n_pair random pairs (plus the
// corners of gen_for), counting into t.
template <class A, class B> static void arith_one(Ctx &c, Tally &t)
{
    typedef FX<A::W, A::I, A::S, 0, 0, 0> a_t;
    typedef FX<B::W, B::I, B::S, 0, 0, 0> b_t;
    fxp_fmt fa = fmt_of<a_t>(), fb = fmt_of<b_t>();
    Gen ga = gen_for(fa, fb), gb = gen_for(fb, fa);
    a_t x0;
    b_t y0;
    typedef decltype(x0 * y0) mul_t;
    typedef decltype(x0 + y0) add_t;
    typedef decltype(x0 - y0) sub_t;
    fxp_fmt fm, fadd, fsub;
    fxp_mul(0, &fa, 0, &fb, &fm);
    fxp_add(0, &fa, 0, &fb, &fadd);
    fxp_sub(0, &fa, 0, &fb, &fsub);
    t.check(same_fmt(fm, fmt_of<mul_t>()), "mul format", &fa, 0, &fb, 0, 0);
    t.check(same_fmt(fadd, fmt_of<add_t>()), "add format", &fa, 0, &fb, 0, 0);
    t.check(same_fmt(fsub, fmt_of<sub_t>()), "sub format", &fa, 0, &fb, 0, 0);
    bool add_ok = Tr<add_t>::w <= FXP_MAX_RESULT_W;
    long n = c.n_arith + (long)(ga.ncorner * gb.ncorner > 4000 ? 4000 : ga.ncorner * gb.ncorner);
    for (long k = 0; k < n; k++) {
        int64_t ra, rb;
        if (k < c.n_arith) {
            ra = gen_raw(c.rng, ga);
            rb = gen_raw(c.rng, gb);
        } else {
            long j = k - c.n_arith;
            ra = ga.corner[(size_t)j % ga.ncorner];
            rb = gb.corner[(size_t)j / ga.ncorner % gb.ncorner];
        }
        a_t x;
        b_t y;
        set_raw(x, ra);
        set_raw(y, rb);
        fxp_raw want_m = get_raw(mul_t(x * y));
        fxp_raw got_m = fxp_mul(val(ra, fa), &fa, val(rb, fb), &fb, nullptr);
        t.check(want_m == got_m, "mul", &fa, ra, &fb, want_m, got_m);
        if (add_ok) {
            fxp_raw want_s = get_raw(add_t(x + y));
            fxp_raw got_s = fxp_add(val(ra, fa), &fa, val(rb, fb), &fb, nullptr);
            t.check(want_s == got_s, "add", &fa, ra, &fb, want_s, got_s);
            fxp_raw want_d = get_raw(sub_t(x - y));
            fxp_raw got_d = fxp_sub(val(ra, fa), &fa, val(rb, fb), &fb, nullptr);
            t.check(want_d == got_d, "sub", &fa, ra, &fb, want_d, got_d);
        }
        // the vendor's own relational operators, bit for bit
        int want = (x < y ? FXP_CMP_LT : 0) | (x == y ? FXP_CMP_EQ : 0) |
                   (x > y ? FXP_CMP_GT : 0);
        bool rel_ok = (x <= y) == !(want & FXP_CMP_GT) &&
                      (x >= y) == !(want & FXP_CMP_LT) &&
                      (x != y) == !(want & FXP_CMP_EQ);
#ifdef ORACLE_AC
        int c0 = fxp_cmp(val(ra, fa), &fa, val(rb, fb), &fb);
        int got = c0 < 0 ? FXP_CMP_LT : c0 > 0 ? FXP_CMP_GT : FXP_CMP_EQ;
#else
        int got = fxp_cmp_ap(val(ra, fa), &fa, val(rb, fb), &fb);
#endif
        t.check(rel_ok && want == got, "compare (mask LT=1 EQ=2 GT=4)", &fa, ra,
                &fb, want, got);
        // the exact comparison against the sign of the vendor's exact a - b
        if (add_ok) {
            fxp_raw diff = get_raw(sub_t(x - y));
            int sd = (diff > 0) - (diff < 0);
            int c = fxp_cmp(val(ra, fa), &fa, val(rb, fb), &fb);
            t.check(sd == (c > 0) - (c < 0), "exact compare vs sign(a-b)", &fa,
                    ra, &fb, sd, c);
        }
    }
}

template <class A, class... Bs> static void arith_a(Ctx &c, Tally &t, List<Bs...>)
{
    (arith_one<A, Bs>(c, t), ...);
}

template <class A> static void shift_one(Ctx &c, Tally &t)
{
    typedef FX<A::W, A::I, A::S, 0, 0, 0> a_t;
    fxp_fmt fa = fmt_of<a_t>();
    Gen g = gen_for(fa, fa);
    long n = c.n_arith * 4 + (long)g.ncorner;
    for (long k = 0; k < n; k++) {
        int64_t r = k < (long)g.ncorner ? g.corner[k] : gen_raw(c.rng, g);
        int sh = (int)(c.rng.next() % (2 * A::W + 9)) - (A::W + 4);
        a_t x;
        set_raw(x, r);
#ifdef ORACLE_AC
        a_t l = x << ac_int<32, true>(sh), rr = x >> ac_int<32, true>(sh);
#else
        a_t l = x << sh, rr = x >> sh;
#endif
        fxp_fmt sfmt = fa;
        sfmt.int_bits = sh;   // shows the shift amount in a mismatch report
        fxp_raw wl = get_raw(l), gl = fxp_shl(val(r, fa), &fa, sh);
        fxp_raw wr = get_raw(rr), gr = fxp_shr(val(r, fa), &fa, sh);
        t.check(wl == gl, "shl (2nd fmt: I = shift)", &fa, r, &sfmt, wl, gl);
        t.check(wr == gr, "shr (2nd fmt: I = shift)", &fa, r, &sfmt, wr, gr);
    }
}

template <class... As> static void arith_part(Ctx &c, List<As...>)
{
    Tally t(c, -1, -1);
    (arith_a<As>(c, t, Ops{}), ...);
    (shift_one<As>(c, t), ...);
    t.print();
}

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
void CAT(oracle_part, PART)(Ctx &c)
{
#if PART < 4
    conv_part<PART, false>(c);
#elif PART == 4
#ifdef ORACLE_AC
    (void)c;   // ac_fixed has no WRAP with saturation bits
#else
    conv_part<0, true>(c);
#endif
#else
    arith_part(c, Ops{});
#endif
}

