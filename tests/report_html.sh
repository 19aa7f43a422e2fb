#!/usr/bin/env bash
# report_html.sh — rad4ml report end to end: builds the page from real eval
# and synth JSON (SEU absent -> "not available"), renders it in headless
# Chromium, and checks the figures are in the rendered DOM, the page needs
# nothing from outside, the screenshot is non-trivial, and bad output paths
# leave no file.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d /tmp/report_html.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

$R eval --json "$T/eval.json" > /dev/null
$R synth --rtl synth/testdata --top tiny_top --work "$T/w" --liberty osu018 --json "$T/synth.json" > /dev/null
$R report --out "$T/r.html" --eval "$T/eval.json" --synth "$T/synth.json" \
    --seu none --hist-n 300
[ -s "$T/r.html" ] || fail "no page"

# Self-contained: no scripts, no external resources.
if grep -qiE '<script|<link|<img|src=|url\(|@import' "$T/r.html"; then
    fail "page refers to something outside itself"
fi

chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$T/r.html" \
    > "$T/dom.html" 2> /dev/null
for id in fig-emd-occ fig-emd-hist fig-event-0 fig-event-1 fig-event-2 \
          fig-synth-modules fig-synth-area tab-emd tab-synth tab-liberty; do
    grep -q "id=\"$id\"" "$T/dom.html" || fail "rendered DOM lacks #$id"
done
nsvg=$(grep -o '<svg id="fig-' "$T/dom.html" | wc -l)
[ "$nsvg" -eq 7 ] || fail "expected 7 figures, DOM has $nsvg"
# 48 cells x 2 panels x 3 crossings in the event display
nhex=$(grep -o '<polygon' "$T/dom.html" | wc -l)
[ "$nhex" -eq 288 ] || fail "expected 288 hexagons, got $nhex"
grep -q 'Not available:</b> the SEU sensitivity map' "$T/dom.html" || fail "no SEU placeholder"
grep -q 'published ECON-T' "$T/dom.html" || fail "no published reference row"

chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --screenshot="$T/shot.png" --window-size=1500,3000 "file://$T/r.html" > /dev/null 2>&1
size=$(stat -c %s "$T/shot.png")
read -r w h < <(python3 -c "
import struct; d=open('$T/shot.png','rb').read(24); print(*struct.unpack('>II', d[16:24]))")
echo "screenshot: ${w}x${h}, $size bytes; $nsvg figures, $nhex cells"
[ "$w" = 1500 ] && [ "$h" = 3000 ] || fail "screenshot size ${w}x${h}"
[ "$size" -gt 100000 ] || fail "screenshot too small ($size bytes): blank page?"

# A bad output path fails cleanly; an unreadable input is reported, not faked.
if $R report --out /proc/no/such/r.html --eval "$T/eval.json" --hist-n 10 2> "$T/err"; then
    fail "unwritable output accepted"
fi
echo '{"broken": ' > "$T/broken.json"
if $R report --out "$T/r2.html" --eval "$T/broken.json" --synth none --hist-n 10 2> "$T/err"; then
    fail "broken eval JSON accepted"; fi
grep -q "broken.json (--eval): not a readable JSON file" "$T/err" || fail "broken JSON: $(cat "$T/err")"
[ ! -e "$T/r2.html" ] || fail "a refused report left a page"
grep -q 'id="tab-provenance"' "$T/r.html" || fail "no provenance table"
grep -q "$(sha256sum model/econt.json | cut -c1-64)" "$T/r.html" || fail "no model hash on the page"
if $R report --events 9 2> /dev/null; then fail "bad option accepted"; fi

# With an SEU map (small campaign): its figures replace the placeholder.
$R seu --json "$T/seu.json" --crossings 10 > /dev/null
$R report --out "$T/r3.html" --eval "$T/eval.json" --synth "$T/synth.json" \
    --seu "$T/seu.json" --hist-n 50 > /dev/null
chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$T/r3.html" \
    > "$T/dom3.html" 2> /dev/null
for id in fig-seu-bits fig-seu-map-0 fig-seu-map-1 tab-seu; do
    grep -q "id=\"$id\"" "$T/dom3.html" || fail "SEU section lacks #$id"
done
if grep -q 'Not available:</b> the SEU' "$T/dom3.html"; then fail "SEU placeholder despite data"; fi
ls "$T"/*.tmp.* 2>/dev/null && fail "temporary file left behind"
echo "report_html: ok"
