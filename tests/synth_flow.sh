#!/usr/bin/env bash
# synth_flow.sh — rad4ml synth end to end on small designs (< 1 minute):
#  * hand-written fixture (synth/testdata/tiny.v): the instance-scaled cell
#    count equals Yosys' own `stat` of the same (per-module, merged)
#    netlist, and is within 5 % of one hierarchical Yosys run of the whole
#    design (ABC's mapping depends on net order, so not equal); the flat
#    flow's logic depth equals Yosys' `ltp -noff`; the cache is hit on a rerun;
#  * the generated design of model/examples/tiny.json at pipeline 0 and 1:
#    pipelining adds flip-flops and shortens the reg->reg path; the power
#    estimate from random data exceeds the one from all-zero data;
#  * none / tmr / secded of a generated design: only the <top>_cfg netlist
#    and its stateless submodules (TMR voter, SECDED decoder / encoder: one
#    instance per word) differ (every other module is a cache hit), and the
#    TMR cfg holds the weight image three times (flip-flops ~3x those of the
#    plain cfg);
#  * bad input gives an error and no JSON.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d /tmp/synth_flow.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
jget() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }

# --- fixture, hierarchical ---
$R synth --rtl synth/testdata --top tiny_top --work "$T/w" --json "$T/h.json" > "$T/h.txt"
cat "$T/h.txt"
cells=$(jget "$T/h.json" "d['configs'][0]['cells']")
net=$(jget "$T/h.json" "d['configs'][0]['netlist']")
case "$net" in "$T"/w/cache/design_*.json) ;; *) fail "netlist $net not the merged per-module one";; esac
[ "$(jget "$T/h.json" "d['configs'][0]['yosys_modules_run']")" = 4 ] || fail "expected 4 module runs"
yosys -q -p "read_json $net; hierarchy -top tiny_top; tee -q -o $T/stat.txt stat" >/dev/null
ycells=$(awk '/design hierarchy/{h=1} h && /Number of cells/{n=$4} END{print n}' "$T/stat.txt")
yosys -q -p "read_verilog -sv synth/testdata/tiny.v; hierarchy -check -top tiny_top; \
    script synth/flow_hier.ys; tee -q -o $T/mono.txt stat" >/dev/null
mcells=$(awk '/design hierarchy/{h=1} h && /Number of cells/{n=$4} END{print n}' "$T/mono.txt")
echo "cells: rad4ml $cells, yosys stat $ycells, one whole-design yosys run $mcells"
[ "$cells" = "$ycells" ] || fail "instance-scaled cell count $cells != yosys $ycells"
[ $((cells * 100)) -ge $((mcells * 95)) ] && [ $((cells * 100)) -le $((mcells * 105)) ] \
    || fail "per-module synthesis $cells cells far from whole-design $mcells"
# Submodule instances keep their port directions in the merged netlist
# (logic depth through a neuron needs them) and the depth crosses them.
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))['modules']
n = [c for m in d.values() for c in m['cells'].values() if c['type'] in d]
assert n and all('port_directions' in c for c in n), 'instance without port_directions'
" "$net" || fail "merged netlist lacks port directions"
[ "$(jget "$T/h.json" "[m['levels_in2out'] for m in d['configs'][0]['modules'] if m['name']=='tiny_neuron4'][0]")" -gt 0 ] \
    || fail "no in->out depth through tiny_neuron4"
inst=$(jget "$T/h.json" "[m['instances'] for m in d['configs'][0]['modules'] if m['name']=='tiny_neuron4'][0]")
[ "$inst" = 3 ] || fail "tiny_neuron4 instances $inst != 3"

# --- rerun: cache hit, same figures ---
$R synth --rtl synth/testdata --top tiny_top --work "$T/w" --json "$T/h2.json" > /dev/null
[ "$(jget "$T/h2.json" "d['configs'][0]['cached']")" = True ] || fail "no cache hit"
[ "$(jget "$T/h2.json" "d['configs'][0]['cells']")" = "$cells" ] || fail "cache changed figures"

