#!/usr/bin/env bash
# sim_random_regress.sh (make regress) — 20 random models, alternating weight
# modes, pipeline depths 0..4, 100,000 vectors each (Icarus 2,000):
# `rad4ml sim --regress 20`, its table in $B/regress_random/regress.csv.
# SHARD=i/N runs only the cases k % N == i and writes the partial
# regress.csv.part-i-of-N (`rad4ml merge` makes the table).
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}/sim
mkdir -p "$B/regress_random"
nice "$RAD4ML" sim --regress 20 --vectors 100000 --icarus-vectors 2000 \
    --workdir "$B/regress_random" --csv "$B/regress_random/regress.csv" \
    ${SHARD:+--shard "$SHARD"} | grep -E '^sim --regress|^  C ref|^sim: (PASS|FAIL)'
