#!/usr/bin/env bash
# codegen_testbench.sh — the testbench of `rad4ml gen --testbench` in Icarus
# and in Verilator --binary, default ECON-T and a random model, with the
# user's vectors (and the built-in schedule with a weight reload in Icarus):
# mismatches=0 and exit 0; a corrupted expected file must fail ($fatal,
# non-zero exit) naming the corrupted crossing and field; the +dump file
# compared by `rad4ml diff` with the reference gives 0 mismatches.
# The Verilator binary does not depend on the vectors (read at run time):
# it is cached under a hash of the Verilog in $RAD4ML_BUILD/tb_cache.
set -eu -o pipefail
RAD4ML=${RAD4ML:-build/bin/rad4ml}
B=$(cd "${RAD4ML_BUILD:-build}" && pwd)
W=$B/test_testbench
rm -rf "$W"; mkdir -p "$W" "$B/tb_cache"
DATA=data/samples/hgcal_ld_module_eportrx.csv
fail() { echo "FAIL: $*"; exit 1; }

icarus() {   # dir -> runs the testbench, output in dir/icarus.log, status returned
    (cd "$1" && iverilog -g2005 -o tb.vvp rad4ml_ae_tb.v rad4ml_ae.v rad4ml_ae_cfg.v &&
     vvp -n tb.vvp "${@:2}") > "$1/icarus.log" 2>&1
}
verilator_bin() {   # dir -> path of the cached Verilator --binary testbench
    local h; h=$(cat "$1"/rad4ml_ae_tb.v "$1"/rad4ml_ae.v "$1"/rad4ml_ae_cfg.v | sha256sum | cut -c1-16)
    local d=$B/tb_cache/vl_$h
    if [ ! -x "$d/Vrad4ml_ae_tb" ]; then
        rm -rf "$d.tmp"
        nice verilator --binary -j 2 -Wno-fatal --x-assign fast --x-initial fast -O0 -CFLAGS -O0 \
            --top-module rad4ml_ae_tb -Mdir "$d.tmp" "$1"/rad4ml_ae_tb.v "$1"/rad4ml_ae.v \
            "$1"/rad4ml_ae_cfg.v > "$B/tb_cache/vl_$h.log" 2>&1 || { tail "$B/tb_cache/vl_$h.log"; return 1; }
        rm -rf "$d"; mv "$d.tmp" "$d"
    fi
    echo "$d/Vrad4ml_ae_tb"
}
verilator() {   # dir -> runs the cached binary in dir, output in dir/verilator.log
    local bin; bin=$(verilator_bin "$1") || return 1
    (cd "$1" && "$bin" "${@:2}") > "$1/verilator.log" 2>&1
}
pass_both() {   # dir, label: both simulators pass with mismatches=0
    icarus "$1" +dump=dump.hex || { cat "$1/icarus.log"; fail "$2: Icarus"; }
    grep "compared=" "$1/icarus.log"
    grep -q "mismatches=0 " "$1/icarus.log" || fail "$2: Icarus mismatches"
    verilator "$1" || { tail "$1/verilator.log"; fail "$2: Verilator"; }
    grep "compared=" "$1/verilator.log"
    grep -q "mismatches=0 " "$1/verilator.log" || fail "$2: Verilator mismatches"
}

# --- default model, the user's vectors (400 real crossings, ePortRX file)
head -401 "$DATA" > "$W/mine.csv"
"$RAD4ML" gen --what rtl --out "$W/def" --testbench --vectors "$W/mine.csv"
pass_both "$W/def" "default, user vectors"
grep -q "compared=400 mismatches=0" "$W/def/icarus.log" || fail "default: 400 compared"
"$RAD4ML" diff --in "$W/mine.csv" --got "$W/def/dump.hex" | tee "$W/diff.log"
grep -q "compared=400 mismatches=0" "$W/diff.log" || fail "diff of the Icarus dump"
# the same from files alone: run's CSV as the reference
"$RAD4ML" run --in "$W/mine.csv" --out "$W/ref.csv"
"$RAD4ML" diff --ref "$W/ref.csv" --got "$W/def/dump.hex" | grep -q "compared=400 mismatches=0" \
    || fail "diff --ref run.csv --got dump.hex"