# --- fixture, flat: depth equals yosys ltp ---
$R synth --rtl synth/testdata --top tiny_top --flat --work "$T/wf" --json "$T/f.json" > /dev/null
lev=$(jget "$T/f.json" "d['configs'][0]['levels']['critical']")
hlev=$(jget "$T/h.json" "d['configs'][0]['levels']['critical']")
fnet=$(jget "$T/f.json" "d['configs'][0]['netlist']")
yosys -q -p "read_json $fnet; hierarchy -top tiny_top; tee -q -o $T/ltp.txt ltp -noff" >/dev/null
ylev=$(sed -n 's/.*(length=\([0-9]*\)).*/\1/p' "$T/ltp.txt" | sort -n | tail -1)
echo "levels: flat rad4ml $lev, yosys ltp $ylev, hierarchical $hlev"
[ "$lev" = "$ylev" ] || fail "flat levels $lev != ltp $ylev"
[ "$hlev" -ge $((lev * 8 / 10)) ] && [ "$hlev" -le $((lev * 12 / 10)) ] \
    || fail "hierarchical levels $hlev far from flat $lev"

# --- generated design, pipeline 0 / 1, power ---
python3 -c "
import random; random.seed(1)
print('\n'.join(','.join(str(random.randint(0,255)) for _ in range(4)) for _ in range(150)))" > "$T/rand.csv"
python3 -c "print('\n'.join('0,0,0,0' for _ in range(150)))" > "$T/zero.csv"
$R synth --model model/examples/tiny.json --protect none --pipeline 0,1 \
    --data "$T/rand.csv" --work "$T/g" --json "$T/g.json" | tail -4
ff0=$(jget "$T/g.json" "d['configs'][0]['flipflops']")
ff1=$(jget "$T/g.json" "d['configs'][1]['flipflops']")
l0=$(jget "$T/g.json" "d['configs'][0]['levels']['reg2reg']")
l1=$(jget "$T/g.json" "d['configs'][1]['levels']['reg2reg']")
echo "pipeline 0: $ff0 flops, $l0 levels; pipeline 1: $ff1 flops, $l1 levels"
[ "$ff1" -gt "$ff0" ] || fail "pipeline 1 has no more flip-flops"
[ "$l1" -lt "$l0" ] || fail "pipeline 1 does not shorten the path"
$R synth --model model/examples/tiny.json --protect none --pipeline 1 \
    --data "$T/zero.csv" --work "$T/g" --json "$T/z.json" > /dev/null
pr=$(jget "$T/g.json" "d['configs'][1]['power']['dynamic_mw']")
pz=$(jget "$T/z.json" "d['configs'][0]['power']['dynamic_mw']")
echo "dynamic power: random data $pr mW, zero data $pz mW"
python3 -c "import sys; sys.exit(0 if $pr > 2 * $pz and $pr > 0 else 1)" \
    || fail "random data should switch more than zero data"
# The testbench loaded the weight image: the design's wimg bus holds no X
# (an X image gives X neuron outputs, whose activity is not counted).
python3 - "$T/g/power_none_p1.vcd" <<'PY' || fail "power testbench: weight image not loaded"
import sys
ids, last, body, depth = set(), {}, False, []
for line in open(sys.argv[1]):
    t = line.split()
    if not body:
        if t[:1] == ['$scope']: depth.append(t[2])
        elif t[:1] == ['$upscope']: depth.pop()
        elif t[:1] == ['$var'] and t[4] == 'wimg' and len(depth) == 2: ids.add(t[3])
        elif t[:1] == ['$enddefinitions']: body = True
    elif line.startswith('b') and len(t) == 2 and t[1] in ids:
        last[t[1]] = t[0][1:]
assert ids and last, 'no wimg in the VCD'
v = list(last.values())[0]
print(f'power testbench: wimg = {v[:16]}... ({len(v)} bits shown)')
assert 'x' not in v and 'z' not in v, 'wimg has X/Z'
PY

