#!/bin/bash
# Build the NBD client guest: OUTDIR/bzImage and OUTDIR/initrd.img, a Linux
# guest whose only job is to run Debian's nbd-client against an NBD server
# on the host (tests/functional/test_nbd_client_guest.py).
#
# Usage: tests/guest/build-nbd-client.sh OUTDIR
#
# Inputs, all from Debian 12 packages plus tests/guest/nbd-client-init:
#   linux-image-6.1.0-N-amd64  chosen exactly as tests/guest/build.sh does
#                              (newest N, or $TANDEM_GUEST_KERNEL), so the
#                              kernel is the test guest's; its nbd.ko and
#                              the virtio-net modules go into the initrd
#   busybox-static             the shell and coreutils (dd, sha256sum)
#   nbd-client                 /usr/sbin/nbd-client as installed on the host
#                              by scripts/install-deps.sh, with the shared
#                              libraries ldd names and the dynamic loader
# Kernel and busybox packages are fetched with `apt-get download` (never
# installed) into OUTDIR/.cache/debs; a copy already downloaded by build.sh
# into $TANDEM_GUEST_DIR/.cache/debs (default /tmp/tandem-guest) is used
# instead when present.  A stamp of every input is kept in OUTDIR/.stamp; a
# second run with unchanged inputs only prints "up to date".
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
SRC=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
CACHE=$OUT/.cache
SHARED_DEBS=${TANDEM_GUEST_DIR:-/tmp/tandem-guest}/.cache/debs
PY=/usr/bin/python3
NBD_CLIENT=/usr/sbin/nbd-client
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
         virtio_pci failover net_failover virtio_net nbd"

die() {
    echo "build-nbd-client.sh: $*" >&2
    exit 1
}

candidate() {
    apt-cache policy "$1" | awk '/Candidate:/ { print $2 }'
}

[ -x "$NBD_CLIENT" ] ||
    die "$NBD_CLIENT missing: run scripts/install-deps.sh (nbd-client)"
KPKG=${TANDEM_GUEST_KERNEL:-$(apt-cache search --names-only \
        '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{ print $1 }' |
        sort -V | tail -n 1)}
[ -n "$KPKG" ] || die "no linux-image-6.1.0-*-amd64 package known to apt-cache"
KVER=${KPKG#linux-image-}
KPKG_VER=$(candidate "$KPKG")
BB_VER=$(candidate busybox-static)
NBD_VER=$(dpkg-query -W -f='${Version}' nbd-client 2>/dev/null || true)
if [ -z "$KPKG_VER" ] || [ "$KPKG_VER" = "(none)" ]; then
    die "$KPKG: no candidate"
fi
if [ -z "$BB_VER" ] || [ "$BB_VER" = "(none)" ]; then
    die "busybox-static: no candidate"
fi
[ -n "$NBD_VER" ] || die "nbd-client is not installed as a Debian package"

# The shared libraries nbd-client loads (and the loader itself), as paths.
LIBS=$(ldd "$NBD_CLIENT" | awk '
    $2 == "=>" && $3 ~ /^\// { print $3 }
    $1 ~ /^\// { print $1 }' | sort -u)
[ -n "$LIBS" ] || die "ldd $NBD_CLIENT printed no libraries"

# shellcheck disable=SC2086
STAMP=$( (echo "$KPKG=$KPKG_VER busybox-static=$BB_VER nbd-client=$NBD_VER"
          sha256sum "$NBD_CLIENT" $LIBS
          cd "$SRC" && cat build-nbd-client.sh nbd-client-init mkinitrd.py) |
        sha256sum | cut -d' ' -f1)
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$STAMP" ] &&
   [ -f "$OUT/bzImage" ] && [ -f "$OUT/initrd.img" ]; then
    echo "build-nbd-client.sh: $OUT is up to date ($KPKG $KPKG_VER)"
    exit 0
fi
rm -f "$OUT/.stamp"

# 1. Packages (cached per version).
find_deb() {
    local f
    for f in "$1/${2}_${3}_"*.deb; do
        if [ -f "$f" ]; then
            echo "$f"
            return
        fi
    done
}
fetch() {
    local pkg=$1 ver=$2 deb
    # apt-get download spells the epoch colon "%3a" in file names.
    ver=${ver/:/%3a}
    deb=$(find_deb "$CACHE/debs" "$pkg" "$ver")
    [ -n "$deb" ] || deb=$(find_deb "$SHARED_DEBS" "$pkg" "$ver")
    if [ -z "$deb" ]; then
        mkdir -p "$CACHE/debs"
        (cd "$CACHE/debs" && apt-get download -q "$pkg=$2" >&2) ||
            die "apt-get download $pkg=$2 failed"
        deb=$(find_deb "$CACHE/debs" "$pkg" "$ver")
    fi
    [ -n "$deb" ] || die "no .deb for $pkg=$2"
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

# 2. Root file system.
R=$WORK/root
mkdir -p "$R"/{bin,sbin,usr/sbin,etc,proc,sys,dev,tmp,run,root,lib/modules}
cp "$WORK/busybox/bin/busybox" "$R/bin/busybox"
for applet in $("$R/bin/busybox" --list); do
    [ -e "$R/bin/$applet" ] || ln -s busybox "$R/bin/$applet"
done
install -m 0755 "$SRC/nbd-client-init" "$R/init"
install -m 0755 "$NBD_CLIENT" "$R/usr/sbin/nbd-client"
for lib in $LIBS; do
    # Same path as on the host: the loader path is built into the binary
    # and the libraries are found in the loader's default directories.
    mkdir -p "$R$(dirname "$lib")"
    cp -L "$lib" "$R$lib"
done
# /lib64/ld-linux-x86-64.so.2 must exist under that name.
[ -e "$R/lib64/ld-linux-x86-64.so.2" ] ||
    die "the dynamic loader was not among ldd's output"
# shellcheck disable=SC2086
$PY "$SRC/mkinitrd.py" modorder "$MODDIR" $MODULES > "$WORK/modorder"
while read -r mod path; do
    cp "$path" "$R/lib/modules/$mod.ko"
    echo "$mod"
done < "$WORK/modorder" > "$R/etc/modules.order"
echo "root:x:0:0:root:/root:/bin/sh" > "$R/etc/passwd"
echo "root:x:0:" > "$R/etc/group"
echo "127.0.0.1 localhost" > "$R/etc/hosts"
echo "$KPKG $KPKG_VER nbd-client $NBD_VER" > "$R/etc/tandem-nbd-guest"

# 3. Outputs.
$PY "$SRC/mkinitrd.py" cpio "$R" "$OUT/initrd.img"
cp "$WORK/kernel/boot/vmlinuz-$KVER" "$OUT/bzImage.tmp"
mv "$OUT/bzImage.tmp" "$OUT/bzImage"
echo "$KPKG $KPKG_VER" > "$OUT/kernel-version"
echo "$NBD_VER" > "$OUT/nbd-client-version"
rm -rf "$WORK"
echo "$STAMP" > "$OUT/.stamp"
echo "build-nbd-client.sh: built $OUT/bzImage and $OUT/initrd.img" \
     "($KPKG $KPKG_VER, nbd-client $NBD_VER)"
