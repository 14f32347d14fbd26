/*
 * System-level checks in the interpreter: exceptions through the IDT with
 * error codes and CR2, page-table permissions (not-present, read-only,
 * NX, A/D bits, INVLPG), self-modifying code through a second virtual
 * alias, TSS/IRETQ to CPL3, SYSCALL/SYSRET, DPL-3 software interrupts,
 * privileged instructions faulting in user mode, SWAPGS and CPUID.
 * Exit code 0 = all passed, otherwise the number of the failed check.
 */
    .code64
    .text
    .globl _start

#define KCS 0x10
#define KDS 0x18
#define UDS 0x2b
#define UCS 0x33
#define TSS 0x600
#define PD1 0xc000          /* harness PD for 1-2 GiB */
#define ALIAS 0x40000000

.macro CHECK n, cond
    mov $\n, %edi
    j\cond fail
.endm

_start:
    /* IDT */
    xor %ecx, %ecx
1:  lea stubs(%rip), %rax
    mov (%rax,%rcx,8), %rax
    lea idt(%rip), %rdx
    mov %rcx, %rbx
    shl $4, %rbx
    add %rbx, %rdx
    mov %ax, (%rdx)
    movw $KCS, 2(%rdx)
    movw $0x8e00, 4(%rdx)
    shr $16, %rax
    mov %ax, 6(%rdx)
    shr $16, %rax
    mov %eax, 8(%rdx)
    movl $0, 12(%rdx)
    inc %ecx
    cmp $0x82, %ecx
    jb 1b
    /* vectors 0x80 and 0x81 callable from user mode */
    lea idt(%rip), %rdx
    movw $0xee00, 0x80 * 16 + 4(%rdx)
    movw $0xee00, 0x81 * 16 + 4(%rdx)
    lidt idtr(%rip)
    lea idt(%rip), %rax
    mov %rax, idtr_base(%rip)
    lidt idtr(%rip)

    /* 1: #DE */
    lea 1f(%rip), %rax
    mov %rax, recover(%rip)
    xor %ecx, %ecx
    div %ecx
1:  cmpq $0, last_vec(%rip)
    CHECK 1, ne

    /* 2: #UD */
    lea 1f(%rip), %rax
    mov %rax, recover(%rip)
    ud2
1:  cmpq $6, last_vec(%rip)
    CHECK 2, ne

    /* 3: int3 returns after itself */
    movq $0, recover(%rip)
    int3
    cmpq $3, last_vec(%rip)
    CHECK 3, ne

    /* 4: #GP with the selector as error code */
    lea 1f(%rip), %rax
    mov %rax, recover(%rip)
    mov $0x1234, %ax
    mov %ax, %ds
1:  cmpq $13, last_vec(%rip)
    CHECK 4, ne
    cmpq $0x1234, last_err(%rip)
    CHECK 4, ne

    /* paging: PD1[0] -> our page table, which maps ALIAS pages */
    lea ptab(%rip), %rax
    or $7, %rax
    mov %rax, PD1
    mov %cr3, %rax
    mov %rax, %cr3

    /* 5: not present read */
    lea 1f(%rip), %rax
    mov %rax, recover(%rip)
    mov ALIAS, %rax
1:  cmpq $14, last_vec(%rip)
    CHECK 5, ne
    cmpq $0, last_err(%rip)
    CHECK 5, ne
    mov %cr2, %rax
    cmp $ALIAS, %rax
    CHECK 5, ne

    /* 6: write to a read-only page (WP=1): error P|W */
    lea data_page(%rip), %rax
    or $1, %rax
    mov %rax, ptab(%rip)
    invlpg ALIAS
    mov ALIAS, %rax             /* read works */
    lea 1f(%rip), %rax
    mov %rax, recover(%rip)
    movq $5, ALIAS + 8
1:  cmpq $14, last_vec(%rip)
    CHECK 6, ne
    cmpq $3, last_err(%rip)
    CHECK 6, ne

    /* 7: A and D bits */
    lea data_page(%rip), %rax
    or $3, %rax
    mov %rax, ptab(%rip)
    invlpg ALIAS
    movq $7, ALIAS + 16
    mov ptab(%rip), %rax
    and $0x60, %eax
    cmp $0x60, %eax
    CHECK 7, ne
    cmpq $7, data_page + 16(%rip)
    CHECK 7, ne

    /* 8: NX fetch: error P|I */
    lea smc_page(%rip), %rax
    or $3, %rax
    bts $63, %rax
    mov %rax, ptab + 8(%rip)
    invlpg ALIAS + 0x1000
    lea 1f(%rip), %rax
    mov %rax, recover(%rip)
    mov $ALIAS + 0x1000, %rax
    call *%rax
