/*
** syn_gen.h — what `rad4ml synth` needs from the rest of the toolchain:
** the generated RTL of one configuration (codegen/cg.h) and a VCD of that
** RTL encoding real crossings (Icarus, a small testbench of our own).
*/
#ifndef RAD4ML_SYN_GEN_H
#define RAD4ML_SYN_GEN_H

#include <stddef.h>
#include "common/rad_err.h"

/* Generates <dir>/<top>.v, <top>_cfg.v and <top>_weights.hex for a
** protection ("none", "tmr", "secded", "full-tmr" = gen --protect-all tmr
** --protect tmr) and pipeline depth.  model/weights
** NULL = the built-in model.  When the generator does not offer the
** protection, returns RAD_OK with a reason in note (else note = ""). */
int syn_gen_rtl(const char *model, const char *weights, const char *top,
                const char *protect, int pipeline, const char *dir,
                char *note, size_t note_size, rad_err *err);
/* The same with a reuse factor for every conv/dense layer (gen --reuse R;
** 1 = syn_gen_rtl). */
int syn_gen_rtl_reuse(const char *model, const char *weights, const char *top,
                      const char *protect, int pipeline, int reuse, const char *dir,
                      char *note, size_t note_size, rad_err *err);
/* The same with the neuron arithmetic of gen --arith (tree, csa, booth,
** fpga; NULL = tree) and, for fpga, gen --fpga-dsp fpga_dsp. */
int syn_gen_rtl_arith(const char *model, const char *weights, const char *top,
                      const char *protect, int pipeline, int reuse, const char *arith,
                      int fpga_dsp, const char *dir, char *note, size_t note_size,
                      rad_err *err);

/* Simulates the RTL in rtl_dir with Icarus on the first n_vectors crossings
** of data (a file dat_load reads), or, data NULL, of the evaluation part
** (last 25 %) of the shared real data set: loads the
** weight image through the cfg bus, then dumps a VCD of the design (scope
** tb.dut) while one crossing enters per clock.  *skip_cycles receives the
** cycles to ignore at the start of the VCD (0: dumping starts after the
** configuration is loaded). */
int syn_gen_vcd(const char *model, const char *weights, const char *data,
                const char *rtl_dir, const char *top, int n_vectors, const char *vcd,
                long *skip_cycles, rad_err *err);

#endif
