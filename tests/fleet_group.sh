#!/usr/bin/env bash
# fleet_group.sh — per-group fine-tuning (the manifest's optional group
# column): modules of a group share ONE model, fine-tuned on all their
# crossings.
#  * a module alone (empty group) trains exactly as without the column
#    (same train.csv fields, same weights hash);
#  * the members of a group get one model (one hash, in each member's
#    files), unlike the member trained alone;
#  * --shard i/N shards by group: 2 shards == unsharded (table + files);
#  * a group whose members differ in link count is refused (file:line:
#    column, nothing written);
#  * the grouped fleet's images pass in the one design (0 mismatches).
set -eu
R=${RAD4ML:-build/bin/rad4ml}
VW=${RAD4ML_BUILD:-build}/fleet/verify_small      # shared with fleet_small.sh
T=$(mktemp -d /tmp/fleet_group.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
B=fleet/testdata/small48d.json
O="--base-model $B --crossings 800 --loss telescope"
cat > "$T/g.csv" <<'CSV'
id,data,occupancy,showers,geometry,links,calib,group
ld_low,synthetic,0.15,0.6,ld,5,2048,
hd_busy,synthetic,0.50,2.0,hd,3,2200,
ld_a,synthetic,0.35,1.2,ld,5,1900,wedge
ld_b,synthetic,0.30,1.0,ld,5,2100,wedge
hd_c,synthetic,0.45,1.5,hd,5,2048,wedge
CSV
cat > "$T/one.csv" <<'CSV'
id,data,occupancy,showers,geometry,links,calib
ld_low,synthetic,0.15,0.6,ld,5,2048
hd_busy,synthetic,0.50,2.0,hd,3,2200
ld_a,synthetic,0.35,1.2,ld,5,1900
CSV
"$R" fleet train --manifest "$T/g.csv" --out "$T/g" $O > /dev/null
"$R" fleet train --manifest "$T/one.csv" --out "$T/one" $O > /dev/null
row() { grep "^$2," "$1/train.csv"; }
f() { row "$1" "$2" | cut -d, -f"$3"; }
for m in ld_low hd_busy; do
    [ "$(row "$T/g" $m | cut -d, -f1-9)" = "$(row "$T/one" $m | cut -d, -f1-9)" ] \
        || fail "$m alone in its group trained unlike per module"
    [ "$(f "$T/g" $m 10)" = $m ] || fail "$m: group column not its id"
done
h=$(f "$T/g" ld_a 9)
[ "$(f "$T/g" ld_b 9)" = "$h" ] && [ "$(f "$T/g" hd_c 9)" = "$h" ] || fail "group members differ in weights"
[ "$(f "$T/g" ld_b 10)" = wedge ] || fail "group column"
[ "$h" != "$(f "$T/one" ld_a 9)" ] || fail "the group model equals ld_a's own"
cmp <(grep -v '^#' "$T/g/modules/ld_a.weights") <(grep -v '^#' "$T/g/modules/hd_c.weights") \
    || fail "member weight files differ"
grep -q "group: wedge\|group=wedge" "$T/g/modules/ld_b.json" || fail "member file does not name its group"
echo "groups: alone == per module; 3 members share one model ($h), unlike ld_a alone"

for i in 1 0; do "$R" fleet train --manifest "$T/g.csv" --out "$T/s" $O --shard $i/2 > /dev/null; done
grep -q '^meta shard_by 0,1,2,2,2$' "$T/s/train.csv.part-0-of-2" || fail "shard_by meta"
[ "$(grep -c '^item' "$T/s/train.csv.part-0-of-2")" = 4 ] || fail "shard 0 should hold groups 0 and 2 (4 modules)"
"$R" merge "$T"/s/train.csv.part-*-of-2 > /dev/null
cmp "$T/g/train.csv" "$T/s/train.csv" || fail "2 group shards != unsharded"
for x in "$T"/g/modules/*; do cmp "$x" "$T/s/modules/$(basename "$x")" || fail "$x"; done
echo "groups: 2 shards (by group) == unsharded (table + $(ls "$T/g/modules" | wc -l) files)"

sed 's/^hd_c,\(.*\),5,2048,wedge/hd_c,\1,3,2048,wedge/' "$T/g.csv" > "$T/bad.csv"
if "$R" fleet train --manifest "$T/bad.csv" --out "$T/b" $O 2> "$T/e"; then fail "mixed links accepted"; fi
grep -q "bad.csv:6: column 'group': module hd_c has 3 links, ld_a (line 4, same group 'wedge') 5" "$T/e" \
    || { cat "$T/e"; fail "mixed links not explained"; }
[ ! -e "$T/b/train.csv" ] || fail "a refused manifest left train.csv"

"$R" fleet images --out "$T/g" > /dev/null
"$R" fleet verify --out "$T/g" --vectors 800 --work "$VW" > /dev/null
awk -F, '/^#/ { next } !h { h = 1; next } { n++; if ($6 != 0 || $9 != "PASS" || $5 < 100) bad++ }
         END { exit !(n == 5 && bad == 0) }' "$T/g/verify.csv" || { cat "$T/g/verify.csv"; fail "verify"; }
echo "groups: mixed link counts refused; 5 images (one shared model) PASS in the one design"
