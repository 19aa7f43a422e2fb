/*
** fxp_bench.c — speed of the fixed-point primitives next to plain int64
** arithmetic, measured side by side in one run (`make bench`).
**
** Rows (ns per operation, best of 5 repetitions):
**   quantize   fxp_quantize: int64 accumulator (F=12) -> ufixed<8,1,TRN,SAT>
**              vs the same shift + clamp written inline on int64
**   quantize RND  the same with RND rounding and fxp_rq_apply (fxp_fast.h)
**   mul        fxp_mul fixed<6,1> x ufixed<8,1> (128-bit result)
**              vs an int64 multiply
**   MAC        128-term dot product + requantization, per term:
**              fxp_mul + fxp_add + fxp_quantize into fixed<24,12> per
**              term (HLS `acc += w * x`) / int64 MAC + fxp_rq_apply
**              vs int64 MAC + inline shift/clamp
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fixedpoint/fxp.h"
#include "fixedpoint/fxp_fast.h"

#define N 4096        /* values per pass */
#define TERMS 128     /* dot-product length */
#define REPS 5

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static volatile int64_t sink;

static int64_t acc_in[N];
static int64_t wa[N], xb[N];

/* Each kernel does `passes` passes over the data; returns ns per op. */
typedef double (*kernel)(long passes);

static double k_quant_fxp(long passes)
{
    fxp_fmt out = fxp_format(8, 1, false);
    out.omode = FXP_SAT;
    int64_t s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i++)
            s += (int64_t)fxp_quantize(acc_in[i], 12, &out);
    t = now() - t;
    sink = s;
    return t * 1e9 / ((double)passes * N);
}

static double k_quant_int(long passes)
{
    int64_t s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i++) {
            int64_t q = acc_in[i] >> 5;
            s += q < 0 ? 0 : q > 255 ? 255 : q;
        }
    t = now() - t;
    sink = s;
    return t * 1e9 / ((double)passes * N);
}

static double k_quant_rnd_fxp(long passes)
{
    fxp_fmt out = fxp_format(8, 1, false);
    out.qmode = FXP_RND;
    out.omode = FXP_SAT;
    int64_t s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i++)
            s += (int64_t)fxp_quantize(acc_in[i], 12, &out);
    t = now() - t;
    sink = s;
    return t * 1e9 / ((double)passes * N);
}

static double k_quant_rnd_rq(long passes)
{
    fxp_fmt out = fxp_format(8, 1, false);
    out.qmode = FXP_RND;
    out.omode = FXP_SAT;
    fxp_rq rq;
    fxp_rq_init(&rq, 12, &out);
    int64_t s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i++)
            s += fxp_rq_apply(&rq, acc_in[i]);
    t = now() - t;
    sink = s;
    return t * 1e9 / ((double)passes * N);
}

static double k_quant_rnd_int(long passes)
{
    int64_t s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i++) {
            int64_t q = (acc_in[i] + 16) >> 5;
            s += q < 0 ? 0 : q > 255 ? 255 : q;
        }
    t = now() - t;
    sink = s;
    return t * 1e9 / ((double)passes * N);
}

static double k_mul_fxp(long passes)
{
    fxp_fmt fw = fxp_format(6, 1, true), fx = fxp_format(8, 1, false);
    fxp_raw s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i++)
            s += fxp_mul(wa[i], &fw, xb[i], &fx, NULL);
    t = now() - t;
    sink = (int64_t)s;
    return t * 1e9 / ((double)passes * N);
}

static double k_mul_int(long passes)
{
    int64_t s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i++)
            s += wa[i] * xb[i];
    t = now() - t;
    sink = s;
    return t * 1e9 / ((double)passes * N);
}

