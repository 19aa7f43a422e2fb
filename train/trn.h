/*
** trn.h — quantization-aware training (QAT) of rad4ml models.
**
** The trainer learns the encoder weights of a model (model/model.h) in the
** exact fixed-point formats of the model file, together with the float
** decoder, so that what the ASIC computes after training is what training
** optimised:
**
**   forward   integer-exact: the converter (MSB normalization), every
**             encoder layer with raw integer weights quantized from float
**             "shadow" weights, the exact acc/out quantization (rounding and
**             overflow modes of each format), the latent truncation to the
**             link budget; then the float decoder on the SENT latent values.
**             The integer path is checked bit-identical to the reference
**             engine (engine/engine.h) by tests/check_train_exact.c.
**   backward  real-valued, straight-through estimator (STE): a quantizer
**             passes the gradient unchanged where its input was in range and
**             blocks it where it saturated (clipped STE); ReLU blocks it
**             where the accumulator was <= 0.  Weight quantizers pass it to
**             the shadow weights, which are kept within the format's range.
**   optimiser Adam on mini-batches, cosine learning-rate decay, early
**             stopping on the validation set (median EMD or loss).
**
** Shadow weights: w_raw = clamp(round(w * 2^F), min, max) (round half away
** from zero, saturate) — the hardware formats' own quantization modes
** describe how the ASIC converts VALUES, the weights are stored raw.
**
** Determinism: every random choice (initial weights, shuffling, SEU flips,
** synthetic data) comes from the seed.  A mini-batch is cut into
** TRN_SHARDS fixed shards whose gradients are summed in shard order, so
** the result depends on the seed only — not on the number of threads nor
** on their timing.
**
** Fault-aware training (seu_rate > 0): in every forward pass (one per
** shard of each mini-batch) each bit of each raw encoder weight is flipped
** with probability seu_rate; gradients flow through the faulty weights.
**
** Losses on the n_cells decoded values, in normalized units (charge/2^msb):
**   mse        mean (p-t)^2
**   wmse       mean (p-t)^2 max(p,t)                    (energy-weighted)
**   telescope  4 wmse(48 TCs) + 2 weighted wmse(36 2x2 super-cells)
**              + wmse(3 HGCROC blocks)  (fastml-science telescope.py,
**              48-cell LD modules only)
**   sinkhorn   Sinkhorn divergence (debiased entropic optimal transport,
**              eps 0.5) between the unit-normalized maps on the TC
**              geometry, i.e. a smooth EMD, + telescope (which anchors the
**              overall scale, to which transport is blind); 48-cell LD
**              modules only
**
** Nothing is printed by the library: progress goes to a callback.
*/
#ifndef RAD4ML_TRN_H
#define RAD4ML_TRN_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "common/rad_err.h"
#include "model/model.h"
#include "data/dataset.h"

#define TRN_SHARDS      8      /* fixed gradient shards per mini-batch */
#define TRN_MAX_THREADS 64
#define TRN_TELE_N_SC   36     /* 2x2 super-cells of the telescope loss */

typedef enum {
    TRN_LOSS_TELESCOPE, TRN_LOSS_WMSE, TRN_LOSS_MSE, TRN_LOSS_SINKHORN
} trn_loss_kind;

/* What the decoder is trained to reproduce (normalized units). */
typedef enum {
    TRN_TARGET_MSB,   /* q / 2^msb: the ASIC's own normalization (default) */
    TRN_TARGET_SUM    /* q / sum:   shape only                             */
} trn_target;

