/*
** eng_fast.c — the compiled (fast) integer path.
**
** eng_compile turns a model into a short list of ops on int16 tensors:
**
**   * MAP and FLATTEN layers disappear: the plan tracks, for the current
**     tensor, which real buffer element each logical element is (or a
**     constant zero), and folds that wiring into the next MAC's weight
**     rows.  A conv fed by the 48 -> 8x8 map thus reads the 48 converter
**     outputs directly; taps that read zero padding or a zero-mapped pixel
**     simply have no weight (pruned at compile time), and a cell wired to
**     two pixels gets the sum of both weights (exact: the layer is linear
**     until the accumulator).
**   * CONV2D and DENSE both become one MAC op out = requant(b + x . M)
**     with M the (unrolled) Nin x Nout integer matrix, stored as int16
**     pairs interleaved for the "multiply pairs of int16, add into int32"
**     instruction (vpmaddwd): for input pair j, output k the two weights
**     M[2j][k], M[2j+1][k] sit side by side; 16 outputs form a chunk.
**   * Only nonzero input pairs are visited (after ReLU and with sparse
**     crossings many are zero): the nonzero pairs are listed branch-free
**     first, then each adds x-pair * M-row to the accumulators.
**
** The fast path is exact whenever every raw value and weight fits int16 and
** every accumulator provably fits 2^30 (bounds computed from the formats
** and the actual weights); otherwise the plan runs the generic path.
** Requantization uses shift/round/clamp for TRN/RND with SAT/WRAP and
** fxp_rq_apply (exact for every mode) for the rest.
*/
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVX512BW__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "engine/engine.h"
#include "fixedpoint/fxp_fast.h"

#define ENG_MAX_TENSOR 4096     /* fast path: values per tensor */
#define CHUNK 16                /* outputs per accumulator chunk */
#define MAC_MAX_NC 8            /* chunks per mac_rows call (accumulators in registers) */
#define CONV_RQ_N 64            /* converter requantizers: source frac bits 0..63 (msb of a 64-bit sum; charge_frac <= 32) */

typedef enum { RQ_SAT, RQ_WRAP, RQ_GENERIC } rq_kind;

/* Requantization of int32 values with precomputed parameters. */
typedef struct {
    rq_kind kind;
    int     shift;       /* right shift (>= 0) for SAT / WRAP            */
    int32_t add;         /* rounding increment added before the shift    */
    int32_t lo, hi;      /* SAT bounds                                   */
    int     wbits;       /* WRAP: width; wsigned: sign-extend            */
    int     wsigned;
    fxp_rq  rq;          /* exact fallback                               */
} eng_rq;

typedef enum { OP_MAC, OP_GATHER } op_kind;

typedef struct {
    op_kind  kind;
    int      n_in, n_out;
    /* OP_GATHER */
    int     *idx;
    /* OP_MAC */
    int      n_pairs, n_chunks;
    int16_t *wt;        /* [n_pairs][n_chunks][2*CHUNK], 64-byte aligned  */
    int     *ident;     /* 0, 1, 2, ... n_pairs-1                         */
    int      os;        /* output-stationary pruned form (below) in use   */
    int     *blk_start; /* [n_chunks+1]: chunk c owns blocks [start, next) */
    int     *blk_pair;  /* input pair of each block                       */
    int16_t *blk_w;     /* [n_blocks][2*CHUNK] weights of each block      */
    int32_t *bias;      /* [n_chunks*CHUNK], bias aligned to F_acc        */
    int      has_acc;
    eng_rq   acc_rq;
    int      relu;
    eng_rq   out_rq;
} eng_op;

struct eng_plan {
    mdl_model *m;           /* private copy: generic fallback, settings  */
    int        fast;
    int        n_cells;
    uint32_t   mask;        /* charge_bits mask                          */
    /* converter: TRN/WRAP unsigned/signed as shift + wrap, else fxp_rq  */
    int        conv_simple;
    int        in_frac, in_width, in_signed;
    fxp_rq     conv_rq[CONV_RQ_N]; /* by source fractional bits (msb)    */
    int        n_ops;
    eng_op     ops[2 * MDL_MAX_LAYERS + 2];
    int        n_latent;
    eng_rq     lat_rq;      /* last out_fmt -> sent latent format        */
};

/* ---- requantization --------------------------------------------------- */