1:  cmpq $14, last_vec(%rip)
    CHECK 8, ne
    cmpq $0x11, last_err(%rip)
    CHECK 8, ne

    /* 9: self-modifying code through the alias */
    lea smc_page(%rip), %rax
    or $3, %rax
    mov %rax, ptab + 8(%rip)
    invlpg ALIAS + 0x1000
    call smc_page
    cmp $1, %eax
    CHECK 9, ne
    movl $2, ALIAS + 0x1000 + 1     /* patch the immediate */
    call smc_page
    cmp $2, %eax
    CHECK 9, ne

    /* 10: cpuid vendor */
    xor %eax, %eax
    cpuid
    cmp $0x68747541, %ebx           /* "Auth" */
    CHECK 10, ne

    /* 11: swapgs */
    mov $0xc0000102, %ecx
    mov $0x1234, %eax
    xor %edx, %edx
    wrmsr
    swapgs
    mov $0xc0000101, %ecx
    rdmsr
    cmp $0x1234, %eax
    CHECK 11, ne
    swapgs

    /* user mode: TSS.rsp0, STAR/LSTAR/FMASK, iretq to CPL3 */
    mov $0x40, %ax
    ltr %ax
    lea kstack_top(%rip), %rax
    mov %rax, TSS + 4
    mov $0xc0000081, %ecx
    xor %eax, %eax
    mov $(0x23 << 16) | KCS, %edx
    wrmsr
    mov $0xc0000082, %ecx
    lea syscall_entry(%rip), %rax
    mov %rax, %rdx
    shr $32, %rdx
    wrmsr
    mov $0xc0000084, %ecx
    mov $0x200, %eax            /* clear IF on entry */
    xor %edx, %edx
    wrmsr
    movq $0, recover(%rip)
    lea ustack_top(%rip), %rax
    push $UDS
    push %rax
    push $0x202
    push $UCS
    lea user_entry(%rip), %rax
    push %rax
    iretq

    /* back in kernel mode through int $0x81 */
finish:
    cmpq $3, user_checks(%rip)
    CHECK 12, ne
    xor %edi, %edi
fail:
    mov %edi, %eax
    out %eax, $0xf4
    hlt
    jmp fail

user_entry:
    mov %cs, %eax
    cmp $UCS, %eax
    jne ufail
    mov $42, %eax
    syscall
    cmp $43, %eax               /* the kernel added one */
    jne ufail
    incq user_checks(%rip)
    int $0x80
    cmpq $0x80, last_vec(%rip)
    jne ufail
    incq user_checks(%rip)
    /* privileged instructions fault: hlt -> #GP(0) */
    lea 1f(%rip), %rax
    mov %rax, recover(%rip)
    hlt
1:  cmpq $13, last_vec(%rip)
    jne ufail
    incq user_checks(%rip)
ufail:
    int $0x81

syscall_entry:
    mov %cs, %edx
    cmp $KCS, %edx
    jne 1f
    inc %eax
1:  sysretq

/* common exception path: record vector / error / CPL, maybe redirect */
common:
    push %rax
    mov 8(%rsp), %rax
    mov %rax, last_vec(%rip)
    mov 16(%rsp), %rax
    mov %rax, last_err(%rip)
    cmpq $0x81, last_vec(%rip)
    je 2f
    mov recover(%rip), %rax
    test %rax, %rax
    jz 1f
    mov %rax, 24(%rsp)          /* saved RIP */
    movq $0, recover(%rip)
1:  pop %rax
    add $16, %rsp
    iretq
2:  /* int $0x81: continue at finish in kernel mode */
    lea kstack_top(%rip), %rsp
    jmp finish

.macro STUB v, err=0
stub_\v:
    .if \err == 0
    push $0
    .endif
    push $\v
    jmp common
.endm
    STUB 0
    STUB 1
    STUB 2
    STUB 3
    STUB 4
    STUB 5
    STUB 6
    STUB 7
    STUB 8, 1
    STUB 9
    STUB 10, 1
    STUB 11, 1
    STUB 12, 1
    STUB 13, 1
    STUB 14, 1
    STUB 15
    STUB 16
    STUB 17, 1
    STUB 18
    STUB 19
    STUB 0x80
    STUB 0x81

    .balign 8
stubs:
    .quad stub_0, stub_1, stub_2, stub_3, stub_4, stub_5, stub_6, stub_7
    .quad stub_8, stub_9, stub_10, stub_11, stub_12, stub_13, stub_14
    .quad stub_15, stub_16, stub_17, stub_18, stub_19
    .rept 0x80 - 20
    .quad stub_15
    .endr
    .quad stub_0x80, stub_0x81

idtr:
    .word 0x82 * 16 - 1
idtr_base:
    .quad 0
last_vec:   .quad -1
last_err:   .quad -1
recover:    .quad 0
user_checks: .quad 0

    .balign 4096
smc_page:
    mov $1, %eax
    ret
    .balign 4096
data_page:
    .fill 4096, 1, 0
ptab:
    .fill 4096, 1, 0
idt:
    .fill 0x82 * 16, 1, 0
    .balign 16
    .fill 4096, 1, 0
kstack_top:
    .fill 4096, 1, 0
ustack_top:
