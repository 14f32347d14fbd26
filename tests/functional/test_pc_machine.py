"""The pc machine (pc-i440fx-7.2): tiny 64-bit guests booted directly
(tests/functional/guests/*.S, assembled with as/ld at test time into bare
ELF files the loader takes like a vmlinux), and the QMP/QOM shapes
libvirt relies on, compared with what QEMU 7.2 answers.
"""
import os
import select
import subprocess
import time

import pytest

from conftest import run_tandem, require_binary

GUESTS = os.path.join(os.path.dirname(__file__), 'guests')
PROG = 'qemu-system-x86_64: '


def build_guest(tmp_path, name):
    """Assembles guests/NAME.S into a bare ELF with PT_LOAD at 2 MiB."""
    require_binary('as')
    require_binary('ld')
    obj = str(tmp_path / (name + '.o'))
    elf = str(tmp_path / (name + '.elf'))
    subprocess.run(['as', os.path.join(GUESTS, name + '.S'), '-o', obj],
                   check=True)
    subprocess.run(['ld', '-z', 'noseparate-code', '-Ttext=0x200000',
                    '-e', '_start', '-o', elf, obj], check=True)
    return elf


@pytest.fixture
def hello(tmp_path):
    return build_guest(tmp_path, 'hello')


@pytest.fixture
def timer(tmp_path):
    return build_guest(tmp_path, 'timer')


