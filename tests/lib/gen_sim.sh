# tests/lib/gen_sim.sh — sourced by the tests of a generator option
# (sim_arith.sh, sim_reuse.sh): a scratch directory $T, the tool $RAD4ML,
# the sim work area $B, and the three checks every such option gets.
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}/sim
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# same_as_default OPTS...: `gen OPTS` writes the default design byte for byte.
same_as_default() {
    rm -rf "$T/def" "$T/opt"
    "$RAD4ML" gen --out "$T/def" >/dev/null
    "$RAD4ML" gen "$@" --out "$T/opt" >/dev/null
    diff -r "$T/def" "$T/opt" || { echo "FAIL: gen $* changed the output"; exit 1; }
    echo "gen $*: byte-identical to the default design ($(ls "$T/def" | wc -l) files)"
}

# lint_rtl DIR: the generated top and cfg file are verilator -Wall clean.
lint_rtl() {
    verilator --lint-only -Wall --top-module rad4ml_ae "$1/rad4ml_ae.v" "$1/rad4ml_ae_cfg.v"
}

# sim_pairs SIM-OPTS...: `sim`, printing its pair lines; fails on FAIL.
sim_pairs() {
    nice "$RAD4ML" sim "$@" | grep -E '^sim: reuse|^  C ref|^sim: (PASS|FAIL)'
}

# must_mismatch WHAT SED-EXPR APPLIED MODEL GEN-OPTS...: the negative
# control.  Random model MODEL generated with GEN-OPTS, broken by SED-EXPR
# (APPLIED: a fixed string that must then be in the RTL), must mismatch the
# C reference in Icarus.
must_mismatch() {
    local what=$1 expr=$2 applied=$3 model=$4
    shift 4
    rm -rf "$T/bad"
    "$RAD4ML" gen --random-model "$model" "$@" --out "$T/bad" --what rtl >/dev/null
    sed -i "$expr" "$T/bad/rad4ml_ae.v"
    grep -qF "$applied" "$T/bad/rad4ml_ae.v" || { echo "FAIL: control not applied"; exit 1; }
    if "$RAD4ML" sim --random-model "$model" --rtl "$T/bad" --only icarus --icarus-vectors 300 \
            --workdir "$T/w" > "$T/out"; then
        cat "$T/out"; echo "FAIL: $what went unnoticed"; exit 1
    fi
    grep -E "mismatches [1-9]" "$T/out" >/dev/null \
        || { cat "$T/out"; echo "FAIL: no mismatch count"; exit 1; }
    echo "$what detected: $(grep -o 'mismatches [0-9]*' "$T/out" | head -1)"
}
