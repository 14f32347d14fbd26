/*
 * The decoded-block fast path (target/i386/fastpath.c.inc): conditions
 * read straight after the common flag producers (checked against the
 * host CPU), FS/GS overrides, 66-prefixed forms, code that patches its
 * own block, the instruction budget inside a block, and chain links
 * between blocks (dropped when the target's code is written, by the
 * guest or by DMA).
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "x86/harness.h"

#define CODE 0x200000
#define DATA 0x300000

static X86TestMachine m;

/* Run the guest code at CODE (ends with hlt); returns the exit. */
static X86ExecExit run_code(const uint8_t *code, size_t len)
{
    memcpy(m.host + CODE, code, len);
    x86_cpu_code_flush(m.env);
    m.env->rip = CODE;
    m.env->halted = false;
    return xt_run(&m, 1000);
}

/*
 * op(rcx, rdx) at operand size @ot followed by setcc al, in the
 * interpreter and natively, for @a and @b.
 */
static void check_cond(void *native, uint8_t opc, int ot, int cond,
                       uint64_t a, uint64_t b)
{
    uint8_t code[32];
    size_t n = 0;
    uint64_t want;
    uint64_t (*fn)(uint64_t, uint64_t) = native;

    /* mov %rdi,%rcx; mov %rsi,%rdx; xor %eax,%eax */
    code[n++] = 0x48, code[n++] = 0x89, code[n++] = 0xf9;
    code[n++] = 0x48, code[n++] = 0x89, code[n++] = 0xf2;
    code[n++] = 0x31, code[n++] = 0xc0;
    if (ot == 1) {
        code[n++] = 0x66;
    } else if (ot == 3) {
        code[n++] = 0x48;
    }
    code[n++] = ot == 0 ? opc & ~1 : opc;   /* op r/m, r: rcx op= rdx */
    code[n++] = 0xd1;
    code[n++] = 0x0f, code[n++] = 0x90 + cond, code[n++] = 0xc0;
    code[n] = 0xc3;
    memcpy(native, code, n + 1);
    want = fn(a, b);

    code[n++] = 0xf4;
    m.env->regs[R_EDI] = a;
    m.env->regs[R_ESI] = b;
    m.env->regs[R_EAX] = 0x1234;
    g_assert_cmpint(run_code(code, n), ==, X86_EXIT_HALTED);
    if (m.env->regs[R_EAX] != want) {
        g_test_message("op %02x ot %d cond %x a %" PRIx64 " b %" PRIx64,
                       opc, ot, cond, a, b);
    }
    g_assert_cmphex(m.env->regs[R_EAX], ==, want);
}

static void test_cond_after_flags(void)
{
    /* cmp, sub, test, and, or, xor, add (op E, G forms) */
    static const uint8_t ops[] = { 0x39, 0x29, 0x85, 0x21, 0x09, 0x31,
                                   0x01 };
    static const uint64_t vals[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
        0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
        0x8000000000000000ULL, ~0ULL, 0x123456789abcdef0ULL,
    };
    void *native = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t misses = m.env->fast_misses;
    unsigned i, j, k, ot, cond;

    g_assert(native != MAP_FAILED);
    for (i = 0; i < G_N_ELEMENTS(ops); i++) {
        for (ot = 0; ot < 4; ot++) {
            for (cond = 0; cond < 16; cond++) {
                for (j = 0; j < G_N_ELEMENTS(vals); j++) {
                    for (k = 0; k < G_N_ELEMENTS(vals); k += 3) {
                        check_cond(native, ops[i], ot, cond, vals[j],
                                   vals[(j + k) % G_N_ELEMENTS(vals)]);
                    }
                }
            }
        }
    }
    munmap(native, 4096);
    /* the sequences ran from decoded blocks */
    g_assert_cmpuint(m.env->fast_misses, >, misses);
}

/*
 * cmp sets CF, then inc/dec (@modrm c1 or c9) at size @ot keeps it and
 * sets the rest; setcc @cond reads the mix.  Interpreter vs host.
 */
static void check_incdec_cond(void *native, uint8_t modrm, int ot, int cond,
                              uint64_t a, uint64_t b)
{
    uint8_t code[32];
    size_t n = 0;
    uint64_t want;
    uint64_t (*fn)(uint64_t, uint64_t) = native;

    /* mov %rdi,%rcx; mov %rsi,%rdx; xor %eax,%eax; cmp %rdx,%rcx */
    code[n++] = 0x48, code[n++] = 0x89, code[n++] = 0xf9;
    code[n++] = 0x48, code[n++] = 0x89, code[n++] = 0xf2;
    code[n++] = 0x31, code[n++] = 0xc0;
    code[n++] = 0x48, code[n++] = 0x39, code[n++] = 0xd1;
    if (ot == 1) {
        code[n++] = 0x66;
    } else if (ot == 3) {
        code[n++] = 0x48;
    }
    code[n++] = ot == 0 ? 0xfe : 0xff;
    code[n++] = modrm;
    code[n++] = 0x0f, code[n++] = 0x90 + cond, code[n++] = 0xc0;
    code[n] = 0xc3;
    memcpy(native, code, n + 1);
    want = fn(a, b);

    code[n++] = 0xf4;
    m.env->regs[R_EDI] = a;
    m.env->regs[R_ESI] = b;
    m.env->regs[R_EAX] = 0x1234;
    g_assert_cmpint(run_code(code, n), ==, X86_EXIT_HALTED);
    if (m.env->regs[R_EAX] != want) {
        g_test_message("modrm %02x ot %d cond %x a %" PRIx64 " b %" PRIx64,
                       modrm, ot, cond, a, b);
    }
    g_assert_cmphex(m.env->regs[R_EAX], ==, want);
}

static void test_cond_after_incdec(void)
{
    static const uint64_t vals[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
        0x7fffffff, 0x80000000, 0xffffffff, 0x8000000000000000ULL, ~0ULL,
    };
    void *native = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned i, j, ot, cond;

    g_assert(native != MAP_FAILED);
    for (ot = 0; ot < 4; ot++) {
        for (cond = 0; cond < 16; cond++) {
            for (i = 0; i < G_N_ELEMENTS(vals); i++) {
                for (j = 0; j < G_N_ELEMENTS(vals); j += 2) {
                    check_incdec_cond(native, 0xc1, ot, cond, vals[i],
                                      vals[j]);
                    check_incdec_cond(native, 0xc9, ot, cond, vals[i],
                                      vals[j]);
                }
            }
        }
    }
    munmap(native, 4096);
}

