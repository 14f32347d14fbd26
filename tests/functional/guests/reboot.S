/*
 * Reset paths of the pc machine.  CMOS byte 0x40 (battery-backed, kept
 * across a system reset) counts boots; each boot prints "BOOT n" on
 * COM1 and resets the machine a different way:
 *   boot 1: i8042 command 0xfe      boot 2: 0xcf9 <- 0x06
 *   boot 3: port 0x92 bit 0         boot 4: triple fault (no IDT)
 *   boot 5: isa-debug-exit at 0xf4 with value 0 (exit status 1)
 * Every reset must reload the kernel image and restart it at its entry.
 */
    .code64
    .text
    .globl _start
_start:
    mov     $0x40, %al
    outb    %al, $0x70
    inb     $0x71, %al
    inc     %al
    mov     %al, %bl
    mov     $0x40, %al
    outb    %al, $0x70
    mov     %bl, %al
    outb    %al, $0x71

    mov     $0x3f8, %dx
    lea     msg(%rip), %rsi
1:  lodsb
    test    %al, %al
    jz      2f
    outb    %al, %dx
    jmp     1b
2:  mov     %bl, %al
    add     $'0', %al
    outb    %al, %dx
    mov     $'\n', %al
    outb    %al, %dx

    cmp     $1, %bl
    je      kbd
    cmp     $2, %bl
    je      cf9
    cmp     $3, %bl
    je      p92
    cmp     $4, %bl
    je      triple
    mov     $0xf4, %dx
    xor     %eax, %eax
    outl    %eax, %dx
    jmp     hang
kbd:
    mov     $0xfe, %al
    outb    %al, $0x64
    jmp     hang
cf9:
    mov     $0xcf9, %dx
    mov     $0x06, %al
    outb    %al, %dx
    jmp     hang
p92:
    inb     $0x92, %al
    or      $1, %al
    outb    %al, $0x92
    jmp     hang
triple:
    ud2
hang:
    hlt
    jmp     hang

msg:
    .asciz  "BOOT "
