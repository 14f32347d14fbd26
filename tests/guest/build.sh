#!/bin/bash
# Build the Tandem test guest: OUTDIR/bzImage and OUTDIR/initrd.img.
#
# Usage: tests/guest/build.sh OUTDIR
#
# Inputs, all from Debian 12 packages plus our sources in tests/guest/:
#   linux-image-6.1.0-N-amd64  newest N known to apt-cache (override with
#                              TANDEM_GUEST_KERNEL=linux-image-6.1.0-N-amd64)
#   busybox-static             the guest userland
#   src/*.c                    static helpers: token (CGI), echod (port 7),
#                              dirtier (memory dirtier), recwriter (disk),
#                              randio (random disk I/O for bench/blk)
# The packages are fetched with `apt-get download` (never installed) into
# OUTDIR/.cache.  A stamp of every input is kept in OUTDIR/.stamp; a second
# run with unchanged inputs only prints "up to date".
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
SRC=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
CACHE=$OUT/.cache
PY=/usr/bin/python3
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
         virtio_pci failover net_failover virtio_net virtio_blk"

die() {
    echo "build.sh: $*" >&2
    exit 1
}

candidate() {
    apt-cache policy "$1" | awk '/Candidate:/ { print $2 }'
}

KPKG=${TANDEM_GUEST_KERNEL:-$(apt-cache search --names-only \
        '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{ print $1 }' |
        sort -V | tail -n 1)}
[ -n "$KPKG" ] || die "no linux-image-6.1.0-*-amd64 package known to apt-cache"
KVER=${KPKG#linux-image-}
KPKG_VER=$(candidate "$KPKG")
BB_VER=$(candidate busybox-static)
[ -n "$KPKG_VER" ] && [ "$KPKG_VER" != "(none)" ] || die "$KPKG: no candidate"
[ -n "$BB_VER" ] && [ "$BB_VER" != "(none)" ] || die "busybox-static: no candidate"

STAMP=$( (echo "$KPKG=$KPKG_VER busybox-static=$BB_VER $(gcc -dumpfullversion)"
          cd "$SRC" && cat build.sh init mkinitrd.py src/*.c) | sha256sum |
        cut -d' ' -f1)
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$STAMP" ] &&
   [ -f "$OUT/bzImage" ] && [ -f "$OUT/initrd.img" ]; then
    echo "build.sh: $OUT is up to date ($KPKG $KPKG_VER)"
    exit 0
fi
rm -f "$OUT/.stamp"

# 1. Packages (cached per version).
fetch() {
    local pkg=$1 ver=$2 deb
    # apt-get download spells the epoch colon "%3a" in file names.
    ver=${ver/:/%3a}
    deb=$(ls "$CACHE/debs/${pkg}_"*.deb 2>/dev/null | grep -F "_${ver}_" |
          head -n 1 || true)
    if [ -z "$deb" ]; then
        mkdir -p "$CACHE/debs"
        (cd "$CACHE/debs" && apt-get download -q "$pkg=$2" >&2) ||
            die "apt-get download $pkg=$2 failed"
        deb=$(ls "$CACHE/debs/${pkg}_"*.deb | grep -F "_${ver}_" |
              head -n 1)
    fi
    echo "$deb"
}
KDEB=$(fetch "$KPKG" "$KPKG_VER")
BBDEB=$(fetch busybox-static "$BB_VER")

WORK=$CACHE/work
rm -rf "$WORK"
mkdir -p "$WORK/kernel" "$WORK/busybox"
dpkg-deb -x "$KDEB" "$WORK/kernel"
dpkg-deb -x "$BBDEB" "$WORK/busybox"
[ -f "$WORK/kernel/boot/vmlinuz-$KVER" ] || die "$KDEB has no vmlinuz"
MODDIR=$WORK/kernel/lib/modules/$KVER
# Compressed modules (.ko.xz) are unpacked on the host.
find "$MODDIR" -name '*.ko.xz' -exec xz -d -f {} +

# 2. Our static helpers.
mkdir -p "$WORK/bin"
for c in "$SRC"/src/*.c; do
    gcc -static -Os -s -Wall -Werror -o "$WORK/bin/$(basename "$c" .c)" "$c"
done

# 3. Root file system.
R=$WORK/root
mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,lib/modules,www/cgi-bin}
cp "$WORK/busybox/bin/busybox" "$R/bin/busybox"
for applet in $("$R/bin/busybox" --list); do
    [ -e "$R/bin/$applet" ] || ln -s busybox "$R/bin/$applet"
done
install -m 0755 "$SRC/init" "$R/init"
install -m 0755 "$WORK/bin/echod" "$WORK/bin/dirtier" "$WORK/bin/recwriter" \
    "$WORK/bin/randio" \
    "$R/bin/"
install -m 0755 "$WORK/bin/token" "$R/www/cgi-bin/token"
# shellcheck disable=SC2086
$PY "$SRC/mkinitrd.py" modorder "$MODDIR" $MODULES > "$WORK/modorder"
while read -r mod path; do
    cp "$path" "$R/lib/modules/$mod.ko"
    echo "$mod"
done < "$WORK/modorder" > "$R/etc/modules.order"
echo "root:x:0:0:root:/root:/bin/sh" > "$R/etc/passwd"
echo "root:x:0:" > "$R/etc/group"
cat > "$R/www/index.html" <<HTML
<html><body><h1>Tandem test guest</h1><p>$KPKG $KPKG_VER</p></body></html>
HTML
$PY - "$R/www/1M.bin" <<'PYEOF'
import hashlib, sys
data = b''.join(hashlib.sha256(b'tandem-%d' % i).digest()
                for i in range(1048576 // 32))
open(sys.argv[1], 'wb').write(data)
open(sys.argv[1][:-4] + '.sha256', 'w').write(hashlib.sha256(data).hexdigest() + '\n')
PYEOF

# 4. Outputs.
$PY "$SRC/mkinitrd.py" cpio "$R" "$OUT/initrd.img"
cp "$WORK/kernel/boot/vmlinuz-$KVER" "$OUT/bzImage.tmp"
mv "$OUT/bzImage.tmp" "$OUT/bzImage"
echo "$KPKG $KPKG_VER" > "$OUT/kernel-version"
rm -rf "$WORK"
echo "$STAMP" > "$OUT/.stamp"
echo "build.sh: built $OUT/bzImage and $OUT/initrd.img ($KPKG $KPKG_VER)"
