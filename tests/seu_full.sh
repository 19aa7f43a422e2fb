#!/usr/bin/env bash
# seu_full.sh — the exhaustive SEU campaigns (`make seu-full`, `make regress`):
# every stored bit of every copy of the TMR, SECDED, unprotected and
# selective-TMR (top 10 %) register files, one single upset each, in
# Verilator; plus the per-bit sensitivity map over 500 held-out crossings
# (JSON for the report in build/seu/sens.json); then the same single upsets
# in the WHOLE design while 500 real crossings stream through it (4 per
# upset, every copy of every TMR bit, every SECDED codeword bit, every
# unprotected bit), every output compared with the C engine.  Uses the trained 5-link
# model when the trainer's output is in train/trained/, else the built-in.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}
M=()
[ -f train/trained/econt_5links.json ] && M=(--model train/trained/econt_5links.json)
nice "$R" seu "${M[@]}" --rtl --protect tmr,secded,none,sel --all-copies \
    --crossings 500 --json "$B/seu/sens.json" --work "$B/seu"
nice "$R" seu "${M[@]}" --rtl --full --protect tmr,secded,none --all-copies \
    --crossings 500 --work "$B/seu"
