/*
 * The vCPU's migration section (target/i386/machine.c): a CPU full of
 * random architectural state survives save -> load, a program stopped
 * mid-way and resumed on a fresh CPU ends exactly like the original,
 * and a corrupt stream is refused without touching more than it must.
 */
#include "qemu/osdep.h"
#include "target/i386/machine.h"
#include "vmstate-test-util.h"
#include "x86/harness.h"

static uint64_t rnd64(void)
{
    return ((uint64_t)g_test_rand_int() << 32) | (uint32_t)g_test_rand_int();
}

static void rnd_seg(SegmentCache *s)
{
    s->selector = g_test_rand_int();
    s->base = rnd64();
    s->limit = g_test_rand_int();
    s->flags = g_test_rand_int();
}

static void rnd_fill(uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        v[i] = rnd64();
    }
}

/* Random values in every migrated field (in range where it matters). */
static void fill_random(CPUX86State *env)
{
    rnd_fill(env->regs, 16);
    env->rip = rnd64();
    x86_cpu_set_eflags(env, rnd64());
    for (int i = 0; i < 6; i++) {
        rnd_seg(&env->segs[i]);
    }
    rnd_seg(&env->ldt);
    rnd_seg(&env->tr);
    rnd_seg(&env->gdt);
    rnd_seg(&env->idt);
    rnd_fill(env->cr, 9);
    env->efer = rnd64();
    rnd_fill(env->dr, 8);
    env->star = rnd64();
    env->lstar = rnd64();
    env->cstar = rnd64();
    env->fmask = rnd64();
    env->kernel_gs_base = rnd64();
    env->sysenter_cs = rnd64();
    env->sysenter_esp = rnd64();
    env->sysenter_eip = rnd64();
    env->pat = rnd64();
    env->mtrr_cap_def = rnd64();
    rnd_fill(env->mtrr_fixed, 11);
    rnd_fill(env->mtrr_var, 16);
    env->misc_enable = rnd64();
    env->tsc_offset = rnd64();
    env->tsc_aux = rnd64();
    env->hwcr = rnd64();
    env->mcg_status = rnd64();
    env->kvm_wall_clock_msr = rnd64();
    env->kvm_system_time_msr = rnd64();
    env->apic_base_fallback = rnd64();
    env->cr8_fallback = rnd64();
    for (int i = 0; i < 8; i++) {
        uint8_t raw[sizeof(long double)] = { 0 };

        for (int j = 0; j < 10; j++) {
            raw[j] = g_test_rand_int();
        }
        memcpy(&env->fpregs[i], raw, sizeof(raw));
    }
    env->fpuc = g_test_rand_int();
    env->fpus = g_test_rand_int();
    env->fptag = g_test_rand_int_range(0, 256);
    env->fpstt = g_test_rand_int_range(0, 8);
    env->fpop = g_test_rand_int();
    env->fpip = rnd64();
    env->fpdp = rnd64();
    for (int i = 0; i < 16; i++) {
        env->xmm[i].q[0] = rnd64();
        env->xmm[i].q[1] = rnd64();
    }
    env->mxcsr = g_test_rand_int();
    env->halted = g_test_rand_bit();
    env->nmi_blocked = g_test_rand_bit();
    env->inhibit_irq = g_test_rand_bit();
    env->inhibit_irq_rip = rnd64();
    env->pending_exception = g_test_rand_int_range(-1, 32);
    x86_cpu_interrupt(env, CPU_INTERRUPT_NMI | CPU_INTERRUPT_HARD);
}

static void assert_seg_eq(const SegmentCache *a, const SegmentCache *b)
{
    g_assert_cmphex(a->selector, ==, b->selector);
    g_assert_cmphex(a->base, ==, b->base);
    g_assert_cmphex(a->limit, ==, b->limit);
    g_assert_cmphex(a->flags, ==, b->flags);
}

#define ASSERT_FIELD(f) g_assert_cmphex(a->f, ==, b->f)
#define ASSERT_ARRAY(f) \
    g_assert_cmpmem(a->f, sizeof(a->f), b->f, sizeof(b->f))