# --- protection options: TMR / SECDED register files add flip-flops ---
$R synth --model model/examples/tiny.json --protect none,tmr,secded --pipeline 1 \
    --work "$T/g" --json "$T/p.json" | grep -E '^(none|tmr|secded)_p1'
for k in 1 2; do
    [ "$(jget "$T/p.json" "'skipped' in d['configs'][$k]")" = False ] \
        || fail "protection $k skipped: $(jget "$T/p.json" "d['configs'][$k].get('skipped')")"
done
fn=$(jget "$T/p.json" "d['configs'][0]['flipflops']")
ft=$(jget "$T/p.json" "d['configs'][1]['flipflops']")
fs=$(jget "$T/p.json" "d['configs'][2]['flipflops']")
echo "flip-flops: none $fn, tmr $ft, secded $fs"
[ "$ft" -gt "$fs" ] && [ "$fs" -gt "$fn" ] || fail "expected flops tmr > secded > none"
# Per module: none ran every module, tmr / secded only <top>_cfg and its
# stateless submodules (the TMR voter per whole 32-bit image word, the
# SECDED decoder and encoder per codeword, each synthesized once and
# instantiated per word); the TMR cfg holds three copies of the weight
# image (port wimg, W bits).
python3 - "$T/p.json" <<'PY' || fail "per-module cache / TMR cfg check"
import json, sys
d = json.load(open(sys.argv[1]))
cfg = 'rad4ml_ae_cfg'
mods = [{m['name']: m for m in c['modules']} for c in d['configs']]
none, tmr, sec = mods
net = json.load(open(d['configs'][0]['netlist']))
w = len(net['modules'][cfg]['ports']['wimg']['bits'])
sub = {'tmr': {cfg + '_vote'} if w >= 32 else set(), 'secded': {cfg + '_dec', cfg + '_enc'}}
for other, label in ((tmr, 'tmr'), (sec, 'secded')):
    assert set(other) == set(none) | sub[label], f'{label}: modules {sorted(other)}'
    own = {cfg} | sub[label]
    for name in other:
        same = name in none and none[name]['netlist_hash'] == other[name]['netlist_hash']
        assert same == (name not in own), f'{label}: {name} netlist key same={same}'
        assert other[name]['cached'] == (name not in own), f'{label}: {name} cached?'
    for name in sub[label]:
        assert other[name]['flipflops'] == 0, f'{label}: {name} holds state'
runs = [c['yosys_modules_run'] for c in d['configs']]
assert runs[1:] == [1 + len(sub['tmr']), 3], f'modules synthesized per config {runs}'
if sub['tmr']:
    assert tmr[cfg + '_vote']['instances'] == w // 32, 'one voter per whole image word'
ncw = sec[cfg + '_dec']['instances']
assert ncw == sec[cfg + '_enc']['instances'] == -(-w // 64), f'{ncw} SECDED codewords'
fn, ft, fs = (m[cfg]['flipflops'] for m in mods)
print(f'cfg flip-flops: none {fn}, tmr {ft} ({ft / fn:.2f}x), secded {fs}; image {w} bits')
assert ft - fn >= 2 * w, 'TMR cfg does not triplicate the image'
assert 2.5 <= ft / fn <= 3.2, 'TMR cfg flip-flops not ~3x'
assert fn < fs < ft, 'SECDED cfg flip-flops not between none and TMR'
PY

# --- bad input ---
mkdir -p "$T/bad"
printf 'module broken(input a, output b); assign b = ; endmodule\n' > "$T/bad/x.v"
if $R synth --rtl "$T/bad" --top broken --work "$T/wb" --json "$T/bad.json" 2> "$T/err.txt"; then
    fail "broken RTL accepted"
fi
grep -q "yosys failed" "$T/err.txt" || fail "no yosys error message"
[ ! -e "$T/bad.json" ] || fail "partial JSON written"
if $R synth --pipeline x 2>/dev/null; then fail "bad option accepted"; fi
echo "synth_flow: ok"
