#!/usr/bin/env bash
# shard_kinds.sh — the other long jobs sharded, merged == unsharded byte for
# byte (SOURCE_DATE_EPOCH fixes the provenance date, which any two runs
# otherwise differ in):
#  * eval --sweep --json (link counts 1..13): 3 shards by hand, reverse order;
#  * sim --regress (random-model regression, HLS C + Icarus): 2 shards via
#    `submit --local`; a regression whose cases FAIL (--mid-reset cfg, the
#    negative control) merges into a table of FAIL rows and exit status 1;
#  * synth --json (protection x pipeline sweep of model/examples/tiny.json):
#    2 shards run from the files `submit --condor` writes (shards.sub queue
#    N, merge.sub, job.dag), emulated: each $(Process) substituted and run,
#    then merge.sub's arguments; equal to a warm unsharded run (Yosys times
#    and cache flags differ between any cold and warm run);
#  * submit --local --rerun: a shard that failed (its partial cannot be
#    written) is reported by id, nothing is merged; `--rerun 1` runs that
#    shard alone, keeps shard 0's result, and merges == unsharded;
#  * make train-capacity SHARD=i/N: the shards' runs together are the
#    unsharded list, each once (train/capacity.sh --dry-run).
set -eu
R=${RAD4ML:-build/bin/rad4ml}
R=$(cd "$(dirname "$R")" && pwd)/$(basename "$R")
ROOT=$PWD
T=$(mktemp -d /tmp/shard_kinds.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
same() { cmp "$1" "$2" || fail "$1 differs from $2"; }
export SOURCE_DATE_EPOCH=1760000000
cd "$T"

# -- eval --sweep --
"$R" eval --sweep --max 400 --json sw.json > /dev/null
for i in 2 1 0; do "$R" eval --sweep --max 400 --json sw3.json --shard $i/3 > /dev/null; done
"$R" merge sw3.json.part-*-of-3 > /dev/null
same sw.json sw3.json
if "$R" merge sw3.json.part-0-of-3 sw3.json.part-2-of-3 2> e; then fail "sweep merged without shard 1"; fi
grep -q "1 of 3 shards missing.*: 1; rerun one alone with: rad4ml eval .*--shard 1/3" e \
    || { cat e; fail "missing sweep shard not named"; }
"$R" eval --sweep --max 401 --json o.json --shard 1/3 > /dev/null
if "$R" merge sw3.json.part-0-of-3 o.json.part-1-of-3 sw3.json.part-2-of-3 2> e; then
    fail "merged sweeps over other data"; fi
grep -q "not shards of the same job" e || { cat e; fail "other sweep not refused"; }
echo "eval --sweep: 3 shards == unsharded ($(wc -c < sw.json) bytes); missing / foreign shard refused"

# -- sim --regress --
SR="--regress 4 --only hls,icarus --vectors 3000 --icarus-vectors 300"
"$R" sim $SR --workdir w1 --csv r.csv > /dev/null
"$R" submit --shards 2 --local 2 -- sim $SR --workdir w2 --csv r2.csv > /dev/null
same r.csv r2.csv
[ "$(grep -c ',PASS$' r.csv)" = 4 ] || { cat r.csv; fail "regression cases not PASS"; }
grep -q '^# rad4ml-provenance command: sim' r.csv || fail "no provenance block in the table"
# cases 1, 3 (shard 0) keep their weights in registers: the cfg reset loses
# them (FAIL); cases 2, 4 (shard 1) have hard-wired weights (PASS)
"$R" sim $SR --mid-reset cfg --workdir w3 --csv bad.csv --shard 0/2 > /dev/null 2>&1 \
    && fail "shard 0 of a failing regression exited 0"
"$R" sim $SR --mid-reset cfg --workdir w3 --csv bad.csv --shard 1/2 > /dev/null 2>&1 \
    || fail "shard 1 (hard-wired weights) failed"
if "$R" merge bad.csv.part-*-of-2 > /dev/null 2> e; then fail "merge of FAIL rows exited 0"; fi
grep -q "2 FAIL in bad.csv" e || { cat e; fail "merge did not say FAIL"; }
[ "$(grep -c '^[13],.*,FAIL$' bad.csv)" = 2 ] && [ "$(grep -c '^[24],.*,PASS$' bad.csv)" = 2 ] \
    || { cat bad.csv; fail "negative control: cases 1, 3 should FAIL, 2, 4 PASS"; }
echo "sim --regress: 2 shards (submit --local) == unsharded; a regression with FAILing cases merges to their FAIL rows, exit 1"

# -- synth sweep through the HTCondor files (emulated) --
SY="--model $ROOT/model/examples/tiny.json --protect none,tmr,secded --pipeline 0,1 --work sw"
"$R" synth $SY --json cold.json > /dev/null 2>&1
"$R" synth $SY --json s.json > /dev/null 2>&1
"$R" submit --shards 2 --condor --dry-run -- synth $SY --json s2.json > /dev/null
D=s2.json.shards
grep -q '^queue 2$' $D/shards.sub && grep -q '^PARENT shards CHILD merge$' $D/job.dag \
    || fail "condor files"
args() { sed -n 's/^arguments = "\(.*\)"$/\1/p' "$1"; }
exe=$(sed -n 's/^executable = //p' $D/shards.sub)
[ "$exe" = "$R" ] || fail "condor executable $exe"
for p in 1 0; do
    a=$(args $D/shards.sub | sed "s/\$(Process)/$p/g")
    eval "\"$exe\" $a" > /dev/null 2>&1 || fail "condor process $p: $a"
done
eval "\"$exe\" $(args $D/merge.sub)" > /dev/null
same s.json s2.json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['configs']) == 6" s.json
echo "synth --json: 2 shards from the submit --condor files == unsharded (6 configurations)"

