#!/usr/bin/env bash
# synth_reuse.sh — `rad4ml synth --reuse 1,2 --liberty osu018` on the tiny
# example model (< 30 s cold):
#  * one configuration per reuse factor, named none_p1 / none_p1_r2, with
#    "reuse" in the JSON;
#  * the R = 2 neuron is its own module (<top>_l0_fc_k4_r2), synthesized once
#    and scaled by its instances; the modules R does not touch (latent
#    formatter) are cache hits for the R = 2 configuration;
#  * R = 2 has fewer NAND2-eq than R = 1 (half the multipliers) and more
#    flip-flops (accumulators, phase counter, output registers);
#  * OpenSTA times R = 2 at half the period (12.5 ns) and the JSON's
#    meets_period agrees with the slack's sign; the table says meets/misses;
#  * --rtl of gen --reuse 2 RTL takes the clock relation from its header;
#  * --power with --reuse 2 is refused (exit 2).
set -eu
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d /tmp/synth_reuse.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
jget() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }
M="--model model/examples/tiny.json --weights model/examples/tiny.weights"

$R synth $M --protect none --reuse 1,2 --liberty osu018 --work "$T/w" --json "$T/a.json" \
    > "$T/a.txt" 2> "$T/a.err" || { cat "$T/a.err"; fail "synth --reuse 1,2"; }
cat "$T/a.txt"
[ "$(jget "$T/a.json" "[c['name'] for c in d['configs']]")" = "['none_p1', 'none_p1_r2']" ] \
    || fail "configurations"
[ "$(jget "$T/a.json" "[c['reuse'] for c in d['configs']]")" = "[1, 2]" ] || fail "reuse field"
[ "$(jget "$T/a.json" "[(m['name'], m['instances']) for m in d['configs'][1]['modules'] if m['name'].endswith('_r2')]")" \
    = "[('rad4ml_ae_l0_fc_k4_r2', 2)]" ] || fail "the R=2 neuron is not one module with 2 instances"
[ "$(jget "$T/a.json" "[m['cached'] for m in d['configs'][1]['modules'] if m['name'] == 'rad4ml_ae_fmt']")" \
    = "[True]" ] || fail "the formatter was synthesized again for R=2"
[ "$(jget "$T/a.json" "d['configs'][1]['nand2_eq'] < d['configs'][0]['nand2_eq']")" = True ] \
    || fail "R=2 is not smaller than R=1"
[ "$(jget "$T/a.json" "d['configs'][1]['flipflops'] > d['configs'][0]['flipflops']")" = True ] \
    || fail "R=2 has no more flip-flops than R=1"
[ "$(jget "$T/a.json" "d['configs'][1]['liberty']['timing']['period_ns']")" = 12.5 ] \
    || fail "R=2 not timed at 12.5 ns"
[ "$(jget "$T/a.json" "all(c['liberty']['timing']['meets_period'] == (c['liberty']['timing']['slack_ns'] >= 0) for c in d['configs'])")" = True ] \
    || fail "meets_period disagrees with the slack"
grep -Eq "^none_p1_r2 +R=2: 80 MHz \(12.5 ns\), path [0-9.]+ ns, slack -?[0-9.]+ ns: (meets|misses)" "$T/a.txt" \
    || fail "no meets/misses line for R=2"

# --rtl: the interval comes from the RTL's header
$R gen $M --reuse 2 --out "$T/rtl" --what rtl >/dev/null
$R synth --rtl "$T/rtl" --liberty osu018 --work "$T/w" --json "$T/b.json" > "$T/b.txt" 2>/dev/null \
    || fail "synth --rtl of reuse RTL"
[ "$(jget "$T/b.json" "(d['configs'][0]['reuse'], d['configs'][0]['liberty']['timing']['period_ns'])")" = "(2, 12.5)" ] \
    || fail "--rtl did not read interval=2"

set +e
$R synth $M --protect none --reuse 2 --power --work "$T/w" > /dev/null 2> "$T/p.err"
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "not supported" "$T/p.err" || fail "--power --reuse 2: exit $rc"
echo "synth_reuse: PASS"
