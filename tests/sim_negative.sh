#!/usr/bin/env bash
# sim_negative.sh — the harnesses can fail: one adder of the generated RTL
# is changed (a + b -> a - b in a dense neuron) and `rad4ml sim --rtl` must
# report mismatches and exit 1.
set -eu
RAD4ML=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$RAD4ML" gen --out "$T/rtl" --what rtl >/dev/null
python3 - "$T/rtl/rad4ml_ae.v" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
i = s.index('module rad4ml_ae_l3_dense_k128')
j = s.index('a0_0 + a0_1', i)
open(p, 'w').write(s[:j] + 'a0_0 - a0_1' + s[j + len('a0_0 + a0_1'):])
PY
if "$RAD4ML" sim --rtl "$T/rtl" --only icarus --icarus-vectors 400 --workdir "$T/w" > "$T/out"; then
    cat "$T/out"; echo "FAIL: a broken adder went unnoticed"; exit 1
fi
grep -E "mismatches [1-9]" "$T/out" || { cat "$T/out"; echo "FAIL: no mismatch count"; exit 1; }
echo "broken RTL detected: $(grep -o 'mismatches [0-9]*' "$T/out" | head -1)"
