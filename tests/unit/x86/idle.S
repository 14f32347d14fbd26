/*
 * Idle loop for the vCPU thread test: vector 0x20 prints 'i' on port
 * 0xE9; the main loop is sti; hlt.  A write of 'q' to port 0xE9 by the
 * handler after 3 interrupts exits through port 0xF4.
 */
    .code64
    .text
    .globl _start
_start:
    lea handler(%rip), %rax
    lea idt + 0x20 * 16(%rip), %rdx
    mov %ax, (%rdx)
    movw $0x10, 2(%rdx)
    movw $0x8e00, 4(%rdx)
    shr $16, %rax
    mov %ax, 6(%rdx)
    shr $16, %rax
    mov %eax, 8(%rdx)
    lea idt(%rip), %rax
    mov %rax, idtr + 2(%rip)
    lidt idtr(%rip)
1:  sti
    hlt
    jmp 1b

handler:
    push %rax
    mov $'i', %al
    out %al, $0xe9
    pop %rax
    iretq

    .balign 16
idtr:
    .word 0x21 * 16 - 1
    .quad 0
    .balign 16
idt:
    .fill 0x21 * 16, 1, 0
