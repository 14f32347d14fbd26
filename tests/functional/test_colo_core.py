"""COLO between two Tandem processes (-machine none -m 64: RAM, no CPU):
entering COLO after precopy, query-colo-status on both sides, periodic
checkpoints and their events, RAM replicated at each checkpoint,
failover after the peer died (both directions), heartbeat lost on the
secondary, and a peer that speaks another protocol or sends a corrupted
checkpoint."""
import os
import signal
import socket
import struct
import threading
import time

import pytest

from test_migration_live import (ARGS, qmp_of, wait_status, wait_runstate,
                                 enable_events)


def colo_status(c):
    return c.command('query-colo-status')


def start_colo(vm_factory, delay=None, svm_colo_cap=True):
    dst = vm_factory(ARGS + ['-incoming', 'tcp:127.0.0.1:0'], name='svm')
    dst.launch()
    src = vm_factory(ARGS + ['-S'], name='pvm')
    src.launch()
    s, d = qmp_of(src), qmp_of(dst)
    enable_events(s)
    enable_events(d)
    if svm_colo_cap:
        d.command('migrate-set-capabilities', capabilities=[
            {'capability': 'x-colo', 'state': True}])
    s.command('migrate-set-capabilities', capabilities=[
        {'capability': 'x-colo', 'state': True}])
    if delay is not None:
        s.command('migrate-set-parameters', **{'x-checkpoint-delay': delay})
    port = d.command('query-migrate')['socket-address'][0]['port']
    assert s.command('migrate', uri='tcp:127.0.0.1:%s' % port) == {}
    wait_status(s, ('colo',))
    wait_status(d, ('colo',))
    wait_runstate(s, 'running')
    wait_runstate(d, 'running')
    return src, dst, s, d


def wait_event(c, name, timeout=10):
    e = c.get_event(name, timeout=timeout)
    assert e is not None, 'no %s event' % name
    return e


def info_colo(c):
    text = c.hmp('info colo').replace('\r\n', '\n')
    out = {}
    for line in text.split('\n'):
        if ':' in line:
            k, v = line.split(':', 1)
            out[k.strip()] = v.strip()
    return out


def checkpoints(c):
    return int(info_colo(c)['checkpoints'])


def test_enter_colo_status_and_events(vm_factory):
    src, dst, s, d = start_colo(vm_factory)
    assert colo_status(s) == {'mode': 'primary', 'last-mode': 'none',
                              'reason': 'none'}
    assert colo_status(d) == {'mode': 'secondary', 'last-mode': 'none',
                              'reason': 'none'}
    assert s.command('query-migrate') == {'status': 'colo'}
    m = d.command('query-migrate')
    assert m['status'] == 'colo' and 'socket-address' in m
    names = [(e['event'], e.get('data')) for e in s.events
             if e['event'] in ('MIGRATION', 'RESUME')]
    assert ('MIGRATION', {'status': 'colo'}) in names
    assert names[-1] == ('RESUME', None)
    names = [(e['event'], e.get('data')) for e in d.events
             if e['event'] in ('MIGRATION', 'RESUME')]
    assert names == [('MIGRATION', {'status': 'active'}),
                     ('MIGRATION', {'status': 'colo'}), ('RESUME', None)]
    # cancel is refused, a second failover request is refused
    assert 'COLO' in s.cmd('migrate_cancel')['error']['desc']


def test_periodic_checkpoints_and_reschedule(vm_factory):
    src, dst, s, d = start_colo(vm_factory)
    s.events.clear()
    d.events.clear()
    # default delay 20 s: setting 200 ms reschedules at once
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': 200})
    t0 = time.monotonic()
    wait_event(s, 'STOP', timeout=3)
    assert time.monotonic() - t0 < 2
    p = wait_event(s, 'MIGRATION_PASS')
    assert p['data']['pass'] >= 1
    wait_event(s, 'RESUME')
    wait_event(d, 'STOP')
    wait_event(d, 'RESUME')
    time.sleep(1.2)
    n = checkpoints(s)
    assert n >= 4
    assert checkpoints(d) >= n - 1
    assert colo_status(s)['mode'] == 'primary'
    assert s.command('query-status')['status'] == 'running'
    assert d.command('query-status')['status'] == 'running'