typedef struct {
    trn_loss_kind loss;
    trn_target    target;
    int      epochs;         /* maximum epochs                              */
    int      float_epochs;   /* first epochs without quantization (warm-up) */
    int      batch;          /* mini-batch size                             */
    double   lr, lr_min;     /* cosine decay from lr to lr_min              */
    int      warmup;         /* epochs of linear lr warm-up                 */
    int      patience;       /* early stopping: epochs without improvement
                                (0 = never stop early)                       */
    int      threads;        /* worker threads (>= 1)                       */
    uint64_t seed;
    double   seu_rate;       /* per-bit flip probability per forward pass   */
    int      emd_subset;     /* validation crossings for the per-epoch EMD
                                (0: select on validation loss instead)      */
    double   weight_decay;   /* decoupled (AdamW), decoder weights only     */
} trn_config;

/* Defaults: telescope, msb target, 300 epochs, batch 16, lr 2e-3 -> 2e-5,
** patience 60, 2 threads, seed 1, no SEU, EMD on 400 crossings. */
void trn_config_default(trn_config *cfg);

const char *trn_loss_name(trn_loss_kind k);
int trn_loss_parse(const char *s, trn_loss_kind *k);

/* ---- the network ----------------------------------------------------- */

typedef struct trn_net trn_net;

/* Builds a trainable network for model m (which must have a decoder).
** Checks that every format fits the trainer's 64-bit integer forward;
** the shadow weights start random (He/Glorot, from seed).  The model is
** copied: it may be freed afterwards. */
int  trn_net_new(const mdl_model *m, uint64_t seed, trn_net **out, rad_err *err);
void trn_net_free(trn_net *net);

/* Takes the model's current weights as the starting point (fine-tuning). */
void trn_net_load_weights(trn_net *net, const mdl_model *m);

/* Writes the trained weights into m (same structure as the model the net was
** built from): raw encoder weights (quantized shadow) and decoder floats. */
int  trn_net_export(const trn_net *net, mdl_model *m, rad_err *err);

/* The trained parameters as one vector (encoder shadow weights then
** decoder weights, layer by layer, kernel then bias). */
size_t  trn_net_n_params(const trn_net *net);
double *trn_net_params(trn_net *net);
/* Re-quantizes the raw weights from the (possibly edited) parameters. */
void    trn_net_sync(trn_net *net);

/* Latent values the trainer handles at most (trn_net_new refuses more). */
#define TRN_MAX_LATENT 256

/* Every intermediate raw tensor of the integer forward of one crossing,
** in the layout of eng_trace (t[0] converter output, t[i+1] layer i). */
typedef struct {
    int      n_tensors;
    int      size[MDL_MAX_LAYERS + 1];
    int64_t *t[MDL_MAX_LAYERS + 1];
    uint64_t sum;
    int      msb;
    uint32_t sum_code;
    int      n_latent;
    int64_t  latent[TRN_MAX_LATENT];   /* raw last-layer outputs      */
    int64_t  sent[TRN_MAX_LATENT];     /* raw sent (truncated) values */
} trn_trace;

trn_trace *trn_trace_new(const trn_net *net);
void       trn_trace_free(trn_trace *tr);
/* The trainer's quantized forward pass (what training uses), integer. */
void       trn_forward_exact(const trn_net *net, const uint32_t *q, trn_trace *tr);

/* Decoded cells (normalized units, before x 2^msb) of one crossing through
** the quantized encoder and the decoder.  Returns the per-crossing loss. */
double trn_predict(const trn_net *net, trn_loss_kind loss, trn_target target,
                   const uint32_t *q, double *cells);

/* One crossing's loss and its gradient w.r.t. every parameter, ADDED into
** grad[trn_net_n_params].  quantized = false runs the unquantized float
** network (shadow weights, no activation quantization): the path checked
** against finite differences. */
double trn_loss_grad(const trn_net *net, trn_loss_kind loss, trn_target target,
                     const uint32_t *q, bool quantized, double *grad);

/* ---- losses ---------------------------------------------------------- */

/* Loss of prediction p[n] against target t[n]; if g != NULL, d loss / d p
** is written to g[n].  telescope needs n == 48. */
double trn_loss(trn_loss_kind k, int n, const double *p, const double *t, double *g);

