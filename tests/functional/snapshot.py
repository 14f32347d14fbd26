"""Booted-guest snapshots: boot the test guest once, save it with
``migrate "exec:cat > FILE"``, and start later guests from that file with
``-incoming "exec:cat FILE"`` in a fraction of the boot time.

    snap = take_snapshot(path, memory='512', append='')   boots + saves
    g = restore(snap, args=[...])     a Guest (tests/functional/guest.py)
                                      running from the snapshot; g.qmp
                                      is a negotiated QMP client
    booted_guest (fixture)            a restored, running 512 MiB guest

Snapshots are cached per pytest session (one per memory/append/args
key) in a temporary directory; restoring never modifies the file.  The
restored guest continues on its serial console (stdio, as Guest sets
up), so g.run('cmd') works at once.  The guest's clock continues from
the moment of the save (the virtual clock is part of the stream).
"""
import os
import shutil
import tempfile
import time

import pytest

from guest import Guest, build_guest
from qmp import QMPClient

SAVE_TIMEOUT = 120


def _connect(path, proc, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError('VMM exited (%s) before QMP' % proc.returncode)
        if os.path.exists(path):
            try:
                return QMPClient(path)
            except (ConnectionRefusedError, FileNotFoundError):
                pass
        time.sleep(0.05)
    raise AssertionError('no QMP socket at %s' % path)


def wait_migration(c, timeout=SAVE_TIMEOUT,
                   states=('completed', 'failed', 'cancelled')):
    """Polls query-migrate until one of @states; returns its reply."""
    deadline = time.monotonic() + timeout
    m = {}
    while time.monotonic() < deadline:
        m = c.command('query-migrate')
        if m.get('status') in states:
            return m
        time.sleep(0.05)
    raise AssertionError('migration stuck: %s' % m)


def wait_running(c, timeout=60):
    deadline = time.monotonic() + timeout
    s = None
    while time.monotonic() < deadline:
        s = c.command('query-status')['status']
        if s == 'running':
            return
        time.sleep(0.05)
    raise AssertionError('guest not running after restore: %s' % s)


class Snapshot:
    def __init__(self, path, memory, append, args, boot_seconds):
        self.path = path
        self.memory = memory
        self.append = append
        self.args = list(args)
        self.boot_seconds = boot_seconds


def take_snapshot(path, memory='512', append='', args=()):
    """Boots the test guest, waits for its ready line and a working
    shell, saves it to @path and stops that VMM.  Returns a Snapshot."""
    build_guest()
    qmp_path = path + '.qmp'
    g = Guest(list(args) + ['-qmp', 'unix:%s,server=on,wait=off' % qmp_path],
              append=append, memory=memory)
    try:
        t0 = time.monotonic()
        g.wait_ready()
        g.run('true')
        boot = time.monotonic() - t0
        c = _connect(qmp_path, g.proc)
        c.command('migrate', uri='exec:cat > %s' % path)
        m = wait_migration(c)
        assert m['status'] == 'completed', m
        c.close()
        return Snapshot(path, memory, append, args, boot)
    finally:
        g.close()
        if os.path.exists(qmp_path):
            os.unlink(qmp_path)


def restore(snap, args=(), prefix=None, qmp_path=None):
    """Starts a VMM from @snap (same memory/append/args as it was taken
    with, plus @args) and waits until the guest runs.  Returns the Guest
    with .qmp (client) and .restore_seconds set."""
    if qmp_path is None:
        fd, qmp_path = tempfile.mkstemp(prefix='tandem-snap-', suffix='.qmp')
        os.close(fd)
        os.unlink(qmp_path)
    t0 = time.monotonic()
    g = Guest(snap.args + list(args) +
              ['-qmp', 'unix:%s,server=on,wait=off' % qmp_path,
               '-incoming', 'exec:cat %s' % snap.path],
              append=snap.append, memory=snap.memory, prefix=prefix)
    try:
        g.qmp = _connect(qmp_path, g.proc)
        wait_running(g.qmp)
    except Exception:
        g.close()
        raise
    g.restore_seconds = time.monotonic() - t0
    g.qmp_path = qmp_path
    return g


def close_restored(g):
    """Closes the QMP client and kills the VMM of a restored guest."""
    q = getattr(g, 'qmp', None)
    if q is not None:
        try:
            q.close()
        except OSError:
            pass
    g.close()
    path = getattr(g, 'qmp_path', None)
    if path and os.path.exists(path):
        os.unlink(path)


class SnapshotCache:
    """Session-wide cache: one snapshot per (memory, append, args)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='tandem-snapshots-')
        self.snaps = {}

    def get(self, memory='512', append='', args=()):
        key = (memory, append, tuple(args))
        if key not in self.snaps:
            path = os.path.join(self.dir, 'snap%d.bin' % len(self.snaps))
            self.snaps[key] = take_snapshot(path, memory, append, args)
        return self.snaps[key]

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope='session')
def snapshot_cache():
    cache = SnapshotCache()
    yield cache
    cache.cleanup()


@pytest.fixture
def booted_guest(snapshot_cache):
    """A running 512 MiB test guest restored from a booted snapshot."""
    g = restore(snapshot_cache.get())
    yield g
    close_restored(g)
