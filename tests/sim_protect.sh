#!/usr/bin/env bash
# sim_protect.sh — the ECON-T design with TMR- and SECDED-protected weight
# registers (rad4ml gen --protect) must stay bit-exact with the C reference,
# HLS C and Icarus, including the mid-stream reload of a second weight set
# through the cfg port and the readback of every image word.  Reduced
# counts: the SECDED scrubber makes the Verilated model ~100x slower.
set -eu
RAD4ML=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/sim/test_protect
for p in tmr secded; do
    out=$(nice "$RAD4ML" sim --protect $p --vectors 3000 --icarus-vectors 400 --workdir "$W")
    echo "$out" | grep -E 'mismatches|readback|PASS|FAIL'
    echo "$out" | grep -q 'verilator_readback words=[1-9][0-9]* errors=0' \
        || { echo "protect $p: cfg readback not exercised or wrong"; exit 1; }
    echo "$out" | grep -q '^sim: PASS' || { echo "protect $p: FAIL"; exit 1; }
done
