"""QOM over QMP: type listing and introspection never crash (QEMU 7.2
aborts on qom-list-properties typename=colo-compare), user-creatable
objects come and go, and the composition tree is browsable."""
import pytest


def error(desc, cls='GenericError'):
    return {'error': {'class': cls, 'desc': desc}}


def test_every_type_introspects(tandem_none):
    c = tandem_none.qmp()
    types = c.command('qom-list-types')
    names = {t['name'] for t in types}
    assert {'iothread', 'none-machine', 'container'} <= names
    for t in types:
        r = c.cmd('qom-list-properties', typename=t['name'])
        assert 'return' in r, (t['name'], r)
        for prop in r['return']:
            assert set(prop) <= {'name', 'type', 'description',
                                 'default-value'}
    devices = {t['name'] for t in c.command('qom-list-types',
                                            implements='device',
                                            abstract=True)}
    for t in types:
        r = c.cmd('device-list-properties', typename=t['name'])
        if t['name'] in devices and not t.get('abstract'):
            assert 'return' in r, (t['name'], r)
        else:
            # A clean error, and the process is still alive.
            assert 'error' in r or 'return' in r
    assert c.command('query-status')['status'] == 'running'


def test_iothread_properties_match_qemu(tandem_none):
    c = tandem_none.qmp()
    props = {p['name']: p['type'] for p in
             c.command('qom-list-properties', typename='iothread')}
    assert props == {'type': 'string', 'thread-pool-min': 'int',
                     'aio-max-batch': 'int', 'thread-pool-max': 'int',
                     'poll-max-ns': 'int', 'poll-grow': 'int',
                     'poll-shrink': 'int'}


def test_unknown_device_type(tandem_none):
    c = tandem_none.qmp()
    assert c.cmd('device-list-properties', typename='virtio-net-ccw') == \
        error("Device 'virtio-net-ccw' not found", 'DeviceNotFound')


def test_object_add_del_iothread(tandem_none):
    c = tandem_none.qmp()
    assert c.cmd('object-add', qom_type='iothread', id='io1',
                 poll_max_ns=1000) == {'return': {}}
    threads = c.command('query-iothreads')
    assert [t['id'] for t in threads] == ['io1']
    assert threads[0]['poll-max-ns'] == 1000
    assert isinstance(threads[0]['thread-id'], int)
    assert c.command('qom-get', path='/objects/io1',
                     property='poll-max-ns') == 1000
    names = {p['name'] for p in c.command('qom-list', path='/objects')}
    assert 'io1' in names
    dup = c.cmd('object-add', qom_type='iothread', id='io1')
    assert 'error' in dup
    assert c.cmd('object-del', id='io1') == {'return': {}}
    assert c.command('query-iothreads') == []
    assert c.cmd('object-del', id='io1') == error(
        "object 'io1' not found")


def test_object_add_errors(tandem_none):
    c = tandem_none.qmp()
    r = c.cmd('object-add', qom_type='no-such-type', id='x')
    assert r['error']['class'] == 'GenericError'
    r = c.cmd('object-add', qom_type='iothread', id='io2',
              poll_max_ns='lots')
    assert r['error']['class'] == 'GenericError'
    assert c.command('query-iothreads') == []


def test_qom_set_get_and_hmp(tandem_none):
    c = tandem_none.qmp()
    c.command('object-add', qom_type='iothread', id='io3')
    c.command('qom-set', path='/objects/io3', property='poll-grow', value=2)
    assert c.command('qom-get', path='/objects/io3',
                     property='poll-grow') == 2
    assert c.hmp('qom-get /objects/io3 poll-grow') == '2\r\n'
    assert c.hmp('object_del io3') == ''
    assert c.hmp('object_del io3') == "Error: object 'io3' not found\r\n"
    assert c.hmp('object_add iothread,id=io4') == ''
    assert [t['id'] for t in c.command('query-iothreads')] == ['io4']
    text = c.hmp('info iothreads')
    assert text.startswith('io4:\r\n')
    assert '  thread_id=' in text


def test_object_on_command_line(vm_factory):
    vm = vm_factory(['-machine', 'none', '-nodefaults',
                     '-object', 'iothread,id=iothread1',
                     '-object', '{"qom-type":"iothread","id":"io2",'
                     '"poll-max-ns":64}'])
    vm.launch()
    c = vm.qmp()
    threads = {t['id']: t for t in c.command('query-iothreads')}
    assert set(threads) == {'iothread1', 'io2'}
    assert threads['io2']['poll-max-ns'] == 64
