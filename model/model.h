/*
** model.h — the rad4ml network description (in memory).
**
** A model is what the ASIC computes for one bunch crossing, end to end:
**
**   charges[n_cells] (unsigned, charge_bits each, e.g. 48 x 22-bit CALQ)
**     -> input converter      (mdl_input: MSB normalization, module-sum float)
**     -> encoder layers       (mdl_layer[]: map, conv2d, dense, flatten)
**     -> latent formatter     (mdl_output: truncation to the link budget)
**   and, off-detector, a float decoder (mdl_flayer[]) back to n_cells.
**
** Integer semantics (the contract every engine, generator and RTL obeys):
**
**  * Tensors are channels-last, flat index = (y*W + x)*C + c.
**  * Every encoder tensor holds raw integers of a fixed-point format
**    (fixedpoint/fxp.h); value = raw * 2^-F, F = width - int_bits.
**  * Input converter, for charges q[i] (i < n_cells):
**        sum = sum_i q[i]                         (exact, no overflow)
**        msb = floor(log2(sum)), 0 when sum == 0
**        x[i] = fxp_quantize(q[i], msb, in.fmt)   (i.e. q[i] / 2^msb)
**    so with fmt = ufixed<8,1,TRN,WRAP> x_raw = floor(q * 2^(7-msb)).
**    The module sum is also sent as a small float: sum_code =
**    (exponent << sum_mant_bits) | mantissa  (see mdl_sum_encode).
**    norm == MDL_NORM_NONE skips the division: the charge is read as a
**    fixed-point number with charge_frac fractional bits,
**    x = quantize(q, charge_frac, fmt) (charge_frac = F and WRAP: x_raw =
**    q as a two's-complement raw of fmt: how imported models take their
**    already-quantized inputs).  mdl_input_frac() gives the source
**    fraction of either mode.
**  * MDL_MAP: out[i] = in[map[i]], or 0 when map[i] < 0 (the 48 -> 8x8 wiring).
**  * MDL_CONV2D (kh x kw, stride sh x sw, explicit zero padding) and
**    MDL_DENSE compute, exactly (integers, no rounding):
**        acc = sum_k in_raw[k] * w_raw[k]  (F_acc = F_in + F_w)
**            + b_raw aligned to F_acc      (shift left by F_acc - F_b;
**                                           F_b > F_acc is an error)
**    then, if has_acc_fmt, acc = fxp_quantize(acc, F_acc, &acc_fmt),
**    then act (ReLU: max(acc, 0)), then out = fxp_quantize(acc, F, &out_fmt).
**    Conv weights are [kh][kw][cin][cout], dense weights [in][out] (Keras).
**  * MDL_FLATTEN only relabels the shape (HWC order is already flat).
**  * Latent formatter: the last layer's output (ufixed<9,1> on ECON-T) is
**    cut to bits = out.bits_by_links[out.n_links] total bits, keeping the
**    integer bits: latent_sent = fxp_quantize(raw, F_last, ufixed<bits,I,
**    TRN,SAT>) — truncation, as the emulator does.
*/
#ifndef RAD4ML_MODEL_H
#define RAD4ML_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "fixedpoint/fxp.h"
#include "common/rad_err.h"
#include "common/rad_prov.h"

#define MDL_FORMAT_VERSION 1
#define MDL_MAX_LAYERS     16
#define MDL_MAX_CELLS      256
#define MDL_MAX_LINKS      13

typedef struct { int h, w, c; } mdl_shape;

static inline int mdl_shape_size(mdl_shape s) { return s.h * s.w * s.c; }

/* The window of a convolution: kernel kh x kw, stride sh x sw, explicit
** zero padding (encoder and decoder conv2d) or output crop (decoder
** conv2d_transpose) top / bottom / left / right.  Dense layers leave it
** zero; the trainer runs them as 1x1 windows. */
typedef struct {
    int kh, kw;
    int sh, sw;
    int pt, pb, pl, pr;
} mdl_kernel;

typedef enum { MDL_MAP, MDL_CONV2D, MDL_DENSE, MDL_FLATTEN } mdl_kind;
typedef enum { MDL_ACT_LINEAR, MDL_ACT_RELU, MDL_ACT_SIGMOID } mdl_act;
typedef enum { MDL_NORM_MSB, MDL_NORM_NONE } mdl_norm;

