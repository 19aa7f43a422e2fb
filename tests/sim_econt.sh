#!/usr/bin/env bash
# sim_econt.sh — the ECON-T reference design (reconfigurable weights,
# pipeline 1) in the C engine, HLS C, Verilator and Icarus: corner cases, all
# 8,000 real crossings, random charges; weight set B and n_links written
# through the configuration port mid-stream without reset.  Reduced counts
# (make regress runs 1,000,000 / 10,000).  The Verilated model is cached in
# $RAD4ML_BUILD/sim (keyed by the RTL's hash).
set -eu
RAD4ML=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/sim/test_econt
nice "$RAD4ML" sim --vectors ${SIM_VECTORS:-100000} --icarus-vectors ${SIM_ICARUS_VECTORS:-1500} \
    --workdir "$W"
