#!/usr/bin/env bash
# codegen_rtl.sh — the generated RTL: rtl_out/ is exactly what the generator
# makes today (deterministic), it is lint-clean (verilator -Wall) in every
# weights mode and pipeline depth, Icarus (-g2005) accepts it, Yosys
# synthesizes a small model, the HLS C compiles cleanly with gcc, and bad
# options fail with a message and no output.
set -eu
RAD4ML=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. reference design regenerates byte for byte (twice: determinism).  The
#    provenance line with the source revision ("rad4ml-provenance rad4ml:")
#    is the one line allowed to differ from the committed rtl_out/ (it
#    changes with every commit); everything else, model and weights hashes
#    included, must match.
"$RAD4ML" gen --top econt_ae --out "$T/ref" --what rtl,hls >/dev/null
"$RAD4ML" gen --top econt_ae --out "$T/ref2" --what rtl,hls >/dev/null
diff -r "$T/ref" "$T/ref2" >/dev/null || fail "two runs of gen differ"
diff -r -I '^\( \*\|//\) rad4ml-provenance rad4ml: ' rtl_out "$T/ref" \
    || fail "rtl_out/ differs from the generator output (run: rad4ml gen --top econt_ae --out rtl_out --what rtl,hls)"
for f in rtl_out/*; do
    grep -q "rad4ml-provenance model: built-in sha256:$(sha256sum model/econt.json | cut -c1-64)" "$f" \
        || fail "$f: no provenance line with the built-in model's SHA-256"
done
echo "rtl_out: identical to a fresh generation"

# 1b. the weight image is a $readmemh file (comments as //): Icarus reads
#     it back word for word
"$RAD4ML" gen --out "$T/img" --what image >/dev/null
n=$(grep -vc '^//' "$T/img/rad4ml_ae_weights.hex")
cat > "$T/img/tb.v" <<TB
module tb;
    reg [31:0] mem [0:$((n - 1))];
    integer i;
    initial begin
        \$readmemh("$T/img/rad4ml_ae_weights.hex", mem);
        for (i = 0; i < $n; i = i + 1) \$display("%08x", mem[i]);
    end
endmodule
TB
iverilog -g2005 -o "$T/img/a.out" "$T/img/tb.v" || fail "readmemh testbench"
vvp -n "$T/img/a.out" > "$T/img/back.txt"
grep -v '^//' "$T/img/rad4ml_ae_weights.hex" | diff - "$T/img/back.txt" > /dev/null \
    || fail "\$readmemh does not read the weight image back"
echo "weight image: $n words, read back by \$readmemh"

# 2. lint / Icarus on ECON-T in both weight modes, pipeline 0 and 4
for mode in reg const; do
    for p in 0 4; do
        d="$T/e_${mode}_$p"
        "$RAD4ML" gen --top econt_ae --out "$d" --weights-mode $mode --pipeline $p --what rtl >/dev/null
        verilator --lint-only -Wall --top-module econt_ae "$d/econt_ae.v" "$d/econt_ae_cfg.v" \
            || fail "verilator lint, weights $mode, pipeline $p"
        iverilog -g2005 -o "$d/a.out" "$d/econt_ae.v" "$d/econt_ae_cfg.v" \
            || fail "iverilog, weights $mode, pipeline $p"
        echo "econt weights=$mode pipeline=$p: verilator -Wall clean, iverilog -g2005 ok"
    done
done

# 3. random models (all rounding / overflow modes): lint, HLS C with -Werror
for s in 1 2 3 4 5 6; do
    d="$T/r$s"
    mode=$([ $((s % 2)) -eq 0 ] && echo const || echo reg)
    "$RAD4ML" gen --random-model $s --out "$d" --weights-mode $mode --pipeline $((s % 4)) >/dev/null
    verilator --lint-only -Wall --top-module rad4ml_ae "$d/rad4ml_ae.v" "$d/rad4ml_ae_cfg.v" \
        || fail "verilator lint, random model $s"
    cc -std=c11 -Wall -Wextra -Werror -Wno-unknown-pragmas -c "$d/rad4ml_ae_hls.c" -o "$d/h.o" \
        || fail "HLS C of random model $s"
done
echo "random models 1-6: verilator -Wall clean, HLS C compiles with -Wall -Wextra -Werror"

# 3b. no identity stages: plain aliases (`wire [..] a = b;`) stay under 5 % of
#     the wire declarations (0 today) in the reference design and the random
#     models; the HLS template labels every loop
aliases() {
    local f=$1 w a
    w=$(grep -cE '^\s*wire\b' "$f")
    a=$(grep -cE '^\s*wire\s*(\[[^]]*\])?\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*[A-Za-z_][A-Za-z0-9_]*\s*;' "$f" || true)
    [ $((a * 20)) -lt "$w" ] || fail "$f: $a of $w wires are plain aliases (>= 5 %)"
    echo "$a of $w"
}
echo "aliases: rtl_out/econt_ae.v $(aliases rtl_out/econt_ae.v) wires;" \
     "random models $(for s in 1 2 3 4 5 6; do aliases "$T/r$s/rad4ml_ae.v"; done | tr '\n' ' ')"
loops=$(grep -c 'for (' hls_templates/hls.c.tpl)
labels=$(grep -cE '^[A-Za-z_{}]+:$' hls_templates/hls.c.tpl)
[ "$loops" -eq "$labels" ] || fail "hls.c.tpl: $loops loops, $labels labels"
echo "hls.c.tpl: all $loops loops labelled"

# 4. Yosys synthesizes a small model (hierarchy kept: one neuron module per tap count)
d="$T/r1"
yosys -p "read_verilog $d/rad4ml_ae.v $d/rad4ml_ae_cfg.v; synth -top rad4ml_ae; stat" \
    > "$T/yosys.log" 2>&1 || { tail -20 "$T/yosys.log"; fail "yosys synth"; }
grep -q "Number of cells" "$T/yosys.log" || fail "yosys printed no statistics"
echo "yosys: synth -top rad4ml_ae ok ($(grep -m1 'Number of cells' "$T/yosys.log" | tr -s ' '))"

# 5. bad input: clear error, exit != 0, no files
if "$RAD4ML" gen --out "$T/bad" --pipeline 999 2>"$T/err"; then fail "pipeline 999 accepted"; fi
if "$RAD4ML" gen --out "$T/bad" --pipeline 60 2>"$T/err"; then fail "pipeline 60 accepted on ECON-T"; fi
grep -q "pipeline depth" "$T/err" || fail "no reason given for a too deep pipeline: $(cat "$T/err")"
if "$RAD4ML" gen --out "$T/bad" --protect tmr --weights-mode const 2>"$T/err"; then
    fail "protected constant weights accepted"; fi
grep -q -- "--weights-mode reg" "$T/err" || fail "no reason given for --protect with const weights"
if "$RAD4ML" gen --out "$T/bad" --protect qmr 2>"$T/err"; then fail "unknown protection accepted"; fi
if "$RAD4ML" gen --out "$T/bad" --model /nonexistent.json 2>"$T/err"; then fail "missing model accepted"; fi
[ ! -e "$T/bad/rad4ml_ae.v" ] || fail "a failed gen left output behind"
echo "bad options: rejected with a message, no output"