static void rq_init(eng_rq *r, int src_frac, const fxp_fmt *dst)
{
    memset(r, 0, sizeof *r);
    fxp_rq_init(&r->rq, src_frac, dst);
    int shift = src_frac - fxp_frac_bits(dst);
    int simple_q = dst->qmode == FXP_TRN || dst->qmode == FXP_RND;
    r->kind = RQ_GENERIC;
    if (!simple_q || shift < 0 || shift > 30 || dst->width > 31 || dst->sat_bits)
        return;
    r->shift = shift;
    r->add = dst->qmode == FXP_RND && shift > 0 ? (int32_t)1 << (shift - 1) : 0;
    r->lo = (int32_t)fxp_raw_min(dst);
    r->hi = (int32_t)fxp_raw_max(dst);
    r->wbits = dst->width;
    r->wsigned = dst->is_signed;
    if (dst->omode == FXP_SAT)
        r->kind = RQ_SAT;
    else if (dst->omode == FXP_WRAP)
        r->kind = RQ_WRAP;
}

/* In-place on a[0..n); |a| < 2^30 so adding the increment cannot overflow. */
static void rq_apply(const eng_rq *r, int32_t *restrict a, int n)
{
    int s = r->shift;
    int32_t add = r->add, lo = r->lo, hi = r->hi;
    switch (r->kind) {
    case RQ_SAT:
        for (int k = 0; k < n; k++) {
            int32_t v = (a[k] + add) >> s;
            v = v < lo ? lo : v;
            a[k] = v > hi ? hi : v;
        }
        break;
    case RQ_WRAP:
        if (r->wsigned) {
            int up = 32 - r->wbits;
            for (int k = 0; k < n; k++)
                a[k] = (int32_t)((uint32_t)((a[k] + add) >> s) << up) >> up;
        } else {
            uint32_t mk = (uint32_t)(((uint64_t)1 << r->wbits) - 1);
            for (int k = 0; k < n; k++)
                a[k] = (int32_t)((uint32_t)((a[k] + add) >> s) & mk);
        }
        break;
    case RQ_GENERIC:
        for (int k = 0; k < n; k++)
            a[k] = (int32_t)fxp_rq_apply(&r->rq, a[k]);
        break;
    }
}

/* The int16 pair (in[2j], in[2j+1]) as one int32, as vpmaddwd reads it. */
static inline int32_t pair_at(const int16_t *in, int j)
{
    int32_t v;
    memcpy(&v, in + 2 * j, sizeof v);
    return v;
}

/* rq_apply, then narrowed into out16 (values fit int16: checked at
** compile time), in one pass for the common SAT case. */
static void rq_apply16(const eng_rq *r, int32_t *restrict a, int n, int16_t *restrict out)
{
    if (r->kind == RQ_SAT) {
        int s = r->shift;
        int32_t add = r->add, lo = r->lo, hi = r->hi;
        for (int k = 0; k < n; k++) {
            int32_t v = (a[k] + add) >> s;
            v = v < lo ? lo : v;
            out[k] = (int16_t)(v > hi ? hi : v);
        }
        return;
    }
    rq_apply(r, a, n);
    for (int k = 0; k < n; k++)
        out[k] = (int16_t)a[k];
}

/* ---- the MAC kernel ---------------------------------------------------- */

