"""-netdev and the COLO proxy -object types on the command line: the
errors of qemu-transcripts/object-cmdline-errors.txt (exit 1 with the real
text, never an abort: QEMU 7.2 exits 134 on most colo-compare errors),
-object T,help and qom-list-properties as in object-help.txt and
qom-list-properties.txt, and 'info network' in QEMU's format."""
import pytest

from conftest import run_tandem
from test_net_util import free_ports

BASE = ['-machine', 'none', '-nodefaults', '-display', 'none', '-S']


def chardevs(ports):
    args = []
    for i, port in enumerate(ports, 1):
        args += ['-chardev', 'socket,id=c%d,host=127.0.0.1,port=%d,'
                 'server=on,wait=off' % (i, port)]
    return args


def expect_error(args, text):
    r = run_tandem(BASE + args)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert text in r.stderr, r.stderr
    assert 'Assertion' not in r.stderr and 'GLib' not in r.stderr
    return r


@pytest.fixture
def three():
    return chardevs(free_ports(3)) + ['-object', 'iothread,id=io1']


CC = 'colo-compare,id=cc,primary_in=c1,secondary_in=c2,'


@pytest.mark.parametrize('obj,text', [
    ('colo-compare,id=cc', "Parameter 'primary_in' is missing"),
    (CC + 'outdev=c3', "Parameter 'iothread' is missing"),
    (CC + 'outdev=c1,iothread=io1',
     "'indev' and 'outdev' could not be same for compare module"),
    (CC + 'outdev=nosuch,iothread=io1', "Device 'nosuch' not found"),
    (CC + 'outdev=c3,iothread=nosuch', "Device 'nosuch' not found"),
    (CC + 'outdev=c3,iothread=io1,compare_timeout=0,max_queue_size=10',
     "Property 'colo-compare.compare_timeout' requires a positive value"),
    (CC + 'outdev=c3,iothread=io1,expired_scan_cycle=0',
     "Property 'colo-compare.expired_scan_cycle' requires a positive "
     "value"),
])
def test_colo_compare_errors(three, obj, text):
    expect_error(three + ['-object', obj], text)


def test_colo_compare_non_socket_chardev():
    ports = free_ports(2)
    expect_error(['-chardev', 'file,id=f1,path=/dev/null'] +
                 chardevs(ports) + ['-object', 'iothread,id=io1',
                                    '-object', 'colo-compare,id=cc,'
                                    'primary_in=f1,secondary_in=c1,'
                                    'outdev=c2,iothread=io1'],
                 'chardev "f1" is not reconnectable')


@pytest.mark.parametrize('obj,text', [
    ('filter-mirror,id=m0,netdev=hn0,queue=tx',
     "Parameter 'outdev' is missing"),
    ('filter-mirror,id=m0,netdev=nosuch,queue=tx,outdev=c1',
     "Parameter 'netdev' expects a network backend id"),
    ('filter-mirror,id=m0,netdev=hn0,queue=bogus,outdev=c1',
     "Parameter 'queue' does not accept value 'bogus'"),
    ('filter-mirror,id=m0,netdev=hn0,outdev=nosuch',
     "Device 'nosuch' not found"),
    ('filter-redirector,id=r0,netdev=hn0,queue=rx',
     "filter redirector needs 'indev' or 'outdev' at least one property "
     "set"),
    ('filter-redirector,id=r0,netdev=hn0,queue=rx,indev=c1,outdev=c1',
     "'indev' and 'outdev' could not be same for filter redirector"),
    ('filter-rewriter,id=rew0,netdev=hn0,queue=all,status=maybe',
     "Invalid value for netfilter status, should be 'on' or 'off'"),
    ('filter-buffer,id=fb0,netdev=hn0', "Parameter 'interval' is missing"),
    ('filter-buffer,id=fb0,netdev=hn0,interval=0',
     "Property 'filter-buffer.interval' requires a positive value"),
    ('filter-mirror,id=b,netdev=hn0,outdev=c1,position=id=nosuch',
     "filter 'nosuch' not found"),
    ('filter-dump,id=d0,netdev=hn0', "Parameter 'file' is missing"),
    ('filter-mirror,id=m0,outdev=c1', "Parameter 'netdev' is missing"),
])
def test_filter_errors(three, obj, text):
    expect_error(['-netdev', 'user,id=hn0'] + three +
                 ['-object', 'filter-rewriter,id=a,netdev=hn0',
                  '-object', obj], text)


