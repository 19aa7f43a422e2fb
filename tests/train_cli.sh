#!/usr/bin/env bash
# train_cli.sh — `rad4ml train` end to end: short runs on synthetic data, a
# user CSV and the shared data (with the bit-exactness check), and every
# kind of bad input: a clear message naming the option / file / line, a
# non-zero exit, and no output files.
set -u
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# expect_err CODE PATTERN args... : exit code, stderr pattern, no files in $T/out*
expect_err() {
    local code=$1 pat=$2; shift 2
    "$R" train "$@" >"$T/stdout" 2>"$T/stderr"
    local rc=$?
    if [ $rc -ne "$code" ]; then bad "train $*: exit $rc, want $code ($(head -c 300 "$T/stderr"))"; return; fi
    if ! grep -q -- "$pat" "$T/stderr"; then bad "train $*: message lacks '$pat': $(cat "$T/stderr")"; return; fi
    if ls "$T"/out* >/dev/null 2>&1; then bad "train $*: left output files: $(ls "$T"/out*)"; rm -f "$T"/out*; return; fi
    ok "train $* -> exit $code: $(head -n1 "$T/stderr")"
}

"$R" train --help >"$T/h" 2>&1 && grep -q -- "--seu-rate" "$T/h" && ok "--help" || bad "--help"

# ---- bad options ---------------------------------------------------------
SYN=(--data synthetic --synthetic-n 200 --quiet)
expect_err 2 "out PREFIX is required" "${SYN[@]}"
expect_err 2 "--epochs 0"        "${SYN[@]}" --out "$T/out" --epochs 0
expect_err 2 "--epochs abc"      "${SYN[@]}" --out "$T/out" --epochs abc
expect_err 2 "--loss huber"      "${SYN[@]}" --out "$T/out" --loss huber
expect_err 2 "--seu-rate 2"      "${SYN[@]}" --out "$T/out" --seu-rate 2
expect_err 2 "--links 99"        "${SYN[@]}" --out "$T/out" --links 99
expect_err 2 "--lr -1"           "${SYN[@]}" --out "$T/out" --lr -1
expect_err 2 "--threads 0"       "${SYN[@]}" --out "$T/out" --threads 0
expect_err 2 "unknown option"    "${SYN[@]}" --out "$T/out" --bogus
expect_err 2 "needs a value"     "${SYN[@]}" --out "$T/out" --epochs
expect_err 2 "init model needs --model" "${SYN[@]}" --out "$T/out" --init model
expect_err 2 "float-epochs"      "${SYN[@]}" --out "$T/out" --epochs 3 --float-epochs 3
expect_err 2 "--augment rot6"    "${SYN[@]}" --out "$T/out" --augment rot6

# ---- bad data and models ---------------------------------------------------
expect_err 1 "$T/nope.csv" --data "$T/nope.csv" --out "$T/out" --quiet
printf '1,2,3\n4,5,6\n' >"$T/short.csv"
expect_err 1 "short.csv:1" --data "$T/short.csv" --out "$T/out" --quiet
awk 'BEGIN { srand(3); for (r = 0; r < 300; r++) { s = ""; for (c = 0; c < 48; c++)
     s = s (c ? "," : "") int(rand() < 0.3 ? rand() * 3000 : 0); print s } }' >"$T/good.csv"
sed '5s/^[0-9]*/x7/' "$T/good.csv" >"$T/badnum.csv"
expect_err 1 "badnum.csv:5" --data "$T/badnum.csv" --out "$T/out" --quiet
sed '9s/$/,12/' "$T/good.csv" >"$T/badcols.csv"
expect_err 1 "badcols.csv:9" --data "$T/badcols.csv" --out "$T/out" --quiet
echo '{"format": "rad4ml-model", "version": 1, "name": "x"' >"$T/broken.json"
expect_err 1 "broken.json" --model "$T/broken.json" "${SYN[@]}" --out "$T/out"
expect_err 1 "cannot\|denied\|No such\|not a directory\|Not a directory" \
    "${SYN[@]}" --epochs 1 --no-table --out /proc/rad4ml-no/such/dir/m

