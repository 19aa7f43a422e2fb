/*
** cg.h — rad4ml code generators: Verilog-2005 RTL and HLS C of a model.
**
** What is generated (see codegen/README.md and codegen/REGMAP.md):
**   <dir>/<top>.v        top, converter, one module per layer, one neuron
**                        module per (layer, tap count), latent formatter
**   <dir>/<top>_cfg.v    configuration register file (cfg bus -> weights)
**   <dir>/<top>_hls.c/.h HLS C (plain C, stdint, pragmas), bit-exact
**   <dir>/<top>_weights.hex  the weight image as 32-bit cfg words
** Output is deterministic: same model, weights and options, same bytes.
*/
#ifndef RAD4ML_CG_H
#define RAD4ML_CG_H

#include <stddef.h>
#include <stdint.h>
#include "model/model.h"
#include "common/rad_err.h"

#define CG_VERSION      "rad4ml-gen 1.0"
#define CG_MAX_PIPELINE 64
#define CG_CFG_WBASE    16   /* cfg address of image word 0 */
#define CG_MAX_REUSE    64   /* largest reuse factor (gen --reuse)       */

typedef enum { CG_WEIGHTS_REG = 0, CG_WEIGHTS_CONST } cg_wmode;

/* Protection of the configuration registers.  Only NONE is implemented by
** the generator itself; the radiation module adds the others in cg_cfg.c. */
typedef enum { CG_PROT_NONE = 0, CG_PROT_TMR, CG_PROT_SECDED } cg_prot;

/* Arithmetic of the R = 1 neurons (gen --arith, codegen/cg_arith.c):
** TREE: one multiplier per product and a balanced adder tree (default);
** CSA: every partial-product bit of the neuron in one bit heap, a Dadda
** tree of full/half adders and one carry-propagate adder; BOOTH: CSA with
** the weight radix-4 Booth recoded (half the partial-product rows).
** FPGA (reuse > 1 only, gen --arith fpga, cg_reuse.c): each multiplexed
** product is a shift-and-add of carry-chain adders in a module of its own
** (<top>_<layer>_smul), the adder tree's sums are kept (Yosys keep attribute), so
** FPGA synthesis maps them onto carry chains instead of LUT compressor trees. */
typedef enum { CG_ARITH_TREE = 0, CG_ARITH_CSA, CG_ARITH_BOOTH, CG_ARITH_FPGA } cg_arith;

typedef struct {
    char        top[64];      /* top module / HLS function name           */
    cg_wmode    weights;      /* reconfigurable registers or constants    */
    int         pipeline;     /* extra register stages (0 = combinational
                                 between the input and output registers)  */
    cg_prot     prot;         /* configuration register protection        */
    bool        tmr_ctrl;     /* triplicate the control registers (valid /
                                 cfg-change flags, out_valid, out_cfg_chg) */
    bool        tmr_all;      /* full TMR: every flip-flop triplicated with
                                 voted feedback (gen --protect-all tmr;
                                 cg_tmr_all.c); needs prot TMR or SECDED  */
    bool        seu_port;     /* test-only SEU injection port (seu/)      */
    char        reuse[96];    /* --reuse: "" (R = 1 everywhere), "4" (every
                                 conv/dense layer), "dense=4,conv=2" (per
                                 layer name or kind; cg_reuse.c)           */
    cg_arith    arith;        /* --arith tree|csa|booth (R = 1), fpga (R > 1) */
    int         fpga_dsp;     /* --fpga-dsp N (arith fpga): at most N products
                                 written as `*` (FPGA DSP blocks), 0 = none  */
    const char *model_name;   /* for the header: model file or "built-in"  */
    const char *weights_name; /* weights file or "built-in"                */
} cg_opts;

/* Defaults: top "rad4ml_ae", reg weights, pipeline 1, no protection. */
void cg_opts_default(cg_opts *o);

/* The command-line spelling of an arithmetic (tree, csa, booth, fpga). */
const char *cg_arith_name(cg_arith a);

