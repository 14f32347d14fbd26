"""Shared helpers for tests that boot the Tandem test guest
(tests/guest/build.sh) in Tandem or Debian's QEMU and drive its serial
shell.

    build_guest()                      build or find the cached image
    g = Guest(binary, args, append)    start a VMM with the guest
    g.wait_ready()                     wait for TANDEM-GUEST-READY
    g.run('cmd', 'marker', timeout)    send a shell line, wait for marker
    g.poweroff()                       poweroff -f, wait for the exit
    g.close()                          kill if still running (finalizers)

Every wait is bounded.
"""
import os
import re
import select
import subprocess
import time

from paths import TANDEM, DEBIAN_QEMU
from test_guest_image import Console, GUEST_DIR, ROOT, free_port  # noqa

BOOT_TIMEOUT = 400
# a kernel message on the console, interleaved with a command's output
KMSG = re.compile(r'^\[\s*\d+\.\d+\] ')


def build_guest():
    subprocess.run([os.path.join(ROOT, 'tests/guest/build.sh'), GUEST_DIR],
                   check=True, stdout=subprocess.DEVNULL)
    return GUEST_DIR


class GuestConsole(Console):
    """Console whose expect() returns the text before the needle."""

    def expect(self, needle, timeout):
        want = needle.encode()
        deadline = time.monotonic() + timeout
        while want not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise AssertionError('did not see %r; console tail:\n%s' % (
                    needle, self.buf[-3000:].decode(errors='replace')))
            ready, _, _ = select.select([self.proc.stdout], [], [],
                                        min(left, 1.0))
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if chunk:
                    self.buf += chunk
        idx = self.buf.index(want)
        before = self.buf[:idx]
        self.buf = self.buf[idx + len(want):]
        return before.decode(errors='replace')


class Guest:
    """One VMM process booting the test guest on its serial console."""

    def __init__(self, args, append='', binary=TANDEM, prefix=None,
                 memory='512'):
        argv = list(prefix or [])
        argv.append(binary)
        if binary == DEBIAN_QEMU:
            argv += ['-accel', 'tcg']
        argv += ['-m', memory, '-nographic', '-no-reboot',
                 '-kernel', os.path.join(GUEST_DIR, 'bzImage'),
                 '-initrd', os.path.join(GUEST_DIR, 'initrd.img'),
                 '-append', ('console=ttyS0 ' + append).strip()]
        argv += list(args)
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.con = GuestConsole(self.proc)
        self._seq = 0

    def wait_ready(self, timeout=BOOT_TIMEOUT):
        self.con.expect('TANDEM-GUEST-READY', timeout)
        return self

    def send(self, line):
        self.con.send(line)

    def expect(self, needle, timeout=60):
        return self.con.expect(needle, timeout)

    def run(self, cmd, timeout=60):
        """Runs @cmd in the guest shell; returns its output (str).

        The output is framed by unique markers so that the echo of the
        command line itself is never mistaken for its output.
        """
        self._seq += 1
        tag = 'TQ%d' % self._seq
        self.con.send('echo %s""B; %s; echo %s""E' % (tag, cmd, tag))
        self.con.expect(tag + 'B', timeout)
        out = self.con.expect(tag + 'E', timeout)
        lines = [ln for ln in out.replace('\r', '').split('\n')
                 if not KMSG.match(ln)]
        return '\n'.join(lines).strip('\n')

    def poweroff(self, timeout=120):
        self.con.send('poweroff -f')
        return self.proc.wait(timeout=timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
