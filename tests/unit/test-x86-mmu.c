/*
 * Soft MMU, exception delivery and CPU model details checked directly on
 * CPUX86State: page-walk permissions and error codes, large and global
 * pages, INVLPG, CR2, #PF from user mode through the TSS stack, dirty
 * tracking re-armed under the soft TLB, FXSAVE layout, CPUID, MSRs,
 * kvmclock and triple fault.
 */
#include "qemu/osdep.h"
#include "x86/harness.h"

#define CODE 0x200000
#define IDT 0x1000
#define HANDLERS 0x2000
#define PT_BASE 0x400000        /* our 4K page tables for VA 1 GiB */
#define VA 0x40000000ULL
#define DATA_PA 0x500000

static X86TestMachine m;

static void put64(uint64_t pa, uint64_t v)
{
    memcpy(m.host + pa, &v, 8);
}

static uint64_t get64(uint64_t pa)
{
    uint64_t v;

    memcpy(&v, m.host + pa, 8);
    return v;
}

static void setup(void)
{
    int v;

    xt_init(&m, 32 * 1024 * 1024);
    for (v = 0; v < 32; v++) {
        uint64_t h = HANDLERS + v * 16;
        put64(IDT + v * 16, (h & 0xffff) | ((uint64_t)XT_KERNEL_CS << 16) |
                            (0x8eULL << 40) | ((h & 0xffff0000ULL) << 32));
        put64(IDT + v * 16 + 8, 0);
        m.host[h] = 0xf4;
    }
    m.env->idt.base = IDT;
    m.env->idt.limit = 32 * 16 - 1;
    /* TSS: rsp0 for exceptions from user mode */
    put64(XT_TSS + 4, 0x70000);
    m.env->tr.selector = XT_TSS_SEL;
    m.env->tr.base = XT_TSS;
    m.env->tr.limit = 0x67;
    /* VA 1 GiB -> PD entry 0 of the second PD -> our page table */
    put64(XT_PML4 + 0x2000 + 0x1000, PT_BASE | 7);
}

static void set_cpl(int cpl)
{
    CPUX86State *env = m.env;

    if (cpl == 3) {
        env->segs[R_CS].selector = XT_USER_CS;
        env->segs[R_CS].flags = DESC_P | DESC_S | DESC_L |
                                (3 << DESC_DPL_SHIFT) | (0xb << 8);
        env->segs[R_SS].selector = XT_USER_DS;
        env->segs[R_SS].flags = DESC_P | DESC_S | DESC_B |
                                (3 << DESC_DPL_SHIFT) | (3 << 8);
    } else {
        env->segs[R_CS].selector = XT_KERNEL_CS;
        env->segs[R_CS].flags = DESC_P | DESC_S | DESC_L | (0xb << 8);
        env->segs[R_SS].selector = XT_KERNEL_DS;
        env->segs[R_SS].flags = DESC_P | DESC_S | DESC_B | (3 << 8);
    }
}

/* Run @code at CODE with @cpl up to a HLT: -1 = ok, else the vector. */
static int run1(const char *code, int len, int cpl)
{
    CPUX86State *env = m.env;

    memcpy(m.host + CODE, code, len);
    m.host[CODE + len] = 0xf4;
    x86_cpu_code_flush(env);
    set_cpl(cpl);
    env->regs[R_ESP] = cpl == 3 ? 0x60000 : XT_STACK;
    env->rip = CODE;
    env->halted = false;
    x86_cpu_exec(env, 10);      /* stops at the HLT either way */
    g_assert_true(env->halted);
    if (env->rip == CODE + len + 1) {
        return -1;
    }
    g_assert_cmpuint(env->rip, >=, HANDLERS);
    if (cpl == 3 && env->rip == HANDLERS + EXCP_GP * 16 + 1 &&
        get64(env->regs[R_ESP] + 8) == CODE + len) {
        return -1;      /* the user-mode HLT terminator faulted */
    }
    return (env->rip - HANDLERS) / 16;
}

static uint64_t pushed_error(void)
{
    return get64(m.env->regs[R_ESP]);
}

/* mov (%rax), %rbx / mov %rbx, (%rax) / call *%rax */
#define LOAD "\x48\x8b\x18", 3
#define STORE "\x48\x89\x18", 3

static void map(uint64_t va, uint64_t pa, uint64_t flags)
{
    put64(PT_BASE + ((va >> 12) & 511) * 8, pa | flags);
    x86_cpu_tlb_flush(m.env, true);
}