/* acc[0 .. nc*CHUNK) += sum over listed pairs of x-pair . M-row.  nc is a
** compile-time constant after inlining, so the accumulators live in
** registers. */
static inline __attribute__((always_inline)) void
mac_rows(int nc, const int16_t *restrict wt, int stride, const int32_t *restrict pv,
         const int *restrict pj, int np, int32_t *restrict acc)
{
    assert(nc >= 1 && nc <= MAC_MAX_NC);
#if defined(__AVX512BW__)
    __m512i a[MAC_MAX_NC];
    for (int c = 0; c < nc; c++)
        a[c] = _mm512_load_si512((const void *)(acc + c * CHUNK));
    for (int t = 0; t < np; t++) {
        __m512i x = _mm512_set1_epi32(pv[t]);
        const int16_t *w = wt + (size_t)pj[t] * stride;
        for (int c = 0; c < nc; c++)
            a[c] = _mm512_add_epi32(a[c], _mm512_madd_epi16(
                       x, _mm512_load_si512((const void *)(w + c * 2 * CHUNK))));
    }
    for (int c = 0; c < nc; c++)
        _mm512_store_si512((void *)(acc + c * CHUNK), a[c]);
#elif defined(__AVX2__)
    __m256i a[2 * MAC_MAX_NC];
    for (int c = 0; c < 2 * nc; c++)
        a[c] = _mm256_load_si256((const __m256i *)(acc + c * 8));
    for (int t = 0; t < np; t++) {
        __m256i x = _mm256_set1_epi32(pv[t]);
        const int16_t *w = wt + (size_t)pj[t] * stride;
        for (int c = 0; c < 2 * nc; c++)
            a[c] = _mm256_add_epi32(a[c], _mm256_madd_epi16(
                       x, _mm256_load_si256((const __m256i *)(w + c * 16))));
    }
    for (int c = 0; c < 2 * nc; c++)
        _mm256_store_si256((__m256i *)(acc + c * 8), a[c]);
#else
    for (int t = 0; t < np; t++) {
        int32_t x0 = (int16_t)(pv[t] & 0xffff), x1 = (int16_t)((uint32_t)pv[t] >> 16);
        const int16_t *w = wt + (size_t)pj[t] * stride;
        for (int k = 0; k < nc * CHUNK; k++)
            acc[k] += x0 * w[2 * k] + x1 * w[2 * k + 1];
    }
#endif
}

#if !defined(__AVX512BW__) && !defined(__AVX2__)
/* One chunk over every pair (portable / AVX2 build of mac_dense). */
static void mac_rows_any(const eng_op *op, int c, const int16_t *in, int np, int32_t *acc)
{
    size_t st = (size_t)op->n_chunks * 2 * CHUNK;
    const int16_t *w0 = op->wt + (size_t)c * 2 * CHUNK;
    for (int t = 0; t < np; t++) {
        int32_t x0 = in[2 * t], x1 = in[2 * t + 1];
        const int16_t *w = w0 + t * st;
        for (int k = 0; k < CHUNK; k++)
            acc[c * CHUNK + k] += x0 * w[2 * k] + x1 * w[2 * k + 1];
    }
}
#endif

/* Blocks of up to 8 chunks (128 outputs), each with its accumulators in
** registers, over the list of nonzero input pairs. */
static void mac_all(const eng_op *op, const int32_t *pv, const int *pj, int np, int32_t *acc)
{
    int stride = op->n_chunks * 2 * CHUNK;
    for (int c0 = 0; c0 < op->n_chunks; c0 += 8) {
        int nc = op->n_chunks - c0 < MAC_MAX_NC ? op->n_chunks - c0 : MAC_MAX_NC;
        const int16_t *wt = op->wt + (size_t)c0 * 2 * CHUNK;
        int32_t *a = acc + c0 * CHUNK;
        switch (nc) {
        case 1: mac_rows(1, wt, stride, pv, pj, np, a); break;
        case 2: mac_rows(2, wt, stride, pv, pj, np, a); break;
        case 3: mac_rows(3, wt, stride, pv, pj, np, a); break;
        case 4: mac_rows(4, wt, stride, pv, pj, np, a); break;
        case 5: mac_rows(5, wt, stride, pv, pj, np, a); break;
        case 6: mac_rows(6, wt, stride, pv, pj, np, a); break;
        case 7: mac_rows(7, wt, stride, pv, pj, np, a); break;
        default: mac_rows(8, wt, stride, pv, pj, np, a); break;
        }
    }
}

