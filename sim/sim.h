/*
** sim.h — stimulus and checking shared by every simulation harness
** (HLS C, Verilator, Icarus vector files).
**
** A run is a sequence of clock cycles.  Each cycle (sim_cycle) may carry the
** synchronous datapath reset (rst), the configuration reset (rst_cfg), one
** crossing (in_valid + charges) and one write on the configuration bus.
** The schedule of a run:
**   power-on: rst and rst_cfg (2 cycles) -> [reg weights: weight set A
**   written through the cfg port, no traffic] -> traffic: n crossings, one
**   per clock (one every `interval` clocks for a design with reuse) with a
**   few idle cycles; after a quarter of them (mid_reset),
**   the pipeline drains and a datapath reset (2 cycles) follows, with NO
**   reload: the traffic after it must still match (the configuration
**   survives rst; SIM_RESET_CFG also pulses rst_cfg, a negative control
**   that must mismatch); at the middle, WITHOUT reset and while traffic
**   runs, weight set B is written as a burst (reg weights) and n_links is
**   changed.
** Crossings: corner cases, then the real crossings (if given), then random
** charges with various occupancies (sim_vector).
** Every crossing gets the reference result (engine) of the configuration
** it runs under.  Crossings whose flight overlaps a configuration write
** (cycles c-1 .. c+latency+1) are not compared (the DUT must flag them via
** out_cfg_chg; any other crossing must come out unflagged and exact).
*/
#ifndef RAD4ML_SIM_H
#define RAD4ML_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/engine.h"

/* The reset in the middle of the traffic (sim_cfg.mid_reset). */
typedef enum {
    SIM_RESET_NONE = 0,     /* none                                         */
    SIM_RESET_DP,           /* datapath reset rst only: outputs must match  */
    SIM_RESET_CFG           /* rst and rst_cfg: configuration lost (negative
                               control: mismatches expected)                */
} sim_reset;

typedef struct {
    uint64_t seed;
    size_t   n_vectors;      /* crossings of traffic                      */
    bool     reg_weights;    /* DUT weights are configuration registers   */
    bool     reload;         /* switch to set B (and links2) mid-stream   */
    int      links2;         /* n_links after the switch (0: unchanged)   */
    int      latency;        /* DUT latency in clocks (>= 1)              */
    int      interval;       /* clocks per crossing (gen --reuse: the
                                largest reuse factor; 0 or 1: every clock) */
    sim_reset mid_reset;     /* reset after a quarter of the traffic      */
    const uint32_t *real;    /* real crossings, n_real x n_cells (or NULL) */
    size_t   n_real;
    bool     real_only;      /* traffic = exactly the real crossings, in
                                order (the user's vectors): no corners, no
                                random ones; n_vectors <= n_real          */
} sim_cfg;

typedef struct {
    int      rst;                   /* datapath reset                       */
    int      rst_cfg;               /* configuration reset / power-on       */
    int      in_valid;
    uint32_t q[MDL_MAX_CELLS];
    int      cfg_we;
    uint32_t cfg_addr, cfg_wdata;
    int      check;                 /* compare this crossing's result       */
    uint32_t exp_sum;
    int32_t  exp_lat[ENG_MAX_LATENT];
} sim_cycle;

typedef struct {
    size_t cycles, crossings;       /* crossings sent                      */
    size_t outputs;                 /* out_valid seen                      */
    size_t compared, mismatches;
    size_t flagged;                 /* outputs with out_cfg_chg = 1        */
    size_t skipped;                 /* not compared (reconfiguration)      */
    size_t bad_flag;                /* flagged although no write was near  */
    size_t latency_errors;
    long   first_bad;               /* crossing index of the 1st mismatch  */
} sim_counts;

typedef struct sim_stim sim_stim;

/* a: the model (weight set A); b: weight set B (same shapes) or NULL.
** Models are copied; an engine plan is compiled for each configuration. */
int  sim_stim_new(const mdl_model *a, const mdl_model *b, const sim_cfg *c,
                  sim_stim **out, rad_err *err);
void sim_stim_free(sim_stim *s);

/* Next cycle's stimulus; false when the run (including the drain) is over. */
bool sim_stim_next(sim_stim *s, sim_cycle *cy);

/* Reports one output seen after the clock edge of cycle `cycle` (the one
** whose stimulus sim_stim_next returned last).  Checks it against the
** oldest crossing in flight. */
void sim_stim_observe(sim_stim *s, int chg, uint32_t sum, const int32_t *lat);

const sim_counts *sim_stim_counts(const sim_stim *s);

/* The image words of weight set A / B and the register count. */
const uint32_t *sim_stim_image(const sim_stim *s, int set, int *n_words);

/* Corner-case count for a model, and crossing number k of a run. */
size_t sim_n_corners(const mdl_model *m);
void   sim_vector(const mdl_model *m, const uint32_t *real, size_t n_real,
                  uint64_t seed, size_t k, uint32_t *q);

/* Raw latent fields of an output bus word array: n values of w bits each,
** value i at bits [w*i, w*i+w), sign-extended when is_signed. */
void sim_unpack(const uint32_t *bus, int n, int w, bool is_signed, int32_t *out);
void sim_pack(const uint32_t *vals, int n, int w, uint32_t *bus, int n_words);

/* A small random model (random shapes, formats and every rounding and
** overflow mode) with random weights; deterministic in seed. */
int sim_random_model(uint64_t seed, mdl_model **out, rad_err *err);

/* One summary line: "<name> vectors=.. compared=.. mismatches=.. ...". */
void sim_print_counts(const char *name, const sim_counts *c);

#endif