def test_ram_replicated_at_checkpoint(vm_factory):
    src, dst, s, d = start_colo(vm_factory, delay=100000)
    s.hmp('x_debug_colo_write 0x100000 0x5a 65536')
    h_pvm = s.hmp('x_debug_colo_hash').strip()
    assert h_pvm != d.hmp('x_debug_colo_hash').strip()
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': 100})
    deadline = time.monotonic() + 10
    while checkpoints(d) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': 100000})
    time.sleep(0.3)
    assert d.hmp('x_debug_colo_hash').strip() == s.hmp(
        'x_debug_colo_hash').strip()
    # a write on the SVM alone is undone by the next checkpoint
    d.hmp('x_debug_colo_write 0x200000 0x33 4096')
    assert d.hmp('x_debug_colo_hash').strip() != s.hmp(
        'x_debug_colo_hash').strip()
    n = checkpoints(d)
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': 100})
    while checkpoints(d) <= n and time.monotonic() < deadline + 10:
        time.sleep(0.05)
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': 100000})
    time.sleep(0.3)
    assert d.hmp('x_debug_colo_hash').strip() == s.hmp(
        'x_debug_colo_hash').strip()


def test_kill_secondary_then_primary_failover(vm_factory):
    src, dst, s, d = start_colo(vm_factory, delay=200)
    wait_event(s, 'STOP')
    dst.proc.send_signal(signal.SIGKILL)
    e = wait_event(s, 'COLO_EXIT', timeout=15)
    assert e['data'] == {'mode': 'primary', 'reason': 'error'}
    wait_runstate(s, 'running')
    assert colo_status(s) == {'mode': 'primary', 'last-mode': 'none',
                              'reason': 'none'}
    assert s.command('query-migrate')['status'] == 'colo'
    s.events.clear()
    assert s.command('x-colo-lost-heartbeat') == {}
    assert colo_status(s) == {'mode': 'none', 'last-mode': 'primary',
                              'reason': 'request'}
    assert s.command('query-migrate')['status'] == 'completed'
    assert s.command('query-status')['status'] == 'running'
    assert [e for e in s.events if e['event'] == 'COLO_EXIT'] == []
    r = s.cmd('x-colo-lost-heartbeat')
    assert r['error']['desc'] == "The feature 'colo' is not enabled"


def test_kill_primary_then_secondary_failover(vm_factory):
    src, dst, s, d = start_colo(vm_factory, delay=100000)
    s.hmp('x_debug_colo_write 0x300000 0x11 8192')
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': 100})
    deadline = time.monotonic() + 10
    while checkpoints(d) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': 100000})
    time.sleep(0.3)
    h = d.hmp('x_debug_colo_hash').strip()
    assert h == s.hmp('x_debug_colo_hash').strip()
    # written on the PVM after the last checkpoint: never reaches the SVM
    s.hmp('x_debug_colo_write 0x400000 0x22 4096')
    src.proc.send_signal(signal.SIGKILL)
    e = wait_event(d, 'COLO_EXIT', timeout=15)
    assert e['data'] == {'mode': 'secondary', 'reason': 'error'}
    assert colo_status(d) == {'mode': 'secondary', 'last-mode': 'none',
                              'reason': 'none'}
    assert d.command('query-status')['status'] == 'running'
    d.events.clear()
    assert d.command('x-colo-lost-heartbeat') == {}
    assert colo_status(d) == {'mode': 'none', 'last-mode': 'secondary',
                              'reason': 'request'}
    assert d.command('query-migrate') == {'status': 'completed'}
    assert d.command('query-status')['status'] == 'running'
    assert [e for e in d.events if e['event'] == 'COLO_EXIT'] == []
    assert d.hmp('x_debug_colo_hash').strip() == h


def test_heartbeat_lost_on_secondary_with_primary_alive(vm_factory):
    src, dst, s, d = start_colo(vm_factory, delay=200)
    wait_event(d, 'RESUME')
    d.events.clear()
    assert d.hmp('x_colo_lost_heartbeat').strip() == ''
    evs = [(e['event'], e.get('data')) for e in d.events
           if e['event'] in ('MIGRATION', 'COLO_EXIT')]
    assert evs == [('MIGRATION', {'status': 'completed'}),
                   ('COLO_EXIT', {'mode': 'secondary',
                                  'reason': 'request'})]
    assert colo_status(d) == {'mode': 'none', 'last-mode': 'secondary',
                              'reason': 'request'}
    assert d.command('query-status')['status'] == 'running'
    e = wait_event(s, 'COLO_EXIT', timeout=15)
    assert e['data'] == {'mode': 'primary', 'reason': 'error'}
    assert colo_status(s)['mode'] == 'primary'
    assert s.command('query-migrate')['status'] == 'colo'
    wait_runstate(s, 'running')
    r = d.cmd('x-colo-lost-heartbeat')
    assert r['error']['desc'] == "The feature 'colo' is not enabled"
    assert s.command('x-colo-lost-heartbeat') == {}
    assert colo_status(s)['reason'] == 'request'


