#!/usr/bin/env bash
# tests/qkeras/run.sh — `make test-qkeras`: the importer against QKeras itself.
#
# Builds the six QKeras models of make_models.py in the venv ($PY), trains
# each a few steps, saves them as HDF5, imports each with `rad4ml import
# --strict --verify` (rad4ml's engine against model.predict, float32
# outputs compared exactly, QK_VECTORS inputs each, default 10,000), then
# `rad4ml sim` on each imported model: C == HLS C == Verilator == Icarus.
# A negative control (one reference output moved by one LSB) must fail.
#   --fixtures   regenerate tests/fixtures/qkeras (150 vectors, bad inputs)
set -eu
: "${PY:?set PY to the venv python}" "${RAD4ML:?}"
MODELS="econt econt_full mlp bn zeropad unsigned odd"
if [ "${1:-}" = "--fixtures" ]; then
    rm -rf tests/fixtures/qkeras
    "$PY" tests/qkeras/make_models.py tests/fixtures/qkeras 150 --bad
    exit 0
fi
OUT=${RAD4ML_BUILD:-build}/qkeras
N=${QK_VECTORS:-10000}
SIMV=${QK_SIM_VECTORS:-20000}
ICV=${QK_ICARUS_VECTORS:-2000}
rm -rf "$OUT"
mkdir -p "$OUT"
"$PY" tests/qkeras/make_models.py "$OUT" "$N" 2>&1 | grep -v -i "warn\|saving_api\|absl" || true
summary=""
for m in $MODELS; do
    log="$OUT/$m.import.log"
    # shellcheck disable=SC2046  # the .args file holds separate options
    "$RAD4ML" import "$OUT/$m.h5" --out "$OUT/$m.json" $(cat "$OUT/$m.args") --strict \
        --verify "$OUT/$m.io" >"$log" 2>&1 || { cat "$log"; echo "FAIL: import $m"; exit 1; }
    v=$(grep '^verify' "$log" | sed 's/^verify [^:]*: //')
    echo "$m: $v"
    case "$v" in "$N vectors, 0 mismatches") ;; *) echo "FAIL: $m"; exit 1 ;; esac
    slog="$OUT/$m.sim.log"
    "$RAD4ML" sim --model "$OUT/$m.json" --vectors "$SIMV" --icarus-vectors "$ICV" --data none \
        --workdir "$OUT/sim_$m" >"$slog" 2>&1 || { tail -20 "$slog"; echo "FAIL: sim $m"; exit 1; }
    grep -q "sim: PASS" "$slog" || { tail -20 "$slog"; echo "FAIL: sim $m"; exit 1; }
    vl=$(grep "vs Verilator" "$slog" | sed 's/ *\[.*//;s/^ *//')
    ic=$(grep "vs Icarus" "$slog" | sed 's/ *\[.*//;s/^ *//')
    echo "  $vl"
    echo "  $ic"
    summary="$summary$(printf '%-9s %s | %s | %s' "$m" "$v" "${vl#C reference vs }" "${ic#C reference vs }")\n"
done
# the save_weights + model.to_json() layout
"$RAD4ML" import "$OUT/mlp_weights.h5" --json "$OUT/mlp_arch.json" --out "$OUT/mlpw.json" --strict \
    --verify "$OUT/mlp.io" | grep '^verify'
# negative control: the last output of vector 0 moved by one output LSB
awk 'NR == 2 { $NF = $NF + 0.0078125 } { print }' "$OUT/odd.io" >"$OUT/odd_bad.io"
if "$RAD4ML" import "$OUT/odd.h5" --out "$OUT/odd_bad.json" --verify "$OUT/odd_bad.io" >/dev/null 2>&1; then
    echo "FAIL: negative control passed"; exit 1
fi
[ ! -e "$OUT/odd_bad.json" ] || { echo "FAIL: negative control wrote a model"; exit 1; }
echo "negative control (one output off by one LSB): rejected, nothing written"
printf '\nmodel     engine vs model.predict | Verilator | Icarus\n%b' "$summary"
echo "test-qkeras: PASS"
