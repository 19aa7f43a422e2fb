#!/usr/bin/env bash
# flow_cli.sh — `rad4ml flow` end to end on a small budget: train a few
# epochs, then info/eval/gen/sim/seu/report on the trained weights (synth is
# covered by tests/synth_flow.sh); every product exists and the page names
# the trained model's figures; a failing step stops the flow with exit 1;
# synth runs beside sim (tiny model) or in order with --serial; bad options
# are refused.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d /tmp/flow_cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$R" flow --out "$T/o" --train 2 --skip synth --sim-vectors 2000 --icarus-vectors 200 \
    --seu-crossings 20 > "$T/log" 2>&1 || { tail -30 "$T/log"; fail "flow failed"; }
for f in model/trained.json model/trained.weights eval.json rtl/rad4ml_ae.v rtl/rad4ml_ae_cfg.v \
         rtl/rad4ml_ae_hls.c rtl/rad4ml_ae_weights.hex seu.json seu_rate.json report.html \
         flow_summary.txt; do
    [ -s "$T/o/$f" ] || fail "flow did not write $f"
done
# the seu step's rate table reaches the report (section 3b); no SET run by default
grep -q 'id="tab-seu-rate"' "$T/o/report.html" || fail "report lacks the rate table"
grep -q 'rad4ml seu --set --set-json</code>' "$T/o/report.html" \
    || fail "report does not say the SET table is not available"
# every product carries the provenance block, naming the trained weights
wsha=$(sha256sum "$T/o/model/trained.weights" | cut -c1-64)
for f in eval.json seu.json seu_rate.json report.html rtl/rad4ml_ae.v rtl/rad4ml_ae_cfg.v rtl/rad4ml_ae_hls.c \
         rtl/rad4ml_ae_hls.h rtl/rad4ml_ae_weights.hex; do
    grep -q "$wsha" "$T/o/$f" || fail "$f does not name the trained weights' SHA-256"
done
for f in model/trained.json model/trained.weights model/trained.i2c.hex flow_summary.txt; do
    grep -q 'provenance' "$T/o/$f" || fail "$f has no provenance block"
done
"$R" image verify "$T/o/rtl/rad4ml_ae_weights.hex" --weights "$T/o/model/trained.weights" \
    --model "$T/o/model/trained.json" > /dev/null || fail "gen's image does not verify"
grep -q '^sim: PASS' "$T/log" || fail "sim step did not pass"
grep -q 'check-exact: 0 mismatches' "$T/log" || fail "training forward pass not checked"
# later steps really used the trained weights, not the built-in ones
grep -q "eval --model $T/o/model/trained.json --weights $T/o/model/trained.weights" "$T/log" \
    || fail "eval did not use the trained model"
grep -Eq '^  synth +skipped' "$T/o/flow_summary.txt" || fail "summary lacks the skipped step"
[ "$(grep -Ec ' ok +[0-9.]+ s$' "$T/o/flow_summary.txt")" -eq 7 ] || fail "expected 7 steps ok"
grep -Eq '^  total +[0-9.]+ s' "$T/o/flow_summary.txt" || fail "summary lacks the total time"
echo "flow: 7 steps ok, products present"

# A failing step stops the flow, names itself, and later steps do not run.
if "$R" flow --out "$T/bad" --data "$T/no_such.csv" --skip synth,sim > "$T/log2" 2>&1; then
    fail "flow with missing data succeeded"
fi
grep -q "step 'eval' failed" "$T/log2" || fail "failing step not named"
[ ! -e "$T/bad/report.html" ] || fail "report written after a failed step"
grep -Eq '^  report +not run' "$T/bad/flow_summary.txt" || fail "summary does not show report not run"
echo "flow: failing step stops the flow"

# synth starts right after gen, beside sim (and seu), its output going to
# OUT/synth.log, printed in its place when it ends, its status counted
# there; --serial keeps the old order.  Tiny model (4 inputs, no decoder:
# eval and seu left out) on the shipped 48-charge sample: sim passes (it
# leaves out crossings of another shape), synth's power step refuses the
# data, so this also shows a failing background step stopping the flow.
tiny=(--model model/examples/tiny.json --weights model/examples/tiny.weights
      --synth-protect none --sim-vectors 200 --icarus-vectors 50)
if "$R" flow --out "$T/bg" "${tiny[@]}" --skip eval,seu > "$T/log3" 2>&1; then
    fail "flow with a failing synth succeeded"
fi
order=$(grep -E '^=== flow step|^sim: PASS|^rad4ml synth: .* s in all' "$T/log3" | sed 's/ (.*//; s/:.*//')
expect="=== flow step info
=== flow step gen
=== flow step synth
=== flow step sim
sim
=== flow step synth
rad4ml synth"
[ "$order" = "$expect" ] || { echo "$order"; fail "synth did not start before sim / join after it"; }
grep -q '^=== flow step synth: started now, beside sim and seu' "$T/log3" || fail "no start line"
grep -q "step 'synth' failed" "$T/log3" || fail "background synth failure not named"
[ -s "$T/bg/synth.log" ] || fail "no synth log"
grep -Eq '^  sim +ok ' "$T/bg/flow_summary.txt" && grep -Eq '^  synth +FAILED ' "$T/bg/flow_summary.txt" \
    && grep -Eq '^  report +not run' "$T/bg/flow_summary.txt" || fail "summary after a failing synth"
"$R" flow --out "$T/ser" "${tiny[@]}" --skip eval,seu --serial > "$T/log4" 2>&1 && fail "--serial: synth ok?"
! grep -q 'started now' "$T/log4" || fail "--serial started synth in the background"
[ "$(grep -E '^=== flow step' "$T/log4" | tail -2 | tr '\n' ' ')" = "=== flow step sim === flow step synth " ] \
    || fail "--serial: synth not after sim"
echo "flow: synth starts beside sim, is joined (and fails) in its place; --serial runs it in order"

if "$R" flow --skip nothing 2> /dev/null; then fail "unknown step accepted"; fi
if "$R" flow --sim-vectors 0 2> /dev/null; then fail "--sim-vectors 0 accepted"; fi
if "$R" flow --weights x.weights 2> /dev/null; then fail "--weights without --model accepted"; fi
echo "flow: bad options refused"

# --synth-liberty reaches the synth step (dry run: the command line only)
"$R" flow --dry-run --synth-liberty osu018 > "$T/dry" 2>&1 || fail "dry run failed"
grep -q '^\$ rad4ml synth .*--liberty osu018' "$T/dry" || fail "synth step lacks --liberty"
! grep -q -- '--liberty' <("$R" flow --dry-run 2>&1) || fail "--liberty without the option"
echo "flow: --synth-liberty passed to synth"

# --seu-set N reaches the seu step and the report (dry run)
"$R" flow --dry-run --seu-set 200 > "$T/dry2" 2>&1 || fail "dry run --seu-set failed"
grep -q '^\$ rad4ml seu .*--set --samples 200 --set-json .*seu_set.json' "$T/dry2" \
    || fail "seu step lacks --set"
grep -q '^\$ rad4ml report .*--seu-set .*seu_set.json' "$T/dry2" || fail "report lacks --seu-set"
echo "flow: --seu-set passed to seu and report"
