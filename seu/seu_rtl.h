/*
** seu_rtl.h — RTL SEU campaigns on the configuration register file.
**
** The weight image (12,864 bits on ECON-T) lives in `<top>_cfg`, a module of
** its own, written by codegen's one register-file generator
** (codegen/cg_cfg.h: none / TMR / selective TMR / SECDED, register map
** codegen/REGMAP.md).  The campaigns build it with the SEU ports
** (cg_cfg_opts.seu_ports):
**
**   output [15:0] seu_count   corrected upsets (saturating; cleared by the
**                             configuration reset)
**   output        seu_derr    sticky: an uncorrectable (double) error seen
**   input         seu_inject_en, [1:0] seu_inject_copy, [A-1:0] seu_inject_addr
**                 test only: at a clock edge with seu_inject_en high, stored
**                 bit `addr` of copy `copy` is inverted instead of loaded.
**                 The logic exists only under `ifdef RAD4ML_SEU_INJECT`.
** Stored-bit address (`seu_inject_addr`) is the image bit for NONE/TMR/SEL
** (copies 1 and 2 of SEL exist for protected bits only) and codeword bit
** (word * CW + position, position 0 = overall parity) for SECDED.
*/
#ifndef RAD4ML_SEU_RTL_H
#define RAD4ML_SEU_RTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "model/model.h"
#include "data/dataset.h"
#include "common/rad_err.h"
#include "common/rad_prov.h"
#include "codegen/cg_cfg.h"

/* A campaign's protection: codegen's three, SEL = TMR of the image bits in
** a mask only (selective TMR), FULL = full TMR (gen --protect-all tmr:
** every flip-flop triplicated, the register file TMR; whole design only). */
typedef enum { SEU_PROT_NONE = 0, SEU_PROT_TMR, SEU_PROT_SECDED, SEU_PROT_SEL,
               SEU_PROT_FULL } seu_prot;

const char *seu_prot_name(seu_prot p);
int         seu_prot_parse(const char *s, seu_prot *p);

/* codegen's register-file options for protection p of m (sel_mask: SEL's
** [image bits], 1 = triplicated), with the SEU ports on. */
void seu_cfg_opts(cg_cfg_opts *co, const mdl_model *m, const char *top, int latency,
                  seu_prot p, const uint8_t *sel_mask);

/* ---- RTL campaign (Verilator) --------------------------------------- */

typedef struct {
    seu_prot    prot;
    const uint8_t *sel_mask;
    const char *dir;         /* work directory (build products cached)    */
    const char *top;
    size_t      stride;      /* inject every stride-th stored bit (1 = all) */
    int         all_copies;  /* TMR/SEL: every copy, else copy = bit % 3  */
    int         verbose;
    size_t      shard_i, shard_n;  /* shard_n > 0: the stride windows j with
                                      j % shard_n == shard_i only (the same
                                      upsets as the whole run makes there) */
} seu_rtl_opts;

typedef struct {
    long injected;       /* single upsets injected                        */
    long masked;         /* weight readout bit-identical to golden         */
    long corrected;      /* seu_count incremented by exactly one           */
    long restored;       /* stored value proven restored (second hit
                            on another copy / bit still masked)           */
    long corrupted;      /* readout differed (expected without protection) */
    long exact_corrupt;  /* NONE: exactly the injected image bit differed
                            and stayed wrong (no protection, no drift)    */
    long derr;           /* double-error flags raised                     */
    long fail;           /* injections that broke an expectation          */
    double seconds;      /* harness run time                               */
    double build_seconds;
} seu_rtl_result;

int seu_rtl_run(const mdl_model *m, const seu_rtl_opts *o, seu_rtl_result *r,
                rad_err *err);

/* Whether a campaign met protection p's expectations: none: every upset
** corrupts exactly its bit; sel: masked or exactly corrupted; tmr/secded:
** every upset masked, counted, restored, no double-error flag.  The
** counts are sums over upsets, so shards' counts add up. */
int seu_rtl_ok(seu_prot p, const seu_rtl_result *r);

/* `seu --rtl --rtl-json`: one entry per protection (counts, PASS/FAIL; no
** times), stride, all_copies and the provenance block; atomic. */
int seu_rtl_write_json(const char *path, const seu_prot *p, const seu_rtl_result *r,
                       size_t n, size_t stride, int all_copies, const rad_prov *prov,
                       rad_err *err);

/* A campaign's counts as one line "<prot> injected masked corrected
** restored corrupted exact derr fail" and back (a shard's partial item). */
void seu_rtl_item(seu_prot p, const seu_rtl_result *r, char *buf, size_t len);
int  seu_rtl_item_parse(const char *text, seu_prot *p, seu_rtl_result *r);

/* ---- full-design campaign (Verilator) ------------------------------- */

