"""COLO disk replication between two Tandem processes (-machine none),
with the command lines and QMP/HMP sequences of COLO-FT.txt (7.2):
the secondary's replication/quorum drives and writable NBD export, the
primary's quorum, `drive_add -n buddy` + x-blockdev-change, writes
replicated to the secondary disk but hidden from the SVM, the primary
carrying on after the secondary is killed, and the documented primary
failover sequence (x-blockdev-change child=children.1, drive_del)."""
import signal
import socket
import subprocess

import pytest

from conftest import require_binary

BASE = ['-machine', 'none', '-nodefaults', '-display', 'none']
SIZE = '16M'


def qemu_img(*args):
    require_binary('qemu-img')
    r = subprocess.run(['qemu-img'] + list(args), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def io(q, drive, cmd):
    out = q.hmp('qemu-io %s "%s"' % (drive, cmd))
    assert 'fail' not in out.lower() and 'error' not in out.lower(), out
    return out


def secondary_args(d):
    return ['-drive', 'if=none,id=parent0,file.filename=%s/secondary.qcow2,'
            'driver=qcow2' % d,
            '-drive', 'if=none,id=childs0,driver=replication,mode=secondary,'
            'file.driver=qcow2,top-id=colo-disk0,'
            'file.file.filename=%s/secondary-active.qcow2,'
            'file.backing.driver=qcow2,'
            'file.backing.file.filename=%s/secondary-hidden.qcow2,'
            'file.backing.backing=parent0' % (d, d),
            '-drive', 'if=none,id=colo-disk0,driver=quorum,read-pattern=fifo,'
            'vote-threshold=1,children.0=childs0']


def setup_pair(vm_factory, tmp_path):
    d = str(tmp_path)
    for name in ('primary', 'secondary', 'secondary-active',
                 'secondary-hidden'):
        qemu_img('create', '-q', '-f', 'qcow2', '%s/%s.qcow2' % (d, name),
                 SIZE)
    port = free_port()
    sec = vm_factory(BASE + secondary_args(d), name='secondary')
    sec.launch()
    sq = sec.qmp()
    assert sq.cmd_raw('nbd-server-start', {'addr': {'type': 'inet', 'data': {
        'host': '127.0.0.1', 'port': str(port)}}}) == {'return': {}}
    assert sq.cmd_raw('nbd-server-add', {'device': 'parent0',
                                         'writable': True}) == {'return': {}}

    pri = vm_factory(BASE + [
        '-drive', 'if=none,id=colo-disk0,driver=quorum,read-pattern=fifo,'
        'vote-threshold=1,children.0.file.filename=%s/primary.qcow2,'
        'children.0.driver=qcow2' % d], name='primary')
    pri.launch()
    pq = pri.qmp()
    out = pq.hmp('drive_add -n buddy driver=replication,mode=primary,'
                 'file.driver=nbd,file.host=127.0.0.1,file.port=%d,'
                 'file.export=parent0,node-name=replication0' % port)
    assert out == '', out
    assert pq.cmd_raw('x-blockdev-change', {
        'parent': 'colo-disk0', 'node': 'replication0'}) == {'return': {}}
    return sec, sq, pri, pq, d


def test_writes_reach_secondary_disk_not_svm(vm_factory, tmp_path):
    sec, sq, pri, pq, d = setup_pair(vm_factory, tmp_path)
    io(pq, 'colo-disk0', 'write -P 0x5a 0 65536')
    io(pq, 'colo-disk0', 'write -P 0x5b 1048576 4096')
    io(pq, 'colo-disk0', 'read -P 0x5a 0 65536')
    # the secondary disk has the PVM's writes ...
    io(sq, 'parent0', 'read -P 0x5a 0 65536')
    io(sq, 'parent0', 'read -P 0x5b 1048576 4096')
    # ... the SVM still sees the disk as of the last checkpoint
    io(sq, 'colo-disk0', 'read -P 0 0 65536')
    io(sq, 'colo-disk0', 'read -P 0 1048576 4096')
    # the SVM's own writes stay in the active disk
    io(sq, 'colo-disk0', 'write -P 0x11 2097152 4096')
    io(sq, 'colo-disk0', 'read -P 0x11 2097152 4096')
    io(sq, 'parent0', 'read -P 0 2097152 4096')
    exports = sq.command('query-block-exports')
    assert [e['id'] for e in exports] == ['parent0']


def test_primary_survives_secondary_death(vm_factory, tmp_path):
    sec, sq, pri, pq, d = setup_pair(vm_factory, tmp_path)
    io(pq, 'colo-disk0', 'write -P 0x21 0 4096')
    sec.proc.send_signal(signal.SIGKILL)
    sec.proc.wait()
    # the guest's disk keeps working on the local image
    io(pq, 'colo-disk0', 'write -P 0x22 65536 65536')
    io(pq, 'colo-disk0', 'write -P 0x23 0 512')
    io(pq, 'colo-disk0', 'read -P 0x22 65536 65536')
    io(pq, 'colo-disk0', 'read -P 0x23 0 512')
    # and the failed child is reported (throttled to one a second)
    ev = pq.get_event('QUORUM_REPORT_BAD', timeout=10)
    assert ev is not None, 'no QUORUM_REPORT_BAD'
    assert ev['data']['node-name'] == 'replication0'
    assert ev['data']['type'] == 'write'
    assert ev['data']['sector'] == 128 and ev['data']['sectors-count'] == 128
    assert 'error' in ev['data']
    # COLO-FT primary failover sequence
    assert pq.cmd_raw('x-blockdev-change', {
        'parent': 'colo-disk0', 'child': 'children.1'}) == {'return': {}}
    # (COLO-FT uses "drive_del replication0": see test_drive_del_node)
    assert pq.cmd_raw('blockdev-del', {'node-name': 'replication0'}) == {
        'return': {}}
    r = pq.cmd_raw('x-blockdev-change', {'parent': 'colo-disk0',
                                         'child': 'children.0'})
    assert r['error']['desc'] == ('The number of children cannot be lower '
                                  'than the vote threshold 1')
    io(pq, 'colo-disk0', 'write -P 0x24 131072 4096')
    pri.shutdown()
    r = subprocess.run(['qemu-io', '-r', '-f', 'qcow2',
                        '-c', 'read -P 0x22 65536 65536',
                        '-c', 'read -P 0x24 131072 4096',
                        '%s/primary.qcow2' % d],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and 'verification failed' not in r.stdout, \
        r.stdout + r.stderr


def test_option_errors(vm_factory, tmp_path):
    d = str(tmp_path)
    qemu_img('create', '-q', '-f', 'qcow2', '%s/a.qcow2' % d, SIZE)
    vm = vm_factory(BASE, name='vm')
    vm.launch()
    q = vm.qmp()
    out = q.hmp('drive_add -n buddy driver=replication,mode=secondary,'
                'file.driver=qcow2,file.file.filename=%s/a.qcow2,'
                'node-name=r0' % d)
    assert "top-id" in out, out
    out = q.hmp('drive_add -n buddy driver=replication,mode=primary,'
                'top-id=x,file.driver=qcow2,file.file.filename=%s/a.qcow2,'
                'node-name=r1' % d)
    assert 'does not support option top-id' in out, out
    r = q.cmd_raw('blockdev-add', {
        'driver': 'quorum', 'node-name': 'q0', 'vote-threshold': 2,
        'children': [{'driver': 'qcow2', 'file': {
            'driver': 'file', 'filename': '%s/a.qcow2' % d}}]})
    assert r['error']['desc'] == 'threshold may not exceed children count'


def test_drive_del_node(vm_factory, tmp_path):
    """HMP drive_del of a node added with drive_add -n (COLO-FT 5.4)."""
    d = str(tmp_path)
    qemu_img('create', '-q', '-f', 'qcow2', '%s/a.qcow2' % d, SIZE)
    vm = vm_factory(BASE, name='vm')
    vm.launch()
    q = vm.qmp()
    assert q.hmp('drive_add -n buddy driver=qcow2,file.filename=%s/a.qcow2,'
                 'node-name=n1' % d) == ''
    assert q.hmp('drive_del n1') == ''
    assert all(n['node-name'] != 'n1'
               for n in q.command('query-named-block-nodes'))
