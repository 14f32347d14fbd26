"""colo-compare lifecycle: create, traffic, qom-get stats, delete and
re-create while packets keep arriving; and the COLO-FT.txt primary
command line with its failover object-del sequence and the re-add of the
proxy objects at run time; the COLO-FT proxy topology between two
instances."""
import socket as pysocket
import threading
import time

import pytest

from conftest import DEBIAN_QEMU, TANDEM, require_binary
from test_net_util import (connect, encode, free_ports, tcp_fields,
                           tcp_frame, udp_frame, udp_socket, wait_for)

BASE = ['-machine', 'none', '-nodefaults', '-display', 'none']


def chardev_server(c, cid, port):
    c.command('chardev-add', id=cid, backend={
        'type': 'socket', 'data': {
            'addr': {'type': 'inet',
                     'data': {'host': '127.0.0.1', 'port': str(port)}},
            'server': True, 'wait': False}})


def add_compare(c, **extra):
    args = {'qom-type': 'colo-compare', 'id': 'comp0', 'primary_in': 'pri',
            'secondary_in': 'sec', 'outdev': 'out', 'iothread': 'iothread1'}
    args.update(extra)
    r = c.cmd_raw('object-add', args)
    assert r == {'return': {}}, r


class Traffic(threading.Thread):
    """Sends matching UDP packets to primary_in and secondary_in."""

    def __init__(self, p_pri, p_sec):
        super().__init__(daemon=True)
        self.pri = connect(p_pri)
        self.sec = connect(p_sec)
        self.stop = threading.Event()
        self.sent = 0

    def run(self):
        n = 0
        while not self.stop.is_set():
            f = encode(udp_frame(b'payload %d' % n, ident=n & 0xffff))
            try:
                self.pri.sendall(f)
                self.sec.sendall(f)
            except OSError:
                return
            n += 1
            self.sent = n
            time.sleep(0.001)

    def close(self):
        self.stop.set()
        self.join(5)
        self.pri.close()
        self.sec.close()


