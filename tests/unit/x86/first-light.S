/*
 * First light: runs in 64-bit kernel mode as the test harness enters it,
 * prints to port 0xE9, exits through port 0xF4 with 0 on success or the
 * number of the failed check.
 */
    .code64
    .text
    .globl _start
_start:
    lea msg(%rip), %rsi
    call puts

    /* 1: sum 1..100 */
    xor %eax, %eax
    mov $100, %ecx
1:  add %ecx, %eax
    loop 1b
    cmp $5050, %eax
    mov $1, %edi
    jne fail

    /* 2: recursive fib(20) = 6765 */
    mov $20, %edi
    call fib
    cmp $6765, %rax
    mov $2, %edi
    jne fail

    /* 3: 64-bit multiply and divide */
    mov $0x123456789, %rax
    mov $0x1000, %rcx
    mul %rcx
    mov $0x1000, %rcx
    div %rcx
    mov $0x123456789, %rbx
    cmp %rbx, %rax
    mov $3, %edi
    jne fail

    /* 4: rep movsb / rep stosq / repne scasb */
    lea msg(%rip), %rsi
    lea buf(%rip), %rdi
    mov $13, %ecx
    cld
    rep movsb
    lea buf(%rip), %rdi
    mov $0, %al
    mov $100, %ecx
    repne scasb
    mov $100 - 12, %edx
    sub %ecx, %edx
    cmp $1, %edx
    mov $4, %edi
    jne fail

    /* 5: flags: adc chain over 128 bits */
    mov $-1, %rax
    mov $0, %rdx
    add $1, %rax
    adc $0, %rdx
    cmp $1, %rdx
    mov $5, %edi
    jne fail
    test %rax, %rax
    jnz fail

    /* 6: setcc / cmov / bsr / bswap */
    mov $5, %eax
    cmp $7, %eax
    setl %bl
    movzbl %bl, %ebx
    mov $0x80, %ecx
    bsr %ecx, %ecx
    add %ecx, %ebx        /* 1 + 7 */
    mov $0x11223344, %eax
    bswap %eax
    cmp $0x44332211, %eax
    cmovne %eax, %ebx
    cmp $8, %ebx
    mov $6, %edi
    jne fail

    /* 7: push imm32 sign-extends (ftrace/retpoline trampolines) */
    push $-0x7f000000              /* imm32 0x81000000 */
    pop %rax
    mov $0xffffffff81000000, %rbx
    cmp %rbx, %rax
    mov $7, %edi
    jne fail

    /* 8: the AMD FPU restore sequence: fnclex; emms; fildl */
    fninit
    fnclex
    emms
    fildl one(%rip)
    fistpl two(%rip)
    cmpl $1, two(%rip)
    mov $8, %edi
    jne fail

    lea okmsg(%rip), %rsi
    call puts
    xor %edi, %edi
fail:
    mov %edi, %eax
    out %eax, $0xf4
    hlt
    jmp fail

fib:
    cmp $2, %rdi
    jae 1f
    mov %rdi, %rax
    ret
1:  push %rdi
    dec %rdi
    call fib
    pop %rdi
    push %rax
    sub $2, %rdi
    call fib
    pop %rcx
    add %rcx, %rax
    ret

puts:
    lodsb
    test %al, %al
    jz 1f
    out %al, $0xe9
    jmp puts
1:  ret

one:    .long 1
two:    .long 0
msg:    .asciz "first light\n"
okmsg:  .asciz "ok\n"
    .balign 16
buf:    .fill 128, 1, 0xff
