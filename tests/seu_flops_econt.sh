#!/usr/bin/env bash
# seu_flops_econt.sh — the every-flop campaigns on the ECON-T design
# (make seu-flops, in make regress): single upsets and adjacent double-bit
# upsets (MBU) in every flip-flop of the full-TMR design (exhaustive: every
# one masked and counted, 0 corrupted outputs), and the same campaigns
# sampled (2,000 upsets, seed 1) on the unprotected and the weights-only
# TMR designs, whose tables show what they leave open.  Extra arguments go
# to every `rad4ml seu` (e.g. --shard i/N: the upsets j with j % N == i;
# each shard then writes the partials of the JSON, `rad4ml merge` joins them).
set -eu
R=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/seu-flops
for mbu in "" --mbu; do
    out=$("$R" seu --rtl --all-flops --protect full-tmr,tmr,none --flop-upsets 2000 \
          --work "$W" $mbu --flops-json "$W/flops${mbu:+-mbu}.json" "$@")
    echo "$out"
    [ "$(echo "$out" | grep -c -- '-> PASS')" -eq 3 ] || { echo "FAIL"; exit 1; }
done
echo "PASS"