/* Every architectural field equal (the interpreter caches excepted). */
static void assert_arch_eq(CPUX86State *a, CPUX86State *b)
{
    ASSERT_ARRAY(regs);
    ASSERT_FIELD(rip);
    g_assert_cmphex(x86_cpu_get_eflags(a), ==, x86_cpu_get_eflags(b));
    for (int i = 0; i < 6; i++) {
        assert_seg_eq(&a->segs[i], &b->segs[i]);
    }
    assert_seg_eq(&a->ldt, &b->ldt);
    assert_seg_eq(&a->tr, &b->tr);
    assert_seg_eq(&a->gdt, &b->gdt);
    assert_seg_eq(&a->idt, &b->idt);
    ASSERT_ARRAY(cr);
    ASSERT_FIELD(efer);
    ASSERT_ARRAY(dr);
    ASSERT_FIELD(star);
    ASSERT_FIELD(lstar);
    ASSERT_FIELD(cstar);
    ASSERT_FIELD(fmask);
    ASSERT_FIELD(kernel_gs_base);
    ASSERT_FIELD(sysenter_cs);
    ASSERT_FIELD(sysenter_esp);
    ASSERT_FIELD(sysenter_eip);
    ASSERT_FIELD(pat);
    ASSERT_FIELD(mtrr_cap_def);
    ASSERT_ARRAY(mtrr_fixed);
    ASSERT_ARRAY(mtrr_var);
    ASSERT_FIELD(misc_enable);
    ASSERT_FIELD(tsc_offset);
    ASSERT_FIELD(tsc_aux);
    ASSERT_FIELD(hwcr);
    ASSERT_FIELD(mcg_status);
    ASSERT_FIELD(kvm_wall_clock_msr);
    ASSERT_FIELD(kvm_system_time_msr);
    ASSERT_FIELD(apic_base_fallback);
    ASSERT_FIELD(cr8_fallback);
    for (int i = 0; i < 8; i++) {
        g_assert_cmpmem(&a->fpregs[i], 10, &b->fpregs[i], 10);
    }
    ASSERT_FIELD(fpuc);
    ASSERT_FIELD(fpus);
    ASSERT_FIELD(fptag);
    ASSERT_FIELD(fpstt);
    ASSERT_FIELD(fpop);
    ASSERT_FIELD(fpip);
    ASSERT_FIELD(fpdp);
    ASSERT_ARRAY(xmm);
    ASSERT_FIELD(mxcsr);
    ASSERT_FIELD(halted);
    ASSERT_FIELD(nmi_blocked);
    ASSERT_FIELD(inhibit_irq);
    ASSERT_FIELD(inhibit_irq_rip);
    ASSERT_FIELD(pending_exception);
}

static CPUX86State *cpu_new(void)
{
    CPUX86State *env = g_new0(CPUX86State, 1);

    x86_cpu_init(env, NULL);
    return env;
}

static void cpu_free(CPUX86State *env)
{
    x86_cpu_finalize(env);
    g_free(env);
}

/* /x86/vmstate/random-roundtrip: many random states, field by field. */
static void test_random_roundtrip(void)
{
    for (int iter = 0; iter < 64; iter++) {
        CPUX86State *src = cpu_new();
        CPUX86State *dst = cpu_new();
        uint32_t mask = CPU_INTERRUPT_NMI | CPU_INTERRUPT_HARD;

        fill_random(src);
        vmstate_test_roundtrip(&vmstate_x86_cpu, src, dst);
        assert_arch_eq(src, dst);
        g_assert_cmphex(dst->interrupt_request & mask, ==, mask);
        cpu_free(src);
        cpu_free(dst);
    }
}

/* The arithmetic flags computed lazily by the last ALU op are carried. */
static void test_lazy_flags(void)
{
    X86TestMachine m;
    CPUX86State *dst = cpu_new();
    /* mov $-1,%eax; add $1,%eax (ZF CF AF PF); out %eax,$0xf4 */
    static const uint8_t prog[] = {
        0xb8, 0xff, 0xff, 0xff, 0xff, 0x83, 0xc0, 0x01, 0xe7, 0xf4,
    };
    uint64_t want;

    xt_init(&m, 16 * 1024 * 1024);
    memcpy(m.host + XT_LOAD, prog, sizeof(prog));
    x86_cpu_code_flush(m.env);
    xt_run(&m, 2);
    want = x86_cpu_get_eflags(m.env);
    g_assert_cmphex(want & (CC_Z | CC_C), ==, CC_Z | CC_C);
    vmstate_test_roundtrip(&vmstate_x86_cpu, m.env, dst);
    g_assert_cmphex(x86_cpu_get_eflags(dst), ==, want);
    /* saving did not disturb the source either */
    g_assert_cmphex(x86_cpu_get_eflags(m.env), ==, want);
    xt_cleanup(&m);
    cpu_free(dst);
}

