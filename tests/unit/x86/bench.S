/*
 * Compute loop for bench/cpu: an mpihelp_submul_1-like multiply-
 * accumulate over a 64-limb vector plus a sha256-like rotate/xor/add
 * round, repeated ITER times.  Exits with code 0 through port 0xF4.
 */
    .code64
    .text
    .globl _start
#define ITER 40000
_start:
    mov $ITER, %r15d
outer:
    /* submul_1: res[i] -= s1[i] * limb, with borrow propagation */
    lea res(%rip), %rdi
    lea s1(%rip), %rsi
    mov $64, %ecx
    mov $0x9e3779b97f4a7c15, %r8
    xor %r9d, %r9d              /* carry limb */
1:  mov (%rsi), %rax
    mul %r8
    add %r9, %rax
    adc $0, %rdx
    mov (%rdi), %r10
    sub %rax, %r10
    adc $0, %rdx
    mov %r10, (%rdi)
    mov %rdx, %r9
    add $8, %rsi
    add $8, %rdi
    dec %ecx
    jnz 1b
    /* sha256-ish round on eax..edx */
    mov $16, %ecx
    mov $0x6a09e667, %eax
    mov $0xbb67ae85, %ebx
    mov $0x3c6ef372, %edx
2:  mov %eax, %r10d
    ror $2, %r10d
    mov %eax, %r11d
    ror $13, %r11d
    xor %r11d, %r10d
    mov %eax, %r11d
    ror $22, %r11d
    xor %r11d, %r10d
    mov %eax, %r11d
    and %ebx, %r11d
    add %r11d, %r10d
    add %edx, %r10d
    mov %ebx, %edx
    mov %eax, %ebx
    mov %r10d, %eax
    dec %ecx
    jnz 2b
    dec %r15d
    jnz outer
    xor %eax, %eax
    out %eax, $0xf4
    hlt

    .balign 4096            /* data apart from code, as compilers do */
s1:
    .rept 64
    .quad 0x0123456789abcdef
    .endr
res:
    .fill 512, 1, 0x5a
