"""Trace events switched at run time: QMP trace-event-get-state /
trace-event-set-state and HMP trace-event / info trace-events, with
QEMU 7.2's names, argument shapes and state values."""
import os
import time

import pytest

def call(q, cmd, **args):
    """The raw reply (QMPClient.cmd() reserves the keyword 'name')."""
    return q.cmd_raw(cmd, {k.replace('_', '-'): v for k, v in args.items()})


def ok(q, cmd, **args):
    r = call(q, cmd, **args)
    assert 'return' in r, r
    return r['return']



def log_lines(path, name):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l for l in f if (':%s ' % name) in l]


def wait_lines(path, name, n, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(log_lines(path, name)) >= n:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def traced(vm_factory, tmp_path):
    log = str(tmp_path / 'trace.log')
    vm = vm_factory(['-machine', 'none', '-nodefaults', '-display', 'none',
                     '-D', log])
    vm.launch()
    return vm, vm.qmp(), log


def test_set_state_switches_an_event_on_and_off(traced):
    vm, q, log = traced
    assert ok(q, 'trace-event-get-state', name='net_slirp_init') == [
        {'name': 'net_slirp_init', 'state': 'disabled', 'vcpu': False}]
    ok(q, 'trace-event-set-state', name='net_slirp_init', enable=True)
    assert ok(q, 'trace-event-get-state', name='net_slirp_init')[0][
        'state'] == 'enabled'
    q.command('netdev_add', type='user', id='n1')
    assert wait_lines(log, 'net_slirp_init', 1), 'no trace line'
    ok(q, 'trace-event-set-state', name='net_slirp_init', enable=False)
    q.command('netdev_add', type='user', id='n2')
    q.command('query-status')
    time.sleep(0.3)
    assert len(log_lines(log, 'net_slirp_init')) == 1


def test_patterns_and_errors(traced):
    vm, q, log = traced
    got = ok(q, 'trace-event-get-state', name='colo_compare_*')
    names = [e['name'] for e in got]
    assert 'colo_compare_miscompare' in names and len(names) > 3
    assert all(n.startswith('colo_compare_') for n in names)
    assert all(e['state'] == 'disabled' for e in got)
    ok(q, 'trace-event-set-state', name='colo_compare_*', enable=True)
    assert all(e['state'] == 'enabled' for e in
               ok(q, 'trace-event-get-state', name='colo_compare_*'))
    # a pattern that matches nothing is not an error; an unknown name is
    assert ok(q, 'trace-event-get-state', name='nosuch_*') == []
    for cmd, args in (('trace-event-get-state', {}),
                      ('trace-event-set-state', {'enable': True})):
        r = call(q, cmd, name='nosuch_event', **args)
        assert r['error']['class'] == 'GenericError'
        assert 'nosuch_event' in r['error']['desc']
    r = call(q, 'trace-event-get-state', name='*', vcpu=7)
    assert r['error']['class'] == 'GenericError'
    r = call(q, 'trace-event-set-state', name='net_slirp_init')
    assert r['error']['class'] == 'GenericError'      # enable missing
    assert q.command('query-status')['status']         # still serving


def test_hmp_trace_event_and_info(traced):
    vm, q, log = traced
    assert q.hmp('info trace-events net_slirp_init') == \
        'net_slirp_init : state 0\r\n'
    assert q.hmp('trace-event net_slirp_init on') == ''
    assert q.hmp('info trace-events net_slirp_init') == \
        'net_slirp_init : state 1\r\n'
    assert 'unknown event' in q.hmp('trace-event nosuch_event on')
    out = q.hmp('info trace-events')
    assert 'net_slirp_init : state 1' in out
    assert out.count('\n') > 50


def test_schema_has_the_commands(traced):
    vm, q, log = traced
    schema = {e['name']: e for e in q.command('query-qmp-schema')}
    for name in ('trace-event-get-state', 'trace-event-set-state'):
        assert schema[name]['meta-type'] == 'command'
    args = schema[schema['trace-event-set-state']['arg-type']]['members']
    assert [m['name'] for m in args] == ['name', 'enable',
                                         'ignore-unavailable', 'vcpu']
