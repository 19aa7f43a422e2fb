#!/usr/bin/env bash
# engine_run.sh — `rad4ml run` and `rad4ml diff` (engine/eng_vec.h):
#  * run on the 8,000 real crossings agrees, row by row, with the expected
#    file that sim's engine (sim_stim, via gen --testbench --vectors) makes
#    for the same crossings, and with diff --in (0 mismatches of 8,000);
#    the same for a random model on random charges;
#  * --trace: every tensor file, and diff --trace names the corrupted layer;
#  * stdin/stdout ('-') give the same bytes; tensor inputs give the same
#    latents as the charges they came from;
#  * bad inputs: file:line:column error, exit 1, no output file.
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/test_engine_run
rm -rf "$W"; mkdir -p "$W"
DATA=data/samples/hgcal_ld_module_eportrx.csv
fail() { echo "FAIL: $*"; exit 1; }

# --- run vs sim's engine, default model, every row
"$RAD4ML" run --in "$DATA" --out "$W/out.csv"
[ "$(grep -vc '^#' "$W/out.csv")" -eq 8001 ] || fail "run: expected 8,001 lines after the provenance block"
"$RAD4ML" gen --what rtl --out "$W/rtl" --testbench --vectors "$DATA" > /dev/null
"$RAD4ML" diff --ref "$W/rtl/rad4ml_ae_expected.hex" --got "$W/out.csv" | tee "$W/d1.log"
grep -q "compared=8000 mismatches=0" "$W/d1.log" || fail "run vs sim_stim expectations"
"$RAD4ML" diff --in "$DATA" --got "$W/out.csv" | grep -q "compared=8000 mismatches=0"

# negative control: one latent changed -> diff exits 1 and names row and field
awk -F, 'BEGIN{OFS=","} /^#/{print; next} {n++} n==1235{$5=$5+1} {print}' "$W/out.csv" > "$W/bad.csv"
if "$RAD4ML" diff --in "$DATA" --got "$W/bad.csv" > "$W/d2.log"; then fail "diff missed a change"; fi
cat "$W/d2.log"
grep -q "row 1233: field latent\[2\]" "$W/d2.log" || fail "diff: wrong row/field"
grep -q "compared=8000 mismatches=1 " "$W/d2.log" || fail "diff: wrong count"

# --- trace: run with --trace, corrupt layer 'conv' of row 1233 (and the
# output), diff --trace names tensor t02 (the conv layer)
"$RAD4ML" run --in "$DATA" --out "$W/out_t.csv" --trace "$W/trace" --decode
cmp <(grep -v '^#' "$W/out_t.csv" | cut -d, -f1-35 | tail -n +2) <(grep -v '^#' "$W/out.csv" | tail -n +2) || fail "trace run differs from fast run"
ls "$W/trace" | tee "$W/tl.log"
[ "$(ls "$W/trace" | wc -l)" -eq 5 ] || fail "5 tensor files expected"
head -1 "$W/trace/t02_conv.csv" | grep -q "format fixed<\|format ufixed<" || fail "trace header"
cp -r "$W/trace" "$W/theirs"
awk -F, 'BEGIN{OFS=","} $1=="1233"{$8=$8+1} {print}' "$W/trace/t02_conv.csv" > "$W/theirs/t02_conv.csv"
awk -F, 'BEGIN{OFS=","} $1=="1233"{$8=$8+1} {print}' "$W/trace/t03_flatten.csv" > "$W/theirs/t03_flatten.csv"
if "$RAD4ML" diff --in "$DATA" --got "$W/bad.csv" --trace "$W/theirs" > "$W/d3.log"; then fail "diff --trace"; fi
cat "$W/d3.log"
grep -q "first differing tensor on row 1233: .*t02_conv.csv (output of layer 'conv')" "$W/d3.log" \
    || fail "diff --trace did not name the conv layer"

# --- stdin / stdout
"$RAD4ML" run --in - --out - < "$DATA" 2> /dev/null | grep -v '^#' | cmp - <(grep -v '^#' "$W/out.csv") \
    || fail "stdin/stdout"
# the output's provenance block: command run, the input file by hash, no date
sha=$(sha256sum "$DATA" | cut -d' ' -f1)
grep -q "^# rad4ml-provenance command: run$" "$W/out.csv" && grep -q "^# rad4ml-provenance data: .*sha256:$sha" "$W/out.csv" \
    && ! grep -q "^# rad4ml-provenance date" "$W/out.csv" || fail "run output: provenance block"

