#!/usr/bin/env bash
# import_fixtures.sh — `rad4ml import` without TensorFlow: the seven QKeras
# models committed in tests/fixtures/qkeras (made by tests/qkeras/run.sh
# --fixtures: QKeras 0.9.0, TF 2.14.1) are imported and run on the inputs of
# their model.predict references (150 each, extremes included): 0
# mismatches.  Then the imported models go through `rad4ml info` and `gen`,
# the save_weights + model.json layout is read, and bad input (non-HDF5,
# truncated, missing dataset, wrong shape, unknown class, refused
# quantizers, a wrong reference) fails with a message naming file, layer and
# field, exit 1, and nothing written.
set -u
R=${RAD4ML:-build/bin/rad4ml}
F=tests/fixtures/qkeras
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ -r "$F/econt.h5" ] || fail "fixtures missing in $F"

$R import --help >/dev/null || fail "--help"
$R import 2>/dev/null; [ $? -eq 2 ] || fail "no arguments should exit 2"

total=0
for m in econt econt_full mlp bn zeropad unsigned odd; do
    # shellcheck disable=SC2046
    out=$($R import "$F/$m.h5" --out "$T/$m.json" $(cat "$F/$m.args") --strict \
          --verify "$F/$m.io" 2>&1) || { echo "$out"; fail "import $m"; }
    v=$(echo "$out" | grep '^verify') || fail "$m: no verify line"
    case "$v" in *" 150 vectors, 0 mismatches") ;; *) fail "$m: $v" ;; esac
    echo "$m: ${v#verify }"
    total=$((total + 150))
    $R info --model "$T/$m.json" >/dev/null || fail "info on imported $m"
done
$R gen --model "$T/zeropad.json" --out "$T/gen" --what rtl,hls >/dev/null || fail "gen on imported model"
[ -s "$T/gen/rad4ml_ae.v" ] || fail "gen wrote no RTL"
$R import "$F/mlp_weights.h5" --json "$F/mlp_arch.json" --out "$T/mlpw.json" --strict \
    --verify "$F/mlp.io" | grep -q "150 vectors, 0 mismatches" || fail "save_weights layout"
echo "fixtures: 7 models + the save_weights layout, $total vectors, 0 mismatches"

# expect_fail WHAT PATTERN rad4ml-import-args...: exit 1, message, no output
expect_fail() {
    local what=$1 pat=$2
    shift 2
    local msg
    msg=$($R import "$@" --out "$T/bad.json" 2>&1 >/dev/null)
    local rc=$?
    [ $rc -eq 1 ] || fail "$what: exit $rc, expected 1"
    echo "$msg" | grep -q -- "$pat" || fail "$what: message \"$msg\" lacks \"$pat\""
    [ ! -e "$T/bad.json" ] && [ ! -e "$T/bad.weights" ] || fail "$what: output written"
    echo "  rejected $what: $msg"
}
head -c 3000 "$F/unsigned.h5" >"$T/trunc.h5"
expect_fail "non-HDF5 file" "not an HDF5 file" "$F/unsigned.io"
expect_fail "truncated HDF5" "trunc.h5: " "$T/trunc.h5"
expect_fail "missing file" "cannot read" "$T/none.h5"
expect_fail "missing weight dataset" "layer 'd1' (QDense): weight bias: dataset .* missing" \
    "$F/bad_missing_bias.h5"
expect_fail "shape against the architecture" "layer 'd1' (QDense): weight kernel .*shape \[12, 8\], the architecture implies \[12, 7\]" \
    "$F/unsigned.h5" --json "$F/bad_shape_arch.json"
expect_fail "TFOpLambda that is not the latent truncation" "layer 'r' (TFOpLambda): function math.multiply: refused" \
    "$F/unsigned.h5" --json "$F/bad_class_arch.json"
sed 's/"TFOpLambda"/"LatentTrunc"/' "$F/bad_class_arch.json" >"$T/user_class.json"
expect_fail "unknown (user) layer class" "layer 'r' (LatentTrunc): unsupported layer class LatentTrunc" \
    "$F/unsigned.h5" --json "$T/user_class.json"
expect_fail "alpha auto_po2" "layer 'd1' (QDense): quantized_bits: refused: alpha 'auto'" \
    "$F/unsigned.h5" --json "$F/bad_alpha_arch.json"
expect_fail "stochastic rounding" "layer 'q' (QActivation): .*refused: stochastic rounding" \
    "$F/unsigned.h5" --json "$F/bad_stochastic_arch.json"
expect_fail "weights-only file without --json" "no model_config attribute" "$F/mlp_weights.h5"
expect_fail "BatchNormalization without --bn-format" "layer 'bn1' (BatchNormalization): give --bn-format" \
    "$F/bn.h5"
expect_fail "--stop-at unknown layer" "no such layer" "$F/odd.h5" --stop-at nope
# econt_full: a user padding class, the latent truncation, a conditioning input
expect_fail "user layer class without --pad" "layer 'pad' (SamePad): unsupported layer class SamePad" \
    "$F/econt_full.h5" --stop-at tf.math.minimum
expect_fail "merge (conditioning input) without --stop-at" "layer 'with_cond' (Concatenate): inbound_nodes: not one input" \
    "$F/econt_full.h5" --pad pad=same
expect_fail "latent minimum below the format's maximum" "layer 'tf.math.minimum' (TFOpLambda): function math.minimum: refused" \
    "$F/econt_full.h5" --json "$F/bad_minimum_arch.json" --pad pad=same --stop-at tf.math.minimum
expect_fail "--pad syntax" "expected LAYER=same" "$F/econt_full.h5" --pad pad=valid
# a float Dense (d2 of unsigned as a plain Keras Dense): an error without
# --quantize; with it imported, said to be an approximation, refused by --strict
sed -e 's/"alpha": "auto_po2"/"alpha": 1/' -e 's/"class_name": "QDense", "config": {"name": "d2"/"class_name": "Dense", "config": {"name": "d2"/' \
    "$F/bad_alpha_arch.json" >"$T/float_dense.json"
expect_fail "float Dense without --quantize" "layer 'd2' (Dense): kernel: float values (no quantizer): give --quantize" \
    "$F/unsigned.h5" --json "$T/float_dense.json"
expect_fail "float Dense with --strict" "not bit-exact" \
    "$F/unsigned.h5" --json "$T/float_dense.json" --quantize "fixed<8,1,RND_CONV,SAT>" --strict
$R import "$F/unsigned.h5" --json "$T/float_dense.json" --quantize "fixed<8,1,RND_CONV,SAT>" \
    --out "$T/float.json" | grep -q "layer d2: kernel: float values quantized to fixed<8,1,RND_CONV,SAT> (approximation" \
    || fail "--quantize note"
grep -q '"w_fmt": "fixed<8,1,RND_CONV,SAT>"' "$T/float.json" || fail "--quantize format"
# negative control: a reference output moved by one output LSB (0.25)
awk 'NR == 2 { $NF = $NF + 0.25 } { print }' "$F/odd.io" >"$T/odd_bad.io"
expect_fail "reference off by one LSB" "vector 0 output 2" "$F/odd.h5" --verify "$T/odd_bad.io"
# --stop-at: the encoder up to a layer (odd: up to the conv's quantizer)
$R import "$F/odd.h5" --stop-at a --out "$T/odd_a.json" | grep -q "stopped at a: 3 later layers" \
    || fail "--stop-at note"
$R info --model "$T/odd_a.json" | grep -q "1x1x20\|2x2x5" || fail "--stop-at model"
echo "import_fixtures: PASS"