static void test_permissions(void)
{
    CPUX86State *env = m.env;

    env->regs[R_EAX] = VA;
    map(VA, DATA_PA, 0);
    g_assert_cmpint(run1(LOAD, 0), ==, EXCP_PF);
    g_assert_cmphex(env->cr[2], ==, VA);
    g_assert_cmphex(pushed_error(), ==, 0);

    /* supervisor-only page touched from user mode: P|U (read), P|W|U */
    map(VA, DATA_PA, 3);
    env->regs[R_EAX] = VA + 8;
    g_assert_cmpint(run1(LOAD, 3), ==, EXCP_PF);
    g_assert_cmphex(pushed_error(), ==, PF_P | PF_U);
    g_assert_cmphex(env->cr[2], ==, VA + 8);
    /* delivered on the TSS rsp0 stack, CPL 0 */
    g_assert_cmphex(env->regs[R_ESP], ==, 0x70000 - 48);
    g_assert_cmpint(env->segs[R_CS].selector & 3, ==, 0);
    g_assert_cmphex(get64(0x70000 - 8), ==, XT_USER_DS);  /* old SS */
    g_assert_cmphex(get64(0x70000 - 32), ==, XT_USER_CS); /* old CS */
    g_assert_cmpint(run1(STORE, 3), ==, EXCP_PF);
    g_assert_cmphex(pushed_error(), ==, PF_P | PF_W | PF_U);

    /* read-only user page: user read ok, user write faults */
    map(VA, DATA_PA, 5);
    g_assert_cmpint(run1(LOAD, 3), ==, -1);
    g_assert_cmpint(run1(STORE, 3), ==, EXCP_PF);
    g_assert_cmphex(pushed_error(), ==, PF_P | PF_W | PF_U);
    /*
     * read-modify-write on a read-only page: the fault reports a write and
     * the pushed RFLAGS are those before the instruction (CF=1 kept for
     * the ADC that is re-executed after the fault is fixed)
     */
    x86_cpu_set_eflags(env, 2 | CC_C);
    g_assert_cmpint(run1("\x48\x11\x18", 3, 0), ==, EXCP_PF);  /* adc */
    g_assert_cmphex(pushed_error(), ==, PF_P | PF_W);
    g_assert_cmphex(get64(env->regs[R_ESP] + 24) & CC_ALL, ==, CC_C);
    /* supervisor write: faults with WP=1, allowed with WP=0 */
    g_assert_cmpint(run1(STORE, 0), ==, EXCP_PF);
    g_assert_cmphex(pushed_error(), ==, PF_P | PF_W);
    env->cr[0] &= ~(uint64_t)CR0_WP;
    x86_cpu_tlb_flush(env, true);
    env->regs[R_EBX] = 0x1122;
    g_assert_cmpint(run1(STORE, 0), ==, -1);
    g_assert_cmphex(get64(DATA_PA + 8), ==, 0x1122);
    env->cr[0] |= CR0_WP;
    x86_cpu_tlb_flush(env, true);

    /* reserved bit (above MAXPHYADDR 40): error RSVD|P */
    map(VA, DATA_PA | (1ULL << 45), 3);
    g_assert_cmpint(run1(LOAD, 0), ==, EXCP_PF);
    g_assert_cmphex(pushed_error(), ==, PF_RSVD | PF_P);

    /* NX: fetch fault with I/D bit; CR2 is the target */
    map(VA, DATA_PA, 3 | (1ULL << 63));
    m.host[DATA_PA] = 0xc3;
    env->regs[R_EAX] = VA;
    g_assert_cmpint(run1("\xff\xd0", 2, 0), ==, EXCP_PF);
    g_assert_cmphex(pushed_error(), ==, PF_P | PF_I);
    g_assert_cmphex(env->cr[2], ==, VA);
}

static void test_ad_bits_and_invlpg(void)
{
    CPUX86State *env = m.env;
    uint64_t pte = PT_BASE + ((VA >> 12) & 511) * 8;

    map(VA, DATA_PA, 3);
    env->regs[R_EAX] = VA;
    g_assert_cmpint(run1(LOAD, 0), ==, -1);
    g_assert_cmphex(get64(pte) & 0x60, ==, 0x20);       /* A, not D */
    g_assert_cmpint(run1(STORE, 0), ==, -1);
    g_assert_cmphex(get64(pte) & 0x60, ==, 0x60);       /* A and D */

    /* a changed PTE is not seen until INVLPG (stale TLB entry) */
    put64(pte, (DATA_PA + 0x1000) | 3);
    put64(DATA_PA + 0x1000, 0xabcd);
    put64(DATA_PA, 0x1234);
    g_assert_cmpint(run1(LOAD, 0), ==, -1);
    g_assert_cmphex(env->regs[R_EBX], ==, 0x1234);
    g_assert_cmpint(run1("\x0f\x01\x38", 3, 0), ==, -1);   /* invlpg (%rax) */
    g_assert_cmpint(run1(LOAD, 0), ==, -1);
    g_assert_cmphex(env->regs[R_EBX], ==, 0xabcd);
}

