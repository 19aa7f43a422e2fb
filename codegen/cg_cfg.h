/*
** cg_cfg.h — the configuration register file <top>_cfg: one generator,
** three protections (codegen/REGMAP.md, seu/README.md).
**
**   CG_PROT_NONE    one copy of the image;
**   CG_PROT_TMR     three copies, bitwise majority vote on the read path,
**                   the voted value written back every clock (scrubbing);
**                   with `tmr_mask` only the masked image bits have copies
**                   1 and 2 (selective TMR), the others vote with themselves;
**   CG_PROT_SECDED  extended Hamming code per `secded_data`-bit word,
**                   corrected word re-encoded and written back every clock,
**                   double errors flagged, not corrected.
** Every variant has the same ports and register map: clk, rst_cfg, cfg_we,
** cfg_addr, cfg_wdata, cfg_rdata, wimg (reconfigurable weights only),
** n_links, cfg_wr; `seu_ports` adds the status outputs seu_count / seu_derr
** and the test-only injection inputs seu_inject_en / _copy / _addr (logic
** only under `ifdef RAD4ML_SEU_INJECT`).  `rst_cfg` (configuration reset /
** power-on) is the only reset of this module and clears every stored bit
** and counter; the top's datapath reset `rst` does not reach it, so the
** configuration survives a datapath reset.  codegen writes the module next to the top
** (cg_gen_verilog); the radiation module and synthesis write it alone
** (cg_cfg_gen) for their campaigns.
*/
#ifndef RAD4ML_CG_CFG_H
#define RAD4ML_CG_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "codegen/cg.h"

typedef struct {
    char           top[64];       /* module = <top>_cfg                       */
    int            cfg_aw;        /* cfg_addr width (cg_cfg_addr_width)       */
    int            links_w;       /* n_links width                            */
    int            n_links_reset; /* N_LINKS after rst_cfg                    */
    int            latency;       /* for the INFO register                    */
    bool           reg_weights;   /* false: constant weights, no image regs   */
    cg_prot        prot;
    const uint8_t *tmr_mask;      /* TMR: NULL = every bit; else [image bits],
                                     1 = triplicated (selective TMR)          */
    int            secded_data;   /* SECDED data bits per word (8..256)       */
    bool           seu_ports;     /* seu_count/seu_derr/seu_inject_* ports    */
    bool           tmr_all;       /* full TMR (gen --protect-all tmr): the
                                     counters triplicated too (cg_tmr_reg),
                                     input tmr_err (datapath disagreement)
                                     counted in seu_count; needs prot != NONE */
    const char    *model_name;    /* for the header                           */
    const char    *weights_name;
} cg_cfg_opts;

/* The interface codegen builds for m: top, cfg_addr width, 4-bit n_links
** with the model's default, the given latency, reg weights, NONE, (72,64)
** SECDED words, no SEU ports, built-in names. */
void cg_cfg_opts_init(cg_cfg_opts *o, const mdl_model *m, const char *top, int latency);

/* Geometry of the register file a protection builds. */
typedef struct {
    size_t n_img;       /* image bits (the module's weight output)        */
    size_t n_words;     /* 32-bit cfg words                                */
    size_t n_stored;    /* flip-flops holding configuration               */
    size_t n_copy[3];   /* stored bits per copy (injection address space) */
    size_t n_voters;    /* TMR: majority voters                            */
    int    cw, data, n_cw; /* SECDED: codeword bits, data bits, codewords  */
    int    addr_bits;   /* width of seu_inject_addr                       */
} cg_cfg_geom;

int cg_cfg_geometry(const mdl_model *m, const cg_cfg_opts *o, cg_cfg_geom *g,
                    rad_err *err);

/* INFO protection field: 0 none, 1 TMR, 2 SECDED, 3 selective TMR. */
int cg_cfg_prot_code(const cg_cfg_opts *o);

/* The whole file (header comment + module) as a malloc'd string. */
int cg_cfg_text(const mdl_model *m, const cg_cfg_opts *o, char **text, rad_err *err);

/* Same, written to path atomically. */
int cg_cfg_gen(const mdl_model *m, const cg_cfg_opts *o, const char *path, rad_err *err);

#endif