/* Output-stationary pruned form: for each chunk of 16 outputs, only the
** input pairs with a nonzero weight in it (structural zeros of a conv:
** taps outside the window, padding, zero-mapped pixels). */
static void mac_os(const eng_op *op, const int16_t *in, int32_t *acc)
{
    for (int c = 0; c < op->n_chunks; c++) {
        int b0 = op->blk_start[c], b1 = op->blk_start[c + 1];
        const int *pj = op->blk_pair;
        const int16_t *w = op->blk_w;
#if defined(__AVX512BW__)
        __m512i a = _mm512_load_si512((const void *)(op->bias + c * CHUNK)), a2 = _mm512_setzero_si512();
        int b = b0;
        for (; b + 1 < b1; b += 2) {
            a = _mm512_add_epi32(a, _mm512_madd_epi16(_mm512_set1_epi32(pair_at(in, pj[b])),
                    _mm512_load_si512((const void *)(w + (size_t)b * 2 * CHUNK))));
            a2 = _mm512_add_epi32(a2, _mm512_madd_epi16(_mm512_set1_epi32(pair_at(in, pj[b + 1])),
                    _mm512_load_si512((const void *)(w + (size_t)(b + 1) * 2 * CHUNK))));
        }
        if (b < b1)
            a = _mm512_add_epi32(a, _mm512_madd_epi16(_mm512_set1_epi32(pair_at(in, pj[b])),
                    _mm512_load_si512((const void *)(w + (size_t)b * 2 * CHUNK))));
        _mm512_store_si512((void *)(acc + c * CHUNK), _mm512_add_epi32(a, a2));
#elif defined(__AVX2__)
        __m256i a = _mm256_load_si256((const __m256i *)(op->bias + c * CHUNK));
        __m256i a2 = _mm256_load_si256((const __m256i *)(op->bias + c * CHUNK + 8));
        for (int b = b0; b < b1; b++) {
            __m256i x = _mm256_set1_epi32(pair_at(in, pj[b]));
            const int16_t *wb = w + (size_t)b * 2 * CHUNK;
            a = _mm256_add_epi32(a, _mm256_madd_epi16(x, _mm256_load_si256((const __m256i *)wb)));
            a2 = _mm256_add_epi32(a2, _mm256_madd_epi16(x, _mm256_load_si256((const __m256i *)(wb + 16))));
        }
        _mm256_store_si256((__m256i *)(acc + c * CHUNK), a);
        _mm256_store_si256((__m256i *)(acc + c * CHUNK + 8), a2);
#else
        memcpy(acc + c * CHUNK, op->bias + c * CHUNK, CHUNK * sizeof *acc);
        for (int b = b0; b < b1; b++) {
            int32_t x0 = in[2 * pj[b]], x1 = in[2 * pj[b] + 1];
            const int16_t *wb = w + (size_t)b * 2 * CHUNK;
            for (int k = 0; k < CHUNK; k++)
                acc[c * CHUNK + k] += x0 * wb[2 * k] + x1 * wb[2 * k + 1];
        }
#endif
    }
}

/* Few chunks, every input pair (no listing): four independent
** accumulator chains per chunk, weights read in order. */
static void mac_dense(const eng_op *op, const int16_t *in, int32_t *acc)
{
    int nc = op->n_chunks, np = op->n_pairs;
    for (int c = 0; c < nc; c++) {
#if defined(__AVX512BW__)
        const int16_t *w = op->wt + (size_t)c * 2 * CHUNK;
        size_t st = (size_t)nc * 2 * CHUNK;
        __m512i a0 = _mm512_load_si512((const void *)(op->bias + c * CHUNK));
        __m512i a1 = _mm512_setzero_si512(), a2 = a1, a3 = a1;
        int t = 0;
        for (; t + 3 < np; t += 4) {
            a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(_mm512_set1_epi32(pair_at(in, t)),
                     _mm512_load_si512((const void *)(w + t * st))));
            a1 = _mm512_add_epi32(a1, _mm512_madd_epi16(_mm512_set1_epi32(pair_at(in, t + 1)),
                     _mm512_load_si512((const void *)(w + (t + 1) * st))));
            a2 = _mm512_add_epi32(a2, _mm512_madd_epi16(_mm512_set1_epi32(pair_at(in, t + 2)),
                     _mm512_load_si512((const void *)(w + (t + 2) * st))));
            a3 = _mm512_add_epi32(a3, _mm512_madd_epi16(_mm512_set1_epi32(pair_at(in, t + 3)),
                     _mm512_load_si512((const void *)(w + (t + 3) * st))));
        }
        for (; t < np; t++)
            a0 = _mm512_add_epi32(a0, _mm512_madd_epi16(_mm512_set1_epi32(pair_at(in, t)),
                     _mm512_load_si512((const void *)(w + t * st))));
        a0 = _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3));
        _mm512_store_si512((void *)(acc + c * CHUNK), a0);
