/*
{{header}}
 *
 * Plain C (stdint only), bit-exact with the rad4ml reference engine:
 * every requantization is rq_quantize() below (ap_fixed rounding and
 * overflow modes written out), accumulators are exact {{acc_t}} integers.
 * Pragmas: Vitis HLS (#pragma HLS ...) and Catapult (#pragma hls_...);
 * other compilers ignore them.  Target: {{target}}.
 */
#include <stdint.h>
#include "{{top}}_hls.h"

/* Every loop is labelled (names in HLS reports and directives); plain C
** compilers see the labels unused. */
#pragma GCC diagnostic ignored "-Wunused-label"

/* Quantization / overflow modes (fixedpoint/fxp.h order). */
enum { RQ_TRN, RQ_TRN_ZERO, RQ_RND, RQ_RND_ZERO, RQ_RND_MIN_INF, RQ_RND_INF, RQ_RND_CONV };
enum { RQ_WRAP, RQ_SAT, RQ_SAT_ZERO, RQ_SAT_SYM };

/* fxp_quantize: v has d more fractional bits than the destination
** (d < 0: fewer); the destination is w bits, signed (sgn) or not, with
** quantization mode qm, overflow mode om and n saturation bits (WRAP).
** Every argument but v is a constant at each call: HLS folds it away. */
static inline int64_t rq_quantize(int64_t v, int d, int w, int sgn, int qm, int om, int n)
{
#pragma HLS INLINE
    int64_t q = v;
    if (d < 0)
        q = (int64_t)((uint64_t)v << -d);
    else if (d > 0) {
        int64_t fl = v >> d;                        /* floor */
        uint64_t rem = (uint64_t)v & ((UINT64_C(1) << d) - 1);
        uint64_t half = UINT64_C(1) << (d - 1);
        int qb = rem >= half, r = (rem & (half - 1)) != 0, neg = v < 0, odd = (int)(fl & 1);
        int inc = 0;
        switch (qm) {
        case RQ_TRN_ZERO:    inc = neg && (qb || r); break;
        case RQ_RND:         inc = qb; break;
        case RQ_RND_ZERO:    inc = qb && (neg || r); break;
        case RQ_RND_MIN_INF: inc = qb && r; break;
        case RQ_RND_INF:     inc = qb && (!neg || r); break;
        case RQ_RND_CONV:    inc = qb && (odd || r); break;
        default:             break;
        }
        q = fl + inc;
    }
    int64_t lo = sgn ? -(INT64_C(1) << (w - 1)) : 0;
    int64_t hi = sgn ? (INT64_C(1) << (w - 1)) - 1 : (INT64_C(1) << w) - 1;
    if (q >= lo && q <= hi)
        return (om == RQ_SAT_SYM && sgn && w > 1 && q == lo) ? lo + 1 : q;
    int neg = q < 0;
    switch (om) {
    case RQ_SAT_ZERO: return 0;
    case RQ_SAT:      return neg ? lo : hi;
    case RQ_SAT_SYM:  return !neg ? hi : (!sgn || w == 1) ? lo : -hi;
    default:          break;
    }
    uint64_t mask = (w == 64) ? ~UINT64_C(0) : (UINT64_C(1) << w) - 1;
    uint64_t bits = (uint64_t)q & mask;                /* wrap */
    if (n > 0) {
        uint64_t top = ((UINT64_C(1) << n) - 1) << (w - n), sign = UINT64_C(1) << (w - 1);
        if (!sgn)
            bits |= top;
        else
            bits = neg ? (bits & ~top) | sign : (bits | top) & ~sign;
    }
    if (sgn && (bits >> (w - 1)) & 1)
        return (int64_t)(bits | ~((UINT64_C(1) << (w - 1)) - 1));
    return (int64_t)bits;
}

