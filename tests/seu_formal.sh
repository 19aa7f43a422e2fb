#!/usr/bin/env bash
# seu_formal.sh — formal proof of the generated register files, small
# instance (make test): random model 1 (57 image bits), seu/formal.sh:
# TMR single upsets at any cycle, bounded to depth 12 + k-induction; the
# three controls (none, TMR without voted feedback, SECDED double upsets
# claimed corrected) must FAIL.  Then `seu --rate` on the CLI: the table is
# printed, the JSON written, bad values exit 2 naming the option.
set -u
R=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/seu-formal-test
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$W"
out=$(RAD4ML=$R seu/formal.sh --random-model 1 --depth 12 --work "$W/f" --checks tmr,controls) \
    || { echo "$out"; fail "seu/formal.sh"; }
echo "$out"
echo "$out" | grep -q '^formal tmr-single: PASS .*k-induction' || fail "TMR proof missing"
[ "$(echo "$out" | grep -c '^formal control-.*: PASS (expected fail')" -eq 3 ] \
    || fail "a control did not fail"
"$R" seu --rate --emd-per-bit 0.01 --rate-json "$W/rate.json" > "$W/rate.txt" || fail "seu --rate"
cat "$W/rate.txt"
grep -Eq '^seu rate: none +12864 +4\.631 ' "$W/rate.txt" || fail "none: 12864 bits * 1e-7/s * 3600 != 4.631/h"
grep -q '"protection": "secded"' "$W/rate.json" || fail "rate JSON"
rm -f "$W/bad.json"
for bad in "--xs 0" "--xs -1e-14" "--flux 0" "--flux nope" "--clock 0" "--fill -1" "--emd-per-bit -2"; do
    opt=${bad%% *}
    "$R" seu --rate --emd-per-bit 0.01 $bad --rate-json "$W/bad.json" 2> "$W/err" >/dev/null
    rc=$?
    [ $rc = 2 ] || fail "seu --rate $bad: exit $rc, not 2"
    grep -q -- "$opt" "$W/err" || fail "seu --rate $bad: message does not name $opt: $(cat "$W/err")"
    [ ! -e "$W/bad.json" ] || fail "seu --rate $bad left output"
done
echo "seu --rate: bad values rejected with exit 2 naming the option (7 cases)"
