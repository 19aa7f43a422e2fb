/*
** seu_rtl.h — protected configuration register files and RTL SEU campaigns.
**
** The weight image (12,864 bits on ECON-T) lives in `<top>_cfg`, a module of
** its own (codegen/cg_cfg.c writes the unprotected one; its register map is
** codegen/REGMAP.md).  The generators here write drop-in replacements with
** exactly the same ports and register map (clk, rst, cfg_we, cfg_addr,
** cfg_wdata, cfg_rdata, wimg, n_links, cfg_wr), in which ERR_STATUS
** (address 5) reads {15'b0, seu_derr, seu_count}, and — with
** extra_ports — these ports as well:
**
**   output [15:0] seu_count   corrected upsets (saturating; cleared by rst)
**   output        seu_derr    sticky: an uncorrectable (double) error seen
**   input         seu_inject_en, [1:0] seu_inject_copy, [A-1:0] seu_inject_addr
**                 test only: at a clock edge with seu_inject_en high, stored
**                 bit `addr` of copy `copy` is inverted instead of loaded.
**                 The logic exists only under `ifdef RAD4ML_SEU_INJECT`;
**                 without it the ports are unused (tie them to 0) and
**                 synthesis drops them.
** The n_links register is triplicated in every protected variant.
**
** Protections (all correct continuously: the corrected value is written
** back on every clock, so upsets cannot accumulate between I2C writes):
**   NONE    one copy (same storage as cg_cfg's, with the status ports);
**   TMR     three copies, bitwise majority voter on the read path, the
**           voted value written back every clock (scrubbing);
**   SECDED  extended Hamming code per `secded_data`-bit word (default 64:
**           (72,64)), syndrome decode and correction on the read path,
**           corrected word re-encoded and written back every clock;
**           double errors flagged (seu_derr), not corrected;
**   SEL     selective TMR: only the image bits in `sel_mask` triplicated.
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

typedef enum { SEU_PROT_NONE = 0, SEU_PROT_TMR, SEU_PROT_SECDED, SEU_PROT_SEL } seu_prot;

/* What the unprotected module's interface depends on (codegen's plan). */
typedef struct {
    char     top[64];        /* module = <top>_cfg                        */
    int      cfg_aw;         /* cfg_addr width (cg_cfg_addr_width)        */
    int      links_w;        /* n_links width (cg_plan: 4)                */
    int      n_links_reset;  /* m->out.n_links                            */
    int      latency;        /* for the INFO register (cg_plan latency)   */
} seu_cfg_iface;

/* The interface codegen builds for m with top name `top` and latency. */
void seu_cfg_iface_init(seu_cfg_iface *i, const mdl_model *m, const char *top,
                        int latency);

typedef struct {
    seu_cfg_iface  ifc;
    seu_prot       prot;
    int            secded_data;  /* data bits per SECDED word (8..256)     */
    const uint8_t *sel_mask;     /* SEL: [image bits], 1 = triplicated     */
    const char    *model_name;   /* for the header                         */
    const char    *weights_name;
    bool           extra_ports;  /* seu_count/seu_derr/seu_inject_* ports  */
} seu_cfg_opts;

void        seu_cfg_defaults(seu_cfg_opts *o);
const char *seu_prot_name(seu_prot p);
int         seu_prot_parse(const char *s, seu_prot *p);

/* Geometry of the register file a protection builds. */
typedef struct {
    size_t n_img;       /* image bits (the module's weight output)        */
    size_t n_words;     /* 32-bit cfg words                                */
    size_t n_stored;    /* flip-flops holding configuration               */
    size_t n_copy[3];   /* stored bits per copy (injection address space) */
    size_t n_voters;    /* TMR/SEL: majority voters                        */
    int    cw, data, n_cw; /* SECDED: codeword bits, data bits, codewords  */
    int    addr_bits;   /* width of seu_inject_addr                       */
} seu_cfg_geom;

int seu_cfg_geometry(const mdl_model *m, const seu_cfg_opts *o,
                     seu_cfg_geom *g, rad_err *err);

/* Writes the protected `<top>_cfg` module for m to path (atomic). */
int seu_cfg_gen(const mdl_model *m, const seu_cfg_opts *o, const char *path,
                rad_err *err);

/* Same into an open stream (for embedding in another generator's file). */
int seu_cfg_emit(FILE *fp, const mdl_model *m, const seu_cfg_opts *o,
                 rad_err *err);

/* Same as a malloc'd NUL-terminated text (for codegen's cg_buf). */
int seu_cfg_text(const mdl_model *m, const seu_cfg_opts *o, char **text,
                 rad_err *err);

/* ---- RTL campaign (Verilator) --------------------------------------- */

typedef struct {
    seu_prot    prot;
    const uint8_t *sel_mask;
    const char *dir;         /* work directory (build products cached)    */
    const char *top;
    size_t      stride;      /* inject every stride-th stored bit (1 = all) */
    int         all_copies;  /* TMR/SEL: every copy, else copy = bit % 3  */
    int         verbose;
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

#endif /* RAD4ML_SEU_RTL_H */
