"""Debian's 6.1 kernel and the busybox test guest (tests/guest/build.sh)
on Tandem's pc machine and interpreter: boot to the guest's ready line on
ttyS0, use the serial shell, check the platform the kernel found, and
power off through ACPI (exit status 0).

The image is built (or found up to date) in $TANDEM_GUEST_DIR, default
/tmp/tandem-guest, as test_guest_image.py does.
"""
import os
import subprocess

import pytest

from conftest import TANDEM
from test_guest_image import Console, GUEST_DIR, ROOT

BOOT_TIMEOUT = 400


@pytest.fixture(scope='module')
def linux():
    subprocess.run([os.path.join(ROOT, 'tests/guest/build.sh'), GUEST_DIR],
                   check=True, stdout=subprocess.DEVNULL)
    proc = subprocess.Popen(
        [TANDEM, '-m', '512', '-nographic',
         '-kernel', os.path.join(GUEST_DIR, 'bzImage'),
         '-initrd', os.path.join(GUEST_DIR, 'initrd.img'),
         '-append', 'console=ttyS0'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    con = Console(proc)
    try:
        con.expect('TANDEM-GUEST-READY', BOOT_TIMEOUT)
        yield {'con': con, 'proc': proc}
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_serial_shell(linux):
    con = linux['con']
    con.send('echo shell-$((6 * 7))')
    con.expect('shell-42', 60)


def test_platform_seen_by_the_kernel(linux):
    con = linux['con']
    con.send('grep -c . /proc/cpuinfo >/dev/null; '
             'echo clk=$(cat /sys/devices/system/clocksource/clocksource0/'
             'current_clocksource)')
    con.expect('clk=tsc', 60)
    con.send("echo timer=$(grep -c 'IO-APIC.*timer' /proc/interrupts)")
    con.expect('timer=1', 60)
    con.send('echo pci=$(ls /sys/bus/pci/devices | tr "\\n" ,)')
    con.expect('pci=0000:00:00.0,0000:00:01.0,', 60)


def test_poweroff(linux):
    linux['con'].send('poweroff -f')
    assert linux['proc'].wait(timeout=120) == 0
