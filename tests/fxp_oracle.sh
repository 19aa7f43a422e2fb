#!/usr/bin/env bash
# fxp_oracle.sh — bit-exactness of fixedpoint/ against the real ap_fixed and
# ac_fixed headers.
#
# Usage: tests/fxp_oracle.sh [CASES]
#        tests/fxp_oracle.sh --fetch-only     (only step 1)
#   CASES  random conversions per (quantization, overflow) mode pair, plus as
#          many random doubles (default $FXP_ORACLE_N or 1000000).
#
# 1. Gets the vendor headers: the hls4ml wheel on PyPI bundles Xilinx's
#    ap_types (templates/vivado/ap_types) and Mentor's ac_types
#    (templates/catapult/ac_types/include).  They are cached under
#    $BUILD/oracle/; without a cache and without pip/network the test FAILS.
# 2. Builds the C++ oracle (fixedpoint/oracle/, linked with librad4ml.a)
#    through `make fxp-oracle` (parts compile in parallel, then cached).
# 3. Runs a negative control (the C library given the wrong rounding mode
#    must mismatch in every mode pair), then the real comparison for
#    ap_fixed and ac_fixed.  Exit 0 only with zero mismatches.
set -u
cd "$(dirname "$0")/.."
BUILD=${RAD4ML_BUILD:-build}
OR=$BUILD/oracle
FETCH_ONLY=0
if [ "${1:-}" = "--fetch-only" ]; then FETCH_ONLY=1; shift; fi
N=${1:-${FXP_ORACLE_N:-1000000}}
HLS4ML_VERSION=${FXP_ORACLE_HLS4ML:-1.3.0}

fail() { echo "FAIL: fxp_oracle: $*" >&2; exit 1; }

fetch_headers() {
    [ -f "$OR/ap_types/ap_fixed.h" ] && [ -f "$OR/ac_types/ac_fixed.h" ] && return 0
    echo "fetching ap_types/ac_types headers: pip download hls4ml==$HLS4ML_VERSION"
    local pip=""
    if python3 -m pip --version >/dev/null 2>&1; then pip="python3 -m pip"
    elif command -v pip3 >/dev/null 2>&1; then pip=pip3
    else fail "no pip (python3 -m pip / pip3) to fetch the ap_fixed headers; install python3-pip"
    fi
    local tmp
    tmp=$(mktemp -d) || fail "mktemp"
    if ! $pip download --no-deps --disable-pip-version-check -q \
            "hls4ml==$HLS4ML_VERSION" -d "$tmp" >"$tmp/pip.log" 2>&1; then
        cat "$tmp/pip.log" >&2
        rm -rf "$tmp"
        fail "pip download hls4ml==$HLS4ML_VERSION failed (no network?); the oracle needs the real ap_fixed headers"
    fi
    mkdir -p "$OR"
    # extract with Python's zipfile (unzip may be missing); write to a
    # temporary directory and rename, so a half-extracted tree is never used
    python3 - "$tmp" "$OR" <<'EOF' || { rm -rf "$tmp"; fail "cannot extract headers from the hls4ml wheel"; }
import glob, os, shutil, sys, zipfile
tmp, out = sys.argv[1], sys.argv[2]
wheels = glob.glob(os.path.join(tmp, "hls4ml-*.whl"))
if not wheels:
    sys.exit("no hls4ml wheel downloaded")
parts = {"ap_types": "hls4ml/templates/vivado/ap_types/",
         "ac_types": "hls4ml/templates/catapult/ac_types/include/"}
with zipfile.ZipFile(wheels[0]) as z:
    for name, prefix in parts.items():
        stage = os.path.join(tmp, name)
        members = [m for m in z.namelist() if m.startswith(prefix) and not m.endswith("/")]
        if not members:
            sys.exit("wheel has no " + prefix)
        for m in members:
            dest = os.path.join(stage, m[len(prefix):])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with z.open(m) as src, open(dest, "wb") as dst:
                shutil.copyfileobj(src, dst)
        final = os.path.join(out, name)
        shutil.rmtree(final, ignore_errors=True)
        os.rename(stage, final)
        print("  %s: %d files from %s" % (final, len(members), os.path.basename(wheels[0])))
EOF
    rm -rf "$tmp"
}

fetch_headers
[ -f "$OR/ap_types/ap_fixed.h" ] || fail "ap_fixed.h missing under $OR/ap_types"
[ -f "$OR/ac_types/ac_fixed.h" ] || fail "ac_fixed.h missing under $OR/ac_types"
[ "$FETCH_ONLY" -eq 1 ] && { echo "headers in $OR"; exit 0; }

echo "building the oracle (make fxp-oracle; cached after the first build)"
make -s -j2 BUILD="$BUILD" fxp-oracle || fail "oracle build failed"

# Negative control: the comparison must be able to fail.
ctl=$("$OR/fxp_oracle_ap" -n 20000 --mutate)
rc=$?
pairs=$(printf '%s\n' "$ctl" | grep -c 'convert: .* [1-9][0-9]* mismatches; from double')
if [ "$rc" -eq 0 ] || [ "$pairs" -ne 35 ]; then
    printf '%s\n' "$ctl"
    fail "negative control: wrong rounding mode went unnoticed (mismatching pairs: $pairs of 35)"
fi
echo "negative control: wrong rounding mode detected in $pairs of 35 mode pairs (as it must)"

status=0
for lib in ap ac; do
    "$OR/fxp_oracle_$lib" -n "$N" || status=1
done
[ "$status" -eq 0 ] || fail "mismatches against the vendor headers (rerun $OR/fxp_oracle_ap -n $N to see them)"
echo "fxp_oracle: PASS"