# ---- short runs -------------------------------------------------------------
if "$R" train --data synthetic --synthetic-n 800 --epochs 4 --batch 64 --seed 3 \
        --out "$T/syn" --quiet >"$T/syn.log" 2>&1; then
    first=$(sed -n 's/.*train loss \([0-9.e+-]*\) -> \([0-9.e+-]*\).*/\1/p' "$T/syn.log")
    last=$(sed -n 's/.*train loss \([0-9.e+-]*\) -> \([0-9.e+-]*\).*/\2/p' "$T/syn.log")
    if awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a) }'; then
        ok "synthetic run: train loss $first -> $last"
    else bad "synthetic run: loss did not decrease ($first -> $last)"; fi
    for f in syn.json syn.weights syn.i2c.hex; do
        [ -s "$T/$f" ] || bad "synthetic run: $f missing"
    done
    lines=$(grep -vc '^//' "$T/syn.i2c.hex")
    widths=$(grep -v '^//' "$T/syn.i2c.hex" | awk '{ print length($1) }' | sort -u)
    [ "$lines" -ge 12 ] && [ "$widths" = "268" ] && ok "i2c image: 12 words of 268 hex digits" \
        || bad "i2c image: $lines lines, widths '$widths'"
    "$R" image verify "$T/syn.i2c.hex" --weights "$T/syn.weights" --model "$T/syn.json" \
        >/dev/null 2>"$T/iv.err" && ok "i2c image verifies against the written weights" \
        || bad "image verify: $(cat "$T/iv.err")"
    grep -q "rad4ml-provenance command: train" "$T/syn.weights" \
        && grep -q '"provenance": {"kind":"model"' "$T/syn.json" \
        && ok "weights and model carry the provenance block" || bad "no provenance in syn.*"
    grep -q "autoencoder (9-bit latents)" "$T/syn.log" && ok "EMD table printed" \
        || bad "no EMD table: $(cat "$T/syn.log")"
    # the written model loads again and evaluates
    "$R" train --eval-only --model "$T/syn.json" --data synthetic --synthetic-n 400 \
        >"$T/ev.log" 2>&1 && ok "trained model reloads (eval-only)" \
        || bad "reload: $(cat "$T/ev.log")"
else
    bad "synthetic run: $(cat "$T/syn.log")"
fi

# the transport (Sinkhorn) loss: trains, loss falls, the table is printed
if "$R" train --data synthetic --synthetic-n 400 --epochs 3 --batch 32 --seed 5 --loss sinkhorn \
        --out "$T/ot" >"$T/ot.log" 2>&1; then
    first=$(sed -n 's/.*train loss \([0-9.e+-]*\) -> \([0-9.e+-]*\).*/\1/p' "$T/ot.log")
    last=$(sed -n 's/.*train loss \([0-9.e+-]*\) -> \([0-9.e+-]*\).*/\2/p' "$T/ot.log")
    if awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a && b > 0) }' \
       && grep -q "sinkhorn loss" "$T/ot.log" && [ -s "$T/ot.weights" ]; then
        ok "sinkhorn loss: train loss $first -> $last"
    else bad "sinkhorn run: $(cat "$T/ot.log")"; fi
else bad "sinkhorn run: $(cat "$T/ot.log")"; fi

# user CSV of 48 charges, weighted MSE, 2 links, fault-aware
if "$R" train --data "$T/good.csv" --loss wmse --links 2 --seu-rate 0.001 --epochs 2 \
        --out "$T/csv" --quiet >"$T/csv.log" 2>&1 && grep -q "3-bit latents" "$T/csv.log"; then
    ok "user CSV, wmse, 2 links, --seu-rate"
else bad "user CSV run: $(cat "$T/csv.log")"; fi

