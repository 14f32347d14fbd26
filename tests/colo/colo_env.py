"""End-to-end COLO environment: a client, a primary host and a secondary
host, each a network namespace made here, with the test guest running as
PVM and SVM under COLO.

Topology (all addresses exist only inside these namespaces):

    client ns               primary ns                 secondary ns
    +---------------+       +------------------+       +------------------+
    | br0 10.78.0.1 |-veth--| eth0-br-tap0 PVM |       | SVM tap0-br-eth0 |--veth
    |               |       | colo0 10.79.0.1  |-veth--| colo0 10.79.0.2  |   |
    +---------------+       +------------------+       +------------------+   |
           ^-------------------------------------------------------------------+

The guest (10.78.0.2 on both replicas, the same MAC) is reached by the
client through the LAN bridge br0; both hosts' taps are bridged onto it, as
in COLO-FT.txt.  The replication link (migration stream, the proxy's
mirror/redirector sockets, NBD) is a separate veth pair between the two
hosts, so a test can cut it.

The network and disk parts of the command lines and the QMP sequences are
those of QEMU 7.2's docs/COLO-FT.txt (with a virtio-net-pci NIC and a
virtio-blk-pci disk, since the guest has those drivers).

Everything is bounded in time; Pair.close() and Net.close() clean up.
"""
import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'functional'))

from guest import Guest, build_guest  # noqa: E402
from snapshot import _connect as snapshot_connect  # noqa: E402

