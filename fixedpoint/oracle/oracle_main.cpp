// oracle_main.cpp — value generators, tallies and main() of the fixed-point
// oracle (see oracle.cpp).  Contains no vendor code.
//
// Usage: fxp_oracle [-n CASES] [-s SEED] [-v MAX_PRINTED] [--mutate]
//   -n  random conversions per (quantization, overflow) pair (default 1e6);
//       as many random from-double cases again, and CASES/500 random operand
//       pairs per format pair for add/sub/mul/compare (x4 for shifts).
//   --mutate  negative control: hands the C library the wrong quantization
//       mode; the run must then report mismatches in every pair.
// Exit status 0 only when there was no mismatch.
#include "oracle.h"
#include "common/rad_hash.h"

#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

static int max_print = 20;   // mismatch lines printed at most (-v)

static const char *const QN[7] = {"TRN", "TRN_ZERO", "RND", "RND_ZERO",
                                  "RND_MIN_INF", "RND_INF", "RND_CONV"};
static const char *const ON[5] = {"WRAP", "SAT", "SAT_ZERO", "SAT_SYM", "WRAP+N"};

void Rng::seed(uint64_t x)
{
    for (int i = 0; i < 4; i++)
        s[i] = rad_splitmix64(&x);
}

// ---- value generation --------------------------------------------------------

static void add_corner(Gen &g, fxp_raw v)
{
    if (v < g.lo || v > g.hi || g.ncorner >= sizeof g.corner / sizeof g.corner[0])
        return;
    for (size_t i = 0; i < g.ncorner; i++)
        if (g.corner[i] == (int64_t)v)
            return;
    g.corner[g.ncorner++] = (int64_t)v;
}

// The value generator for conversions from src to dst: the corners of
// both formats (min, max, +-1/2 LSB ties, zero) and the random ranges.
Gen gen_for(const fxp_fmt &src, const fxp_fmt &dst)
{
    Gen g;
    memset(&g, 0, sizeof g);
    g.src = src;
    g.dst = dst;
    g.d = fxp_frac_bits(&src) - fxp_frac_bits(&dst);
    g.lo = fxp_raw_min(&src);
    g.hi = fxp_raw_max(&src);
    const fxp_raw base[] = {0, 1, -1, 2, -2, 3, -3};
    for (fxp_raw b : base)
        add_corner(g, b);
    for (int k = 0; k < 3; k++) {
        add_corner(g, g.lo + k);
        add_corner(g, g.hi - k);
    }
    // destination boundaries and rounding ties, in source units
    if (g.d >= 0 && g.d < 60) {
        fxp_raw one = (fxp_raw)1 << g.d, half = one >> 1;
        fxp_raw dmin = fxp_raw_min(&dst), dmax = fxp_raw_max(&dst);
        const fxp_raw bounds[] = {dmin, dmax, -dmax, dmin - 1, dmax + 1, 0, 1, -1, 2, -2};
        const fxp_raw offs[] = {0, half, -half, half - 1, half + 1, -half - 1,
                                -half + 1, one - 1, -1, 1, one, -one};
        for (fxp_raw b : bounds) {
            if (b > ((fxp_raw)1 << 66) || b < -((fxp_raw)1 << 66))
                continue;
            for (fxp_raw o : offs)
                add_corner(g, b * one + o);
        }
    } else if (g.d < 0 && g.d > -64) {
        int k = -g.d;
        fxp_raw dmin = fxp_raw_min(&dst) >> k, dmax = fxp_raw_max(&dst) >> k;
        for (int o = -2; o <= 2; o++) {
            add_corner(g, dmin + o);
            add_corner(g, dmax + o);
        }
    }
    for (int j = 0; j < src.width && j < 64; j++) {
        fxp_raw p = (fxp_raw)1 << j;
        const fxp_raw vs[] = {p, -p, p - 1, -p + 1, p + 1, -p - 1, p + (p >> 1), -p - (p >> 1)};
        for (fxp_raw v : vs)
            add_corner(g, v);
    }
    return g;
}

static int64_t wrap_src(const Gen &g, uint64_t v)
{
    return (int64_t)extend((u128)v, g.src.width, g.src.is_signed);
}