/* MAC: dot products of TERMS terms, each followed by requantization.  The
** fxp version is what HLS code does: `accum_t acc; acc += w * x;` with
** accum_t = fixed<24,12>, i.e. exact product, exact add, then conversion
** back into the accumulator format at every term. */
static double k_mac_fxp(long passes)
{
    fxp_fmt fw = fxp_format(6, 1, true), fx = fxp_format(8, 1, false);
    fxp_fmt accf = fxp_format(24, 12, true), out = fxp_format(8, 1, false);
    out.omode = FXP_SAT;
    int64_t s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i += TERMS) {
            fxp_raw acc = 0;
            for (int k = 0; k < TERMS; k++) {
                fxp_fmt pf, sf;
                fxp_raw prod = fxp_mul(wa[i + k], &fw, xb[i + k], &fx, &pf);
                fxp_raw sum = fxp_add(acc, &accf, prod, &pf, &sf);
                acc = fxp_quantize(sum, fxp_frac_bits(&sf), &accf);
            }
            s += (int64_t)fxp_convert(acc, &accf, &out);
        }
    t = now() - t;
    sink = s;
    return t * 1e9 / ((double)passes * N);
}

static double k_mac_rq(long passes)
{
    fxp_fmt out = fxp_format(8, 1, false);
    out.omode = FXP_SAT;
    fxp_rq rq;
    fxp_rq_init(&rq, 12, &out);
    int64_t s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i += TERMS) {
            int64_t acc = 0;
            for (int k = 0; k < TERMS; k++)
                acc += wa[i + k] * xb[i + k];
            s += fxp_rq_apply(&rq, acc);
        }
    t = now() - t;
    sink = s;
    return t * 1e9 / ((double)passes * N);
}

static double k_mac_int(long passes)
{
    int64_t s = 0;
    double t = now();
    for (long p = 0; p < passes; p++)
        for (int i = 0; i < N; i += TERMS) {
            int64_t acc = 0;
            for (int k = 0; k < TERMS; k++)
                acc += wa[i + k] * xb[i + k];
            int64_t q = acc >> 5;
            s += q < 0 ? 0 : q > 255 ? 255 : q;
        }
    t = now() - t;
    sink = s;
    return t * 1e9 / ((double)passes * N);
}

static double best(kernel k, long passes)
{
    double b = 1e30;
    for (int r = 0; r < REPS; r++) {
        double v = k(passes);
        if (v < b)
            b = v;
    }
    return b;
}

static void row(const char *name, kernel fx, const char *fx_what, kernel base,
                long passes)
{
    double a = best(fx, passes), b = best(base, passes);
    printf("  %-26s %-22s %7.2f ns   int64 %6.2f ns   ratio %5.1fx\n", name,
           fx_what, a, b, a / b);
}

int main(int argc, char **argv)
{
    long passes = argc > 1 ? atol(argv[1]) : 400;
    uint64_t x = 0x243f6a8885a308d3ULL;
    for (int i = 0; i < N; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        acc_in[i] = (int64_t)(x % 20000) - 2000;     /* F=12 accumulators */
        wa[i] = (int64_t)(x >> 20) % 64 - 32;        /* fixed<6,1> raw  */
        xb[i] = (int64_t)(x >> 40) % 256;            /* ufixed<8,1> raw */
    }
    printf("fxp_bench: %d values x %ld passes, best of %d (ns per operation)\n",
           N, passes, REPS);
    printf("  (the int64 loops are auto-vectorized by the compiler; the fxp calls are not)\n");
    row("quantize TRN/SAT", k_quant_fxp, "fxp_quantize", k_quant_int, passes);
    row("quantize RND/SAT", k_quant_rnd_fxp, "fxp_quantize", k_quant_rnd_int, passes);
    row("quantize RND/SAT", k_quant_rnd_rq, "fxp_rq_apply (inline)", k_quant_rnd_int, passes);
    row("mul 6b x 8b", k_mul_fxp, "fxp_mul", k_mul_int, passes);
    row("MAC term (128-term dot)", k_mac_fxp, "fxp_mul+add+quantize", k_mac_int, passes / 4 + 1);
    row("MAC term (128-term dot)", k_mac_rq, "int64 MAC+fxp_rq_apply", k_mac_int, passes);
    return 0;
}