#elif defined(__AVX2__)
        const int16_t *w = op->wt + (size_t)c * 2 * CHUNK;
        size_t st = (size_t)nc * 2 * CHUNK;
        __m256i a0 = _mm256_load_si256((const __m256i *)(op->bias + c * CHUNK));
        __m256i a1 = _mm256_load_si256((const __m256i *)(op->bias + c * CHUNK + 8));
        __m256i b0 = _mm256_setzero_si256(), b1 = b0;
        int t = 0;
        for (; t + 1 < np; t += 2) {
            __m256i x = _mm256_set1_epi32(pair_at(in, t)), y = _mm256_set1_epi32(pair_at(in, t + 1));
            const int16_t *wa = w + t * st, *wb = w + (t + 1) * st;
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(x, _mm256_load_si256((const __m256i *)wa)));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(x, _mm256_load_si256((const __m256i *)(wa + 16))));
            b0 = _mm256_add_epi32(b0, _mm256_madd_epi16(y, _mm256_load_si256((const __m256i *)wb)));
            b1 = _mm256_add_epi32(b1, _mm256_madd_epi16(y, _mm256_load_si256((const __m256i *)(wb + 16))));
        }
        for (; t < np; t++) {
            __m256i x = _mm256_set1_epi32(pair_at(in, t));
            const int16_t *wa = w + t * st;
            a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(x, _mm256_load_si256((const __m256i *)wa)));
            a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(x, _mm256_load_si256((const __m256i *)(wa + 16))));
        }
        _mm256_store_si256((__m256i *)(acc + c * CHUNK), _mm256_add_epi32(a0, b0));
        _mm256_store_si256((__m256i *)(acc + c * CHUNK + 8), _mm256_add_epi32(a1, b1));
#else
        memcpy(acc + c * CHUNK, op->bias + c * CHUNK, CHUNK * sizeof *acc);
        mac_rows_any(op, c, in, np, acc);
#endif
    }
}

static void run_mac(const eng_op *op, const int16_t *in, int16_t *out)
{
    int32_t pv[ENG_MAX_TENSOR / 2 + 1];
    int pj[ENG_MAX_TENSOR / 2 + 1];
    int32_t acc[ENG_MAX_TENSOR + 8 * CHUNK] __attribute__((aligned(64)));
    if (op->os) {
        mac_os(op, in, acc);
    } else if (op->n_chunks < 4) {
        /* few outputs: listing the nonzero pairs costs more than it saves */
        mac_dense(op, in, acc);
    } else {
        memcpy(acc, op->bias, (size_t)op->n_chunks * CHUNK * sizeof *acc);
        /* list the nonzero input pairs without branches */
        int np = 0;
        for (int j = 0; j < op->n_pairs; j++) {
            int32_t v = pair_at(in, j);
            pv[np] = v;
            pj[np] = j;
            np += v != 0;
        }
        mac_all(op, pv, pj, np, acc);
    }
    if (op->has_acc)
        rq_apply(&op->acc_rq, acc, op->n_out);
    if (op->relu == 1)
        for (int k = 0; k < op->n_out; k++)
            acc[k] = acc[k] < 0 ? 0 : acc[k];
    rq_apply16(&op->out_rq, acc, op->n_out, out);
    out[op->n_out] = 0;     /* pad of an odd-sized next input pair */
}

/* ---- encode ------------------------------------------------------------ */

static void convert_fast(const eng_plan *p, const uint32_t *q, int16_t *x, eng_out *o)
{
    uint64_t sum = 0;
    for (int i = 0; i < p->n_cells; i++)
        sum += q[i] & p->mask;
    int msb = mdl_msb(sum);
    o->sum = sum;
    o->msb = msb;
    o->sum_code = mdl_sum_encode(&p->m->in, sum);
    int src = mdl_input_frac(&p->m->in, msb);
    assert(src >= 0 && src < CONV_RQ_N);
    if (p->conv_simple) {
        int s = src - p->in_frac;       /* right shift; < 0: left shift */
        int up = 32 - p->in_width;
        for (int i = 0; i < p->n_cells; i++) {
            uint32_t v = q[i] & p->mask;
            v = s >= 0 ? (s >= 32 ? 0 : v >> s) : (-s >= 32 ? 0 : v << -s);
            /* wrap to the format's width (two's complement when signed) */
            x[i] = (int16_t)(p->in_signed ? (int32_t)(v << up) >> up : (int32_t)((v << up) >> up));
        }
    } else {
        for (int i = 0; i < p->n_cells; i++)
            x[i] = (int16_t)fxp_rq_apply(&p->conv_rq[src], q[i] & p->mask);
    }
    x[p->n_cells] = 0;
}

