/*
** sim_harness.h — command line and set-up shared by the harness programs
** that `rad4ml sim` builds (sim/vl_main.c for Verilator, sim/hls_main.c
** for the HLS C).  Arguments:
**   --model A.json --weights A.weights   weight set A (required)
**   --model2 B.json --weights2 B.weights weight set B (optional)
**   --vectors N --seed S --latency L --interval I --reg 0|1 --links2 K
**   --data FILE                          real crossings (optional)
*/
#ifndef RAD4ML_SIM_HARNESS_H
#define RAD4ML_SIM_HARNESS_H

#include "sim/sim.h"

typedef struct {
    mdl_model *a, *b;
    sim_cfg    cfg;
    uint32_t  *real;
    int        n_cells, cb, n_lat, lat_w;
    bool       lat_signed;
} sim_harness;

int  sim_harness_init(sim_harness *h, int argc, char **argv, rad_err *err);
void sim_harness_free(sim_harness *h);

#endif
