#!/usr/bin/env bash
# synth_liberty.sh — `rad4ml synth --liberty`: the generic netlists mapped
# onto a real standard-cell library (Debian's qflow-tech-osu018), < 1 minute.
#  * fixture (synth/testdata/tiny.v): the instance-scaled library area equals
#    (to 0.1 %) Yosys' own hierarchical `stat -liberty -top` of the fixture
#    mapped in one run with the template's steps (full adders onto FAX1
#    included), the flip-flop count equals the generic one, the OpenSTA
#    critical path equals OpenSTA's on the per-module netlists merged; a
#    rerun reads every module's report from the cache;
#  * generated design (model/examples/tiny.json), none then tmr: only the
#    <top>_cfg module is mapped again, and TMR about triples its flops;
#  * gate-level: the booth design's mapped netlists (FAX1 full adders) with
#    the library's Verilog cell models equal the C reference in Icarus; a
#    FAX1 with sum and carry swapped must not;
#  * bad libraries (missing, not liberty, unclosed group, no NAND2 cell,
#    bad area): a message naming the file (and line), exit 1, no JSON.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d /tmp/synth_liberty.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
jget() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }
LIB=/usr/share/qflow/tech/osu018/osu018_stdcells.lib
[ -s "$LIB" ] || fail "$LIB missing (make deps installs qflow-tech-osu018)"

# --- fixture ---
$R synth --rtl synth/testdata --top tiny_top --work "$T/w" --liberty osu018 \
    --json "$T/a.json" > "$T/a.txt"
cat "$T/a.txt"
grep -q "mapped onto osu018_stdcells" "$T/a.txt" || fail "no library table"
area=$(jget "$T/a.json" "d['configs'][0]['liberty']['cell_area_um2']")
lff=$(jget "$T/a.json" "d['configs'][0]['liberty']['flipflops']")
gff=$(jget "$T/a.json" "d['configs'][0]['flipflops']")
net=$(jget "$T/a.json" "d['configs'][0]['netlist']")
# the template's own ABC command (delay target 25 ns = the default period)
abc_cmd=$(grep '^abc ' synth/flow_liberty.ys | sed "s|{{liberty}}|$LIB|g; s|{{delay_ps}}|25000|g")
case "$abc_cmd" in *buffer*) ;; *) fail "no buffering ABC command in flow_liberty.ys";; esac
# the template's per-module steps, on the whole fixture in one run: coarse
# synthesis, full adders onto FAX1, flops, ABC
for step in 'synth -noabc -noshare -run :check' 'extract_fa -fa' 'techmap -map {{fa_map}}'; do
    grep -qxF "$step" synth/flow_liberty.ys || fail "flow_liberty.ys lacks '$step'"
done
yosys -q -p "read_verilog -sv synth/testdata/tiny.v; hierarchy -check -top tiny_top; \
    synth -noabc -noshare -run :check; read_liberty -lib $LIB; extract_fa -fa; \
    techmap -map synth/fa_liberty.v; dfflibmap -liberty $LIB; \
    $abc_cmd ; opt_clean -purge; tee -q -o $T/stat.txt stat -liberty $LIB -top tiny_top" >/dev/null
nfa=$(grep -h ' FAX1 ' "$T"/w/cache/lib_*.txt | awk '{ n += $2 } END { print n + 0 }')
[ "$nfa" -gt 0 ] || fail "no FAX1 full adder in the fixture's mapped modules"
echo "fixture: $nfa FAX1 full adders over its distinct modules"
yarea=$(sed -n "s/.*Chip area for top module '.tiny_top': \([0-9.]*\).*/\1/p" "$T/stat.txt")
echo "library area: rad4ml $area um^2, yosys hierarchical stat $yarea um^2; flops $lff (generic $gff)"
# within 0.1 %: ABC's result depends a little on the netlist's order, which
# differs between a module read alone (with its submodules' stubs) and the
# whole fixture (16-32 um^2 on a neuron); a wrong instance count or a module
# left out moves the sum by 2 % or more
python3 -c "import sys; a, b = float('$area'), float('$yarea'); sys.exit(0 if a > 0 and abs(a - b) <= 1e-3 * b else 1)" \
    || fail "instance-scaled area $area != yosys $yarea (0.1 %)"
