#!/usr/bin/env bash
# synth_noshare.sh — flow_hier.ys leaves Yosys' `share` pass out (-noshare;
# on the SECDED register file of the default design it is the slowest pass
# before ABC and shares nothing).  This checks the claim it rests on: on the
# generated designs (model/examples/tiny.json, none / tmr / secded) every
# module's netlist before ABC is byte-identical with and without `share`,
# so the figures are the same.  Negative control: on the hand-written
# fixture (synth/testdata/tiny.v, read whole) `share` does remove cells,
# and the same comparison must see the difference.  Also small48's SECDED
# register file flattened, where `share` has candidates and shares none.
# < 30 s.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d /tmp/synth_noshare.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# pre_abc OUT SHARE_FLAG FILE TOP: `synth -noabc` up to its check label.
pre_abc() {
    yosys -q -p "read_verilog -sv $3; hierarchy -check -top $4; \
        synth -noabc $2 -run :check; write_json $1" > /dev/null
}

$R synth --model model/examples/tiny.json --protect none,tmr,secded --work "$T/g" \
    --json "$T/g.json" > /dev/null 2>&1 || fail "rad4ml synth failed"
n=0 ncfg=0
for v in "$T"/g/cache/mod_*.v; do
    top=$(awk '/^module /{sub(/\(.*/, "", $2); print $2; exit}' "$v")
    pre_abc "$T/a.json" "" "$v" "$top"
    pre_abc "$T/b.json" -noshare "$v" "$top"
    cmp -s "$T/a.json" "$T/b.json" || fail "$top ($v): share changed the netlist"
    n=$((n + 1))
    case "$top" in *_cfg) ncfg=$((ncfg + 1));; esac
done
[ "$n" -ge 6 ] && [ "$ncfg" = 3 ] || fail "$n module files ($ncfg register files) checked"
echo "synth_noshare: $n generated modules ($ncfg register files: none/tmr/secded): identical with and without share"

# small48's SECDED register file, flattened (its codeword decoders are
# submodules, one syndrome shifter each; flattened, all of them sit in one
# module, as before the split and as in `synth --flat`): share has
# candidates there, analyses them, shares none: netlist unchanged.
$R gen --model synth/testdata/small48.json --weights synth/testdata/small48.weights \
    --protect secded --out "$T/s48" > /dev/null || fail "gen small48 secded"
flat() {
    yosys -q -p "read_verilog -sv $T/s48/rad4ml_ae_cfg.v; hierarchy -check -top rad4ml_ae_cfg; \
        flatten; synth -noabc $2 -run :check; write_json $1" > /dev/null
}
flat "$T/a.json" ""
flat "$T/b.json" -noshare
cmp -s "$T/a.json" "$T/b.json" || fail "small48 secded cfg: share changed the netlist"
yosys -p "read_verilog -sv $T/s48/rad4ml_ae_cfg.v; hierarchy -top rad4ml_ae_cfg; flatten; \
    synth -noabc -run :check" 2>&1 | grep -q 'may be considered for resource sharing' \
    || fail "small48 secded cfg: no share candidates (the check would be empty)"
echo "synth_noshare: small48 SECDED cfg, flattened: share analyses its shifters, netlist identical"

pre_abc "$T/a.json" "" synth/testdata/tiny.v tiny_top
pre_abc "$T/b.json" -noshare synth/testdata/tiny.v tiny_top
if cmp -s "$T/a.json" "$T/b.json"; then
    fail "negative control: share changed nothing on the fixture"
fi
echo "synth_noshare: negative control: share changes the hand-written fixture, detected"
