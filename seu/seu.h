/*
** seu.h — single-event-upset (SEU) awareness for rad4ml models.
**
** The ECON-T block sits in the CMS cavern (200 Mrad over its life); a
** heavy-ion or hadron hit can flip any flip-flop, and the 12,864 bits of
** the weight/configuration register image are the state whose corruption
** lasts (until rewritten over I2C) — the datapath registers are refreshed
** every 25 ns.  This module answers, in C:
**
**   * where does bit k of the I2C image live (layer, weight or bias, index,
**     bit of the field), and what does the model look like with it flipped;
**   * how much does each bit matter: the mean EMD increase over a set of
**     real crossings when that bit flips (seu_sens_run — fast: only the
**     crossings whose sent word changes are decoded, last-layer bits are
**     applied incrementally to cached accumulators, EMDs are memoised);
**   * how two models (e.g. normally and fault-aware trained) degrade under
**     random multi-bit upsets at a stated rate (seu_upset_run);
**   * what protecting only the most sensitive bits buys (seu_select_*).
**
** The RTL side (protected register files, injection campaigns) is in
** seu_rtl.h.  Nothing here prints; errors go through rad_err.
*/
#ifndef RAD4ML_SEU_H
#define RAD4ML_SEU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "model/model.h"
#include "data/dataset.h"
#include "common/rad_err.h"

/* ---- the I2C image, bit by bit -------------------------------------- */

/* Bit k of the image (mdl_i2c_pack order: layer by layer, kernel then
** bias, each raw value a W-bit two's-complement field, LSB first). */
typedef struct {
    int    layer;      /* index into m->layers                       */
    int    is_bias;    /* 0 kernel, 1 bias                            */
    size_t index;      /* index into layers[layer].w or .b            */
    int    bit;        /* bit of the field, 0 = LSB, width-1 = sign   */
    int    width;      /* W of the field's format                     */
} seu_bit;

/* Total image bits (== mdl_i2c_bits). */
size_t seu_bit_count(const mdl_model *m);

/* Locates bit k; RAD_ERANGE when k >= seu_bit_count. */
int seu_bit_locate(const mdl_model *m, size_t k, seu_bit *out);

/* Flips one bit of a raw weight in place (the stored field is W bits;
** the raw value is re-sign-extended, as the datapath reads the register). */
void seu_flip(mdl_model *m, const seu_bit *b);

/* Raw value with bit `bit` of its W-bit field flipped. */
int64_t seu_flip_raw(int64_t raw, int width, int is_signed, int bit);

/* ---- per-bit sensitivity -------------------------------------------- */

typedef struct {
    int    threads;        /* worker threads (>= 1)                      */
    double empty_penalty;  /* EMD charged when the decoded map is empty  */
    size_t shard_i, shard_n; /* shard_n > 0: only bits k with k % shard_n
                                == shard_i are computed (the others stay
                                0); each computed bit's numbers are those
                                of the unsharded run, bit for bit, at the
                                same thread count                       */
} seu_sens_opts;

void seu_sens_defaults(seu_sens_opts *o);

typedef struct {
    size_t   n_bits;
    size_t   n_cross;      /* crossings used (non-empty ones)            */
    double   base_emd;     /* mean EMD of the unperturbed model          */
    double  *d_emd;        /* [n_bits] mean EMD increase when bit flips  */
    double  *changed;      /* [n_bits] fraction of crossings whose sent
                              word changed                               */
    seu_bit *where;        /* [n_bits]                                   */
    long     n_decoded;    /* decoder+EMD evaluations actually made      */
    long     n_changed;    /* (bit, crossing) pairs with a changed word  */
} seu_sens;

/* Sensitivity of every image bit of m over the crossings of `set`
** (crossings with a zero module sum are skipped).  m needs a decoder.
** Free with seu_sens_free. */
int  seu_sens_run(const mdl_model *m, const dat_set *set,
                  const seu_sens_opts *o, seu_sens *out, rad_err *err);
void seu_sens_free(seu_sens *s);

/* The same numbers by brute force (full re-encode of a flipped model for
** every listed bit, every crossing decoded): the oracle of the fast path.
** d_emd[i] receives bit bits[i]'s mean EMD increase. */
int seu_sens_bruteforce(const mdl_model *m, const dat_set *set,
                        const size_t *bits, size_t n, double empty_penalty,
                        double *d_emd, rad_err *err);

/* JSON for the report: per layer, per weight, per bit the EMD increase,
** plus a summary (by bit position, by layer, top bits) and the provenance
** block prov (kind "seu").  Atomic write. */
int seu_sens_write_json(const seu_sens *s, const mdl_model *m, const rad_prov *prov,
                        const char *path, rad_err *err);

/* Human summary (most sensitive bits, by bit position, by layer). */
void seu_sens_print(const seu_sens *s, const mdl_model *m, int top, FILE *fp);

/* ---- random multi-bit upsets ---------------------------------------- */

typedef struct {
    double   rate;         /* expected flipped bits per image (Poisson)  */
    int      trials;       /* images drawn                               */
    uint64_t seed;
    double   empty_penalty;
    const uint8_t *mask;   /* NULL, or [n_bits]: 1 = bit protected (an
                              upset there is corrected: not applied)     */
} seu_upset_opts;

typedef struct {
    size_t n_cross;
    int    trials;
    double clean_emd;      /* mean EMD without upsets                    */
    double upset_emd;      /* mean EMD over trials x crossings           */
    double upset_sem;      /* standard error of upset_emd over trials    */
    double mean_flips;     /* mean applied flips per image               */
    double frac_changed;   /* fraction of (trial, crossing) with a
                              changed sent word                          */
    double worst_trial;    /* largest per-trial mean EMD                 */
} seu_upset_result;

void seu_upset_defaults(seu_upset_opts *o);

/* Draws `trials` images with Poisson(rate) flipped bits each (uniform
** positions, same seed => same upsets for every model of the same image
** size, so two models are compared on identical upsets). */
int seu_upset_run(const mdl_model *m, const dat_set *set,
                  const seu_upset_opts *o, seu_upset_result *r, rad_err *err);

/* ---- selective protection ------------------------------------------ */

/* Mask [n_bits] protecting the top `frac` (0..1) of bits by d_emd. */
int seu_select_mask(const seu_sens *s, double frac, uint8_t *mask);

/* First-order expected EMD increase per image at `rate` upsets per image
** (Poisson, uniform positions) when the bits in mask are protected:
** rate / n_bits * sum of d_emd over unprotected bits. */
double seu_select_expect(const seu_sens *s, const uint8_t *mask, double rate);

#endif /* RAD4ML_SEU_H */
