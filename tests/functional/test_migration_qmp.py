"""The migration QMP/HMP surface against QEMU 7.2's transcripts:
capabilities and parameters (order, defaults, round trips, errors),
query-migrate before any migration, the COLO commands before COLO."""
import time

import pytest


def qmp_of(vm, tries=100):
    """vm.qmp(), retrying while the socket file exists but does not
    accept yet (bind happens before listen in the VMM)."""
    for _ in range(tries):
        try:
            return vm.qmp()
        except ConnectionRefusedError:
            time.sleep(0.02)
    return vm.qmp()


CAPS = ['xbzrle', 'rdma-pin-all', 'auto-converge', 'zero-blocks',
        'compress', 'events', 'postcopy-ram', 'x-colo', 'release-ram',
        'block', 'return-path', 'pause-before-switchover', 'multifd',
        'dirty-bitmaps', 'postcopy-blocktime', 'late-block-activate',
        'x-ignore-shared', 'validate-uuid', 'background-snapshot',
        'zero-copy-send', 'postcopy-preempt']

PARAMS = {
    'announce-initial': 50, 'announce-max': 550, 'announce-rounds': 5,
    'announce-step': 100, 'compress-level': 1, 'compress-threads': 8,
    'compress-wait-thread': True, 'decompress-threads': 2,
    'throttle-trigger-threshold': 50, 'cpu-throttle-initial': 20,
    'cpu-throttle-increment': 10, 'cpu-throttle-tailslow': False,
    'tls-creds': '', 'tls-hostname': '', 'tls-authz': '',
    'max-bandwidth': 134217728, 'downtime-limit': 300,
    'x-checkpoint-delay': 20000, 'block-incremental': False,
    'multifd-channels': 2, 'xbzrle-cache-size': 67108864,
    'max-postcopy-bandwidth': 0, 'max-cpu-throttle': 99,
    'multifd-compression': 'none', 'multifd-zlib-level': 1,
    'multifd-zstd-level': 1,
    # Tandem's addition (COLO background transfer), after QEMU 7.2's 26
    'x-colo-background-bandwidth': 64 * 1024 * 1024,
}

INFO_PARAMS = """announce-initial: 50 ms
announce-max: 550 ms
announce-rounds: 5
announce-step: 100 ms
compress-level: 1
compress-threads: 8
compress-wait-thread: on
decompress-threads: 2
throttle-trigger-threshold: 50
cpu-throttle-initial: 20
cpu-throttle-increment: 10
cpu-throttle-tailslow: off
max-cpu-throttle: 99
tls-creds: ''
tls-hostname: ''
max-bandwidth: 134217728 bytes/second
downtime-limit: 300 ms
x-checkpoint-delay: %d ms
block-incremental: off
multifd-channels: 2
multifd-compression: none
xbzrle-cache-size: 67108864 bytes
max-postcopy-bandwidth: 0
tls-authz: ''
x-colo-background-bandwidth: 67108864 bytes/second
"""

GLOBALS = """globals:
store-global-state: on
only-migratable: off
send-configuration: on
send-section-footer: on
decompress-error-check: on
clear-bitmap-shift: 18
"""


def hmp_text(c, line):
    return c.hmp(line).replace('\r\n', '\n')


def test_capabilities_order_and_defaults(tandem_none):
    c = qmp_of(tandem_none)
    caps = c.command('query-migrate-capabilities')
    assert caps == [{'capability': n, 'state': False} for n in CAPS]
    assert hmp_text(c, 'info migrate_capabilities') == \
        ''.join('%s: off\n' % n for n in CAPS)


def test_capabilities_set_and_errors(tandem_none):
    c = qmp_of(tandem_none)
    assert c.command('migrate-set-capabilities', capabilities=[
        {'capability': 'x-colo', 'state': True},
        {'capability': 'events', 'state': True}]) == {}
    caps = {x['capability']: x['state']
            for x in c.command('query-migrate-capabilities')}
    assert caps['x-colo'] and caps['events'] and not caps['xbzrle']
    r = c.cmd('migrate-set-capabilities', capabilities=[
        {'capability': 'xbzrle', 'state': True}])
    assert r['error']['class'] == 'GenericError'
    assert "'xbzrle'" in r['error']['desc']
    r = c.cmd('migrate-set-capabilities', capabilities=[
        {'capability': 'no-such-cap', 'state': True}])
    assert r['error']['class'] == 'GenericError'
    # HMP, as in hmp-session.txt
    assert hmp_text(c, 'migrate_set_capability x-colo off') == ''
    assert hmp_text(c, 'migrate_set_capability no-such-cap on') == \
        'Error: invalid parameter value: no-such-cap\n'
    assert hmp_text(c, 'migrate_set_capability x-colo maybe') == \
        "Expected 'on' or 'off'\n" \
        'Try "help migrate_set_capability" for more information\n'
    assert 'x-colo: off\n' in hmp_text(c, 'info migrate_capabilities')
    assert 'events: on\n' in hmp_text(c, 'info migrate_capabilities')


