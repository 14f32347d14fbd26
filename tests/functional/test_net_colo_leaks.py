"""The COLO proxy's object lifecycle under valgrind: colo-compare and the
net filters are created, listed, read (qom-get statistics), deleted and
re-created over QMP while TCP and UDP frames flow, then the VMM quits.
valgrind's memcheck must report no invalid access, no use of
uninitialised memory and no definitely or indirectly lost block.

This is the leak check of the COLO proxy issue; it runs the normal build
(no sanitizer build needed) with -machine none, so it takes well under a
minute even though valgrind slows the process down ~30x."""
import os
import re
import subprocess
import time

import pytest

from conftest import VM, TANDEM, require_binary
from test_net_colo_compare import Drain, add_compare, chardev_server
from test_net_util import (connect, encode, free_ports, tcp_frame,
                           udp_frame, wait_for)

VALGRIND = '/usr/bin/valgrind'
BASE = ['-machine', 'none', '-nodefaults', '-display', 'none']


class ValgrindVM(VM):
    """A VM whose process runs under valgrind's memcheck."""

    def __init__(self, tmpdir, args, name='vg'):
        super().__init__(tmpdir, args, binary=TANDEM, name=name)
        self.log = os.path.join(self.tmpdir, name + '-valgrind.log')

    def launch(self, extra_qmp=True, wait_socket=True):
        argv = [VALGRIND, '--tool=memcheck', '--leak-check=full',
                '--show-leak-kinds=definite,indirect',
                '--errors-for-leak-kinds=definite,indirect',
                '--track-origins=no', '--num-callers=30',
                '--log-file=' + self.log, TANDEM,
                '-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path]
        argv += self.args
        env = dict(os.environ, G_SLICE='always-malloc',
                   G_DEBUG='gc-friendly')
        self.stderr = open(self.stderr_path, 'wb')
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=env)
        deadline = time.monotonic() + 120
        while not os.path.exists(self.qmp_path):
            if self.proc.poll() is not None:
                raise RuntimeError('valgrind exited early (%d): %s' % (
                    self.proc.returncode, self.read_stderr()))
            assert time.monotonic() < deadline, 'QMP socket did not appear'
            time.sleep(0.1)
        return self

    def report(self):
        with open(self.log, errors='replace') as f:
            return f.read()


def memcheck_summary(text):
    """(errors, definitely lost bytes, indirectly lost bytes)."""
    m = re.search(r'ERROR SUMMARY: ([\d,]+) errors', text)
    assert m, 'no valgrind summary:\n' + text[-3000:]

    def lost(kind):
        m = re.search(kind + r' lost: ([\d,]+) bytes', text)
        return int(m.group(1).replace(',', '')) if m else 0
    return (int(m.group(1).replace(',', '')), lost('definitely'),
            lost('indirectly'))


class Feeder:
    """Sends matching UDP frames and one TCP conversation's segments to
    primary_in and secondary_in (the secondary's TCP copy is segmented
    differently, which the comparator must accept)."""

    def __init__(self, p_pri, p_sec, sport):
        self.pri = connect(p_pri)
        self.sec = connect(p_sec)
        self.sport = sport
        self.seq = 1000
        self.n = 0

    def burst(self, count=20, secondary=True):
        for _ in range(count):
            u = encode(udp_frame(b'payload %d' % self.n, ident=self.n,
                                 sport=self.sport))
            data = b'abcdefgh' * 8
            t = encode(tcp_frame(self.seq, 1, 'PA', data, ident=self.n,
                                 sport=self.sport))
            s1 = encode(tcp_frame(self.seq, 1, 'PA', data[:20],
                                  ident=self.n, sport=self.sport))
            s2 = encode(tcp_frame(self.seq + 20, 1, 'PA', data[20:],
                                  ident=self.n, sport=self.sport))
            self.pri.sendall(u + t)
            if secondary:
                self.sec.sendall(u + s1 + s2)
            self.seq += len(data)
            self.n += 1

    def close(self):
        self.pri.close()
        self.sec.close()


