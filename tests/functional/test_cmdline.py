"""Command-line behaviour: errors look like QEMU's and exit 1; options
whose machinery is not there yet are refused by name, never ignored."""
import os
import time

import pytest

from conftest import run_tandem
from qmp import QMPClient

PROG = 'qemu-system-x86_64: '


def test_version():
    r = run_tandem(['-version'])
    assert r.returncode == 0
    assert r.stdout.startswith('QEMU emulator version 7.2.22')


def test_help():
    r = run_tandem(['-help'])
    assert r.returncode == 0
    assert 'usage: qemu-system-x86_64' in r.stdout


@pytest.mark.parametrize('args,message', [
    (['-foo'], PROG + '-foo: invalid option'),
    (['-m'], PROG + '-m: requires an argument'),
    (['-machine', 'none', '-m', 'lots'],
     PROG + "-m lots: Parameter 'size' expects a non-negative number "
     "below 2^64"),
    (['-machine', 'none', '-smp', '2'],
     PROG + '-smp 2: only one vCPU is supported for now (cpus=2 requested)'),
    (['-machine', 'nosuch'], PROG + 'unsupported machine type'),
    (['-machine', 'none', '-uuid', 'xyz'],
     PROG + '-uuid xyz: Fail to parse UUID string. Wrong format.'),
    (['-machine', 'none', '-nic', 'user'],
     PROG + '-nic user: -nic and -net are not supported yet; use -netdev '
     'with -device'),
    (['-machine', 'none', '-sandbox', 'on'],
     PROG + '-sandbox on: seccomp sandboxing is not supported yet'),
    (['-machine', 'none', '-display', 'gtk'],
     PROG + "-display gtk: Display 'gtk' is not available"),
    (['-machine', 'none', '-msg', 'timestamp=maybe'],
     PROG + "-msg timestamp=maybe: Parameter 'timestamp' expects 'on' or "
     "'off'"),
    (['-machine', 'none', '-chardev', 'nosuchbackend,id=x'],
     PROG + "-chardev nosuchbackend,id=x: 'nosuchbackend' is not a valid "
     "char driver name"),
    (['-machine', 'none', '-object', 'nosuchtype,id=x'],
     PROG + "-object nosuchtype,id=x: Parameter 'qom-type' does not accept "
     "value 'nosuchtype'"),
])
def test_errors(args, message):
    r = run_tandem(['-nodefaults'] + args)
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines()[0] == message


def test_machine_help_lists_none():
    r = run_tandem(['-machine', 'help'])
    assert r.returncode == 0
    assert r.stdout.startswith('Supported machines are:')
    assert any(line.split()[0] == 'none' for line in r.stdout.splitlines()[1:])


def test_object_help_lists_iothread():
    r = run_tandem(['-object', 'help'])
    assert r.returncode == 0
    assert 'iothread' in r.stdout.split()


def test_accel_kvm_tcg_falls_back_to_tcg(vm_factory):
    vm = vm_factory(['-machine', 'none,accel=kvm:tcg', '-nodefaults', '-S'])
    vm.launch()
    c = vm.qmp()
    assert c.command('query-kvm') == {
        'enabled': False, 'present': os.path.exists('/dev/kvm')}


def test_name_uuid(vm_factory):
    vm = vm_factory(['-machine', 'none', '-nodefaults',
                     '-name', 'guest=colo-min,debug-threads=on',
                     '-uuid', '6B29FC40-CA47-1067-B31D-00DD010662DA'])
    vm.launch()
    c = vm.qmp()
    assert c.command('query-name') == {'name': 'colo-min'}
    assert c.command('query-uuid') == {
        'UUID': '6b29fc40-ca47-1067-b31d-00dd010662da'}
    assert c.hmp('info name') == 'colo-min\r\n'


def test_libvirt_probe_line_daemonizes(tmp_path):
    sock = str(tmp_path / 'qmp.monitor')
    pidfile = str(tmp_path / 'qmp.pid')
    r = run_tandem(['-S', '-no-user-config', '-nodefaults', '-nographic',
                    '-machine', 'none,accel=kvm:tcg',
                    '-qmp', 'unix:%s,server=on,wait=off' % sock,
                    '-pidfile', pidfile, '-daemonize'], timeout=30)
    # The launching process exits only once the socket listens.
    assert r.returncode == 0, r.stderr
    assert r.stdout == '' and r.stderr == ''
    assert os.path.exists(sock)
    pid = int(open(pidfile).read())
    try:
        c = QMPClient(sock)
        assert c.command('query-status')['status'] == 'prelaunch'
        assert c.command('query-version')['qemu']['major'] == 7
        c.close()
    finally:
        os.kill(pid, 9)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)


def test_pidfile_locked_twice(tmp_path, vm_factory):
    pidfile = str(tmp_path / 'p.pid')
    vm = vm_factory(['-machine', 'none', '-nodefaults', '-pidfile', pidfile])
    vm.launch()
    r = run_tandem(['-machine', 'none', '-nodefaults', '-pidfile', pidfile])
    assert r.returncode == 1
    assert 'cannot create PID file: Cannot lock pid file' in r.stderr


def test_sigterm_message(vm_factory):
    vm = vm_factory(['-machine', 'none', '-nodefaults'])
    vm.launch()
    vm.qmp()
    vm.proc.terminate()
    assert vm.wait(10) == 0
    assert 'terminating on signal 15 from pid %d' % os.getpid() in \
        vm.read_stderr()


def test_trace_option(tmp_path, vm_factory):
    trace = str(tmp_path / 'trace.log')
    vm = vm_factory(['-machine', 'none', '-nodefaults',
                     '-trace', 'enable=runstate_*,file=%s' % trace])
    vm.launch()
    c = vm.qmp()
    c.cmd('stop')
    c.cmd('cont')
    c.close()
    vm.shutdown()
    text = open(trace).read()
    assert 'runstate_set running -> paused' in text
    assert 'runstate_set paused -> running' in text


def test_log_items(tmp_path):
    r = run_tandem(['-d', 'help'])
    assert r.returncode == 0 and 'guest_errors' in r.stdout
    r = run_tandem(['-machine', 'none', '-nodefaults', '-d', 'bogus'])
    assert r.returncode == 1
    assert 'Invalid -d option "bogus"' in r.stderr