static void test_segment_and_66(void)
{
    static const uint8_t code[] = {
        0x65, 0x48, 0x8b, 0x03,             /* mov %gs:(%rbx),%rax */
        0x64, 0x48, 0x8d, 0x0b,             /* lea %fs:(%rbx),%rcx */
        0x64, 0x48, 0x01, 0x13,             /* add %rdx,%fs:(%rbx) */
        0x66, 0x05, 0x01, 0x80,             /* add $0x8001,%ax */
        0x66, 0x89, 0xc6,                   /* mov %ax,%si */
        0x3c, 0x02,                         /* cmp $2,%al */
        0x0f, 0x94, 0xc2,                   /* sete %dl */
        0xf4,
    };
    uint64_t v = 0x1122334455667788ULL, w;

    memcpy(m.host + DATA + 0x100, &v, 8);
    memcpy(m.host + DATA + 0x200, &v, 8);
    m.env->segs[R_GS].base = 0x100;
    m.env->segs[R_FS].base = 0x200;
    m.env->regs[R_EBX] = DATA;
    m.env->regs[R_EDX] = 5;
    m.env->regs[R_ESI] = 0xaaaaaaaaaaaaaaaaULL;
    g_assert_cmpint(run_code(code, sizeof(code)), ==, X86_EXIT_HALTED);
    g_assert_cmphex(m.env->regs[R_EAX], ==, 0x112233445566f789ULL);
    g_assert_cmphex(m.env->regs[R_ECX], ==, DATA);
    memcpy(&w, m.host + DATA + 0x200, 8);
    g_assert_cmphex(w, ==, v + 5);
    g_assert_cmphex(m.env->regs[R_ESI], ==, 0xaaaaaaaaaaaaf789ULL);
    g_assert_cmphex(m.env->regs[R_EDX] & 0xff, ==, 0);
    m.env->segs[R_GS].base = 0;
    m.env->segs[R_FS].base = 0;
}

/*
 * Stack and memory forms that the native code emits inline (and the
 * interpreter runs through f_exec): push [mem], push imm, inc/dec [mem],
 * ALU and TEST on a high byte register, movsxd from memory.
 */
static void test_stack_and_memory_forms(void)
{
    static const uint8_t code[] = {
        0xff, 0x73, 0x08,                   /* push 8(%rbx) */
        0x58,                               /* pop %rax */
        0x6a, 0xfe,                         /* push $-2 */
        0x59,                               /* pop %rcx */
        0xff, 0x03,                         /* incl (%rbx) */
        0xfe, 0x4b, 0x10,                   /* decb 16(%rbx) */
        0x80, 0xc4, 0x05,                   /* add $5,%ah */
        0x48, 0x63, 0x73, 0x14,             /* movslq 20(%rbx),%rsi */
        0xf6, 0xc7, 0x80,                   /* test $0x80,%bh */
        0x0f, 0x94, 0xc2,                   /* sete %dl */
        0xf4,
    };
    uint64_t q = 0x0123456789abcdefULL, w;
    uint32_t d = 0xfffffffe, s = 0x80000001;
    uint8_t b = 0;

    memcpy(m.host + DATA, &d, 4);
    memcpy(m.host + DATA + 8, &q, 8);
    memcpy(m.host + DATA + 16, &b, 1);
    memcpy(m.host + DATA + 20, &s, 4);
    m.env->regs[R_EBX] = DATA;
    m.env->regs[R_ESP] = XT_STACK;
    m.env->regs[R_EAX] = 0;
    m.env->regs[R_EDX] = 0;
    g_assert_cmpint(run_code(code, sizeof(code)), ==, X86_EXIT_HALTED);
    /* rax: popped q, then ah += 5 */
    g_assert_cmphex(m.env->regs[R_EAX], ==, q + 0x500);
    g_assert_cmphex(m.env->regs[R_ECX], ==, (uint64_t)-2);
    g_assert_cmphex(m.env->regs[R_ESP], ==, XT_STACK);
    memcpy(&w, m.host + DATA, 8);
    g_assert_cmphex((uint32_t)w, ==, 0xffffffff);
    g_assert_cmphex(m.host[DATA + 16], ==, 0xff);
    g_assert_cmphex(m.env->regs[R_ESI], ==, 0xffffffff80000001ULL);
    g_assert_cmphex(m.env->regs[R_EDX] & 0xff, ==,
                    !((DATA >> 8) & 0x80));
}

/* ADC/SBB taking the carry of an ADD/SUB earlier in the same block */
static void test_carry_chain(void)
{
    static const uint8_t code[] = {
        0x48, 0x01, 0xf0,                   /* add %rsi,%rax */
        0x48, 0x83, 0xd2, 0x00,             /* adc $0,%rdx */
        0x48, 0x29, 0xf9,                   /* sub %rdi,%rcx */
        0x48, 0x19, 0xdb,                   /* sbb %rbx,%rbx */
        0xf4,
    };
    int carry;

    for (carry = 0; carry < 2; carry++) {
        m.env->regs[R_EAX] = carry ? ~0ULL : 5;
        m.env->regs[R_ESI] = 1;
        m.env->regs[R_EDX] = 7;
        m.env->regs[R_ECX] = 1;
        m.env->regs[R_EDI] = carry ? 2 : 1;
        m.env->regs[R_EBX] = 0x1234;
        g_assert_cmpint(run_code(code, sizeof(code)), ==, X86_EXIT_HALTED);
        g_assert_cmphex(m.env->regs[R_EDX], ==, 7 + carry);
        g_assert_cmphex(m.env->regs[R_EBX], ==, carry ? ~0ULL : 0);
    }
}

static void test_self_patch(void)
{
    /*
     * The second instruction rewrites the immediate of the third, which
     * was decoded in the same block: the new value must be used.
     */
    static const uint8_t code[] = {
        0x48, 0x8d, 0x1d, 0x04, 0x00, 0x00, 0x00,   /* lea 4(%rip),%rbx */
        0xc6, 0x43, 0x01, 0x42,                     /* movb $0x42,1(%rbx) */
        0xb8, 0x11, 0x00, 0x00, 0x00,               /* mov $0x11,%eax */
        0xf4,
    };

    m.env->regs[R_EAX] = 0;
    g_assert_cmpint(run_code(code, sizeof(code)), ==, X86_EXIT_HALTED);
    g_assert_cmphex(m.env->regs[R_EBX], ==, CODE + 11);
    g_assert_cmphex(m.env->regs[R_EAX], ==, 0x42);
}

