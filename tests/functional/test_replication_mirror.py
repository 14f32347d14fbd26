"""COLO re-protection (COLO-FT.txt 5.4, "resume replication"): after a
failover the survivor mirrors its disk to the new secondary's NBD export
with drive-mirror, waits for BLOCK_JOB_READY, stops, cancels the job
(BLOCK_JOB_COMPLETED: the copy is exact) and hot-adds the replication
child again.  Also: job events and errors, query-block-jobs."""
import socket
import subprocess

from conftest import require_binary

BASE = ['-machine', 'none', '-nodefaults', '-display', 'none']
SIZE = '8M'


def qemu_img(*args):
    require_binary('qemu-img')
    r = subprocess.run(['qemu-img'] + list(args), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr


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


def test_resync_with_drive_mirror(vm_factory, tmp_path):
    d = str(tmp_path)
    for n in ('primary', 'secondary', 'active', 'hidden'):
        qemu_img('create', '-q', '-f', 'qcow2', '%s/%s.qcow2' % (d, n), SIZE)
    port = free_port()
    pri = vm_factory(BASE + [
        '-drive', 'if=none,id=colo-disk0,driver=quorum,read-pattern=fifo,'
        'vote-threshold=1,children.0.file.filename=%s/primary.qcow2,'
        'children.0.driver=qcow2' % d], name='pri')
    pri.launch()
    pq = pri.qmp()
    io(pq, 'colo-disk0', 'write -P 0x31 0 1M')
    io(pq, 'colo-disk0', 'write -P 0x32 7M 1M')

    sec = vm_factory(BASE + [
        '-drive', 'if=none,id=parent0,file.filename=%s/secondary.qcow2,'
        'driver=qcow2' % d,
        '-drive', 'if=none,id=childs0,driver=replication,mode=secondary,'
        'file.driver=qcow2,top-id=colo-disk0,'
        'file.file.filename=%s/active.qcow2,file.backing.driver=qcow2,'
        'file.backing.file.filename=%s/hidden.qcow2,'
        'file.backing.backing=parent0' % (d, d),
        '-drive', 'if=none,id=colo-disk0,driver=quorum,read-pattern=fifo,'
        'vote-threshold=1,children.0=childs0'], name='sec')
    sec.launch()
    sq = sec.qmp()
    sq.command('nbd-server-start', addr={'type': 'inet', 'data': {
        'host': '127.0.0.1', 'port': str(port)}})
    assert sq.cmd_raw('nbd-server-add', {'device': 'parent0',
                                         'writable': True}) == {'return': {}}

    target = 'nbd://127.0.0.1:%d/parent0' % port
    r = pq.cmd_raw('drive-mirror', {'device': 'nosuch', 'job-id': 'resync',
                                    'target': target, 'mode': 'existing',
                                    'format': 'raw', 'sync': 'full'})
    assert 'nosuch' in r['error']['desc']
    assert pq.cmd_raw('drive-mirror', {
        'device': 'colo-disk0', 'job-id': 'resync', 'target': target,
        'mode': 'existing', 'format': 'raw', 'sync': 'full'}) == {
            'return': {}}
    r = pq.cmd_raw('drive-mirror', {
        'device': 'colo-disk0', 'job-id': 'resync', 'target': target,
        'mode': 'existing', 'format': 'raw', 'sync': 'full'})
    assert r['error']['desc'] == "Job ID 'resync' already in use"
    ev = pq.get_event('BLOCK_JOB_READY', timeout=30)
    assert ev is not None, 'no BLOCK_JOB_READY'
    assert ev['data']['device'] == 'resync'
    assert ev['data']['type'] == 'mirror'
    assert ev['data']['len'] == ev['data']['offset'] == 8 * 1024 * 1024
    jobs = pq.command('query-block-jobs')
    assert len(jobs) == 1 and jobs[0]['device'] == 'resync'
    assert jobs[0]['ready'] is True and jobs[0]['status'] == 'ready'
    assert jobs[0]['type'] == 'mirror'

    # writes while READY are mirrored too
    io(pq, 'colo-disk0', 'write -P 0x33 4M 64k')
    pq.command('stop')
    pq.command('block-job-cancel', device='resync')
    ev = pq.get_event('BLOCK_JOB_COMPLETED', timeout=30)
    assert ev is not None and 'error' not in ev['data'], ev
    assert ev['data']['device'] == 'resync'
    assert pq.command('query-block-jobs') == []
    statuses = [e['data']['status'] for e in pq.events
                if e['event'] == 'JOB_STATUS_CHANGE']
    assert statuses[0] == 'created' and statuses[-1] == 'null'
    assert 'ready' in statuses and 'concluded' in statuses
    r = pq.cmd_raw('block-job-cancel', {'device': 'resync'})
    assert r['error']['desc'] == "Block job 'resync' not found"

    # the new secondary's disk is an exact copy
    io(sq, 'parent0', 'read -P 0x31 0 1M')
    io(sq, 'parent0', 'read -P 0x33 4M 64k')
    io(sq, 'parent0', 'read -P 0 5M 1M')
    io(sq, 'parent0', 'read -P 0x32 7M 1M')

    # and replication is set up again
    assert pq.hmp('drive_add -n buddy driver=replication,mode=primary,'
                  'file.driver=nbd,file.host=127.0.0.1,file.port=%d,'
                  'file.export=parent0,node-name=replication0' % port) == ''
    assert pq.cmd_raw('x-blockdev-change', {
        'parent': 'colo-disk0', 'node': 'replication0'}) == {'return': {}}
    io(pq, 'colo-disk0', 'write -P 0x34 6M 4k')
    io(sq, 'parent0', 'read -P 0x34 6M 4k')
    io(sq, 'colo-disk0', 'read -P 0 6M 4k')
