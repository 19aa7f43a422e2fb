#!/usr/bin/env bash
# synth_fulltmr.sh — `rad4ml synth --protect none,tmr,full-tmr` on the tiny
# model: the full-TMR configuration is synthesized next to the others, with
# at least three times the flip-flops of the unprotected design (every
# flip-flop triplicated and kept: (* keep *)), more than weights-only TMR,
# more area, and a power figure; the report shows it beside the others.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
T=${RAD4ML_BUILD:-build}/synth-fulltmr-test
rm -rf "$T"
mkdir -p "$T"
fail() { echo "FAIL: $*"; exit 1; }
python3 -c "
import random; random.seed(1)
print('\n'.join(','.join(str(random.randint(0,255)) for _ in range(4)) for _ in range(100)))" > "$T/rand.csv"
"$R" synth --model model/examples/tiny.json --protect none,tmr,full-tmr --power --data "$T/rand.csv" \
    --work "$T/w" --json "$T/s.json" | grep -E '^(none|tmr|full-tmr)_p1'
python3 - "$T/s.json" <<'PY' || fail "full-TMR synthesis figures"
import json, sys
c = {x['name']: x for x in json.load(open(sys.argv[1]))['configs']}
n, t, f = c['none_p1'], c['tmr_p1'], c['full-tmr_p1']
assert 'skipped' not in f, f.get('skipped')
print(f"flip-flops none {n['flipflops']} tmr {t['flipflops']} full-tmr {f['flipflops']}; "
      f"NAND2-eq {n['nand2_eq']:.0f} / {t['nand2_eq']:.0f} / {f['nand2_eq']:.0f}")
assert f['flipflops'] >= 3 * n['flipflops'] and f['flipflops'] > t['flipflops']
assert f['nand2_eq'] > t['nand2_eq'] > n['nand2_eq']
p = f.get('power') or {}
assert p.get('total_mw', 0) > 0 and p['total_mw'] > c['none_p1']['power']['total_mw'], p
print(f"power mW: none {c['none_p1']['power']['total_mw']:.4f} full-tmr {p['total_mw']:.4f}")
PY
"$R" report --eval none --seu none --synth "$T/s.json" --out "$T/r.html" >/dev/null 2>&1
grep -q '<tr><td>full-tmr_p1</td>' "$T/r.html" \
    || fail "the report does not show the full-TMR configuration"
echo "report: full-tmr_p1 in the synthesis table"
echo PASS
