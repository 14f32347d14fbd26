/*
 * CPU check the Linux boot depends on (sync_core() does
 * "push $label; iretq" with a kernel address): PUSH imm32 (opcode 0x68)
 * sign-extends its immediate to 64 bits.  Prints "PUSH OK" or
 * "PUSH BAD" on COM1, then isa-debug-exit (0xf4) with value 0.
 */
    .code64
    .text
    .globl _start
_start:
    lea     stack_top(%rip), %rsp
    pushq   $-0x7efc414a                /* 68 b6 be 03 81 */
    pop     %rax
    movabs  $0xffffffff8103beb6, %rcx
    lea     ok(%rip), %rsi
    cmp     %rcx, %rax
    je      1f
    lea     bad(%rip), %rsi
1:  mov     $0x3f8, %dx
2:  lodsb
    test    %al, %al
    jz      3f
    outb    %al, %dx
    jmp     2b
3:  mov     $0xf4, %dx
    xor     %eax, %eax
    outl    %eax, %dx
4:  hlt
    jmp     4b

ok:
    .asciz  "PUSH OK\n"
bad:
    .asciz  "PUSH BAD\n"

    .data
    .fill   256, 8, 0
stack_top:
