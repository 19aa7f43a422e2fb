#!/usr/bin/env bash
# fleet_small.sh — a 4-module fleet (fleet/testdata/fleet4.csv: three
# synthetic LD/HD modules and the real LD sample) on the small 48-cell model
# with a decoder (fleet/testdata/small48d): fine-tune, images + index, every
# image through the cfg port of ONE design in Verilator mid-stream (0
# mismatches per module), report (text, and the HTML report's section).
# Negative controls: a tampered image (its checksum), a tampered image with
# a forged checksum (it no longer decodes to the trained weights), and a C
# model configured unlike the RTL (the index says module 0 runs at 3 links,
# the design resets to 5) must all fail.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
VW=${RAD4ML_BUILD:-build}/fleet/verify_small      # Verilated model cached here
T=$(mktemp -d /tmp/fleet_small.XXXXXX)
trap 'rm -rf "$T"' EXIT
F=$T/f
fail() { echo "FAIL: $*"; exit 1; }

"$R" fleet train --manifest fleet/testdata/fleet4.csv --out "$F" \
    --base-model fleet/testdata/small48d.json --crossings 1000 --loss telescope
[ "$(grep -v "^#" "$F/train.csv" | tail -n +2 | wc -l)" = 4 ] || fail "train.csv has not 4 modules"
"$R" fleet images --out "$F"
[ "$(grep -v "^#" "$F/images/index.csv" | tail -n +2 | wc -l)" = 4 ] || fail "index has not 4 images"
cp -r "$F" "$T/g"                                   # pristine copy for the controls

"$R" fleet verify --out "$F" --vectors 2500 --work "$VW"
cat "$F/verify.csv"
# every module: compared > 0, 0 mismatches, 0 read-back errors, PASS
grep -q "^# rad4ml-provenance command: fleet" "$F/verify.csv" || fail "verify.csv without provenance"
awk -F, '/^#/ { next } !h { h = 1; next } { n++; if ($5 < 1000 || $6 != 0 || $8 != 0 || $9 != "PASS") bad++ }
         END { exit !(n == 4 && bad == 0) }' "$F/verify.csv" || fail "verify table"
"$R" fleet report --out "$F" | tee "$T/report.txt"
grep -q "of 4 modules" "$T/report.txt" || fail "report"
grep -q "PASS (.* compared, 0 mismatches)" "$F/report.md" || fail "report.md without verify"
"$R" report --out "$T/r.html" --fleet "$F" --eval none --seu none --synth none --hist-n 200 \
    > /dev/null 2>&1
for id in ld_low hd_busy ld_cal real_ld; do
    grep -q "<tr><td>$id</td>.*<td>PASS</td></tr>" "$T/r.html" || fail "report: no row for $id"
done
grep -q 'id="fig-fleet"' "$T/r.html" || fail "report: no fleet plot"

# -- negative controls --
G=$T/g
img=$G/images/hd_busy.hex
w=$(grep -v '^//' "$img" | sed -n 3p)
nw=$(printf '%08x' $(( 0x$w ^ 0x10 )))
sed -i "0,/^$w\$/s//$nw/" "$img"
if "$R" fleet verify --out "$G" --vectors 500 --work "$VW" 2> "$T/e1"; then
    fail "a tampered image passed"; fi
grep -q "hd_busy.hex: checksum" "$T/e1" || { cat "$T/e1"; fail "no checksum error"; }
ck=$(python3 -c "
import sys; h=0xcbf29ce484222325
for b in open(sys.argv[1],'rb').read(): h=((h^b)*0x100000001b3)&0xffffffffffffffff
print('%016x'%h)" "$img")
sed -i "s/^\(hd_busy,[^,]*\),[0-9a-f]*,/\1,$ck,/" "$G/images/index.csv"
if "$R" fleet verify --out "$G" --vectors 500 --work "$VW" 2> "$T/e2"; then
    fail "a forged image passed"; fi
grep -q "module hd_busy: its image decodes to weights" "$T/e2" || { cat "$T/e2"; fail "no decode error"; }
cp "$F/images/hd_busy.hex" "$img"; cp "$F/images/index.csv" "$G/images/index.csv"
sed -i 's/^\(ld_low,[^,]*,[^,]*,[^,]*,[^,]*\),5,/\1,3,/' "$G/images/index.csv"
if "$R" fleet verify --out "$G" --vectors 500 --work "$VW" > "$T/o3" 2>&1; then
    fail "C configured unlike the RTL passed"; fi
grep -q ",FAIL" "$G/verify.csv" || { cat "$T/o3"; fail "no FAIL row"; }
echo "fleet_small: 4 modules trained, imaged, verified (0 mismatches each); 3 negative controls caught"