def test_parameters_defaults(tandem_none):
    c = qmp_of(tandem_none)
    assert c.command('query-migrate-parameters') == PARAMS
    assert hmp_text(c, 'info migrate_parameters') == INFO_PARAMS % 20000


def test_parameters_set_query_and_errors(tandem_none):
    c = qmp_of(tandem_none)
    assert c.command('migrate-set-parameters', x_checkpoint_delay=2000,
                     max_bandwidth=1 << 30, tls_creds=None,
                     downtime_limit=500) == {}
    p = c.command('query-migrate-parameters')
    assert p['x-checkpoint-delay'] == 2000
    assert p['max-bandwidth'] == 1 << 30
    assert p['downtime-limit'] == 500
    assert p['tls-creds'] == ''
    r = c.cmd('migrate-set-parameters', downtime_limit=2000001)
    assert r['error']['desc'] == (
        "Parameter 'downtime_limit' expects an integer in the range of 0 "
        "to 2000000 milliseconds")
    r = c.cmd('migrate-set-parameters', compress_level=10)
    assert r['error']['desc'] == \
        "Parameter 'compress_level' expects a value between 0 and 9"
    r = c.cmd('migrate-set-parameters', x_checkpoint_delay='x')
    assert r['error']['class'] == 'GenericError'
    # HMP, as in hmp-session.txt
    assert hmp_text(c, 'migrate_set_parameter x-checkpoint-delay 3000') == ''
    assert c.command('query-migrate-parameters')['x-checkpoint-delay'] == \
        3000
    assert hmp_text(c, 'migrate_set_parameter x-checkpoint-delay abc') == \
        "Error: Parameter 'x-checkpoint-delay' expects uint64\n"
    assert hmp_text(c, 'migrate_set_parameter no-such-param 1') == \
        'Error: invalid parameter value: no-such-param\n'
    assert hmp_text(c, 'migrate_set_parameter downtime-limit 300') == ''
    assert hmp_text(c, 'migrate_set_parameter max-bandwidth 134217728') == ''
    assert hmp_text(c, 'info migrate_parameters') == INFO_PARAMS % 3000


def test_query_migrate_before_migration(tandem_none):
    c = qmp_of(tandem_none)
    assert c.command('query-migrate') == {}
    assert hmp_text(c, 'info migrate') == GLOBALS
    assert c.command('query-colo-status') == {
        'mode': 'none', 'last-mode': 'none', 'reason': 'none'}
    r = c.cmd('x-colo-lost-heartbeat')
    assert r['error'] == {'class': 'GenericError',
                          'desc': "The feature 'colo' is not enabled"}
    assert hmp_text(c, 'x_colo_lost_heartbeat') == \
        "Error: The feature 'colo' is not enabled\n"


@pytest.mark.parametrize('args,desc', [
    ({'uri': 'nosuch:foo'}, 'unknown migration protocol'),
    ({'uri': 'tcp:127.0.0.1:1', 'blk': True}, 'not supported'),
])
def test_migrate_errors(tandem_none, args, desc):
    c = qmp_of(tandem_none)
    r = c.cmd('migrate', **args)
    assert desc in r['error']['desc']
    assert c.command('query-migrate') == {}


def test_migrate_incoming_needs_defer(tandem_none):
    c = qmp_of(tandem_none)
    r = c.cmd('migrate-incoming', uri='tcp:127.0.0.1:0')
    assert r['error']['desc'] == \
        "'-incoming' was not specified on the command line"
    r = c.cmd('migrate-pause')
    assert r['error']['class'] == 'GenericError'


def test_commands_listed(tandem_none):
    c = qmp_of(tandem_none)
    names = {x['name'] for x in c.command('query-commands')}
    for n in ['migrate', 'migrate_cancel', 'migrate-incoming',
              'query-migrate', 'migrate-set-capabilities',
              'query-migrate-capabilities', 'migrate-set-parameters',
              'query-migrate-parameters', 'migrate-continue',
              'query-colo-status', 'x-colo-lost-heartbeat']:
        assert n in names