static void test_budget(void)
{
    static const uint8_t code[] = {
        0x90,                               /* nop (sti below) */
        0xff, 0xc0,                         /* inc %eax */
        0xff, 0xc0,
        0xff, 0xc0,
        0xff, 0xc0,
        0xf4,
    };
    uint64_t start;

    memcpy(m.host + CODE, code, sizeof(code));
    x86_cpu_code_flush(m.env);
    m.env->regs[R_EAX] = 0;
    m.env->rip = CODE + 1;
    m.env->halted = false;
    start = m.env->icount;
    g_assert_cmpint(x86_cpu_exec(m.env, 1), ==, X86_EXIT_BUDGET);
    g_assert_cmpuint(m.env->icount - start, ==, 1);
    g_assert_cmphex(m.env->rip, ==, CODE + 3);
    g_assert_cmpint(x86_cpu_exec(m.env, 2), ==, X86_EXIT_BUDGET);
    g_assert_cmphex(m.env->rip, ==, CODE + 7);
    g_assert_cmphex(m.env->regs[R_EAX], ==, 3);

    /* STI: the one instruction of its shadow runs, not its whole block */
    memcpy(m.host + CODE, "\xfb", 1);
    x86_cpu_code_flush(m.env);
    m.env->regs[R_EAX] = 0;
    m.env->rip = CODE;
    start = m.env->icount;
    g_assert_cmpint(x86_cpu_exec(m.env, 1), ==, X86_EXIT_BUDGET);
    g_assert_cmpuint(m.env->icount - start, ==, 2);
    g_assert_cmphex(m.env->rip, ==, CODE + 3);
    g_assert_cmphex(m.env->regs[R_EAX], ==, 1);
    x86_cpu_set_eflags(m.env, x86_cpu_get_eflags(m.env) & ~IF_MASK);
}

/*
 * A flag producer followed by Jcc (fused into one handler when both are
 * 32/64-bit register, immediate or memory compares, tests or dec):
 *   mov %rdi,%rcx; mov %rsi,%rdx; mov %rsi,(%r8); xor %eax,%eax;
 *   <op>; j<cond> +2; inc %eax; ret/hlt
 * natively and in the interpreter, %r8 pointing at a scratch quadword.
 */
typedef struct FusedForm {
    const char *name;
    uint8_t bytes[8];       /* after the operand-size prefix */
    uint8_t len;
    bool imm8;              /* ends with an imm8 taken from b */
    bool byte;              /* 8-bit form: run without size prefixes */
    bool r8;                /* ModRM base is %r8 (REX.B) */
} FusedForm;

static const FusedForm fused_forms[] = {
    { "cmp %rdx,%rcx", { 0x39, 0xd1 }, 2 },
    { "cmp $ib,%rcx", { 0x83, 0xf9 }, 2, true },
    { "test %rdx,%rcx", { 0x85, 0xd1 }, 2 },
    { "test $-1,%rcx", { 0xf7, 0xc1, 0xff, 0xff, 0xff, 0xff }, 6 },
    { "cmp (%r8),%rcx", { 0x3b, 0x08 }, 2, false, false, true },
    { "cmp %rcx,(%r8)", { 0x39, 0x08 }, 2, false, false, true },
    { "cmp $ib,(%r8)", { 0x83, 0x38 }, 2, true, false, true },
    { "dec %ecx", { 0xff, 0xc9 }, 2 },
    { "sub %rdx,%rcx", { 0x29, 0xd1 }, 2 },
    { "and $ib,%rcx", { 0x83, 0xe1 }, 2, true },
    { "test %dl,%cl", { 0x84, 0xd1 }, 2, false, true },
    { "cmp $ib,%cl", { 0x80, 0xf9 }, 2, true, true },
    { "cmp $ib,%al", { 0x3c }, 1, true, true },
    { "test $ib,(%r8)", { 0xf6, 0x00 }, 2, true, true, true },
    { "cmp (%r8),%cl", { 0x3a, 0x08 }, 2, false, true, true },
};

static void check_fused(void *native, const FusedForm *ff, int ot, int cond,
                        uint64_t a, uint64_t b, uint64_t *scratch)
{
    uint8_t code[48];
    size_t n = 0;
    uint64_t want;
    uint64_t (*fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) =
        native;
    bool r8 = ff->r8;

    code[n++] = 0x48, code[n++] = 0x89, code[n++] = 0xf9;
    code[n++] = 0x48, code[n++] = 0x89, code[n++] = 0xf2;
    code[n++] = 0x49, code[n++] = 0x89, code[n++] = 0x30;
    code[n++] = 0x31, code[n++] = 0xc0;
    if (ot == 1) {
        code[n++] = 0x66;
    }
    if (ot == 3 || r8) {
        code[n++] = 0x40 | (ot == 3 ? 8 : 0) | (r8 ? 1 : 0);
    }
    memcpy(code + n, ff->bytes, ff->len);
    n += ff->len;
    if (ot == 1 && ff->len == 6) {
        n -= 2;             /* imm32 -> imm16 */
    }
    if (ff->imm8) {
        code[n++] = (uint8_t)b;
    }
    code[n++] = 0x70 + cond, code[n++] = 0x02;
    code[n++] = 0xff, code[n++] = 0xc0;
    code[n] = 0xc3;
    memcpy(native, code, n + 1);
    want = fn(a, b, 0, 0, (uintptr_t)scratch);

    code[n++] = 0xf4;
    m.env->regs[R_EDI] = a;
    m.env->regs[R_ESI] = b;
    m.env->regs[R_R8] = DATA;
    m.env->regs[R_EAX] = 0x1234;
    g_assert_cmpint(run_code(code, n), ==, X86_EXIT_HALTED);
    if (m.env->regs[R_EAX] != want) {
        g_test_message("%s ot %d cond %x a %" PRIx64 " b %" PRIx64,
                       ff->name, ot, cond, a, b);
    }
    g_assert_cmphex(m.env->regs[R_EAX], ==, want);
}

