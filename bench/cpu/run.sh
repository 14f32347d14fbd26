#!/bin/sh
# Print the interpreter's MIPS on the compute loop of tests/unit/x86/bench.S
# (instructions per CPU-second of the running thread).
# Usage: bench/cpu/run.sh [build-dir]   (default: build)
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
ninja -C "$build" tests/test-x86-bench >/dev/null
G_TEST_BUILDDIR="$build/tests" "$build/tests/test-x86-bench" 2>&1 |
    grep '^# bench:' | sed 's/^# //'
