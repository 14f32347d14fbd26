"""Acceptance test of the x86-64 interpreter and the pc machine: Debian's
6.1 kernel and the busybox test guest (tests/guest/build.sh) boot with
QEMU's plain command line to TANDEM-GUEST-READY; a shell driven through a
socket chardev on the serial port runs real programs whose output the host
checks (kernel version, CPU model, sha256, floating point, timing, the
clock), and `poweroff -f` ends the process with status 0.

A second, tiny guest checks that guest-triggered CPU errors are the
guest's business: unsupported instructions raise #UD and unknown MSRs #GP
through the guest's own IDT, and the VMM keeps running.
"""
import hashlib
import os
import select
import socket
import subprocess
import time

import pytest

from conftest import TANDEM, require_binary, run_tandem
from qmp import QMPClient
from test_guest_image import GUEST_DIR, ROOT

BOOT_TIMEOUT = 400


class SocketConsole:
    """The guest's ttyS0 through a unix socket chardev."""

    def __init__(self, path, proc):
        self.proc = proc
        deadline = time.monotonic() + 20
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                assert time.monotonic() < deadline, 'no serial socket'
                assert proc.poll() is None, 'VMM exited early'
                time.sleep(0.05)
        self.buf = b''

    def expect(self, needle, timeout):
        """Waits for @needle; returns (text before it, arrival time)."""
        needle = needle.encode()
        deadline = time.monotonic() + timeout
        while needle not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise AssertionError('did not see %r; console tail:\n%s' % (
                    needle, self.buf[-3000:].decode(errors='replace')))
            ready, _, _ = select.select([self.sock], [], [], min(left, 1.0))
            if ready:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise AssertionError('serial socket closed')
                self.buf += chunk
        now = time.monotonic()
        idx = self.buf.index(needle)
        before = self.buf[:idx].decode(errors='replace')
        self.buf = self.buf[idx + len(needle):]
        return before, now

    def send(self, line):
        self.sock.sendall(line.encode() + b'\n')

    def run(self, cmd, timeout=60):
        """Runs @cmd in the guest shell; returns its output lines.  The
        end marker is computed by the shell, so the terminal's echo of the
        command line never matches it."""
        self.send('echo BEGIN-$((40 + 2)); %s; echo END-$((40 + 3))' % cmd)
        self.expect('BEGIN-42', timeout)
        out, _ = self.expect('END-43', timeout)
        return [line.strip() for line in out.strip().splitlines()
                if line.strip()]