static void test_fused_jcc(void)
{
    static const uint64_t vals[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
        0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
        0x8000000000000000ULL, ~0ULL, 0x123456789abcdef0ULL,
    };
    void *native = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint64_t *scratch = g_new0(uint64_t, 1);
    unsigned i, j, k, ot, cond;

    g_assert(native != MAP_FAILED);
    for (i = 0; i < G_N_ELEMENTS(fused_forms); i++) {
        for (ot = fused_forms[i].byte ? 0 : 1;
             ot < (fused_forms[i].byte ? 1 : 4); ot++) {
            for (cond = 0; cond < 16; cond++) {
                for (j = 0; j < G_N_ELEMENTS(vals); j++) {
                    for (k = 0; k < G_N_ELEMENTS(vals); k += 3) {
                        check_fused(native, &fused_forms[i], ot, cond,
                                    vals[j],
                                    vals[(j + k) % G_N_ELEMENTS(vals)],
                                    scratch);
                    }
                }
            }
        }
    }
    munmap(native, 4096);
    g_free(scratch);
}

/*
 * The budget ends between a fused producer and its Jcc: only the
 * producer runs and counts, the Jcc runs in the next slice.
 */
static void test_fused_budget_cut(void)
{
    static const uint8_t code[] = {
        0x48, 0x39, 0xd1,                   /* 0: cmp %rdx,%rcx */
        0x75, 0x04,                         /* 3: jne 9 */
        0xff, 0xc0,                         /* 5: inc %eax */
        0xf4,                               /* 7: hlt */
        0xf4,
        0xf4,                               /* 9: hlt */
    };
    uint64_t start;

    memcpy(m.host + CODE, code, sizeof(code));
    x86_cpu_code_flush(m.env);
    m.env->regs[R_EAX] = 0;
    m.env->regs[R_ECX] = 1;
    m.env->regs[R_EDX] = 2;
    m.env->rip = CODE;
    m.env->halted = false;
    start = m.env->icount;
    g_assert_cmpint(x86_cpu_exec(m.env, 1), ==, X86_EXIT_BUDGET);
    g_assert_cmpuint(m.env->icount - start, ==, 1);
    g_assert_cmphex(m.env->rip, ==, CODE + 3);
    g_assert_cmpint(x86_cpu_exec(m.env, 1), ==, X86_EXIT_BUDGET);
    g_assert_cmpuint(m.env->icount - start, ==, 2);
    g_assert_cmphex(m.env->rip, ==, CODE + 9);
    /* the whole block at once from the start: both counted */
    m.env->rip = CODE;
    g_assert_cmpint(x86_cpu_exec(m.env, 2), ==, X86_EXIT_BUDGET);
    g_assert_cmpuint(m.env->icount - start, ==, 4);
    g_assert_cmphex(m.env->rip, ==, CODE + 9);
    g_assert_cmphex(m.env->regs[R_EAX], ==, 0);
}

/* Loads and stores that straddle a page boundary (TLB slow path). */
static void test_cross_page(void)
{
    static const uint8_t code[] = {
        0x48, 0x8b, 0x43, 0xfc,             /* mov -4(%rbx),%rax */
        0x8b, 0x4b, 0xfe,                   /* mov -2(%rbx),%ecx */
        0x48, 0x89, 0x53, 0xf9,             /* mov %rdx,-7(%rbx) */
        0x48, 0x03, 0x43, 0xfc,             /* add -4(%rbx),%rax */
        0xf4,
    };
    uint64_t v = 0x0807060504030201ULL, w;

    memcpy(m.host + DATA + 0xffc, &v, 8);
    m.env->regs[R_EBX] = DATA + 0x1000;
    m.env->regs[R_EDX] = 0x1122334455667788ULL;
    g_assert_cmpint(run_code(code, sizeof(code)), ==, X86_EXIT_HALTED);
    g_assert_cmphex(m.env->regs[R_ECX], ==, 0x06050403);
    memcpy(&w, m.host + DATA + 0xff9, 8);
    g_assert_cmphex(w, ==, 0x1122334455667788ULL);
    memcpy(&w, m.host + DATA + 0xffc, 8);
    g_assert_cmphex(m.env->regs[R_EAX], ==, v + w);
}

static gpointer kick_thread(gpointer opaque)
{
    g_usleep(20 * 1000);
    x86_cpu_interrupt(m.env, CPU_INTERRUPT_EXIT);
    return NULL;
}

/*
 * Blocks that run straight into each other through chain links still
 * see a kick from another thread between blocks (what the dirty-log
 * handshake and vm_stop rely on): an endless chained loop returns
 * X86_EXIT_REQUEST long before its budget.
 */
static void test_chain_kick(void)
{
    static const uint8_t code[] = {
        0xff, 0xc1,                         /* 0: inc %ecx */
        0xeb, 0x02,                         /* 2: jmp 6 */
        0xf4, 0xf4,
        0x48, 0x89, 0x0b,                   /* 6: mov %rcx,(%rbx) */
        0xeb, 0xf5,                         /* 9: jmp 0 */
    };
    uint64_t start, chained;
    GThread *t;
    X86ExecExit r;

    memcpy(m.host + CODE, code, sizeof(code));
    x86_cpu_code_flush(m.env);
    m.env->regs[R_ECX] = 0;
    m.env->regs[R_EBX] = DATA;
    m.env->rip = CODE;
    m.env->halted = false;
    start = m.env->icount;
    chained = m.env->fast_chained;
    t = g_thread_new("kick", kick_thread, NULL);
    r = x86_cpu_exec(m.env, 1ULL << 40);
    g_thread_join(t);
    g_assert_cmpint(r, ==, X86_EXIT_REQUEST);
    g_assert_cmpuint(m.env->icount - start, <, 1ULL << 40);
    g_assert_cmpuint(m.env->fast_chained - chained, >, 1000);
    /* the loop's state is consistent where it stopped */
    g_assert_true(m.env->rip == CODE || m.env->rip == CODE + 6);
    g_assert_cmpuint((uint32_t)m.env->regs[R_ECX], ==,
                     (m.env->icount - start + 2) / 4);
}

/*
 * One function returning to three call sites: its RET block has more
 * successors than chain links, so some are found through the table
 * without leaving the block loop.  A device rewrites the third return
 * site between two slices: the stale block must not run again.
 */
