#!/usr/bin/env bash
# sim_reuse_regress.sh (make regress) — gen --reuse R for R in {1, 2, 4, 8}:
# ECON-T (100,000 vectors HLS C / Verilator, 2,000 Icarus) and random models
# 1..8 (random shapes, every rounding and overflow mode; alternating weight
# modes and pipeline depths 0..2; 20,000 / 1,000 vectors), each with weight
# set B and n_links written mid-stream and a datapath reset.
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}/sim
fail=0
run() {
    echo "--- $*"
    nice "$RAD4ML" sim "$@" | grep -E '^  C ref|^sim: (PASS|FAIL)' || fail=1
}
for r in 1 2 4 8; do
    run --reuse $r --vectors 100000 --icarus-vectors 2000 --workdir "$B/regress_reuse_econt"
    for s in $(seq 1 8); do
        mode=$([ $((s % 2)) -eq 0 ] && echo const || echo reg)
        run --random-model $s --reuse $r --weights-mode $mode --pipeline $((s % 3)) \
            --vectors 20000 --icarus-vectors 1000 --workdir "$B/regress_reuse_random"
    done
done
[ $fail -eq 0 ] && echo "sim_reuse_regress: PASS" || echo "sim_reuse_regress: FAIL"
exit $fail