static void test_global_and_large_pages(void)
{
    CPUX86State *env = m.env;
    uint64_t pte = PT_BASE + ((VA >> 12) & 511) * 8;
    uint64_t pa;

    /* global page survives a CR3 write, a non-global one does not */
    put64(DATA_PA, 1);
    put64(DATA_PA + 0x1000, 2);
    map(VA, DATA_PA, 3 | 0x100);
    env->regs[R_EAX] = VA;
    run1(LOAD, 0);
    put64(pte, (DATA_PA + 0x1000) | 3 | 0x100);
    env->regs[R_ECX] = XT_PML4;
    g_assert_cmpint(run1("\x0f\x22\xd9", 3, 0), ==, -1);   /* mov %rcx,%cr3 */
    g_assert_cmpint(run1(LOAD, 0), ==, -1);
    g_assert_cmphex(env->regs[R_EBX], ==, 1);               /* still cached */
    put64(pte, (DATA_PA + 0x1000) | 3);
    x86_cpu_tlb_flush(env, true);
    run1(LOAD, 0);
    put64(pte, DATA_PA | 3);
    env->regs[R_ECX] = XT_PML4;
    run1("\x0f\x22\xd9", 3, 0);
    run1(LOAD, 0);
    g_assert_cmphex(env->regs[R_EBX], ==, 1);               /* re-walked */

    /* 2 MiB pages from the harness map and a 1 GiB page */
    g_assert_true(x86_cpu_translate(env, 0x345678, &pa));
    g_assert_cmphex(pa, ==, 0x345678);
    put64(XT_PML4 + 0x1000 + 2 * 8, 0x40000000ULL | 0x83);  /* 2G -> 1G */
    x86_cpu_tlb_flush(env, true);
    g_assert_true(x86_cpu_translate(env, 0x80012345ULL, &pa));
    g_assert_cmphex(pa, ==, 0x40012345ULL);
    g_assert_false(x86_cpu_translate(env, 0x800000000000ULL, &pa));
}

static unsigned rearms;

static void count_rearm(void *opaque, RAMBlock *rb, uint64_t off,
                        uint64_t len)
{
    rearms++;
    x86_cpu_tlb_flush_writes(opaque);
}

static void test_dirty_rearm(void)
{
    CPUX86State *env = m.env;

    physmem_set_rearm_hook(count_rearm, env);
    map(VA, DATA_PA, 3 | 0x40);
    env->regs[R_EAX] = VA;
    dirty_log_start(DIRTY_CLIENT_MIGRATION);
    dirty_bitmap_test_and_clear(DIRTY_CLIENT_MIGRATION, m.ram, NULL);
    g_assert_cmpuint(rearms, ==, 1);
    /* first store: slow path marks the page, later stores are fast */
    g_assert_cmpint(run1(STORE, 0), ==, -1);
    g_assert_true(dirty_page_test(DIRTY_CLIENT_MIGRATION, m.ram, DATA_PA));
    g_assert_cmpuint(dirty_bitmap_test_and_clear(DIRTY_CLIENT_MIGRATION,
                                                 m.ram, NULL), >=, 1);
    /* after the clear the same TLB entry must not write silently */
    g_assert_false(dirty_page_test(DIRTY_CLIENT_MIGRATION, m.ram, DATA_PA));
    g_assert_cmpint(run1(STORE, 0), ==, -1);
    g_assert_true(dirty_page_test(DIRTY_CLIENT_MIGRATION, m.ram, DATA_PA));
    /* so must rep stos through the fast string path */
    dirty_bitmap_test_and_clear(DIRTY_CLIENT_MIGRATION, m.ram, NULL);
    env->regs[R_EDI] = VA + 0x100;
    env->regs[R_ECX] = 64;
    g_assert_cmpint(run1("\xf3\xaa", 2, 0), ==, -1);
    g_assert_cmpuint(env->regs[R_ECX], ==, 0);
    g_assert_true(dirty_page_test(DIRTY_CLIENT_MIGRATION, m.ram, DATA_PA));
    dirty_log_stop(DIRTY_CLIENT_MIGRATION);
    physmem_set_rearm_hook(NULL, NULL);
}

