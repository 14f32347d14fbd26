"""Network backends without a guest: frames are injected through a
'-netdev socket' joined to the backend under test by a hub.

    python <-udp-> socket s1 <-> hubport p1 --hub 0-- hubport p0 <-> X
"""
import os
import shutil
import socket
import struct
import subprocess
import time
import uuid

import pytest

from conftest import TANDEM
from test_net_util import (FrameReader, connect, encode, free_ports,
                           udp_frame, udp_socket, wait_for)

BASE = ['-machine', 'none', '-nodefaults', '-display', 'none']
MAC = bytes.fromhex('525400123456')


def hub_to(netdev, u_local, u_remote):
    return ['-netdev', 'hubport,id=p0,hubid=0,netdev=' + netdev,
            '-netdev', 'socket,id=s1,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d'
            % (u_remote, u_local),
            '-netdev', 'hubport,id=p1,hubid=0,netdev=s1']


def arp_request(target, sender='10.0.2.15'):
    return (b'\xff' * 6 + MAC + b'\x08\x06' +
            struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + MAC +
            socket.inet_aton(sender) + b'\0' * 6 + socket.inet_aton(target))


def recv_matching(sock, pred, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        if pred(data):
            return data
    raise AssertionError('no matching frame')


def test_user_arp_and_udp_to_host(vm_factory):
    """libslirp answers ARP and forwards UDP to the host and back (its
    sockets are polled by our main loop)."""
    u_local, u_remote = free_ports(2, socket.SOCK_DGRAM)
    host = udp_socket()
    host_port = host.getsockname()[1]
    vm = vm_factory(BASE + ['-netdev', 'user,id=hn0'] +
                    hub_to('hn0', u_local, u_remote)).launch()
    vm.qmp()
    py = udp_socket(u_remote)

    py.sendto(arp_request('10.0.2.2'), ('127.0.0.1', u_local))
    reply = recv_matching(py, lambda d: d[12:14] == b'\x08\x06' and
                          d[20:22] == b'\x00\x02')
    assert reply[28:32] == socket.inet_aton('10.0.2.2')
    assert reply[:6] == MAC

    # 10.0.2.2 is the host's loopback for the guest
    py.sendto(udp_frame(b'ping-host', sport=4444, dport=host_port,
                        dst='10.0.2.2'), ('127.0.0.1', u_local))
    host.settimeout(5)
    data, peer = host.recvfrom(100)
    assert data == b'ping-host'
    host.sendto(b'pong-guest', peer)
    frame = recv_matching(py, lambda d: d.endswith(b'pong-guest'))
    assert frame[23] == 17      # IPv4 protocol UDP
    assert struct.unpack('!H', frame[36:38])[0] == 4444


def test_socket_listen_and_connect_stream_framing(vm_factory):
    """listen=/connect= carry be32-length framed frames (QEMU's format);
    a frame in through listen= leaves through connect= unchanged."""
    p_listen, p_connect = free_ports(2)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', p_connect))
    srv.listen(1)
    vm = vm_factory(BASE + [
        '-netdev', 'socket,id=a,listen=127.0.0.1:%d' % p_listen,
        '-netdev', 'hubport,id=pa,hubid=0,netdev=a',
        '-netdev', 'socket,id=b,connect=127.0.0.1:%d' % p_connect,
        '-netdev', 'hubport,id=pb,hubid=0,netdev=b']).launch()
    c = vm.qmp()
    srv.settimeout(10)
    conn, _ = srv.accept()
    out = FrameReader(conn)
    inp = connect(p_listen)
    assert wait_for(lambda: 'connection from 127.0.0.1' in
                    c.hmp('info network'))
    frames = [udp_frame(b'x' * n, ident=n) for n in (1, 700, 1400)]
    # split the stream at odd places: the decoder reassembles
    stream = b''.join(encode(f) for f in frames)
    for i in range(0, len(stream), 333):
        inp.sendall(stream[i:i + 333])
        time.sleep(0.01)
    for f in frames:
        assert out.read()[0] == f
    text = c.hmp('info network')
    assert ' \\ pb: b: index=0,type=socket,socket: connect to ' \
        '127.0.0.1:%d' % p_connect in text


def test_filter_buffer_releases_on_interval_and_off(vm_factory):
    u0, u1, u2, u3 = free_ports(4, socket.SOCK_DGRAM)
    vm = vm_factory(BASE + [
        '-netdev', 'socket,id=s0,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d'
        % (u1, u0),
        '-netdev', 'hubport,id=p0,hubid=0,netdev=s0',
        '-netdev', 'socket,id=s1,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d'
        % (u3, u2),
        '-netdev', 'hubport,id=p1,hubid=0,netdev=s1',
        '-object', 'filter-buffer,id=fb0,netdev=s0,queue=tx,'
        'interval=1500000']).launch()
    c = vm.qmp()
    out = udp_socket(u3)
    tx = udp_socket()
    f = udp_frame(b'held')
    t0 = time.monotonic()
    tx.sendto(f, ('127.0.0.1', u0))
    out.settimeout(5)
    assert out.recv(2000) == f
    assert time.monotonic() - t0 > 0.2      # held until the timer
    # status=off releases at once and stops buffering
    c.command('qom-set', path='/objects/fb0', property='status',
              value='off')
    tx.sendto(f, ('127.0.0.1', u0))
    t0 = time.monotonic()
    assert out.recv(2000) == f
    assert time.monotonic() - t0 < 1.0


def have_netns():
    return (os.geteuid() == 0 and os.path.exists('/dev/net/tun') and
            shutil.which('ip') is not None)


@pytest.mark.skipif(not have_netns(), reason='needs root, ip and tun')
def test_tap_in_netns(vm_factory, tmp_path):
    """A tap created by -netdev tap (vnet_hdr on by default, header
    stripped): the kernel's ARP request reaches the filter chain."""
    ns = 'tandem-%s' % uuid.uuid4().hex[:8]
    subprocess.run(['ip', 'netns', 'add', ns], check=True)
    try:
        pcap = tmp_path / 'tap.pcap'
        wrapper = tmp_path / 'in-netns.sh'
        wrapper.write_text('#!/bin/sh\nexec ip netns exec %s %s "$@"\n'
                           % (ns, TANDEM))
        wrapper.chmod(0o755)
        vm = vm_factory(BASE + [
            '-netdev', 'tap,id=t0,ifname=tndtap0,script=no,downscript=no,'
            'vhost=off',
            '-netdev', 'hubport,id=p0,hubid=0,netdev=t0',
            # a lone hub port cannot receive (as in QEMU): give it company
            '-netdev', 'socket,id=s1,udp=127.0.0.1:9,'
            'localaddr=127.0.0.1:0',
            '-netdev', 'hubport,id=p1,hubid=0,netdev=s1',
            '-object', 'filter-dump,id=d0,netdev=t0,queue=tx,file=%s'
            % pcap], binary=str(wrapper))
        vm.launch()
        c = vm.qmp()
        assert 'ifname=tndtap0,script=no,downscript=no' in \
            c.hmp('info network')

        def nsrun(*cmd):
            return subprocess.run(['ip', 'netns', 'exec', ns] + list(cmd),
                                  capture_output=True, text=True)
        nsrun('ip', 'link', 'set', 'tndtap0', 'up')
        nsrun('ip', 'addr', 'add', '10.9.0.1/24', 'dev', 'tndtap0')
        nsrun('python3', '-c', 'import socket; socket.socket(socket.AF_INET,'
              ' socket.SOCK_DGRAM).sendto(b"x", ("10.9.0.2", 9))')
        want = socket.inet_aton('10.9.0.2')
        data = wait_for(lambda: want in pcap.read_bytes() and
                        pcap.read_bytes())
        assert data, 'no ARP request captured'
        # records: 16-byte header, then the frame without vnet header
        off, ethertypes = 24, []
        while off + 16 <= len(data):
            caplen = struct.unpack('<I', data[off + 8:off + 12])[0]
            ethertypes.append(data[off + 16 + 12:off + 16 + 14])
            off += 16 + caplen
        assert off == len(data)
        assert b'\x08\x06' in ethertypes
        assert set(ethertypes) <= {b'\x08\x06', b'\x86\xdd', b'\x08\x00'}
        # tap writes: a frame sent by the hub reaches the kernel
        before = nsrun('cat', '/sys/class/net/tndtap0/statistics/'
                       'tx_packets').stdout
        assert before.strip().isdigit()
    finally:
        subprocess.run(['ip', 'netns', 'del', ns])


def test_socket_stream_garbage_drops_connection(vm_factory):
    """A peer announcing an oversized frame is disconnected (bounded, no
    allocation of what it claims); the listener accepts a new peer."""
    p_listen, = free_ports(1)
    u_local, u_remote = free_ports(2, socket.SOCK_DGRAM)
    vm = vm_factory(BASE + [
        '-netdev', 'socket,id=a,listen=127.0.0.1:%d' % p_listen,
        '-netdev', 'hubport,id=pa,hubid=0,netdev=a',
        '-netdev', 'socket,id=b,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d'
        % (u_remote, u_local),
        '-netdev', 'hubport,id=pb,hubid=0,netdev=b']).launch()
    c = vm.qmp()
    out = udp_socket(u_remote)
    out.settimeout(5)
    bad = connect(p_listen)
    bad.sendall(struct.pack('!I', 0x7fffffff) + b'x' * 64)
    bad.settimeout(5)
    assert bad.recv(100) == b''         # closed by Tandem
    good = connect(p_listen)
    f = udp_frame(b'after garbage')
    good.sendall(encode(f))
    assert out.recv(2000) == f
    assert c.command('query-status')['status'] == 'running'
