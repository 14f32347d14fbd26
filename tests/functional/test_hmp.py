"""HMP on a socket (with QEMU's readline echo) and through
human-monitor-command."""
import socket
import time


def read_until(sock, marker, timeout=10):
    sock.settimeout(timeout)
    data = b''
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_hmp_socket_banner_echo_and_output(vm_factory, tmp_path):
    path = str(tmp_path / 'hmp.sock')
    vm = vm_factory(['-machine', 'none', '-nodefaults', '-S',
                     '-monitor', 'unix:%s,server=on,wait=off' % path])
    vm.launch()
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    banner = read_until(s, b'(qemu) ')
    assert banner == (b"QEMU 7.2.22 monitor - type 'help' for more "
                      b"information\r\n(qemu) ")
    s.sendall(b'info status\r')
    out = read_until(s, b'(qemu) ')
    # Echo: each keystroke redraws the line (ESC[D back, text, ESC[K).
    assert out.startswith(b'i\x1b[K\x1b[Din\x1b[K\x1b[D\x1b[Dinf\x1b[K')
    assert b'info status\x1b[K\r\nVM status: paused (prelaunch)\r\n(qemu) ' \
        in out
    s.sendall(b'no_such_command\r')
    out = read_until(s, b'(qemu) ')
    assert b"unknown command: 'no_such_command'\r\n" in out
    s.sendall(b'help info\r')
    out = read_until(s, b'(qemu) ')
    assert b'info status  -- show the current VM status (running|paused)' \
        in out
    s.sendall(b'cont\r')
    read_until(s, b'(qemu) ')
    s.sendall(b'info status\r')
    out = read_until(s, b'(qemu) ')
    assert b'VM status: running\r\n' in out
    s.close()


def test_human_monitor_command(tandem_none):
    c = tandem_none.qmp()
    assert c.hmp('info status') == 'VM status: running\r\n'
    assert c.hmp('stop') == ''
    assert c.get_event('STOP') is not None
    assert c.hmp('info status') == 'VM status: paused\r\n'
    assert c.hmp('info nosuch') == "unknown command: 'info nosuch'\r\n"
    assert c.hmp('help stop') == 'stop|s  -- stop emulation\r\n'
    version = c.hmp('info version')
    assert version.startswith('7.2.22')
    tree = c.hmp('info qom-tree')
    assert tree.startswith('/machine (none-machine)\r\n')
    assert c.hmp('info chardev') == (
        'compat_monitor0: filename=unix:%s,server=on\r\n' %
        tandem_none.qmp_path)
    assert c.hmp('cont') == ''
    assert c.get_event('RESUME') is not None


def test_hmp_quit(vm_factory, tmp_path):
    path = str(tmp_path / 'hmp.sock')
    vm = vm_factory(['-machine', 'none', '-nodefaults',
                     '-monitor', 'unix:%s,server=on,wait=off' % path])
    vm.launch()
    c = vm.qmp()
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    read_until(s, b'(qemu) ')
    s.sendall(b'quit\r')
    assert vm.wait(10) == 0
    ev = c.get_event('SHUTDOWN', timeout=2)
    assert ev is None or ev['data']['reason'] == 'host-qmp-quit'