class Drain(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = connect(port)
        self.bytes = 0
        self.data = bytearray()

    def run(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            self.bytes += len(data)
            self.data += data
            del self.data[:-65536]


def test_lifecycle_under_traffic(vm_factory):
    p_pri, p_sec, p_out = free_ports(3)
    vm = vm_factory(BASE, name='tandem').launch()
    c = vm.qmp()
    c.command('object-add', **{'qom-type': 'iothread', 'id': 'iothread1'})
    chardev_server(c, 'pri', p_pri)
    chardev_server(c, 'sec', p_sec)
    chardev_server(c, 'out', p_out)
    add_compare(c, compare_timeout=100, expired_scan_cycle=50)
    drain = Drain(p_out)
    drain.start()
    traffic = Traffic(p_pri, p_sec)
    traffic.start()
    try:
        assert wait_for(lambda: c.command(
            'qom-get', path='/objects/comp0', property='compared') > 20)
        for _ in range(5):
            st = c.command('qom-get', path='/objects/comp0',
                           property='stats')
            assert st['input-primary'] >= st['released']
            c.command('object-del', id='comp0')
            time.sleep(0.05)
            add_compare(c, max_queue_size=64)
            assert c.command('qom-get', path='/objects/comp0',
                             property='max_queue_size') == 64
            time.sleep(0.1)
        assert drain.bytes > 0
    finally:
        traffic.close()
    # fresh connections after the churn: the comparator still works
    c.command('object-del', id='comp0')
    add_compare(c)
    pri = connect(p_pri)
    sec = connect(p_sec)
    f = udp_frame(b'after churn', ident=999)
    pri.sendall(encode(f))
    sec.sendall(encode(f))
    assert wait_for(lambda: encode(f) in drain.data)
    c.command('object-del', id='comp0')
    c.command('object-del', id='iothread1')
    assert c.command('query-status')['status'] == 'running'


def test_colo_ft_primary_failover_sequence(vm_factory):
    """COLO-FT.txt 5.1 command line (user netdev instead of tap, no
    guest), the 5.4 primary failover object-del sequence, then the
    re-add of the proxy objects with object-add as in 'resume
    replication'."""
    ports = free_ports(5)
    p_mirror, p_compare1, p_compare0, p_out, _ = ports
    chardevs = [
        'socket,id=mirror0,host=127.0.0.1,port=%d,server=on,wait=off'
        % p_mirror,
        'socket,id=compare1,host=127.0.0.1,port=%d,server=on,wait=off'
        % p_compare1,
        'socket,id=compare0,host=127.0.0.1,port=%d,server=on,wait=off'
        % p_compare0,
        'socket,id=compare0-0,host=127.0.0.1,port=%d' % p_compare0,
        'socket,id=compare_out,host=127.0.0.1,port=%d,server=on,wait=off'
        % p_out,
        'socket,id=compare_out0,host=127.0.0.1,port=%d' % p_out,
    ]
    args = BASE + ['-netdev', 'user,id=hn0']
    for cd in chardevs:
        args += ['-chardev', cd]
    args += [
        '-object', 'filter-mirror,id=m0,netdev=hn0,queue=tx,outdev=mirror0',
        '-object', 'filter-redirector,netdev=hn0,id=redire0,queue=rx,'
        'indev=compare_out',
        '-object', 'filter-redirector,netdev=hn0,id=redire1,queue=rx,'
        'outdev=compare0',
        '-object', 'iothread,id=iothread1',
        '-object', 'colo-compare,id=comp0,primary_in=compare0-0,'
        'secondary_in=compare1,outdev=compare_out0,iothread=iothread1']
    vm = vm_factory(args).launch()
    c = vm.qmp()
    text = c.hmp('info network')
    assert '  - redire1: type=filter-redirector' in text
    for oid in ['comp0', 'iothread1', 'm0', 'redire0', 'redire1']:
        assert c.cmd('object-del', id=oid) == {'return': {}}, oid
    assert 'filters:' not in c.hmp('info network')
    # resume replication: the same objects again, at run time
    for obj in [
            {'qom-type': 'filter-mirror', 'id': 'm0', 'netdev': 'hn0',
             'queue': 'tx', 'outdev': 'mirror0'},
            {'qom-type': 'filter-redirector', 'id': 'redire0',
             'netdev': 'hn0', 'queue': 'rx', 'indev': 'compare_out'},
            {'qom-type': 'filter-redirector', 'id': 'redire1',
             'netdev': 'hn0', 'queue': 'rx', 'outdev': 'compare0'},
            {'qom-type': 'iothread', 'id': 'iothread1'},
            {'qom-type': 'colo-compare', 'id': 'comp0',
             'primary_in': 'compare0-0', 'secondary_in': 'compare1',
             'outdev': 'compare_out0', 'iothread': 'iothread1'}]:
        assert c.cmd_raw('object-add', obj) == {'return': {}}, obj
    order = [ln.split(':')[0].strip(' -') for ln in
             c.hmp('info network').splitlines() if ln.startswith('  - ')]
    assert order == ['m0', 'redire0', 'redire1']
    assert c.command('query-status')['status'] == 'running'


def test_former_secondary_insert_before_rewriter(vm_factory):
    p = free_ports(2)
    vm = vm_factory(BASE + [
        '-netdev', 'user,id=hn0',
        '-chardev', 'socket,id=red0,host=127.0.0.1,port=%d,server=on,'
        'wait=off' % p[0],
        '-chardev', 'socket,id=red1,host=127.0.0.1,port=%d,server=on,'
        'wait=off' % p[1],
        '-object', 'filter-redirector,id=f1,netdev=hn0,queue=tx,indev=red0',
        '-object', 'filter-redirector,id=f2,netdev=hn0,queue=rx,outdev=red1',
        '-object', 'filter-rewriter,id=rew0,netdev=hn0,queue=all']).launch()
    c = vm.qmp()
    c.command('object-del', id='f2')
    c.command('object-del', id='f1')
    c.command('chardev-remove', id='red1')
    c.command('chardev-remove', id='red0')
    mirror_port, = free_ports(1)
    chardev_server(c, 'mirror0', mirror_port)
    r = c.cmd_raw('object-add', {
        'qom-type': 'filter-mirror', 'id': 'm0', 'netdev': 'hn0',
        'queue': 'tx', 'outdev': 'mirror0', 'insert': 'before',
        'position': 'id=rew0'})
    assert r == {'return': {}}
    order = [ln.split(':')[0].strip(' -') for ln in
             c.hmp('info network').splitlines() if ln.startswith('  - ')]
    assert order == ['m0', 'rew0']
    assert 'position=id=rew0,status=on,insert=before' in \
        c.hmp('info network')


def test_miscompare_timeout_counts(vm_factory):
    """An unmatched primary packet older than compare_timeout triggers a
    (suppressed, no COLO running) checkpoint request from the scan timer,
    which runs in the iothread."""
    p_pri, p_sec, p_out = free_ports(3)
    vm = vm_factory(BASE).launch()
    c = vm.qmp()
    c.command('object-add', **{'qom-type': 'iothread', 'id': 'iothread1'})
    for cid, port in (('pri', p_pri), ('sec', p_sec), ('out', p_out)):
        chardev_server(c, cid, port)
    add_compare(c, compare_timeout=50, expired_scan_cycle=20)
    pri = connect(p_pri)
    pri.sendall(encode(udp_frame(b'lonely')))

    def timeouts():
        st = c.command('qom-get', path='/objects/comp0', property='stats')
        return st['checkpoint-requests-timeout'] >= 1
    assert wait_for(timeouts, timeout=5)
    # garbage on an input is counted, not fatal
    sec = connect(p_sec)
    sec.sendall(b'\xff\xff\xff\xff' + b'x' * 16)
    assert wait_for(lambda: c.command(
        'qom-get', path='/objects/comp0',
        property='stats')['framing-errors-secondary'] >= 1)
    assert c.command('query-status')['status'] == 'running'


def test_filter_churn_under_traffic(vm_factory, tmp_path):
    """Filters come and go (object-add/object-del, status flips) while
    frames flow through their netdev and into a redirector's indev."""
    u0, u1, u2, u3 = free_ports(4, pysocket.SOCK_DGRAM)
    p_mirror, p_in = free_ports(2)
    vm = vm_factory(BASE + [
        '-netdev', 'socket,id=s0,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d'
        % (u1, u0),
        '-netdev', 'hubport,id=p0,hubid=0,netdev=s0',
        '-netdev', 'socket,id=s1,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d'
        % (u3, u2),
        '-netdev', 'hubport,id=p1,hubid=0,netdev=s1']).launch()
    c = vm.qmp()
    chardev_server(c, 'mirror0', p_mirror)
    chardev_server(c, 'in0', p_in)
    sink = udp_socket(u3)
    stop = threading.Event()

    def udp_traffic():
        tx = udp_socket()
        n = 0
        while not stop.is_set():
            tx.sendto(udp_frame(b'u%d' % n), ('127.0.0.1', u0))
            n += 1
            time.sleep(0.0005)

    threading.Thread(target=udp_traffic, daemon=True).start()
    mirror_drain = None
    inj = None
    try:
        for i in range(6):
            for obj in [
                    {'qom-type': 'filter-mirror', 'id': 'm0',
                     'netdev': 's0', 'queue': 'tx', 'outdev': 'mirror0'},
                    {'qom-type': 'filter-buffer', 'id': 'b0',
                     'netdev': 's0', 'interval': 2000},
                    {'qom-type': 'filter-dump', 'id': 'd0', 'netdev': 's1',
                     'file': str(tmp_path / ('d%d.pcap' % i))},
                    {'qom-type': 'filter-rewriter', 'id': 'rw0',
                     'netdev': 's1', 'position': 'head'},
                    {'qom-type': 'filter-redirector', 'id': 'r0',
                     'netdev': 's1', 'queue': 'rx', 'indev': 'in0',
                     'insert': 'before', 'position': 'id=rw0'}]:
                assert c.cmd_raw('object-add', obj) == {'return': {}}, obj
            if mirror_drain is None:
                mirror_drain = Drain(p_mirror)
                mirror_drain.start()
                inj = connect(p_in)
            inj.sendall(encode(udp_frame(b'inj%d' % i)) * 20)
            time.sleep(0.05)
            c.command('qom-set', path='/objects/b0', property='status',
                      value='off')
            c.command('qom-set', path='/objects/r0', property='status',
                      value='off')
            for oid in ['r0', 'b0', 'm0', 'rw0', 'd0']:
                assert c.cmd('object-del', id=oid) == {'return': {}}
        sink.settimeout(5)
        assert sink.recv(2000)
        assert mirror_drain.bytes > 0
    finally:
        stop.set()
    assert c.command('query-status')['status'] == 'running'


PAIRS = [('tandem', 'tandem'), ('tandem', 'debian'), ('debian', 'tandem')]


def colo_pair(vm_factory, pair=('tandem', 'tandem')):
    """Starts the pair (each side Tandem or Debian's QEMU); returns
    (primary QMP or None if Debian, client, p_guest, s_guest,
    send_client, send_p, send_s, secondary QMP)."""
    binary = {'tandem': TANDEM, 'debian': DEBIAN_QEMU}
    if 'debian' in pair:
        require_binary(DEBIAN_QEMU)
    pm, pc1, pc0, po = free_ports(4)
    (u_client, u_p_net, u_p_guest_py, u_p_guest, u_s_net, u_s_sink,
     u_s_guest_py, u_s_guest) = free_ports(8, pysocket.SOCK_DGRAM)

    def net(local, remote, guest_py, guest_local):
        return ['-netdev', 'socket,id=hn0,udp=127.0.0.1:%d,'
                'localaddr=127.0.0.1:%d' % (remote, local),
                '-netdev', 'hubport,id=p0,hubid=0,netdev=hn0',
                '-netdev', 'socket,id=guest,udp=127.0.0.1:%d,'
                'localaddr=127.0.0.1:%d' % (guest_py, guest_local),
                '-netdev', 'hubport,id=p1,hubid=0,netdev=guest']

    def cd(cid, port, server):
        return ['-chardev', 'socket,id=%s,host=127.0.0.1,port=%d%s'
                % (cid, port, ',server=on,wait=off' if server else '')]

    primary = vm_factory(
        BASE + net(u_p_net, u_client, u_p_guest_py, u_p_guest) +
        cd('mirror0', pm, True) + cd('compare1', pc1, True) +
        cd('compare0', pc0, True) + cd('compare0-0', pc0, False) +
        cd('compare_out', po, True) + cd('compare_out0', po, False) + [
            '-object', 'filter-mirror,id=m0,netdev=hn0,queue=tx,'
            'outdev=mirror0',
            '-object', 'filter-redirector,netdev=hn0,id=redire0,queue=rx,'
            'indev=compare_out',
            '-object', 'filter-redirector,netdev=hn0,id=redire1,queue=rx,'
            'outdev=compare0',
            '-object', 'iothread,id=iothread1',
            '-object', 'colo-compare,id=comp0,primary_in=compare0-0,'
            'secondary_in=compare1,outdev=compare_out0,'
            'iothread=iothread1'], binary=binary[pair[0]],
        name='primary').launch()
    pq = primary.qmp()
    secondary = vm_factory(
        BASE + net(u_s_net, u_s_sink, u_s_guest_py, u_s_guest) + [
            '-chardev', 'socket,id=red0,host=127.0.0.1,port=%d,reconnect=1'
            % pm,
            '-chardev', 'socket,id=red1,host=127.0.0.1,port=%d,reconnect=1'
            % pc1,
            '-object', 'filter-redirector,id=f1,netdev=hn0,queue=tx,'
            'indev=red0',
            '-object', 'filter-redirector,id=f2,netdev=hn0,queue=rx,'
            'outdev=red1',
            '-object', 'filter-rewriter,id=rew0,netdev=hn0,queue=all'],
        binary=binary[pair[1]], name='secondary').launch()
    sq = secondary.qmp()

    client = udp_socket(u_client)
    p_guest = udp_socket(u_p_guest_py)
    s_guest = udp_socket(u_s_guest_py)
    for s in (client, p_guest, s_guest):
        s.settimeout(5)

    def connected():
        text = pq.hmp('info chardev')
        return all('%s: filename=disconnected' % cid not in text
                   for cid in ('mirror0', 'compare1'))
    assert wait_for(connected)

    if pair[0] != 'tandem':
        pq = None
    return (pq, client, p_guest, s_guest,
            lambda f: client.sendto(f, ('127.0.0.1', u_p_net)),
            lambda f: p_guest.sendto(f, ('127.0.0.1', u_p_guest)),
            lambda f: s_guest.sendto(f, ('127.0.0.1', u_s_guest)), sq)


def answer_handshake(client, p_guest, s_guest, send_client, send_p,
                     send_s):
    """The guests answer the client's SYN (seq 100) with different ISNs,
    1000 on the PVM and 5000 on the SVM; the client gets the PVM's
    SYN/ACK and its ACK reaches the SVM rewritten into the SVM's space."""
    send_p(tcp_frame(1000, 101, 'SA', sport=80, dport=5000,
                     src='10.0.2.15', dst='10.0.2.2'))
    send_s(tcp_frame(5000, 101, 'SA', sport=80, dport=5000,
                     src='10.0.2.15', dst='10.0.2.2'))
    assert tcp_fields(client.recv(2000))[:3] == (1000, 101, 0x12)
    send_client(tcp_frame(101, 1001, 'A'))
    assert tcp_fields(p_guest.recv(2000))[:2] == (101, 1001)
    assert tcp_fields(s_guest.recv(2000))[:2] == (101, 5001)


@pytest.mark.parametrize('pair', PAIRS, ids='-'.join)
def test_colo_proxy_two_instances(vm_factory, pair):
    """The COLO-FT.txt 5.1/5.2 proxy topology between two Tandem
    processes, with Python playing the client and both guests (each
    'guest' is a socket netdev behind a hub, where the NIC would be):

      client -> P.hn0 -m0-> S.red0 -f1-> S guest    (request mirrored)
                P.hn0 ------------------> P guest
      P guest -> P.hn0 -redire1-> compare0 -> comp0 primary_in
      S guest -> S.hn0 -rew0-f2-> red1 -> compare1 -> comp0 secondary_in
      comp0 -> compare_out -redire0-> P.hn0 -> client (once, if equal)
    """
    (pq, client, p_guest, s_guest, send_client, send_p,
     send_s, _) = colo_pair(vm_factory, pair)
    req = udp_frame(b'request', sport=5000, dport=80, src='10.0.2.2',
                    dst='10.0.2.15')
    send_client(req)
    assert p_guest.recv(2000) == req
    assert s_guest.recv(2000) == req

    reply = udp_frame(b'reply', sport=80, dport=5000, ident=42)
    send_p(reply)
    send_s(reply)
    assert client.recv(2000) == reply
    if pq:
        st = pq.command('qom-get', path='/objects/comp0', property='stats')
        assert st['compared-udp'] == 1 and st['released'] == 1

    # the guests disagree: the client gets nothing
    send_p(udp_frame(b'reply-A', ident=43))
    send_s(udp_frame(b'reply-B', ident=43))
    if pq:
        assert wait_for(lambda: pq.command(
            'qom-get', path='/objects/comp0',
            property='miscompares') == 1)
    client.settimeout(0.3)
    with pytest.raises(pysocket.timeout):
        client.recv(2000)


@pytest.mark.parametrize('pair', PAIRS, ids='-'.join)
def test_colo_proxy_tcp_rewriter(vm_factory, pair):
    """TCP through the pair: the secondary's filter-rewriter learns the
    ISN offset from the handshake, so the SVM sees acks in its own
    sequence space and its output is compared in the PVM's."""
    (pq, client, p_guest, s_guest, send_client, send_p,
     send_s, _) = colo_pair(vm_factory, pair)
    send_client(tcp_frame(100, 0, 'S'))
    assert tcp_fields(p_guest.recv(2000))[:3] == (100, 0, 2)
    assert tcp_fields(s_guest.recv(2000))[:3] == (100, 0, 2)
    answer_handshake(client, p_guest, s_guest, send_client, send_p, send_s)
    send_client(tcp_frame(101, 1001, 'PA', b'GET /'))
    assert tcp_fields(p_guest.recv(2000))[3] == b'GET /'
    assert tcp_fields(s_guest.recv(2000))[:2] == (101, 5001)
    # the same answer from both guests, each in its own sequence space
    send_p(tcp_frame(1001, 106, 'PA', b'HELLO', sport=80, dport=5000,
                     src='10.0.2.15', dst='10.0.2.2'))
    send_s(tcp_frame(5001, 106, 'PA', b'HELLO', sport=80, dport=5000,
                     src='10.0.2.15', dst='10.0.2.2'))
    seq, ack, _, payload = tcp_fields(client.recv(2000))
    assert (seq, ack, payload) == (1001, 106, b'HELLO')
    if pq:
        st = pq.command('qom-get', path='/objects/comp0', property='stats')
        assert st['compared-tcp'] >= 1 and st['miscompares-tcp'] == 0
    # a differing answer is a miscompare and is held back
    send_p(tcp_frame(1006, 106, 'PA', b'WORLD', sport=80, dport=5000,
                     src='10.0.2.15', dst='10.0.2.2'))
    send_s(tcp_frame(5006, 106, 'PA', b'WORLX', sport=80, dport=5000,
                     src='10.0.2.15', dst='10.0.2.2'))
    if pq:
        assert wait_for(lambda: pq.command(
            'qom-get', path='/objects/comp0',
            property='stats')['miscompares-tcp'] == 1)
    client.settimeout(0.3)
    with pytest.raises(pysocket.timeout):
        client.recv(2000)


def test_colo_rewriter_waits_for_a_stopped_svm(vm_factory):
    """The SVM receives a checkpoint while stopped, and a client packet
    that arrives then reaches its guest after the checkpoint.  The
    rewriter treats it when the guest gets it: a handshake begun in that
    window learns the SVM's own ISN afterwards, so the client's ACK
    reaches the SVM in the SVM's sequence space; a segment of an
    established connection gets the offset of after the checkpoint."""
    (pq, client, p_guest, s_guest, send_client, send_p,
     send_s, sq) = colo_pair(vm_factory)

    def across_checkpoint(frame):
        """@frame reaches the stopped SVM, which then applies a
        checkpoint and runs again; returns the frame its guest got."""
        sq.command('stop')
        send_client(frame)
        p_guest.recv(2000)
        s_guest.settimeout(0.3)
        with pytest.raises(pysocket.timeout):
            s_guest.recv(2000)
        sq.hmp('x_debug_colo_participants_checkpoint')
        sq.command('cont')
        s_guest.settimeout(5)
        return tcp_fields(s_guest.recv(2000))

    assert across_checkpoint(tcp_frame(100, 0, 'S'))[:3] == (100, 0, 2)
    answer_handshake(client, p_guest, s_guest, send_client, send_p, send_s)
    # and while it runs, nothing waits
    send_client(tcp_frame(101, 1001, 'PA', b'GET /'))
    assert tcp_fields(p_guest.recv(2000))[:2] == (101, 1001)
    assert tcp_fields(s_guest.recv(2000))[:2] == (101, 5001)
    # established: a packet that waits across a checkpoint gets the
    # offset of after it (0: the SVM now holds the PVM's state), not the
    # one it would have got on arrival
    assert across_checkpoint(tcp_frame(106, 1001, 'PA', b'MORE'))[:2] == \
        (106, 1001)
