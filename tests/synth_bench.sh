#!/usr/bin/env bash
# synth_bench.sh — `make bench` entry of synth/: the synthesis step of
# `make run` (`rad4ml synth --protect none,tmr,secded --power`, default
# design) run COLD, on an empty netlist cache of its own: wall time, CPU
# time of it and its children (Yosys, ABC, Icarus), the Yosys pool's wall
# and CPU time and the five longest module runs (wall and CPU).  Minutes; prints the load average
# too, since on a shared machine the wall time depends on it.
set -eu
R=${RAD4ML:-build/bin/rad4ml}
W=$(mktemp -d /tmp/synth_bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
read -r load0 _ < /proc/loadavg
TIMEFORMAT='%R %U %S'
{ time "$R" synth --protect none,tmr,secded --power --jobs 2 --work "$W/w" \
      --json "$W/s.json" > "$W/out" 2> "$W/err"; } 2> "$W/time" \
    || { tail -20 "$W/err"; echo "synth bench: FAILED"; exit 1; }
read -r wall user sys < "$W/time"
read -r load1 _ < /proc/loadavg
pool=$(sed -n 's/^rad4ml synth: Yosys done in \([0-9.]*\) s.*/\1/p' "$W/err")
pool_cpu=$(sed -n 's/^rad4ml synth: Yosys done in .*(CPU of its module runs \([0-9.]*\) s)$/\1/p' "$W/err")
echo "synth bench: default design none/tmr/secded + power, cold, --jobs 2:" \
     "${wall} s wall, $(awk "BEGIN{print $user + $sys}") s CPU (Yosys pool ${pool} s wall," \
     "${pool_cpu} s CPU in its module runs;" \
     "load average ${load0} -> ${load1} on $(nproc) cores)"
python3 - "$W/s.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = sorted(((m.get('yosys_seconds', 0), m.get('yosys_cpu_seconds', 0), m['name'], c['name'])
               for c in d['configs'] for m in c['modules'] if not m.get('cached', True)),
              reverse=True)
print('synth bench: longest Yosys runs (wall / CPU): ' +
      ', '.join(f'{n} ({c}) {s:.1f} / {u:.1f} s' for s, u, n, c in runs[:5]))
for c in d['configs']:
    print(f"synth bench: {c['name']}: {c['cells']} cells, {c['nand2_eq']:.0f} NAND2-eq, "
          f"{c['levels']['critical']} levels, {c['power']['total_mw']:.3g} mW")
PY
