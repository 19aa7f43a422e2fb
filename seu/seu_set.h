/*
** seu_set.h — single-event transients (SET) in the gate-level netlist.
**
** The generated design (codegen, protection of `gen --protect`) is
** synthesized flat by Yosys onto generic static-CMOS gates (abc -g cmos3:
** NOT, NAND2, NOR2, AOI21, OAI21; every flip-flop unmapped to a plain
** D flip-flop, enables and synchronous resets becoming gates).  That
** netlist is rewritten as Verilog with a pulse input on every gate output
** and simulated in Verilator under real traffic.
**
** Pulse model: the output of ONE gate is inverted for the whole evaluation
** that precedes ONE rising clock edge (it covers the sampling window of
** every flip-flop and of every output at that edge; logical masking only,
** no electrical attenuation).  It is "latched" when a flip-flop's state
** after that edge differs from the fault-free run's, and it "corrupts an
** output" when any top-level output sampled at that edge or at the next
** W-1 edges differs.  A real pulse of width w arriving at a uniformly
** random time latches only if it overlaps the edge: about w / T of the
** logical figure (timing derating; printed beside it, w given).
*/
#ifndef RAD4ML_SEU_SET_H
#define RAD4ML_SEU_SET_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "common/rad_err.h"
#include "common/rad_prov.h"
#include "data/dataset.h"
#include "model/model.h"
#include "seu/seu_rtl.h"

#define SEU_SET_MAX_PORTS 2048   /* module ports too (--set-module) */

/* A port of the top in the instrumented netlist's packed buses. */
typedef struct {
    char name[32];
    int  input;          /* 1: in set_in, 0: in set_out                  */
    int  offset, width;  /* bits [offset, offset + width) of that bus    */
} seu_set_port;

/* The instrumented netlist (seu_set_instrument). */
typedef struct {
    seu_set_port port[SEU_SET_MAX_PORTS];
    int  n_port;
    int  n_in, n_out;    /* bits of set_in / set_out (clk excluded)      */
    long n_gates;        /* combinational gates: pulse sites 0..n_gates-1 */
    long n_ff;           /* flip-flops (bits of set_q)                    */
    long *d_gate;        /* gates whose output is a flip-flop's D input   */
    long n_d_gate;
    long n_by_type[8];   /* NOT NAND NOR AOI3 OAI3 AND OR other           */
    int  has_clk;        /* the netlist had a clk port                    */
} seu_set_net;

/* Reads Yosys' JSON netlist `json` (module top, flat, generic gates) and
** writes `vpath`: module `set_dut` with ports clk, set_in[n_in],
** set_m[n_gates], set_out[n_out], set_q[n_ff]; every gate k drives
** `f(inputs) ^ set_m[k]` (a one-hot pulse mask: a bit select per gate, far
** cheaper to compile than an index compare per gate).  A cell other than the gates
** above and $_DFF_P_ on clk is an error naming it. */
int  seu_set_instrument(const char *json, const char *top, const char *vpath,
                        seu_set_net *n, rad_err *err);
/* The same, the module named `name`; clk_opt: a netlist without a clk
** port is accepted (a combinational module: no flip-flops allowed). */
int  seu_set_instrument_as(const char *json, const char *top, const char *name, int clk_opt,
                           const char *vpath, seu_set_net *n, rad_err *err);
void seu_set_net_free(seu_set_net *n);
const seu_set_port *seu_set_find(const seu_set_net *n, const char *name);

typedef struct {
    seu_prot       prot;         /* NONE, TMR, SECDED (weights only), FULL  */
    const char    *dir;          /* work directory (builds cached)          */
    const char    *top;
    long           samples;      /* random (gate, cycle) pulses             */
    long           controls;     /* pulses on gates driving a D input       */
    int            cycles;       /* traffic clocks (>= window + 1)          */
    uint64_t       seed;
    const dat_set *traffic;
    const char    *model_name, *weights_name;
    const char    *module;       /* NULL: the whole design flat; else the
                                 ** pulses go into this module only
                                 ** (seu_set_mod.c)                         */
} seu_set_opts;

typedef struct {
    long   gates, ffs, samples;
    long   instances, inst_gates;             /* --set-module: instances of the
                                              ** module, gates in one of them */
    long   latched, corrupted, persistent;   /* of the random samples      */
    long   ctl, ctl_latched;                 /* negative control           */
    long   gold_outputs, gold_mismatch;      /* fault-free run vs C engine */
    int    window, latency;
    double seconds, build_seconds, synth_seconds;
} seu_set_result;

int seu_set_run(const mdl_model *m, const seu_set_opts *o, seu_set_result *r, rad_err *err);
/* The modules under the top of the design o describes (for --set-module
** all), written to <dir>/set-<prot>-design/design.v. */
int seu_set_modules(const mdl_model *m, const seu_set_opts *o, char ***names, int *n,
                    rad_err *err);

/* One protection's result, for the table (seu_set_rpt.c). */
typedef struct {
    const char    *prot;
    const char    *module;       /* --set-module, else NULL */
    seu_set_result r;
} seu_set_row;

/* --set-module (seu_set_mod.c).  The pulse sites are the gates of every
** instance of one module: Yosys maps that module alone (its submodules
** flattened into it) onto the generic gates, seu_set_instrument_as writes
** it with a pulse bus and a wrapper of the module's name and ports plus
** that bus; Yosys then reads the design's RTL with this module in place,
** flattens it (the rest stays word-level RTL), exposes every instance's
** pulse bus as an input and every register output as an output; set_dut
** (the harness's view) packs them: set_q = every flip-flop of the design.
** Fills n (ports, n_gates = sites over all instances, n_ff, d_gate) and
** r->instances / r->inst_gates, and *text = the Verilog of set_net.v
** (malloc'd; NULL when the module has no gate: nothing to pulse).  Yosys
** reruns only when design_changed or its outputs are missing.  Needs
** <d>/design.v (written by the caller). */
int  seu__set_mod_net(const seu_set_opts *o, const char *d, int design_changed,
                      seu_set_net *n, seu_set_result *r, char **text, rad_err *err);
/* The modules of <d>/design.v other than top, in file order (malloc'd
** names, *n of them). */
int  seu_set_mod_list(const char *design_v, const char *top, char ***names, int *n,
                      rad_err *err);

/* Table with fractions, binomial standard errors and the timing-derated
** latched share (x width_ps / clock period). */
void seu_set_print(const seu_set_row *rows, int n, double width_ps, double clock_hz, FILE *fp);
/* With the provenance block prov (kind "seu-set"). */
int  seu_set_write_json(const seu_set_row *rows, int n, double width_ps, double clock_hz,
                        const rad_prov *prov, const char *path, rad_err *err);

#endif /* RAD4ML_SEU_SET_H */
