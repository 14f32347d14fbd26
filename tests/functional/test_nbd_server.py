"""NBD server and client with -machine none: nbd-server-start/add/remove/
stop with QEMU 7.2's QMP shapes (legacy SocketAddress, BLOCK_EXPORT_DELETED
before the reply), HMP nbd_server_*, block-export-add/del; qemu-io,
qemu-img and libnbd (python3-libnbd) as clients of Tandem's exports;
Tandem's nbd driver against Debian's qemu-nbd and nbdkit; a Tandem export
stays up when a client sends garbage."""
import os
import socket
import subprocess
import time

import pytest

from conftest import require_binary

BASE = ['-machine', 'none', '-nodefaults', '-display', 'none']
SIZE = 4 * 1024 * 1024
SYS_PYTHON = '/usr/bin/python3'


def make_raw(tmp_path, name, fill=0, size=SIZE):
    path = str(tmp_path / name)
    with open(path, 'wb') as f:
        f.write(bytes([fill]) * size)
    return path


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(argv, timeout=60):
    require_binary(argv[0])
    return subprocess.run(argv, capture_output=True, text=True,
                          timeout=timeout)


def qemu_io(uri, *cmds, fmt='raw'):
    argv = ['qemu-io', '-f', fmt]
    for c in cmds:
        argv += ['-c', c]
    r = run(argv + [uri])
    assert r.returncode == 0, r.stderr
    assert 'Pattern verification failed' not in r.stdout, r.stdout
    assert 'error' not in r.stdout.lower(), r.stdout
    return r.stdout


def start(vm_factory, *args):
    vm = vm_factory(BASE + list(args))
    vm.launch()
    return vm, vm.qmp()


def unix_uri(sock, export):
    return 'nbd+unix:///%s?socket=%s' % (export, sock)


def test_qmp_shapes_and_qemu_io(vm_factory, tmp_path):
    img = make_raw(tmp_path, 'd.raw', 0x11)
    port = free_port()
    vm, q = start(vm_factory, '-drive',
                  'if=none,id=parent0,driver=raw,file.filename=%s' % img)
    r = q.cmd('nbd-server-add', device='parent0', writable=True)
    assert r['error']['desc'] == 'NBD server not running'
    # the exact shape of COLO-FT: legacy nesting, port as a string
    assert q.cmd_raw('nbd-server-start', {'addr': {
        'type': 'inet', 'data': {'host': '127.0.0.1',
                                 'port': str(port)}}}) == {'return': {}}
    r = q.cmd_raw('nbd-server-start', {'addr': {
        'type': 'inet', 'data': {'host': '127.0.0.1', 'port': '1'}}})
    assert r['error']['desc'] == 'NBD server already running'
    assert q.cmd('nbd-server-add', device='parent0',
                 writable=True) == {'return': {}}
    r = q.cmd('nbd-server-add', device='nosuch')
    assert r['error']['class'] == 'GenericError'
    assert "nosuch" in r['error']['desc']
    assert q.command('query-block-exports') == [
        {'id': 'parent0', 'type': 'nbd', 'shutting-down': False,
         'node-name': q.command('query-block')[0]['inserted']['node-name']}]

    uri = 'nbd://127.0.0.1:%d/parent0' % port
    qemu_io(uri, 'write -P 0x5a 65536 131072', 'write -z 1048576 65536')
    qemu_io(uri, 'read -P 0x5a 65536 131072', 'read -P 0x11 0 65536',
            'read -P 0 1048576 65536')
    r = run(['qemu-img', 'info', '--output=json', uri])
    assert r.returncode == 0, r.stderr
    assert '"virtual-size": %d' % SIZE in r.stdout
    r = run(['qemu-img', 'map', '--output=json', '-f', 'raw', uri])
    assert r.returncode == 0, r.stderr
    # unknown export: qemu-io fails cleanly and the server lives on
    r = run(['qemu-io', '-f', 'raw', '-c', 'read 0 512',
             'nbd://127.0.0.1:%d/nope' % port])
    assert r.returncode != 0

    # the data is in the image file
    with open(img, 'rb') as f:
        data = f.read()
    assert data[65536:65536 + 131072] == b'\x5a' * 131072
    assert data[1048576:1048576 + 65536] == b'\0' * 65536
    assert data[0:65536] == b'\x11' * 65536

    # nbd-server-stop: BLOCK_EXPORT_DELETED comes before the reply
    q.send_raw('{"execute": "nbd-server-stop"}\n')
    first = q.read_message()
    assert first['event'] == 'BLOCK_EXPORT_DELETED'
    assert first['data'] == {'id': 'parent0'}
    assert q.read_message() == {'return': {}}
    assert q.command('query-block-exports') == []
    r = q.cmd('nbd-server-stop')
    assert r['error']['desc'] == 'NBD server not running'
    # and it can start again
    assert q.cmd_raw('nbd-server-start', {'addr': {
        'type': 'inet', 'data': {'host': '127.0.0.1',
                                 'port': str(port)}}}) == {'return': {}}