def test_hello_serial_and_debug_exit(hello):
    r = run_tandem(['-machine', 'pc', '-m', '64', '-nographic',
                    '-kernel', hello,
                    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'])
    assert 'HELLO' in r.stdout, r.stderr
    assert r.returncode == (0x10 << 1) | 1


def test_default_machine_is_pc(hello):
    r = run_tandem(['-display', 'none', '-nodefaults', '-serial', 'stdio',
                    '-kernel', hello, '-device',
                    '{"driver":"isa-debug-exit","iobase":244,"iosize":4}'])
    assert r.stdout.startswith('HELLO'), r.stderr
    assert r.returncode == 33


def test_timers_interrupts_and_acpi_poweroff(timer):
    r = run_tandem(['-m', '64', '-nographic', '-kernel', timer])
    assert 'LAPIC OK' in r.stdout, r.stderr
    assert 'PIT OK' in r.stdout, r.stderr
    assert r.returncode == 0


def test_memory_backend_and_large_ram(hello, tmp_path):
    r = run_tandem(['-machine', 'pc,memory-backend=mem0', '-m', '4G',
                    '-object', 'memory-backend-memfd,id=mem0,size=4G',
                    '-display', 'none', '-nodefaults', '-serial', 'stdio',
                    '-kernel', hello,
                    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'])
    assert r.stdout.startswith('HELLO'), r.stderr
    assert r.returncode == 33


@pytest.mark.parametrize('args,message', [
    ([], PROG + 'no kernel given: Tandem boots Linux directly, use -kernel'),
    (['-cpu', 'pentium9', '-kernel', '/dev/null'],
     PROG + "unable to find CPU model 'pentium9'"),
    (['-machine', 'pc,memory-backend=nope', '-kernel', '/dev/null'],
     PROG + "Memory backend 'nope' not found"),
    (['-machine', 'pc,memory-backend=m', '-m', '256M',
      '-object', 'memory-backend-ram,id=m,size=128M', '-kernel', '/dev/null'],
     PROG + 'Machine memory size does not match the size of the memory '
     'backend'),
    (['-kernel', '/nonexistent/vmlinux'],
     PROG + "could not load kernel '/nonexistent/vmlinux'"),
])
def test_startup_errors(args, message):
    r = run_tandem(['-display', 'none', '-nodefaults'] + args)
    assert r.returncode == 1
    assert r.stderr.startswith(message), r.stderr


def test_memory_backend_gives_the_size(hello):
    r = run_tandem(['-machine', 'memory-backend=m', '-display', 'none',
                    '-object', 'memory-backend-ram,id=m,size=96M',
                    '-nodefaults', '-serial', 'stdio', '-kernel', hello,
                    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'])
    assert r.stdout.startswith('HELLO'), r.stderr
    assert r.returncode == 33


def test_device_bus_check(hello):
    r = run_tandem(['-display', 'none', '-nodefaults', '-kernel', hello,
                    '-device', 'isa-debug-exit,bus=pci.7'])
    assert r.returncode == 1
    assert "Bus 'pci.7' not found" in r.stderr


LIBVIRT_ARGS = [
    '-name', 'guest=colo-min,debug-threads=on', '-S',
    '-machine', 'pc-i440fx-7.2,usb=off,dump-guest-core=off,'
    'memory-backend=pc.ram',
    '-accel', 'tcg', '-cpu', 'qemu64', '-m', '128',
    '-object', '{"qom-type":"memory-backend-ram","id":"pc.ram",'
    '"size":134217728}',
    '-overcommit', 'mem-lock=off', '-smp', '1,sockets=1,cores=1,threads=1',
    '-display', 'none', '-no-user-config', '-nodefaults',
    '-rtc', 'base=utc', '-no-shutdown', '-no-acpi', '-boot', 'strict=on',
    '-msg', 'timestamp=on',
]


@pytest.fixture
def libvirt_vm(vm_factory, hello):
    vm = vm_factory(LIBVIRT_ARGS + ['-kernel', hello])
    vm.launch()
    return vm


def test_query_machines(tandem_none):
    machines = tandem_none.qmp().command('query-machines')
    pc = [m for m in machines if m['name'] == 'pc-i440fx-7.2']
    assert pc == [{
        'name': 'pc-i440fx-7.2', 'alias': 'pc', 'is-default': True,
        'cpu-max': 1, 'hotpluggable-cpus': True,
        'numa-mem-supported': False, 'deprecated': False,
        'default-cpu-type': 'qemu64-x86_64-cpu', 'default-ram-id': 'pc.ram',
    }]


def test_libvirt_start_sequence(libvirt_vm):
    q = libvirt_vm.qmp()
    assert q.command('query-status')['status'] == 'prelaunch'
    cpus = q.command('query-hotpluggable-cpus')
    assert cpus == [{
        'props': {'core-id': 0, 'thread-id': 0, 'socket-id': 0},
        'vcpus-count': 1, 'qom-path': '/machine/unattached/device[0]',
        'type': 'qemu64-x86_64-cpu'}]
    fast = q.command('query-cpus-fast')
    assert len(fast) == 1
    tid = fast[0].pop('thread-id')
    assert fast == [{
        'props': {'core-id': 0, 'thread-id': 0, 'socket-id': 0},
        'qom-path': '/machine/unattached/device[0]', 'cpu-index': 0,
        'target': 'x86_64'}]
    # the vCPU thread of this process
    assert tid != libvirt_vm.proc.pid
    assert os.path.exists('/proc/%d/task/%d' % (libvirt_vm.proc.pid, tid))

    props = {p['name']: p['type'] for p in q.command(
        'qom-list', path='/machine/unattached/device[0]')}
    for name in ('type', 'realized', 'hotplugged', 'hotpluggable', 'lm',
                 'sse2', 'tsc-deadline', 'kvmclock', 'svm', 'vmx'):
        assert name in props, name
    assert props['lm'] == 'bool'
    path = '/machine/unattached/device[0]'
    assert q.command('qom-get', path=path, property='realized') is True
    assert q.command('qom-get', path=path, property='hotplugged') is False
    assert q.command('qom-get', path=path, property='hotpluggable') is True
    assert q.command('qom-get', path=path, property='lm') is True
    assert q.command('qom-get', path=path, property='vmx') is False
    assert q.command('qom-get', path=path, property='type') == \
        'qemu64-x86_64-cpu'
    assert q.command('qom-get', path='/objects/pc.ram',
                     property='size') == 134217728
    r = q.cmd('object-del', id='pc.ram')
    assert r['error']['desc'] == "object 'pc.ram' is in use, can not be " \
        'deleted'
    q.command('object-add', **{'qom-type': 'memory-backend-memfd',
                               'id': 'spare', 'size': 1 << 20,
                               'share': True})
    assert q.command('qom-get', path='/objects/spare', property='share')
    q.command('object-del', id='spare')
    assert q.command('query-iothreads') == []
    q.command('qom-list', path='/machine/peripheral')

    q.command('cont')
    assert q.get_event('RESUME') is not None
    assert q.command('query-status')['status'] == 'running'
    q.command('stop')
    assert q.get_event('STOP') is not None
    q.command('cont')
    q.command('system_reset')
    ev = q.get_event('RESET')
    assert ev is not None and ev['data']['reason'] == 'host-qmp-system-reset'
    time.sleep(0.2)
    assert q.command('query-status')['status'] == 'running'


def test_qom_tree_has_the_board_devices(libvirt_vm):
    tree = libvirt_vm.qmp().hmp('info qom-tree')
    for t in ('qemu64-x86_64-cpu', 'apic', 'ioapic', 'isa-i8259',
              'isa-pit', 'mc146818rtc', 'i8042', 'i440FX-pcihost', 'PIIX3'):
        assert '(%s)' % t in tree, t
    # the vCPU is the first unattached device
    assert 'device[0] (qemu64-x86_64-cpu)' in tree


@pytest.fixture
def reboot(tmp_path):
    return build_guest(tmp_path, 'reboot')


def test_reset_paths_reload_the_kernel(reboot):
    """i8042 0xfe, 0xcf9, port 0x92 and a triple fault each reset the
    machine; the kernel is loaded again and restarts (CMOS keeps the
    boot count)."""
    r = run_tandem(['-display', 'none', '-nodefaults', '-serial', 'stdio',
                    '-kernel', reboot,
                    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'])
    assert r.stdout.split('\n')[:5] == ['BOOT %d' % i for i in range(1, 6)]
    assert r.returncode == 1


def test_no_reboot_turns_reset_into_exit(reboot):
    r = run_tandem(['-display', 'none', '-nodefaults', '-serial', 'stdio',
                    '-no-reboot', '-kernel', reboot])
    assert r.stdout == 'BOOT 1\n'
    assert r.returncode == 0


def test_cpu_push_imm32_sign_extends(tmp_path):
    """Regression: Linux's sync_core() ("push $label; iretq") faulted at a
    zero-extended kernel address before the first console line."""
    elf = build_guest(tmp_path, 'push-imm32')
    r = run_tandem(['-display', 'none', '-nodefaults', '-serial', 'stdio',
                    '-kernel', elf,
                    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'])
    assert r.stdout == 'PUSH OK\n'


def read_until(proc, needle, timeout=20):
    buf = b''
    deadline = time.monotonic() + timeout
    while needle.encode() not in buf:
        left = deadline - time.monotonic()
        assert left > 0, buf
        ready, _, _ = select.select([proc.stdout], [], [], left)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 4096)
            assert chunk, buf
            buf += chunk
    return buf


def test_system_powerdown_reaches_the_guest(vm_factory, tmp_path):
    elf = build_guest(tmp_path, 'powerbtn')
    vm = vm_factory(['-display', 'none', '-nodefaults', '-serial', 'stdio',
                     '-kernel', elf])
    vm.launch()
    q = vm.qmp()
    read_until(vm.proc, 'READY')
    q.command('system_powerdown')
    assert q.get_event('POWERDOWN') is not None
    read_until(vm.proc, 'PWRBTN')
    assert vm.wait() == 0
