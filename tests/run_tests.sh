#!/usr/bin/env bash
# run_tests.sh — runs every test program and script given on the command
# line, shows each one's output, and ends with the line
#   "N passed, N failed"
# Exit status: 0 only when every test passed.
set -u
pass=0
fail=0
failed=""
for t in "$@"; do
    echo "=== $t"
    start=$(date +%s)
    if "$t"; then
        pass=$((pass + 1))
        echo "--- PASS $t ($(( $(date +%s) - start )) s)"
    else
        fail=$((fail + 1))
        failed="$failed $t"
        echo "--- FAIL $t ($(( $(date +%s) - start )) s)"
    fi
done
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