/* Converter: sum, msb = floor(log2(sum)), x[i] = quantize(q[i] / 2^msb),
** module sum as a {{sum_e}}E{{sum_m}}M float (truncating, saturating). */
static void rq_converter(const uint32_t q[{{n_cells}}], {{x_t}} x[{{n_cells}}], uint32_t *code)
{
#pragma HLS INLINE
    uint64_t sum = 0;
conv_sum:
    for (int i = 0; i < {{n_cells}}; i++) {
#pragma HLS UNROLL
#pragma hls_unroll yes
        sum += (uint64_t)(q[i] & {{q_mask}}u);
    }
    int msb = 0;
conv_msb:
    for (int i = 0; i < 64; i++) {
#pragma HLS UNROLL
#pragma hls_unroll yes
        if ((sum >> i) & 1)
            msb = i;
    }
    if (sum < (UINT64_C(1) << {{sum_m}})) {
        *code = (uint32_t)sum;
    } else {
        int e = msb - {{sum_m}} + 1;
        if (e >= (1 << {{sum_e}}))
            *code = (UINT32_C(1) << ({{sum_e}} + {{sum_m}})) - 1;
        else
            *code = ((uint32_t)e << {{sum_m}}) |
                    ((uint32_t)(sum >> (e - 1)) & ((UINT32_C(1) << {{sum_m}}) - 1));
    }
conv_norm:
    for (int i = 0; i < {{n_cells}}; i++) {
#pragma HLS UNROLL
#pragma hls_unroll yes
        x[i] = ({{x_t}})rq_quantize((int64_t)(q[i] & {{q_mask}}u), {{norm_shift}} - {{x_frac}},
                                    {{x_fmt}});
    }
}

