#!/usr/bin/env bash
# sim_arith.sh — gen --arith (codegen/cg_arith.c): tree is today's design
# byte for byte; csa and booth (bit-heap neurons) are lint-clean and
# bit-exact (C reference == Icarus, weight set B and n_links written
# mid-stream; the HLS C does not change with --arith) on random models 1..8 (every rounding and overflow
# mode, signed and unsigned inputs / weights, both weight modes, pipeline
# 0..3), Verilator on two of them; a SAT proof (Yosys miter) that the
# one-tap neuron of random model 1 is the tree's function for every input,
# weight and bias; negative control: a final adder off by one must
# mismatch in simulation and fail the proof.  ECON-T: tests/sim_arith_regress.sh (make regress).
. "$(dirname "$0")/lib/gen_sim.sh"

same_as_default --arith tree

# csa / booth RTL is lint-clean and carries the option in its header
for a in csa booth; do
    "$RAD4ML" gen --random-model 3 --arith $a --pipeline 3 --out "$T/l_$a" --what rtl >/dev/null
    lint_rtl "$T/l_$a"
    grep -q "rad4ml-provenance options: .* arith=$a" "$T/l_$a/rad4ml_ae.v"
    grep -q "Dadda tree" "$T/l_$a/rad4ml_ae.v"
done
grep -q "wire \[[0-9]*:0\] e0_0 = " "$T/l_booth/rad4ml_ae.v"     # Booth rows
grep -q "wire \[[0-9]*:0\] pp0_0 = " "$T/l_csa/rad4ml_ae.v"      # plain rows
echo "csa, booth: verilator --lint-only -Wall clean"

for s in 1 2 3 4 5 6 7 8; do
    mode=$([ $((s % 2)) = 0 ] && echo const || echo reg)
    for a in csa booth; do
        echo "--- random model $s, $a, weights $mode, pipeline $((s % 4))"
        sim_pairs --random-model $s --arith $a --weights-mode $mode --pipeline $((s % 4)) \
            --only icarus --icarus-vectors 200 --workdir "$T/w"
    done
done
# Verilator, Icarus and HLS C on two of them
sim_pairs --random-model 2 --arith csa --weights-mode const --pipeline 2 --vectors 3000 \
    --icarus-vectors 300 --workdir "$B/test_arith_csa"
sim_pairs --random-model 3 --arith booth --pipeline 3 --vectors 3000 --icarus-vectors 300 \
    --workdir "$B/test_arith_booth"

# formal: the one-tap neuron (9-bit input, 4-bit weight, 7-bit bias) of
# random model 1 equals the tree's for all 2^20 operand values (SAT)
prove() {   # prove GOLD_DIR GATE_DIR MODULE: 0 when equivalent
    local m=$3
    { echo '`default_nettype none'
      awk -v m="$m" '$0 == "module "m" (" {p=1; sub("module "m, "module gold")} p {print} p && /^endmodule/ {p=0}' "$1/rad4ml_ae.v"
      awk -v m="$m" '$0 == "module "m" (" {p=1; sub("module "m, "module gate")} p {print} p && /^endmodule/ {p=0}' "$2/rad4ml_ae.v"
    } > "$T/eq.v"
    grep -q "^module gate" "$T/eq.v" || { echo "FAIL: no module $m"; exit 1; }
    yosys -q -p "read_verilog -sv $T/eq.v; proc; miter -equiv -flatten -make_outputs gold gate miter; hierarchy -top miter; flatten; opt -fast; sat -verify -prove trigger 0 miter" > "$T/eq.log" 2>&1
}
for a in tree csa booth; do
    "$RAD4ML" gen --random-model 1 --pipeline 0 --arith $a --out "$T/eq_$a" --what rtl >/dev/null
done
for a in csa booth; do
    prove "$T/eq_tree" "$T/eq_$a" rad4ml_ae_l1_conv0_k1 || { cat "$T/eq.log"; echo "FAIL: $a neuron not proved"; exit 1; }
    echo "$a: one-tap neuron == tree neuron, proved (Yosys SAT miter)"
done
mkdir -p "$T/eq_bad"
sed 's/ = acc_s + acc_c;/ = acc_s + acc_c + 1'"'"'b1;/' "$T/eq_booth/rad4ml_ae.v" > "$T/eq_bad/rad4ml_ae.v"
if prove "$T/eq_tree" "$T/eq_bad" rad4ml_ae_l1_conv0_k1; then
    echo "FAIL: the proof accepted a final adder off by one"; exit 1
fi
echo "broken neuron: proof fails ($(grep -o 'proof did fail' "$T/eq.log"))"

# negative control: every neuron's final adder one too high
must_mismatch "broken bit-heap RTL (final adder off by one)" \
    's/ = acc_s + acc_c;/ = acc_s + acc_c + 1'"'"'b1;/' "acc_s + acc_c + 1'b1;" 1 --arith booth