/*
 * Loading CPU state keeps the code decoded (and compiled) from pages the
 * load did not rewrite, and drops the code of pages that were rewritten
 * through physmem_code_written(): what a COLO secondary's checkpoint
 * does (RAM flush, then device state), interpreted and native.
 */
/* load @buf's CPU state into @m, run it to the exit port: the code */
static uint32_t load_and_run(X86TestMachine *m, const uint8_t *buf,
                             size_t len)
{
    g_assert_true(vmstate_test_load(&vmstate_x86_cpu, m->env, buf, len, 1,
                                    NULL));
    m->exited = false;
    xt_run(m, 100);
    g_assert_true(m->exited);
    return m->exit_code;
}

static void test_code_across_load(void)
{
    /* mov $1,%eax; out %eax,$0xf4 */
    static const uint8_t prog[] = { 0xb8, 0x01, 0, 0, 0, 0xe7, 0xf4 };

    for (unsigned hot = 0; hot < 2; hot++) {
        X86TestMachine m;
        g_autofree uint8_t *buf = NULL;
        uint64_t misses;
        size_t len;

        xt_init(&m, 16 * 1024 * 1024);
        m.env->jit_hot = hot;
        memcpy(m.host + XT_LOAD, prog, sizeof(prog));
        x86_cpu_code_flush(m.env);
        buf = vmstate_test_save(&vmstate_x86_cpu, m.env, &len);
        xt_run(&m, 100);
        g_assert_true(m.exited);
        g_assert_cmpuint(m.exit_code, ==, 1);

        /* the same state again over unchanged RAM: nothing decoded anew */
        misses = m.env->fast_misses;
        g_assert_cmpuint(load_and_run(&m, buf, len), ==, 1);
        g_assert_cmpuint(m.env->fast_misses, ==, misses);
        g_assert_cmpuint(m.env->jit_blocks, ==, hot);

        /* a checkpoint rewrote the code page: the new code runs */
        m.host[XT_LOAD + 1] = 2;
        physmem_code_written(m.ram, XT_LOAD, sizeof(prog));
        g_assert_cmpuint(load_and_run(&m, buf, len), ==, 2);
        xt_cleanup(&m);
    }
}

/* The stream without optional parts: subsections absent, fresh defaults. */
static void test_subsections_optional(void)
{
    CPUX86State *src = cpu_new();
    CPUX86State *dst = cpu_new();
    size_t bare, full;

    bare = vmstate_test_roundtrip(&vmstate_x86_cpu, src, dst);
    g_assert_cmpint(dst->pending_exception, ==, -1);
    g_assert_cmphex(dst->kvm_system_time_msr, ==, 0);
    src->kvm_system_time_msr = 0x12345001;
    src->mtrr_var[3] = 0xff000800;
    full = vmstate_test_roundtrip(&vmstate_x86_cpu, src, dst);
    g_assert_cmpuint(full, >, bare);
    g_assert_cmphex(dst->kvm_system_time_msr, ==, 0x12345001);
    g_assert_cmphex(dst->mtrr_var[3], ==, 0xff000800);
    cpu_free(src);
    cpu_free(dst);
}

