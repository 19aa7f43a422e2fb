#!/usr/bin/env bash
# algo_eval.sh — `rad4ml eval`: table + JSON on the shared data (hold-out
# part), usage errors exit 2, bad data exit 1 with no JSON left behind.
set -u
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

$R eval --help >/dev/null || fail "--help"
$R eval --links 14 2>/dev/null; [ $? -eq 2 ] || fail "--links 14 should exit 2"
$R eval --holdout 0 2>/dev/null; [ $? -eq 2 ] || fail "--holdout 0 should exit 2"

printf '1,2,3\n' > "$T/bad.csv"
$R eval --no-ae --data "$T/bad.csv" --json "$T/r.json" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] || fail "bad data exit $rc"
grep -q "$T/bad.csv:1:" "$T/err" || fail "message: $(cat "$T/err")"
[ ! -e "$T/r.json" ] || fail "JSON written on error"

# a small hand-made CSV data set: evaluation must run on it (user files)
python3 - "$T/small.csv" <<'PY'
import sys, random
random.seed(1)
with open(sys.argv[1], 'w') as f:
    for i in range(40):
        f.write(','.join(str(random.choice([1, 1, 1, 50, 400, 3000])) for _ in range(48)) + '\n')
PY
$R eval --no-ae --data "$T/small.csv" --holdout 1 --links 3 --json "$T/s.json" > "$T/out" \
    || fail "eval on a user CSV"
python3 - "$T/s.json" <<'PY' || fail "JSON content"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["n"] == 40 and j["first"] == 0 and j["links"] == 3 and j["budget_bits"] == 96
names = [a["name"] for a in j["algorithms"]]
assert names == ["threshold", "bc", "stc4", "stc16"], names
bc = j["algorithms"][1]
assert bc["bits_fixed"] == 4 + 8 + 6 * 13 and bc["fits_budget"]
for a in j["algorithms"]:
    e = a["emd"]
    assert e["n"] + a["empty_output"] == 40
    if e["n"]:
        assert 0 <= e["q16"] <= e["median"] <= e["q84"]
    assert sum(b["n"] for b in a["by_occupancy"]) == e["n"]
PY

DATA=${RAD4ML_DATA_DIR:-data/samples}/hgcal_ld_module_eportrx.csv
[ -r "$DATA" ] || fail "the shipped sample $DATA is missing"
{
    $R eval --json "$T/r.json" > "$T/out" || fail "eval with the default model: $(cat "$T/out")"
    grep -q "crossings 6000..7999 of 8000" "$T/out" || fail "default hold-out is not the last 25%"
    python3 - "$T/r.json" <<'PY' || fail "JSON of the default run"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["first"] == 6000 and j["n"] == 2000
names = [a["name"] for a in j["algorithms"]]
assert names[0] == "ae" and "bc" in names, names
for a in j["algorithms"]:
    assert a["emd"]["n"] > 1900, a
    if a["name"] != "threshold":
        assert a["fits_budget"], a
PY
    cat "$T/out"
    # sweep over 1..13 links, baselines only, 300 crossings
    $R eval --sweep --no-ae --max 300 --json "$T/sw.json" > "$T/out" || fail "--sweep"
    python3 - "$T/sw.json" <<'PY' || fail "sweep JSON"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["n"] == 300 and [x["links"] for x in j["sweep"]] == list(range(1, 14))
for x in j["sweep"]:
    a = {y["name"]: y for y in x["algorithms"]}
    assert a["bc"]["fits_budget"] and a["bc"]["bits_mean"] <= x["budget_bits"], x
    if x["links"] >= 2:
        assert a["stc16"]["fits_budget"]
# more links, better BC; all 48 TCs (13 links) reproduce 4E3M inputs exactly
med = [x["algorithms"][1]["emd"]["median"] for x in j["sweep"]]
assert all(b <= a for a, b in zip(med, med[1:])), med
assert med[-1] == 0.0, med
PY
}
# The budget rule at 2 and 5 links on the sample: STC4 (112 bits) is over the
# 64 bits of 2 links and within the 160 of 5; threshold (mean ~168 bits) is
# over at both; the autoencoder and best choice always fit. Table, JSON and
# report say the same.
for L in 2 5; do
    $R eval --max 300 --links $L --json "$T/b$L.json" > "$T/b$L.out" || fail "eval --links $L"
    python3 - "$T/b$L.json" $L <<'PY' || fail "over-budget flags at $L links"
