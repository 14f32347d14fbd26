/*
 * Smallest pc guest: entered in 64-bit mode by the direct-boot loader
 * (bare ELF, PT_LOAD at 2 MiB), prints "HELLO" on COM1 and ends the VM
 * through isa-debug-exit,iobase=0xf4 with value 0x10 (exit status 33).
 */
    .code64
    .text
    .globl _start
_start:
    lea     msg(%rip), %rsi
    mov     $0x3f8, %dx
1:  lodsb
    test    %al, %al
    jz      2f
    outb    %al, %dx
    jmp     1b
2:  mov     $0xf4, %dx
    mov     $0x10, %eax
    outl    %eax, %dx
3:  hlt
    jmp     3b

msg:
    .asciz  "HELLO\n"