@pytest.fixture
def valgrind_vm(tmp_path):
    require_binary(VALGRIND)
    vms = []

    def make(args):
        vm = ValgrindVM(tmp_path, args)
        vms.append(vm)
        return vm
    yield make
    for vm in vms:
        vm.shutdown()


def test_colo_proxy_lifecycle_valgrind_clean(valgrind_vm, tmp_path):
    p_pri, p_sec, p_out, p_mirror, p_in = free_ports(5)
    (u0, u1), = [free_ports(2)]
    vm = valgrind_vm(BASE + [
        '-netdev', 'socket,id=s0,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d'
        % (u1, u0)]).launch()
    c = vm.qmp()
    c.command('object-add', **{'qom-type': 'iothread', 'id': 'iothread1'})
    for cid, port in (('pri', p_pri), ('sec', p_sec), ('out', p_out),
                      ('mirror0', p_mirror), ('in0', p_in)):
        chardev_server(c, cid, port)
    props = c.command('qom-list-properties', typename='colo-compare')
    names = {p['name'] for p in props}
    assert {'primary_in', 'secondary_in', 'outdev', 'compare_timeout',
            'max_queue_size'} <= names
    for t in ('filter-mirror', 'filter-redirector', 'filter-rewriter',
              'filter-buffer', 'filter-dump'):
        assert c.command('qom-list-properties', typename=t)

    drain = Drain(p_out)
    drain.start()
    mirror_drain = None
    injector = None
    released = 0
    for round_ in range(3):
        add_compare(c, compare_timeout=100, expired_scan_cycle=50)
        feeder = Feeder(p_pri, p_sec, 5000 + round_)
        for obj in [
                {'qom-type': 'filter-mirror', 'id': 'm0', 'netdev': 's0',
                 'queue': 'tx', 'outdev': 'mirror0'},
                {'qom-type': 'filter-rewriter', 'id': 'rw0', 'netdev': 's0'},
                {'qom-type': 'filter-redirector', 'id': 'r0',
                 'netdev': 's0', 'queue': 'rx', 'indev': 'in0'},
                {'qom-type': 'filter-buffer', 'id': 'b0', 'netdev': 's0',
                 'interval': 1000},
                {'qom-type': 'filter-dump', 'id': 'd0', 'netdev': 's0',
                 'file': str(tmp_path / ('d%d.pcap' % round_))}]:
            assert c.cmd_raw('object-add', obj) == {'return': {}}, obj
        if mirror_drain is None:
            mirror_drain = Drain(p_mirror)
            mirror_drain.start()
            injector = connect(p_in)
        feeder.burst()
        injector.sendall(encode(udp_frame(b'inj%d' % round_)) * 10)
        wait_for(lambda: c.command(
            'qom-get', path='/objects/comp0',
            property='stats')['released'] >= 40, timeout=60)
        st = c.command('qom-get', path='/objects/comp0', property='stats')
        assert st['released'] >= 40, (round_, st)
        assert st['input-primary'] >= st['released']
        released += st['released']
        c.command('qom-set', path='/objects/b0', property='status',
                  value='off')
        # deleted while the comparator holds unmatched primary packets
        feeder.burst(5, secondary=False)
        for oid in ('comp0', 'r0', 'b0', 'm0', 'rw0', 'd0'):
            assert c.cmd('object-del', id=oid) == {'return': {}}
        feeder.close()
    assert released >= 120
    assert drain.bytes > 0
    c.command('object-del', id='iothread1')
    assert c.command('query-status')['status'] == 'running'
    c.cmd('quit')
    assert vm.proc.wait(timeout=120) == 0, vm.read_stderr()
    text = vm.report()
    errors, definite, indirect = memcheck_summary(text)
    assert (errors, definite, indirect) == (0, 0, 0), text[-6000:]