void eng_encode(const eng_plan *p, const uint32_t *charges, eng_out *out)
{
    if (!p->fast) {
        eng_encode_generic(p->m, charges, out);
        return;
    }
    int16_t buf[2][ENG_MAX_TENSOR + 2] __attribute__((aligned(64)));
    int cur = 0;
    convert_fast(p, charges, buf[0], out);
    for (int i = 0; i < p->n_ops; i++) {
        const eng_op *op = &p->ops[i];
        if (op->kind == OP_MAC) {
            run_mac(op, buf[cur], buf[cur ^ 1]);
        } else {
            for (int k = 0; k < op->n_out; k++)
                buf[cur ^ 1][k] = op->idx[k] < 0 ? 0 : buf[cur][op->idx[k]];
            buf[cur ^ 1][op->n_out] = 0;
        }
        cur ^= 1;
    }
    out->n_latent = p->n_latent;
    for (int k = 0; k < p->n_latent; k++)
        out->latent[k] = out->sent[k] = buf[cur][k];
    rq_apply(&p->lat_rq, out->sent, p->n_latent);
}

void eng_encode_batch(const eng_plan *p, const uint32_t *charges, size_t n, eng_out *out)
{
    for (size_t i = 0; i < n; i++)
        eng_encode(p, charges + i * (size_t)p->n_cells, out + i);
}

int eng_plan_cells(const eng_plan *p) { return p->n_cells; }
int eng_plan_latent(const eng_plan *p) { return p->n_latent; }
int eng_plan_is_fast(const eng_plan *p) { return p->fast; }

/* ---- compile ----------------------------------------------------------- */

static int fits16(const fxp_fmt *f)
{
    return fxp_raw_min(f) >= -32768 && fxp_raw_max(f) <= 32767;
}

static int64_t max_abs(const fxp_fmt *f)
{
    int64_t a = (int64_t)-fxp_raw_min(f), b = (int64_t)fxp_raw_max(f);
    return a > b ? a : b;
}

static void free_op(eng_op *op)
{
    free(op->idx);
    free(op->wt);
    free(op->bias);
    free(op->ident);
    free(op->blk_start);
    free(op->blk_pair);
    free(op->blk_w);
}

void eng_free(eng_plan *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_ops; i++)
        free_op(&p->ops[i]);
    mdl_free(p->m);
    free(p);
}

/* The pruned output-stationary form, used when at most 60 % of the
** (pair, chunk) blocks hold a nonzero weight.  Returns 0 on no memory. */
static int build_blocks(eng_op *op)
{
    int nb = 0, total = op->n_pairs * op->n_chunks;
    for (int j = 0; j < op->n_pairs; j++)
        for (int c = 0; c < op->n_chunks; c++) {
            const int16_t *w = op->wt + ((size_t)j * op->n_chunks + c) * 2 * CHUNK;
            int nz = 0;
            for (int k = 0; k < 2 * CHUNK; k++)
                nz |= w[k] != 0;
            nb += nz;
        }
    if (!(op->ident = malloc((size_t)op->n_pairs * sizeof(int))))
        return 0;
    for (int j = 0; j < op->n_pairs; j++)
        op->ident[j] = j;
    if (nb * 10 > total * 6)
        return 1;
    op->blk_start = malloc((size_t)(op->n_chunks + 1) * sizeof(int));
    op->blk_pair = malloc((size_t)(nb + 1) * sizeof(int));
    op->blk_w = aligned_alloc(64, (size_t)(nb + 1) * 2 * CHUNK * sizeof(int16_t));
    if (!op->blk_start || !op->blk_pair || !op->blk_w)
        return 0;
    int b = 0;
    for (int c = 0; c < op->n_chunks; c++) {
        op->blk_start[c] = b;
        for (int j = 0; j < op->n_pairs; j++) {
            const int16_t *w = op->wt + ((size_t)j * op->n_chunks + c) * 2 * CHUNK;
            int nz = 0;
            for (int k = 0; k < 2 * CHUNK; k++)
                nz |= w[k] != 0;
            if (!nz)
                continue;
            op->blk_pair[b] = j;
            memcpy(op->blk_w + (size_t)b * 2 * CHUNK, w, 2 * CHUNK * sizeof(int16_t));
            b++;
        }
    }
    op->blk_start[op->n_chunks] = b;
    op->os = 1;
    return 1;
}