@pytest.mark.parametrize('netdev,text', [
    ('tap,id=hn0,vhost=off,helper=/usr/lib/qemu/qemu-bridge-helper',
     'helper= and br= (qemu-bridge-helper) are not supported'),
    ('tap,id=hn0,vhost=on,script=no,downscript=no',
     'vhost-net is not supported'),
    ('tap,id=hn0,script=/etc/qemu-ifup', 'tap scripts are not supported'),
    ('socket,id=s0', 'exactly one of listen=, connect=, mcast= or udp= '
     'is required'),
    ('socket,id=s0,udp=127.0.0.1:1', 'localaddr= is mandatory with udp='),
    ('user,id=hn0,net=10.0.2.0/4', 'Invalid netmask provided'),
    ('user,id=hn0,hostfwd=bogus', "Invalid host forwarding rule 'bogus'"),
    ('user,id=hn0,bogus=1', "Parameter 'bogus' is unexpected"),
    ('vde,id=v0', "network backend 'vde' is not supported"),
    ('user,id=0bad', "Parameter 'id' expects an identifier"),
])
def test_netdev_errors(netdev, text):
    expect_error(['-netdev', netdev], text)


def test_netdev_duplicate_id():
    expect_error(['-netdev', 'user,id=hn0', '-netdev', 'user,id=hn0'],
                 "Duplicate ID 'hn0' for netdev")


def test_nic_and_net_stay_refused():
    r = run_tandem(BASE + ['-nic', 'user'])
    assert r.returncode == 1 and 'not supported' in r.stderr


def help_text(obj):
    r = run_tandem(['-object', obj + ',help'])
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize('typ,extra', [
    ('filter-mirror', ['outdev=<string>', 'vnet_hdr_support=<bool>']),
    ('filter-redirector', ['indev=<string>', 'outdev=<string>',
                           'vnet_hdr_support=<bool>']),
    ('filter-rewriter', ['vnet_hdr_support=<bool>']),
    ('filter-buffer', ['interval=<uint32>']),
    ('filter-dump', ['file=<string>', 'maxlen=<uint32>']),
    ('filter-replay', []),
])
def test_filter_help_matches_qemu(typ, extra):
    base = ['insert=<string>', 'netdev=<string>', 'position=<string>',
            'queue=<NetFilterDirection>', 'status=<string>']
    lines = ['  ' + x for x in sorted(base + extra)]
    assert help_text(typ) == '%s options:\n%s\n' % (typ, '\n'.join(lines))


def test_colo_compare_help_matches_qemu():
    assert help_text('colo-compare') == \
        'There are no options for colo-compare.\n'


def test_object_help_lists_proxy_types():
    r = run_tandem(['-object', 'help'])
    listed = r.stdout.split()
    for t in ['colo-compare', 'filter-buffer', 'filter-dump',
              'filter-mirror', 'filter-redirector', 'filter-replay',
              'filter-rewriter', 'iothread']:
        assert t in listed


QOM_PROPS = {
    'filter-mirror': ['outdev', 'vnet_hdr_support'],
    'filter-redirector': ['outdev', 'indev', 'vnet_hdr_support'],
    'filter-rewriter': ['vnet_hdr_support'],
    'filter-buffer': ['interval'],
    'filter-dump': ['maxlen', 'file'],
}
TYPES = {'outdev': 'string', 'indev': 'string', 'vnet_hdr_support': 'bool',
         'interval': 'uint32', 'maxlen': 'uint32', 'file': 'string'}


def test_qom_list_properties_match_qemu(tandem_none):
    c = tandem_none.qmp()
    base = [('type', 'string'), ('queue', 'NetFilterDirection'),
            ('netdev', 'string'), ('insert', 'string'),
            ('status', 'string'), ('position', 'string')]
    for typ, extra in QOM_PROPS.items():
        got = [(p['name'], p['type']) for p in
               c.command('qom-list-properties', typename=typ)]
        assert got == base + [(n, TYPES[n]) for n in extra], typ