static void test_ret_many_targets(void)
{
    static const uint8_t code[] = {
        0xe8, 0x1b, 0x00, 0x00, 0x00,       /* 0: call f (0x20) */
        0x83, 0xc3, 0x01,                   /* 5: add $1,%ebx */
        0xe8, 0x13, 0x00, 0x00, 0x00,       /* 8: call f */
        0x83, 0xc3, 0x02,                   /* 13: add $2,%ebx */
        0xe8, 0x0b, 0x00, 0x00, 0x00,       /* 16: call f */
        0x83, 0xc3, 0x04,                   /* 21: add $4,%ebx */
        0xff, 0xc9,                         /* 24: dec %ecx */
        0x75, 0xe4,                         /* 26: jnz 0 */
        0xf4,                               /* 28: hlt */
        0xf4, 0xf4, 0xf4,
        0x81, 0xc3, 0x00, 0x01, 0x00, 0x00, /* 32: f: add $0x100,%ebx */
        0xc3,                               /* 38: ret */
    };
    static const uint8_t imm = 8;

    memcpy(m.host + CODE, code, sizeof(code));
    x86_cpu_code_flush(m.env);
    m.env->regs[R_EBX] = 0;
    m.env->regs[R_ECX] = 1000;
    m.env->regs[R_ESP] = XT_STACK;
    m.env->rip = CODE;
    m.env->halted = false;
    /* 100 iterations of 14 instructions */
    g_assert_cmpint(x86_cpu_exec(m.env, 1400), ==, X86_EXIT_BUDGET);
    g_assert_cmphex(m.env->rip, ==, CODE);
    g_assert_cmphex(m.env->regs[R_EBX], ==, 100 * 0x307);
    g_assert_cmpint(address_space_write(&address_space_memory, CODE + 23,
                                        &imm, 1), ==, MEMTX_OK);
    g_assert_cmpint(xt_run(&m, 100000), ==, X86_EXIT_HALTED);
    g_assert_cmphex(m.env->regs[R_EBX], ==, 100 * 0x307 + 900 * 0x30b);
    g_assert_cmphex(m.env->regs[R_ESP], ==, XT_STACK);
}

/*
 * ROL/ROR by an immediate followed by an instruction that overwrites all
 * flags: the rotate skips its flags (they are dead).  The values and the
 * later condition must match the host, and a budget that ends the block
 * after the rotate must still see the rotate's own flags.
 */
static void test_rotate_dead_flags(void)
{
    static const uint8_t alus[] = { 0x01, 0x31, 0x39, 0x85 };
    static const uint64_t vals[] = {
        0, 1, 0x80000000, 0xffffffff, 0x8000000000000001ULL,
        0x123456789abcdef0ULL, ~0ULL,
    };
    void *native = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static const uint8_t cut[] = {
        0xc1, 0xc9, 0x01,                   /* ror $1,%ecx */
        0x31, 0xc9,                         /* xor %ecx,%ecx */
        0xf4,
    };
    unsigned i, j, k, w, cond, rot;
    uint64_t flags;

    g_assert(native != MAP_FAILED);
    for (w = 0; w < 2; w++) {
        for (rot = 0; rot < 2; rot++) {
            for (i = 0; i < G_N_ELEMENTS(alus); i++) {
                for (j = 0; j < G_N_ELEMENTS(vals); j++) {
                    for (k = 0; k < 4; k++) {
                        uint8_t code[32];
                        size_t n = 0;
                        uint64_t want, (*fn)(uint64_t, uint64_t) = native;

                        cond = (j * 4 + k) & 15;
                        code[n++] = 0x48, code[n++] = 0x89;
                        code[n++] = 0xf9;
                        code[n++] = 0x48, code[n++] = 0x89;
                        code[n++] = 0xf2;
                        code[n++] = 0x31, code[n++] = 0xc0;
                        if (w) {
                            code[n++] = 0x48;
                        }
                        code[n++] = 0xc1, code[n++] = rot ? 0xc9 : 0xc1;
                        code[n++] = 1 + k * 13;
                        if (w) {
                            code[n++] = 0x48;
                        }
                        code[n++] = alus[i], code[n++] = 0xd1;
                        code[n++] = 0x0f, code[n++] = 0x90 + cond;
                        code[n++] = 0xc0;
                        /* the result in %rax's upper bits: rcx << 8 */
                        code[n++] = 0x48, code[n++] = 0xc1;
                        code[n++] = 0xe1, code[n++] = 0x08;
                        code[n++] = 0x48, code[n++] = 0x09, code[n++] = 0xc8;
                        code[n] = 0xc3;
                        memcpy(native, code, n + 1);
                        want = fn(vals[j], vals[(j + k) %
                                               G_N_ELEMENTS(vals)]);
                        code[n++] = 0xf4;
                        m.env->regs[R_EDI] = vals[j];
                        m.env->regs[R_ESI] =
                            vals[(j + k) % G_N_ELEMENTS(vals)];
                        g_assert_cmpint(run_code(code, n), ==,
                                        X86_EXIT_HALTED);
                        g_assert_cmphex(m.env->regs[R_EAX], ==, want);
                    }
                }
            }
        }
    }
    munmap(native, 4096);

    /* budget cut after the rotate: CF/OF from it, ZF kept */
    memcpy(m.host + CODE, cut, sizeof(cut));
    x86_cpu_code_flush(m.env);
    m.env->regs[R_ECX] = 0x80000001;
    x86_cpu_set_eflags(m.env, 0x2 | CC_Z | CC_O);
    m.env->rip = CODE;
    m.env->halted = false;
    g_assert_cmpint(x86_cpu_exec(m.env, 1), ==, X86_EXIT_BUDGET);
    g_assert_cmphex(m.env->rip, ==, CODE + 3);
    g_assert_cmphex(m.env->regs[R_ECX], ==, 0xc0000000);
    flags = x86_cpu_get_eflags(m.env);
    g_assert_cmphex(flags & (CC_C | CC_O | CC_Z), ==, CC_C | CC_Z);
}

/* Store @v as a little-endian rel32 at @at, for a branch ending at @end. */
static void put_rel32(uint64_t at, uint64_t end, uint64_t target)
{
    int32_t rel = (int32_t)(target - end);

    memcpy(m.host + at, &rel, 4);
}

/*
 * Two code pages: "loop: jmp B" on the first, B (mov $0x11,%eax; add
 * %eax,%ebx; dec %ecx; jnz loop; jmp after) on the second.  The block
 * of loop links to B; B's page is written later while loop's stays
 * valid, so only the link's own check can catch the stale B.
 */
#define CHAIN_B (CODE + 0x1000)
#define CHAIN_AFTER (CODE + 0x10)

