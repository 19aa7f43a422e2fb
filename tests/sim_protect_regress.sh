#!/usr/bin/env bash
# sim_protect_regress.sh (make regress) — sim_protect.sh at full size:
# SECDED in Verilator with the readback of every image word, more vectors.
exec "$(dirname "$0")/sim_protect.sh" --regress
