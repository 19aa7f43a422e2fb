/*
** cg_tb.h — a self-checking Verilog-2005 testbench for the generated RTL,
** with its stimulus and expected-output files made by the C reference.
**
** Writes, next to the RTL (`rad4ml gen --testbench`):
**   <dir>/<top>_tb.v           the testbench (module <top>_tb): standard
**                              system tasks only ($fopen, $fscanf, $fgets,
**                              $value$plusargs, $display, $fatal); no DPI
**   <dir>/<top>_stim.hex       one clock cycle per line, hex:
**                              rst in_valid cfg_we cfg_addr cfg_wdata in_q
**                              (rst: bit 0 drives rst, bit 1 rst_cfg)
**   <dir>/<top>_expected.hex   one crossing per line, in input order:
**                              index cycle check sum latent_bus
**                              (index, cycle decimal; check 1 = compared;
**                              sum, latent_bus hex: engine/eng_vec.h's hex
**                              dump format, so `rad4ml diff --ref` reads it)
** Lines starting with '#' are comments (provenance header).
**
** The schedule is sim/sim.h's (sim_stim, the one used by `rad4ml sim`):
** reset, weight set A through the configuration port (reg weights), then
** traffic one crossing per clock with idle cycles.  From the user's
** vectors: exactly those crossings, every one compared.  Built-in: corner
** cases, real crossings, random charges, a datapath reset (rst only, no
** reload) a quarter into the traffic, and at mid-stream, without reset,
** weight set B (and n_links) written through the configuration port;
** crossings in flight during the writes are not compared (the DUT must flag
** them, see sim.h).
**
** At the end the testbench prints
**   <top>_tb: compared=N mismatches=M skipped_reconfig=S outputs=O
** after, on the first mismatch, a line naming the cycle, the crossing
** index, the field (sum, latent[K], out_cfg_chg, latency, out_valid),
** expected and got; it ends with $fatal on any mismatch, $finish otherwise.
** Plusargs: +stim=FILE +expected=FILE (defaults: the file names above, in
** the simulator's working directory), +dump=FILE (every output as a hex dump
** line "index cycle out_cfg_chg sum latent_bus" for `rad4ml diff`).
*/
#ifndef RAD4ML_CG_TB_H
#define RAD4ML_CG_TB_H

#include "codegen/cg.h"
#include "data/dataset.h"

typedef struct {
    const uint32_t *vectors;     /* the user's crossings [n][n_cells], or NULL */
    size_t          n_vectors;
    size_t          n_schedule;  /* built-in schedule: crossings            */
    uint64_t        seed;        /* built-in schedule: random crossings, set B */
    const uint32_t *real;        /* built-in schedule: real crossings or NULL */
    size_t          n_real;
} cg_tb_cfg;

typedef struct {
    size_t cycles, crossings, checked;
    bool   reload;               /* a weight / n_links write mid-stream      */
} cg_tb_stats;

/* Writes the three files (each all or nothing). */
int cg_gen_testbench(const mdl_model *m, const cg_opts *o, const cg_tb_cfg *c,
                     const char *dir, cg_tb_stats *st, rad_err *err);

/* Reads every crossing of a file for model m (dat_stream: the model's cell
** count and charge width; ePortRX for 48 cells).  *q is malloc'd. */
int cg_tb_load_vectors(const mdl_model *m, const char *path, const dat_frontend *fe,
                       uint32_t **q, size_t *n, rad_err *err);

/* The CLI's form: vectors = the user's file (path) or NULL for the built-in
** schedule of n_schedule crossings with the real crossings of `data` (NULL:
** the shipped sample for 48-cell models, "none": no real crossings). */
int cg_gen_testbench_files(const mdl_model *m, const cg_opts *o, const char *dir,
                           const char *vectors, size_t n_schedule, uint64_t seed,
                           const char *data, cg_tb_stats *st, rad_err *err);

#endif