static void chain_setup(void)
{
    static const uint8_t b[] = {
        0xb8, 0x11, 0x00, 0x00, 0x00,       /* 0: mov $0x11,%eax */
        0x01, 0xc3,                         /* 5: add %eax,%ebx */
        0xff, 0xc9,                         /* 7: dec %ecx */
        0x0f, 0x85, 0, 0, 0, 0,             /* 9: jnz loop */
        0xe9, 0, 0, 0, 0,                   /* 15: jmp after */
    };

    m.host[CODE] = 0xe9;                    /* loop: jmp B */
    put_rel32(CODE + 1, CODE + 5, CHAIN_B);
    memcpy(m.host + CHAIN_B, b, sizeof(b));
    put_rel32(CHAIN_B + 11, CHAIN_B + 15, CODE);
    put_rel32(CHAIN_B + 16, CHAIN_B + 20, CHAIN_AFTER);
    x86_cpu_code_flush(m.env);
    m.env->regs[R_EBX] = 0;
    m.env->regs[R_ESI] = 0;
    m.env->halted = false;
}

/* after the loop: patch B's immediate once, then run the loop again */
static void test_chain_guest_patch(void)
{
    static const uint8_t after[] = {
        0x85, 0xf6,                         /* 0: test %esi,%esi */
        0x75, 0x13,                         /* 2: jnz done */
        0xff, 0xc6,                         /* 4: inc %esi */
        0xc6, 0x05, 0, 0, 0, 0, 0x42,       /* 6: movb $0x42,B+1(%rip) */
        0xb9, 0x02, 0x00, 0x00, 0x00,       /* 13: mov $2,%ecx */
        0xe9, 0, 0, 0, 0,                   /* 18: jmp loop */
        0xf4,                               /* 23: done: hlt */
    };
    uint64_t chained;

    chain_setup();
    memcpy(m.host + CHAIN_AFTER, after, sizeof(after));
    put_rel32(CHAIN_AFTER + 8, CHAIN_AFTER + 13, CHAIN_B + 1);
    put_rel32(CHAIN_AFTER + 19, CHAIN_AFTER + 23, CODE);
    m.env->regs[R_ECX] = 3;
    m.env->rip = CODE;
    chained = m.env->fast_chained;
    g_assert_cmpint(xt_run(&m, 1000), ==, X86_EXIT_HALTED);
    g_assert_cmphex(m.host[CHAIN_B + 1], ==, 0x42);
    g_assert_cmphex(m.env->regs[R_EBX], ==, 3 * 0x11 + 2 * 0x42);
    g_assert_cmpuint(m.env->fast_chained, >, chained);
}

/*
 * The loop runs in two slices; between them a device (DMA through the
 * address space) rewrites B: the second slice must run the new code.
 */
static void test_chain_dma_patch(void)
{
    static const uint8_t imm = 0x42;
    uint64_t chained;

    chain_setup();
    m.host[CHAIN_AFTER] = 0xf4;             /* after: hlt */
    m.env->regs[R_ECX] = 1000;
    m.env->rip = CODE;
    /* 100 iterations of 5 instructions, most through links */
    chained = m.env->fast_chained;
    g_assert_cmpint(x86_cpu_exec(m.env, 500), ==, X86_EXIT_BUDGET);
    g_assert_cmphex(m.env->rip, ==, CODE);
    g_assert_cmphex(m.env->regs[R_EBX], ==, 100 * 0x11);
    g_assert_cmpuint(m.env->fast_chained, >, chained + 100);
    g_assert_cmpint(address_space_write(&address_space_memory, CHAIN_B + 1,
                                        &imm, 1), ==, MEMTX_OK);
    g_assert_cmpint(xt_run(&m, 100000), ==, X86_EXIT_HALTED);
    g_assert_cmphex(m.env->regs[R_EBX], ==, 100 * 0x11 + 900 * 0x42);
}

/*
 * A block is counted as retired up front: a fault in its third
 * instruction must leave exactly two counted (and RIP on the fault).
 * With no IDT the fault ends in a triple fault (reset), so this runs last.
 */
static void test_fault_icount(void)
{
    static const uint8_t code[] = {
        0xff, 0xc0,                         /* inc %eax */
        0xff, 0xc0,                         /* inc %eax */
        0x48, 0x8b, 0x03,                   /* mov (%rbx),%rax: #PF */
        0xf4,
    };
    uint64_t start;

    memcpy(m.host + CODE, code, sizeof(code));
    x86_cpu_code_flush(m.env);
    m.env->regs[R_EAX] = 0;
    m.env->regs[R_EBX] = 0x8000000000ULL;  /* 512 GiB: not mapped */
    m.env->rip = CODE;
    m.env->halted = false;
    start = m.env->icount;
    g_assert_cmpint(x86_cpu_exec(m.env, 1000), ==, X86_EXIT_RESET);
    g_assert_cmpuint(m.env->icount - start, ==, 2);
    g_assert_cmphex(m.env->regs[R_EAX], ==, 2);
}

/*
 * System, flag-register, bit and string forms of kernel I/O paths run in
 * the decoded-block fast path: only the final hlt needs the full decoder.
 */