def test_remove_modes_and_block_export(vm_factory, tmp_path):
    img = make_raw(tmp_path, 'd.raw')
    sock = str(tmp_path / 'nbd.sock')
    vm, q = start(vm_factory, '-blockdev',
                  'driver=file,filename=%s,node-name=n0' % img)
    q.command('nbd-server-start',
              addr={'type': 'unix', 'data': {'path': sock}})
    assert q.cmd_raw('block-export-add', {
        'type': 'nbd', 'id': 'exp0', 'node-name': 'n0', 'name': 'disk',
        'writable': True, 'description': 'the disk'}) == {'return': {}}
    r = q.cmd_raw('block-export-add', {
        'type': 'nbd', 'id': 'exp0', 'node-name': 'n0', 'name': 'other'})
    assert r['error']['desc'] == "Block export id 'exp0' is already in use"
    # a connected client keeps a safe removal from working
    nbd = subprocess.Popen(
        [SYS_PYTHON, '-c',
         'import nbd, sys, time\n'
         'h = nbd.NBD()\n'
         'h.set_export_name("disk")\n'
         'h.connect_unix(sys.argv[1])\n'
         'print("up", h.get_size(), flush=True)\n'
         'time.sleep(30)\n', sock],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert nbd.stdout.readline().split() == ['up', str(SIZE)]
    r = q.cmd_raw('nbd-server-remove', {'name': 'disk'})
    assert r['error']['desc'] == "export 'disk' still in use"
    r = q.cmd('block-export-del', id='nope')
    assert r['error']['desc'] == "Export 'nope' is not found"
    assert q.cmd('block-export-del', id='exp0',
                 mode='hard') == {'return': {}}
    ev = q.get_event('BLOCK_EXPORT_DELETED')
    assert ev['data'] == {'id': 'exp0'}
    nbd.kill()
    nbd.wait()
    # HMP
    assert q.hmp('nbd_server_add -w n0 viahmp') == ''
    assert q.command('query-block-exports')[0]['id'] == 'viahmp'
    assert q.hmp('nbd_server_remove viahmp') == ''
    assert q.hmp('nbd_server_stop') == ''
    assert 'not running' in q.hmp('nbd_server_stop')


LIBNBD_SCRIPT = r'''
import nbd, sys
h = nbd.NBD()
h.set_export_name(sys.argv[2])
h.add_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
h.connect_unix(sys.argv[1])
assert h.get_size() == int(sys.argv[3])
assert h.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
h.pwrite(b'\xab' * 8192, 3 * 65536)
assert h.pread(8192, 3 * 65536) == b'\xab' * 8192
assert h.pread(4096, 0) == b'\x22' * 4096
h.zero(65536, 65536)
assert h.pread(65536, 65536) == b'\0' * 65536
h.trim(4096, 2 * 1024 * 1024) if h.can_trim() else None
h.flush()
extents = []
def cb(metacontext, offset, entries, err):
    extents.extend(entries)
h.block_status(1024 * 1024, 0, cb)
assert sum(extents[0::2]) > 0 and len(extents) % 2 == 0
try:
    h.pread(4096, int(sys.argv[3]) - 512)
    raise SystemExit('out of range read succeeded')
except nbd.Error:
    pass
h.shutdown()
print('libnbd ok')
'''


def test_libnbd_client(vm_factory, tmp_path):
    img = make_raw(tmp_path, 'd.raw', 0x22)
    sock = str(tmp_path / 'nbd.sock')
    require_binary(SYS_PYTHON)
    vm, q = start(vm_factory, '-drive',
                  'if=none,id=drive0,driver=raw,file.filename=%s' % img)
    q.command('nbd-server-start',
              addr={'type': 'unix', 'data': {'path': sock}})
    q.command('nbd-server-add', device='drive0', writable=True)
    r = run([SYS_PYTHON, '-c', LIBNBD_SCRIPT, sock, 'drive0', str(SIZE)])
    assert r.returncode == 0, r.stderr
    assert 'libnbd ok' in r.stdout
    with open(img, 'rb') as f:
        data = f.read()
    assert data[3 * 65536:3 * 65536 + 8192] == b'\xab' * 8192
    assert data[65536:2 * 65536] == b'\0' * 65536
    # a read-only export refuses writes
    assert q.cmd_raw('nbd-server-add', {'device': 'drive0',
                                        'name': 'ro'}) == {'return': {}}
    r = run(['qemu-io', '-f', 'raw', '-c', 'write 0 512',
             unix_uri(sock, 'ro')])
    # qemu-io sees NBD_FLAG_READ_ONLY and refuses to open for writing
    assert r.returncode != 0
    assert 'Permission denied' in r.stderr, r.stderr
    r = run(['qemu-io', '-r', '-f', 'raw', '-c', 'read -P 0x22 0 4096',
             unix_uri(sock, 'ro')])
    assert r.returncode == 0 and 'read 4096/4096' in r.stdout, r.stderr


def test_garbage_clients_do_not_hurt(vm_factory, tmp_path):
    img = make_raw(tmp_path, 'd.raw', 0x33)
    sock = str(tmp_path / 'nbd.sock')
    vm, q = start(vm_factory, '-drive',
                  'if=none,id=drive0,driver=raw,file.filename=%s' % img)
    q.command('nbd-server-start',
              addr={'type': 'unix', 'data': {'path': sock}})
    q.command('nbd-server-add', device='drive0', writable=True)
    payloads = [
        b'',                                        # connect, hang up
        b'\0\0\0\x01' + b'\xff' * 64,               # bad option magic
        b'\0\0\0\x01IHAVEOPT\0\0\0\x07\xff\xff\xff\xff',  # huge option
        b'\0\0\0\x01IHAVEOPT\0\0\0\x07\0\0\0\x10' + b'\xff' * 16,
        os.urandom(4096),
    ]
    for p in payloads:
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        s.recv(18)
        if p:
            try:
                s.sendall(p)
            except OSError:
                pass
        s.close()
    # a valid client after a bad request magic in transmission
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.recv(18)
    s.sendall(b'\0\0\0\x03' + b'IHAVEOPT' + b'\0\0\0\x01' +
              b'\0\0\0\x06' + b'drive0')
    s.recv(10)
    s.sendall(b'\xde\xad\xbe\xef' * 7)
    s.settimeout(10)
    assert s.recv(100) == b''
    s.close()
    assert q.command('query-status')['status'] in ('running', 'prelaunch')
    qemu_io(unix_uri(sock, 'drive0'), 'read -P 0x33 0 65536')


def test_nbd_driver_against_qemu_nbd(vm_factory, tmp_path):
    img = make_raw(tmp_path, 'd.raw', 0x44)
    sock = str(tmp_path / 'qnbd.sock')
    require_binary('qemu-nbd')
    srv = subprocess.Popen(['qemu-nbd', '-f', 'raw', '-k', sock, '-x',
                            'exp', '-t', img],
                           stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(sock):
            assert time.monotonic() < deadline, 'qemu-nbd did not start'
            time.sleep(0.05)
        vm, q = start(vm_factory, '-drive',
                      'if=none,id=d0,driver=raw,file.driver=nbd,'
                      'file.server.type=unix,file.server.path=%s,'
                      'file.export=exp' % sock)
        out = q.hmp('qemu-io d0 "write -P 0x55 8192 65536"')
        assert 'wrote 65536/65536' in out, out
        out = q.hmp('qemu-io d0 "read -P 0x44 0 8192"')
        assert 'read 8192/8192' in out, out
        blk = q.command('query-block')[0]
        assert blk['inserted']['image']['virtual-size'] == SIZE
        vm.shutdown()
    finally:
        srv.terminate()
        srv.wait()
    with open(img, 'rb') as f:
        data = f.read()
    assert data[8192:8192 + 65536] == b'\x55' * 65536


def test_nbd_driver_against_nbdkit_and_uri(vm_factory, tmp_path):
    img = make_raw(tmp_path, 'd.raw', 0x66)
    sock = str(tmp_path / 'kit.sock')
    require_binary('nbdkit')
    srv = subprocess.Popen(['nbdkit', '-f', '-U', sock, 'file', img],
                           stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(sock):
            assert time.monotonic() < deadline, 'nbdkit did not start'
            time.sleep(0.05)
        vm, q = start(vm_factory, '-blockdev',
                      '{"driver":"nbd","node-name":"k0","server":'
                      '{"type":"unix","path":"%s"}}' % sock,
                      '-drive', 'if=none,id=d1,driver=raw,file.driver=nbd,'
                      'file.filename=nbd+unix:///?socket=%s' % sock)
        out = q.hmp('qemu-io d1 "write -P 0x77 0 4096"')
        assert 'wrote 4096/4096' in out, out
        out = q.hmp('qemu-io d1 "read -P 0x66 4096 4096"')
        assert 'read 4096/4096' in out, out
        nodes = q.command('query-named-block-nodes')
        assert any(n['node-name'] == 'k0' and n['drv'] == 'nbd'
                   for n in nodes)
        r = q.cmd('blockdev-add', driver='nbd', node_name='bad',
                  server={'type': 'unix',
                          'path': str(tmp_path / 'nosock')})
        assert r['error']['desc'].startswith(
            'Failed to connect to NBD server')
        vm.shutdown()
    finally:
        srv.terminate()
        srv.wait()
    with open(img, 'rb') as f:
        data = f.read()
    assert data[0:4096] == b'\x77' * 4096


def test_nbd_client_lists_exports(vm_factory, tmp_path):
    """Debian's nbd-client speaks the fixed-newstyle handshake to us.

    Attaching /dev/nbdN needs the kernel's nbd module, which this
    sandbox cannot load (no modprobe, no /dev/nbd*); the data path is
    covered by qemu-io, qemu-img and libnbd above.  Listing exports
    (NBD_OPT_LIST) needs no kernel device."""
    require_binary('/usr/sbin/nbd-client')
    img = make_raw(tmp_path, 'd.raw', 0x12)
    port = free_port()
    vm, q = start(vm_factory, '-drive',
                  'if=none,id=drive0,driver=raw,file.filename=%s' % img)
    q.command('nbd-server-start', addr={'type': 'inet', 'data': {
        'host': '127.0.0.1', 'port': str(port)}})
    q.command('nbd-server-add', device='drive0', writable=True)
    r = run(['/usr/sbin/nbd-client', '-l', '127.0.0.1', str(port)])
    assert r.returncode == 0, r.stderr
    assert 'drive0' in r.stdout.split()
    # The server is still healthy for the next client.
    assert q.command('query-status')['running'] is True


def test_debian_qemu_nbd_driver_against_tandem(vm_factory, tmp_path):
    """QEMU 7.2's nbd block driver (the COLO primary's side) writing
    through Tandem's export (the COLO secondary's side)."""
    from conftest import DEBIAN_QEMU
    require_binary(DEBIAN_QEMU)
    img = make_raw(tmp_path, 'd.raw', 0x01)
    port = free_port()
    vm, q = start(vm_factory, '-drive',
                  'if=none,id=parent0,driver=raw,file.filename=%s' % img)
    q.command('nbd-server-start', addr={'type': 'inet', 'data': {
        'host': '127.0.0.1', 'port': str(port)}})
    q.command('nbd-server-add', device='parent0', writable=True)
    peer = vm_factory(BASE, binary=DEBIAN_QEMU, name='qemu')
    peer.launch()
    pq = peer.qmp()
    out = pq.hmp('drive_add -n buddy driver=raw,file.driver=nbd,'
                 'file.host=127.0.0.1,file.port=%d,file.export=parent0,'
                 'node-name=remote0' % port)
    assert out == '', out
    out = pq.hmp('qemu-io remote0 "write -P 0x42 8192 65536"')
    assert 'error' not in out.lower(), out
    pq.hmp('qemu-io remote0 "flush"')
    with open(img, 'rb') as f:
        data = f.read()
    assert data[8192:8192 + 65536] == b'\x42' * 65536
    assert data[0:8192] == b'\x01' * 8192
