/*
** syn.h — synthesis figures of generated RTL: cells, transistors, NAND2
** equivalents, area, logic depth, and an activity-based power estimate.
**
** The flow (synth/README.md has the method and every assumption):
**   1. Yosys (synth/flow_hier.ys) synthesizes the design WITHOUT flattening,
**      so each distinct module (one neuron of a layer, the config register
**      file, ...) is synthesized once, and maps it onto static-CMOS generic
**      gates (abc -g cmos3: NOT, NAND2, NOR2, AOI21, OAI21) plus Yosys'
**      generic flip-flops; it writes the netlist as JSON (write_json).
**   2. syn_netlist_load reads that JSON and, per module, counts cells,
**      transistors and NAND2 equivalents (SYN_COST table below), then scales
**      by how many times the module is instantiated under the top.
**   3. Logic depth is computed on the same netlist: per module the longest
**      input->output, input->flop, flop->output and flop->flop path in gate
**      levels, where an instance of a submodule counts as its own longest
**      input->output path (an upper bound: every input is assumed to reach
**      every output).  The critical path is the largest of the top's four.
**   4. Area in mm^2 = NAND2-eq x NAND2 area / placement utilization, for a
**      stated 65 nm-class cell (syn_tech).
**   5. Power: toggle counts from a VCD of the RTL simulating real crossings
**      (syn_vcd_*), turned into per-instance activity and P = sum over
**      instances 0.5 * a * NAND2-eq * C * V^2 * f + clock + leakage.
*/
#ifndef RAD4ML_SYN_H
#define RAD4ML_SYN_H

#include <stddef.h>
#include "common/rad_err.h"

#define SYN_NAME_MAX 160

/* ---- cell costs ------------------------------------------------------ */

/* Transistors of one Yosys generic cell type ("$_NAND_", "$_DFF_P_", ...):
** static CMOS; flip-flops 24 T (master-slave, incl. clock inverters), +8 T
** for an enable mux, +4 T for a set/reset.  Returns -1 for a type the table
** does not know (a user module or an unmapped coarse cell). */
int  syn_cell_transistors(const char *type);
/* 1 for a flip-flop / latch type, 0 for a combinational one. */
int  syn_cell_is_seq(const char *type);

/* ---- netlist analysis -------------------------------------------------- */

typedef struct {
    char   type[48];
    long   count;             /* in the whole flattened design */
} syn_celltype;

typedef struct {
    char   name[SYN_NAME_MAX];   /* instance name in the parent ("l1[0].u") */
    int    sub;                  /* index of its module in syn_netlist.mod  */
} syn_child;

typedef struct {
    char   name[SYN_NAME_MAX];   /* output port of a module             */
    int    d_io;                 /* longest input -> this port, -1 none  */
    int    d_fo;                 /* longest flop -> this port, -1 none   */
} syn_oport;

typedef struct {
    char   name[SYN_NAME_MAX];
    long   instances;         /* occurrences in the design under the top */
    long   cells_own;         /* primitive cells in one copy (no submodules) */
    long   ff_own;
    long   tr_own;            /* transistors of one copy */
    long   n_sub;             /* submodule instances in one copy */
    syn_child *child;         /* n_sub of them                   */
    /* logic levels, -1 = no such path */
    int    d_io, d_if, d_fo, d_ff;
    /* per output port: an instance's output port that no input reaches
    ** combinationally (a flop output, e.g. a TMR disagreement flag) does
    ** not carry its inputs' depth, so feedback through such a port is
    ** not a loop; the other ports keep the module-wide bound */
    int        n_oport;
    syn_oport *oport;
} syn_module;

typedef struct {
    char          top[SYN_NAME_MAX];
    int           n_mod;
    syn_module   *mod;        /* leaves first, top last */
    int           n_type;
    syn_celltype *type;
    /* totals of the flattened design (instance-scaled) */
    long          cells, ff, transistors;
    double        nand2;      /* transistors / 4 */
    int           levels;     /* longest path anywhere (gate levels) */
    int           levels_reg2reg, levels_in2reg, levels_reg2out, levels_in2out;
} syn_netlist;

/* Reads a Yosys write_json netlist (after flow_hier.ys / flow_flat.ys).
** top may be NULL: the module with attribute "top", else the one no other
** module instantiates.  Fails on an unknown cell type (unmapped logic), a
** combinational loop, or a malformed file. */
int  syn_netlist_load(const char *json_path, const char *top, syn_netlist *nl,
                      rad_err *err);
void syn_netlist_free(syn_netlist *nl);
const syn_module *syn_netlist_find(const syn_netlist *nl, const char *name);

/* ---- technology assumptions and area ----------------------------------- */

typedef struct {
    double nand2_um2_lo, nand2_um2, nand2_um2_hi;  /* NAND2 X1 cell area     */
    double utilization;                          /* placed cells / core area */
    double vdd;                                  /* V                        */
    double f_hz;                                 /* clock                    */
    double c_node_ff_lo, c_node_ff, c_node_ff_hi;/* switched C per NAND2-eq  */
    double c_clk_ff;                             /* clock C per flip-flop    */
    double leak_nw_per_gate;                     /* leakage per NAND2-eq     */
    double glitch_hi;                            /* glitch factor (high end) */
} syn_tech;

/* The 65 nm LP defaults (values and their reasons in synth/README.md). */
void   syn_tech_65nm(syn_tech *t);
double syn_area_mm2(double nand2, double nand2_um2, double utilization);

/* ---- switching activity (VCD) ------------------------------------------ */

typedef struct {
    char   scope[2 * SYN_NAME_MAX]; /* dotted scope path ("tb.dut.l1[0].u") */
    long   bits;                 /* signal bits declared in this scope */
    long   toggles;              /* bit toggles counted (0<->1 only)   */
} syn_scope_act;

typedef struct {
    long           cycles;        /* rising edges of the clock seen   */
    long           bits, toggles; /* whole design                     */
    int            n_scope;
    syn_scope_act *scope;
} syn_activity;

/* Counts toggles per signal bit in a VCD file.  Signals are attributed to
** the scope that declares them (full dotted path); a net dumped under
** several names (same VCD id) counts once, in the first scope.  clk names
** the clock (the first variable of that name; its rising edges count
** cycles; its own toggles are excluded); skip_cycles drops the first cycles
** (reset / configuration). */
int  syn_vcd_activity(const char *vcd_path, const char *clk, long skip_cycles,
                      syn_activity *a, rad_err *err);
void syn_activity_free(syn_activity *a);

/* Power of the design: activity of each instance applied to its own gates.
** root is the dotted scope of the design's top in the VCD (e.g. "tb.dut"). */
typedef struct {
    double alpha;                 /* NAND2-eq-weighted mean toggles/bit/cycle */
    double p_dyn_w, p_clk_w, p_leak_w;
    double p_w, p_lo_w, p_hi_w;   /* total; low / high ends of the band   */
    double e_j, e_lo_j, e_hi_j;   /* per inference (one per clock)        */
    double nand2_matched;         /* NAND2-eq covered by measured scopes  */
} syn_power;

int  syn_power_estimate(const syn_netlist *nl, const syn_activity *a,
                        const char *root, const syn_tech *t, syn_power *p,
                        rad_err *err);

#endif /* RAD4ML_SYN_H */
