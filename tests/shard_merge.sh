#!/usr/bin/env bash
# shard_merge.sh — sharded runs merged == the unsharded run, byte for byte:
# fleet train (2 shards through `rad4ml submit --local`, 3 shards by hand
# in reverse order; the table and every module's model files), fleet verify
# (2 shards), seu --json sensitivity map (3 shards).  Refusals: a missing
# shard (named, with the command that reruns it, nothing written), a
# duplicated one, shards of different jobs.  A failing shard under submit
# --local is reported by id and nothing is merged; rerun alone, it merges.
# A shard killed (SIGKILL) mid-run leaves no partial; merge names it.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
R=$(cd "$(dirname "$R")" && pwd)/$(basename "$R")
VW=${RAD4ML_BUILD:-build}/fleet/verify_small      # shared with fleet_small.sh
T=$(mktemp -d /tmp/shard_merge.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
B=fleet/testdata/small48d.json
sed 's|^real_ld,[^,]*,|real_ld,'"$T"'/real.csv,|' fleet/testdata/fleet4.csv > "$T/fleet.csv"
cp data/samples/hgcal_ld_module_eportrx.csv "$T/real.csv"
TR="--manifest $T/fleet.csv --base-model $B --crossings 800 --loss telescope"
same() { cmp "$1" "$2" || fail "$1 differs from $2"; }
same_fleet() {
    same "$1/train.csv" "$2/train.csv"
    for f in "$1"/modules/*; do same "$f" "$2/modules/$(basename "$f")"; done
}

# -- fleet train --
"$R" fleet train $TR --out "$T/whole" > /dev/null
"$R" submit --shards 2 --local 2 -- fleet train $TR --out "$T/s2"
same_fleet "$T/whole" "$T/s2"
for i in 2 1 0; do "$R" fleet train $TR --out "$T/s3" --shard $i/3 --threads 1 > /dev/null; done
"$R" merge "$T"/s3/train.csv.part-*-of-3
same_fleet "$T/whole" "$T/s3"
echo "fleet train: 2 and 3 shards == unsharded (train.csv + $(ls "$T/whole/modules" | wc -l) model files)"

# -- refusals --
P=$T/s3/train.csv
rm "$P"
if "$R" merge "$P.part-0-of-3" "$P.part-2-of-3" 2> "$T/e"; then fail "merged with a shard missing"; fi
grep -q "1 of 3 shards missing.*: 1; rerun one alone with: rad4ml fleet .*--shard 1/3" "$T/e" \
    || { cat "$T/e"; fail "missing shard not named"; }
[ ! -e "$P" ] || fail "a partial merge wrote $P"
if "$R" merge "$P".part-* "$P.part-1-of-3" 2> "$T/e"; then fail "merged a duplicate"; fi
grep -q "shard 1/3 given twice" "$T/e" || { cat "$T/e"; fail "duplicate not named"; }
if "$R" merge "$P.part-0-of-3" "$T/s2/train.csv.part-1-of-2" 2> "$T/e"; then fail "mixed jobs"; fi
grep -q "is 1/2 of 4" "$T/e" || { cat "$T/e"; fail "mixed shard counts not named"; }

# -- a failing shard: reported by id, nothing merged, rerun alone --
mv "$T/real.csv" "$T/real.away"
if "$R" submit --shards 2 --local 2 -- fleet train $TR --out "$T/c" 2> "$T/e"; then
    fail "submit succeeded with a failing shard"; fi
grep -q "shard 1/2 FAILED" "$T/e" && ! grep -q "shard 0/2 FAILED" "$T/e" || { cat "$T/e"; fail "failed shard not named"; }
[ ! -e "$T/c/train.csv" ] || fail "merged despite a failed shard"
mv "$T/real.away" "$T/real.csv"
rerun=$(sed -n 's/.*rerun it alone: //p' "$T/e" | head -1)
eval "$rerun" > /dev/null
"$R" merge "$T"/c/train.csv.part-*-of-2
same_fleet "$T/whole" "$T/c"
echo "failed shard reported by id, rerun alone, merged == unsharded"

# -- fleet verify (one design, Verilated model cached in $VW) --
"$R" fleet images --out "$T/whole" > /dev/null
cp -r "$T/whole" "$T/v2"
"$R" fleet verify --out "$T/whole" --vectors 1500 --work "$VW" > /dev/null
for i in 1 0; do "$R" fleet verify --out "$T/v2" --vectors 1500 --work "$VW" --shard $i/2 > /dev/null; done
"$R" merge "$T"/v2/verify.csv.part-*
same "$T/whole/verify.csv" "$T/v2/verify.csv"
echo "fleet verify: 2 shards == unsharded"

# -- seu sensitivity map --
S="--model $B --crossings 60 --threads 2"
export SOURCE_DATE_EPOCH=1760000000     # the provenance date: the same in every run
"$R" seu $S --json "$T/seu.json" > /dev/null
for i in 0 1 2; do "$R" seu $S --json "$T/seu3.json" --shard $i/3; done
"$R" merge "$T"/seu3.json.part-*
# byte for byte, provenance block included (shard 0's: command seu, same
# model, weights, data, rows, date)
same "$T/seu.json" "$T/seu3.json"
"$R" seu --model $B --crossings 61 --threads 2 --json "$T/x.json" --shard 0/3 > /dev/null
if "$R" merge "$T/x.json.part-0-of-3" "$T"/seu3.json.part-{1,2}-of-3 2> "$T/e"; then
    fail "merged shards of different campaigns"; fi
grep -q "not shards of the same job" "$T/e" || { cat "$T/e"; fail "different campaigns"; }
echo "seu --json: 3 shards == unsharded ($(wc -c < "$T/seu.json") bytes)"

# -- a killed shard leaves no partial; merge names it --
"$R" seu --crossings 30 --json "$T/k.json" --shard 1/2 > /dev/null
bash -c 'timeout -s KILL 0.3 "$@" > /dev/null; exit $?' kill "$R" seu --crossings 30 \
    --json "$T/k.json" --shard 0/2 --threads 1 2> /dev/null && fail "the shard to kill finished within 0.3 s"
[ ! -e "$T/k.json.part-0-of-2" ] || fail "a killed shard left a partial"
if "$R" merge "$T/k.json.part-1-of-2" 2> "$T/e"; then fail "merged without the killed shard"; fi
grep -q "1 of 2 shards missing (crashed or not run): 0; rerun one alone with: rad4ml seu .*--shard 0/2" \
    "$T/e" || { cat "$T/e"; fail "killed shard not named"; }
echo "killed shard: no partial left, merge names it and its rerun command"
