"""Block layer from the command line and QMP with -machine none:
-drive and -blockdev forms (incl. libvirt's JSON lines), blockdev-add /
blockdev-del, query-block / query-named-block-nodes shapes, HMP info
block / drive_add / drive_del / qemu-io, image locking between two
processes, and data written by Tandem as seen by qemu-img and qemu-io."""
import json
import os
import subprocess

import pytest

from conftest import run_tandem, require_binary

PROG = 'qemu-system-x86_64: '
BASE = ['-machine', 'none', '-nodefaults', '-display', 'none']


def qemu_img(*args):
    require_binary('qemu-img')
    return subprocess.run(['qemu-img'] + list(args), capture_output=True,
                          text=True, timeout=60)


def qemu_io_read(path, fmt, pattern, off, length):
    require_binary('qemu-io')
    r = subprocess.run(['qemu-io', '-r', '-f', fmt, '-c',
                        'read -P 0x%x %s %s' % (pattern, off, length), path],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert 'Pattern verification failed' not in r.stdout, r.stdout
    assert 'read ' in r.stdout


def new_qcow2(tmp_path, name, size='64M', *extra):
    path = str(tmp_path / name)
    r = qemu_img('create', '-q', '-f', 'qcow2', *extra, path, size)
    assert r.returncode == 0, r.stderr
    return path


def start(vm_factory, *args):
    vm = vm_factory(BASE + list(args))
    vm.launch()
    return vm, vm.qmp()


def test_drive_if_none_query_block(vm_factory, tmp_path):
    img = new_qcow2(tmp_path, 'd.qcow2')
    vm, q = start(vm_factory, '-drive', 'if=none,id=drive0,file=%s' % img)
    blocks = q.command('query-block')
    assert len(blocks) == 1
    b = blocks[0]
    assert b['device'] == 'drive0'
    assert b['type'] == 'unknown'
    assert b['removable'] is True and b['locked'] is False
    assert 'qdev' not in b
    ins = b['inserted']
    assert ins['drv'] == 'qcow2' and ins['ro'] is False
    assert ins['file'] == img
    assert ins['node-name'].startswith('#block')
    assert ins['detect_zeroes'] == 'off'
    assert ins['cache'] == {'writeback': True, 'direct': False,
                            'no-flush': False}
    for k in ('bps', 'bps_rd', 'bps_wr', 'iops', 'iops_rd', 'iops_wr',
              'write_threshold', 'backing_file_depth'):
        assert ins[k] == 0
    image = ins['image']
    assert image['virtual-size'] == 64 << 20
    assert image['cluster-size'] == 65536
    assert image['format'] == 'qcow2'
    assert image['format-specific'] == {
        'type': 'qcow2', 'data': {'compat': '1.1', 'lazy-refcounts': False,
                                  'refcount-bits': 16, 'corrupt': False,
                                  'extended-l2': False,
                                  'compression-type': 'zlib'}}
    text = q.hmp('info block')
    assert text.startswith('drive0 (%s): %s (qcow2)\r\n' %
                           (ins['node-name'], img))
    assert '    Cache mode:       writeback\r\n' in text


def test_drive_dotted_colo_forms(vm_factory, tmp_path):
    base = new_qcow2(tmp_path, 'primary.qcow2')
    active = new_qcow2(tmp_path, 'active.qcow2')
    hidden = new_qcow2(tmp_path, 'hidden.qcow2')
    vm, q = start(
        vm_factory,
        '-drive', 'if=none,id=parent0,file.filename=%s,driver=qcow2' % base,
        '-drive', 'if=none,id=top0,driver=qcow2,file.filename=%s,'
                  'backing.driver=qcow2,backing.file.filename=%s,'
                  'backing.backing=parent0,node-name=top' % (active, hidden))
    nodes = {n['node-name']: n for n in
             q.command('query-named-block-nodes', flat=True)}
    assert 'top' in nodes
    top = [b for b in q.command('query-block') if b['device'] == 'top0'][0]
    assert top['inserted']['image']['backing-image']['backing-image'][
        'filename'] == base
    r = q.cmd('blockdev-del', node_name='top')
    assert 'error' in r


def test_blockdev_libvirt_json(vm_factory, tmp_path):
    img = new_qcow2(tmp_path, 'lv.qcow2')
    storage = json.dumps({'driver': 'file', 'filename': img,
                          'node-name': 'libvirt-1-storage',
                          'auto-read-only': True, 'discard': 'unmap'})
    fmt = json.dumps({'node-name': 'libvirt-1-format', 'read-only': False,
                      'driver': 'qcow2', 'file': 'libvirt-1-storage',
                      'backing': None})
    vm, q = start(vm_factory, '-blockdev', storage, '-blockdev', fmt)
    nodes = {n['node-name']: n for n in q.command('query-named-block-nodes')}
    assert nodes['libvirt-1-storage']['drv'] == 'file'
    assert nodes['libvirt-1-format']['drv'] == 'qcow2'
    assert nodes['libvirt-1-format']['ro'] is False
    assert q.command('query-block') == []
    # in use by the format node
    r = q.cmd('blockdev-del', node_name='libvirt-1-storage')
    assert 'is busy' in r['error']['desc']
    assert q.command('blockdev-del', node_name='libvirt-1-format') == {}
    assert q.command('blockdev-del', node_name='libvirt-1-storage') == {}
    assert q.command('query-named-block-nodes') == []


def test_blockdev_keyval(vm_factory, tmp_path):
    img = str(tmp_path / 'k.raw')
    with open(img, 'wb') as f:
        f.write(b'\0' * 1048576)
    vm, q = start(vm_factory, '-blockdev',
                  'driver=raw,node-name=r0,file.driver=file,'
                  'file.filename=%s,offset=4096,size=8192' % img)
    n = [n for n in q.command('query-named-block-nodes')
         if n['node-name'] == 'r0'][0]
    assert n['image']['virtual-size'] == 8192


def test_blockdev_add_del_qmp(tandem_none, tmp_path):
    q = tandem_none.qmp()
    img = new_qcow2(tmp_path, 'a.qcow2')
    r = q.cmd('blockdev-add', driver='x', node_name='n0')
    assert r['error']['desc'] == "Parameter 'driver' does not accept value 'x'"
    r = q.cmd('blockdev-add', driver='qcow2',
              file={'driver': 'file', 'filename': img})
    assert r['error']['desc'] == \
        "'node-name' must be specified for the root node"
    assert q.command('blockdev-add', driver='qcow2', node_name='n0',
                     file={'driver': 'file', 'filename': img,
                           'node-name': 'n0-file'}) == {}
    r = q.cmd('blockdev-add', driver='qcow2', node_name='n0',
              file={'driver': 'file', 'filename': img})
    assert 'error' in r
    names = [n['node-name'] for n in q.command('query-named-block-nodes')]
    assert 'n0' in names and 'n0-file' in names
    assert q.command('blockdev-del', node_name='n0') == {}
    r = q.cmd('blockdev-del', node_name='n0')
    assert r['error']['desc'] == "Failed to find node with node-name='n0'"
    assert q.command('query-named-block-nodes') == []


@pytest.mark.parametrize('opt,message', [
    ('if=none,id=d0,file=/nonexistent.img',
     "Could not open '/nonexistent.img': No such file or directory"),
    ('if=none,id=d0,file=@IMG@,format=raw,aio=native',
     'aio=native was specified, but it requires cache.direct=on, which was '
     'not specified.'),
    ('if=none,id=d0,file=@IMG@,snapshot=on',
     'snapshot=on is not supported'),
    ('if=bogus,file=@IMG@', "unsupported bus type 'bogus'"),
    ('if=none,id=d0,file=@IMG@,cache=sometimes', 'invalid cache option'),
])
def test_drive_errors(tmp_path, opt, message):
    img = str(tmp_path / 'e.raw')
    with open(img, 'wb') as f:
        f.write(b'\0' * 65536)
    opt = opt.replace('@IMG@', img)
    r = run_tandem(BASE + ['-drive', opt])
    assert r.returncode == 1
    assert r.stderr.startswith(PROG + '-drive %s: %s' % (opt, message)), \
        r.stderr


def test_locking_between_processes(vm_factory, tmp_path):
    img = new_qcow2(tmp_path, 'lock.qcow2')
    vm, q = start(vm_factory, '-drive',
                  'if=none,id=d0,file=%s,format=qcow2' % img)
    r = run_tandem(BASE + ['-drive', 'if=none,id=d0,file=%s,format=qcow2'
                           % img])
    assert r.returncode == 1
    assert 'Failed to get "write" lock' in r.stderr
    assert 'Is another process using the image [%s]?' % img in r.stderr
    # QEMU's own tools see the lock too
    r = qemu_img('info', img)
    assert r.returncode != 0 and 'lock' in r.stderr
    # read-only with locking off is allowed
    vm2, q2 = start(vm_factory, '-drive',
                    'if=none,id=d1,file.filename=%s,file.locking=off,'
                    'driver=qcow2,readonly=on' % img)
    assert q2.command('query-block')[0]['inserted']['ro'] is True


def test_qemu_img_interop(vm_factory, tmp_path):
    img = new_qcow2(tmp_path, 'io.qcow2')
    vm, q = start(vm_factory, '-drive',
                  'if=none,id=d0,file=%s,format=qcow2,cache=none' % img)
    out = q.hmp('qemu-io d0 "write -P 0xab 0 64k"')
    assert out == 'wrote 65536/65536 bytes at offset 0\r\n'
    q.hmp('qemu-io d0 "write -P 0xcd 1000k 3000"')
    q.hmp('qemu-io d0 "write -z 64k 64k"')
    assert 'read 3000/3000' in q.hmp('qemu-io d0 "read -P 0xcd 1000k 3000"')
    assert 'failed' in q.hmp('qemu-io d0 "read -P 0x00 0 512"')
    q.command('quit')
    vm.wait()
    r = qemu_img('check', img)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'No errors were found on the image.' in r.stdout
    qemu_io_read(img, 'qcow2', 0xab, 0, '64k')
    qemu_io_read(img, 'qcow2', 0xcd, '1000k', 3000)
    qemu_io_read(img, 'qcow2', 0, '64k', '64k')


def test_overlay_with_raw_backing(vm_factory, tmp_path):
    base = str(tmp_path / 'base.raw')
    with open(base, 'wb') as f:
        f.write(b'\x5a' * (4 << 20))
    top = new_qcow2(tmp_path, 'top.qcow2', '8M', '-b', base, '-F', 'raw')
    vm, q = start(vm_factory, '-drive', 'if=none,id=d0,file=%s' % top)
    b = q.command('query-block')[0]['inserted']
    assert b['backing_file'] == base
    assert b['backing_file_depth'] == 1
    assert b['image']['backing-image']['format'] == 'raw'
    assert 'Backing file:     %s (chain depth: 1)' % base in \
        q.hmp('info block')
    assert 'read' in q.hmp('qemu-io d0 "read -P 0x5a 0 4M"')
    q.hmp('qemu-io d0 "write -P 0x11 100000 1000"')
    vm.shutdown()       # SIGTERM: metadata still written back
    assert qemu_img('check', top).returncode == 0
    qemu_io_read(top, 'qcow2', 0x5a, 0, 100000)
    qemu_io_read(top, 'qcow2', 0x11, 100000, 1000)
    qemu_io_read(top, 'qcow2', 0x5a, 101000, 65536)
    with open(base, 'rb') as f:
        assert f.read(200000) == b'\x5a' * 200000


def test_drive_add_node_and_drive_del(tandem_none, tmp_path):
    q = tandem_none.qmp()
    img = new_qcow2(tmp_path, 'h.qcow2')
    out = q.hmp('drive_add -n buddy driver=qcow2,file.filename=%s' % img)
    assert "'node-name' needs to be specified" in out
    assert q.hmp('drive_add -n buddy driver=qcow2,file.filename=%s,'
                 'node-name=hn0' % img) == ''
    assert 'hn0' in [n['node-name'] for n in
                     q.command('query-named-block-nodes')]
    assert q.hmp('drive_add 0 if=none,id=hd9,file=%s' % str(
        new_qcow2(tmp_path, 'h2.qcow2'))) == 'OK\r\n'
    assert [b['device'] for b in q.command('query-block')] == ['hd9']
    assert q.hmp('drive_del hd9') == ''
    assert q.command('query-block') == []
    assert "Device 'hd9' not found" in q.hmp('drive_del hd9')


def test_empty_drive_and_info_block_nodes(vm_factory, tmp_path):
    img = new_qcow2(tmp_path, 'n.qcow2')
    vm, q = start(vm_factory, '-drive', 'if=none,id=cd0,media=cdrom',
                  '-blockdev', 'driver=file,node-name=f0,filename=%s' % img,
                  '-blockdev', 'driver=qcow2,node-name=q0,file=f0,'
                  'cache.direct=off,detect-zeroes=on')
    blocks = q.command('query-block')
    assert blocks == [{'device': 'cd0', 'type': 'unknown',
                       'removable': True, 'locked': False}]
    text = q.hmp('info block')
    assert text == ('cd0: [not inserted]\r\n'
                    '    Removable device: not locked, tray closed\r\n')
    text = q.hmp('info block -n')
    assert ('f0: %s (file)\r\n    Cache mode:       writeback\r\n' % img
            in text)
    assert ('q0: %s (qcow2)\r\n    Cache mode:       writeback\r\n'
            '    Detect zeroes:    on\r\n' % img in text)
    assert "Device 'nope' not found" in q.hmp('qemu-io nope "read 0 512"')
    assert 'Device' not in q.hmp('info block cd0')


def test_drive_default_ids_and_cache_modes(vm_factory, tmp_path):
    a = new_qcow2(tmp_path, 'a.qcow2')
    b = new_qcow2(tmp_path, 'b.qcow2')
    c = new_qcow2(tmp_path, 'c.qcow2')
    vm, q = start(vm_factory,
                  '-drive', 'file=%s,if=virtio,cache=writethrough' % a,
                  '-drive', 'file=%s,cache=unsafe' % b,
                  '-drive', 'file=%s,if=ide,index=3,cache.writeback=off,'
                            'readonly=on' % c)
    blocks = {b['device']: b for b in q.command('query-block')}
    assert sorted(blocks) == ['ide0-hd0', 'ide1-hd1', 'virtio0']
    assert blocks['virtio0']['inserted']['cache'] == {
        'writeback': False, 'direct': False, 'no-flush': False}
    assert blocks['ide0-hd0']['inserted']['cache'] == {
        'writeback': True, 'direct': False, 'no-flush': True}
    assert blocks['ide1-hd1']['inserted']['ro'] is True
    assert blocks['ide1-hd1']['inserted']['cache']['writeback'] is False
    assert 'Cache mode:       writethrough\r\n' in q.hmp('info block virtio0')
    assert ('Cache mode:       writeback, ignore flushes' in
            q.hmp('info block ide0-hd0'))


def test_x_blockdev_change_errors(vm_factory, tmp_path):
    img = new_qcow2(tmp_path, 'x.qcow2')
    vm, q = start(vm_factory, '-drive', 'if=none,id=d0,file=%s' % img)
    node = q.command('query-block')[0]['inserted']['node-name']
    r = q.cmd('x-blockdev-change', parent='nope', node='x')
    assert r['error']['desc'] == \
        "Cannot find device='nope' nor node-name='nope'"
    r = q.cmd('x-blockdev-change', parent='d0')
    assert r['error']['desc'] == 'Either child or node must be specified'
    r = q.cmd('x-blockdev-change', parent='d0', child='children.1')
    assert r['error']['desc'] == \
        "Node '%s' does not have child 'children.1'" % node
    r = q.cmd('x-blockdev-change', parent='d0', node=node)
    assert 'error' in r
    # A quorum over a node another parent already uses is refused
    # cleanly (x-blockdev-change itself is covered with a real quorum in
    # test_replication_colo.py).
    r = q.cmd('blockdev-add', driver='quorum', node_name='qu0',
              vote_threshold=2, children=[node])
    assert 'error' in r