/* Builds the MAC op of layer l reading a tensor whose logical element v is
** real element vidx[v] (or zero when < 0) of a buffer of n_real values with
** raw magnitude <= in_abs.  Returns 0 when it does not fit the fast path. */
static int build_mac(eng_op *op, const mdl_layer *l, const int *vidx, int n_real, int64_t in_abs,
                     int in_frac)
{
    int n_out = mdl_shape_size(l->out), cout = l->out.c, cin = l->in.c;
    int64_t *M = calloc((size_t)n_real * n_out, sizeof *M);
    if (!M)
        return 0;
    if (l->kind == MDL_DENSE) {
        for (int v = 0; v < cin; v++)
            if (vidx[v] >= 0)
                for (int k = 0; k < cout; k++)
                    M[(size_t)vidx[v] * n_out + k] += l->w[(size_t)v * cout + k];
    } else {
        for (int oy = 0; oy < l->out.h; oy++)
            for (int ox = 0; ox < l->out.w; ox++)
                for (int ky = 0; ky < l->k.kh; ky++)
                    for (int kx = 0; kx < l->k.kw; kx++) {
                        int iy = oy * l->k.sh + ky - l->k.pt, ix = ox * l->k.sw + kx - l->k.pl;
                        if (iy < 0 || iy >= l->in.h || ix < 0 || ix >= l->in.w)
                            continue;            /* padding: pruned */
                        for (int ci = 0; ci < cin; ci++) {
                            int r = vidx[(iy * l->in.w + ix) * cin + ci];
                            if (r < 0)
                                continue;        /* zero-mapped: pruned */
                            for (int co = 0; co < cout; co++)
                                M[(size_t)r * n_out + (oy * l->out.w + ox) * cout + co] +=
                                    l->w[((size_t)(ky * l->k.kw + kx) * cin + ci) * cout + co];
                        }
                    }
    }
    int f_acc = in_frac + fxp_frac_bits(&l->w_fmt);
    int bshift = f_acc - fxp_frac_bits(&l->b_fmt);
    int ok = bshift < 31;
    op->kind = OP_MAC;
    op->n_in = n_real;
    op->n_out = n_out;
    op->n_pairs = (n_real + 1) / 2;
    op->n_chunks = (n_out + CHUNK - 1) / CHUNK;
    size_t nwt = (size_t)op->n_pairs * op->n_chunks * 2 * CHUNK;
    op->wt = aligned_alloc(64, (nwt * sizeof(int16_t) + 63) / 64 * 64);
    op->bias = aligned_alloc(64, ((size_t)op->n_chunks * CHUNK * sizeof(int32_t) + 63) / 64 * 64);
    if (!op->wt || !op->bias)
        ok = 0;
    if (ok) {
        memset(op->wt, 0, nwt * sizeof(int16_t));
        memset(op->bias, 0, (size_t)op->n_chunks * CHUNK * sizeof(int32_t));
    }
    /* exact accumulator bound per output; every weight must fit int16 */
    for (int k = 0; ok && k < n_out; k++) {
        int64_t b = l->b[k % cout];
        __int128 bound = (__int128)(b < 0 ? -b : b) << bshift;
        for (int r = 0; r < n_real && ok; r++) {
            int64_t w = M[(size_t)r * n_out + k];
            if (w < -32768 || w > 32767)
                ok = 0;
            bound += (__int128)(w < 0 ? -w : w) * in_abs;
            int j = r / 2, c = k / CHUNK;
            op->wt[((size_t)j * op->n_chunks + c) * 2 * CHUNK + 2 * (k % CHUNK) + (r & 1)] = (int16_t)w;
        }
        if (bound >= ((__int128)1 << 30))
            ok = 0;
        if (ok)
            op->bias[k] = (int32_t)(b * ((int64_t)1 << bshift));
    }
    free(M);
    if (!ok)
        return 0;
    op->has_acc = l->has_acc_fmt;
    int f = f_acc;
    if (l->has_acc_fmt) {
        rq_init(&op->acc_rq, f, &l->acc_fmt);
        f = fxp_frac_bits(&l->acc_fmt);
    }
    op->relu = l->act == MDL_ACT_RELU;
    rq_init(&op->out_rq, f, &l->out_fmt);
    /* ReLU then a saturating floor/round shift == the shift clamped at 0
    ** (the shift is monotonic and maps every negative value to <= 0). */
    if (op->relu && op->out_rq.kind == RQ_SAT) {
        op->relu = 2;
        if (op->out_rq.lo < 0)
            op->out_rq.lo = 0;
    }
    return build_blocks(op);
}