static void test_system_forms(void)
{
    static const uint8_t code[] = {
        0x9c,                               /* pushfq */
        0xfa,                               /* cli */
        0x6a, 0x85,                         /* push $-123 */
        0x41, 0x5a,                         /* pop %r10 */
        0x68, 0x44, 0x33, 0x22, 0x81,       /* push $0x81223344 (sext) */
        0x41, 0x5c,                         /* pop %r12 */
        0x0f, 0x01, 0xf8,                   /* swapgs */
        0x0f, 0x31,                         /* rdtsc */
        0x0f, 0xae, 0xe8,                   /* lfence */
        0x0f, 0xae, 0xf0,                   /* mfence */
        0x0f, 0xae, 0xf8,                   /* sfence */
        0xf3, 0x90,                         /* pause */
        0x0f, 0x0d, 0x0b,                   /* prefetchw (%rbx) */
        0x3e, 0x0f, 0x18, 0x0b,             /* ds prefetchnta (%rbx) */
        0x49, 0x0f, 0xcb,                   /* bswap %r11 */
        0xb4, 0x12,                         /* mov $0x12,%ah */
        0x41, 0xb1, 0x77,                   /* mov $0x77,%r9b */
        0xfd,                               /* std */
        0x9c,                               /* pushfq */
        0x41, 0x5d,                         /* pop %r13 */
        0xfc,                               /* cld */
        0x8c, 0xda,                         /* mov %ds,%edx */
        0x8e, 0xc2,                         /* mov %edx,%es */
        0xf3, 0x48, 0x0f, 0xbc, 0xf7,       /* tzcnt %rdi,%rsi (as bsf) */
        0x55,                               /* push %rbp */
        0x48, 0x89, 0xe5,                   /* mov %rsp,%rbp */
        0x6a, 0x07,                         /* push $7 */
        0xc9,                               /* leave: pops %rbp */
        0xb0, 0xaa,                         /* mov $0xaa,%al */
        0xb9, 0x10, 0x00, 0x00, 0x00,       /* mov $16,%ecx */
        0xf3, 0xaa,                         /* rep stosb: ends the block */
        0x9d,                               /* popfq: ends the block */
        0xf4,
    };
    uint64_t slow = m.env->slow_insns, rsp = m.env->regs[R_ESP];
    int i;

    x86_cpu_set_eflags(m.env, 2 | IF_MASK);
    memset(m.host + DATA, 0x11, 32);
    m.env->segs[R_GS].base = 0x1000;
    m.env->kernel_gs_base = 0x2000;
    m.env->segs[R_ES].selector = 0;
    m.env->regs[R_EDX] = ~0ULL;
    m.env->regs[R_EBX] = DATA;
    m.env->regs[R_EDI] = DATA;
    m.env->regs[R_EBP] = 0x5555;
    m.env->regs[R_R11] = 0x0102030405060708ULL;
    m.env->regs[R_R9] = 0x1111111111111111ULL;
    g_assert_cmpint(run_code(code, sizeof(code)), ==, X86_EXIT_HALTED);
    g_assert_cmpuint(m.env->slow_insns - slow, ==, 1);
    g_assert_true(m.env->eflags & IF_MASK);     /* popf restored it */
    g_assert_false(m.env->eflags & DF_MASK);
    g_assert_cmphex(m.env->regs[R_R10], ==, (uint64_t)-123);
    g_assert_cmphex(m.env->regs[R_R12], ==, 0xffffffff81223344ULL);
    g_assert_cmphex(m.env->segs[R_GS].base, ==, 0x2000);
    g_assert_cmphex(m.env->kernel_gs_base, ==, 0x1000);
    g_assert_cmphex(m.env->regs[R_R11], ==, 0x0807060504030201ULL);
    g_assert_cmphex(m.env->regs[R_EAX] & 0xffff, ==, 0x12aa);
    g_assert_cmphex(m.env->regs[R_R9], ==, 0x1111111111111177ULL);
    g_assert_true(m.env->regs[R_R13] & DF_MASK);
    g_assert_false(m.env->regs[R_R13] & IF_MASK);  /* cli cleared it */
    g_assert_cmphex(m.env->regs[R_EDX], ==, XT_KERNEL_DS);
    g_assert_cmphex(m.env->segs[R_ES].selector, ==, XT_KERNEL_DS);
    g_assert_cmphex(m.env->regs[R_ESI], ==, 20);    /* DATA = 0x300000 */
    g_assert_cmphex(m.env->regs[R_EBP], ==, 0x5555);
    g_assert_cmphex(m.env->regs[R_ESP], ==, rsp);
    g_assert_cmphex(m.env->regs[R_ECX], ==, 0);
    g_assert_cmphex(m.env->regs[R_EDI], ==, DATA + 16);
    for (i = 0; i < 32; i++) {
        g_assert_cmphex(m.host[DATA + i], ==, i < 16 ? 0xaa : 0x11);
    }
    m.env->segs[R_GS].base = 0;
    x86_cpu_set_eflags(m.env, 2);
}

#define IDT 0x4000
#define HANDLER 0x5000

/* vector 0x30 -> HANDLER: mov $0x99,%r8d; hlt */
static void idt_setup(void)
{
    uint64_t lo = (HANDLER & 0xffff) | ((uint64_t)XT_KERNEL_CS << 16) |
                  (0x8eULL << 40);
    static const uint8_t handler[] = { 0x41, 0xb8, 0x99, 0, 0, 0, 0xf4 };

    memset(m.host + IDT, 0, 0x40 * 16);
    memcpy(m.host + IDT + 0x30 * 16, &lo, 8);
    memcpy(m.host + HANDLER, handler, sizeof(handler));
    m.env->idt.base = IDT;
    m.env->idt.limit = 0x40 * 16 - 1;
}

/* run @code with IF clear and vector 0x30 pending; returns the frame RIP */
static uint64_t run_irq_code(const uint8_t *code, size_t len)
{
    uint64_t rsp = m.env->regs[R_ESP], rip;

    x86_cpu_set_eflags(m.env, 2);
    m.env->regs[R_EAX] = 0;
    m.env->regs[R_R8] = 0;
    m.pending_vector = 0x30;
    x86_cpu_interrupt(m.env, CPU_INTERRUPT_HARD);
    g_assert_cmpint(run_code(code, len), ==, X86_EXIT_HALTED);
    g_assert_cmphex(m.env->regs[R_R8], ==, 0x99);
    g_assert_cmphex(m.env->rip, ==, HANDLER + 7);
    memcpy(&rip, m.host + m.env->regs[R_ESP], 8);
    m.env->regs[R_ESP] = rsp;
    x86_cpu_reset_interrupt(m.env, CPU_INTERRUPT_HARD);
    m.pending_vector = -1;
    x86_cpu_set_eflags(m.env, 2);
    return rip;
}

/*
 * STI and POPF end their block: the interrupt waiting for IF comes
 * after the STI shadow (at least the next instruction) and straight
 * after a POPF that sets IF.
 */
static void test_sti_popf_irq(void)
{
    static const uint8_t sti[] = {
        0x90,                               /* nop */
        0xfb,                               /* sti */
        0xff, 0xc0,                         /* inc %eax */
        0xff, 0xc0,                         /* inc %eax */
        0xf4,
    };
    static const uint8_t popf[] = {
        0x68, 0x02, 0x02, 0x00, 0x00,       /* push $0x202 */
        0x9d,                               /* popfq */
        0xff, 0xc0,                         /* inc %eax */
        0xf4,
    };
    uint64_t base = m.env->idt.base, limit = m.env->idt.limit, rip;

    idt_setup();
    rip = run_irq_code(sti, sizeof(sti));
    g_assert_cmpuint(m.env->regs[R_EAX], >=, 1);
    g_assert_cmphex(rip, ==, CODE + 2 + 2 * m.env->regs[R_EAX]);
    rip = run_irq_code(popf, sizeof(popf));
    g_assert_cmphex(m.env->regs[R_EAX], ==, 0);
    g_assert_cmphex(rip, ==, CODE + 6);
    m.env->idt.base = base;
    m.env->idt.limit = limit;
}