[ "$lff" = "$gff" ] || fail "library flops $lff != generic flops $gff"
$R synth --rtl synth/testdata --top tiny_top --work "$T/w" --liberty osu018 \
    --json "$T/b.json" > /dev/null
[ "$(jget "$T/b.json" "d['configs'][0]['liberty']['cached']")" = True ] || fail "rerun not cached"
[ "$(jget "$T/b.json" "d['configs'][0]['liberty']['cell_area_um2']")" = "$area" ] \
    || fail "cached area differs"
# static timing: rad4ml's run over the per-module netlists gives the path
# OpenSTA finds on those netlists merged into one file (the cache holds the
# fixture's only), and path + slack = the clock period
cat "$T"/w/cache/lib_*.v > "$T/one.v"
cat > "$T/one.tcl" <<STA
read_liberty $LIB
read_verilog $T/one.v
link_design tiny_top
create_clock -name clk -period 25 [get_ports clk]
set_input_delay 0 -clock clk [delete_from_list [all_inputs] [get_ports clk]]
set_output_delay 0 -clock clk [all_outputs]
report_checks -path_delay max -digits 3
STA
sta -no_init -no_splash -exit "$T/one.tcl" > "$T/one.sta" 2>&1
opath=$(awk '/data arrival time/ { print $1; exit }' "$T/one.sta")
path=$(jget "$T/a.json" "'%.3f' % d['configs'][0]['liberty']['timing']['critical_path_ns']")
slack=$(jget "$T/a.json" "'%.3f' % d['configs'][0]['liberty']['timing']['slack_ns']")
echo "critical path: rad4ml $path ns (slack $slack), OpenSTA on the merged netlist $opath ns"
[ -n "$opath" ] && [ "$path" = "$opath" ] || fail "critical path $path != $opath"
python3 -c "import sys; sys.exit(0 if 0 < float('$path') < 25 and abs(float('$path') + float('$slack') - 25) < 0.5 else 1)" \
    || fail "path $path + slack $slack inconsistent with a 25 ns clock"
echo "ok fixture: area equals yosys' own (0.1 %), flops equal, timing equals OpenSTA's, cached rerun"

# --- generated design: protections share every module but the cfg (and its voter) ---
$R synth --model model/examples/tiny.json --protect none --work "$T/g" --liberty osu018 \
    --json "$T/n.json" > /dev/null
$R synth --model model/examples/tiny.json --protect tmr --work "$T/g" --liberty osu018 \
    --json "$T/t.json" > /dev/null
runs=$(jget "$T/t.json" "d['configs'][0]['liberty']['yosys_runs']")
fn=$(jget "$T/n.json" "d['configs'][0]['liberty']['flipflops']")
ft=$(jget "$T/t.json" "d['configs'][0]['liberty']['flipflops']")
echo "tmr after none: $runs Yosys mapping run(s); flops none $fn, tmr $ft"
# the TMR register file is two modules: <top>_cfg and its per-word voter <top>_cfg_vote
[ "$runs" = 2 ] || fail "tmr re-mapped $runs modules, expected only the cfg and its voter"
[ "$ft" -gt $((fn * 3 / 2)) ] || fail "tmr flops $ft not well above none $fn"

# --- gate-level simulation: the mapped netlists (FAX1 full adders
# included) of the generated booth design, with the library's own Verilog
# cell models, against the C reference (Icarus); negative control: one
# FAX1's sum and carry swapped must mismatch ---
CELLS=/usr/share/qflow/tech/osu018/osu018_stdcells.v
[ -s "$CELLS" ] || fail "$CELLS missing"
$R synth --model model/examples/tiny.json --protect none --arith booth --work "$T/f" \
    --liberty osu018 --json "$T/f.json" > /dev/null
