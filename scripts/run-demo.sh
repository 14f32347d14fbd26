#!/bin/sh
# The main job.  Installs dependencies, builds Tandem, and runs the demo.
#
# Today the demo starts the VMM with "-machine none" and a QMP socket and
# shows a short QMP conversation; it turns into the COLO pair demo (PVM
# and SVM of the test guest in network namespaces, client traffic,
# checkpoints, failover) as those parts land.
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"
[ "${1:-}" = "--no-deps" ] || scripts/install-deps.sh
[ -f build/build.ninja ] || ./configure
ninja -C build

tmp=$(mktemp -d)
sock="$tmp/qmp.sock"
build/qemu-system-x86_64 -machine none -nodefaults -display none \
    -qmp "unix:$sock,server=on,wait=off" -name tandem-demo &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

echo "Tandem is running (pid $pid) with a QMP socket at $sock"
echo "A short QMP conversation:"
/usr/bin/python3 - "$sock" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile('rwb', buffering=0)
def show(line):
    print('  <- ' + line.decode().rstrip())
show(f.readline())
for req in [{'execute': 'qmp_capabilities'},
            {'execute': 'query-version'},
            {'execute': 'query-status'},
            {'execute': 'human-monitor-command',
             'arguments': {'command-line': 'info name'}},
            {'execute': 'quit'}]:
    line = json.dumps(req)
    print('  -> ' + line)
    f.write(line.encode() + b'\n')
    while True:
        reply = f.readline()
        if not reply:
            sys.exit(0)
        show(reply)
        if b'"event"' not in reply:
            break
PY
wait $pid 2>/dev/null || true
echo "To talk to it yourself:"
echo "  build/qemu-system-x86_64 -machine none -qmp unix:/tmp/qmp.sock,server=on,wait=off &"
echo "  socat - UNIX-CONNECT:/tmp/qmp.sock   (or any QMP client)"
