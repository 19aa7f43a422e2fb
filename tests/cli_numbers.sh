#!/usr/bin/env bash
# cli_numbers.sh — every subcommand refuses a bad number the same way
# (common/rad_cli.h): negative, empty, trailing junk, overflow and out of
# range, each with exit status 2, the option's name in the message, and
# nothing run.  `sim --vectors -1` used to wrap to 2^64-1 and run forever;
# every case here runs under a 20 s timeout so a regression fails instead.
set -u
R=${RAD4ML:-build/bin/rad4ml}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

# expect2 OPTION CMD ARGS...: exit 2 and OPTION named on stderr.
expect2() {
    local opt=$1; shift
    timeout 20 "$R" "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ $rc -ne 2 ]; then
        echo "FAIL: rad4ml $* -> exit $rc, want 2 ($(head -c 200 "$T/err"))"; fail=$((fail + 1))
    elif ! grep -q -- "$opt" "$T/err"; then
        echo "FAIL: rad4ml $* -> message lacks $opt: $(cat "$T/err")"; fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

BIG=99999999999999999999999
for v in -1 "" 12x $BIG 0 " 7" 1.5; do
    expect2 --vectors        sim --vectors "$v" --workdir "$T/w"
    expect2 --icarus-vectors sim --icarus-vectors "$v" --workdir "$T/w"
done
for v in -1 "" 12x $BIG; do
    expect2 --seed           sim --seed "$v" --workdir "$T/w"
    expect2 --random-model   sim --random-model "$v" --workdir "$T/w"
    expect2 --random-model   gen --random-model "$v" --out "$T/g"
    expect2 --random-weights gen --random-weights "$v" --out "$T/g"
    expect2 --random-weights info --random-weights "$v"
    expect2 --crossings      seu --crossings "$v"
    expect2 --seed           seu --seed "$v"
    expect2 --stride         seu --rtl --stride "$v"
    expect2 --sim-vectors    flow --dry-run --sim-vectors "$v"
    expect2 --epochs         train --data synthetic --out "$T/t" --epochs "$v"
    expect2 --max            eval --max "$v"
    expect2 --hist-n         report --hist-n "$v" --out "$T/r.html"
    expect2 --jobs           synth --jobs "$v"
    expect2 --vectors        synth --power --vectors "$v"
    expect2 --random-model   run --random-model "$v"
    expect2 --show           diff --show "$v"
    expect2 --tb-crossings   gen --testbench --tb-crossings "$v" --out "$T/g"
    expect2 --tb-seed        gen --testbench --tb-seed "$v" --out "$T/g"
done
for v in 99 -1 "" 3x; do
    expect2 --links2         sim --links2 "$v" --workdir "$T/w"
    expect2 --links          gen --links "$v" --out "$T/g"
    expect2 --links          info --links "$v"
    expect2 --links          eval --links "$v"
    expect2 --links          report --links "$v" --out "$T/r.html"
    expect2 --links          run --links "$v"
done
for v in -0.1 "" 0.5x nan inf 1e999 2; do
    expect2 --sel-frac       seu --sel-frac "$v"
    expect2 --holdout        eval --holdout "$v"
done
for v in -0.1 "" 0.5x nan inf 1e999 11; do
    expect2 --lr             train --data synthetic --out "$T/t" --lr "$v"
done
expect2 --upsets seu --upsets -1
expect2 --period synth --period 0
expect2 --per-bit seu --rtl --full --per-bit 1
expect2 --threads seu --threads 0
expect2 --i2c-word-bits info --i2c-word-bits 4x
expect2 --pipeline synth --pipeline 1,x
for v in -1 "" 1.5 12x $BIG; do
    expect2 --epochs   fleet train --out "$T/fl" --epochs "$v"
    expect2 --vectors  fleet verify --out "$T/fl" --vectors "$v"
    expect2 --seed     fleet train --out "$T/fl" --seed "$v"
    expect2 --shards   submit --shards "$v" --local 1 -- info
    expect2 --local    submit --shards 2 --local "$v" -- info
done
expect2 --fractions seu --select --fractions 0.1,x
expect2 --fractions seu --select --fractions 0.1,2
expect2 --fractions seu --select --fractions ""

# Nothing was generated or built by a refused command.
left=$(ls -A "$T" | grep -v -e '^out$' -e '^err$' || true)
if [ -n "$left" ]; then echo "FAIL: refused commands left output: $left"; fail=$((fail + 1)); fi

# Negative control: the same options with good values are accepted.
if ! "$R" info --links 2 --random-weights 5 >/dev/null 2>&1; then
    echo "FAIL: info --links 2 --random-weights 5 refused"; fail=$((fail + 1))
fi
if ! "$R" flow --dry-run --sim-vectors 300 --out "$T/f" >/dev/null 2>&1; then
    echo "FAIL: flow --dry-run --sim-vectors 300 refused"; fail=$((fail + 1))
fi
echo "cli numbers: $pass refusals as expected, $fail failures"
[ $fail -eq 0 ]
