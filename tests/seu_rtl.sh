#!/usr/bin/env bash
# seu_rtl.sh — protected register files in RTL, reduced campaign (make test).
#  1. every variant (none, tmr, secded, sel) lints clean under
#     verilator --lint-only -Wall, with and without the injection logic, and
#     compiles in Icarus; the drop-in TMR/SECDED modules lint clean inside
#     codegen's full design (same ports as its unprotected <top>_cfg);
#  2. single upsets injected into the Verilated register file, every 48th
#     stored bit, each at a different position of its field (the exhaustive
#     campaign, with selective TMR too, is `make seu-full`): TMR and SECDED
#     mask, count and scrub every one; without protection each corrupts
#     exactly its bit (the negative control); the same campaign in 3 shards
#     (--shard i/3 --rtl-json) merges into exactly the unsharded JSON;
#  3. the WHOLE design (codegen with the SEU test port, which must lint
#     clean) under traffic: real crossings one per clock while every 400th
#     stored bit is flipped, 3 crossings per upset: with TMR every output
#     equals the C engine's and seu_count rises once per upset; without
#     protection upsets must corrupt outputs, each exactly as the C engine
#     predicts for the flipped image.  SECDED in the whole design, and every
#     stored bit: tests/seu_full.sh (make seu-full, make regress).
set -eu
R=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/seu-test
mkdir -p "$W/lint" "$W/full"
for p in none tmr secded sel; do
    "$R" seu --gen-cfg "$W/lint/rad4ml_ae_cfg.v" --protect $p --crossings 20 >/dev/null
    verilator --lint-only -Wall "$W/lint/rad4ml_ae_cfg.v"
    verilator --lint-only -Wall -DRAD4ML_SEU_INJECT "$W/lint/rad4ml_ae_cfg.v"
    iverilog -g2005 -o "$W/lint/a.out" "$W/lint/rad4ml_ae_cfg.v"
    echo "lint $p: clean (verilator -Wall, with/without RAD4ML_SEU_INJECT; iverilog)"
done
"$R" gen --out "$W/full" --what rtl >/dev/null
for p in tmr secded; do
    "$R" seu --gen-cfg "$W/full/rad4ml_ae_cfg.v" --protect $p --drop-in >/dev/null
    verilator --lint-only -Wall "$W/full/rad4ml_ae.v" "$W/full/rad4ml_ae_cfg.v"
    echo "lint full design with drop-in $p cfg: clean"
done
export SOURCE_DATE_EPOCH=1760000000           # the JSON's date: same in every run
rm -f "$W"/rtl*.json*
out=$("$R" seu --rtl --protect tmr,secded,none --stride 48 --crossings 20 \
      --work "$W/rtl" --rtl-json "$W/rtl.json" | grep '^seu rtl')
echo "$out"
[ "$(echo "$out" | grep -c -- '-> PASS')" -eq 3 ] || { echo "RTL campaign failed"; exit 1; }
echo "$out" | grep -q 'none  : .*corrupted \([0-9]*\) (exactly the flipped bit: \1)' \
    || { echo "negative control: unprotected upsets not seen"; exit 1; }
# the same campaign in 3 shards (stride windows j % 3), merged == unsharded
for i in 2 0 1; do
    "$R" seu --rtl --protect tmr,secded,none --stride 48 --crossings 20 --work "$W/rtl" \
        --rtl-json "$W/rtl3.json" --shard $i/3 > /dev/null
done
"$R" merge "$W"/rtl3.json.part-*-of-3 > /dev/null
cmp "$W/rtl.json" "$W/rtl3.json" || { echo "sharded RTL campaign != unsharded"; exit 1; }
python3 - "$W/rtl.json" <<'PY' || { echo "RTL campaign JSON"; exit 1; }
import json, sys
d = json.load(open(sys.argv[1]))
p = {x['protect']: x for x in d['protections']}
assert all(x['result'] == 'PASS' and x['injected'] > 0 for x in p.values())
assert p['none']['exact_corrupt'] == p['none']['injected'] and p['tmr']['masked'] == p['tmr']['injected']
PY
if "$R" merge "$W"/rtl3.json.part-{0,2}-of-3 2> "$W/e"; then echo "merged without shard 1"; exit 1; fi
grep -q "1 of 3 shards missing.*: 1; rerun one alone with: rad4ml seu .*--shard 1/3" "$W/e" \
    || { cat "$W/e"; echo "missing RTL shard not named"; exit 1; }
echo "seu --rtl --rtl-json: 3 shards merged == unsharded ($(python3 -c "import json,sys; print(sum(x['injected'] for x in json.load(open(sys.argv[1]))['protections']))" "$W/rtl.json") upsets)"
out=$("$R" seu --rtl --full --protect tmr,none --stride 400 --per-bit 3 \
      --crossings 40 --work "$W/full-rtl" | grep '^seu full')
echo "$out"
[ "$(echo "$out" | grep -c -- '-> PASS')" -eq 2 ] || { echo "full-design campaign failed"; exit 1; }
for p in tmr; do
    echo "$out" | grep -Eq "^seu full $p *: [1-9][0-9]* upsets .* [1-9][0-9]* compared with the C engine, 0 mismatching" \
        || { echo "full design, $p: upsets not masked"; exit 1; }
done
echo "$out" | grep -Eq '^seu full none  : [0-9]+ outputs ran on a flipped image, [1-9][0-9]* corrupted .*C engine on the flipped image: yes' \
    || { echo "full design, none: negative control (corrupted outputs) failed"; exit 1; }
for p in tmr none; do
    d="$W/full-rtl/full-$p-O0/gen"       # codegen's output, as generated
    verilator --lint-only -Wall "$d/rad4ml_ae.v" "$d/rad4ml_ae_cfg.v"
    verilator --lint-only -Wall -DRAD4ML_SEU_INJECT "$d/rad4ml_ae.v" "$d/rad4ml_ae_cfg.v"
    echo "lint full design with the SEU port ($p): clean"
done