/* The fast program; 0 when the model needs the generic path. */
static int compile_fast(eng_plan *p, const mdl_model *m)
{
    const mdl_input *in = &m->in;
    if (!fits16(&in->fmt) || in->n_cells + 2 > ENG_MAX_TENSOR)
        return 0;
    p->in_frac = fxp_frac_bits(&in->fmt);
    p->in_width = in->fmt.width;
    p->in_signed = in->fmt.is_signed;
    p->conv_simple = in->fmt.qmode == FXP_TRN && in->fmt.omode == FXP_WRAP && !in->fmt.sat_bits;
    for (int s = 0; s < CONV_RQ_N; s++)
        fxp_rq_init(&p->conv_rq[s], s, &in->fmt);
    int vidx[ENG_MAX_TENSOR], n_real = in->n_cells, n_log = in->n_cells;
    for (int v = 0; v < n_log; v++)
        vidx[v] = v;
    fxp_fmt cur = in->fmt;
    for (int i = 0; i < m->n_layers; i++) {
        const mdl_layer *l = &m->layers[i];
        int n_out = mdl_shape_size(l->out);
        if (n_out + 2 > ENG_MAX_TENSOR || !fits16(&l->out_fmt))
            return 0;
        if (l->kind == MDL_MAP) {
            int nv[ENG_MAX_TENSOR];
            for (int v = 0; v < n_out; v++)
                nv[v] = l->map[v] < 0 ? -1 : vidx[l->map[v]];
            memcpy(vidx, nv, (size_t)n_out * sizeof *nv);
            n_log = n_out;
        } else if (l->kind == MDL_FLATTEN) {
            /* relabel only */
        } else {
            if (!fits16(&l->w_fmt) || p->n_ops >= (int)(sizeof p->ops / sizeof p->ops[0]) - 1)
                return 0;
            if (!build_mac(&p->ops[p->n_ops++], l, vidx, n_real, max_abs(&cur),
                           fxp_frac_bits(&cur)))
                return 0;
            n_real = n_log = n_out;
            for (int v = 0; v < n_out; v++)
                vidx[v] = v;
        }
        cur = l->out_fmt;
    }
    /* a model ending in wiring: materialize it */
    int ident = n_real == n_log;
    for (int v = 0; ident && v < n_log; v++)
        ident = vidx[v] == v;
    if (!ident) {
        eng_op *op = &p->ops[p->n_ops++];
        op->kind = OP_GATHER;
        op->n_in = n_real;
        op->n_out = n_log;
        op->idx = malloc((size_t)n_log * sizeof(int));
        if (!op->idx)
            return 0;
        memcpy(op->idx, vidx, (size_t)n_log * sizeof(int));
    }
    fxp_fmt lf = mdl_latent_fmt(m);
    rq_init(&p->lat_rq, fxp_frac_bits(&cur), &lf);
    return 1;
}

int eng_compile(const mdl_model *m, eng_plan **out, rad_err *err)
{
    *out = NULL;
    int rc = mdl_validate(m, err);
    if (rc)
        return rc;
    eng_plan *p = calloc(1, sizeof *p);
    if (!p || !(p->m = mdl_clone(m))) {
        free(p);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    p->n_cells = m->in.n_cells;
    p->mask = m->in.charge_bits >= 32 ? 0xffffffffu : (1u << m->in.charge_bits) - 1;
    p->n_latent = mdl_latent_count(m);
    p->fast = compile_fast(p, m);
    if (!p->fast) {     /* drop partial ops; the generic path serves */
        for (int i = 0; i < p->n_ops; i++)
            free_op(&p->ops[i]);
        memset(p->ops, 0, sizeof p->ops);
        p->n_ops = 0;
    }
    *out = p;
    return RAD_OK;
}
