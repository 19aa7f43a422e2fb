// oracle.h — shared declarations of the ap_fixed / ac_fixed oracle
// (see oracle.cpp).  Nothing here includes vendor headers.
#ifndef RAD4ML_FXP_ORACLE_H
#define RAD4ML_FXP_ORACLE_H

#include <cstddef>
#include <cstdint>

#include "fixedpoint/fxp.h"

typedef unsigned __int128 u128;

// Low w bits of `bits`, sign- or zero-extended.
static inline fxp_raw extend(u128 bits, int w, bool is_signed)
{
    if (w >= 128)
        return (fxp_raw)bits;
    bits &= ((u128)1 << w) - 1;
    if (is_signed && ((bits >> (w - 1)) & 1))
        bits |= ~(u128)0 << w;
    return (fxp_raw)bits;
}

// An int64 raw bit pattern read as a value of format f.
static inline fxp_raw val(int64_t bits, const fxp_fmt &f)
{
    return extend((u128)(uint64_t)bits, f.width, f.is_signed);
}

struct Rng {   // xoshiro256**
    uint64_t s[4];
    void seed(uint64_t x);
    inline uint64_t next()
    {
        uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
        s[2] ^= t; s[3] = rotl(s[3], 45);
        return r;
    }
    static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
};

struct Ctx {
    Rng  rng;
    long n_pair;     // random conversions per (Q, O) pair
    long n_conv;     // ... per (source, destination) format pair
    long n_double;   // random doubles per destination format and mode pair
    long n_arith;    // random operand pairs per (A, B) format pair
    bool mutate;     // negative control: give the C library the wrong Q mode
    int  printed;    // mismatch lines printed so far
    uint64_t total, mismatches;
    const char *lib; // "ap_fixed" or "ac_fixed"
};

// Value generator for a source format converted into dst (or operand pair).
struct Gen {
    fxp_fmt src, dst;
    int d;                  // F(src) - F(dst)
    fxp_raw lo, hi;         // source raw range
    int64_t corner[640];    // raw bit patterns (ufixed<64> > 2^63 negative)
    size_t ncorner;
};
Gen gen_for(const fxp_fmt &src, const fxp_fmt &dst);
int64_t gen_raw(Rng &rng, const Gen &g);
double corner_double(long k, const fxp_fmt &dst);   // k = 0..31
double gen_double(Rng &rng, const fxp_fmt &dst);

struct Tally {
    Ctx &c;
    int q, o;   // -1, -1 for the arithmetic part; o == 4 is WRAP with N bits
    uint64_t cases = 0, mism = 0, dcases = 0, dmism = 0;
    Tally(Ctx &ctx, int qm, int om) : c(ctx), q(qm), o(om) {}
    inline void check(bool ok, const char *what, const fxp_fmt *fa, int64_t ra,
                      const fxp_fmt *fb, fxp_raw want, fxp_raw got)
    {
        cases++;
        if (!ok)
            fail(what, fa, ra, fb, want, got);
    }
    inline void check_d(bool ok, double x, const fxp_fmt *f, fxp_raw want,
                        fxp_raw got)
    {
        dcases++;
        if (!ok)
            fail_d(x, f, want, got);
    }
    void fail(const char *what, const fxp_fmt *fa, int64_t ra,
              const fxp_fmt *fb, fxp_raw want, fxp_raw got);
    void fail_d(double x, const fxp_fmt *f, fxp_raw want, fxp_raw got);
    void print();
};

void oracle_part0(Ctx &c);
void oracle_part1(Ctx &c);
void oracle_part2(Ctx &c);
void oracle_part3(Ctx &c);
void oracle_part4(Ctx &c);
void oracle_part5(Ctx &c);

#endif
