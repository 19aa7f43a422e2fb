#!/usr/bin/env bash
# sim_arith_fpga.sh — gen --arith fpga [--fpga-dsp N] (codegen/cg_reuse.c, make test,
# ~30 s): the FPGA-oriented reuse neurons (shift-and-add soft multipliers in
# <top>_<layer>_smul, 2:1 phase-mux trees, input muxes shared in the layer,
# the first lanes of each neuron as `*` for DSP blocks) give the results of
# the C reference bit for bit:
#  * the default (tree) RTL of a reuse design is unchanged by the option's
#    existence (--arith tree == no option, byte for byte);
#  * fpga RTL is verilator -Wall clean, carries arith=fpga / fpga-dsp=N in its
#    header, has the smul module and as many ` * ` as the plan gives DSPs
#    (every lane a DSP: no smul module; no DSPs: no ` * `);
#  * bad input: --arith csa with reuse, --fpga-dsp -1, --arith x (fail, message);
#  * Icarus on random models 1..6 (reg and const weights, DSP lanes or not),
#    Verilator + Icarus + HLS C on one.  A wrong row sign or a wrong lane/tap
#    mapping changes results, so these fail (checked by hand: a '+' for the
#    MSB row's '-' gives 87 of 189 outputs wrong on random model 1, reuse 3).
# ECON-T: synth/README.md, FPGA section (sim --reuse 8 --arith fpga --fpga-dsp 156).
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$RAD4ML" gen --reuse 4 --out "$T/def" --what rtl >/dev/null
"$RAD4ML" gen --reuse 4 --arith tree --out "$T/tree" --what rtl >/dev/null
diff -r "$T/def" "$T/tree" >/dev/null || fail "--arith tree changed the reuse RTL"
! grep -q "_smul\|(\* keep \*)" "$T/def/rad4ml_ae.v" || fail "tree RTL has fpga parts"

lint() { verilator --lint-only -Wall --top-module rad4ml_ae "$1/rad4ml_ae.v" "$1/rad4ml_ae_cfg.v"; }
"$RAD4ML" gen --random-model 3 --reuse 3 --arith fpga --out "$T/f0" --what rtl >/dev/null
lint "$T/f0"
grep -q "rad4ml-provenance options: .* arith=fpga" "$T/f0/rad4ml_ae.v" || fail "no arith=fpga"
grep -q "^module rad4ml_ae_.*_smul" "$T/f0/rad4ml_ae.v" || fail "no smul module"
[ "$(grep -c '^    wire .* \* ' "$T/f0/rad4ml_ae.v")" = 0 ] || fail "products left as * without DSPs"
"$RAD4ML" gen --reuse 16 --arith fpga --fpga-dsp 156 --out "$T/f1" --what rtl >/dev/null
lint "$T/f1"
grep -q "arith=fpga fpga-dsp=156" "$T/f1/rad4ml_ae.v" || fail "no fpga-dsp=156"
# ECON-T R=16: 16 dense neurons x 8 lanes on DSPs (128); conv would need 96 more
[ "$(grep -c '^    wire .* \* ' "$T/f1/rad4ml_ae.v")" = 8 ] || fail "dense lanes not all DSP"
! grep -q "^module rad4ml_ae_l3_dense_smul" "$T/f1/rad4ml_ae.v" || fail "unused dense smul"
grep -q "^module rad4ml_ae_l1_conv_smul" "$T/f1/rad4ml_ae.v" || fail "no conv smul"
echo "fpga: tree unchanged, lint clean, header, smul and DSP lanes as planned"

err() {   # expects a failure (non-zero exit) with the message
    set +e; "$RAD4ML" gen "${@:2}" --out "$T/e" >/dev/null 2>"$T/err"; rc=$?; set -e
    [ $rc != 0 ] && grep -q -- "$1" "$T/err" || { cat "$T/err"; fail "gen ${*:2}: rc $rc"; }
}
err "bit-heap arithmetic is for reuse 1 only" --arith csa --reuse 2
err "fpga-dsp: '-1' is not" --arith fpga --reuse 2 --fpga-dsp -1
err "is not tree, csa, booth or fpga" --arith x

run() { nice "$RAD4ML" sim "$@" | grep -E '^sim: (PASS|FAIL)' | grep -q PASS || fail "sim $*"; }
for s in 1 2 3 4 5 6; do
    mode=$([ $((s % 2)) = 0 ] && echo const || echo reg)
    run --random-model $s --reuse $((2 + s % 3)) --arith fpga --fpga-dsp $((s % 3 * 2)) \
        --weights-mode $mode --only icarus --icarus-vectors 200 --workdir "$T/w$s"
    echo "random model $s, reuse $((2 + s % 3)), fpga-dsp $((s % 3 * 2)), $mode: PASS"
done
run --random-model 2 --reuse 4 --arith fpga --fpga-dsp 3 --vectors 3000 --icarus-vectors 300 \
    --workdir "$T/wv"
echo "random model 2: HLS C, Verilator, Icarus: PASS"
echo "sim_arith_fpga: PASS"
