#!/usr/bin/env bash
# install-deps.sh — make sure every tool and library rad4ml needs is present.
#
# Usage: tools/install-deps.sh [--check]
#   --check   only report what is missing (exit 1 if anything is)
#
# Each entry is "probe:debian-package". A probe is either a command name or
# a path (a header or library file); the package is installed with apt-get
# when the probe fails. Why each one is needed is written in README.md.
set -u

DEPS="
gcc:gcc
make:make
pkg-config:pkg-config
verilator:verilator
iverilog:iverilog
yosys:yosys
z3:z3
g++:g++
/usr/include/check.h:check
/usr/include/jansson.h:libjansson-dev
/usr/include/glpk.h:libglpk-dev
/usr/include/hdf5/serial/hdf5.h:libhdf5-dev
/usr/include/sha2.h:libmd-dev
/usr/include/zlib.h:zlib1g-dev
python3:python3
pip3:python3-pip
/usr/share/doc/python3-venv:python3-venv
chromium:chromium
/usr/share/qflow/tech/osu018/osu018_stdcells.lib:qflow-tech-osu018
sta:opensta
"

missing=""
for d in $DEPS; do
    probe=${d%%:*}
    pkg=${d#*:}
    case "$probe" in
        /*) [ -e "$probe" ] || missing="$missing $pkg" ;;
        *)  command -v "$probe" >/dev/null 2>&1 || missing="$missing $pkg" ;;
    esac
done

if [ -z "$missing" ]; then
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "missing packages:$missing" >&2
    exit 1
fi
echo "install-deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || exit 1
$SUDO apt-get install -y -qq --no-install-recommends $missing || exit 1