/* The telescope super-cells: 36 groups of 4 TCs and their weights. */
const int    (*trn_tele_groups(void))[4];
const double *trn_tele_weights(void);

/* ---- training ------------------------------------------------------- */

typedef struct {
    int    epoch, epochs;
    double train_loss, val_loss;
    double val_emd;          /* median EMD on the subset, < 0 if not run   */
    double lr;
    double seconds;          /* wall time of this epoch                    */
    bool   improved;
    bool   quantized;        /* false during the float warm-up             */
} trn_progress;

typedef void (*trn_progress_fn)(void *ctx, const trn_progress *p);

typedef struct {
    int    epochs_run, best_epoch;
    double best_val_loss, best_val_emd;
    double first_train_loss, last_train_loss;
    double seconds;
    double samples_per_s;
} trn_result;

/* Trains net on `train`, validating on `val` (may be empty: then no early
** stopping and the last epoch is kept).  The best weights (validation) are
** left in net. */
int trn_fit(trn_net *net, const dat_set *train, const dat_set *val,
            const trn_config *cfg, trn_progress_fn fn, void *ctx,
            trn_result *res, rad_err *err);

/* Runs `epochs` epochs of plain training (no validation, no early stopping)
** and returns samples/s of wall time: the benchmark.  *cpu_s (may be NULL)
** gets the process CPU seconds used, a figure less sensitive to other
** jobs on a shared machine. */
double trn_bench(trn_net *net, const dat_set *train, const trn_config *cfg, int epochs,
                 double *cpu_s);

/* Mean loss over a set (quantized path), using cfg->threads. */
double trn_eval_loss(const trn_net *net, const dat_set *set, const trn_config *cfg);

/* ---- synthetic data -------------------------------------------------- */

/* n crossings of calorimeter-like LD modules: 0-3 electromagnetic-like
** showers (exponential lateral profile on the hexagonal TC centres,
** falling energy spectrum) over pileup noise, CALQ units, every crossing
** with charge.  Deterministic in seed. */
int trn_synth(dat_set *set, size_t n, uint64_t seed, rad_err *err);

/* The generator's settings (defaults in brackets, those of trn_synth). */
typedef struct {
    double noise_occupancy;  /* probability a TC has a pileup hit [0.35]     */
    double noise_mip;        /* mean pileup hit charge, MIP_T [1.2]          */
    double showers;          /* mean showers per crossing, Poisson [1.2]     */
    double radius_scale;     /* lateral radius factor [1]; 1.5 for HD modules:
                                their TCs are ~1.5x smaller in pitch          */
} trn_synth_opts;

void trn_synth_defaults(trn_synth_opts *o);
int  trn_synth_ex(dat_set *set, size_t n, uint64_t seed, const trn_synth_opts *o,
                  rad_err *err);

/* ---- evaluation ------------------------------------------------------ */

typedef struct {
    char   name[48];        /* "autoencoder", "BC N=14", ...               */
    int    bits;            /* bits sent per crossing (-1: variable)        */
    double median, p16, p84, mean;
    size_t n;               /* crossings with a defined EMD                */
    bool   fits;            /* within the link budget                      */
} trn_emd_row;

/* EMD of the model (reference engine encode + decode, CALQ units) and of
** the conventional algorithms at the model's link count on `set`; rows[]
** gets at most 6 entries, returns the count (< 0 on error). */
int trn_emd_table(const mdl_model *m, const dat_set *set,
                  trn_emd_row *rows, int max_rows, rad_err *err);

/* Median EMD of the model alone on `set` (< 0 on error). */
double trn_emd_median(const mdl_model *m, const dat_set *set, rad_err *err);

/* Flips each bit of each raw encoder weight of m with probability p
** (deterministic in seed; weights stay W-bit two's complement). Returns
** the number of bits flipped. */
long trn_upset_model(mdl_model *m, double p, uint64_t seed);

#endif /* RAD4ML_TRN_H */
