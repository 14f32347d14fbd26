#!/bin/sh
# Installs dependencies, builds Tandem and runs the whole test suite:
# unit tests (meson test) and functional/end-to-end tests (pytest).
# Ends with one line "N passed, N failed[, N skipped]".
#
#   scripts/run-tests.sh [--no-deps] [--sanitizers] [PYTEST_ARGS...]
#
# The unit tests also run a second time under ASan/LSan/UBSan
# (build-sanitizers/); TANDEM_SANITIZERS=0 skips that pass.
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

# The unit tests again, built with AddressSanitizer, LeakSanitizer and
# UBSan in their own build dir; only the unit test executables are built
# there.  On by default; TANDEM_SANITIZERS=0 skips it (--sanitizers
# already builds the main dir that way).
asan_pass=0
if [ -z "$sanitize" ] && [ "${TANDEM_SANITIZERS:-1}" != 0 ]; then
    asan_pass=1
    asan=build-sanitizers
    asan_start=$(date +%s)
    if [ ! -f "$asan/build.ninja" ]; then
        ./configure --builddir="$asan" --enable-sanitizers \
            >"$results/asan-configure.log" 2>&1 ||
            tail -n 30 "$results/asan-configure.log"
    fi
    # configure records the last build dir; the main one stays the default
    echo "$builddir" > .builddir
    # regenerate first if meson.build files changed (new tests), so that
    # the introspected list is current
    ninja -C "$asan" build.ninja >"$results/asan-regen.log" 2>&1
    asan_targets=$(meson introspect "$asan" --tests 2>/dev/null |
        /usr/bin/python3 -c '
import json, os, sys
top = os.path.realpath(sys.argv[1])
for t in json.load(sys.stdin):
    if any(s.split(":")[-1] == "unit" for s in t["suite"]):
        print(os.path.relpath(t["cmd"][0], top))
' "$asan")
    # shellcheck disable=SC2086
    if [ -n "$asan_targets" ] &&
        ninja -C "$asan" $asan_targets >"$results/asan-build.log" 2>&1; then
        ASAN_OPTIONS=detect_leaks=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            meson test -C "$asan" --no-rebuild --suite unit \
            --print-errorlogs --num-processes 2 --logbase unit-asan \
            2>&1 | tail -n 40
        cp "$asan/meson-logs/unit-asan.json" "$results/unit-asan.json" \
            2>/dev/null
    else
        tail -n 30 "$results/asan-build.log" 2>/dev/null
        echo '{"name": "sanitizer-build", "result": "FAIL"}' \
            > "$results/unit-asan.json"
    fi
    echo "sanitizer unit pass: $(($(date +%s) - asan_start))s"
fi

# Functional and end-to-end tests (real processes, QMP, namespaces).
TANDEM_BUILD_DIR="$srcdir/$builddir" /usr/bin/python3 -m pytest \
    -p no:cacheprovider -q -rfE --junitxml="$results/functional.xml" \
    tests/functional tests/colo "$@"

/usr/bin/python3 - "$results" "$asan_pass" <<'PY'
import json, os, sys
import xml.etree.ElementTree as ET
d = sys.argv[1]
asan_pass = sys.argv[2] == '1'
passed = failed = skipped = 0
failures = []
for name in ('unit.json', 'unit-asan.json'):
    path = os.path.join(d, name)
    if name == 'unit-asan.json' and not asan_pass:
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
                    failures.append('%s %s (%s)' % (
                        name.split('.')[0], r.get('name'), r.get('result')))
                    # its last lines, so that a CI log's tail shows why
                    tail = (r.get('stdout') or '').splitlines()[-12:]
                    print('--- %s %s:' % (name, r.get('name')))
                    print('\n'.join('    ' + l for l in tail))
    except FileNotFoundError:
        failed += 1
        failures.append('%s: no results' % name)
try:
    root = ET.parse(os.path.join(d, 'functional.xml')).getroot()
    for tc in root.iter('testcase'):
        kinds = {c.tag for c in tc}
        if 'failure' in kinds or 'error' in kinds:
            failed += 1
            failures.append('functional %s::%s' % (tc.get('classname'),
                                                   tc.get('name')))
        elif 'skipped' in kinds:
            skipped += 1
        else:
            passed += 1
except (FileNotFoundError, ET.ParseError):
    failed += 1
    failures.append('functional: no results')
for f in failures:
    print('FAILED', f)
line = '%d passed, %d failed' % (passed, failed)
if skipped:
    line += ', %d skipped' % skipped
print(line)
sys.exit(1 if failed or passed == 0 else 0)
PY
