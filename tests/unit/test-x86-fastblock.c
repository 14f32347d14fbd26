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

int main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    xt_init(&m, 32 * 1024 * 1024);
    g_test_add_func("/x86/fastblock/cond-after-flags",
                    test_cond_after_flags);
    g_test_add_func("/x86/fastblock/cond-after-incdec",
                    test_cond_after_incdec);
    g_test_add_func("/x86/fastblock/segment-and-66", test_segment_and_66);
    g_test_add_func("/x86/fastblock/self-patch", test_self_patch);
    g_test_add_func("/x86/fastblock/budget", test_budget);
    g_test_add_func("/x86/fastblock/chain-guest-patch",
                    test_chain_guest_patch);
    g_test_add_func("/x86/fastblock/chain-dma-patch", test_chain_dma_patch);
    g_test_add_func("/x86/fastblock/fault-icount", test_fault_icount);
    r = g_test_run();
    xt_cleanup(&m);
    return r;
}
