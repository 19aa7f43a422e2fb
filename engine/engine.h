/*
** engine.h — the rad4ml reference engine.
**
** Integer inference of any model (model/model.h semantics, bit-exact by
** construction) from raw charges to the sent latent word, plus the float
** decoder that turns the sent word back into charges off-detector.
**
** Two integer paths compute the same thing:
**   * generic (eng_encode_generic, eng_trace): every value quantized with
**     fxp_quantize exactly as model.h reads — slow, obviously right; the
**     oracle for everything else (generated RTL, HLS C, the fast path);
**   * fast (eng_compile + eng_encode / eng_encode_batch): a compiled plan
**     (transposed, pruned int16/int32 kernels, sparse accumulation);
**     tested equal to the generic path on random models and inputs.
** A plan is read-only once compiled: one plan may serve many threads.
*/
#ifndef RAD4ML_ENGINE_H
#define RAD4ML_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "model/model_io.h"

#define ENG_MAX_LATENT MDL_MAX_LATENT  /* latent values per crossing    */

/* Result of encoding one crossing. */
typedef struct {
    uint64_t sum;                  /* exact sum of the charges          */
    int      msb;                  /* floor(log2(sum)), 0 if sum == 0   */
    uint32_t sum_code;             /* module sum, E-exp M-mant float    */
    int      n_latent;
    int32_t  latent[ENG_MAX_LATENT]; /* raw last-layer outputs (out_fmt
                                        of the last layer, e.g. 9 bits) */
    int32_t  sent[ENG_MAX_LATENT];   /* raw sent values, mdl_latent_fmt():
                                        latent truncated to the link bits */
} eng_out;

/* ---- fast path ------------------------------------------------------ */

typedef struct eng_plan eng_plan;

/* Compiles a validated model.  When the model does not fit the fast
** path's integer widths (every raw activation and weight must fit int16,
** every accumulator provably 2^30, tensors <= 4096 values) the plan runs
** the generic path instead (eng_plan_is_fast says which).  The plan copies
** what it needs: the model may be freed or changed afterwards. */
int  eng_compile(const mdl_model *m, eng_plan **out, rad_err *err);
void eng_free(eng_plan *p);

/* Encodes one crossing: charges[n_cells] (each < 2^charge_bits). */
void eng_encode(const eng_plan *p, const uint32_t *charges, eng_out *out);

/* n crossings, charges row-major [n][n_cells]. */
void eng_encode_batch(const eng_plan *p, const uint32_t *charges, size_t n,
                      eng_out *out);

/* The model's latent count / n_cells as compiled. */
int eng_plan_cells(const eng_plan *p);
int eng_plan_latent(const eng_plan *p);
int eng_plan_is_fast(const eng_plan *p);   /* 0: runs the generic path */

/* ---- generic path and trace ----------------------------------------- */

/* Same result as eng_encode, computed value by value with fxp_quantize.
** Charges wider than charge_bits are masked to charge_bits, as a bus would. */
void eng_encode_generic(const mdl_model *m, const uint32_t *charges, eng_out *out);

/* Every intermediate raw value of one inference (generic path):
**   t[0]      the converter output, n_cells raw values in in.fmt;
**   t[i+1]    the output of layers[i], raw in its out_fmt, HWC order;
**   size[k]   the number of values of t[k].
** Allocated once per model with eng_trace_new, reused per crossing. */
typedef struct {
    int      n_tensors;                 /* n_layers + 1                  */
    int      size[MDL_MAX_LAYERS + 1];
    int64_t *t[MDL_MAX_LAYERS + 1];
    eng_out  out;                       /* sum, msb, code, latent, sent  */
} eng_trace;

eng_trace *eng_trace_new(const mdl_model *m);
void       eng_trace_free(eng_trace *tr);

/* Runs the converter and every layer on one crossing. */
void eng_trace_run(const mdl_model *m, const uint32_t *charges, eng_trace *tr);

/* Runs the layers only, from a given converter output x[n_cells] (raw in
** in.fmt, e.g. 0..255): for testing the network core with any input.
** tr->out.sum / msb / sum_code are set to 0. */
void eng_trace_from_input(const mdl_model *m, const int64_t *x, eng_trace *tr);

/* One encoder layer, generic: in[] raw in the previous format (F_in
** fractional bits), out[] raw in l->out_fmt. */
void eng_layer_generic(const mdl_layer *l, int in_frac, const int64_t *in,
                       int64_t *out);

/* ---- float paths (decoder, training, evaluation) --------------------- */

/* Decodes one sent word to charges: cells[n_cells] in charge units.
**   latent value = sent raw * 2^-F (mdl_latent_fmt), then the model's
**   decoder conditions from the sent sum code (mdl_cond_values) -> decoder layers ->
**   8x8 image -> cells[i] = image[dec_map[i]] * 2^msb(sum_code)
**   -> if preserve_sum, rescaled so that sum(cells) = mdl_sum_decode(code).
** Fails (RAD_ESCHEMA) when the model has no decoder. */
int eng_decode(const mdl_model *m, const eng_out *o, float *cells, rad_err *err);

/* Same from the decoder input (float latent values, e.g. unquantized,
** followed by the model's n_cond condition values), a
** normalization scale (2^msb; 1 without normalization) and, for
** preserve_sum, the module sum to restore (ignored when < 0). */
int eng_decode_float(const mdl_model *m, const float *latent, double scale,
                     double target_sum, float *cells, rad_err *err);

/* Float forward of one decoder layer (in/out sizes from l->in / l->out). */
void eng_flayer_forward(const mdl_flayer *l, const float *in, float *out);

/* Float forward of layers[0..n): acts[i] receives layer i's output
** (caller allocates mdl_shape_size(layers[i].out) floats each); the final
** output is acts[n-1].  Keeping every activation serves backprop. */
void eng_fnet_forward(const mdl_flayer *layers, int n, const float *in,
                      float **acts);

/* Float forward of one ENCODER layer with real weights (raw * 2^-F):
** quantize = false gives the unquantized ("shadow") network; true applies
** acc_fmt/out_fmt to each output value via double -> fxp (for inputs that
** are already on the input format's grid the result equals the integer
** path). */
void eng_layer_float(const mdl_layer *l, const float *in, float *out,
                     int quantize);

/* Float sizes: largest tensor of the decoder (for scratch buffers). */
int eng_dec_max_size(const mdl_model *m);

#endif /* RAD4ML_ENGINE_H */
