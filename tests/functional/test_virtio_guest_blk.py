"""The test guest's virtio-blk disks keep what it writes across boots,
on Tandem, for three images at once: raw, qcow2 made by Debian's
`qemu-img create -f qcow2`, and a qcow2 overlay whose backing file is
raw.  The first boot writes 256 numbered records (recwriter, O_DIRECT +
O_SYNC) to each disk and checksums the first MiB; the guest powers off;
a second boot finds the same records and checksums; the host's checksum
of the image contents (qemu-img convert to raw for qcow2) agrees, the
overlay's backing file is unchanged and `qemu-img check` finds no errors.
"""
import hashlib
import os
import subprocess

import pytest

from conftest import TANDEM, require_binary
from guest import Guest, build_guest

QEMU_IMG = '/usr/bin/qemu-img'
SIZE = 16 << 20
RECORDS = 256           # 128 KiB of 512-byte records
DISKS = ('vda', 'vdb', 'vdc')


def sha_mib(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read(1 << 20)).hexdigest()


def image_sha(path, fmt, tmp):
    if fmt == 'raw':
        return sha_mib(path)
    out = os.path.join(tmp, os.path.basename(path) + '.raw')
    subprocess.run([QEMU_IMG, 'convert', '-f', fmt, '-O', 'raw', path, out],
                   check=True, timeout=60)
    return sha_mib(out)


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    require_binary(QEMU_IMG)
    build_guest()
    tmp = str(tmp_path_factory.mktemp('blk'))
    raw = os.path.join(tmp, 'disk.raw')
    with open(raw, 'wb') as f:
        f.truncate(SIZE)
    qcow = os.path.join(tmp, 'disk.qcow2')
    subprocess.run([QEMU_IMG, 'create', '-q', '-f', 'qcow2', qcow,
                    str(SIZE)], check=True, timeout=30)
    base = os.path.join(tmp, 'base.raw')
    with open(base, 'wb') as f:
        f.write(bytes(range(256)) * (SIZE // 256))
    overlay = os.path.join(tmp, 'overlay.qcow2')
    subprocess.run([QEMU_IMG, 'create', '-q', '-f', 'qcow2', '-b', base,
                    '-F', 'raw', overlay], check=True, timeout=30)
    return {'tmp': tmp, 'base': base, 'base_sha': sha_mib(base),
            'base_full': hashlib.sha256(open(base, 'rb').read()).hexdigest(),
            'disks': [(raw, 'raw'), (qcow, 'qcow2'), (overlay, 'qcow2')]}


def boot(images):
    args = []
    for i, (path, fmt) in enumerate(images['disks']):
        args += ['-drive', 'file=%s,if=none,id=d%d,format=%s' % (
                     path, i, fmt),
                 '-device', 'virtio-blk-pci,drive=d%d,addr=0%d.0' % (i, 4 + i)]
    return Guest(args, binary=TANDEM).wait_ready()


def guest_sha(g, dev):
    out = g.run('dd if=/dev/%s bs=64k count=16 2>/dev/null | sha256sum'
                % dev, timeout=120)
    return out.split()[0]


@pytest.fixture(scope='module')
def written(images):
    g = boot(images)
    try:
        sums = {}
        # the overlay starts with the backing file's contents
        assert guest_sha(g, 'vdc') == images['base_sha']
        for dev in DISKS:
            out = g.run('recwriter /dev/%s %d | tail -n 1' % (dev, RECORDS),
                        timeout=300)
            assert out == 'ACK %d' % (RECORDS - 1)
            sums[dev] = guest_sha(g, dev)
        assert g.poweroff() == 0
    finally:
        g.close()
    return sums


def test_second_boot_reads_the_records(images, written):
    g = boot(images)
    try:
        for dev in DISKS:
            out = g.run('recwriter -c /dev/%s' % dev, timeout=120)
            assert out == 'LAST %d' % (RECORDS - 1)
            assert guest_sha(g, dev) == written[dev]
        assert g.poweroff() == 0
    finally:
        g.close()


def test_host_checksums_agree(images, written):
    for dev, (path, fmt) in zip(DISKS, images['disks']):
        assert image_sha(path, fmt, images['tmp']) == written[dev], dev
    with open(images['base'], 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest() == images['base_full']


def test_qemu_img_check(images, written):
    for path, fmt in images['disks'][1:]:
        r = subprocess.run([QEMU_IMG, 'check', '-f', fmt, path],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert 'No errors were found' in r.stdout
