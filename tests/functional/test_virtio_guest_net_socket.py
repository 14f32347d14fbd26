"""Two Tandem guests whose virtio-net NICs are joined by -netdev socket
(one listens on a localhost TCP port, the other connects) ping each
other and exchange TCP (a page from the other guest's httpd).  The
guests' addresses exist only on that virtual link.
"""
import time

import pytest

from conftest import TANDEM
from guest import Guest, build_guest, free_port


def wait_listening(port, proc, timeout=30):
    """Until something listens on 127.0.0.1:@port (read from
    /proc/net/tcp: a test connection would take the netdev's one peer
    slot).  The connecting side exits at once if nobody listens yet."""
    want = '0100007F:%04X' % port
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, 'the listening guest exited'
        with open('/proc/net/tcp') as f:
            for line in f:
                cols = line.split()
                if cols[1] == want and cols[3] == '0A':     # LISTEN
                    return
        time.sleep(0.05)
    raise AssertionError('nothing listens on port %d' % port)


@pytest.fixture(scope='module')
def pair():
    build_guest()
    port = free_port()
    guests = []
    try:
        for i, role in enumerate(('listen', 'connect')):
            netdev = 'socket,id=n0,%s=127.0.0.1:%d' % (role, port)
            guests.append(Guest(
                ['-netdev', netdev, '-device',
                 'virtio-net-pci,netdev=n0,mac=52:54:00:12:34:%02x' % (i + 1)],
                append='tandem.ip=10.0.2.%d/24' % (i + 1), binary=TANDEM))
            if role == 'listen':
                wait_listening(port, guests[0].proc)
        for g in guests:
            g.wait_ready()
        yield guests
    finally:
        for g in guests:
            g.close()


def test_ping_both_ways(pair):
    a, b = pair
    out = a.run('ping -c 3 -W 10 10.0.2.2 | grep -c "bytes from"',
                timeout=120)
    assert out == '3'
    out = b.run('ping -c 3 -W 10 10.0.2.1 | grep -c "bytes from"',
                timeout=120)
    assert out == '3'


def test_tcp_between_guests(pair):
    a, b = pair
    out = b.run('wget -q -O - http://10.0.2.1/1M.bin | sha256sum; '
                'cat /www/1M.sha256', timeout=300)
    got, want = out.split('\n')[0].split()[0], out.split('\n')[-1].strip()
    assert got == want


def test_poweroff(pair):
    for g in pair:
        assert g.poweroff() == 0