def test_qom_list_properties_colo_compare_does_not_crash(tandem_none):
    c = tandem_none.qmp()
    props = {p['name']: p['type'] for p in
             c.command('qom-list-properties', typename='colo-compare')}
    assert props['primary_in'] == 'string'
    assert props['iothread'] == 'link<iothread>'
    assert props['compare_timeout'] == 'uint64'
    assert props['expired_scan_cycle'] == 'uint32'
    assert props['max_queue_size'] == 'uint32'
    assert props['vnet_hdr_support'] == 'bool'
    assert c.command('query-status')['status'] == 'running'


def test_info_network_format(vm_factory):
    ports = free_ports(2)
    vm = vm_factory(['-machine', 'none', '-nodefaults', '-display', 'none',
                     '-netdev', 'user,id=hn0'] + chardevs(ports) +
                    ['-object', 'filter-mirror,id=m0,netdev=hn0,queue=tx,'
                     'outdev=c1',
                     '-object', 'filter-buffer,id=fb0,netdev=hn0,queue=rx,'
                     'interval=1000,status=off'])
    vm.launch()
    c = vm.qmp()
    assert c.hmp('info network') == (
        'hn0: index=0,type=user,net=10.0.2.0,restrict=off\r\n'
        'filters:\r\n'
        '  - m0: type=filter-mirror,vnet_hdr_support=false,outdev=c1,'
        'position=tail,status=on,insert=behind,netdev=hn0,queue=tx\r\n'
        '  - fb0: type=filter-buffer,interval=1000,position=tail,'
        'status=off,insert=behind,netdev=hn0,queue=rx\r\n'
    )
    assert c.command('qom-get', path='/objects/m0', property='queue') == 'tx'
    # insert=before position=id=... as on a former secondary (COLO-FT 5.4)
    c.command('object-add', **{'qom-type': 'filter-rewriter', 'id': 'rew0',
                               'netdev': 'hn0', 'queue': 'all'})
    c.command('object-add', **{'qom-type': 'filter-redirector',
                               'id': 'redire0', 'netdev': 'hn0',
                               'queue': 'rx', 'indev': 'c2',
                               'insert': 'before', 'position': 'id=rew0'})
    text = c.hmp('info network')
    order = [ln.split(':')[0].strip(' -') for ln in text.splitlines()
             if ln.startswith('  - ')]
    assert order == ['m0', 'fb0', 'redire0', 'rew0']
    # status is changeable at run time
    c.command('qom-set', path='/objects/fb0', property='status', value='on')
    assert 'status=on,insert=behind,netdev=hn0,queue=rx' in \
        c.hmp('info network').splitlines()[3]
    c.command('object-del', id='redire0')
    c.command('object-del', id='rew0')
    r = c.cmd_raw('set_link', {'name': 'hn0', 'up': False})
    assert r == {'return': {}}
    r = c.cmd_raw('set_link', {'name': 'nosuch', 'up': False})
    assert r['error']['desc'] == "Device 'nosuch' not found"
    r = c.cmd('netdev_del', id='hn0')
    assert r == {'return': {}}
    # the filters went with their netdev
    assert c.cmd('qom-get', path='/objects/m0', property='queue')['error']
    assert c.hmp('info network') == ''


def test_netdev_help():
    r = run_tandem(['-netdev', 'help'])
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0] == 'Available netdev backend types:'
    assert {'socket', 'hubport', 'tap', 'user'} <= set(lines[1:])


def test_netdev_json_and_hmp(vm_factory):
    vm = vm_factory(['-machine', 'none', '-nodefaults', '-display', 'none',
                     '-netdev', '{"type": "user", "id": "hn0", "net": '
                     '"10.1.0.0/16", "restrict": true}']).launch()
    c = vm.qmp()
    assert c.hmp('netdev_add socket,id=s9,udp=127.0.0.1:9,'
                 'localaddr=127.0.0.1:0') == ''
    assert c.hmp('set_link s9 off') == ''
    assert c.hmp('netdev_del nosuch') == \
        "Error: Device 'nosuch' not found\r\n"
    assert c.hmp('info network') == (
        'hn0: index=0,type=user,net=10.1.0.0,restrict=on\r\n'
        's9: index=0,type=socket,socket: udp=127.0.0.1:9\r\n')
    assert c.hmp('netdev_del s9') == ''
    r = c.cmd_raw('netdev_add', {'type': 'user', 'id': 'hn0'})
    assert r['error']['desc'] == "Duplicate ID 'hn0' for netdev"
