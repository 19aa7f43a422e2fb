#!/usr/bin/env bash
# seu_flops.sh — full TMR and the every-flop campaign, small instance (make test).
#  1. gen --protect-all tmr on a random model lints clean (verilator -Wall)
#     and every flip-flop of the plain design appears three times;
#  2. seu --rtl --all-flops, full TMR, EXHAUSTIVE: a single upset in every
#     flip-flop (weights, configuration, status, input, control, pipeline,
#     output), each at a random cycle under traffic: every one masked and
#     counted once at ERR_STATUS; the same for every adjacent double-bit
#     upset (MBU) inside a register word;
#  3. the negative control: the same campaign on the unprotected design
#     must see transient and persistent corruption;
#  4. two shards of a sampled campaign add up to the unsharded one, and
#     their --flops-json partials merge into the unsharded JSON byte for byte.
# The ECON-T campaigns (exhaustive full TMR, sampled none / tmr) are
# `make seu-flops` (tests/seu_flops_econt.sh).
set -eu
R=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/seu-flops-test
rm -rf "$W/gen"
mkdir -p "$W"
"$R" gen --random-model 3 --protect-all tmr --what rtl --out "$W/gen" >/dev/null
verilator --lint-only -Wall "$W/gen/rad4ml_ae.v" "$W/gen/rad4ml_ae_cfg.v"
echo "lint full TMR: clean (verilator -Wall)"
run() { "$R" seu --rtl --all-flops --random-model 3 --crossings 40 --work "$W" "$@"; }
out=$(run --protect none,full-tmr --flop-upsets 0)
echo "$out"
n_none=$(echo "$out" | sed -n 's/^seu flops none: .* registers \/ \([0-9]*\) flip-flops.*/\1/p')
n_full=$(echo "$out" | sed -n 's/^seu flops full-tmr: \([0-9]*\) single upsets .* \/ \([0-9]*\) flip-flops (exhaustive.*/\1 \2/p')
set -- $n_full
[ -n "$n_none" ] && [ "$#" -eq 2 ] || { echo "no table"; exit 1; }
[ "$2" -eq $((3 * n_none)) ] || { echo "full TMR has $2 flip-flops, not 3 x $n_none"; exit 1; }
[ "$1" -eq "$2" ] || { echo "full TMR: $1 upsets for $2 flip-flops: not exhaustive"; exit 1; }
full=$(echo "$out" | sed -n '/^seu flops full-tmr/,/->/p')
echo "$full" | grep -q '^  all  *'"$1"'  *100.0%  *0.0% (k<= 0)  *0.0% (     0)  *100.0%$' \
    || { echo "full TMR: not every upset masked and counted"; exit 1; }
echo "$out" | grep -c -- '-> PASS' | grep -qx 2 || { echo "campaign failed"; exit 1; }
none=$(echo "$out" | sed -n '/^seu flops none/,/->/p' | grep '^  all')
set -- $none
[ "${3%\%}" != "100.0" ] && [ "${4%\%}" != "0.0" ] && [ "${7%\%}" != "0.0" ] \
    || { echo "negative control: the unprotected design shows no corruption"; exit 1; }
echo "full TMR: $n_full upsets/flip-flops exhaustive, 0 corrupted outputs; none: corrupted as it must"
mbu=$(run --protect full-tmr --mbu)
echo "$mbu"
echo "$mbu" | grep -q '^  all .*100.0%  *0.0% (k<= 0)  *0.0% (     0)  *100.0%$' \
    && echo "$mbu" | grep -q -- '-> PASS' || { echo "full TMR MBU failed"; exit 1; }
# 4. shards: the tables add up, and the --flops-json partials merge into the
#    unsharded JSON byte for byte (SOURCE_DATE_EPOCH: the provenance date).
export SOURCE_DATE_EPOCH=1760000000
rm -f "$W"/flops*.json*
shard() { run --protect none,full-tmr --flop-upsets 60 --seed 7 "$@"; }   # builds reused
whole=$(shard --flops-json "$W/flops.json" | grep '^  all')
s0=$(shard --shard 0/2 --flops-json "$W/flops2.json" | grep '^  all' | awk '{s += $2} END {print s}')
s1=$(shard --shard 1/2 --flops-json "$W/flops2.json" | grep '^  all' | awk '{s += $2} END {print s}')
n=$(echo "$whole" | awk '{s += $2} END {print s}')
[ "$n" -eq $((60 + ${n_full%% *})) ] && [ $((s0 + s1)) -eq "$n" ] \
    || { echo "shards: $s0 + $s1 upsets, sampled run: $whole"; exit 1; }
echo "shards 0/2 + 1/2: $s0 + $s1 = $n upsets (none sampled 60, full TMR exhaustive)"
if "$R" merge "$W/flops2.json.part-0-of-2" >/dev/null 2>&1 || [ -e "$W/flops2.json" ]; then
    echo "merge accepted a missing shard"; exit 1
fi
"$R" merge "$W"/flops2.json.part-*
cmp "$W/flops.json" "$W/flops2.json" || { echo "merged JSON differs from the unsharded"; exit 1; }
grep -q '"injected": 60,' "$W/flops.json" && grep -q '"injected": '"${n_full%% *}"',' "$W/flops.json" \
    || { echo "JSON: not the 60 + $n_full upsets"; exit 1; }
echo "merge: 2 shards of --flops-json = the unsharded JSON, byte for byte"
echo "PASS"
