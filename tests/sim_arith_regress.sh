#!/usr/bin/env bash
# sim_arith_regress.sh — ECON-T with gen --arith csa and booth (make regress,
# not make test: minutes): C reference == HLS C == Icarus with weight set A
# through the cfg port, real crossings, a datapath reset, weight set B and
# n_links written mid-stream.  Verilator is left out on ECON-T (it
# flattens the design, and 144 bit-heap neurons make a much larger build
# than the tree; not tried on the shared machine); tests/sim_arith.sh runs
# Verilator on random models.
#   ICARUS=N  Icarus crossings per design (default 500)
#   HLS=N     HLS C crossings per design (default 20000)
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}/sim
for a in csa booth; do
    echo "--- ECON-T, --arith $a"
    nice "$RAD4ML" sim --arith $a --only hls,icarus --vectors "${HLS:-20000}" \
        --icarus-vectors "${ICARUS:-500}" --workdir "$B/regress_arith_$a" \
        | grep -E '^  C ref|^sim: (PASS|FAIL)'
done
