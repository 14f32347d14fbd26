"""The test guest on virtio-net-pci with -netdev user, on Tandem: eth0
is configured by DHCP from the user network's server, httpd in the guest
serves / and the 1 MiB file to the host through hostfwd (checksummed),
the echo service answers through a second hostfwd, and `set_link` on the
netdev pulls the cable as the guest sees it (carrier 0) and back.

One boot is shared by the module; tests run in file order.
"""
import hashlib
import os
import socket
import threading
import urllib.request

import pytest

from conftest import TANDEM
from guest import Guest, build_guest, free_port
from qmp import QMPClient


@pytest.fixture(scope='module')
def vm(tmp_path_factory):
    build_guest()
    tmp = tmp_path_factory.mktemp('net-user')
    qmp_path = os.path.join(str(tmp), 'qmp.sock')
    http, echo = free_port(), free_port()
    netdev = ('user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80,'
              'hostfwd=tcp:127.0.0.1:%d-:7' % (http, echo))
    g = Guest(['-netdev', netdev, '-device', 'virtio-net-pci,netdev=n0',
               '-qmp', 'unix:%s,server=on,wait=off' % qmp_path],
              append='tandem.ip=dhcp', binary=TANDEM)
    try:
        g.wait_ready()
        g.http, g.echo = http, echo
        g.qmp_path = qmp_path
        yield g
    finally:
        g.close()


def http_get(port, path):
    url = 'http://127.0.0.1:%d%s' % (port, path)
    with urllib.request.urlopen(url, timeout=60) as r:
        assert r.status == 200
        return r.read()


def test_dhcp_address(vm):
    out = vm.run('ip -4 -o addr show dev eth0; ip route show default')
    assert 'inet 10.0.2.15/24' in out
    assert 'default via 10.0.2.2' in out


def test_http_through_hostfwd(vm):
    assert b'Tandem test guest' in http_get(vm.http, '/')
    data = http_get(vm.http, '/1M.bin')
    want = http_get(vm.http, '/1M.sha256').strip().decode()
    assert len(data) == 1048576
    assert hashlib.sha256(data).hexdigest() == want


def test_echo_through_hostfwd(vm):
    payload = os.urandom(200000)
    with socket.create_connection(('127.0.0.1', vm.echo), timeout=60) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        got = b''
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    assert got == payload


def test_bulk_echo_offloads(vm):
    """2 MiB both ways through the echo service: the bytes are the same,
    and the guest handles far fewer packets than 1460-byte segments would
    need (received TCP coalesced into 64 KiB frames, its 64 KiB sends
    acknowledged once each)."""
    stat = '/sys/class/net/eth0/statistics/rx_packets'
    before = int(vm.run('cat ' + stat))
    payload = os.urandom(2 << 20)
    with socket.create_connection(('127.0.0.1', vm.echo), timeout=120) as s:
        sender = threading.Thread(target=s.sendall, args=(payload,))
        sender.start()
        got = bytearray()
        while len(got) < len(payload):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        sender.join()
    assert bytes(got) == payload
    segments = len(payload) // 1460
    received = int(vm.run('cat ' + stat)) - before
    assert received < segments // 2, received


def test_set_link_reaches_guest(vm):
    qmp = QMPClient(vm.qmp_path)
    try:
        assert vm.run('cat /sys/class/net/eth0/carrier') == '1'
        assert 'return' in qmp.cmd_raw('set_link', {'name': 'n0', 'up': False})
        assert vm.run('sleep 0.5; cat /sys/class/net/eth0/carrier') == '0'
        assert 'return' in qmp.cmd_raw('set_link', {'name': 'n0', 'up': True})
        assert vm.run('sleep 0.5; cat /sys/class/net/eth0/carrier') == '1'
        # the link works again
        assert b'Tandem test guest' in http_get(vm.http, '/')
    finally:
        qmp.close()


def test_poweroff(vm):
    assert vm.poweroff() == 0