/*
 * A fast-path BTS/SHRD/XADD whose store faults (read-only page) leaves
 * the flags of the instruction before it and RIP at the faulting one.
 */
static void test_fault_keeps_flags(void)
{
    static const uint8_t forms[][6] = {
        { 0x48, 0x0f, 0xab, 0x03 },         /* bts %rax,(%rbx) */
        { 0x48, 0x0f, 0xac, 0x03, 0x04 },   /* shrd $4,%rax,(%rbx) */
        { 0x3e, 0x48, 0x0f, 0xc1, 0x03 },   /* ds xadd %rax,(%rbx) */
        { 0xf0, 0x48, 0x0f, 0xba, 0x2b, 0x00 },   /* lock bts $0,(%rbx) */
    };
    const uint64_t ro = 0x400000, pde = XT_PML4 + 0x2000 + 2 * 8;
    uint64_t e, one = 1;
    uint8_t code[16];
    unsigned i;

    memcpy(&e, m.host + pde, 8);
    g_assert_cmphex(e & ~0xfffULL, ==, ro);
    e &= ~2ULL;                             /* read-only 2 MiB page */
    memcpy(m.host + pde, &e, 8);
    memcpy(m.host + ro, &one, 8);
    for (i = 0; i < G_N_ELEMENTS(forms); i++) {
        /* cmp %rax,%rax: ZF=1 CF=0; then the form (bit 0 is set) */
        code[0] = 0x48, code[1] = 0x39, code[2] = 0xc0;
        memcpy(code + 3, forms[i], 6);
        code[9] = 0xf4;
        x86_cpu_tlb_flush(m.env, true);
        m.env->regs[R_EAX] = 0;
        m.env->regs[R_EBX] = ro;
        g_assert_cmpint(run_code(code, 10), ==, X86_EXIT_RESET);
        g_assert_cmphex(m.env->rip, ==, CODE + 3);
        g_assert_cmphex(x86_cpu_get_eflags(m.env) & (CC_Z | CC_C), ==,
                        CC_Z);
        g_assert_cmphex(m.host[ro], ==, 1);
    }
    e |= 2;
    memcpy(m.host + pde, &e, 8);
    x86_cpu_tlb_flush(m.env, true);
    x86_cpu_set_eflags(m.env, 2);
}

/*
 * An instruction whose code TLB entry was taken by a data access to a
 * page with the same TLB index still runs from the fast path.
 */
static void test_code_tlb_conflict(void)
{
    static const uint8_t code[] = {
        0x48, 0x8b, 0x03,                   /* mov (%rbx),%rax */
        0xff, 0xc1,                         /* inc %ecx */
        0xff, 0xc1,                         /* inc %ecx */
        0xf4,
    };
    uint64_t slow = m.env->slow_insns;

    /* CODE + 4 MiB has CODE's TLB index (1024 entries of 4 KiB) */
    memcpy(m.host + CODE, code, sizeof(code));
    x86_cpu_code_flush(m.env);
    m.env->regs[R_EBX] = CODE + (TLB_SIZE << TARGET_PAGE_BITS);
    m.env->regs[R_ECX] = 0;
    m.env->rip = CODE;
    m.env->halted = false;
    g_assert_cmpint(x86_cpu_exec(m.env, 1), ==, X86_EXIT_BUDGET);
    /* the run loop enters again with the code page's TLB entry taken */
    g_assert_cmpint(x86_cpu_exec(m.env, 100), ==, X86_EXIT_HALTED);
    g_assert_cmphex(m.env->regs[R_ECX], ==, 2);
    g_assert_cmpuint(m.env->slow_insns - slow, ==, 1);     /* the hlt */
}

int main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    xt_init(&m, 32 * 1024 * 1024);
    xt_add_func_jit(&m, "/x86/fastblock/cond-after-flags",
                    test_cond_after_flags);
    xt_add_func_jit(&m, "/x86/fastblock/cond-after-incdec",
                    test_cond_after_incdec);
    xt_add_func_jit(&m, "/x86/fastblock/segment-and-66", test_segment_and_66);
    xt_add_func_jit(&m, "/x86/fastblock/stack-and-memory-forms",
                    test_stack_and_memory_forms);
    xt_add_func_jit(&m, "/x86/fastblock/carry-chain", test_carry_chain);
    xt_add_func_jit(&m, "/x86/fastblock/self-patch", test_self_patch);
    xt_add_func_jit(&m, "/x86/fastblock/budget", test_budget);
    xt_add_func_jit(&m, "/x86/fastblock/chain-guest-patch",
                    test_chain_guest_patch);
    xt_add_func_jit(&m, "/x86/fastblock/chain-dma-patch",
                    test_chain_dma_patch);
    xt_add_func_jit(&m, "/x86/fastblock/fused-jcc", test_fused_jcc);
    xt_add_func_jit(&m, "/x86/fastblock/fused-budget-cut",
                    test_fused_budget_cut);
    xt_add_func_jit(&m, "/x86/fastblock/cross-page", test_cross_page);
    xt_add_func_jit(&m, "/x86/fastblock/chain-kick", test_chain_kick);
    xt_add_func_jit(&m, "/x86/fastblock/ret-many-targets",
                    test_ret_many_targets);
    xt_add_func_jit(&m, "/x86/fastblock/rotate-dead-flags",
                    test_rotate_dead_flags);
    xt_add_func_jit(&m, "/x86/fastblock/fault-icount", test_fault_icount);
    xt_add_func_jit(&m, "/x86/fastblock/system-forms", test_system_forms);
    xt_add_func_jit(&m, "/x86/fastblock/sti-popf-irq", test_sti_popf_irq);
    xt_add_func_jit(&m, "/x86/fastblock/fault-keeps-flags",
                    test_fault_keeps_flags);
    xt_add_func_jit(&m, "/x86/fastblock/code-tlb-conflict",
                    test_code_tlb_conflict);
    r = g_test_run();
    xt_cleanup(&m);
    return r;
}