{{#map}}
/* {{name}}: wiring, out[i] = in[idx[i]] or 0 for idx[i] < 0. */
static const int32_t {{fn}}_idx[{{n_out}}] = {
{{idx}}
};

static void {{fn}}(const {{in_t}} x[{{n_in}}], {{out_t}} y[{{n_out}}])
{
#pragma HLS INLINE
map_out:
    for (int i = 0; i < {{n_out}}; i++) {
#pragma HLS UNROLL
#pragma hls_unroll yes
        y[i] = {{fn}}_idx[i] < 0 ? 0 : ({{out_t}})x[{{fn}}_idx[i]];
    }
}

{{/map}}
{{#flatten}}
/* {{name}}: flatten (HWC order is already flat). */
static void {{fn}}(const {{in_t}} x[{{n_in}}], {{out_t}} y[{{n_out}}])
{
#pragma HLS INLINE
flatten_out:
    for (int i = 0; i < {{n_out}}; i++) {
#pragma HLS UNROLL
#pragma hls_unroll yes
        y[i] = ({{out_t}})x[i];
    }
}

{{/flatten}}
{{#conv}}
/* {{name}}: conv2d {{kh}}x{{kw}} stride {{sh}}x{{sw}}, padding t{{pt}} l{{pl}} (zero),
** {{in_h}}x{{in_w}}x{{cin}} -> {{out_h}}x{{out_w}}x{{cout}}, {{act}}. */
static void {{fn}}(const {{in_t}} x[{{n_in}}], const {{w_t}} w[{{n_w}}], const {{b_t}} b[{{n_b}}],
               {{out_t}} y[{{n_out}}])
{
#pragma HLS INLINE
{{#reuse}}
    /* Reuse factor {{r}} (hls4ml ReuseFactor): {{mults}} multipliers serve the
    ** {{prods}} products, each one up to {{r}} times per crossing (II = {{r}}). */
#pragma HLS ALLOCATION operation instances=mul limit={{mults}}
{{/reuse}}
conv_oy:
    for (int oy = 0; oy < {{out_h}}; oy++)
conv_ox:
        for (int ox = 0; ox < {{out_w}}; ox++)
conv_co:
            for (int co = 0; co < {{cout}}; co++) {
#pragma HLS UNROLL
#pragma hls_unroll yes
                {{acc_t}} acc = ({{acc_t}})b[co] * (({{acc_t}})1 << {{bias_shift}});
conv_ky:
                for (int ky = 0; ky < {{kh}}; ky++)
conv_kx:
                    for (int kx = 0; kx < {{kw}}; kx++) {
                        int iy = oy * {{sh}} + ky - {{pt}}, ix = ox * {{sw}} + kx - {{pl}};
                        if (iy < 0 || iy >= {{in_h}} || ix < 0 || ix >= {{in_w}})
                            continue;                           /* zero padding */
conv_ci:
                        for (int ci = 0; ci < {{cin}}; ci++)
                            acc += ({{acc_t}})x[(iy * {{in_w}} + ix) * {{cin}} + ci] *
                                   w[((ky * {{kw}} + kx) * {{cin}} + ci) * {{cout}} + co];
                    }
                int64_t a = (int64_t)acc;
{{post}}
                y[(oy * {{out_w}} + ox) * {{cout}} + co] = ({{out_t}})a;
            }
}

{{/conv}}
{{#dense}}
/* {{name}}: dense {{n_in}} -> {{n_out}}, {{act}}. */
static void {{fn}}(const {{in_t}} x[{{n_in}}], const {{w_t}} w[{{n_w}}], const {{b_t}} b[{{n_b}}],
               {{out_t}} y[{{n_out}}])
{
#pragma HLS INLINE
{{#reuse}}
    /* Reuse factor {{r}} (hls4ml ReuseFactor): {{mults}} multipliers serve the
    ** {{prods}} products, each one up to {{r}} times per crossing (II = {{r}}). */
#pragma HLS ALLOCATION operation instances=mul limit={{mults}}
{{/reuse}}
dense_out:
    for (int o = 0; o < {{n_out}}; o++) {
#pragma HLS UNROLL
#pragma hls_unroll yes
        {{acc_t}} acc = ({{acc_t}})b[o] * (({{acc_t}})1 << {{bias_shift}});
dense_in:
        for (int i = 0; i < {{n_in}}; i++)
            acc += ({{acc_t}})x[i] * w[i * {{n_out}} + o];
        int64_t a = (int64_t)acc;
{{post}}
        y[o] = ({{out_t}})a;
    }
}

{{/dense}}
{{#wtable}}
/* Compiled-in weights of {{name}} (raw integers, image order). */
static const {{w_t}} {{fn}}_w[{{n_w}}] = {
{{wvals}}
};
static const {{b_t}} {{fn}}_b[{{n_b}}] = {
{{bvals}}
};

{{/wtable}}
/* Bits sent per latent value, by number of links (0: not allowed). */
static const int8_t rq_bits_by_links[{{n_links_tab}}] = { {{bits_tab}} };

void {{top}}(const uint32_t q[{{n_cells}}],
{{#wparam}}
             const {{w_t}} {{fn}}_w[{{n_w}}], const {{b_t}} {{fn}}_b[{{n_b}}],
{{/wparam}}
             uint32_t n_links, uint32_t *sum_code, int32_t latent[{{n_lat}}])
{
#pragma HLS PIPELINE II={{ii}}
#pragma hls_pipeline_init_interval {{ii}}
#pragma HLS ARRAY_PARTITION variable=q complete
#pragma HLS ARRAY_PARTITION variable=latent complete
{{#wparam}}
#pragma HLS ARRAY_PARTITION variable={{fn}}_w complete
#pragma HLS ARRAY_PARTITION variable={{fn}}_b complete
{{/wparam}}
{{#tensor}}
    {{t}} t{{i}}[{{n}}];
#pragma HLS ARRAY_PARTITION variable=t{{i}} complete
{{/tensor}}
    rq_converter(q, t0, sum_code);
{{#call}}
    {{call}}
{{/call}}
    int bits = n_links < {{n_links_tab}} ? rq_bits_by_links[n_links] : 0;
    if (bits == 0)
        bits = {{def_bits}};
latent_out:
    for (int i = 0; i < {{n_lat}}; i++) {
#pragma HLS UNROLL
#pragma hls_unroll yes
        /* truncate to `bits` bits, integer bits kept (TRN, SAT) */
        latent[i] = (int32_t)rq_quantize((int64_t)t{{last}}[i], {{lat_w}} - bits, bits, {{lat_signed}},
                                         RQ_TRN, RQ_SAT, 0);
    }
}

void {{top}}_generic(const uint32_t *q, const int64_t *const *w, const int64_t *const *b,
                     uint32_t n_links, uint32_t *sum_code, int32_t *latent)
{
{{#wparam}}
    {{w_t}} {{fn}}_w[{{n_w}}];
    {{b_t}} {{fn}}_b[{{n_b}}];
{{fn}}_copy_w:
    for (int i = 0; i < {{n_w}}; i++)
        {{fn}}_w[i] = ({{w_t}})w[{{k}}][i];
{{fn}}_copy_b:
    for (int i = 0; i < {{n_b}}; i++)
        {{fn}}_b[i] = ({{b_t}})b[{{k}}][i];
{{/wparam}}
    (void)w;
    (void)b;
    {{top}}(q, {{wargs}}n_links, sum_code, latent);
}
