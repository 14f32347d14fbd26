/*
 * Interrupt test guest for the pc machine.  Entered in 64-bit mode with
 * interrupts off and no IDT:
 *   1. masks the 8259s, installs IDT vectors 0x40 (LAPIC timer) and 0x41
 *      (PIT through IOAPIC pin 2)
 *   2. LAPIC one-shot timer, 1 ms: waits in hlt for vector 0x40
 *   3. PIT channel 0, mode 2, ~1 ms, routed to vector 0x41: waits for 3
 *      ticks
 *   4. prints "LAPIC OK" and "PIT OK" on COM1 and powers off through the
 *      ACPI PM1a control register (SLP_TYP = 5, SLP_EN) at 0x604
 */
    .code64
    .text
    .globl _start
_start:
    lea     stack_top(%rip), %rsp
    mov     $0xff, %al                  /* mask both 8259s */
    outb    %al, $0x21
    outb    %al, $0xa1

    mov     $0x40, %edi
    lea     lapic_handler(%rip), %rax
    call    set_gate
    mov     $0x41, %edi
    lea     pit_handler(%rip), %rax
    call    set_gate
    lidt    idtr(%rip)

    /* LAPIC: enable, divide by 1, one-shot vector 0x40, 1 ms */
    mov     $0xfee00000, %ebx
    movl    $0x1ff, 0xf0(%rbx)
    movl    $0xb, 0x3e0(%rbx)
    movl    $0x40, 0x320(%rbx)
    movl    $1000000, 0x380(%rbx)
    sti
1:  hlt
    cmpl    $0, lapic_ticks(%rip)
    je      1b
    cli
    lea     lapic_ok(%rip), %rsi
    call    puts

    /* IOAPIC pin 2 -> vector 0x41, edge, fixed, APIC 0 */
    mov     $0xfec00000, %ebx
    movl    $0x14, (%rbx)
    movl    $0x41, 0x10(%rbx)
    movl    $0x15, (%rbx)
    movl    $0, 0x10(%rbx)
    /* PIT channel 0: lobyte/hibyte, mode 2, 1193 (~1 ms) */
    mov     $0x34, %al
    outb    %al, $0x43
    mov     $0xa9, %al
    outb    %al, $0x40
    mov     $0x04, %al
    outb    %al, $0x40
    sti
2:  hlt
    cmpl    $3, pit_ticks(%rip)
    jb      2b
    cli
    lea     pit_ok(%rip), %rsi
    call    puts

    /* ACPI S5 */
    mov     $0x604, %dx
    mov     $0x3400, %ax
    outw    %ax, %dx
3:  hlt
    jmp     3b

/* set_gate: IDT entry %edi -> handler %rax (CS 0x10, interrupt gate) */
set_gate:
    lea     idt(%rip), %rdx
    shl     $4, %rdi
    add     %rdi, %rdx
    mov     %ax, (%rdx)
    movw    $0x10, 2(%rdx)
    movw    $0x8e00, 4(%rdx)
    shr     $16, %rax
    mov     %ax, 6(%rdx)
    shr     $16, %rax
    mov     %eax, 8(%rdx)
    movl    $0, 12(%rdx)
    ret

/* puts: NUL-terminated string at %rsi to COM1 */
puts:
    mov     $0x3f8, %dx
1:  lodsb
    test    %al, %al
    jz      2f
    outb    %al, %dx
    jmp     1b
2:  ret

lapic_handler:
    push    %rbx
    incl    lapic_ticks(%rip)
    mov     $0xfee00000, %ebx
    movl    $0, 0xb0(%rbx)              /* EOI */
    pop     %rbx
    iretq

pit_handler:
    push    %rbx
    incl    pit_ticks(%rip)
    mov     $0xfee00000, %ebx
    movl    $0, 0xb0(%rbx)
    pop     %rbx
    iretq

lapic_ok:
    .asciz  "LAPIC OK\n"
pit_ok:
    .asciz  "PIT OK\n"

    .data
    .balign 16
idtr:
    .word   256 * 16 - 1
    .quad   idt
lapic_ticks:
    .long   0
pit_ticks:
    .long   0
    .balign 16
idt:
    .fill   256 * 16, 1, 0
    .balign 16
stack:
    .fill   4096, 1, 0
stack_top:
