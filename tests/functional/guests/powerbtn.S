/*
 * ACPI power button (system_powerdown): enables PWRBTN in PM1_EN
 * (0x602), routes the SCI (GSI 9, level, active high) to vector 0x49,
 * prints "READY" and waits.  The SCI handler acknowledges PWRBTN_STS
 * (0x600), prints "PWRBTN" and powers off with S5 through PM1a_CNT.
 */
    .code64
    .text
    .globl _start
_start:
    lea     stack_top(%rip), %rsp
    mov     $0xff, %al
    outb    %al, $0x21
    outb    %al, $0xa1
    /* IDT vector 0x49 */
    lea     sci_handler(%rip), %rax
    lea     idt + 0x49 * 16(%rip), %rdx
    mov     %ax, (%rdx)
    movw    $0x10, 2(%rdx)
    movw    $0x8e00, 4(%rdx)
    shr     $16, %rax
    mov     %ax, 6(%rdx)
    shr     $16, %rax
    mov     %eax, 8(%rdx)
    lidt    idtr(%rip)
    mov     $0xfee00000, %ebx
    movl    $0x1ff, 0xf0(%rbx)          /* LAPIC on */
    mov     $0xfec00000, %ebx
    movl    $0x22, (%rbx)               /* pin 9 low: level, vector 0x49 */
    movl    $0x8049, 0x10(%rbx)
    movl    $0x23, (%rbx)
    movl    $0, 0x10(%rbx)
    mov     $0x602, %dx
    mov     $0x100, %ax
    outw    %ax, %dx
    lea     ready(%rip), %rsi
    call    puts
    sti
1:  hlt
    jmp     1b

sci_handler:
    mov     $0x600, %dx
    inw     %dx, %ax
    outw    %ax, %dx                    /* write 1 to clear */
    mov     $0xfee00000, %ebx
    movl    $0, 0xb0(%rbx)
    lea     pressed(%rip), %rsi
    call    puts
    mov     $0x604, %dx
    mov     $0x3400, %ax
    outw    %ax, %dx
2:  hlt
    jmp     2b

puts:
    mov     $0x3f8, %dx
1:  lodsb
    test    %al, %al
    jz      2f
    outb    %al, %dx
    jmp     1b
2:  ret

ready:
    .asciz  "READY\n"
pressed:
    .asciz  "PWRBTN\n"

    .data
    .balign 16
idtr:
    .word   256 * 16 - 1
    .quad   idt
    .balign 16
idt:
    .fill   256 * 16, 1, 0
    .fill   512, 8, 0
stack_top:
