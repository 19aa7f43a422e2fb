#!/usr/bin/env bash
# sim_arith.sh — gen --arith (codegen/cg_arith.c): tree is today's design
# byte for byte; csa and booth (bit-heap neurons) are lint-clean and
# bit-exact (C reference == HLS C == Icarus, weight set B and n_links
# written mid-stream) on random models 1..8 (every rounding and overflow
# mode, signed and unsigned inputs / weights, both weight modes, pipeline
# 0..3), Verilator on two of them; negative control: a final adder off by
# one must mismatch.  ECON-T: tests/sim_arith_regress.sh (make regress).
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}/sim
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$RAD4ML" gen --out "$T/def" >/dev/null
"$RAD4ML" gen --arith tree --out "$T/tree" >/dev/null
diff -r "$T/def" "$T/tree" || { echo "FAIL: --arith tree changed the output"; exit 1; }
echo "tree: byte-identical to the default design ($(ls "$T/def" | wc -l) files)"

# csa / booth RTL is lint-clean and carries the option in its header
for a in csa booth; do
    "$RAD4ML" gen --random-model 3 --arith $a --pipeline 3 --out "$T/l_$a" --what rtl >/dev/null
    verilator --lint-only -Wall --top-module rad4ml_ae "$T/l_$a/rad4ml_ae.v" "$T/l_$a/rad4ml_ae_cfg.v"
    grep -q "rad4ml-provenance options: .* arith=$a" "$T/l_$a/rad4ml_ae.v"
    grep -q "Dadda tree" "$T/l_$a/rad4ml_ae.v"
done
grep -q "wire \[[0-9]*:0\] e0_0 = " "$T/l_booth/rad4ml_ae.v"     # Booth rows
grep -q "wire \[[0-9]*:0\] pp0_0 = " "$T/l_csa/rad4ml_ae.v"      # plain rows
echo "csa, booth: verilator --lint-only -Wall clean"

run() {   # sim with the given options; prints the pair lines, fails on FAIL
    nice "$RAD4ML" sim "$@" | grep -E '^  C ref|^sim: (PASS|FAIL)'
}
for s in 1 2 3 4 5 6 7 8; do
    mode=$([ $((s % 2)) = 0 ] && echo const || echo reg)
    for a in csa booth; do
        echo "--- random model $s, $a, weights $mode, pipeline $((s % 4))"
        run --random-model $s --arith $a --weights-mode $mode --pipeline $((s % 4)) \
            --only hls,icarus --vectors 2000 --icarus-vectors 200 --workdir "$T/w"
    done
done
# Verilator (and Icarus, HLS C) on two of them
run --random-model 2 --arith csa --weights-mode const --pipeline 2 --vectors 3000 \
    --icarus-vectors 300 --workdir "$B/test_arith_csa"
run --random-model 3 --arith booth --pipeline 3 --vectors 3000 --icarus-vectors 300 \
    --workdir "$B/test_arith_booth"

# negative control: every neuron's final adder one too high
"$RAD4ML" gen --random-model 1 --arith booth --out "$T/bad" --what rtl >/dev/null
sed -i 's/ = acc_s + acc_c;/ = acc_s + acc_c + 1'"'"'b1;/' "$T/bad/rad4ml_ae.v"
grep -q "acc_s + acc_c + 1'b1;" "$T/bad/rad4ml_ae.v" || { echo "FAIL: control not applied"; exit 1; }
if "$RAD4ML" sim --random-model 1 --rtl "$T/bad" --only icarus --icarus-vectors 300 \
        --workdir "$T/w" > "$T/out"; then
    cat "$T/out"; echo "FAIL: a final adder off by one went unnoticed"; exit 1
fi
grep -E "mismatches [1-9]" "$T/out" >/dev/null || { cat "$T/out"; echo "FAIL: no mismatch count"; exit 1; }
echo "broken bit-heap RTL detected: $(grep -o 'mismatches [0-9]*' "$T/out" | head -1)"