nfa=$(grep -h ' FAX1 ' "$T"/f/cache/lib_*.txt | awk '{ n += $2 } END { print n + 0 }')
[ "$nfa" -gt 0 ] || fail "no FAX1 in the mapped booth design"
gate_dir() {   # DIR: the mapped design as an RTL directory for rad4ml sim --rtl
    local rtl="$T/f/rtl/none_p1_booth"
    mkdir -p "$1"
    { awk '/^\/\//{ print; next } { exit }' "$rtl/rad4ml_ae.v"   # provenance header
      cat "$T"/f/cache/lib_*.v "$CELLS"; } > "$1/rad4ml_ae.v"
    awk '/^\/\//{ print; next } { exit }' "$rtl/rad4ml_ae_cfg.v" > "$1/rad4ml_ae_cfg.v"
}
gate_dir "$T/gl"
$R sim --model model/examples/tiny.json --rtl "$T/gl" --only icarus --icarus-vectors 300 \
    --workdir "$T/gls" > "$T/gl.out" || { cat "$T/gl.out"; fail "gate-level simulation"; }
grep -q "mismatches 0" "$T/gl.out" || fail "gate-level simulation compared nothing"
echo "ok gate-level: booth design with $nfa FAX1 cells (distinct modules), $(grep -o 'compared [0-9]* mismatches 0' "$T/gl.out")"
mkdir -p "$T/gb"
cp "$T/gl/rad4ml_ae_cfg.v" "$T/gb/"
awk '!d && /\.YC\(/ { sub(/\.YC\(/, ".YS_("); c = 1 }
     c && !d && /\.YS\(/ { sub(/\.YS\(/, ".YC("); d = 1 } { print }' "$T/gl/rad4ml_ae.v" \
    | sed 's/\.YS_(/.YS(/' > "$T/gb/rad4ml_ae.v"
cmp -s "$T/gl/rad4ml_ae.v" "$T/gb/rad4ml_ae.v" && fail "negative control not applied"
if $R sim --model model/examples/tiny.json --rtl "$T/gb" --only icarus --icarus-vectors 300 \
        --workdir "$T/gls" > "$T/gb.out"; then
    fail "a FAX1 with sum and carry swapped passed the gate-level simulation"
fi
echo "ok negative control: swapped FAX1 -> $(grep -o 'mismatches [1-9][0-9]*' "$T/gb.out" | head -1)"

# --- bad libraries ---
bad_lib() {   # name pattern : file content -> error naming the file
    local name=$1 pat=$2
    rm -f "$T/x.json"
    if $R synth --rtl synth/testdata --top tiny_top --work "$T/w" --liberty "$T/$name" \
            --json "$T/x.json" > "$T/x.out" 2> "$T/x.err"; then
        fail "$name accepted"
    fi
    grep -q -- "$pat" "$T/x.err" || fail "$name: message lacks '$pat': $(cat "$T/x.err")"
    [ ! -e "$T/x.json" ] || fail "$name: JSON written"
    echo "ok $name -> $(head -n1 "$T/x.err")"
}
bad_lib missing.lib "missing.lib"
printf 'cell (X) { area : 1; }\n' > "$T/nolib.lib"
bad_lib nolib.lib "nolib.lib: no library"
printf 'library (l) {\n  cell (NAND2X1) {\n    area : 4;\n' > "$T/open.lib"
bad_lib open.lib "open.lib:2: group not closed"
printf 'library (l) {\n  cell (INVX1) { area : 2; }\n}\n' > "$T/nonand.lib"
bad_lib nonand.lib "nonand.lib: no NAND2 cell"
printf 'library (l) {\n  cell (NAND2X1) {\n    area : big;\n  }\n}\n' > "$T/area.lib"
bad_lib area.lib "area.lib:3: area"
# a failing timing tool is reported, no JSON
rm -f "$T/x.json"
if RAD4ML_STA=false $R synth --rtl synth/testdata --top tiny_top --work "$T/w" --liberty osu018 \
        --period 20 --json "$T/x.json" > /dev/null 2> "$T/x.err"; then
    fail "a failing OpenSTA was accepted"
fi
grep -q "OpenSTA (false) failed" "$T/x.err" || fail "no OpenSTA message: $(cat "$T/x.err")"
[ ! -e "$T/x.json" ] || fail "JSON written after OpenSTA failed"
echo "ok failing OpenSTA -> $(grep OpenSTA "$T/x.err")"
echo "synth_liberty: all passed"