/*
 * A dirty-log sync on another thread sets write tags to TLB_INVALID at any
 * moment.  A store to a page that is not RAM (an MMIO page: its addend
 * means nothing) must never be turned into a host store by a tag that
 * changed under it (it once wrote to the guest's APIC address as a host
 * pointer and crashed).
 */
static volatile gint flusher_stop;

static gpointer flusher(gpointer opaque)
{
    while (!g_atomic_int_get(&flusher_stop)) {
        x86_cpu_tlb_flush_writes(m.env);
    }
    return NULL;
}

static void test_write_tag_race(void)
{
    CPUX86State *env = m.env;
    /* 1: mov %rbx,(%rax); dec %rcx; jnz 1b; hlt */
    static const char loop[] = "\x48\x89\x18\x48\xff\xc9\x75\xf8\xf4";
    GThread *t;

    map(VA, 0xfee00000ULL, 3);      /* beyond RAM: a slow, non-RAM page */
    memcpy(m.host + CODE, loop, sizeof(loop) - 1);
    x86_cpu_code_flush(env);
    set_cpl(0);
    env->regs[R_EAX] = VA + 0xb0;
    env->regs[R_ECX] = 300000;
    env->regs[R_ESP] = XT_STACK;
    env->rip = CODE;
    env->halted = false;
    g_atomic_int_set(&flusher_stop, 0);
    t = g_thread_new("flusher", flusher, NULL);
    for (int i = 0; i < 100 && !env->halted; i++) {
        x86_cpu_exec(env, 100000);
    }
    g_atomic_int_set(&flusher_stop, 1);
    g_thread_join(t);
    g_assert_true(env->halted);
    g_assert_cmpuint(env->regs[R_ECX], ==, 0);
}

static void test_fxsave_layout(void)
{
    CPUX86State *env = m.env;
    uint8_t *img = m.host + DATA_PA + 0x200;
    uint32_t mxcsr_mask;
    uint16_t fcw;

    env->xmm[3].q[0] = 0x1111222233334444ULL;
    env->xmm[3].q[1] = 0x5555666677778888ULL;
    env->mxcsr = 0x1fa0;
    env->regs[R_EAX] = 0x1000000 + 0x200;   /* identity-mapped alias */
    memset(img, 0xee, 512);
    g_assert_cmpint(run1("\x0f\xae\x00", 3, 0), ==, -1);    /* fxsave */
    memcpy(&fcw, m.host + 0x1000000 + 0x200, 2);
    g_assert_cmphex(fcw, ==, 0x37f);
    memcpy(&mxcsr_mask, m.host + 0x1000000 + 0x200 + 28, 4);
    g_assert_cmphex(mxcsr_mask, ==, 0xffff);
    g_assert_cmphex(*(uint32_t *)(m.host + 0x1000000 + 0x200 + 24), ==,
                    0x1fa0);
    g_assert_cmphex(*(uint64_t *)(m.host + 0x1000000 + 0x200 + 160 + 48),
                    ==, 0x1111222233334444ULL);
    /* fxrstor brings it back */
    memset(&env->xmm[3], 0, 16);
    env->mxcsr = 0x1f80;
    g_assert_cmpint(run1("\x0f\xae\x08", 3, 0), ==, -1);    /* fxrstor */
    g_assert_cmphex(env->xmm[3].q[1], ==, 0x5555666677778888ULL);
    g_assert_cmphex(env->mxcsr, ==, 0x1fa0);
    /* misaligned: #GP */
    env->regs[R_EAX] += 8;
    g_assert_cmpint(run1("\x0f\xae\x00", 3, 0), ==, EXCP_GP);
}

