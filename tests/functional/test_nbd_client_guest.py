"""Debian's nbd-client (the Linux kernel's NBD client, /dev/nbd0) reads
and writes Tandem's NBD exports.

The sandbox has no nbd kernel module, so nbd-client runs inside a Linux
guest: tests/guest/build-nbd-client.sh packs Debian's nbd-client (with its
libraries), nbd.ko from the test guest's kernel package and busybox into
an initrd.  That guest boots in Tandem (TCG, virtio-net-pci on -netdev
user) and reaches the NBD server of a second Tandem process (-machine
none, QMP nbd-server-start on 127.0.0.1, seen from the guest as
10.0.2.2).  The host knows every byte of the exported images: it checks
what the guest reads (md5 of /dev/nbd0 ranges, O_DIRECT) and, after
nbd-client -d, what the guest wrote is in the image file and nothing else
changed.  Both of nbd-client's kernel interfaces are used (netlink, and
ioctls with -L), and two connections per device on the read-only export.
A read-only export refuses the guest's writes (and a raw client's, with
EPERM), and a guest that dies while connected leaves the server serving.

One guest boot (30 to 90 s with TCG, depending on the host's load) and one
server are shared by the module; each test connects and disconnects
itself, and the last one kills the guest.  The initrd is built, or found
up to date by its input stamp, in $TANDEM_NBD_GUEST_DIR (default
/tmp/tandem-nbd-guest).  A missing prerequisite is a failure, not a skip.
"""
import hashlib
import os
import re
import socket
import struct
import subprocess
import time

import pytest

from conftest import TANDEM, VM, require_binary
from guest import Guest, GuestConsole, free_port
from paths import SRC_DIR

NBD_GUEST_DIR = os.environ.get('TANDEM_NBD_GUEST_DIR',
                               '/tmp/tandem-nbd-guest')
BUILD_SCRIPT = os.path.join(SRC_DIR, 'tests/guest/build-nbd-client.sh')
NBD_CLIENT = '/usr/sbin/nbd-client'
MiB = 1 << 20
SIZE = 8 * MiB
BOOT_TIMEOUT = 400
CMD_TIMEOUT = 120
DIGEST_RE = re.compile(r'\b([0-9a-f]{32})\b')


