#!/usr/bin/env bash
# data_convert.sh — `rad4ml convert` end to end: real-data round trip
# (ePortRX -> CSV -> ePortRX gives identical words), bad input gives a
# file:line:column message, exit 1 and no output file.
set -u
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

$R convert --help >/dev/null || fail "--help"
$R convert 2>/dev/null; [ $? -eq 2 ] || fail "no arguments should exit 2"
$R convert --to xml a b 2>/dev/null; [ $? -eq 2 ] || fail "--to xml should exit 2"

DATA=${RAD4ML_DATA_DIR:-data/samples}/hgcal_ld_module_eportrx.csv
if [ -r "$DATA" ]; then
    $R convert --from eportrx --to csv "$DATA" "$T/q.csv" 2>/dev/null || fail "decode real data"
    [ "$(grep -vc '^#' "$T/q.csv")" -eq 8001 ] || fail "8000 rows + header expected"
    grep -q "^# rad4ml-provenance data: $DATA sha256:$(sha256sum "$DATA" | cut -c1-64) rows 8000" \
        "$T/q.csv" || fail "no provenance block naming the input and its SHA-256"
    # strip the provenance comment lines for the comparisons below
    for f in q; do grep -v '^#' "$T/$f.csv" > "$T/$f.body"; done
    $R convert --from csv --to eportrx "$T/q.csv" "$T/e.csv" 2>/dev/null || fail "encode"
    # same words (headers differ in spacing only)
    diff <(tail -n +2 "$DATA" | tr -d ' \r') <(grep -v '^#' "$T/e.csv" | tail -n +2 | tr -d ' ') >/dev/null \
        || fail "ePortRX -> CSV -> ePortRX changed words"
    # explicit mapping file gives the same result as the built-in one
    $R convert --mapping "$(dirname "$DATA")/ldm_tc_mapping.csv" "$DATA" "$T/q2.csv" 2>/dev/null \
        || fail "--mapping"
    cmp -s "$T/q.body" <(grep -v '^#' "$T/q2.csv") || fail "mapping file differs from built-in"
    # calibration 1024 on every TC halves every charge
    for i in $(seq 48); do echo 1024; done > "$T/cal.csv"
    $R convert --calib "$T/cal.csv" "$DATA" "$T/q3.csv" 2>/dev/null || fail "--calib"
    grep -v '^#' "$T/q3.csv" > "$T/q3.body"
    python3 - "$T/q.body" "$T/q3.body" <<'PY' || fail "calibration 1024 is not a halving"
import sys
a = [l.split(',') for l in open(sys.argv[1]).read().split()[1:]]
b = [l.split(',') for l in open(sys.argv[2]).read().split()[1:]]
assert len(a) == len(b) == 8000
assert all(int(y) == int(x) // 2 for ra, rb in zip(a, b) for x, y in zip(ra, rb))
PY
    echo "real data round trip: 8000 crossings identical"
else
    fail "the shipped sample $DATA is missing"
fi

# malformed input: message names file:line:column, exit 1, no output
printf '1,2,3,4,5,6,7,8,9,10,11,12\n1,2,3,4,5,6,7,x,9,10,11,12\n' > "$T/bad.csv"
msg=$($R convert "$T/bad.csv" "$T/out.csv" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "bad input exit $rc"
echo "$msg" | grep -q "$T/bad.csv:2:8:" || fail "message lacks file:line:col: $msg"
[ ! -e "$T/out.csv" ] || fail "partial output left behind"
ls "$T" | grep -q tmp && fail "temporary file left behind"
printf '1,2,3,4,5,6,7,8,9,10,11,4294967296\n' > "$T/big.csv"
$R convert "$T/big.csv" "$T/out.csv" 2>&1 | grep -q "big.csv:1:12: value 4294967296 beyond 32 bits" \
    || fail "32-bit range message"
printf '1,2,3,4,5,6,7,8,9,10,11,2147483648\n' > "$T/hdr.csv"
$R convert "$T/hdr.csv" "$T/out.csv" 2>&1 | grep -q "hdr.csv:1:12: header bits" \
    || fail "header bits message"
[ ! -e "$T/out.csv" ] || fail "partial output left behind"
echo "data_convert: ok"
