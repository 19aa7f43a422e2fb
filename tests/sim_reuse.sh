#!/usr/bin/env bash
# sim_reuse.sh — gen --reuse R (codegen/cg_reuse.c): R = 1 is today's design
# byte for byte; R > 1 RTL is lint-clean and bit-exact (C reference == HLS C
# == Verilator == Icarus, weight set B and n_links written mid-stream, one
# crossing every R clocks) on a random model at R = 2 and R = 4 (both weight
# modes) and on ECON-T at R = 4; gen --testbench at R = 4 (Icarus); negative control: a neuron whose output
# loads one phase early must mismatch.
. "$(dirname "$0")/lib/gen_sim.sh"

# R = 1 (given or spelled per layer) generates exactly the default design
same_as_default --reuse 1
same_as_default --reuse conv=1,dense=1

# R > 1 RTL is lint-clean
for spec in "4" "dense=8,conv=3"; do
    "$RAD4ML" gen --reuse "$spec" --out "$T/l" --what rtl >/dev/null
    lint_rtl "$T/l"
    grep -q "Clock relation: the clock runs at" "$T/l/rad4ml_ae.v"
    rm -rf "$T/l"
done
echo "R=4, dense=8,conv=3: verilator --lint-only -Wall clean"

sim_pairs --random-model 2 --reuse 2 --vectors 3000 --icarus-vectors 400 --workdir "$B/test_reuse_r2"
sim_pairs --random-model 2 --reuse 4 --weights-mode const --pipeline 2 --vectors 3000 \
    --icarus-vectors 400 --workdir "$B/test_reuse_r4"
sim_pairs --reuse 4 --only hls,icarus --vectors 3000 --icarus-vectors 500 --workdir "$B/test_reuse_econt"

# the self-checking testbench of gen --testbench drives one crossing every R clocks
"$RAD4ML" gen --random-model 2 --reuse 4 --testbench --tb-crossings 400 --out "$T/tb" --what rtl >/dev/null
iverilog -g2005 -o "$T/tb.vvp" "$T/tb/rad4ml_ae_tb.v" "$T/tb/rad4ml_ae.v" "$T/tb/rad4ml_ae_cfg.v"
(cd "$T/tb" && vvp -n "$T/tb.vvp") > "$T/tb.out"
grep -E "compared=[1-9][0-9]* mismatches=0 " "$T/tb.out" || { cat "$T/tb.out"; echo "FAIL: testbench"; exit 1; }

# negative control: the last phase of every neuron moved one clock early
must_mismatch "broken reuse RTL (last phase one clock early)" \
    's/wire last = ph == 2'"'"'d3;/wire last = ph == 2'"'"'d2;/' "wire last = ph == 2'd2;" 2 --reuse 4
