#!/usr/bin/env bash
# seu_full.sh — the exhaustive SEU campaigns (`make seu-full`, `make regress`):
# every stored bit of every copy of the TMR, SECDED, unprotected and
# selective-TMR (top 10 %) register files, one single upset each, in
# Verilator; plus the per-bit sensitivity map over 500 held-out crossings
# (JSON for the report in build/seu/sens.json).  Uses the trained 5-link
# model when the trainer's output is in train/trained/, else the built-in.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
B=${RAD4ML_BUILD:-build}
M=()
[ -f train/trained/econt_5links.json ] && M=(--model train/trained/econt_5links.json)
nice "$R" seu "${M[@]}" --rtl --protect tmr,secded,none,sel --all-copies \
    --crossings 500 --json "$B/seu/sens.json" --work "$B/seu"
