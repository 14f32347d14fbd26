#!/bin/sh
# Install everything Tandem needs to build and test, from Debian's archive.
# Idempotent: packages already present are skipped quickly.
set -e

BUILD_PKGS="build-essential pkg-config meson ninja-build python3 \
 libglib2.0-dev libslirp-dev libaio-dev libcap-ng-dev liblzma-dev libnbd-dev \
 zlib1g-dev"
TEST_PKGS="python3-pytest python3-libnbd iproute2 busybox-static cpio xz-utils \
 qemu-system-x86 qemu-utils nbd-client nbdkit valgrind acpica-tools"

missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done

if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi
