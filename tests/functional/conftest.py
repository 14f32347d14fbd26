"""Shared fixtures for Tandem's functional tests.

Tests start real qemu-system-x86_64 processes (ours, from the build
directory in $TANDEM_BUILD_DIR, and where a test says so Debian's QEMU as a
peer) and talk to them over QMP sockets in a per-test temporary directory.
"""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from qmp import QMPClient  # noqa: E402

from paths import SRC_DIR, BUILD_DIR, TANDEM, DEBIAN_QEMU  # noqa: E402,F401


class VM:
    """One VMM process with a QMP socket."""

    def __init__(self, tmpdir, args, binary=TANDEM, name='vm'):
        self.tmpdir = str(tmpdir)
        self.name = name
        self.qmp_path = os.path.join(self.tmpdir, name + '-qmp.sock')
        self.binary = binary
        self.args = list(args)
        self.proc = None
        self.clients = []
        self.stderr_path = os.path.join(self.tmpdir, name + '.stderr')

    def launch(self, extra_qmp=True, wait_socket=True):
        argv = [self.binary]
        if extra_qmp:
            argv += ['-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path]
        argv += self.args
        self.stderr = open(self.stderr_path, 'wb')
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        if extra_qmp and wait_socket:
            deadline = time.monotonic() + 20
            while not os.path.exists(self.qmp_path):
                if self.proc.poll() is not None:
                    raise RuntimeError('%s exited early (%d): %s' % (
                        self.binary, self.proc.returncode, self.read_stderr()))
                if time.monotonic() > deadline:
                    raise RuntimeError('QMP socket did not appear')
                time.sleep(0.02)
        return self

    def qmp(self, negotiate=True):
        c = QMPClient(self.qmp_path, negotiate=negotiate,
                      tolerate_repeated_greeting=self.binary != TANDEM)
        self.clients.append(c)
        return c

    def read_stderr(self):
        try:
            with open(self.stderr_path, 'rb') as f:
                return f.read().decode(errors='replace')
        except FileNotFoundError:
            return ''

    def wait(self, timeout=20):
        return self.proc.wait(timeout=timeout)

    def shutdown(self):
        for c in self.clients:
            c.close()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if hasattr(self, 'stderr'):
            self.stderr.close()


@pytest.fixture
def vm_factory(tmp_path):
    vms = []

    def make(args, binary=TANDEM, name=None):
        vm = VM(tmp_path, args, binary=binary,
                name=name or 'vm%d' % len(vms))
        vms.append(vm)
        return vm

    yield make
    for vm in vms:
        vm.shutdown()


@pytest.fixture
def tandem_none(vm_factory):
    """A running Tandem with -machine none and a negotiated QMP client."""
    vm = vm_factory(['-machine', 'none', '-nodefaults', '-display', 'none'])
    vm.launch()
    return vm


def run_tandem(args, timeout=20, binary=TANDEM, input=None):
    """Runs the binary to completion; returns CompletedProcess (text)."""
    return subprocess.run([binary] + list(args), capture_output=True,
                          text=True, timeout=timeout, input=input)


def require_binary(path):
    if not shutil.which(path) and not os.path.exists(path):
        pytest.fail('required program %s is not installed' % path)
