#!/usr/bin/env bash
# bad_inputs.sh — runs every case of tests/bad_inputs.tsv (the one table of
# good and bad command lines: exact exit status, a message fragment that must
# appear, one that must not, a path that must not be left behind).
#
# Fixtures in $T: e5.json / e4.json (eval at 5 / 4 links, 200 crossings; e4
# with model/econt.json, the built-in 5-link model, not the 4-link default),
# s5.json (seu --sens, 5 crossings), r5.json (seu --rate-json), s2.json (the same for the shipped
# 2-link model), garbage.bin (binary), noprov.json (JSON without provenance),
# one.csv ("7.5"), empty.csv, header.csv (header only), zero.csv (one
# all-zero crossing), img.hex (info --i2c-hex), img_flip.hex (one digit
# changed), img_nocrc.hex (CRC line removed), img_rand.hex (random weights,
# cfg words), rtl2/ (gen --what rtl --pipeline 2).
set -u
R=${RAD4ML:-build/bin/rad4ml}
TABLE=${1:-tests/bad_inputs.tsv}
T=$(mktemp -d /tmp/bad_inputs.XXXXXX)
trap 'rm -rf "$T"' EXIT

{
    "$R" eval --max 200 --json "$T/e5.json" &&
    "$R" eval --max 200 --links 4 --model model/econt.json --json "$T/e4.json" &&
    "$R" seu --sens --crossings 5 --json "$T/s5.json" &&
    "$R" seu --rate --emd-per-bit 0.004 --rate-json "$T/r5.json" &&
    "$R" seu --sens --crossings 5 --model train/trained/econt_2links.json --json "$T/s2.json" &&
    "$R" info --i2c-hex "$T/img.hex" &&
    "$R" gen --random-weights 3 --what image --out "$T/grand" &&
    "$R" gen --what rtl --pipeline 2 --out "$T/rtl2"
} > "$T/fixtures.log" 2>&1 || { cat "$T/fixtures.log"; echo "FAIL: fixtures"; exit 1; }
cp "$T/grand/rad4ml_ae_weights.hex" "$T/img_rand.hex"
printf '\x00\x01\x02\xff\xfe binary \x7f\n' > "$T/garbage.bin"
echo '{"n": 1}' > "$T/noprov.json"
echo 7.5 > "$T/one.csv"
: > "$T/empty.csv"
echo CALQ_0 > "$T/header.csv"
{ seq -s, -f 'CALQ_%g' 0 47; printf '0%.0s,' $(seq 47); echo 0; } > "$T/zero.csv"
awk '!done && !/^\/\// { $0 = ($0 ~ /^0/ ? "1" : "0") substr($0, 2); done = 1 } 1' \
    "$T/img.hex" > "$T/img_flip.hex"
grep -v crc32 "$T/img.hex" > "$T/img_nocrc.hex"

# run_table FILE: runs its cases, prints the failures; sets pass / fail.
run_table() {
    local table=$1 code must not gone args out rc why line=0
    pass=0 fail=0
    while IFS=$'\t' read -r code must not gone args; do
        line=$((line + 1))
        case "$code" in ''|'#'*) continue ;; esac
        must=${must//\$T/$T}; not=${not//\$T/$T}; gone=${gone//\$T/$T}
        out=$(eval "\"\$R\" $args" 2>&1)
        rc=$?
        why=""
        [ "$rc" = "$code" ] || why="exit $rc, expected $code"
        [ -z "$why" ] && ! grep -qF -- "$must" <<<"$out" && why="no '$must' in the output"
        [ -z "$why" ] && [ "$not" != - ] && grep -qF -- "$not" <<<"$out" && why="'$not' in the output"
        [ -z "$why" ] && [ "$gone" != - ] && [ -e "$gone" ] && why="$gone left behind"
        if [ -z "$why" ]; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL $table:$line: rad4ml $args: $why"
            echo "$out" | head -5 | sed 's/^/    | /'
        fi
    done < "$table"
}

# Negative control: the runner must fail a case whose expectation is wrong
# (exit status, fragment, forbidden fragment, left-behind path).
printf '%s\n' $'1\tmodel econt-8x8\t-\t-\tinfo' $'0\tno such words\t-\t-\tinfo' \
    $'0\tmodel\tmodel\t-\tinfo' $'0\tmodel\t-\t.\tinfo' > "$T/control.tsv"
run_table "$T/control.tsv" > /dev/null
[ "$pass" -eq 0 ] && [ "$fail" -eq 4 ] \
    || { echo "FAIL: negative control: $pass of 4 wrong cases passed"; exit 1; }

run_table "$TABLE"
echo "bad_inputs: $pass cases passed, $fail failed ($TABLE; negative control: 4 wrong cases caught)"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
