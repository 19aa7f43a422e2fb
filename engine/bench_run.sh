#!/usr/bin/env bash
# bench_run.sh — `rad4ml run` throughput, file to file (make bench): the
# 8,000 real crossings repeated to 500,000 rows, as ePortRX CSV and as
# 48-charge CSV; prints rows/s of the whole command (parse, engine, write),
# by the wall clock and by the CPU time (the wall clock on a loaded machine
# measures the load).
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/bench_run
mkdir -p "$W"
DATA=data/samples/hgcal_ld_module_eportrx.csv
"$RAD4ML" convert --to csv "$DATA" "$W/one.csv" 2> /dev/null
for f in eportrx csv; do
    src=$([ $f = eportrx ] && echo "$DATA" || echo "$W/one.csv")
    [ -s "$W/big_$f.csv" ] || for i in $(seq 62); do tail -n +2 "$src"; done | head -500000 > "$W/big_$f.csv"
    TIMEFORMAT='%R %U %S'
    t=$( { time "$RAD4ML" run --in "$W/big_$f.csv" --out "$W/out_$f.csv" 2> /dev/null; } 2>&1 )
    rows=$(($(wc -l < "$W/out_$f.csv") - 1))
    echo "$t" | awk -v r="$rows" -v f="$f" -v b="$(stat -c %s "$W/big_$f.csv")" \
        '{printf "run (%s in, file to file): %d rows in %.2f s wall = %.0f rows/s; %.2f s CPU = %.0f rows/s per core (%.0f MB/s in)\n",
               f, r, $1, r/$1, $2+$3, r/($2+$3), b/($2+$3)/1e6}'
done
rm -f "$W"/out_*.csv
