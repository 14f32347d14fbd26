"""Boot the Tandem test guest (tests/guest/build.sh) in Debian's QEMU.

This checks the guest image itself, with real QEMU as the reference VMM:
it reaches TANDEM-GUEST-READY on ttyS0, the serial shell works, httpd
serves /, /1M.bin and a fresh /cgi-bin/token per request, the echo
service answers on port 7, and `poweroff -f` ends QEMU.

Run with Debian's interpreter:  /usr/bin/python3 -m pytest tests/functional
The image is built (or found up to date) in $TANDEM_GUEST_DIR, default
/tmp/tandem-guest.  A missing QEMU is a failure, not a skip.
"""
import hashlib
import os
import select
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
QEMU = '/usr/bin/qemu-system-x86_64'
GUEST_DIR = os.environ.get('TANDEM_GUEST_DIR', '/tmp/tandem-guest')
BOOT_TIMEOUT = 180


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Console:
    """Reads the serial console (QEMU's stdout) without blocking forever."""

    def __init__(self, proc):
        self.proc = proc
        self.buf = b''

    def expect(self, needle, timeout):
        needle = needle.encode()
        deadline = time.monotonic() + timeout
        while needle not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise AssertionError('did not see %r; console tail:\n%s' % (
                    needle, self.buf[-3000:].decode(errors='replace')))
            ready, _, _ = select.select([self.proc.stdout], [], [],
                                        min(left, 1.0))
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    continue
                self.buf += chunk
        idx = self.buf.index(needle) + len(needle)
        self.buf = self.buf[idx:]

    def send(self, line):
        self.proc.stdin.write(line.encode() + b'\n')
        self.proc.stdin.flush()


@pytest.fixture(scope='module')
def guest():
    assert os.access(QEMU, os.X_OK), 'Debian QEMU missing: %s' % QEMU
    subprocess.run([os.path.join(ROOT, 'tests/guest/build.sh'), GUEST_DIR],
                   check=True, stdout=subprocess.DEVNULL)
    http_port, echo_port = free_port(), free_port()
    disk = tempfile.NamedTemporaryFile(prefix='tandem-guest-disk-')
    disk.truncate(4 << 20)
    netdev = ('user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80,'
              'hostfwd=tcp:127.0.0.1:%d-:7' % (http_port, echo_port))
    proc = subprocess.Popen(
        [QEMU, '-accel', 'tcg', '-m', '512', '-nographic',
         '-kernel', os.path.join(GUEST_DIR, 'bzImage'),
         '-initrd', os.path.join(GUEST_DIR, 'initrd.img'),
         '-append', 'console=ttyS0 tandem.ip=10.0.2.15/24 tandem.gw=10.0.2.2'
                    ' tandem.dirty=8,4',
         '-netdev', netdev, '-device', 'virtio-net-pci,netdev=n0',
         '-drive', 'file=%s,if=none,id=d0,format=raw' % disk.name,
         '-device', 'virtio-blk-pci,drive=d0',
         '-no-reboot'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    con = Console(proc)
    try:
        con.expect('TANDEM-GUEST-READY', BOOT_TIMEOUT)
        yield {'con': con, 'proc': proc, 'http': http_port,
               'echo': echo_port}
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        disk.close()


def http_get(port, path):
    url = 'http://127.0.0.1:%d%s' % (port, path)
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.status == 200
        return r.read()


def test_serial_shell(guest):
    con = guest['con']
    con.send('echo shell-$((6 * 7)) && cat /proc/cmdline')
    con.expect('shell-42', 30)
    con.expect('tandem.ip=10.0.2.15/24', 30)


def test_virtio_modules_loaded(guest):
    con = guest['con']
    con.send("echo mods=$(cut -d' ' -f1 /proc/modules | sort | tr '\\n' ,)")
    con.expect('mods=failover,net_failover,virtio,virtio_blk,virtio_net,'
               'virtio_pci,virtio_pci_legacy_dev,virtio_pci_modern_dev,'
               'virtio_ring,', 30)


def test_dirtier_running(guest):
    con = guest['con']
    con.send('echo dirtier=$(pidof dirtier | wc -w)')
    con.expect('dirtier=1', 30)


def test_recwriter(guest):
    con = guest['con']
    con.send('recwriter /dev/vda 100 | tail -n 1; recwriter -c /dev/vda')
    con.expect('ACK 99', 60)
    con.expect('LAST 99', 60)


def test_http_index(guest):
    assert b'Tandem test guest' in http_get(guest['http'], '/')


def test_token_is_fresh(guest):
    a = http_get(guest['http'], '/cgi-bin/token').strip()
    b = http_get(guest['http'], '/cgi-bin/token').strip()
    assert a and b and a != b
    assert len(a.split(b'-')) == 4


def test_big_file(guest):
    data = http_get(guest['http'], '/1M.bin')
    want = http_get(guest['http'], '/1M.sha256').strip().decode()
    assert len(data) == 1048576
    assert hashlib.sha256(data).hexdigest() == want


def test_echo_port7(guest):
    payload = os.urandom(100000)
    with socket.create_connection(('127.0.0.1', guest['echo']),
                                  timeout=30) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        got = b''
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    assert got == payload


def test_poweroff(guest):
    guest['con'].send('poweroff -f')
    assert guest['proc'].wait(timeout=60) == 0