# shared data, 4x4x3 model, with the bit-exactness check over every crossing loaded
if "$R" train --model model/examples/econt_443.json --limit 2000 --epochs 1 --loss mse \
        --check-exact --no-table --out "$T/x443" --quiet >"$T/x.log" 2>&1 \
   && grep -q "check-exact: 0 mismatches in 2000 crossings" "$T/x.log"; then
    ok "$(grep check-exact "$T/x.log")"
else bad "check-exact run: $(cat "$T/x.log")"; fi

# conditioned decoder (issue 25): trains on the shared data with the
# forward pass checked bit for bit; the written model declares its
# conditions, eval reads them and states the decoder's cost; the weights do
# not fit the unconditioned description (a named count, no output)
if "$R" train --model model/examples/econt_cae8.json --limit 1000 --epochs 1 --links 3 \
        --check-exact --no-table --out "$T/cae" --quiet >"$T/cae.log" 2>&1 \
   && grep -q "check-exact: 0 mismatches in 1000 crossings" "$T/cae.log" \
   && grep -q '"condition": \[{"input": "log_sum"' "$T/cae.json" \
   && "$R" eval --model "$T/cae.json" --max 100 --json "$T/cae_ev.json" >"$T/cae_ev.log" 2>&1 \
   && python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["algorithms"][0]; d=a["decoder"]
assert d["conditions"] == "log_sum+n_links" and d["params"] == 3089 and d["macs"] == 16128, d' "$T/cae_ev.json"; then
    ok "conditioned decoder: $(grep check-exact "$T/cae.log"), eval decoder 3089 parameters"
else bad "conditioned run: $(cat "$T/cae.log" "$T/cae_ev.log" 2>/dev/null)"; fi
if "$R" eval --model model/econt.json --weights "$T/cae.weights" --max 10 >"$T/cae_bad.log" 2>&1; then
    bad "unconditioned description accepted conditioned weights"
elif grep -q "decoder dec_dense w.*2048" "$T/cae_bad.log"; then
    ok "conditioned weights refused by the unconditioned description: $(head -n1 "$T/cae_bad.log")"
else bad "conditioned weights vs plain description: $(cat "$T/cae_bad.log")"; fi

# a decoder whose output is all zero (last bias -100 behind the ReLU) has no
# defined EMD: it beats nothing (it used to be reported as beating everything)
mkdir -p "$T/dead" && cp model/econt.json "$T/dead/d.json"
awk 'p { print "-100"; p = 0; next } /^decoder dec_convt2 b 1 float/ { p = 1 } { print }' \
    model/econt.weights > "$T/dead/d.weights"
if "$R" train --eval-only --model "$T/dead/d.json" --require-beat >"$T/dead.log" 2>&1; then
    bad "dead decoder passed --require-beat: $(cat "$T/dead.log")"
elif grep -q "autoencoder does NOT beat" "$T/dead.log"; then
    ok "dead decoder (no defined EMD) does not beat: exit 1"
else bad "dead decoder: $(cat "$T/dead.log")"; fi

# symmetry augmentation: 3x the training crossings (not validation/held out)
if "$R" train --data synthetic --synthetic-n 400 --epochs 1 --augment rot3 --no-table \
        --out "$T/aug" >"$T/aug.log" 2>&1 \
   && grep -q "training .*: 810 crossings with rotations (30 validation, 100 held out)" "$T/aug.log"; then
    ok "--augment rot3: $(grep -o '810 crossings.*held out)' "$T/aug.log")"
else bad "--augment rot3: $(cat "$T/aug.log")"; fi

# a description alone (no weights file beside it) trains from scratch; eval
# needs the weights and names the missing file
mkdir -p "$T/desc" && cp model/econt.json "$T/desc/only.json"
if "$R" train --model "$T/desc/only.json" "${SYN[@]}" --epochs 1 --no-table \
        --out "$T/desc/t" >"$T/d.log" 2>&1 && [ -s "$T/desc/t.weights" ]; then
    ok "model description without weights trains from scratch"
else bad "description-only run: $(cat "$T/d.log")"; fi
expect_err 1 "only.weights" --model "$T/desc/only.json" "${SYN[@]}" --eval-only

exit $fail
