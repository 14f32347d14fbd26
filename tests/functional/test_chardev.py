"""Character devices through QMP: chardev-add/-remove, query-chardev,
ringbuf-write/-read, and socket chardevs surviving client misbehaviour."""
import base64
import socket


def test_ringbuf_roundtrip(tandem_none):
    c = tandem_none.qmp()
    assert c.cmd('chardev-add', id='rb0', backend={
        'type': 'ringbuf', 'data': {'size': 16}}) == {'return': {}}
    assert c.cmd('ringbuf-write', device='rb0', data='hello') == \
        {'return': {}}
    assert c.command('ringbuf-read', device='rb0', size=100) == 'hello'
    # Wrap-around keeps the newest bytes.
    c.command('ringbuf-write', device='rb0', data='0123456789abcdefXYZ')
    assert c.command('ringbuf-read', device='rb0', size=100) == \
        '3456789abcdefXYZ'
    data = base64.b64encode(b'\x00\x01binary').decode()
    c.command('ringbuf-write', device='rb0', data=data, format='base64')
    assert c.command('ringbuf-read', device='rb0', size=100,
                     format='base64') == data
    labels = {ch['label'] for ch in c.command('query-chardev')}
    assert 'rb0' in labels
    assert c.cmd('chardev-remove', id='rb0') == {'return': {}}
    r = c.cmd('ringbuf-read', device='rb0', size=1)
    assert r['error']['class'] == 'GenericError'


def test_chardev_add_errors(tandem_none):
    c = tandem_none.qmp()
    c.command('chardev-add', id='n0', backend={'type': 'null', 'data': {}})
    r = c.cmd('chardev-add', id='n0', backend={'type': 'null', 'data': {}})
    assert r['error']['class'] == 'GenericError'
    r = c.cmd('chardev-remove', id='nosuch')
    assert r['error']['class'] == 'GenericError'


def test_socket_chardev_via_qmp_like_colo_ft(tandem_none, tmp_path):
    c = tandem_none.qmp()
    port_sock = socket.socket()
    port_sock.bind(('127.0.0.1', 0))
    port = port_sock.getsockname()[1]
    port_sock.close()
    assert c.cmd('chardev-add', id='mirror0', backend={
        'type': 'socket', 'data': {
            'addr': {'type': 'inet',
                     'data': {'host': '127.0.0.1', 'port': str(port)}},
            'server': True, 'wait': False}}) == {'return': {}}
    info = {ch['label']: ch for ch in c.command('query-chardev')}
    assert info['mirror0']['frontend-open'] is False
    assert info['mirror0']['filename'].startswith('disconnected:tcp:')
    # Clients that connect and vanish, even mid-frame, are fine.
    for _ in range(3):
        s = socket.create_connection(('127.0.0.1', port))
        s.sendall(b'\x00\x00\x00\x10partial')
        s.close()
    assert c.command('query-status')['running'] is True
    assert c.cmd('chardev-remove', id='mirror0') == {'return': {}}


def test_chardev_cmdline_socket_and_file(vm_factory, tmp_path):
    sock = str(tmp_path / 'c.sock')
    logf = str(tmp_path / 'out.log')
    vm = vm_factory(['-machine', 'none', '-nodefaults',
                     '-chardev', 'socket,id=c1,path=%s,server=on,wait=off'
                     % sock,
                     '-chardev', 'file,id=f1,path=%s' % logf])
    vm.launch()
    c = vm.qmp()
    labels = {ch['label']: ch['filename'] for ch in
              c.command('query-chardev')}
    assert labels['c1'] == 'disconnected:unix:%s,server=on' % sock
    assert 'f1' in labels
    text = c.hmp('info chardev')
    assert 'c1: filename=disconnected:unix:%s,server=on' % sock in text