def test_idle_errors(vm_factory):
    vm = vm_factory(ARGS, name='idle')
    vm.launch()
    c = qmp_of(vm)
    assert colo_status(c) == {'mode': 'none', 'last-mode': 'none',
                              'reason': 'none'}
    r = c.cmd('x-colo-lost-heartbeat')
    assert r['error']['desc'] == "The feature 'colo' is not enabled"


MAGIC = struct.pack('>I', 0x544e4443)
PROTO_VERSION = 2       # migration/colo-proto.h


class Proxy:
    """A TCP man in the middle between the PVM and the SVM: finds our
    COLO handshake in the primary's stream and lets a test rewrite the
    primary's bytes from there on (mangle(offset_after_hello, data))."""

    def __init__(self, target_port, mangle, stall_at=None):
        self.target_port = target_port
        self.mangle = mangle
        self.stall_at = stall_at
        self.lsock = socket.socket()
        self.lsock.bind(('127.0.0.1', 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.hello_end = None
        self.sent = 0
        self.tail = b''
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        a, _ = self.lsock.accept()
        b = socket.create_connection(('127.0.0.1', self.target_port))
        threading.Thread(target=self.pump, args=(b, a, False),
                         daemon=True).start()
        self.pump(a, b, True)

    def pump(self, src, dst, from_primary):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_primary:
                    data = self.rewrite(data)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def rewrite(self, data):
        base = self.sent
        self.sent += len(data)
        if self.hello_end is None:
            window = self.tail + data
            i = window.find(MAGIC + struct.pack('>I', PROTO_VERSION))
            if i < 0:
                self.tail = window[-7:]
                return data
            self.hello_end = base - len(self.tail) + i + 8
        out = bytearray(data)
        for k in range(len(out)):
            off = base + k - self.hello_end
            if self.stall_at is not None and off >= self.stall_at:
                # the primary's bytes from here on never arrive
                return bytes(out[:k])
            if off >= -4:
                out[k] = self.mangle(off, out[k])
        return bytes(out)


def start_proxied(vm_factory, mangle, stall_at=None, delay=200,
                  background=None):
    dst = vm_factory(ARGS + ['-incoming', 'tcp:127.0.0.1:0'], name='svm')
    dst.launch()
    src = vm_factory(ARGS + ['-S'], name='pvm')
    src.launch()
    s, d = qmp_of(src), qmp_of(dst)
    enable_events(s)
    enable_events(d)
    s.command('migrate-set-capabilities', capabilities=[
        {'capability': 'x-colo', 'state': True}])
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': delay})
    port = d.command('query-migrate')['socket-address'][0]['port']
    if background is not None:
        s.command('migrate-set-parameters',
              **{'x-colo-background-bandwidth': background})
    proxy = Proxy(int(port), mangle, stall_at)
    assert s.command('migrate', uri='tcp:127.0.0.1:%d' % proxy.port) == {}
    return src, dst, s, d


def test_peer_of_another_protocol_version_is_refused(vm_factory):
    def bump_version(off, byte):
        # the be32 version right after the magic: 2 -> 9
        return 9 if off == -1 else byte

    src, dst, s, d = start_proxied(vm_factory, bump_version)
    e = wait_event(s, 'COLO_EXIT', timeout=15)
    assert e['data'] == {'mode': 'primary', 'reason': 'error'}
    wait_runstate(s, 'running')
    assert dst.wait(timeout=20) != 0
    assert 'COLO protocol version mismatch: peer speaks version 9' in \
        dst.read_stderr()
    assert 'refused version 2' in src.read_stderr()
    assert s.command('x-colo-lost-heartbeat') == {}
    assert colo_status(s) == {'mode': 'none', 'last-mode': 'primary',
                              'reason': 'request'}
    assert s.command('query-status')['status'] == 'running'


def test_corrupted_checkpoint(vm_factory):
    def corrupt_ram(off, byte):
        # after REQUEST (4 bytes) and VMSTATE_SEND (4 bytes): RAM records
        return 0xff if 8 <= off < 24 else byte

    src, dst, s, d = start_proxied(vm_factory, corrupt_ram)
    wait_status(d, ('colo',))
    e = wait_event(d, 'COLO_EXIT', timeout=15)
    assert e['data'] == {'mode': 'secondary', 'reason': 'error'}
    assert 'bad checkpoint RAM' in dst.read_stderr()
    wait_runstate(d, 'running')
    e = wait_event(s, 'COLO_EXIT', timeout=15)
    assert e['data'] == {'mode': 'primary', 'reason': 'error'}
    wait_runstate(s, 'running')
    assert d.command('x-colo-lost-heartbeat') == {}
    assert colo_status(d) == {'mode': 'none', 'last-mode': 'secondary',
                              'reason': 'request'}
    assert dst.proc.poll() is None and src.proc.poll() is None


def test_stats_and_participant_triggers(vm_factory):
    src, dst, s, d = start_colo(vm_factory, delay=100000)
    st = s.command('x-query-colo-stats')
    assert st['checkpoints'] == 0
    assert st['background-bandwidth'] == 64 << 20
    assert st['start-pause'] < 1000000
    s.events.clear()
    s.hmp('x_debug_colo_request miscompare')
    wait_event(s, 'RESUME')
    s.hmp('x_debug_colo_request timeout')
    deadline = time.monotonic() + 10
    while (s.command('x-query-colo-stats')['checkpoints'] < 2 and
           time.monotonic() < deadline):
        time.sleep(0.05)
    st = s.command('x-query-colo-stats')
    assert st['checkpoints'] == 2
    assert st['trigger-miscompare'] == 1
    assert st['trigger-timeout'] == 1
    assert st['trigger-periodic'] == 0
    assert st['pause-p99'] >= st['pause-p50'] > 0
    assert st['bytes-last'] > 0
    text = info_colo(s)
    assert text['checkpoints'] == '2'
    assert 'miscompare=1' in text['triggers']
    assert d.command('x-query-colo-stats')['checkpoints'] == 2
    # the secondary is not the one that takes requests
    assert 'not a COLO primary' in d.hmp('x_debug_colo_request periodic')


def keep(off, byte):
    return byte


def test_failover_on_secondary_mid_checkpoint(vm_factory):
    """The primary's stream stops inside the first checkpoint's RAM: a
    failover on the secondary returns at once, the SVM runs from the
    last complete state (the precopy's), the partial checkpoint is
    dropped."""
    src, dst, s, d = start_proxied(vm_factory, keep, stall_at=200,
                                   delay=100000, background=0)
    wait_status(d, ('colo',))
    wait_status(s, ('colo',))
    h0 = d.hmp('x_debug_colo_hash').strip()
    assert h0 == s.hmp('x_debug_colo_hash').strip()
    s.hmp('x_debug_colo_write 0x0 0x77 1048576')
    d.events.clear()
    s.command('migrate-set-parameters', **{'x-checkpoint-delay': 100})
    wait_event(d, 'STOP', timeout=5)
    time.sleep(0.3)
    assert d.command('query-status')['status'] == 'colo'
    t0 = time.monotonic()
    assert d.command('x-colo-lost-heartbeat') == {}
    assert time.monotonic() - t0 < 1
    assert d.command('query-status')['status'] == 'running'
    assert colo_status(d) == {'mode': 'none', 'last-mode': 'secondary',
                              'reason': 'request'}
    exits = [e['data'] for e in d.events if e['event'] == 'COLO_EXIT']
    assert exits == [{'mode': 'secondary', 'reason': 'request'}]
    assert d.hmp('x_debug_colo_hash').strip() == h0
    # the loop ends quietly: no second COLO_EXIT
    d.get_event('NO_SUCH_EVENT', timeout=0.5)
    exits = [e['data'] for e in d.events if e['event'] == 'COLO_EXIT']
    assert exits == [{'mode': 'secondary', 'reason': 'request'}]


def test_peer_silent_mid_checkpoint(vm_factory):
    """Neither side hangs when the link goes silent inside a checkpoint:
    both time out, report COLO_EXIT error once and keep running."""
    src, dst, s, d = start_proxied(vm_factory, keep, stall_at=200,
                                   delay=200)
    e = wait_event(s, 'COLO_EXIT', timeout=20)
    assert e['data'] == {'mode': 'primary', 'reason': 'error'}
    e = wait_event(d, 'COLO_EXIT', timeout=20)
    assert e['data'] == {'mode': 'secondary', 'reason': 'error'}
    wait_runstate(s, 'running')
    wait_runstate(d, 'running')
    assert 'Timed out' in src.read_stderr() + dst.read_stderr()
    assert colo_status(s)['mode'] == 'primary'
    assert colo_status(d)['mode'] == 'secondary'
    assert s.command('x-colo-lost-heartbeat') == {}
    assert d.command('x-colo-lost-heartbeat') == {}
    assert s.command('query-migrate')['status'] == 'completed'
    assert d.command('query-migrate')['status'] == 'completed'
