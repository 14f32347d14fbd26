#!/bin/sh
# Installs dependencies, builds Tandem and runs the whole test suite:
# unit tests (meson test) and functional/end-to-end tests (pytest).
# Ends with one line "N passed, N failed[, N skipped]".
#
#   scripts/run-tests.sh [--no-deps] [--sanitizers] [PYTEST_ARGS...]
set -u
srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

deps=1
sanitize=""
while [ $# -gt 0 ]; do
    case "$1" in
    --no-deps) deps=0; shift ;;
    --sanitizers) sanitize=--enable-sanitizers; shift ;;
    *) break ;;
    esac
done

if [ "$deps" = 1 ]; then
    scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
fi

builddir=build
[ -n "$sanitize" ] && builddir=build-sanitizers
if [ ! -f "$builddir/build.ninja" ]; then
    ./configure --builddir="$builddir" $sanitize || { echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C "$builddir" || { echo "0 passed, 1 failed"; exit 1; }

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# Unit tests: every executable must pass.
meson test -C "$builddir" --suite unit --print-errorlogs \
    --num-processes 2 --logbase unit 2>&1 | tail -n 40
cp "$builddir/meson-logs/unit.json" "$results/unit.json" 2>/dev/null

# The unit tests again, built with AddressSanitizer and UBSan
# (TANDEM_SANITIZERS=1; not yet part of the default run: some unit
# tests still leak, see docs/status.md).
if [ -z "$sanitize" ] && [ "${TANDEM_SANITIZERS:-0}" = 1 ]; then
    asan=build-sanitizers
    if [ ! -f "$asan/build.ninja" ]; then
        ./configure --builddir="$asan" --enable-sanitizers >/dev/null
    fi
    # configure records the last build dir; the main one stays the default
    echo "$builddir" > .builddir
    if ninja -C "$asan" >"$results/asan-build.log" 2>&1; then
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            meson test -C "$asan" --suite unit --print-errorlogs \
            --num-processes 2 --logbase unit-asan 2>&1 | tail -n 40
        cp "$asan/meson-logs/unit-asan.json" "$results/unit-asan.json" \
            2>/dev/null
    else
        tail -n 30 "$results/asan-build.log"
        echo '{"name": "sanitizer-build", "result": "FAIL"}' \
            > "$results/unit-asan.json"
    fi
fi

# Functional and end-to-end tests (real processes, QMP, namespaces).
TANDEM_BUILD_DIR="$srcdir/$builddir" /usr/bin/python3 -m pytest \
    -p no:cacheprovider -q -rfE --junitxml="$results/functional.xml" \
    tests/functional "$@"

/usr/bin/python3 - "$results" <<'PY'
import json, os, sys
import xml.etree.ElementTree as ET
d = sys.argv[1]
passed = failed = skipped = 0
for name in ('unit.json', 'unit-asan.json'):
    path = os.path.join(d, name)
    if name == 'unit-asan.json' and not os.path.exists(path):
        continue
    try:
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                if r.get('result') in ('OK', 'EXPECTEDFAIL'):
                    passed += 1
                elif r.get('result') == 'SKIP':
                    skipped += 1
                else:
                    failed += 1
    except FileNotFoundError:
        failed += 1
try:
    root = ET.parse(os.path.join(d, 'functional.xml')).getroot()
    for tc in root.iter('testcase'):
        kinds = {c.tag for c in tc}
        if 'failure' in kinds or 'error' in kinds:
            failed += 1
        elif 'skipped' in kinds:
            skipped += 1
        else:
            passed += 1
except (FileNotFoundError, ET.ParseError):
    failed += 1
line = '%d passed, %d failed' % (passed, failed)
if skipped:
    line += ', %d skipped' % skipped
print(line)
sys.exit(1 if failed or passed == 0 else 0)
PY