// A raw test value for generator g: a corner, a small value, a value near
// the format's edges or a random bit pattern, chosen from the stream.
int64_t gen_raw(Rng &rng, const Gen &g)
{
    uint64_t r = rng.next();
    uint64_t a = rng.next();
    switch (r & 7) {
    case 0:
    case 1:
        return wrap_src(g, a);
    case 2:
        return wrap_src(g, (uint64_t)((int64_t)(a % 33) - 16));
    case 3:
        return g.corner[a % g.ncorner];
    case 4: {
        uint64_t v = a >> ((r >> 8) % 64);
        return wrap_src(g, (r >> 16) & 1 ? (uint64_t)0 - v : v);
    }
    case 5:
        if (g.d >= 1 && g.d <= 62) {   // exact tie or one off at dst's LSB
            uint64_t v = ((a >> ((r >> 8) % 64)) << g.d) | (UINT64_C(1) << (g.d - 1));
            v += (uint64_t)((int)((r >> 16) % 3) - 1) * ((r >> 20) & 1);
            return wrap_src(g, (r >> 24) & 1 ? (uint64_t)0 - v : v);
        }
        return wrap_src(g, a);
    case 6:
        if (g.d >= 0 && g.d < 60) {   // near the destination's min / max
            fxp_raw b = (r >> 8) & 1 ? fxp_raw_max(&g.dst) : fxp_raw_min(&g.dst);
            fxp_raw v = b * ((fxp_raw)1 << g.d) +
                        (fxp_raw)((int64_t)(a % (UINT64_C(4) << g.d)) - (INT64_C(2) << g.d));
            if (v >= g.lo && v <= g.hi)
                return (int64_t)v;
        }
        return wrap_src(g, a >> ((r >> 8) % 64));
    default: {   // magnitudes just around the destination's range
        int bits = g.dst.width + g.d + (int)((r >> 8) % 5) - 2;
        if (bits < 1)
            bits = 1;
        uint64_t v = bits >= 64 ? a : a & ((UINT64_C(1) << bits) - 1);
        return wrap_src(g, (r >> 16) & 1 && g.src.is_signed ? (uint64_t)0 - v : v);
    }
    }
}

static double lsb(const fxp_fmt &f, double k) { return ldexp(k, -fxp_frac_bits(&f)); }

double corner_double(long k, const fxp_fmt &f)
{
    double mx = (double)fxp_raw_max(&f), mn = (double)fxp_raw_min(&f);
    switch (k) {
    case 0: return 0.0;
    case 1: return -0.0;
    case 2: return INFINITY;
    case 3: return -INFINITY;
    case 4: return DBL_MAX;
    case 5: return -DBL_MAX;
    case 6: return DBL_MIN;
    case 7: return -DBL_MIN;
    case 8: return DBL_TRUE_MIN;
    case 9: return -DBL_TRUE_MIN;
    case 10: return 0.5;
    case 11: return -0.5;
    case 12: return 1.0;
    case 13: return -1.0;
    case 14: return 9007199254740992.0;          // 2^53
    case 15: return 9007199254740994.0;
    case 16: return -9223372036854775808.0;      // -2^63
    case 17: return 18446744073709551616.0;      // 2^64
    case 18: return lsb(f, mx);
    case 19: return lsb(f, mn);
    case 20: return lsb(f, mx + 0.5);
    case 21: return lsb(f, mn - 0.5);
    case 22: return lsb(f, 0.5);
    case 23: return lsb(f, -0.5);
    case 24: return lsb(f, 1.5);
    case 25: return lsb(f, -1.5);
    case 26: return lsb(f, 2.5);
    case 27: return lsb(f, -2.5);
    case 28: return lsb(f, 0.25);
    case 29: return lsb(f, -mx);
    case 30: return lsb(f, -mx - 0.5);
    default: return lsb(f, mx + 1.0);
    }
}

double gen_double(Rng &rng, const fxp_fmt &f)
{
    uint64_t r = rng.next(), a = rng.next();
    int frac = fxp_frac_bits(&f);
    double sgn = (r >> 40) & 1 ? -1.0 : 1.0;
    double m53 = (double)(a >> 11);             // random 53-bit integer
    switch (r & 7) {
    case 0: {
        double x;
        memcpy(&x, &a, sizeof x);
        return x;   // any bit pattern (NaN is skipped by the caller)
    }
    case 1: {
        fxp_raw raw = extend((u128)a, f.width, f.is_signed);
        return ldexp((double)raw, -frac);
    }
    case 2:
        return ldexp(sgn * ((double)(a >> (14 + (r >> 8) % 50)) + 0.5), -frac);
    case 3: {
        double t = ldexp(sgn * ((double)(a >> (14 + (r >> 8) % 50)) + 0.5), -frac);
        return nextafter(t, (r >> 20) & 1 ? INFINITY : -INFINITY);
    }
    case 4:
        return ldexp(sgn * m53, f.int_bits - 53 + (int)((r >> 8) % 21) - 10);
    case 5:
        return ldexp(sgn * m53, (int)((r >> 8) % 80));   // integers 2^53..2^133
    case 6:
        return ldexp(sgn * m53, -frac - 53 - (int)((r >> 8) % 70));
    default:
        return ldexp(sgn * m53, (int)((r >> 8) % 2200) - 1100);
    }
}

// ---- tallies -------------------------------------------------------------------

static void fmt_text(const fxp_fmt *f, char *buf, size_t len)
{
    fxp_fmt_str(f, buf, len);
}

