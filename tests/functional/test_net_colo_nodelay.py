"""The COLO proxy turns Nagle's algorithm off on the socket chardevs it
uses: its frames are latency-bound, and with Nagle a small frame (a TCP
ACK of the guest's connection) waits for the peer's delayed ACK, up to
40 ms on Linux, once per round trip of the guest's TCP.  On the
COLO-FT.txt command lines that made an HTTP client 2-3x slower under
COLO.  Socket chardevs used by anything else keep QEMU's default
(nodelay=off).

The check reads TCP_NODELAY from the VMM's own sockets (pidfd_getfd,
Linux 5.6+, root), so it does not depend on timing."""
import ctypes
import os
import socket
import time

from conftest import TANDEM  # noqa: F401
from test_net_colo_compare import add_compare, chardev_server
from test_net_util import connect, free_ports, wait_for

SYS_pidfd_open = 434
SYS_pidfd_getfd = 438
libc = ctypes.CDLL(None, use_errno=True)


def tcp_inodes_by_local_port(pid):
    """{local port: [(fd, socket inode)]} of @pid's established IPv4
    TCP sockets."""
    mine = {}
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            link = os.readlink('/proc/%d/fd/%s' % (pid, fd))
        except OSError:
            continue
        if link.startswith('socket:['):
            mine[int(link[8:-1])] = int(fd)
    ports = {}
    with open('/proc/%d/net/tcp' % pid) as f:
        next(f)
        for line in f:
            cols = line.split()
            local, state, inode = cols[1], cols[3], int(cols[9])
            if state == '01' and inode in mine:     # ESTABLISHED
                port = int(local.split(':')[1], 16)
                ports.setdefault(port, []).append((mine[inode], inode))
    return ports


def nodelay_of(pid, fd):
    pidfd = libc.syscall(SYS_pidfd_open, pid, 0)
    assert pidfd >= 0, os.strerror(ctypes.get_errno())
    try:
        mine = libc.syscall(SYS_pidfd_getfd, pidfd, fd, 0)
        assert mine >= 0, os.strerror(ctypes.get_errno())
    finally:
        os.close(pidfd)
    s = socket.socket(fileno=mine)
    try:
        return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        s.close()


def test_proxy_chardevs_send_without_nagle(vm_factory):
    p_pri, p_sec, p_out, p_mirror, p_plain = free_ports(5)
    vm = vm_factory(['-machine', 'none', '-nodefaults', '-display', 'none',
                     '-netdev', 'user,id=hn0',
                     '-chardev', 'socket,id=plain0,host=127.0.0.1,'
                     'port=%d,server=on,wait=off' % p_plain,
                     '-serial', 'chardev:plain0']).launch()
    c = vm.qmp()
    c.command('object-add', **{'qom-type': 'iothread', 'id': 'iothread1'})
    for cid, port in (('pri', p_pri), ('sec', p_sec), ('out', p_out),
                      ('mirror0', p_mirror)):
        chardev_server(c, cid, port)
    add_compare(c)
    assert c.cmd_raw('object-add', {
        'qom-type': 'filter-mirror', 'id': 'm0', 'netdev': 'hn0',
        'queue': 'tx', 'outdev': 'mirror0'}) == {'return': {}}
    peers = [connect(p) for p in (p_pri, p_sec, p_out, p_mirror, p_plain)]
    pid = vm.proc.pid

    def all_accepted():
        ports = tcp_inodes_by_local_port(pid)
        return all(p in ports for p in
                   (p_pri, p_sec, p_out, p_mirror, p_plain))
    assert wait_for(all_accepted, timeout=10)
    ports = tcp_inodes_by_local_port(pid)
    for port in (p_pri, p_sec, p_out, p_mirror):
        assert [nodelay_of(pid, fd) for fd, _ in ports[port]] == [True], port
    # QEMU's default for everything else
    assert [nodelay_of(pid, fd) for fd, _ in ports[p_plain]] == [False]

    # a new connection (after a reconnect) gets the setting again
    peers[0].close()
    time.sleep(0.2)
    peers[0] = connect(p_pri)

    def reconnected():
        fds = tcp_inodes_by_local_port(pid).get(p_pri, [])
        return len(fds) == 1 and fds != ports[p_pri]
    assert wait_for(reconnected, timeout=10)
    (fd, _), = tcp_inodes_by_local_port(pid)[p_pri]
    assert nodelay_of(pid, fd)
    for p in peers:
        p.close()
