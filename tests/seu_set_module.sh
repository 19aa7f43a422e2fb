#!/usr/bin/env bash
# seu_set_module.sh — single-event transients in ONE module's gates
# (seu --set --set-module, make test): model/examples/tiny.json, the input
# converter rad4ml_ae_conv (its gates pulsed, the rest of the design
# word-level RTL), without protection and with full TMR, 200 random pulses
# + 20 control pulses each under random traffic.
#  * the fault-free design (gate-level module inside the RTL) must give
#    exactly the C engine's outputs (gold vs C: 0 mismatching);
#  * every control pulse (a gate of the module driving a flip-flop's D)
#    must be latched: the harness sees the module's flops;
#  * the pulse sites are the module's own gates: gates/instance equals the
#    gate cells Yosys left in the module's netlist (mnet.json), and the
#    sites of the run = instances x gates/instance;
#  * some pulses latch and some corrupt an output, not all; persistent <=
#    latched; full TMR has more flip-flops than none;
#  * the JSON has the module rows; an unknown module fails naming it.
# Every module and more pulses: make seu-set-modules (seu/README section 8).
set -u
R=${RAD4ML:-build/bin/rad4ml}
W=${RAD4ML_BUILD:-build}/seu-set-module-test
M=rad4ml_ae_conv
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$W"

out=$("$R" seu --set --model model/examples/tiny.json --protect none,full-tmr --set-module $M \
      --samples 200 --set-controls 20 --crossings 20 --work "$W" --set-json "$W/set.json" 2>&1) \
    || { echo "$out"; fail "seu --set --set-module exited non-zero"; }
echo "$out" | grep '^seu set'
ffs=()
for p in none full-tmr; do
    echo "$out" | grep -q "^seu set $p *$M: .* 200 pulses + 20 controls, .* -> PASS" \
        || fail "$p: no PASS line with 20 controls (every control pulse must latch)"
    row=$(echo "$out" | grep "^seu set: $p  *$M ") || fail "$p: no table row"
    read -r inst gpi ff ns lat cor per gold <<<"$(echo "$row" |
        awk '{ print $5, $6, $7, $8, $9, $12, $15, $17 }')"
    [ "$ns" = 200 ] || fail "$p: samples $ns"
    case "$gold" in 0/*) ;; *) fail "$p: fault-free design vs C engine: $gold mismatching";; esac
    [ "${gold#0/}" -gt 0 ] || fail "$p: no output compared with the C engine"
    awk -v l="$lat" -v c="$cor" -v p="$per" 'BEGIN { exit !(l + 0 > 0 && l + 0 < 100 &&
        c + 0 > 0 && c + 0 < 100 && p + 0 <= l + 0) }' \
        || fail "$p: latched $lat, corrupted $cor, persistent $per: want 0 < x < 100"
    net="$W/set-$p-$M/mnet.json"
    ng=$(grep -o '"type": "\$_[A-Z0-9]*_"' "$net" | grep -vc 'DFF') || fail "$p: no gates in $net"
    [ "$gpi" = "$ng" ] || fail "$p: $gpi gates per instance, Yosys' module netlist has $ng"
    sites=$(echo "$out" | sed -n "s/^seu set $p *$M: \([0-9]*\) gates.*/\1/p")
    [ "$sites" = $((inst * gpi)) ] || fail "$p: $sites pulse sites, want $inst x $gpi"
    ffs+=("$ff")
done
[ "${ffs[1]}" -gt "${ffs[0]}" ] || fail "full TMR flip-flops ${ffs[1]} <= none ${ffs[0]}"
grep -q '"kind":"seu-set"' "$W/set.json" || fail "set.json: no seu-set provenance"
[ "$(grep -c "\"module\": \"$M\"" "$W/set.json")" = 2 ] || fail "set.json: module rows"

msg=$("$R" seu --set --model model/examples/tiny.json --protect none --set-module nosuch \
      --samples 10 --crossings 20 --work "$W" 2>&1) && fail "unknown module accepted"
echo "$msg" | grep -q "no module 'nosuch'" || fail "unknown module: message: $msg"
echo "PASS seu_set_module"
