#!/usr/bin/env bash
# fleet_demo.sh — `make fleet-demo`: a 20-module synthetic fleet on the
# built-in ECON-T model (LD and HD modules, occupancies 0.10-0.60, 2-5
# links, calibrations 1800-2300): fine-tune each module (3 epochs), write
# the images + index and the ONE design, verify every image through its cfg
# port in Verilator mid-stream (0 mismatches per module required), report
# (report.md and the HTML report with its fleet table and figure).
# Products in $FLEET_OUT (default build/fleet/demo); prints each step's time.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
O=${FLEET_OUT:-${RAD4ML_BUILD:-build}/fleet/demo}
N=${FLEET_MODULES:-20}
rm -rf "$O"
mkdir -p "$O"
M=$O/fleet.csv
{
    echo "id,data,occupancy,showers,geometry,links,calib"
    for i in $(seq 0 $((N - 1))); do
        occ=$(awk -v i=$i 'BEGIN { printf "%.2f", 0.10 + 0.50 * ((i * 7) % 20) / 19 }')
        sh=$(awk -v i=$i 'BEGIN { printf "%.1f", 0.5 + 0.25 * (i % 7) }')
        geo=$([ $((i % 3)) = 2 ] && echo hd || echo ld)
        links=$(( (i % 4) + 2 ))
        cal=$(( 1800 + (i * 37) % 500 ))
        printf 'mod%02d,synthetic,%s,%s,%s,%d,%d\n' $i $occ $sh $geo $links $cal
    done
} > "$M"
t() { local s=$(date +%s.%N); "$@"; echo "[$(awk -v s=$s -v e=$(date +%s.%N) 'BEGIN { printf "%.1f", e - s }') s] $*" >&2; }
t "$R" fleet train --manifest "$M" --out "$O" --crossings 2000 --epochs 3
t "$R" fleet images --out "$O"
t "$R" fleet verify --out "$O" --vectors 5000 --work "${RAD4ML_BUILD:-build}/fleet/verify_econt"
awk -F, '/^#/ { next } !h { h = 1; next } { n++; if ($6 != 0 || $8 != 0 || $9 != "PASS" || $5 < 4000) bad++ }
         END { printf "fleet demo: %d modules verified, %d not clean\n", n, bad; exit bad != 0 }' \
    "$O/verify.csv"
t "$R" fleet report --out "$O"
# the fleet table and figure in the HTML report: one row per module
t "$R" report --out "$O/report.html" --fleet "$O" --eval none --seu none --synth none \
    --hist-n 200 > /dev/null
python3 - "$O/report.html" "$N" <<'PY'
import re, sys
h = open(sys.argv[1]).read()
t = re.search(r'<table id="tab-fleet">(.*?)</table>', h, re.S)
assert t, 'no fleet table in the report'
rows = re.findall(r'<tr><td>mod\d+</td>', t.group(1))
assert len(rows) == int(sys.argv[2]), f'{len(rows)} module rows, expected {sys.argv[2]}'
assert t.group(1).count('<td>PASS</td>') == len(rows), 'a module not PASS in the report'
assert 'fig-fleet' in h, 'no fleet figure'
print(f'fleet demo: report {sys.argv[1]}: fleet table with {len(rows)} modules (base vs '
      'fine-tuned EMD, RTL PASS), figure fig-fleet')
PY