# --- negative control: crossing 123's latent 5 changed in the expected file
cp "$W/def/rad4ml_ae_expected.hex" "$W/good.hex"
python3 - "$W/def/rad4ml_ae_expected.hex" <<'PY'
import sys
p = sys.argv[1]; lines = open(p).read().split('\n'); out = []
for l in lines:
    f = l.split(' ')
    if len(f) == 5 and f[0] == '123':
        v = int(f[4], 16) ^ (1 << (9 * 5))     # latent 5 (9-bit fields), its LSB
        f[4] = format(v, '0%dx' % len(f[4])); l = ' '.join(f)
    out.append(l)
open(p, 'w').write('\n'.join(out))
PY
cmp -s "$W/good.hex" "$W/def/rad4ml_ae_expected.hex" && fail "corruption did not change the file"
for sim in icarus verilator; do
    if $sim "$W/def"; then fail "$sim passed a corrupted expected file"; fi
    cat "$W/def/$sim.log" | grep -v '^ *$' | head -4
    grep -q "FIRST MISMATCH cycle [0-9]* crossing 123 field latent\[5\]" "$W/def/$sim.log" \
        || fail "$sim: wrong crossing/field named"
    grep -q "compared=400 mismatches=1 " "$W/def/$sim.log" || fail "$sim: count"
done
cp "$W/good.hex" "$W/def/rad4ml_ae_expected.hex"

# --- default model, built-in schedule with the weight reload (Icarus)
"$RAD4ML" gen --what rtl --out "$W/sched" --testbench --tb-crossings 400
icarus "$W/sched" || { cat "$W/sched/icarus.log"; fail "built-in schedule, Icarus"; }
grep "compared=" "$W/sched/icarus.log"
grep -q "mismatches=0 skipped_reconfig=[1-9]" "$W/sched/icarus.log" || fail "built-in schedule"

# --- random model, the user's vectors (random charges), both simulators
"$RAD4ML" gen --random-model 3 --what rtl --out "$W/rnd" > /dev/null
read -r N BITS < <(sed -n 's/.*in_q, *\/\/ \([0-9]*\) charges x \([0-9]*\) bits.*/\1 \2/p' "$W/rnd/rad4ml_ae.v")
awk -v n="$N" -v b="$BITS" 'BEGIN{srand(3); m=2^b-1; for(r=0;r<500;r++){s="";
    for(i=0;i<n;i++){k=int(rand()*4); v=(k==0?0:k==1?m:int(rand()*2^int(rand()*(b+1)))); if(v>m)v=m;
    s=s (i?",":"") v}; print s}}' > "$W/rnd_in.csv"
"$RAD4ML" gen --random-model 3 --what rtl --out "$W/rnd" --testbench --vectors "$W/rnd_in.csv"
pass_both "$W/rnd" "random model, user vectors"
grep -q "compared=500 mismatches=0" "$W/rnd/verilator.log" || fail "random: 500 compared"
"$RAD4ML" diff --random-model 3 --in "$W/rnd_in.csv" --got "$W/rnd/dump.hex" | grep -q "compared=500 mismatches=0"
# --- a vectors file that does not fit the model: file:line:column, nothing written
if "$RAD4ML" gen --what rtl --out "$W/badvec" --testbench --vectors "$W/rnd_in.csv" 2> "$W/badvec.err"; then
    fail "gen accepted vectors of another model"; fi
cat "$W/badvec.err"
grep -q "rnd_in.csv:1:[0-9]*: $N columns, expected 12 (ePortRX words)\|rnd_in.csv:1:[0-9]*: $N columns: expected" "$W/badvec.err" \
    || fail "bad vectors message"
[ -z "$(ls "$W/badvec" 2> /dev/null)" ] || fail "gen left files behind after a vectors error"
echo "codegen_testbench: all checks passed"
