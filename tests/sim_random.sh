#!/usr/bin/env bash
# sim_random.sh — random small models (random shapes, strides, paddings,
# zero-mapped inputs, every rounding and overflow mode) in both weight
# modes and several pipeline depths: C engine vs HLS C vs Verilator vs Icarus.
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}/sim
for spec in "1 reg 0" "2 const 2" "3 reg 3"; do
    set -- $spec
    echo "--- random model $1, weights $2, pipeline $3"
    nice "$RAD4ML" sim --random-model $1 --weights-mode $2 --pipeline $3 --vectors 20000 \
        --icarus-vectors 1000 --workdir "$B/test_random_$1" | grep -v '^sim: schedule'
done