typedef struct {
    mdl_kind  kind;
    char      name[48];
    mdl_shape in, out;
    int      *map;                  /* MDL_MAP: mdl_shape_size(out) entries */
    mdl_kernel k;                   /* MDL_CONV2D                           */
    fxp_fmt   w_fmt, b_fmt;         /* MDL_CONV2D / MDL_DENSE               */
    bool      has_acc_fmt;
    fxp_fmt   acc_fmt;
    mdl_act   act;                  /* LINEAR or RELU in the encoder        */
    fxp_fmt   out_fmt;              /* every kind: format of the output     */
    int64_t  *w;  size_t n_w;       /* raw weights (w_fmt)                  */
    int64_t  *b;  size_t n_b;       /* raw biases  (b_fmt), one per channel */
} mdl_layer;

typedef struct {
    int      n_cells;               /* 48 trigger cells                     */
    int      charge_bits;           /* 22                                   */
    mdl_norm norm;                  /* MSB bit-shift, as the silicon        */
    int      charge_frac;           /* NORM_NONE: q has these fraction bits */
    fxp_fmt  fmt;                   /* ufixed<8,1,TRN,WRAP>                 */
    int      sum_exp_bits;          /* 5: module sum as 5E4M (9 bits)       */
    int      sum_mant_bits;         /* 4                                    */
} mdl_input;

/* Fractional bits of the charge as the converter reads it: msb (the
** module sum's) with MDL_NORM_MSB, else charge_frac. */
static inline int mdl_input_frac(const mdl_input *in, int msb)
{
    return in->norm == MDL_NORM_MSB ? msb : in->charge_frac;
}

typedef struct {
    int n_links;                          /* output eLinks in use, 1..13   */
    int bits_by_links[MDL_MAX_LINKS + 1]; /* latent bits per value         */
} mdl_output;

/* Float decoder (off-detector; used for evaluation and training). */
typedef enum { MDL_F_DENSE, MDL_F_RESHAPE, MDL_F_CONV2D, MDL_F_CONV2D_T } mdl_fkind;

typedef struct {
    mdl_fkind kind;
    char      name[48];
    mdl_shape in, out;
    mdl_kernel k;                /* conv: input pad; conv-T: output crop */
    mdl_act   act;
    float    *w; size_t n_w;     /* dense [in][out]; conv [kh][kw][cin][cout];
                                    conv-T [kh][kw][cin][cout] (scatter)    */
    float    *b; size_t n_b;
} mdl_flayer;

/* Decoder conditions: values the back end knows for every crossing without
** spending latent bits, appended after the latent values to the decoder's
** input (decoder input = latent[0..n_latent-1], cond[0..n_cond-1]):
**   MDL_COND_LOG_SUM  scale * (ln(1 + S) - offset), S = mdl_sum_decode of
**                     the SENT module-sum code (what the back end receives)
**   MDL_COND_N_LINKS  scale * (n_links - offset), the model's link count */
typedef enum { MDL_COND_LOG_SUM, MDL_COND_N_LINKS } mdl_cond_kind;
#define MDL_MAX_COND 4

typedef struct {
    mdl_cond_kind kind;
    double        scale, offset;
} mdl_cond;

typedef struct {
    char        name[64];
    mdl_input   in;
    int         n_layers;
    mdl_layer   layers[MDL_MAX_LAYERS];
    mdl_output  out;
    int         n_dec;                  /* 0 = no decoder in this model   */
    mdl_flayer  dec[MDL_MAX_LAYERS];
    int        *dec_map;                /* n_cells entries: flat index of the
                                           decoder output read for each cell */
    bool        preserve_sum;           /* rescale decoded cells to the sent sum */
    int         n_cond;                 /* decoder conditions (0: latents only) */
    mdl_cond    cond[MDL_MAX_COND];
    rad_prov_src src_model;             /* provenance: description file (or
                                           "built-in") and its SHA-256        */
    rad_prov_src src_weights;           /* provenance: weights file, "built-in",
                                           or how they were made in memory    */
} mdl_model;

#endif /* RAD4ML_MODEL_H */