def pattern(seed, size):
    """Deterministic, non-repeating bytes the host can recompute."""
    out = []
    for i in range(size // 32):
        out.append(hashlib.sha256(b'%s-%d' % (seed, i)).digest())
    return b''.join(out)


def digest(data):
    """md5, as the guest's busybox md5sum prints it: only a check for
    transfer corruption, and four times faster than busybox's sha256sum
    under TCG (about 1 MiB/s)."""
    return hashlib.md5(data).hexdigest()


def recv_exact(s, n):
    buf = b''
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        assert chunk, 'server closed the connection'
        buf += chunk
    return buf


def raw_request_errors(port, export, requests):
    """Opens @export with NBD_OPT_EXPORT_NAME on a plain socket (no
    client-side read-only check, unlike nbd-client or libnbd), sends
    simple requests (type, offset, payload or read length) and returns
    each simple reply's error field."""
    errors = []
    with socket.create_connection(('127.0.0.1', port), timeout=30) as s:
        hello = recv_exact(s, 18)
        assert hello[:16] == b'NBDMAGICIHAVEOPT', hello
        no_zeroes = struct.unpack('>H', hello[16:])[0] & 2
        s.sendall(struct.pack('>I', 1 | no_zeroes))
        name = export.encode()
        s.sendall(b'IHAVEOPT' + struct.pack('>II', 1, len(name)) + name)
        recv_exact(s, 10 if no_zeroes else 134)
        for handle, (kind, offset, arg) in enumerate(requests):
            payload = arg if kind == 1 else b''
            length = len(arg) if kind == 1 else arg
            s.sendall(struct.pack('>IHHQQI', 0x25609513, 0, kind, handle,
                                  offset, length) + payload)
            magic, error, got = struct.unpack('>IIQ', recv_exact(s, 16))
            assert magic == 0x67446698 and got == handle, (magic, got)
            if error == 0 and kind == 0:
                recv_exact(s, length)
            errors.append(error)
        s.sendall(struct.pack('>IHHQQI', 0x25609513, 0, 2, 99, 0, 0))
    return errors


class NbdGuest(Guest):
    """The NBD client guest on Tandem's serial console (Guest's run(),
    expect(), close() on another kernel/initrd pair)."""

    def __init__(self, guest_dir, args, binary=TANDEM):
        self.argv = [binary, '-accel', 'tcg', '-m', '256', '-nographic',
                     '-no-reboot',
                     '-kernel', os.path.join(guest_dir, 'bzImage'),
                     '-initrd', os.path.join(guest_dir, 'initrd.img'),
                     '-append', 'console=ttyS0 quiet'] + list(args)
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.con = GuestConsole(self.proc)
        self._seq = 0

    def wait_ready(self, timeout=BOOT_TIMEOUT):
        self.con.expect('TANDEM-NBD-GUEST-READY', timeout)
        return self

    def sh(self, cmd, timeout=CMD_TIMEOUT):
        """Runs @cmd; returns (exit status, output)."""
        out = self.run('%s; echo "rc=$?"' % cmd, timeout)
        m = re.search(r'rc=(\d+)\s*$', out)
        assert m, 'no exit status in %r' % out
        return int(m.group(1)), out[:m.start()]

    def ok(self, cmd, timeout=CMD_TIMEOUT):
        rc, out = self.sh(cmd, timeout)
        assert rc == 0, '%r failed (%d): %s' % (cmd, rc, out)
        return out

    def connect(self, port, export, opts=''):
        out = self.ok('nbd-client 10.0.2.2 %d /dev/nbd0 -N %s %s' %
                      (port, export, opts))
        if '-L' not in opts.split():
            # the netlink path; with -L (ioctls) nbd-client says less
            assert 'Connected /dev/nbd0' in out, out
        return out

    def disconnect(self):
        self.ok('nbd-client -d /dev/nbd0')
        # The kernel drops the device's size once the socket is gone, and
        # with -L the nbd-client daemon exits then: wait up to 10 s.
        out = self.ok('n=0; while { [ "$(cat /sys/block/nbd0/size)" != 0 ]'
                      ' || pidof nbd-client >/dev/null; } && [ $n -lt 100 ];'
                      ' do sleep 0.1; n=$((n + 1)); done;'
                      ' cat /sys/block/nbd0/size; pidof nbd-client; true')
        assert out.split() == ['0'], 'still connected: %r' % out

    def read_digest(self, offset, length):
        """md5 of @length bytes of /dev/nbd0 at @offset, read with
        O_DIRECT so that every byte crosses the wire."""
        bs = next(b for b in (MiB, 65536, 4096, 512)
                  if offset % b == 0 and length % b == 0)
        out = self.ok('dd if=/dev/nbd0 bs=%d skip=%d count=%d iflag=direct'
                      ' 2>/dev/null | md5sum' %
                      (bs, offset // bs, length // bs))
        m = DIGEST_RE.search(out)
        assert m, out
        return m.group(1)

    def write_random(self, offset, length):
        """Writes @length random bytes at @offset of /dev/nbd0 (O_DIRECT,
        then fsync: NBD_CMD_FLUSH); returns their md5."""
        bs = next(b for b in (MiB, 65536, 4096, 512)
                  if offset % b == 0 and length % b == 0)
        self.ok('dd if=/dev/urandom of=/tmp/w bs=%d count=%d 2>/dev/null'
                % (bs, length // bs))
        self.ok('dd if=/tmp/w of=/dev/nbd0 bs=%d seek=%d oflag=direct'
                ' conv=notrunc,fsync' % (bs, offset // bs))
        m = DIGEST_RE.search(self.ok('md5sum /tmp/w'))
        assert m
        return m.group(1)


class Server:
    """The Tandem process exporting two images: "disk" (writable, the
    contents tracked in self.expect) and "ro" (read-only)."""

    def __init__(self, tmp):
        self.rw_path = str(tmp / 'rw.raw')
        self.ro_path = str(tmp / 'ro.raw')
        self.expect = bytearray(pattern(b'rw', SIZE))
        self.ro_data = pattern(b'ro', SIZE)
        with open(self.rw_path, 'wb') as f:
            f.write(self.expect)
        with open(self.ro_path, 'wb') as f:
            f.write(self.ro_data)
        self.port = free_port()
        self.vm = VM(tmp, ['-machine', 'none', '-nodefaults',
                           '-display', 'none',
                           '-drive', 'if=none,id=drive0,driver=raw,'
                           'file.filename=%s' % self.rw_path,
                           '-drive', 'if=none,id=drive1,driver=raw,'
                           'file.filename=%s' % self.ro_path],
                     name='nbd-server')

    def start(self):
        self.vm.launch()
        self.q = self.vm.qmp()
        self.q.command('nbd-server-start', addr={
            'type': 'inet',
            'data': {'host': '127.0.0.1', 'port': str(self.port)}})
        for args in ({'device': 'drive0', 'name': 'disk', 'writable': True},
                     {'device': 'drive1', 'name': 'ro'}):
            r = self.q.cmd_raw('nbd-server-add', args)
            assert r == {'return': {}}, r

    def image(self, path=None):
        with open(path or self.rw_path, 'rb') as f:
            return f.read()

    def check_writes(self, writes, digests):
        """The image holds the guest's writes (given by digest) and
        otherwise exactly what it held before."""
        data = self.image()
        assert len(data) == SIZE
        for (off, n), want in zip(writes, digests):
            assert digest(data[off:off + n]) == want, \
                'write at %d lost' % off
            self.expect[off:off + n] = data[off:off + n]
        assert data == bytes(self.expect)

    def assert_alive(self):
        assert self.vm.proc.poll() is None, self.vm.read_stderr()
        ids = sorted(e['id'] for e in
                     self.q.command('query-block-exports'))
        assert ids == ['disk', 'ro']


@pytest.fixture(scope='module')
def guest_dir():
    require_binary(TANDEM)
    require_binary(NBD_CLIENT)
    require_binary('apt-get')
    require_binary('dpkg-deb')
    try:
        r = subprocess.run([BUILD_SCRIPT, NBD_GUEST_DIR],
                           capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        pytest.fail('%s timed out' % BUILD_SCRIPT)
    if r.returncode != 0:
        pytest.fail('%s %s failed:\n%s' % (BUILD_SCRIPT, NBD_GUEST_DIR,
                                           r.stderr))
    return NBD_GUEST_DIR


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp('nbd-client-guest'))
    try:
        srv.start()
        yield srv
    finally:
        srv.vm.shutdown()


@pytest.fixture(scope='module')
def guest(guest_dir, server):
    g = NbdGuest(guest_dir, ['-netdev', 'user,id=n0',
                             '-device', 'virtio-net-pci,netdev=n0'])
    try:
        g.wait_ready()
        yield g
    finally:
        g.close()


def test_list_connect_size(guest, server):
    out = guest.ok('nbd-client -l 10.0.2.2 %d' % server.port)
    assert {'disk', 'ro'} <= set(out.split()), out
    guest.connect(server.port, 'disk')
    try:
        out = guest.ok('blockdev --getsize64 /dev/nbd0')
        assert out.strip() == str(SIZE)
        assert guest.ok('cat /sys/block/nbd0/ro').strip() == '0'
    finally:
        guest.disconnect()
    server.assert_alive()


def test_guest_reads_host_data(guest, server):
    guest.connect(server.port, 'disk')
    try:
        # the whole image, as the host wrote it before the guest started
        assert guest.read_digest(0, SIZE) == digest(server.expect)
        # an unaligned run of sectors
        off, n = 12345 * 512, 77 * 512
        want = digest(server.expect[off:off + n])
        assert guest.read_digest(off, n) == want
        # the host writes through Tandem while the guest is connected;
        # the guest's next O_DIRECT read sees it
        off = 3 * MiB + 4096
        out = server.q.hmp('qemu-io drive0 "write -P 0xc3 %d 65536"' % off)
        assert 'wrote 65536/65536' in out, out
        server.expect[off:off + 65536] = b'\xc3' * 65536
        assert guest.read_digest(off - 4096, 65536 + 8192) == \
            digest(server.expect[off - 4096:off + 65536 + 4096])
    finally:
        guest.disconnect()
    server.assert_alive()


def test_guest_writes_reach_image(guest, server):
    writes = [(5 * MiB, MiB),           # large: split into many requests
              (2345 * 512, 7 * 512),    # unaligned sectors
              (SIZE - 4096, 4096)]      # the last block
    guest.connect(server.port, 'disk')
    try:
        digests = [guest.write_random(off, n) for off, n in writes]
        for (off, n), want in zip(writes, digests):
            assert guest.read_digest(off, n) == want
    finally:
        guest.disconnect()
    server.check_writes(writes, digests)
    # a second connection reads what the first wrote
    guest.connect(server.port, 'disk')
    try:
        assert guest.read_digest(0, SIZE) == digest(server.expect)
    finally:
        guest.disconnect()
    server.assert_alive()


def test_ioctl_path_and_multi_conn(guest, server):
    """nbd-client's other kernel interface (-L: ioctls and a daemon
    instead of netlink) with 4 KiB blocks; and two connections to one
    device, which the kernel allows for the read-only export (Tandem
    advertises NBD_FLAG_CAN_MULTI_CONN there, as QEMU 7.2 does)."""
    writes = [(3 * 4096, 5 * 4096), (SIZE // 2, 65536)]
    guest.connect(server.port, 'disk', '-L -b 4096')
    try:
        out = guest.ok('cat /sys/block/nbd0/queue/logical_block_size')
        assert out.strip() == '4096'
        digests = [guest.write_random(off, n) for off, n in writes]
        for (off, n), want in zip(writes, digests):
            assert guest.read_digest(off, n) == want
    finally:
        guest.disconnect()
    server.check_writes(writes, digests)
    guest.connect(server.port, 'ro', '-C 2')
    try:
        assert guest.read_digest(0, SIZE) == digest(server.ro_data)
    finally:
        guest.disconnect()
    server.assert_alive()


def test_read_only_export_refuses_writes(guest, server):
    guest.connect(server.port, 'ro')
    try:
        assert guest.ok('cat /sys/block/nbd0/ro').strip() == '1'
        rc, out = guest.sh('dd if=/dev/zero of=/dev/nbd0 bs=4096 count=1'
                           ' oflag=direct conv=notrunc')
        assert rc != 0, out
        assert ('Operation not permitted' in out or
                'I/O error' in out), out
        assert guest.read_digest(0, MiB) == digest(server.ro_data[:MiB])
    finally:
        guest.disconnect()
    # the guest's kernel obeyed NBD_FLAG_READ_ONLY; a client that does
    # not is refused by the server itself (EPERM = 1) and can go on reading
    assert raw_request_errors(server.port, 'ro', [
        (1, 0, b'\xee' * 4096), (0, 0, 4096)]) == [1, 0]
    assert server.image(server.ro_path) == server.ro_data
    server.assert_alive()


def test_guest_dies_while_connected(guest, server):
    """Last: the guest's VMM is killed with /dev/nbd0 attached and writes
    in flight; the server drops that connection, serves a new client
    (qemu-io over nbd://) and then lets the export be removed safely."""
    require_binary('qemu-io')
    guest.connect(server.port, 'disk')
    guest.send('dd if=/dev/urandom of=/dev/nbd0 bs=65536 seek=96 count=16'
               ' oflag=direct conv=notrunc')
    time.sleep(1)
    guest.close()
    off = 3 * MiB + 4096
    r = subprocess.run(['qemu-io', '-r', '-f', 'raw',
                        '-c', 'read -P 0xc3 %d 65536' % off,
                        'nbd://127.0.0.1:%d/disk' % server.port],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and 'read 65536/65536' in r.stdout, \
        r.stdout + r.stderr
    assert 'Pattern verification failed' not in r.stdout
    server.assert_alive()
    # the dead client's connection goes away: a safe removal succeeds
    deadline = time.monotonic() + 30
    while True:
        r = server.q.cmd_raw('nbd-server-remove', {'name': 'disk'})
        if 'return' in r:
            break
        assert 'still in use' in r['error']['desc'], r
        assert time.monotonic() < deadline, 'export stays in use: %s' % r
        time.sleep(0.2)
    assert [e['id'] for e in server.q.command('query-block-exports')] == \
        ['ro']
    # the bytes outside the dead guest's last writes are untouched
    data = server.image()
    assert data[:6 * MiB] == bytes(server.expect[:6 * MiB])
    assert data[7 * MiB:] == bytes(server.expect[7 * MiB:])