static void raw_text(fxp_raw v, char *buf, size_t len)
{
    snprintf(buf, len, "0x%016" PRIx64 "%016" PRIx64, (uint64_t)((u128)v >> 64),
             (uint64_t)v);
}

void Tally::fail(const char *what, const fxp_fmt *fa, int64_t ra,
                 const fxp_fmt *fb, fxp_raw want, fxp_raw got)
{
    mism++;
    if (c.printed++ >= max_print)
        return;
    char a[96], b[96], w[48], g[48];
    fmt_text(fa, a, sizeof a);
    fmt_text(fb, b, sizeof b);
    raw_text(want, w, sizeof w);
    raw_text(got, g, sizeof g);
    printf("MISMATCH %s: %s raw %" PRId64 " -> %s: %s %s, rad4ml %s\n", what, a,
           ra, b, c.lib, w, g);
}

// ac_fixed(double) scales the double with ldexp before reading its bits, so
// it loses what falls below the double range there: +/-inf, and values whose
// scaled magnitude is under DBL_MIN (sub-LSB negatives then give 0, not -1
// LSB).  rad4ml reads the double exactly, as ap_fixed does.  Mismatches of
// exactly that class are counted apart; any other mismatch fails.
static uint64_t ac_double_divergence;

static bool ac_known_divergence(double x, const fxp_fmt *f)
{
#ifdef ORACLE_AC
    int s = f->is_signed ? 0 : 1;
    double di = ldexp(x, -(f->int_bits + s + ((32 - f->width - s) & 31)));
    return std::isinf(x) || fabs(di) < DBL_MIN;
#else
    (void)x;
    (void)f;
    return false;
#endif
}

void Tally::fail_d(double x, const fxp_fmt *f, fxp_raw want, fxp_raw got)
{
    if (ac_known_divergence(x, f)) {
        ac_double_divergence++;
        return;
    }
    dmism++;
    if (c.printed++ >= max_print)
        return;
    char b[96], w[48], g[48];
    fmt_text(f, b, sizeof b);
    raw_text(want, w, sizeof w);
    raw_text(got, g, sizeof g);
    printf("MISMATCH from double %.17g (%a) -> %s: %s %s, rad4ml %s\n", x, x, b,
           c.lib, w, g);
}

void Tally::print()
{
    c.total += cases + dcases;
    c.mismatches += mism + dmism;
    if (q < 0)
        printf("%s add/sub/mul/compare/shift: %10" PRIu64 " cases, %" PRIu64
               " mismatches\n", c.lib, cases, mism);
    else
        printf("%s Q=%-11s O=%-8s convert: %9" PRIu64 " cases, %" PRIu64
               " mismatches; from double: %9" PRIu64 " cases, %" PRIu64
               " mismatches\n", c.lib, QN[q], ON[o], cases, mism, dcases, dmism);
    fflush(stdout);
}

// Oracle driver: parses the case count and seed, runs every quantization x
// overflow pair and the arithmetic checks of this part (PART), prints the
// tallies.  Exit 0 when 0 mismatches.
int main(int argc, char **argv)
{
    Ctx c;
    memset(&c, 0, sizeof c);
    c.n_pair = 1000000;
    uint64_t seed = 20261122;
#ifdef ORACLE_AC
    c.lib = "ac_fixed";
#else
    c.lib = "ap_fixed";
#endif
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            c.n_pair = atol(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-v") && i + 1 < argc)
            max_print = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--mutate"))
            c.mutate = true;
        else {
            fprintf(stderr, "usage: %s [-n CASES] [-s SEED] [-v MAX_PRINTED] [--mutate]\n", argv[0]);
            return 2;
        }
    }
    if (c.n_pair < 1) {
        fprintf(stderr, "%s: -n must be >= 1\n", argv[0]);
        return 2;
    }
    c.rng.seed(seed);
    c.n_arith = c.n_pair / 500 + 1;
    printf("%s oracle: %ld random conversions + as many doubles per mode pair, "
           "seed %" PRIu64 "%s\n", c.lib, c.n_pair, seed,
           c.mutate ? ", NEGATIVE CONTROL (wrong Q mode given to rad4ml)" : "");
    clock_t t0 = clock();
    oracle_part0(c);
    oracle_part1(c);
    oracle_part2(c);
    oracle_part3(c);
    oracle_part4(c);
    if (!c.mutate)
        oracle_part5(c);
    if (ac_double_divergence)
        printf("%s from double: %" PRIu64 " cases differ in the documented "
               "ac_fixed class (+/-inf, or |x * 2^-(I+pad)| < DBL_MIN: ac "
               "rounds through ldexp); not counted as mismatches\n", c.lib,
               ac_double_divergence);
    printf("%s oracle total: %" PRIu64 " comparisons, %" PRIu64
           " mismatches (%.1f s)\n", c.lib, c.total, c.mismatches,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    return c.mismatches ? 1 : 0;
}
