"""Self-announce: announce-self and the announcement after an incoming
migration send QEMU's RARP frames from each NIC, through the netdev's
filters, on the announce schedule.

    tiny pc guest (hlt loop) -- virtio-net-pci mac=M -- socket s1 -udp-> python
"""
import os
import socket
import struct
import subprocess
import time

import pytest

from conftest import require_binary

MAC = bytes.fromhex('525400abcdef')
MAC_STR = '52:54:00:ab:cd:ef'
RARP = (b'\xff' * 6 + MAC + b'\x80\x35' +
        struct.pack('!HHBBH', 1, 0x0800, 6, 4, 3) + MAC + b'\0' * 4 +
        MAC + b'\0' * 4 + b'\0' * 18)

IDLE_S = """    .code64
    .globl _start
_start:
    cli
1:  hlt
    jmp 1b
"""


@pytest.fixture
def idle_kernel(tmp_path):
    """A bare ELF that halts forever (the direct-boot loader takes it)."""
    require_binary('as')
    require_binary('ld')
    src = tmp_path / 'idle.S'
    src.write_text(IDLE_S)
    obj = str(tmp_path / 'idle.o')
    elf = str(tmp_path / 'idle.elf')
    subprocess.run(['as', str(src), '-o', obj], check=True)
    subprocess.run(['ld', '-z', 'noseparate-code', '-Ttext=0x200000',
                    '-e', '_start', '-o', elf, obj], check=True)
    return elf


def qmp_of(vm, tries=100):
    """vm.qmp(), retrying while the socket exists but does not listen."""
    for _ in range(tries):
        try:
            return vm.qmp()
        except ConnectionRefusedError:
            time.sleep(0.02)
    return vm.qmp()


def udp_sink():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 0))
    return s


def nic_args(kernel, sink, extra=()):
    return (['-machine', 'pc', '-m', '64', '-nodefaults', '-display', 'none',
             '-kernel', kernel,
             '-netdev', 'socket,id=s1,udp=127.0.0.1:%d,localaddr=127.0.0.1:0'
             % sink.getsockname()[1],
             '-device', 'virtio-net-pci,netdev=s1,id=nic0,mac=' + MAC_STR] +
            list(extra))


def collect(sock, seconds):
    """Every datagram arriving within @seconds, with its arrival time."""
    out = []
    start = time.monotonic()
    deadline = start + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return out
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return out
        out.append((time.monotonic() - start, data))


def rarps(frames):
    return [(t, d) for t, d in frames if d[12:14] == b'\x80\x35']


def pcap_frames(path):
    data = open(path, 'rb').read()
    off, out = 24, []
    while off + 16 <= len(data):
        caplen = struct.unpack('<I', data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


def test_announce_self_sends_rounds_through_filters(vm_factory, idle_kernel,
                                                    tmp_path):
    sink = udp_sink()
    dump = str(tmp_path / 'dump.pcap')
    vm = vm_factory(nic_args(idle_kernel, sink, [
        '-object', 'filter-dump,id=f0,netdev=s1,file=' + dump])).launch()
    c = qmp_of(vm)
    assert c.command('query-status')['status'] == 'running'
    assert c.command('announce-self', initial=50, max=100, rounds=3,
                     step=30) == {}
    got = rarps(collect(sink, 1.5))
    assert [d for _, d in got] == [RARP] * 3
    # round 0 at once, then gaps of 50 and 80 ms
    assert got[1][0] - got[0][0] >= 0.045
    assert got[2][0] - got[1][0] >= 0.075
    # the netdev's filter saw them like guest frames
    assert [f for f in pcap_frames(dump) if f[12:14] == b'\x80\x35'] == \
        [RARP] * 3


def test_announce_self_interfaces_and_errors(vm_factory, idle_kernel):
    sink = udp_sink()
    vm = vm_factory(nic_args(idle_kernel, sink)).launch()
    c = qmp_of(vm)
    args = dict(initial=10, max=50, rounds=2, step=10)

    assert c.command('announce-self', interfaces=['nosuch'], **args) == {}
    assert c.command('announce-self', interfaces=['nic0'], id='a',
                     **args) == {}
    assert len(rarps(collect(sink, 0.8))) == 2

    # rounds 0 cancels a running announcement, as in QEMU
    assert c.command('announce-self', initial=2000, max=2000, rounds=5,
                     step=0, id='b') == {}
    time.sleep(0.2)
    assert c.command('announce-self', initial=10, max=10, rounds=0,
                     step=0, id='b') == {}
    assert len(rarps(collect(sink, 2.5))) == 1

    r = c.cmd('announce-self', initial=10, max=50, rounds=1001, step=10)
    assert r['error'] == {
        'class': 'GenericError',
        'desc': "Parameter 'rounds' expects a value between 0 and 1000"}
    r = c.cmd('announce-self', initial=-1, max=50, rounds=1, step=10)
    assert r['error']['desc'] == \
        "Parameter 'initial' expects a value between 0 and 100000"
    r = c.cmd('announce-self', initial=10, max=50, step=10)
    assert r['error'] == {'class': 'GenericError',
                          'desc': "Parameter 'rounds' is missing"}
    r = c.cmd('announce-self', initial=10, max=50, rounds=1, step=10,
              bogus=1)
    assert r['error']['class'] == 'GenericError'
    assert rarps(collect(sink, 0.3)) == []


def test_announce_after_incoming_migration(vm_factory, idle_kernel,
                                           tmp_path):
    src_sink, dst_sink = udp_sink(), udp_sink()
    path = str(tmp_path / 'mig.sock')
    dst = vm_factory(nic_args(idle_kernel, dst_sink,
                              ['-incoming', 'unix:' + path]),
                     name='dst').launch()
    src = vm_factory(nic_args(idle_kernel, src_sink), name='src').launch()
    s = qmp_of(src)
    for _ in range(100):
        if os.path.exists(path):
            break
        time.sleep(0.02)
    assert s.command('migrate', uri='unix:' + path) == {}
    deadline = time.monotonic() + 30
    while s.command('query-migrate').get('status') != 'completed':
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # defaults: 5 rounds at 0, 50, 200, 450, 800 ms
    got = rarps(collect(dst_sink, 2.5))
    assert [d for _, d in got] == [RARP] * 5
    assert got[-1][0] - got[0][0] >= 0.7
    assert rarps(collect(src_sink, 0.1)) == []
    assert qmp_of(dst).command('query-status')['status'] == 'running'