static void test_cpuid_msr(void)
{
    CPUX86State *env = m.env;
    uint32_t a, b, c, d;

    x86_cpu_cpuid(env, 1, 0, &a, &b, &c, &d);
    g_assert_cmphex(a, ==, 0x00060fb1);
    g_assert_true(c & (1u << 31));              /* hypervisor */
    g_assert_true(c & (1u << 24));              /* TSC deadline */
    g_assert_true(d & (1u << 26));              /* SSE2 */
    x86_cpu_cpuid(env, 0x40000001, 0, &a, &b, &c, &d);
    g_assert_cmphex(a, ==, 0x0100000b);
    x86_cpu_cpuid(env, 0x80000008, 0, &a, &b, &c, &d);
    g_assert_cmphex(a, ==, 0x3028);
    x86_cpu_cpuid(env, 0x80000007, 0, &a, &b, &c, &d);
    g_assert_true(d & (1 << 8));

    /* rdmsr of an unknown MSR: #GP */
    env->regs[R_ECX] = 0x12345;
    g_assert_cmpint(run1("\x0f\x32", 2, 0), ==, EXCP_GP);
    /* rdmsr from user mode: #GP */
    env->regs[R_ECX] = 0xc0000080;
    g_assert_cmpint(run1("\x0f\x32", 2, 3), ==, EXCP_GP);
    g_assert_cmpint(run1("\x0f\x32", 2, 0), ==, -1);
    g_assert_cmphex(env->regs[R_EAX], ==, env->efer & 0xffffffff);
    /* TSC: 2 GHz of the virtual clock plus the guest's offset */
    m.clock_ns = 1000;
    g_assert_cmpint(run1("\x0f\x31", 2, 0), ==, -1);
    g_assert_cmpuint(env->regs[R_EAX], ==, 2000);
    env->regs[R_ECX] = 0x10;
    env->regs[R_EAX] = 5000;
    env->regs[R_EDX] = 0;
    g_assert_cmpint(run1("\x0f\x30", 2, 0), ==, -1);        /* wrmsr TSC */
    m.clock_ns = 2000;
    run1("\x0f\x31", 2, 0);
    g_assert_cmpuint(env->regs[R_EAX], ==, 7000);
}

static void test_kvmclock(void)
{
    CPUX86State *env = m.env;
    uint8_t *p = m.host + DATA_PA + 0x800;
    uint32_t version, mul;
    uint64_t tsc, ns;

    m.clock_ns = 123456789;
    env->regs[R_ECX] = 0x4b564d01;
    env->regs[R_EAX] = (DATA_PA + 0x800) | 1;
    env->regs[R_EDX] = 0;
    g_assert_cmpint(run1("\x0f\x30", 2, 0), ==, -1);
    memcpy(&version, p, 4);
    memcpy(&tsc, p + 8, 8);
    memcpy(&ns, p + 16, 8);
    memcpy(&mul, p + 24, 4);
    g_assert_cmpuint(version & 1, ==, 0);
    g_assert_cmpuint(ns, ==, 123456789);
    g_assert_cmpuint(tsc, ==, x86_cpu_get_tsc(env));
    g_assert_cmphex(mul, ==, 0x80000000);
    g_assert_cmpuint(p[29] & 1, ==, 1);                     /* TSC_STABLE */
}

static void test_triple_fault(void)
{
    CPUX86State *env = m.env;
    unsigned before = m.resets;
    X86ExecExit r;

    env->idt.limit = 0;     /* every delivery faults */
    memcpy(m.host + CODE, "\x0f\x0b", 2);                   /* ud2 */
    x86_cpu_code_flush(env);
    env->rip = CODE;
    env->halted = false;
    set_cpl(0);
    r = x86_cpu_exec(env, 10);
    g_assert_cmpint(r, ==, X86_EXIT_RESET);
    g_assert_cmpuint(m.resets, ==, before + 1);
    env->reset_requested = false;
    env->idt.limit = 32 * 16 - 1;
}

int main(int argc, char **argv)
{
    int r;

    g_test_init(&argc, &argv, NULL);
    setup();
    g_test_add_func("/x86/mmu/permissions", test_permissions);
    g_test_add_func("/x86/mmu/ad-bits-invlpg", test_ad_bits_and_invlpg);
    g_test_add_func("/x86/mmu/global-large-pages",
                    test_global_and_large_pages);
    g_test_add_func("/x86/mmu/dirty-rearm", test_dirty_rearm);
    g_test_add_func("/x86/mmu/write-tag-race", test_write_tag_race);
    g_test_add_func("/x86/cpu/fxsave", test_fxsave_layout);
    g_test_add_func("/x86/cpu/cpuid-msr-tsc", test_cpuid_msr);
    g_test_add_func("/x86/cpu/kvmclock", test_kvmclock);
    g_test_add_func("/x86/cpu/triple-fault", test_triple_fault);
    r = g_test_run();
    xt_cleanup(&m);
    return r;
}