/* A corrupt pending-event subsection is refused; truncation too. */
static void test_bad_stream(void)
{
    CPUX86State *src = cpu_new();
    CPUX86State *dst = cpu_new();
    g_autofree uint8_t *buf = NULL;
    Error *err = NULL;
    uint8_t *name;
    size_t len;

    src->pending_exception = 14;
    buf = vmstate_test_save(&vmstate_x86_cpu, src, &len);
    g_assert_true(vmstate_test_load(&vmstate_x86_cpu, dst, buf, len, 1,
                                    NULL));
    g_assert_cmpint(dst->pending_exception, ==, 14);

    /* vector 200 in cpu/pending (name, be32 version, be32 vector) */
    name = memmem(buf, len, "cpu/pending", 11);
    g_assert_nonnull(name);
    g_assert_cmpuint(name[11 + 4 + 3], ==, 14);
    name[11 + 4 + 3] = 200;
    g_assert_false(vmstate_test_load(&vmstate_x86_cpu, dst, buf, len, 1,
                                     &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;

    for (size_t cut = 0; cut < len; cut += 37) {
        g_assert_false(vmstate_test_load(&vmstate_x86_cpu, dst, buf, cut, 1,
                                         &err));
        error_free(err);
        err = NULL;
    }
    cpu_free(src);
    cpu_free(dst);
}

/*
 * Run @name for @split instructions, save the CPU and RAM, finish the
 * run; then load both into a fresh machine, finish there, and compare
 * the final CPU state, RAM and console output.
 */
static void run_split(const char *name, uint64_t split)
{
    const uint64_t ram = 64 * 1024 * 1024;
    const uint64_t budget = 200 * 1000 * 1000;
    X86TestMachine m;
    g_autofree uint8_t *cpu_mid = NULL;
    g_autofree uint8_t *ram_mid = NULL;
    g_autofree uint8_t *ram_end = NULL;
    g_autofree char *console_mid = NULL;
    g_autofree char *console_end = NULL;
    CPUX86State *final = cpu_new();
    size_t cpu_len;

    xt_init(&m, ram);
    xt_load_prog(&m, name, XT_LOAD);
    xt_run(&m, split);
    g_assert_false(m.exited);
    g_assert_cmpuint(m.env->icount, ==, split);
    cpu_mid = vmstate_test_save(&vmstate_x86_cpu, m.env, &cpu_len);
    ram_mid = g_memdup2(m.host, ram);
    console_mid = g_strdup(m.console->str);
    xt_run(&m, budget);
    g_assert_true(m.exited);
    g_assert_cmpuint(m.exit_code, ==, 0);
    vmstate_test_roundtrip(&vmstate_x86_cpu, m.env, final);
    ram_end = g_memdup2(m.host, ram);
    console_end = g_strdup(m.console->str);
    xt_cleanup(&m);

    /* the destination: a fresh machine, then the saved state */
    xt_init(&m, ram);
    memcpy(m.host, ram_mid, ram);
    g_assert_true(vmstate_test_load(&vmstate_x86_cpu, m.env, cpu_mid,
                                    cpu_len, 1, &error_abort));
    g_string_assign(m.console, console_mid);
    xt_run(&m, budget);
    g_assert_true(m.exited);
    g_assert_cmpuint(m.exit_code, ==, 0);
    assert_arch_eq(final, m.env);
    g_assert_true(memcmp(ram_end, m.host, ram) == 0);
    g_assert_cmpstr(m.console->str, ==, console_end);
    xt_cleanup(&m);
    cpu_free(final);
}

/* /x86/vmstate/resume/bench: ALU loop with lazy flags in flight. */
static void test_resume_bench(void)
{
    run_split("bench", 1234567);
}

/* /x86/vmstate/resume/system: IDT, user mode, paging, SYSCALL. */
static void test_resume_system(void)
{
    X86TestMachine m;
    uint64_t total;

    xt_init(&m, 64 * 1024 * 1024);
    xt_load_prog(&m, "system", XT_LOAD);
    xt_run(&m, 200 * 1000 * 1000);
    g_assert_true(m.exited);
    total = m.env->icount;
    xt_cleanup(&m);
    for (uint64_t at = total / 7; at < total; at += total / 7 + 1) {
        run_split("system", at);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/vmstate/random-roundtrip", test_random_roundtrip);
    g_test_add_func("/x86/vmstate/lazy-flags", test_lazy_flags);
    g_test_add_func("/x86/vmstate/code-across-load", test_code_across_load);
    g_test_add_func("/x86/vmstate/subsections-optional",
                    test_subsections_optional);
    g_test_add_func("/x86/vmstate/bad-stream", test_bad_stream);
    g_test_add_func("/x86/vmstate/resume/bench", test_resume_bench);
    g_test_add_func("/x86/vmstate/resume/system", test_resume_system);
    return g_test_run();
}
