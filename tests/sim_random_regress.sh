#!/usr/bin/env bash
# sim_random_regress.sh (make regress) — 20 random models, alternating weight
# modes, pipeline depths 0..4, 100,000 vectors each (Icarus 2,000).
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}/sim
fail=0
for s in $(seq 1 20); do
    mode=$([ $((s % 2)) -eq 0 ] && echo const || echo reg)
    if ! nice "$RAD4ML" sim --random-model $s --weights-mode $mode --pipeline $((s % 5)) \
            --vectors 100000 --icarus-vectors 2000 --workdir "$B/regress_random" | grep -E '^  C ref|^sim: (PASS|FAIL)'; then
        fail=1
    fi
done
exit $fail
