#!/usr/bin/env bash
# capacity.sh — the capacity study (make train-capacity; train/README.md
# "What the gap is made of"), one `rad4ml train` per run:
#   0  econt_wide16  -> train/trained/econt_wide16_5links  (shipped)
#   1  econt_dec192  -> train/trained/econt_dec192_5links  (shipped; 250 epochs,
#                       decoder weight decay 0.01)
#   2.. each model named on the command line -> $BUILD/capacity/<model>
# SHARD=i/N runs only the runs k with k % N == i (each run writes its own
# folder: the shards' folders together are the unsharded output).
# --dry-run prints the runs this shard would do.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
B=${BUILD:-build}
OPTS=${TRN_OPTS:---data default --loss sinkhorn --seed 1 --epochs 300 --patience 60 --check-exact}
dry=0
[ "${1:-}" = --dry-run ] && { dry=1; shift; }
i=0 n=1
if [ -n "${SHARD:-}" ]; then
    case "$SHARD" in
        *[!0-9/]*|*/*/*|/*|*/) echo "capacity.sh: SHARD '$SHARD': expected i/N" >&2; exit 2;;
    esac
    i=${SHARD%/*} n=${SHARD#*/}
    [ "$n" -ge 1 ] && [ "$i" -lt "$n" ] || { echo "capacity.sh: SHARD '$SHARD': need 0 <= i < N" >&2; exit 2; }
fi
k=0
run() {     # run <out> <train options...>
    local out=$1; shift
    if [ $((k % n)) -eq "$i" ]; then
        echo "capacity run $k -> $out"
        if [ $dry = 0 ]; then
            mkdir -p "$(dirname "$out")"
            # shellcheck disable=SC2086
            nice "$R" train $OPTS --links 5 "$@" --out "$out"
        fi
    fi
    k=$((k + 1))
}
run train/trained/econt_wide16_5links --model model/examples/econt_wide16.json
run train/trained/econt_dec192_5links --model model/examples/econt_dec192.json \
    --epochs 250 --weight-decay 0.01
for m in "$@"; do
    run "$B/capacity/$m" --model "model/examples/$m.json"
done