import json, sys
j = json.load(open(sys.argv[1])); L = int(sys.argv[2])
budget = 32 * L
assert j["budget_bits"] == budget
a = {x["name"]: x for x in j["algorithms"]}
for x in a.values():
    assert x["over_budget"] == (x["bits_mean"] > budget), x
    assert x["fits_budget"] == (not x["over_budget"])
    if x["bits_fixed"] is not None:
        assert x["crossings_over_budget"] in (0, j["n"]), x
        assert (x["crossings_over_budget"] == j["n"]) == x["over_budget"], x
assert a["stc4"]["over_budget"] == (L == 2), a["stc4"]
assert a["threshold"]["over_budget"] and a["threshold"]["crossings_over_budget"] > 0
assert not a["ae"]["over_budget"] and not a["bc"]["over_budget"]
# the whole distribution (issue 25): per bin and overall median <= 84 % <= worst 1 %
for x in a.values():
    for e in [x["emd"]] + x["by_occupancy"]:
        if e["n"]:
            assert e["median"] <= e["q84"] <= e["worst1"], e
            assert e["worst1_n"] == (e["n"] + 99) // 100 and e["mean"] <= e["worst1"], e
# the decoder's cost on the autoencoder only; the verdict from the numbers
d = a["ae"]["decoder"]
assert d["params"] > 0 and d["macs"] > 0 and d["conditions"], d
assert all("decoder" not in x for n, x in a.items() if n != "ae")
fit = [x for n, x in a.items() if n != "ae" and x["fits_budget"] and x["emd"]["n"]]
v = j["ae_beats_in_budget"]
assert v["median"] == all(a["ae"]["emd"]["median"] < x["emd"]["median"] for x in fit), v
assert v["mean"] == all(a["ae"]["emd"]["mean"] < x["emd"]["mean"] for x in fit), v
assert v["both"] == (v["median"] and v["mean"]), v
PY
    grep -q '^autoencoder vs every algorithm within the budget: median' "$T/b$L.out" \
        || fail "no verdict line at $L links"
    grep -Eq '^ +worst1% ' "$T/b$L.out" || fail "no worst 1 % rows by occupancy at $L links"
    grep -Eq '^stc4.* (OVER|ok) ' "$T/b$L.out" || fail "no budget column: $(head -5 "$T/b$L.out")"
    if [ $L = 2 ]; then want=OVER; else want=ok; fi
    grep -Eq "^stc4.* $want " "$T/b$L.out" || fail "stc4 at $L links not marked $want"
    grep -Eq '^threshold.* OVER,' "$T/b$L.out" || fail "threshold at $L links not marked OVER"
    grep -q '^OVER: sends more bits' "$T/b$L.out" || fail "no OVER note at $L links"
done
$R report --eval "$T/b2.json" --out "$T/b2.html" >/dev/null 2>&1 \
    && grep -q 'over budget' "$T/b2.html" || fail "report does not mark over-budget rows"

# An output that is a FIFO or device (e.g. /dev/null) is written, not replaced
# by a renamed temp file; a directory is refused by name.
mkfifo "$T/fifo"
cat "$T/fifo" > "$T/fifo.out" &
$R eval --no-ae --max 20 --json "$T/fifo" > /dev/null || fail "eval --json FIFO"
wait
[ -p "$T/fifo" ] || fail "the FIFO was replaced by a file"
grep -q '"algorithms"' "$T/fifo.out" || fail "nothing written through the FIFO"
$R eval --no-ae --max 20 --json "$T" > /dev/null 2> "$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q "is a directory" "$T/err" || fail "directory as --json: rc $rc $(cat "$T/err")"

echo "algo_eval: ok"