/* The whole design (codegen, cg_opts.seu_port: the top carries the
** injection port through to <top>_cfg) with the golden image loaded over
** the cfg bus and real crossings streaming in, one per clock, while single
** upsets are injected into the weight registers; every output is compared
** with the C reference engine's.  prot: NONE, TMR or SECDED. */
typedef struct {
    seu_prot        prot;
    const char     *dir;          /* work directory (builds cached)         */
    const char     *top;
    size_t          stride;       /* every stride-th stored bit (1 = all)   */
    int             all_copies;   /* TMR: every copy of each sampled bit    */
    int             per_bit;      /* crossings streamed per upset (>= 2)    */
    int             opt_fast;     /* Verilated model compiled -O1 (1: long
                                     campaigns) or -O0 (0: builds ~2x faster) */
    const dat_set  *traffic;      /* crossings (the non-empty ones are used) */
    const char     *model_name, *weights_name;
    /* --all-flops (seu_flops_run) */
    long            upsets;       /* targets drawn (0: every one, exhaustive) */
    uint64_t        seed;         /* draw, injection cycles, traffic gaps    */
    int             mbu;          /* adjacent double-bit upsets             */
    size_t          shard_i, shard_n; /* targets with index % n == i (n 0: all) */
} seu_full_opts;

typedef struct {
    long   injected;      /* single upsets                                  */
    long   outputs;       /* output words seen (one per crossing)           */
    long   compared;      /* compared with the golden C engine output       */
    long   mismatches;    /* of those, different (must be 0)                */
    long   counted;       /* upsets after which seu_count rose by exactly 1 */
    long   seu_count;     /* seu_count at the end                           */
    long   derr, latency_err, chg, readback_err, fail;
    long   cycles;
    /* none: outputs of crossings that ran entirely on the flipped image   */
    long   flipped;       /* such outputs                                   */
    long   corrupted;     /* of those, different from golden                */
    long   mixed;         /* crossings that saw both images (not compared)  */
    long   c_mismatch;    /* flipped outputs != C engine on the flipped image */
    long   bits_corrupting; /* upsets that corrupted at least one output    */
    double frac_corrupted;  /* mean over upsets of corrupted / flipped      */
    double max_frac;        /* worst upset                                  */
    double d_emd;           /* mean over upsets of the mean EMD increase    */
    size_t pool;            /* distinct crossings in the stream             */
    double seconds, build_seconds, check_seconds;
} seu_full_result;

int seu_full_run(const mdl_model *m, const seu_full_opts *o, seu_full_result *r,
                 rad_err *err);

/* ---- every flip-flop (seu --rtl --all-flops) ------------------------ */

/* Register classes of the every-flop campaign (seu_flop_class). */
enum { SEU_CLS_WEIGHTS, SEU_CLS_CONFIG, SEU_CLS_STATUS, SEU_CLS_INPUT, SEU_CLS_CONTROL,
       SEU_CLS_PIPELINE, SEU_CLS_OUTPUT, SEU_N_CLS };
extern const char *const seu_cls_name[SEU_N_CLS];

/* Every flip-flop of a generated design, read from its Verilog (the
** registers assigned with `<=`, through the instance tree from `top`):
** writes "N" then "path width class" per register to out (path from the
** top, e.g. "u_l1_conv.n3.a1_0_tmr2"); *n_regs / *n_bits: registers and
** flip-flops.  design_v / cfg_v: the texts of <top>.v and <top>_cfg.v. */
int seu_flop_map(const char *design_v, const char *cfg_v, const char *top, const char *out,
                 long *n_regs, long *n_bits, rad_err *err);

typedef struct {
    long   inj[SEU_N_CLS], masked[SEU_N_CLS], transient[SEU_N_CLS], persistent[SEU_N_CLS];
    long   latent[SEU_N_CLS];   /* persistent with no wrong output in the window */
    long   kmax[SEU_N_CLS], ksum[SEU_N_CLS], counted[SEU_N_CLS];
    long   injected, masked_all, transient_all, persistent_all, counted_all;
    long   outputs, compared, reloads, regs, flop_bits, fail, cycles;
    double seconds, build_seconds;
} seu_flops_result;

/* Single (or, with o->mbu, adjacent double) upsets in every flip-flop of
** the whole design under traffic (prot NONE, TMR or FULL), classified per
** register class as masked / transient / persistent (seu/README.md).
** Verilated with --vpi --public-flat-rw; the upsets invert bits in place
** by hierarchical name.  RAD_OK or the reason (a failed expectation is
** in r->fail, not an error). */
int seu_flops_run(const mdl_model *m, const seu_full_opts *o, seu_flops_result *r,
                  rad_err *err);

/* The table of one protection's campaign to fp; returns 1 when it meets
** the expectation (full-tmr: every upset masked and counted; tmr: every
** weight upset masked; none: some upset corrupts an output), else 0. */
int seu_flops_print(seu_prot p, const seu_full_opts *o, const seu_flops_result *r, FILE *fp);
int seu_flops_ok(seu_prot p, const seu_flops_result *r);   /* the same verdict */

/* --flops-json (seu/seu_flops_json.c): the counts of each protection's
** campaign (sampled[k]: upsets drawn, 0 = exhaustive; no timings), and the
** one-line item of a shard's partial (kind seu-flops), its parser (-1 on
** a malformed item) and the sum of two shards' counts (kmax: the max; -1
** when they are of different designs). */
typedef struct { int mbu; uint64_t seed; } seu_flops_cfg;
int  seu_flops_write_json(const char *path, const seu_prot *p, const seu_flops_result *r,
                          const long *sampled, size_t n, const seu_flops_cfg *cfg,
                          const rad_prov *prov, rad_err *err);
void seu_flops_item(seu_prot p, const seu_flops_result *r, char *buf, size_t len);
int  seu_flops_item_parse(const char *text, seu_prot *p, seu_flops_result *r);
int  seu_flops_add(seu_flops_result *acc, const seu_flops_result *r);

#endif /* RAD4ML_SEU_RTL_H */
