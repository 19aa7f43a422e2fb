#!/usr/bin/env bash
# sim_protect.sh — the ECON-T design with TMR- and SECDED-protected weight
# registers (rad4ml gen --protect) must stay bit-exact with the C reference,
# HLS C and Icarus, including the mid-stream reload of a second weight set
# through the cfg port; TMR also in Verilator with the readback of every
# image word.  Reduced counts: the SECDED scrubber makes the Verilated model
# ~100x slower, so SECDED in Verilator (and its readback) runs in
# tests/sim_protect_regress.sh (make regress).
set -eu
RAD4ML=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/sim/test_protect
check() {   # check PROTECTION SIM-OPTS...: PASS, and the readback when Verilator ran
    local p=$1 out
    shift
    out=$(nice "$RAD4ML" sim --protect "$p" "$@" --workdir "$W")
    echo "$out" | grep -E 'mismatches|readback|PASS|FAIL'
    case " $* " in *" --only "*) ;; *)
        echo "$out" | grep -q 'verilator_readback words=[1-9][0-9]* errors=0' \
            || { echo "protect $p: cfg readback not exercised or wrong"; exit 1; };;
    esac
    echo "$out" | grep -q '^sim: PASS' || { echo "protect $p: FAIL"; exit 1; }
}
if [ "${1:-}" = "--regress" ]; then
    check secded --vectors 10000 --icarus-vectors 2000
    check tmr --vectors 100000 --icarus-vectors 2000
else
    check tmr --vectors 3000 --icarus-vectors 400
    check secded --only hls,icarus --vectors 3000 --icarus-vectors 400
fi
