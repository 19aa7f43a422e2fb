#!/usr/bin/env bash
# seu_set.sh — single-event transients in the gate netlist (make test):
# random model 1 (saved by info --random-model 1 --save-json; 13,113 generic
# gates, 342 flip-flops flat, no protection), 300 random pulses + 40 control
# pulses under random traffic (the model has no LD geometry).
#  * the fault-free gate netlist must give exactly the C engine's outputs
#    (gold vs C: 0 mismatching of every output);
#  * every control pulse (on a gate whose output is a flip-flop's D input,
#    inverted through the clock edge) must be latched: the negative control
#    that proves the harness sees a corrupted state;
#  * some random pulses latch and some corrupt an output, not all (logical
#    masking is real); latched >= persistent;
#  * the JSON has the seu-set provenance and the report shows its table;
#  * bad values exit 2 naming the option.
# The protected variants and more pulses: make seu-set (seu/README section 8).
set -u
R=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/seu-set-test
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$W"

# random model 1 saved as a file, so that the report can load it again
"$R" info --random-model 1 --save-json "$W/rm1.json" > /dev/null || fail "info --save-json"
out=$("$R" seu --set --model "$W/rm1.json" --protect none --samples 300 --set-controls 40 \
      --crossings 20 --work "$W" --set-json "$W/set.json" 2>&1) \
    || { echo "$out"; fail "seu --set exited non-zero"; }
echo "$out" | grep '^seu set'
echo "$out" | grep -q '^seu set none  : .* -> PASS' || fail "no PASS line"
row=$(echo "$out" | grep '^seu set: none ') || fail "no table row"
read -r lat cor per ctl gold <<<"$(echo "$row" | awk '{ print $7, $10, $13, $15, $16 }')"
[ "$ctl" = "40/40" ] || fail "control pulses latched: $ctl, want 40/40"
case "$gold" in 0/*) ;; *) fail "fault-free netlist vs C engine: $gold mismatching";; esac
[ "${gold#0/}" -gt 0 ] || fail "no output compared with the C engine"
awk -v l="$lat" -v c="$cor" -v p="$per" 'BEGIN { exit !(l + 0 > 0 && l + 0 < 100 &&
    c + 0 > 0 && c + 0 < 100 && p + 0 <= l + 0) }' \
    || fail "latched $lat %, corrupted $cor %, persistent $per %: want 0 < x < 100"
grep -q '"kind":"seu-set"' "$W/set.json" || fail "set.json: no seu-set provenance"
grep -q '"samples": 300' "$W/set.json" || fail "set.json: sample count"

"$R" report --eval none --seu none --synth none --seu-rate none --seu-set "$W/set.json" \
    --hist-n 10 --out "$W/r.html" > "$W/report.log" 2>&1 || { cat "$W/report.log"; fail "report"; }
grep -q 'id="tab-seu-set"' "$W/r.html" || fail "report: no transient table"

for bad in "--samples 0" "--set-cycles 0" "--set-width -1" "--set-controls -2"; do
    # shellcheck disable=SC2086
    msg=$("$R" seu --set $bad 2>&1); rc=$?
    [ $rc -eq 2 ] || fail "seu --set $bad: exit $rc, want 2"
    echo "$msg" | grep -q -- "${bad%% *}" || fail "seu --set $bad: message does not name the option"
done
echo "PASS seu_set"
