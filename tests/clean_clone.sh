#!/usr/bin/env bash
# clean_clone.sh — the project works from a bare clone, as a user gets it:
# `git clone` of the committed tree into an empty temporary folder (nothing
# beside it: no sibling folders at all), build there, then a short flow
# (info, eval, gen, sim, report; synth and seu are covered by their own
# tests) on the built-in default with the sample data the repo ships.
# Also checks that no tracked file refers to the delivery folder beside the
# repository (the word is assembled so this script does not match itself).
set -u
fail() { echo "FAIL: $*"; exit 1; }
SRC=$(git rev-parse --show-toplevel 2>/dev/null) || fail "not a git checkout: cannot clone"
SIBLING='\.\./'"sha""red"
if git -C "$SRC" grep -n "$SIBLING" > /dev/null; then
    git -C "$SRC" grep -n "$SIBLING" | head -5
    fail "tracked files refer to the folder beside the repository"
fi
T=$(mktemp -d /tmp/clean_clone.XXXXXX)
trap 'rm -rf "$T"' EXIT
git clone -q "$SRC" "$T/rad4ml" || fail "git clone"
[ -z "$(ls -A "$T" | grep -v '^rad4ml$')" ] || fail "the clone's folder is not empty"
cd "$T/rad4ml"
# the environment of the calling make must not leak in (it points at the
# original checkout's build)
unset RAD4ML RAD4ML_BUILD RAD4ML_DATA_DIR MAKEFLAGS MFLAGS MAKELEVEL
start=$(date +%s)
make -j2 all > "$T/build.log" 2>&1 || { tail -20 "$T/build.log"; fail "build in the clone"; }
echo "clean clone: built in $(( $(date +%s) - start )) s"
start=$(date +%s)
build/bin/rad4ml flow --out "$T/o" --skip seu,synth --sim-vectors 2000 \
    --icarus-vectors 100 > "$T/flow.log" 2>&1 || { tail -30 "$T/flow.log"; fail "flow in the clone"; }
for f in eval.json rtl/rad4ml_ae.v report.html flow_summary.txt; do
    [ -s "$T/o/$f" ] || fail "flow did not write $f"
done
grep -q 'data/samples/hgcal_ld_module_eportrx.csv' "$T/flow.log" \
    || fail "eval did not use the shipped sample"
grep -q '^sim: PASS' "$T/flow.log" || fail "sim step did not pass"
echo "clean clone: flow ok in $(( $(date +%s) - start )) s (no folder beside the clone)"
