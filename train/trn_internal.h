/*
** trn_internal.h — private structures of the trainer (train/ only).
*/
#ifndef RAD4ML_TRN_INTERNAL_H
#define RAD4ML_TRN_INTERNAL_H

#include "common/rad_hash.h"
#include "train/trn.h"
#include "fixedpoint/fxp.h"
#include "data/geometry.h"

/* A quantization step "value with src_frac fractional bits -> fmt",
** precomputed so that the common modes run on int64 without __int128. */
typedef struct {
    fxp_fmt fmt;
    int     src_frac;
    int     shift;        /* src_frac - F: > 0 drops bits, < 0 adds zeros  */
    int64_t lo, hi;       /* raw range of fmt                              */
    bool    generic;      /* rare modes: fall back on fxp_quantize          */
} trn_qplan;

void    trn__qplan(trn_qplan *p, const fxp_fmt *fmt, int src_frac);
/* Quantizes v; *sat is set to 1 when the overflow mode acted. */
int64_t trn__quant(const trn_qplan *p, int64_t v, int *sat);

/* Raw weights of the encoder layers as used by one forward pass (the
** net's own, or a copy with upsets for fault-aware training). */
typedef struct {
    int64_t *wq[MDL_MAX_LAYERS], *bq[MDL_MAX_LAYERS];
    double  *wr[MDL_MAX_LAYERS], *br[MDL_MAX_LAYERS];   /* real values */
} trn_qw;

typedef struct {
    mdl_kind  kind;
    mdl_shape in, out;
    int       n_in, n_out;
    const int *map;
    mdl_kernel k;     /* window (dense: 1x1 on a 1x1xN input) */
    bool      relu, has_acc;
    trn_qplan qacc, qout;
    int       f_in, f_w, f_b, f_out, b_shift;
    double    s_out;                /* 2^-f_out: raw -> real (exact)     */
    int64_t   wmin, wmax, bmin, bmax;
    int       w_bits, b_bits;
    size_t    n_w, n_b, p_w, p_b;   /* counts, offsets in the parameters */
    bool      need_din;             /* a trainable layer lies before     */
} trn_elayer;

typedef struct {
    mdl_fkind kind;
    mdl_shape in, out;
    int       n_in, n_out;
    mdl_kernel k;     /* window (dense: 1x1 on a 1x1xN input) */
    mdl_act   act;
    size_t    n_w, n_b, p_w, p_b;
} trn_dlayer;

struct trn_net {
    mdl_model *m;              /* private copy: shapes, export          */
    int        n_cells;
    int        n_enc, n_dec;
    trn_elayer enc[MDL_MAX_LAYERS];
    trn_dlayer dec[MDL_MAX_LAYERS];
    int       *dec_map;
    int        f_in;           /* converter output fractional bits      */
    trn_qplan  qsent;          /* last layer -> sent latent             */
    int        f_sent, n_latent;
    int        max_t;          /* largest tensor (encoder or decoder)   */
    size_t     n_params;
    double    *theta;          /* shadow / decoder parameters           */
    trn_qw     qw;             /* quantized from theta (trn_net_sync)   */
    size_t     n_wbits;        /* bits of all raw encoder weights (SEU) */
    double     ot_kernel[GEO_N_CELLS * GEO_N_CELLS];  /* trn__ot_kernel, 48-cell nets */
};

/* Per-thread scratch of one forward/backward pass. */
typedef struct {
    int64_t *t[MDL_MAX_LAYERS + 1];     /* raw encoder tensors           */
    double  *a[MDL_MAX_LAYERS + 1];     /* their real values             */
    uint8_t *mask[MDL_MAX_LAYERS + 1];  /* STE pass-through per output   */
    double  *d[MDL_MAX_LAYERS + 1];     /* decoder activations (d[0] = z) */
    double  *g0, *g1;                   /* gradient ping-pong buffers     */
    uint8_t *mask_sent;
    double   target[MDL_MAX_CELLS], pred[MDL_MAX_CELLS], gpred[MDL_MAX_CELLS];
    uint64_t sum;
    int      msb;
} trn_ws;

trn_ws *trn__ws_new(const trn_net *net);
void    trn__ws_free(trn_ws *ws);

/* The Sinkhorn loss's Gibbs kernel exp(-d/eps) over the 48 TC distances
** (48 x 48), and trn_loss with it given: the net builds it once (read-only,
** shared by the threads) instead of once per crossing; ot_kernel is only
** read for TRN_LOSS_SINKHORN on 48 cells. */
void   trn__ot_kernel(double *K);
double trn__loss(trn_loss_kind k, int n, const double *p, const double *t, double *g,
                 const double *ot_kernel);

/* Forward of one crossing with weights qw (quantized) or the float
** shadow network (qw == NULL); fills ws and returns the loss (gpred set). */
double trn__forward(const trn_net *net, const trn_qw *qw, trn_loss_kind loss,
                    trn_target target, const uint32_t *q, trn_ws *ws);
/* Backward after trn__forward; adds the parameter gradient into grad.
** wt: the decoder weights as trn__dec_transpose leaves them. */
void   trn__backward(const trn_net *net, const trn_qw *qw, const double *wt, trn_ws *ws,
                     double *grad);
/* Transposed decoder weights (wt has n_params entries, decoder part set). */
void   trn__dec_transpose(const trn_net *net, double *wt);

/* Quantized weights: allocation, from theta, copies. */
int  trn__qw_alloc(const trn_net *net, trn_qw *qw);
void trn__qw_free(const trn_net *net, trn_qw *qw);
void trn__qw_from_theta(const trn_net *net, trn_qw *qw);
void trn__qw_copy(const trn_net *net, trn_qw *dst, const trn_qw *src);
/* Flips each weight bit with probability p (geometric skips, rng state). */
void trn__qw_upset(const trn_net *net, trn_qw *qw, double p, uint64_t *rng);
/* Keeps the shadow weights within their formats' range (+- half an LSB). */
void trn__clip_shadow(trn_net *net);

/* Deterministic random numbers: rad_splitmix64 / rad_rand_unit of
** common/rad_hash.h, plus a normal deviate and a seed mixer on them. */
double   trn__rng_normal(uint64_t *s);
uint64_t trn__rng_mix(uint64_t a, uint64_t b);

#endif /* RAD4ML_TRN_INTERNAL_H */
