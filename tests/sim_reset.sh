#!/usr/bin/env bash
# sim_reset.sh — the configuration survives a datapath reset (codegen/REGMAP.md,
# "Resets"): a quarter into the traffic the pipeline drains and `rst` is
# pulsed for 2 clocks with NO reload; every later crossing must still match
# the C reference, in Verilator and in Icarus (`--mid-reset dp`, also the
# default of every `rad4ml sim` run).  Negative control: the same reset
# with `rst_cfg` pulsed as well (`--mid-reset cfg`) clears the weights, and
# the crossings after it (only those) must mismatch in both simulators.
set -eu
RAD4ML=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/sim/test_econt      # shares sim_econt.sh's cached model
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { cat "$T/out" 2>/dev/null; echo "FAIL: $*"; exit 1; }
# count SIM FIELD: a field of the simulator's summary line ("SIM crossings=..")
count() { grep -o "$1 crossings=[^]]*" "$T/out" | head -1 | grep -o " $2=[-0-9]*" | cut -d= -f2; }
NV=4000 NI=400

nice "$RAD4ML" sim --only verilator,icarus --vectors $NV --icarus-vectors $NI \
    --mid-reset dp --workdir "$W" > "$T/out" || fail "datapath reset: outputs differ"
for s in verilator icarus; do
    n=$([ $s = icarus ] && echo $NI || echo $NV)
    [ "$(count $s mismatches)" = 0 ] || fail "$s: mismatches after a datapath reset"
    [ "$(count $s compared)" -gt $((n / 4)) ] || fail "$s: too few crossings compared"
    echo "datapath reset, no reload: $s $(count $s compared) of $n crossings compared, 0 mismatches"
done

if nice "$RAD4ML" sim --only verilator,icarus --vectors $NV --icarus-vectors $NI \
        --mid-reset cfg --workdir "$W" > "$T/out"; then
    fail "configuration reset mid-stream went unnoticed"
fi
for s in verilator icarus; do
    n=$([ $s = icarus ] && echo $NI || echo $NV)
    mm=$(count $s mismatches) fb=$(count $s first_bad)
    [ "${mm:-0}" -gt 0 ] || fail "$s: no mismatch after the configuration was cleared"
    [ "$fb" -ge $((n / 4)) ] || fail "$s: mismatch at crossing $fb, before the reset ($((n / 4)))"
    echo "negative control (rst_cfg mid-stream): $s $mm mismatches, first at crossing $fb (reset at $((n / 4)))"
done