/* Sets one option from its command-line spelling and value: "top",
** "weights-mode" (reg|const), "pipeline" (0..CG_MAX_PIPELINE), "protect"
** (none|tmr|secded), "arith" (tree|csa|booth|fpga), "protect-all" (none|tmr:
** full TMR; tmr also turns a
** `none` configuration protection into tmr).  RAD_OK, or RAD_EUSAGE with the reason in err. */
int cg_opts_set(cg_opts *o, const char *name, const char *value, rad_err *err);

/* Latency of the generated RTL in clocks: in_valid sampled at edge k ->
** out_valid high after edge k + latency.  Equals pipeline + 2 for a design
** without reuse (o->reuse empty; asserted): use cg_latency_of otherwise. */
int cg_latency(const cg_opts *o);

/* ---- reuse factor (codegen/cg_reuse.c) ----------------------------------
** With reuse R, a conv/dense layer's neuron has ceil(K/R) multipliers, each
** serving up to R of its K products in R clocks of a clock R times the
** crossing rate; the design accepts one crossing every cg_interval clocks. */

/* Reuse factor of layer li under o (1 for map/flatten layers). */
int cg_reuse_of(const mdl_model *m, const cg_opts *o, int li);
/* Clocks per crossing: the largest reuse factor of any layer (1: II = 1). */
int cg_interval(const mdl_model *m, const cg_opts *o);
/* Latency in clocks: pipeline + 2 + the reuse factor of every layer with
** R > 1 (its R accumulation clocks). */
int cg_latency_of(const mdl_model *m, const cg_opts *o);
/* Every name of o->reuse names a conv/dense layer (name, l<i>_<name>) or
** kind (conv2d, conv, dense) of m; RAD_EUSAGE naming the entry otherwise. */
int cg_reuse_check(const mdl_model *m, const cg_opts *o, rad_err *err);
/* One line for the user: "reuse: conv R=4 (..), dense R=4 (..); clock =
** 4 x crossing rate, one crossing every 4 clocks" into buf (empty: none). */
void cg_reuse_describe(const mdl_model *m, const cg_opts *o, char *buf, size_t len);

/* Writes <dir>/<top>.v and <dir>/<top>_cfg.v (all or nothing per file). */
int cg_gen_verilog(const mdl_model *m, const cg_opts *o, const char *dir,
                   rad_err *err);

/* Writes <dir>/<top>_hls.c and <dir>/<top>_hls.h from the templates in
** tpl_dir (hls_templates/). */
int cg_gen_hls(const mdl_model *m, const cg_opts *o, const char *tpl_dir,
               const char *dir, rad_err *err);

/* Writes the weight image as cfg words, one 8-digit hex word per line
** (word i = image bits [32i, 32i+32), written to address CG_CFG_WBASE+i),
** in the checked image format of model_io.h (header, provenance, CRC-32). */
int cg_gen_image(const mdl_model *m, const cg_opts *o, const char *path, rad_err *err);

/* CRC-32 of 32-bit cfg words as the image file states it (model_io.h
** mdl_image_crc over the words' bytes, LSB first): the check of an image
** read back through the configuration port. */
uint32_t cg_image_crc(const uint32_t *words, int n);

/* Image as 32-bit words (n = (mdl_i2c_bits + 31) / 32), malloc'd. */
int cg_image_words(const mdl_model *m, uint32_t **words, int *n, rad_err *err);

/* Reads the provenance header of a generated <top>.v: sets o's top,
** weights mode, pipeline, protection and tmr-control from its options line,
** and the model / weights it was generated from (name, SHA-256).  Errors
** name the file (no such header: not generated by rad4ml gen). */
int cg_read_header(const char *vfile, cg_opts *o, rad_prov_src *model, rad_prov_src *weights,
                   rad_err *err);

/* Width of cfg_addr for a model (the register map's size). */
int cg_cfg_addr_width(const mdl_model *m);

#endif