# --- tensor input: the converter outputs as values give the same latents
awk -F, 'NR>2 && NR<=1002 {s=""; for(i=2;i<=NF;i++) s=s (i>2?",":"") sprintf("%.10g", $i/128); print s}' \
    "$W/trace/t00_input.csv" > "$W/tensor.txt"
"$RAD4ML" run --in-format tensor --in "$W/tensor.txt" --out "$W/out_tensor.csv"
cmp <(grep -v '^#' "$W/out_tensor.csv" | cut -d, -f3-34 | tail -n +2) <(grep -v '^#' "$W/out.csv" | cut -d, -f3-34 | sed -n 2,1001p) \
    || fail "tensor input latents"

# --- random model on random charges: run == sim's engine
"$RAD4ML" gen --random-model 7 --what rtl --out "$W/rnd" > /dev/null
read -r N B < <(sed -n 's/.*in_q, *\/\/ \([0-9]*\) charges x \([0-9]*\) bits.*/\1 \2/p' "$W/rnd/rad4ml_ae.v")
awk -v n="$N" -v b="$B" 'BEGIN{srand(7); m=2^b-1; for(r=0;r<3000;r++){s="";
    for(i=0;i<n;i++){k=int(rand()*4); v=(k==0?0:k==1?m:int(rand()*2^int(rand()*(b+1)))); if(v>m)v=m;
    s=s (i?",":"") v}; print s}}' > "$W/rnd_in.csv"
"$RAD4ML" gen --random-model 7 --what rtl --out "$W/rnd" --testbench --vectors "$W/rnd_in.csv" > /dev/null
"$RAD4ML" run --random-model 7 --in "$W/rnd_in.csv" --out "$W/rnd_out.csv"
"$RAD4ML" diff --random-model 7 --ref "$W/rnd/rad4ml_ae_expected.hex" --got "$W/rnd_out.csv" \
    | tee "$W/d4.log"
grep -q "compared=3000 mismatches=0" "$W/d4.log" || fail "random model: run vs sim_stim"

# --- bad inputs: message names file:line(:column), exit 1, no output file
bad() {   # name, content, expected message part
    printf '%b' "$2" > "$W/$1.csv"
    rm -f "$W/$1.out"
    if "$RAD4ML" run --in "$W/$1.csv" --out "$W/$1.out" 2> "$W/$1.err"; then
        fail "$1: accepted"; fi
    cat "$W/$1.err"
    grep -q "$W/$1.csv:$3" "$W/$1.err" || fail "$1: message"
    [ ! -e "$W/$1.out" ] || fail "$1: output file left behind"
    ! ls "$W" | grep -q "$1.out.tmp" || fail "$1: temp file left behind"
}
ROW=$(sed -n 2p "$DATA")
bad columns "$ROW\n$ROW, 7\n" "2:13: 13 columns, expected 12"
bad range "$(seq -s, 1 48)\n$(seq -s, 1 47),4194304\n" "2:48: charge 4194304 beyond 22 bits"
bad empty "" " no crossings (empty file)"
bad nonnum "$ROW\n$ROW\n$(echo "$ROW" | sed 's/, [0-9]*/, x3/2')\n" "3:3: not an unsigned decimal"
bad header "$ROW\n$(echo "$ROW" | sed 's/^[0-9]*/268435456/')\n" "2:1: header bits"
printf '0.5,%s\n' "$(seq -s, 1 47 | sed 's/[0-9]*/0.25/g')" > "$W/t_ok.txt"
printf '0.5,%s\n2,%s\n' "$(seq -s, 1 47 | sed 's/[0-9]*/0.25/g')" "$(seq -s, 1 47 | sed 's/[0-9]*/0/g')" > "$W/t_range.txt"
printf '0.001,%s\n' "$(seq -s, 1 47 | sed 's/[0-9]*/0/g')" > "$W/t_grid.txt"
"$RAD4ML" run --in-format tensor --in "$W/t_ok.txt" --out "$W/t_ok.out"
for t in range grid; do
    if "$RAD4ML" run --in-format tensor --in "$W/t_$t.txt" --out "$W/t_$t.out" 2> "$W/t_$t.err"; then
        fail "tensor $t accepted"; fi
    cat "$W/t_$t.err"
    [ ! -e "$W/t_$t.out" ] || fail "tensor $t: output left behind"
done
grep -q "t_range.txt:2:1: 2 is out of the range" "$W/t_range.err" || fail "tensor range message"
grep -q "t_grid.txt:1:1: 0.001 is not on the grid" "$W/t_grid.err" || fail "tensor grid message"
echo "engine_run: all checks passed"
