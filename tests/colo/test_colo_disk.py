"""Disk replication end to end (COLO-FT.txt's quorum + replication +
NBD setup on the COLO pair).  The guest writes numbered records to its
disk (recwriter: O_DIRECT|O_SYNC, "ACK n" after each write returned) and
sends every acknowledgement to the client over TCP, so an ACK the client
holds went through colo-compare like any reply.  The primary is killed
at a random moment and the secondary fails over; the guest keeps
writing; then every record the client saw acknowledged is on the
secondary's disk (read by the guest and, after the VMM quit, from the
image on the host), and the images pass `qemu-img check`.
"""
import json
import os
import random
import socket
import struct
import subprocess
import threading
import time

from colo_env import CLIENT_IP, wait_for

ACK_PORT = 5000
RECORD = 512

ACK_SERVER = r'''
import socket, sys, time, json
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('0.0.0.0', int(sys.argv[1])))
srv.listen(1)
srv.settimeout(float(sys.argv[2]))
conn, _ = srv.accept()
conn.settimeout(float(sys.argv[2]))
buf = b''
end = time.time() + float(sys.argv[2])
try:
    while time.time() < end:
        c = conn.recv(65536)
        if not c:
            break
        buf += c
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            print(json.dumps({'t': time.time(),
                              'line': line.decode(errors='replace')}),
                  flush=True)
except socket.timeout:
    pass
'''


class AckServer:
    def __init__(self, client, seconds):
        self.proc = client.popen(['python3', '-c', ACK_SERVER,
                                  str(ACK_PORT), str(seconds)],
                                 stdout=subprocess.PIPE, text=True)
        self.acks = []          # (time, n)
        self.bad = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            ev = json.loads(line)
            parts = ev['line'].split()
            if len(parts) == 2 and parts[0] == 'ACK' and parts[1].isdigit():
                self.acks.append((ev['t'], int(parts[1])))
            else:
                self.bad.append(ev['line'])

    def last(self):
        return self.acks[-1][1] if self.acks else -1

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.thread.join(5)


def records_in_image(path, tmpdir):
    raw = os.path.join(tmpdir, 'check.raw')
    subprocess.run(['qemu-img', 'convert', '-O', 'raw', path, raw],
                   check=True, timeout=120)
    found = set()
    with open(raw, 'rb') as f:
        data = f.read()
    for off in range(0, len(data), RECORD):
        rec = data[off:off + RECORD]
        if rec[:8] != b'TNDMREC1':
            continue
        n = struct.unpack('<Q', rec[8:16])[0]
        if off == n * RECORD and all(
                rec[24 + i] == (n + 24 + i) & 0xff for i in range(0, 488, 61)):
            found.add(n)
    os.unlink(raw)
    return found


def qemu_img_check(path):
    r = subprocess.run(['qemu-img', 'check', path], capture_output=True,
                       text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def test_no_acknowledged_write_lost_on_failover(pair_factory, client,
                                                tmp_path):
    pair = pair_factory(disk=True)
    acks = AckServer(client, 120)
    # started on the PVM's console; the next checkpoint gives it to the SVM
    pair.pvm.guest.send('recwriter /dev/vda 100000 | nc %s %d &'
                        % (CLIENT_IP, ACK_PORT))
    wait_for(lambda: acks.last() >= 20, 60, 'records acknowledged')
    time.sleep(random.uniform(3, 10))
    pair.pvm.kill()
    at_kill = acks.last()
    pair.failover_to_secondary()
    # the guest keeps writing on the survivor, over the same connection
    wait_for(lambda: acks.last() > at_kill + 20, 60,
             'records acknowledged after the failover')
    g = pair.svm.guest
    g.send('killall recwriter')
    time.sleep(2)
    acked = acks.last()
    assert not acks.bad, acks.bad[:5]
    ns = [n for _, n in acks.acks]
    assert ns == list(range(len(ns))), 'ACKs out of order or repeated'
    out = g.run('recwriter -c /dev/vda', timeout=120)
    assert out.startswith('LAST ') and int(out.split()[1]) >= acked, (
        out, acked)
    acks.stop()

    # the failover's commit into the secondary disk, then the images
    wait_for(lambda: pair.s.command('query-block-jobs') == [], 60,
             'block jobs to finish')
    pair.s.command('quit')
    pair.svm.proc.wait(timeout=30)
    d = pair.tmpdir
    found = records_in_image(os.path.join(d, 'secondary.qcow2'),
                             str(tmp_path))
    missing = [n for n in range(acked + 1) if n not in found]
    assert not missing, 'acknowledged records missing on the secondary ' \
        'disk: %s' % missing[:20]
    print('disk: %d records acknowledged (%d before the kill), %d on the '
          'secondary disk' % (acked + 1, at_kill + 1, len(found)))
    for name in ('secondary', 'secondary-active', 'secondary-hidden'):
        rc, text = qemu_img_check(os.path.join(d, name + '.qcow2'))
        assert rc == 0, (name, text)
    # the primary was SIGKILLed: leaked clusters (rc 3) are allowed,
    # corruption (rc 2) is not
    rc, text = qemu_img_check(os.path.join(d, 'primary.qcow2'))
    assert rc in (0, 3), text
