/*
 * Dirty-tracking race test for the vCPU thread: forever fill the page at
 * 0x200000 with a counter (rep stosq: one instruction writes the whole
 * page) and store the same counter at 0x201000 (one mov), then count.
 */
    .code64
    .text
    .globl _start
_start:
    xor %eax, %eax
1:  mov $0x200000, %edi
    mov $512, %ecx
    cld
    rep stosq
    mov %rax, 0x201000
    inc %rax
    jmp 1b