@pytest.fixture(scope='module')
def guest(tmp_path_factory):
    subprocess.run([os.path.join(ROOT, 'tests/guest/build.sh'), GUEST_DIR],
                   check=True, stdout=subprocess.DEVNULL)
    sock = str(tmp_path_factory.mktemp('serial') / 'ttyS0.sock')
    qmp = os.path.join(os.path.dirname(sock), 'qmp.sock')
    proc = subprocess.Popen(
        [TANDEM, '-m', '512', '-nographic',
         '-kernel', os.path.join(GUEST_DIR, 'bzImage'),
         '-initrd', os.path.join(GUEST_DIR, 'initrd.img'),
         '-append', 'console=ttyS0',
         '-chardev', 'socket,id=s0,path=%s,server=on,wait=off' % sock,
         '-serial', 'chardev:s0',
         '-qmp', 'unix:%s,server=on,wait=off' % qmp],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        con = SocketConsole(sock, proc)
        con.expect('TANDEM-GUEST-READY', BOOT_TIMEOUT)
        yield {'con': con, 'proc': proc, 'qmp': qmp}
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_kernel_version(guest):
    with open(os.path.join(GUEST_DIR, 'kernel-version')) as f:
        pkg = f.read().split()[0]
    assert guest['con'].run('uname -r') == [pkg[len('linux-image-'):]]


def test_cpu_model(guest):
    lines = guest['con'].run("grep -E '^(vendor_id|cpu family|model)\\s*:' "
                             "/proc/cpuinfo")
    info = {k.strip(): v.strip() for k, v in
            (line.split(':', 1) for line in lines)}
    assert info == {'vendor_id': 'AuthenticAMD', 'cpu family': '15',
                    'model': '107'}


def test_sha256_of_a_file_and_a_pipe(guest):
    data = b''.join(hashlib.sha256(b'tandem-%d' % i).digest()
                    for i in range(1048576 // 32))
    out = guest['con'].run('sha256sum /www/1M.bin')
    assert out == ['%s  /www/1M.bin' % hashlib.sha256(data).hexdigest()]
    # busybox seq formats through printf("%g"): about 1 ms per line here
    seq = ''.join('%d\n' % i for i in range(1, 10001)).encode()
    out = guest['con'].run('seq 1 10000 | sha256sum', 120)
    assert out == ['%s  -' % hashlib.sha256(seq).hexdigest()]


def test_awk_floating_point(guest):
    # busybox awk is built without libm: arithmetic and printf only
    out = guest['con'].run(
        "awk 'BEGIN { s = 0; p = 1; for (i = 1; i <= 20000; i++) "
        "{ s += 1 / i; p *= 1.0001 }; "
        "printf \"%.17g %.17g %.17g\\n\", s, p, s * p / 3 - 0.1 }'")
    s, p = 0.0, 1.0
    for i in range(1, 20001):
        s += 1 / i
        p *= 1.0001
    assert out == ['%.17g %.17g %.17g' % (s, p, s * p / 3 - 0.1)]


def test_sleep_takes_host_time(guest):
    con = guest['con']
    con.send('echo S-$((1 + 1))A; sleep 2; echo S-$((1 + 2))B')
    _, t0 = con.expect('S-2A', 60)
    _, t1 = con.expect('S-3B', 60)
    assert 1.8 <= t1 - t0 <= 2.2, t1 - t0


def guest_date(con):
    """The guest's `date +%s` and the host time window it was read in."""
    con.send('echo D$((1 + 1))-$(date +%s)-E$((1 + 1))')
    before = time.time()
    con.expect('D2-', 60)
    out, _ = con.expect('-E2', 60)
    return int(out), before, time.time()


def test_date_follows_the_host_clock(guest):
    con = guest['con']
    g0, b0, h0 = guest_date(con)
    time.sleep(5)
    g1, b1, h1 = guest_date(con)
    # the guest clock advances with the host's (whole seconds: +-1 each)
    assert (b1 - h0) - 2 <= g1 - g0 <= (h1 - b0) + 2, (g0, g1, h0, b1)
    # and starts from the RTC, which follows the host's UTC clock
    assert b0 - 5 <= g0 <= h0 + 5, (b0, g0, h0)


def jit_counters(qmp_path):
    """HMP `info jit` over QMP: (first line, {counter: value})."""
    c = QMPClient(qmp_path)
    try:
        text = c.hmp('info jit')
    finally:
        c.close()
    lines = text.splitlines()
    values = {}
    for line in lines[1:]:
        words = line.split()
        if words and words[-1].isdigit():
            values[' '.join(words[:-1])] = int(words[-1])
        elif len(words) > 3 and words[3].isdigit():
            values[' '.join(words[:3])] = int(words[3])
    return lines[0], values


def test_hot_blocks_run_as_native_code(guest):
    """By default the hot blocks of the booted kernel were compiled, and
    the guest's work above ran through that code."""
    head, c = jit_counters(guest['qmp'])
    assert head.startswith('Interpreter, hot blocks compiled')
    assert c['blocks compiled to native'] > 1000
    assert c['native code bytes in use'] > 0
    assert c['guest instructions retired'] > 10 ** 9


def test_native_code_can_be_switched_off(tmp_path):
    """-accel tcg,x-native=off: the interpreter alone runs the guest (the
    reference semantics the native code is checked against)."""
    qmp = str(tmp_path / 'qmp.sock')
    proc = subprocess.Popen(
        [TANDEM, '-accel', 'tcg,x-native=off', '-m', '512', '-nographic',
         '-kernel', os.path.join(GUEST_DIR, 'bzImage'),
         '-initrd', os.path.join(GUEST_DIR, 'initrd.img'),
         '-append', 'console=ttyS0', '-serial', 'none',
         '-qmp', 'unix:%s,server=on,wait=off' % qmp],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        time.sleep(3)
        head, c = jit_counters(qmp)
        assert head == 'Interpreter (native code off)'
        assert c['blocks compiled to native'] == 0
        assert c['guest instructions retired'] > 10 ** 6
    finally:
        proc.kill()
        proc.wait()
    bad = subprocess.run([TANDEM, '-accel', 'tcg,x-native=maybe'],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 1
    assert "Parameter 'x-native' expects 'on' or 'off'" in bad.stderr


def test_poweroff_exits_zero(guest):
    guest['con'].send('poweroff -f')
    assert guest['proc'].wait(timeout=120) == 0


# --- guest-triggered CPU errors -----------------------------------------

FAULTS_S = r'''
/*
 * IDT with #UD and #GP handlers; each faulting instruction records where
 * to resume, the handler checks the faulting RIP, counts, and resumes.
 * Prints "UD n GP m" and "UNEXPECTED" for any other vector, then leaves
 * through isa-debug-exit with 0x10 (exit status 33).
 */
    .code64
    .text
    .globl _start
_start:
    lea     stack_top(%rip), %rsp
    lea     idt(%rip), %rdi
    mov     $32, %ecx
    lea     unexpected(%rip), %rax
1:  call    set_gate
    add     $16, %rdi
    dec     %ecx
    jnz     1b
    lea     idt + 6 * 16(%rip), %rdi
    lea     ud_handler(%rip), %rax
    call    set_gate
    lea     idt + 13 * 16(%rip), %rdi
    lea     gp_handler(%rip), %rax
    call    set_gate
    lidt    idtr(%rip)

#define EXPECT(label) lea label(%rip), %rax; mov %rax, fault_rip(%rip); \
                      lea 9f(%rip), %rax; mov %rax, resume(%rip)
    EXPECT(u1)
u1: ud2
9:  EXPECT(u2)
u2: .byte 0xc5, 0xf4, 0x58, 0xd0        /* vaddps %ymm0,%ymm1,%ymm2 */
9:  EXPECT(u3)
u3: .byte 0x66, 0x0f, 0x38, 0xdc, 0xc1  /* aesenc %xmm1,%xmm0 */
9:  EXPECT(u4)
u4: .byte 0xf0, 0x01, 0xc3              /* lock add %eax,%ebx */
9:  EXPECT(u5)
u5: .byte 0x06                          /* push %es: invalid in 64-bit */
9:  EXPECT(u6)
u6: .byte 0x0f, 0x01, 0xc1              /* vmcall without VMX */
9:  EXPECT(g1)
    mov     $0x12345678, %ecx
g1: rdmsr
9:  EXPECT(g2)
    mov     $0xc0dedbad, %ecx
g2: wrmsr
9:  EXPECT(g3)
    movabs  $0x8000000000000000, %rbx
g3: mov     (%rbx), %rax                /* non-canonical address */
9:
    lea     msg_ud(%rip), %rsi
    call    puts
    mov     ud_count(%rip), %al
    call    putdigit
    lea     msg_gp(%rip), %rsi
    call    puts
    mov     gp_count(%rip), %al
    call    putdigit
    mov     $'\n', %al
    call    putc
    mov     $0xf4, %dx
    mov     $0x10, %eax
    outl    %eax, %dx
2:  hlt
    jmp     2b

/* gate at %rdi for handler %rax */
set_gate:
    mov     %ax, (%rdi)
    mov     %cs, %dx
    mov     %dx, 2(%rdi)
    movw    $0x8e00, 4(%rdi)
    mov     %rax, %rdx
    shr     $16, %rdx
    mov     %dx, 6(%rdi)
    shr     $16, %rdx
    mov     %edx, 8(%rdi)
    movl    $0, 12(%rdi)
    ret

ud_handler:
    mov     (%rsp), %rax
    cmp     fault_rip(%rip), %rax
    jne     unexpected
    incb    ud_count(%rip)
    mov     resume(%rip), %rax
    mov     %rax, (%rsp)
    iretq

gp_handler:
    mov     8(%rsp), %rax
    cmp     fault_rip(%rip), %rax
    jne     unexpected
    cmpq    $0, (%rsp)
    jne     unexpected
    incb    gp_count(%rip)
    mov     resume(%rip), %rax
    mov     %rax, 8(%rsp)
    add     $8, %rsp
    iretq

unexpected:
    lea     msg_bad(%rip), %rsi
    call    puts
    mov     $0xf4, %dx
    mov     $0x11, %eax
    outl    %eax, %dx
3:  hlt
    jmp     3b

putdigit:
    add     $'0', %al
putc:
    mov     $0x3f8, %dx
    outb    %al, %dx
    ret
puts:
    lodsb
    test    %al, %al
    jz      4f
    call    putc
    jmp     puts
4:  ret

msg_ud:  .asciz "UD "
msg_gp:  .asciz " GP "
msg_bad: .asciz "UNEXPECTED\n"
    .balign 16
idtr:
    .word   32 * 16 - 1
    .quad   idt
    .balign 4096
idt:       .fill 32 * 16, 1, 0
fault_rip: .quad 0
resume:    .quad 0
ud_count:  .byte 0
gp_count:  .byte 0
    .balign 16
    .fill 4096, 1, 0
stack_top:
'''


def test_guest_cpu_errors_never_stop_the_vmm(tmp_path):
    require_binary('gcc')
    require_binary('ld')
    src = tmp_path / 'faults.S'
    src.write_text(FAULTS_S)
    obj, elf = str(tmp_path / 'faults.o'), str(tmp_path / 'faults.elf')
    subprocess.run(['gcc', '-c', str(src), '-o', obj], check=True)
    subprocess.run(['ld', '-z', 'noseparate-code', '-Ttext=0x200000',
                    '-e', '_start', '-o', elf, obj], check=True)
    r = run_tandem(['-display', 'none', '-nodefaults', '-serial', 'stdio',
                    '-kernel', elf,
                    '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'])
    assert r.stdout == 'UD 6 GP 3\n', r.stderr
    assert r.returncode == 33
