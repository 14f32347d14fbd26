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
