#!/usr/bin/env bash
# train_shipped.sh — the SHIPPED trained weights (train/trained/, made by
# `make train-default`) on the held-out crossings of the shared data (the
# last 25 %, never used for training): evaluation only, a few seconds.
#   2 links: the autoencoder's median EMD must beat best choice and STC.
#   5 links: it must beat STC16 and stay within its recorded quality (the
#            median written in train/README.md, + 2 %); BC and STC4 at 5
#            links are NOT beaten (see README "Quality").
#   capacity study: the near-float 16-bit model of the same shape stays
#            within its recorded median (README "The limit is the architecture").
set -u
R=${RAD4ML:-build/bin/rad4ml}
D=train/trained
fail=0
for f in econt_5links econt_2links econt_wide16_5links; do
    for x in json weights i2c.hex; do
        [ -s "$D/$f.$x" ] || { echo "FAIL missing $D/$f.$x"; fail=1; }
    done
done
[ $fail -eq 0 ] || exit 1

echo "--- 2 links"
"$R" train --eval-only --model "$D/econt_2links.json" --require-beat || fail=1

echo "--- 5 links"
max5=$(sed -n 's/^5-link held-out median EMD (regression bound): \([0-9.]*\).*/\1/p' train/README.md)
[ -n "$max5" ] || { echo "FAIL no 5-link bound in train/README.md"; exit 1; }
"$R" train --eval-only --model "$D/econt_5links.json" --max-median "$max5" >"${TMPDIR:-/tmp}/ts5.$$" || fail=1
cat "${TMPDIR:-/tmp}/ts5.$$"
ae=$(awk '/^  autoencoder/ { print $(NF-3) }' "${TMPDIR:-/tmp}/ts5.$$")
stc16=$(awk '/^  stc16/ { print $(NF-3) }' "${TMPDIR:-/tmp}/ts5.$$")
rm -f "${TMPDIR:-/tmp}/ts5.$$"
if awk -v a="$ae" -v b="$stc16" 'BEGIN { exit !(a < b) }'; then
    echo "ok 5 links: autoencoder $ae < STC16 $stc16"
else
    echo "FAIL 5 links: autoencoder $ae vs STC16 $stc16"; fail=1
fi

echo "--- 16-bit capacity study, 5 links"
maxw=$(sed -n 's/^16-bit capacity model held-out median EMD (regression bound): \([0-9.]*\).*/\1/p' train/README.md)
[ -n "$maxw" ] || { echo "FAIL no capacity-model bound in train/README.md"; exit 1; }
"$R" train --eval-only --model "$D/econt_wide16_5links.json" --max-median "$maxw" || fail=1
exit $fail
