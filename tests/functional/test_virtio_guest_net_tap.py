"""The test guest on -netdev tap, on Tandem, talks TCP with a client in
another network namespace, both ways.  The test makes two namespaces of
its own: in the VM's, a bridge joins a tap (Tandem runs there under `ip
netns exec` and opens it) and one end of a veth pair; the other end is in
the client's namespace.  The client uses the guest's echo service and
downloads the 1 MiB file (checksummed); the guest downloads a file served
from the client namespace (checksummed).  The 10.77.0.0/24 addresses
exist only inside these namespaces, which a finalizer deletes.
"""
import hashlib
import os
import subprocess
import sys

import pytest

from conftest import TANDEM
from guest import Guest, build_guest

GUEST_IP = '10.77.0.2'
CLIENT_IP = '10.77.0.1'
ECHO_CLIENT = r'''
import os, socket, sys, time
payload = os.urandom(int(sys.argv[2]))
# The echo service starts in the background just before READY.
for attempt in range(40):
    try:
        s = socket.create_connection((sys.argv[1], 7), timeout=60)
        break
    except ConnectionRefusedError:
        if attempt == 39:
            raise
        time.sleep(0.5)
s.sendall(payload)
s.shutdown(socket.SHUT_WR)
got = b''
while True:
    c = s.recv(65536)
    if not c:
        break
    got += c
print('echo-ok' if got == payload else 'echo-bad %d' % len(got))
'''
HTTP_CLIENT = r'''
import hashlib, sys, urllib.request
data = urllib.request.urlopen(sys.argv[1], timeout=60).read()
print(len(data), hashlib.sha256(data).hexdigest())
'''


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True,
                          timeout=30)


def in_ns(ns, *argv, timeout=120):
    return subprocess.run(('ip', 'netns', 'exec', ns) + argv, check=True,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope='module')
def net(tmp_path_factory):
    tag = 'tio%d' % os.getpid()
    vm_ns, cli_ns = tag + '-vm', tag + '-cli'
    made = []
    try:
        for ns in (vm_ns, cli_ns):
            sh('ip', 'netns', 'add', ns)
            made.append(ns)
        sh('ip', 'link', 'add', 'veth0', 'netns', vm_ns, 'type', 'veth',
           'peer', 'name', 'veth1', 'netns', cli_ns)
        in_ns(vm_ns, 'ip', 'link', 'add', 'br0', 'type', 'bridge')
        in_ns(vm_ns, 'ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap')
        for dev in ('tap0', 'veth0'):
            in_ns(vm_ns, 'ip', 'link', 'set', dev, 'master', 'br0')
        for dev in ('lo', 'br0', 'tap0', 'veth0'):
            in_ns(vm_ns, 'ip', 'link', 'set', dev, 'up')
        in_ns(cli_ns, 'ip', 'addr', 'add', CLIENT_IP + '/24', 'dev', 'veth1')
        for dev in ('lo', 'veth1'):
            in_ns(cli_ns, 'ip', 'link', 'set', dev, 'up')
        yield {'vm': vm_ns, 'cli': cli_ns,
               'tmp': str(tmp_path_factory.mktemp('tap'))}
    finally:
        for ns in made:
            sh('ip', 'netns', 'del', ns, check=False)


@pytest.fixture(scope='module')
def vm(net):
    build_guest()
    g = Guest(['-netdev', 'tap,id=n0,ifname=tap0,script=no,downscript=no',
               '-device', 'virtio-net-pci,netdev=n0'],
              append='tandem.ip=%s/24' % GUEST_IP, binary=TANDEM,
              prefix=['ip', 'netns', 'exec', net['vm']])
    try:
        g.wait_ready()
        yield g
    finally:
        g.close()


def test_echo_from_client(net, vm):
    out = in_ns(net['cli'], sys.executable, '-c', ECHO_CLIENT, GUEST_IP,
                '300000').stdout
    assert out.strip() == 'echo-ok'


def test_client_downloads_from_guest(net, vm):
    out = in_ns(net['cli'], sys.executable, '-c', HTTP_CLIENT,
                'http://%s/1M.bin' % GUEST_IP).stdout.split()
    want = vm.run('cat /www/1M.sha256')
    assert out == ['1048576', want]


def test_guest_downloads_from_client(net, vm):
    path = os.path.join(net['tmp'], 'up.bin')
    data = os.urandom(1 << 20)
    with open(path, 'wb') as f:
        f.write(data)
    server = subprocess.Popen(
        ['ip', 'netns', 'exec', net['cli'], sys.executable, '-m',
         'http.server', '--bind', CLIENT_IP, '8080', '--directory',
         net['tmp']], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # attempts before the server listens fail: keep their errors
        # out of the output, which must start with the checksum
        out = vm.run('n=0; until wget -q -O /tmp/up.bin '
                     'http://%s:8080/up.bin 2>/dev/null || [ $n -ge 20 ]; '
                     'do '
                     'n=$((n+1)); sleep 0.5; done; sha256sum /tmp/up.bin'
                     % CLIENT_IP, timeout=300)
        assert out.split()[0] == hashlib.sha256(data).hexdigest()
    finally:
        server.kill()
        server.wait()


def test_tap_offloads(net, vm):
    """The tap carries vnet headers (the default): the guest gets QEMU's
    offloads (CSUM, GUEST_CSUM, HOST/GUEST_TSO4), and the tap, told by
    TUNSETOFFLOAD, hands the client's TCP stream over in large frames
    instead of one per 1448-byte segment."""
    bits = vm.run('cat /sys/bus/virtio/devices/virtio0/features').strip()
    for bit in (0, 1, 7, 11):      # CSUM GUEST_CSUM GUEST_TSO4 HOST_TSO4
        assert bits[bit] == '1', (bit, bits)
    path = os.path.join(net['tmp'], 'gso.bin')
    data = os.urandom(2 << 20)
    with open(path, 'wb') as f:
        f.write(data)
    server = subprocess.Popen(
        ['ip', 'netns', 'exec', net['cli'], sys.executable, '-m',
         'http.server', '--bind', CLIENT_IP, '8081', '--directory',
         net['tmp']], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stat = '/sys/class/net/eth0/statistics/rx_packets'
    try:
        out = vm.run('n=0; until wget -q -O /dev/null '
                     'http://%s:8081/ 2>/dev/null || [ $n -ge 20 ]; do '
                     'n=$((n+1)); sleep 0.5; done; cat %s; '
                     'wget -q -O /tmp/gso.bin http://%s:8081/gso.bin; '
                     'cat %s; sha256sum /tmp/gso.bin; rm /tmp/gso.bin'
                     % (CLIENT_IP, stat, CLIENT_IP, stat),
                     timeout=300).split()
        assert out[2] == hashlib.sha256(data).hexdigest()
        packets = int(out[1]) - int(out[0])
        assert packets < len(data) // 1448 // 2, packets
    finally:
        server.kill()
        server.wait()


def test_poweroff(vm):
    assert vm.poweroff() == 0
