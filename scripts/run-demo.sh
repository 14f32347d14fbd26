#!/bin/sh
# The main job: installs dependencies, builds Tandem and the test guest,
# then runs the COLO demo (scripts/colo-demo.py): a PVM/SVM pair of the
# test guest in network namespaces it creates, client traffic, the
# checkpoints and their statistics, the primary killed, failover, the
# client still served, a summary of the measured figures, and clean-up.
#
#   scripts/run-demo.sh [--no-deps] [colo-demo.py options]
#
# Needs root (namespaces, taps), as does every COLO deployment.
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"
if [ "${1:-}" = "--no-deps" ]; then
    shift
else
    scripts/install-deps.sh
fi
[ -f build/build.ninja ] || ./configure
ninja -C build
echo "== Test guest: Debian's kernel + busybox (tests/guest/build.sh)"
tests/guest/build.sh "${TANDEM_GUEST_DIR:-/tmp/tandem-guest}"
exec /usr/bin/python3 scripts/colo-demo.py "$@"
