#!/usr/bin/env bash
# synth_small48_regress.sh — `make regress` (about 2-5 minutes cold): the
# per-module flow on the small 48-cell model (synth/testdata/small48.*,
# converter + 8x8 map + conv + dense, the ECON-T structure in miniature):
#  * none / tmr / secded at pipeline 1 synthesize; tmr and secded re-run
#    Yosys on <top>_cfg only (every other module is a cache hit, same key);
#  * the TMR cfg holds the weight image three times (flip-flops ~3x);
#  * the instance-scaled cell count equals Yosys' `stat` of the merged
#    netlist, and is within 5 % of one whole-design hierarchical Yosys run
#    (ABC's mapping depends on net order, so exact equality is not expected).
set -eu
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d /tmp/synth_small48.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
M="--model synth/testdata/small48.json --weights synth/testdata/small48.weights"
$R synth $M --protect none,tmr,secded --pipeline 1 --work "$T/w" --json "$T/p.json" \
    | grep -E '^(none|tmr|secded)_p1'
python3 - "$T/p.json" <<'PY' || fail "per-module cache / TMR cfg check"
import json, sys
d = json.load(open(sys.argv[1]))
cfg = 'rad4ml_ae_cfg'
mods = [{m['name']: m for m in c['modules']} for c in d['configs']]
none, tmr, sec = mods
for name in none:
    for other, label in ((tmr, 'tmr'), (sec, 'secded')):
        same = none[name]['netlist_hash'] == other[name]['netlist_hash']
        assert same == (name != cfg), f'{label}: {name} netlist key same={same}'
        assert other[name]['cached'] == (name != cfg), f'{label}: {name} cached?'
net = json.load(open(d['configs'][0]['netlist']))
w = len(net['modules'][cfg]['ports']['wimg']['bits'])
fn, ft, fs = (m[cfg]['flipflops'] for m in mods)
print(f'cfg flip-flops: none {fn}, tmr {ft} ({ft / fn:.2f}x), secded {fs}; image {w} bits')
assert ft - fn >= 2 * w and 2.8 <= ft / fn <= 3.1, 'TMR cfg flip-flops not ~3x'
assert fn < fs < ft, 'SECDED cfg flip-flops not between none and TMR'
PY
cells=$(python3 -c "import json; print(json.load(open('$T/p.json'))['configs'][0]['cells'])")
net=$(python3 -c "import json; print(json.load(open('$T/p.json'))['configs'][0]['netlist'])")
yosys -q -p "read_json $net; hierarchy -top rad4ml_ae; tee -q -o $T/stat.txt stat" >/dev/null
ycells=$(awk '/design hierarchy/{h=1} h && /Number of cells/{n=$4} END{print n}' "$T/stat.txt")
yosys -q -p "read_verilog -sv $T/w/rtl/none_p1/rad4ml_ae.v $T/w/rtl/none_p1/rad4ml_ae_cfg.v; \
    hierarchy -check -top rad4ml_ae; script synth/flow_hier.ys; tee -q -o $T/mono.txt stat" >/dev/null
mcells=$(awk '/design hierarchy/{h=1} h && /Number of cells/{n=$4} END{print n}' "$T/mono.txt")
echo "cells: rad4ml $cells, yosys stat $ycells, one whole-design yosys run $mcells"
[ "$cells" = "$ycells" ] || fail "instance-scaled $cells != yosys stat $ycells"
[ $((cells * 100)) -ge $((mcells * 95)) ] && [ $((cells * 100)) -le $((mcells * 105)) ] \
    || fail "per-module $cells far from whole-design $mcells"
echo "synth_small48_regress: ok"