GUEST_IP = '10.78.0.2'
CLIENT_IP = '10.78.0.1'
PRIMARY_IP = '10.79.0.1'
SECONDARY_IP = '10.79.0.2'
GUEST_MAC = '52:54:00:12:34:56'
MIGRATE_PORT = 9998
NBD_PORT = 9999
CLIENT_PY = os.path.join(HERE, 'client.py')
# /www/1M.bin of the test guest (tests/guest/build.sh) is deterministic.
ONE_MB_SHA256 = hashlib.sha256(b''.join(
    hashlib.sha256(b'tandem-%d' % i).digest()
    for i in range(1048576 // 32))).hexdigest()


def sh(*argv, check=True, timeout=30):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError('%s: %s' % (' '.join(argv), r.stderr.strip()))
    return r


class Net:
    """The three namespaces and their links."""

    def __init__(self, tag=None):
        self.tag = tag or 'tc%d' % os.getpid()
        self.cli = self.tag + '-cli'
        self.pri = self.tag + '-pri'
        self.sec = self.tag + '-sec'
        self.made = []
        try:
            self._build()
        except Exception:
            self.close()
            raise

    def ns(self, ns, *argv, check=True, timeout=30):
        return sh('ip', 'netns', 'exec', ns, *argv, check=check,
                  timeout=timeout)

    def _build(self):
        for ns in (self.cli, self.pri, self.sec):
            # left over by a run that was killed: ours by name
            sh('ip', 'netns', 'del', ns, check=False)
            sh('ip', 'netns', 'add', ns)
            self.made.append(ns)
            self.ns(ns, 'ip', 'link', 'set', 'lo', 'up')
        # The LAN: a bridge in the client namespace.
        self.ns(self.cli, 'ip', 'link', 'add', 'br0', 'type', 'bridge')
        self.ns(self.cli, 'ip', 'addr', 'add', CLIENT_IP + '/24',
                'dev', 'br0')
        for host, port in ((self.pri, 'lanp'), (self.sec, 'lans')):
            sh('ip', 'link', 'add', port, 'netns', self.cli, 'type', 'veth',
               'peer', 'name', 'eth0', 'netns', host)
            self.ns(self.cli, 'ip', 'link', 'set', port, 'master', 'br0')
            self.ns(self.cli, 'ip', 'link', 'set', port, 'up')
            self.ns(host, 'ip', 'link', 'add', 'br0', 'type', 'bridge')
            self.ns(host, 'ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap')
            for dev in ('eth0', 'tap0'):
                self.ns(host, 'ip', 'link', 'set', dev, 'master', 'br0')
            for dev in ('br0', 'eth0', 'tap0'):
                self.ns(host, 'ip', 'link', 'set', dev, 'up')
        self.ns(self.cli, 'ip', 'link', 'set', 'br0', 'up')
        # The replication link between the two hosts.
        sh('ip', 'link', 'add', 'colo0', 'netns', self.pri, 'type', 'veth',
           'peer', 'name', 'colo0', 'netns', self.sec)
        self.ns(self.pri, 'ip', 'addr', 'add', PRIMARY_IP + '/24',
                'dev', 'colo0')
        self.ns(self.sec, 'ip', 'addr', 'add', SECONDARY_IP + '/24',
                'dev', 'colo0')
        for host in (self.pri, self.sec):
            self.ns(host, 'ip', 'link', 'set', 'colo0', 'up')

    def cut_replication_link(self):
        """The link between the hosts goes silent (packets dropped, no
        reset): a peer that stops answering."""
        for host in (self.pri, self.sec):
            self.ns(host, 'ip', 'link', 'set', 'colo0', 'down')

    def close(self):
        for ns in self.made:
            sh('ip', 'netns', 'del', ns, check=False)
        self.made = []


def primary_args():
    """COLO-FT.txt 5.1, network part (tap opened by name, no helper)."""
    return [
        '-name', 'primary',
        '-netdev', 'tap,id=hn0,vhost=off,vnet_hdr=off,ifname=tap0,script=no,downscript=no',
        '-device', 'virtio-net-pci,id=e0,netdev=hn0,mac=' + GUEST_MAC,
        '-chardev', 'socket,id=mirror0,host=0.0.0.0,port=9003,server=on,'
        'wait=off',
        '-chardev', 'socket,id=compare1,host=0.0.0.0,port=9004,server=on,'
        'wait=on',
        '-chardev', 'socket,id=compare0,host=127.0.0.1,port=9001,server=on,'
        'wait=off',
        '-chardev', 'socket,id=compare0-0,host=127.0.0.1,port=9001',
        '-chardev', 'socket,id=compare_out,host=127.0.0.1,port=9005,'
        'server=on,wait=off',
        '-chardev', 'socket,id=compare_out0,host=127.0.0.1,port=9005',
        '-object', 'filter-mirror,id=m0,netdev=hn0,queue=tx,outdev=mirror0',
        '-object', 'filter-redirector,netdev=hn0,id=redire0,queue=rx,'
        'indev=compare_out',
        '-object', 'filter-redirector,netdev=hn0,id=redire1,queue=rx,'
        'outdev=compare0',
        '-object', 'iothread,id=iothread1',
        '-object', 'colo-compare,id=comp0,primary_in=compare0-0,'
        'secondary_in=compare1,outdev=compare_out0,iothread=iothread1',
    ]


def secondary_args():
    """COLO-FT.txt 5.2, network part."""
    return [
        '-name', 'secondary',
        '-netdev', 'tap,id=hn0,vhost=off,vnet_hdr=off,ifname=tap0,script=no,downscript=no',
        '-device', 'virtio-net-pci,id=e0,netdev=hn0,mac=' + GUEST_MAC,
        '-chardev', 'socket,id=red0,host=%s,port=9003,reconnect=1'
        % PRIMARY_IP,
        '-chardev', 'socket,id=red1,host=%s,port=9004,reconnect=1'
        % PRIMARY_IP,
        '-object', 'filter-redirector,id=f1,netdev=hn0,queue=tx,indev=red0',
        '-object', 'filter-redirector,id=f2,netdev=hn0,queue=rx,outdev=red1',
        '-object', 'filter-rewriter,id=rew0,netdev=hn0,queue=all',
        '-incoming', 'tcp:0.0.0.0:%d' % MIGRATE_PORT,
    ]


DISK_SIZE = '64M'


def make_disks(d):
    """COLO-FT.txt 5.2: the images (all the same size).  primary.qcow2 is
    the primary host's disk; secondary.qcow2 is the secondary host's copy
    of it (COLO-FT.txt calls it primary.qcow2 too); active and hidden are
    the secondary's overlays."""
    for name in ('primary', 'secondary', 'secondary-active',
                 'secondary-hidden'):
        sh('qemu-img', 'create', '-q', '-f', 'qcow2',
           os.path.join(d, name + '.qcow2'), DISK_SIZE, timeout=60)


def primary_disk_args(d):
    """COLO-FT.txt 5.1, disk part (a virtio-blk disk instead of IDE)."""
    return ['-drive', 'if=none,id=colo-disk0,driver=quorum,read-pattern=fifo,'
            'vote-threshold=1,children.0.file.filename=%s/primary.qcow2,'
            'children.0.driver=qcow2' % d,
            '-device', 'virtio-blk-pci,id=vd0,drive=colo-disk0']


def secondary_disk_args(d):
    """COLO-FT.txt 5.2, disk part."""
    return ['-drive', 'if=none,id=parent0,file.filename=%s/secondary.qcow2,'
            'driver=qcow2' % d,
            '-drive', 'if=none,id=childs0,driver=replication,mode=secondary,'
            'file.driver=qcow2,top-id=colo-disk0,'
            'file.file.filename=%s/secondary-active.qcow2,'
            'file.backing.driver=qcow2,'
            'file.backing.file.filename=%s/secondary-hidden.qcow2,'
            'file.backing.backing=parent0' % (d, d),
            '-drive', 'if=none,id=colo-disk0,driver=quorum,read-pattern=fifo,'
            'vote-threshold=1,children.0=childs0',
            '-device', 'virtio-blk-pci,id=vd0,drive=colo-disk0']


def connect_qmp(path, proc, timeout=60):
    """A negotiated QMP client once the VMM's socket accepts."""
    return snapshot_connect(path, proc, timeout)


def enable_events(c):
    c.command('migrate-set-capabilities', capabilities=[
        {'capability': 'events', 'state': True}])


def migrate_status(c):
    return c.command('query-migrate').get('status')


def wait_for(pred, timeout, what, step=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(step)


def info_colo(c):
    out = {}
    for line in c.hmp('info colo').replace('\r\n', '\n').split('\n'):
        if ':' in line:
            k, v = line.split(':', 1)
            out[k.strip()] = v.strip()
    return out


def read_page_hashes(path):
    """Reads an x_debug_colo_page_hashes file: (checkpoint, hashes)."""
    with open(path, 'rb') as f:
        data = f.read()
    head, rest = data.split(b'\n', 1)
    magic, ck, n = head.split()
    assert magic == b'TANDEM-PAGE-HASHES' and len(rest) == 8 * int(n)
    return int(ck), struct.unpack('<%dQ' % int(n), rest)


def checkpoint_count(c):
    return int(info_colo(c).get('checkpoints', '0'))


class Replica:
    """One VMM (PVM or SVM) running the test guest in a host namespace."""

    def __init__(self, ns, name, args, tmpdir, memory='256', append='',
                 binary=None):
        self.ns = ns
        self.name = name
        self.qmp_path = os.path.join(tmpdir, name + '-qmp.sock')
        if os.path.exists(self.qmp_path):
            os.unlink(self.qmp_path)
        self.guest = Guest(['-qmp', 'unix:%s,server=on,wait=off'
                            % self.qmp_path] + list(args),
                           append=append, memory=memory,
                           prefix=['ip', 'netns', 'exec', ns],
                           **({'binary': binary} if binary else {}))
        self.proc = self.guest.proc
        self.qmp = None

    def connect(self, timeout=60):
        self.qmp = connect_qmp(self.qmp_path, self.proc, timeout)
        return self.qmp

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        """SIGKILL by PID: the host dies."""
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def close(self):
        if self.qmp is not None:
            self.qmp.close()
        self.guest.close()
        if os.path.exists(self.qmp_path):
            os.unlink(self.qmp_path)


class Pair:
    """A PVM/SVM pair of the test guest in COLO, started as COLO-FT.txt
    says: the secondary with -incoming, the primary with -S, then x-colo
    and migrate.  The guest boots under COLO.  @binary: another VMM with
    the same interface (Debian's QEMU for side-by-side benchmarks)."""

    def __init__(self, net, tmpdir=None, memory='256', delay_ms=2000,
                 extra_append='', extra_pri=(), extra_sec=(), binary=None,
                 disk=False):
        build_guest()
        self.net = net
        self.tmpdir = tmpdir or tempfile.mkdtemp(prefix='tandem-colo-')
        self.memory = memory
        append = ('tandem.ip=%s/24 ipv6.disable=1 %s'
                  % (GUEST_IP, extra_append)).strip()
        self.append = append
        self.pvm = self.svm = None
        self.disk = disk
        extra_pri, extra_sec = list(extra_pri), list(extra_sec)
        if disk:
            make_disks(self.tmpdir)
            extra_pri += primary_disk_args(self.tmpdir)
            extra_sec += secondary_disk_args(self.tmpdir)
        try:
            # The primary waits (compare1 has wait=on) until the
            # secondary's red1 connects; start both, then talk QMP.
            self.pvm = Replica(net.pri, 'pvm',
                               primary_args() + list(extra_pri) + ['-S'],
                               self.tmpdir, memory, append, binary)
            self.svm = Replica(net.sec, 'svm',
                               secondary_args() + list(extra_sec),
                               self.tmpdir, memory, append, binary)
            self.p = self.pvm.connect()
            self.s = self.svm.connect()
            enable_events(self.p)
            enable_events(self.s)
            if disk:
                self._start_replication()
            for c in (self.s, self.p):
                c.command('migrate-set-capabilities', capabilities=[
                    {'capability': 'x-colo', 'state': True}])
            self.p.command('migrate-set-parameters',
                           **{'x-checkpoint-delay': delay_ms})
            self.t_migrate = time.monotonic()
            self.p.command('migrate', uri='tcp:%s:%d'
                           % (SECONDARY_IP, MIGRATE_PORT))
            wait_for(lambda: migrate_status(self.p) == 'colo', 60,
                     'the primary to enter COLO')
            wait_for(lambda: migrate_status(self.s) == 'colo', 60,
                     'the secondary to enter COLO')
        except Exception:
            self.close()
            raise

    def _start_replication(self):
        """COLO-FT.txt 5.3, the disk part: the secondary exports its disk,
        the primary adds the NBD child to its quorum."""
        self.s.command('nbd-server-start', addr={
            'type': 'inet', 'data': {'host': '0.0.0.0',
                                     'port': str(NBD_PORT)}})
        self.s.command('nbd-server-add', device='parent0', writable=True)
        out = self.p.hmp('drive_add -n buddy driver=replication,mode=primary,'
                         'file.driver=nbd,file.host=%s,file.port=%d,'
                         'file.export=parent0,node-name=replication0'
                         % (SECONDARY_IP, NBD_PORT))
        assert 'error' not in out.lower() and 'fail' not in out.lower(), out
        self.p.command('x-blockdev-change', parent='colo-disk0',
                       node='replication0')

    def wait_ready(self, timeout=400):
        """The guest booted to its ready line on the PVM and a checkpoint
        since then carried that state to the SVM.  (The SVM's own console
        is no signal: a checkpoint may move it past the ready line before
        it printed it.)"""
        self.pvm.guest.wait_ready(timeout)
        self.wait_checkpoint(timeout=60)

    def checkpoints(self):
        return checkpoint_count(self.p)

    def stats(self):
        return self.p.command('x-query-colo-stats')

    def wait_checkpoint(self, timeout=30):
        """Waits for one more completed checkpoint; returns the count.
        On a timeout the error says what each side reports."""
        n = self.checkpoints()
        try:
            return wait_for(lambda: self.checkpoints() > n and
                            self.checkpoints(), timeout, 'a checkpoint')
        except AssertionError as e:
            raise AssertionError('%s (%d before): %s' % (
                e, n, self.describe())) from None

    def describe(self):
        """Both sides' run state, migration and COLO status, for errors."""
        out = []
        for side, r, c in (('pvm', self.pvm, self.p), ('svm', self.svm,
                                                        self.s)):
            if not r.alive():
                out.append('%s exited (%s)' % (side, r.proc.returncode))
                continue
            try:
                out.append('%s: %s, migration %s, colo %s, info colo %s' % (
                    side, c.command('query-status')['status'],
                    migrate_status(c), c.command('query-colo-status'),
                    info_colo(c)))
            except Exception as e:      # a hung monitor is an answer too
                out.append('%s: no answer (%r)' % (side, e))
        return '; '.join(out)

    def page_hashes(self, trigger=None):
        """Arms per-page RAM hashes on both sides, makes a checkpoint
        happen (@trigger(), else an external request), waits for it and
        returns (checkpoint_p, checkpoint_s, differing page
        indexes).  Retries when the two sides recorded different
        checkpoints (armed across a checkpoint boundary)."""
        for attempt in range(5):
            for c in (self.p, self.s):
                c.hmp('x_debug_colo_page_hashes arm')
            n = self.checkpoints()
            if trigger:
                trigger()
            else:
                self.p.hmp('x_debug_colo_request external')
            wait_for(lambda: self.checkpoints() > n, 30, 'a checkpoint')
            got = []
            for side, c in (('pvm', self.p), ('svm', self.s)):
                path = os.path.join(self.tmpdir, side + '.hashes')
                wait_for(lambda: 'checkpoint' in c.hmp(
                    'x_debug_colo_page_hashes ' + path), 30,
                    'page hashes on the ' + side)
                got.append(read_page_hashes(path))
            (ck_p, h_p), (ck_s, h_s) = got
            if ck_p == ck_s:
                diff = [i for i in range(max(len(h_p), len(h_s)))
                        if i >= len(h_p) or i >= len(h_s) or h_p[i] != h_s[i]]
                return ck_p, ck_s, diff
        raise AssertionError('the two sides never hashed the same '
                             'checkpoint (%d vs %d)' % (ck_p, ck_s))

    # COLO-FT.txt 5.4, secondary failover (primary died).
    def failover_to_secondary(self):
        s = self.s
        if self.has_nbd():
            s.command('nbd-server-stop')
        s.command('x-colo-lost-heartbeat')
        for obj in ('f2', 'f1'):
            s.command('object-del', id=obj)
        for chr_id in ('red1', 'red0'):
            s.command('chardev-remove', id=chr_id)

    # COLO-FT.txt 5.4, primary failover (secondary died).
    def failover_to_primary(self):
        p = self.p
        if self.disk:
            p.command('x-blockdev-change', parent='colo-disk0',
                      child='children.1')
            out = p.hmp('drive_del replication0')
            assert out.strip() == '', out
        for obj in ('comp0', 'iothread1', 'm0', 'redire0', 'redire1'):
            p.command('object-del', id=obj)
        p.command('x-colo-lost-heartbeat')

    # COLO-FT.txt 5.4, "resume replication" (network part), on the
    # primary that survived its secondary.
    def reprotect(self, delay_ms=2000):
        """Starts a new secondary on the secondary host and brings the
        surviving primary back into COLO with it."""
        assert not self.disk, 'disk re-protection: see test_replication_*'
        old = self.svm
        if old is not None:
            old.close()
        self.svm = Replica(self.net.sec, 'svm2', secondary_args(),
                           self.tmpdir, self.memory, self.append)
        self.s = self.svm.connect()
        enable_events(self.s)
        self.s.command('migrate-set-capabilities', capabilities=[
            {'capability': 'x-colo', 'state': True}])
        p = self.p
        for props in (
                {'qom-type': 'filter-mirror', 'id': 'm0', 'netdev': 'hn0',
                 'queue': 'tx', 'outdev': 'mirror0'},
                {'qom-type': 'filter-redirector', 'id': 'redire0',
                 'netdev': 'hn0', 'queue': 'rx', 'indev': 'compare_out'},
                {'qom-type': 'filter-redirector', 'id': 'redire1',
                 'netdev': 'hn0', 'queue': 'rx', 'outdev': 'compare0'},
                {'qom-type': 'iothread', 'id': 'iothread1'},
                {'qom-type': 'colo-compare', 'id': 'comp0',
                 'primary_in': 'compare0-0', 'secondary_in': 'compare1',
                 'outdev': 'compare_out0', 'iothread': 'iothread1'}):
            # raw: colo-compare's property names contain underscores
            r = p.cmd_raw('object-add', props)
            assert r == {'return': {}}, (props, r)
        p.command('migrate-set-capabilities', capabilities=[
            {'capability': 'x-colo', 'state': True}])
        p.command('migrate-set-parameters',
                  **{'x-checkpoint-delay': delay_ms})
        p.command('migrate', uri='tcp:%s:%d' % (SECONDARY_IP, MIGRATE_PORT))
        wait_for(lambda: migrate_status(p) == 'colo', 120,
                 'the primary to enter COLO again')
        wait_for(lambda: migrate_status(self.s) == 'colo', 60,
                 'the new secondary to enter COLO')
        self.wait_checkpoint(60)

    def has_nbd(self):
        return self.disk

    def close(self):
        for r in (self.pvm, self.svm):
            if r is not None:
                r.close()


class ClientRun:
    """One client.py program running in the background."""

    def __init__(self, proc, out_path, err_path):
        self.proc = proc
        self.out_path = out_path
        self.err_path = err_path

    def result(self, timeout):
        """Waits for the program; returns (result dict, event list)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError('client program did not finish in time')
        with open(self.out_path) as f:
            out = f.read().strip()
        events = []
        with open(self.err_path) as f:
            for line in f:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    events.append({'kind': 'stderr', 'text': line.rstrip()})
        if not out:
            raise AssertionError('client program printed nothing: %s'
                                 % events[-5:])
        return json.loads(out), events

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Client:
    """Runs commands in the client namespace."""

    def __init__(self, net, tmpdir=None):
        self.net = net
        self.tmpdir = tmpdir or tempfile.mkdtemp(prefix='tandem-client-')
        self.runs = 0

    def popen(self, argv, **kw):
        return subprocess.Popen(['ip', 'netns', 'exec', self.net.cli] + argv,
                                **kw)

    def start(self, mode, seconds, *args):
        """Starts client.py MODE in the background (see client.py)."""
        self.runs += 1
        base = os.path.join(self.tmpdir, '%s-%d' % (mode, self.runs))
        proc = self.popen([sys.executable, CLIENT_PY, mode, GUEST_IP,
                           str(seconds)] + [str(a) for a in args],
                          stdout=open(base + '.out', 'w'),
                          stderr=open(base + '.err', 'w'))
        return ClientRun(proc, base + '.out', base + '.err')

    def http_get(self, path, timeout=30):
        """One HTTP/1.0 GET of the guest's httpd; returns (status, body)."""
        r = self.net.ns(self.net.cli, sys.executable, '-c', HTTP_ONE,
                        'http://%s%s' % (GUEST_IP, path), str(timeout),
                        check=False, timeout=timeout + 10)
        if r.returncode != 0:
            raise AssertionError('GET %s failed: %s' % (path, r.stderr[-500:]))
        out = json.loads(r.stdout)
        return out['status'], bytes.fromhex(out['body'])


HTTP_ONE = r'''
import json, sys, urllib.request
r = urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2]))
print(json.dumps({'status': r.status, 'body': r.read().hex()}))
'''