# -- a failed shard, then --rerun it alone --
mkdir rr.json.part-1-of-2              # shard 1 cannot write its partial
if "$R" submit --shards 2 --local 2 -- eval --sweep --max 400 --json rr.json > o 2> e; then
    fail "submit succeeded with a failing shard"; fi
grep -q "shard 1/2 FAILED" e && ! grep -q "shard 0/2 FAILED" e || { cat e; fail "failed shard not named"; }
grep -q -- "--rerun 1 -- JOB" e || { cat e; fail "no --rerun advice"; }
[ ! -e rr.json ] || fail "merged despite a failed shard"
rmdir rr.json.part-1-of-2
touch -d '2001-01-01' rr.json.shards/shard-0.log
"$R" submit --shards 2 --local 2 --rerun 1 -- eval --sweep --max 400 --json rr.json > o
grep -q "rerunning shard(s) 1 of 2" o || { cat o; fail "rerun not said"; }
[ "$(stat -c %Y rr.json.shards/shard-0.log)" -lt 1000000000 ] || fail "--rerun 1 reran shard 0"
same sw.json rr.json
if "$R" submit --shards 2 --local 2 --rerun 2 -- eval --sweep --json x.json 2> e; then
    fail "--rerun 2 of 2 accepted"; fi
grep -q "expected shard ids 0..1" e || { cat e; fail "bad --rerun not explained"; }
echo "failed shard named with --rerun advice, nothing merged; --rerun 1 alone, merged == unsharded"

# -- capacity study shards --
cd "$ROOT"
whole=$(train/capacity.sh --dry-run a b c | sort)
parts=$(for i in 0 1 2; do SHARD=$i/3 train/capacity.sh --dry-run a b c; done | sort)
[ "$whole" = "$parts" ] || fail "capacity shards do not add up to the whole study"
[ "$(SHARD=1/3 train/capacity.sh --dry-run a b c | wc -l)" = 2 ] || fail "capacity shard 1/3"
if SHARD=3/3 train/capacity.sh --dry-run 2> /dev/null; then fail "capacity SHARD=3/3 accepted"; fi
echo "train-capacity: 3 shards cover the 5 runs once each"
