#!/usr/bin/env bash
# sim_reuse.sh — gen --reuse R (codegen/cg_reuse.c): R = 1 is today's design
# byte for byte; R > 1 RTL is lint-clean and bit-exact (C reference == HLS C
# == Verilator == Icarus, weight set B and n_links written mid-stream, one
# crossing every R clocks) on a random model at R = 2 and R = 4 (both weight
# modes) and on ECON-T at R = 4; gen --testbench at R = 4 (Icarus); negative control: a neuron whose output
# loads one phase early must mismatch.
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}/sim
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# R = 1 (given or spelled per layer) generates exactly the default design
"$RAD4ML" gen --out "$T/def" >/dev/null
"$RAD4ML" gen --reuse 1 --out "$T/r1" >/dev/null
"$RAD4ML" gen --reuse conv=1,dense=1 --out "$T/r1b" >/dev/null
diff -r "$T/def" "$T/r1" && diff -r "$T/def" "$T/r1b" || { echo "FAIL: --reuse 1 changed the output"; exit 1; }
echo "R=1: byte-identical to the default design ($(ls "$T/def" | wc -l) files)"

# R > 1 RTL is lint-clean
for spec in "4" "dense=8,conv=3"; do
    "$RAD4ML" gen --reuse "$spec" --out "$T/l" --what rtl >/dev/null
    verilator --lint-only -Wall --top-module rad4ml_ae "$T/l/rad4ml_ae.v" "$T/l/rad4ml_ae_cfg.v"
    grep -q "Clock relation: the clock runs at" "$T/l/rad4ml_ae.v"
    rm -rf "$T/l"
done
echo "R=4, dense=8,conv=3: verilator --lint-only -Wall clean"

run() {   # sim with the given options; prints the pair lines, fails on FAIL
    nice "$RAD4ML" sim "$@" | grep -E '^sim: reuse|^  C ref|^sim: (PASS|FAIL)'
}
run --random-model 2 --reuse 2 --vectors 3000 --icarus-vectors 400 --workdir "$B/test_reuse_r2"
run --random-model 2 --reuse 4 --weights-mode const --pipeline 2 --vectors 3000 \
    --icarus-vectors 400 --workdir "$B/test_reuse_r4"
run --reuse 4 --only hls,icarus --vectors 3000 --icarus-vectors 500 --workdir "$B/test_reuse_econt"

# the self-checking testbench of gen --testbench drives one crossing every R clocks
"$RAD4ML" gen --random-model 2 --reuse 4 --testbench --tb-crossings 400 --out "$T/tb" --what rtl >/dev/null
iverilog -g2005 -o "$T/tb.vvp" "$T/tb/rad4ml_ae_tb.v" "$T/tb/rad4ml_ae.v" "$T/tb/rad4ml_ae_cfg.v"
(cd "$T/tb" && vvp -n "$T/tb.vvp") > "$T/tb.out"
grep -E "compared=[1-9][0-9]* mismatches=0 " "$T/tb.out" || { cat "$T/tb.out"; echo "FAIL: testbench"; exit 1; }

# negative control: the last phase of every neuron moved one clock early
"$RAD4ML" gen --random-model 2 --reuse 4 --out "$T/bad" --what rtl >/dev/null
sed -i 's/wire last = ph == 2'"'"'d3;/wire last = ph == 2'"'"'d2;/' "$T/bad/rad4ml_ae.v"
grep -q "wire last = ph == 2'd2;" "$T/bad/rad4ml_ae.v" || { echo "FAIL: control not applied"; exit 1; }
if "$RAD4ML" sim --random-model 2 --rtl "$T/bad" --only icarus --icarus-vectors 300 \
        --workdir "$T/w" > "$T/out"; then
    cat "$T/out"; echo "FAIL: a neuron that drops its last phase went unnoticed"; exit 1
fi
grep -E "mismatches [1-9]" "$T/out" >/dev/null || { cat "$T/out"; echo "FAIL: no mismatch count"; exit 1; }
echo "broken reuse RTL detected: $(grep -o 'mismatches [0-9]*' "$T/out" | head -1)"
