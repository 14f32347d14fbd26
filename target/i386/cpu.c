/*
 * CPU model: reset state, boot state, CPUID, MSRs and guest time.
 *
 * Guest time: TSC = virtual clock (ns, hooks->clock_ns) * 2 + tsc_offset,
 * i.e. a 2 GHz invariant TSC that stops while the VM is stopped.  RDTSC,
 * RDTSCP, MSR 0x10 and kvmclock all go through x86_cpu_get_tsc().
 * kvmclock's pvclock_vcpu_time_info is written once per enable with
 * TSC_STABLE (the TSC is linear in the virtual clock).
 */
#include "qemu/osdep.h"
#include <sys/mman.h>
#include "internal.h"
#include "fastpath.h"

#define MSR_TSC             0x10
#define MSR_APIC_BASE       0x1b
#define MSR_BIOS_SIGN       0x8b
#define MSR_MTRRCAP         0xfe
#define MSR_SYSENTER_CS     0x174
#define MSR_SYSENTER_ESP    0x175
#define MSR_SYSENTER_EIP    0x176
#define MSR_MCG_CAP         0x179
#define MSR_MCG_STATUS      0x17a
#define MSR_MCG_CTL         0x17b
#define MSR_MISC_ENABLE     0x1a0
#define MSR_MTRR_PHYS0      0x200
#define MSR_MTRR_FIX64K     0x250
#define MSR_MTRR_FIX16K_0   0x258
#define MSR_MTRR_FIX16K_1   0x259
#define MSR_MTRR_FIX4K_0    0x268
#define MSR_PAT             0x277
#define MSR_MTRR_DEF        0x2ff
#define MSR_TSC_DEADLINE    0x6e0
#define MSR_EFER            0xc0000080
#define MSR_STAR            0xc0000081
#define MSR_LSTAR           0xc0000082
#define MSR_CSTAR           0xc0000083
#define MSR_FMASK           0xc0000084
#define MSR_FS_BASE         0xc0000100
#define MSR_GS_BASE         0xc0000101
#define MSR_KERNEL_GS_BASE  0xc0000102
#define MSR_TSC_AUX         0xc0000103
#define MSR_KVM_WALL_OLD    0x11
#define MSR_KVM_SYSTIME_OLD 0x12
#define MSR_KVM_WALL        0x4b564d00
#define MSR_KVM_SYSTIME     0x4b564d01
#define MSR_AMD_HWCR        0xc0010015

static const uint32_t cpuid1_edx =
    (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) |
    (1 << 8) | (1 << 9) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 15) |
    (1 << 16) | (1 << 19) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26);
static const uint32_t cpuid1_ecx = (1u << 31) | (1 << 24);

static void str_regs(const char *s, uint32_t *b, uint32_t *d, uint32_t *c)
{
    memcpy(b, s, 4);
    memcpy(d, s + 4, 4);
    memcpy(c, s + 8, 4);
}

void x86_cpu_cpuid(CPUX86State *env, uint32_t leaf, uint32_t sub,
                   uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    static const char brand[48] = "QEMU Virtual CPU version 2.5+";

    *a = *b = *c = *d = 0;
    switch (leaf) {
    case 0:
        *a = 0xd;
        str_regs("AuthenticAMD", b, d, c);
        break;
    case 1:
        *a = 0x00060fb1;
        *b = 0x00010800;
        *c = cpuid1_ecx;
        *d = cpuid1_edx;
        break;
    case 0x40000000:
        *a = 0x40000001;
        str_regs("KVMKVMKVM\0\0\0", b, c, d);
        break;
    case 0x40000001:
        *a = (1 << 0) | (1 << 1) | (1 << 3) | (1 << 24);
        break;
    case 0x80000000:
        *a = 0x80000008;
        str_regs("AuthenticAMD", b, d, c);
        break;
    case 0x80000001:
        *a = 0x00060fb1;
        *c = 1;                         /* LAHF/SAHF in 64-bit mode */
        *d = (cpuid1_edx & 0x0183f3ff) | (1 << 11) | (1 << 20) |
             (1 << 27) | (1u << 29);
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004:
        memcpy(a, brand + (leaf - 0x80000002) * 16, 4);
        memcpy(b, brand + (leaf - 0x80000002) * 16 + 4, 4);
        memcpy(c, brand + (leaf - 0x80000002) * 16 + 8, 4);
        memcpy(d, brand + (leaf - 0x80000002) * 16 + 12, 4);
        break;
    case 0x80000005:
        *a = 0x01ff01ff;
        *b = 0x01ff01ff;
        *c = 0x40020140;
        *d = 0x40020140;
        break;
    case 0x80000006:
        *b = 0x42004200;
        *c = 0x02008140;
        *d = 0x00808140;
        break;
    case 0x80000007:
        *d = 1 << 8;
        break;
    case 0x80000008:
        *a = 0x3028;
        break;
    default:
        break;
    }
}

void helper_cpuid(CPUX86State *env)
{
    uint32_t a, b, c, d;

    x86_cpu_cpuid(env, env->regs[R_EAX], env->regs[R_ECX], &a, &b, &c, &d);
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
}

static int64_t clock_ns(CPUX86State *env)
{
    if (env->hooks && env->hooks->clock_ns) {
        return env->hooks->clock_ns(env->hooks->opaque);
    }
    return 0;
}

uint64_t x86_cpu_get_tsc(CPUX86State *env)
{
    return (uint64_t)clock_ns(env) * (X86_TSC_KHZ / 1000000) +
           env->tsc_offset;
}

static void kvmclock_write_wall(CPUX86State *env, uint64_t gpa)
{
    int64_t wall = g_get_real_time() * 1000 - clock_ns(env);
    uint32_t w[3];

    w[0] = 2;
    w[1] = wall / 1000000000;
    w[2] = wall % 1000000000;
    phys_write(gpa, w, sizeof(w));
}

static void kvmclock_write_systime(CPUX86State *env)
{
    uint64_t gpa = env->kvm_system_time_msr & ~1ULL;
    uint8_t buf[32] = { 0 };
    uint32_t version = 2, mul = 0x80000000u;   /* ns = tsc / 2 */
    uint64_t tsc, ns;

    if (!(env->kvm_system_time_msr & 1)) {
        return;
    }
    ns = clock_ns(env);
    tsc = ns * 2 + env->tsc_offset;
    memcpy(buf, &version, 4);
    memcpy(buf + 8, &tsc, 8);
    memcpy(buf + 16, &ns, 8);
    memcpy(buf + 24, &mul, 4);
    buf[28] = 0;                /* tsc_shift */
    buf[29] = 1;                /* PVCLOCK_TSC_STABLE_BIT */
    phys_write(gpa, buf, sizeof(buf));
}

static bool msr_read(CPUX86State *env, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_TSC:
        *val = x86_cpu_get_tsc(env);
        return true;
    case MSR_BIOS_SIGN:
    case MSR_MCG_CAP:
    case MSR_MCG_CTL:
        *val = 0;
        return true;
    case MSR_MCG_STATUS:
        *val = env->mcg_status;
        return true;
    case MSR_MTRRCAP:
        *val = 0x508;           /* 8 variable ranges, fixed, WC */
        return true;
    case MSR_SYSENTER_CS:
        *val = env->sysenter_cs;
        return true;
    case MSR_SYSENTER_ESP:
        *val = env->sysenter_esp;
        return true;
    case MSR_SYSENTER_EIP:
        *val = env->sysenter_eip;
        return true;
    case MSR_MISC_ENABLE:
        *val = env->misc_enable;
        return true;
    case MSR_PAT:
        *val = env->pat;
        return true;
    case MSR_MTRR_DEF:
        *val = env->mtrr_cap_def;
        return true;
    case MSR_MTRR_FIX64K:
        *val = env->mtrr_fixed[0];
        return true;
    case MSR_MTRR_FIX16K_0:
    case MSR_MTRR_FIX16K_1:
        *val = env->mtrr_fixed[1 + msr - MSR_MTRR_FIX16K_0];
        return true;
    case MSR_EFER:
        *val = env->efer;
        return true;
    case MSR_STAR:
        *val = env->star;
        return true;
    case MSR_LSTAR:
        *val = env->lstar;
        return true;
    case MSR_CSTAR:
        *val = env->cstar;
        return true;
    case MSR_FMASK:
        *val = env->fmask;
        return true;
    case MSR_FS_BASE:
        *val = env->segs[R_FS].base;
        return true;
    case MSR_GS_BASE:
        *val = env->segs[R_GS].base;
        return true;
    case MSR_KERNEL_GS_BASE:
        *val = env->kernel_gs_base;
        return true;
    case MSR_TSC_AUX:
        *val = env->tsc_aux;
        return true;
    case MSR_KVM_WALL:
    case MSR_KVM_WALL_OLD:
        *val = env->kvm_wall_clock_msr;
        return true;
    case MSR_KVM_SYSTIME:
    case MSR_KVM_SYSTIME_OLD:
        *val = env->kvm_system_time_msr;
        return true;
    case MSR_AMD_HWCR:
        *val = env->hwcr;
        return true;
    case 0xc0010000 ... 0xc0010007:     /* perf counters: probe reads 0 */
    case 0xc0010010:                    /* SYSCFG */
    case 0xc0010055:                    /* interrupt pending (E400) */
    case 0xc0011029:                    /* DE_CFG */
        *val = 0;
        return true;
    default:
        break;
    }
    if (msr >= MSR_MTRR_PHYS0 && msr < MSR_MTRR_PHYS0 + 16) {
        *val = env->mtrr_var[msr - MSR_MTRR_PHYS0];
        return true;
    }
    if (msr >= MSR_MTRR_FIX4K_0 && msr < MSR_MTRR_FIX4K_0 + 8) {
        *val = env->mtrr_fixed[3 + msr - MSR_MTRR_FIX4K_0];
        return true;
    }
    if (env->hooks && env->hooks->msr_read &&
        env->hooks->msr_read(env->hooks->opaque, msr, val)) {
        return true;
    }
    if (msr == MSR_APIC_BASE) {
        *val = env->apic_base_fallback;
        return true;
    }
    return false;
}

static bool canonical(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

static bool msr_write(CPUX86State *env, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_TSC:
        env->tsc_offset = val - (uint64_t)clock_ns(env) *
                                (X86_TSC_KHZ / 1000000);
        return true;
    case MSR_BIOS_SIGN:
    case MSR_MCG_CTL:
        return true;
    case MSR_MCG_STATUS:
        env->mcg_status = val;
        return true;
    case MSR_SYSENTER_CS:
        env->sysenter_cs = val & 0xffff;
        return true;
    case MSR_SYSENTER_ESP:
        env->sysenter_esp = val;
        return true;
    case MSR_SYSENTER_EIP:
        env->sysenter_eip = val;
        return true;
    case MSR_MISC_ENABLE:
        env->misc_enable = val;
        return true;
    case MSR_PAT:
        env->pat = val;
        return true;
    case MSR_MTRR_DEF:
        env->mtrr_cap_def = val;
        return true;
    case MSR_MTRR_FIX64K:
        env->mtrr_fixed[0] = val;
        return true;
    case MSR_MTRR_FIX16K_0:
    case MSR_MTRR_FIX16K_1:
        env->mtrr_fixed[1 + msr - MSR_MTRR_FIX16K_0] = val;
        return true;
    case MSR_EFER:
        if (val & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) {
            return false;
        }
        if (((val ^ env->efer) & (EFER_LME | EFER_LMA))) {
            return false;       /* cannot leave long mode */
        }
        if ((val ^ env->efer) & EFER_NXE) {
            x86_cpu_tlb_flush(env, true);
        }
        env->efer = val;
        return true;
    case MSR_STAR:
        env->star = val;
        return true;
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_KERNEL_GS_BASE:
        if (!canonical(val)) {
            return false;
        }
        if (msr == MSR_LSTAR) {
            env->lstar = val;
        } else if (msr == MSR_CSTAR) {
            env->cstar = val;
        } else if (msr == MSR_FS_BASE) {
            env->segs[R_FS].base = val;
        } else if (msr == MSR_GS_BASE) {
            env->segs[R_GS].base = val;
        } else {
            env->kernel_gs_base = val;
        }
        return true;
    case MSR_FMASK:
        env->fmask = val & 0xffffffff;
        return true;
    case MSR_TSC_AUX:
        env->tsc_aux = val & 0xffffffff;
        return true;
    case MSR_KVM_WALL:
    case MSR_KVM_WALL_OLD:
        env->kvm_wall_clock_msr = val;
        kvmclock_write_wall(env, val);
        return true;
    case MSR_KVM_SYSTIME:
    case MSR_KVM_SYSTIME_OLD:
        env->kvm_system_time_msr = val;
        kvmclock_write_systime(env);
        return true;
    case MSR_AMD_HWCR:
        env->hwcr = val;
        return true;
    case 0xc0010000 ... 0xc0010007:
    case 0xc0010010:
    case 0xc0011029:
        return true;
    default:
        break;
    }
    if (msr >= MSR_MTRR_PHYS0 && msr < MSR_MTRR_PHYS0 + 16) {
        env->mtrr_var[msr - MSR_MTRR_PHYS0] = val;
        return true;
    }
    if (msr >= MSR_MTRR_FIX4K_0 && msr < MSR_MTRR_FIX4K_0 + 8) {
        env->mtrr_fixed[3 + msr - MSR_MTRR_FIX4K_0] = val;
        return true;
    }
    if (env->hooks && env->hooks->msr_write &&
        env->hooks->msr_write(env->hooks->opaque, msr, val)) {
        return true;
    }
    if (msr == MSR_APIC_BASE) {
        env->apic_base_fallback = val;
        return true;
    }
    return false;
}

void helper_rdmsr(CPUX86State *env)
{
    uint64_t val;

    if (cpu_cpl(env) != 0 ||
        !msr_read(env, (uint32_t)env->regs[R_ECX], &val)) {
        raise_gp0(env);
    }
    env->regs[R_EAX] = (uint32_t)val;
    env->regs[R_EDX] = val >> 32;
}

void helper_wrmsr(CPUX86State *env)
{
    uint64_t val = (uint32_t)env->regs[R_EAX] |
                   (env->regs[R_EDX] << 32);

    if (cpu_cpl(env) != 0 ||
        !msr_write(env, (uint32_t)env->regs[R_ECX], val)) {
        raise_gp0(env);
    }
}

void x86_cpu_reset(CPUX86State *env)
{
    const X86CPUHooks *hooks = env->hooks;
    int i;

    memset(env, 0, offsetof(CPUX86State, hooks));
    env->hooks = hooks;
    env->eflags = 2;
    env->cc_op = CC_OP_EFLAGS;
    env->cr[0] = 0x60000010;
    env->segs[R_CS].selector = 0xf000;
    env->segs[R_CS].base = 0xffff0000;
    env->segs[R_CS].limit = 0xffff;
    env->rip = 0xfff0;
    env->gdt.limit = env->idt.limit = 0xffff;
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->pat = 0x0007040600070406ULL;
    env->misc_enable = 1;       /* fast strings */
    env->apic_base_fallback = 0xfee00900;
    env->pending_exception = -1;
    x87_reset(env);
    env->mxcsr = 0x1f80;
    for (i = 0; i < 6; i++) {
        env->segs[i].limit = 0xffff;
        env->segs[i].flags = DESC_P | DESC_S | (3 << DESC_TYPE_SHIFT);
    }
    env->segs[R_CS].flags = DESC_P | DESC_S | (0xb << DESC_TYPE_SHIFT);
    x86_cpu_tlb_flush(env, true);
}

/* physmem's code hook: a page with decoded instructions was written */
static void code_written(void *opaque, ram_addr_t page)
{
    CPUX86State *env = opaque;
    unsigned i = (page >> TARGET_PAGE_BITS) % SMC_PAGES;

    /*
     * Pages written again and again while holding code (mixed code and
     * data) are left to the full decoder for a while (fastpath.c.inc);
     * text patched once in a while (jump labels) is decoded again.
     */
    if (env->smc_pages[i] == page + 1) {
        if (env->smc_writes[i] < UINT8_MAX) {
            env->smc_writes[i]++;
        }
    } else {
        env->smc_pages[i] = page + 1;
        env->smc_writes[i] = 1;
    }
    __atomic_fetch_add(&env->page_epochs[x86_code_slot(page)], 1,
                       __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&env->code_epoch, 1, __ATOMIC_RELAXED);
}

void x86_cpu_code_flush(CPUX86State *env)
{
    int i;

    for (i = 0; i < CODE_SLOTS; i++) {
        __atomic_fetch_add(&env->page_epochs[i], 1, __ATOMIC_SEQ_CST);
    }
    __atomic_fetch_add(&env->code_epoch, 1, __ATOMIC_RELAXED);
}

bool x86_code_page_slot(const uint8_t *host, unsigned *slot)
{
    uint64_t off;
    RAMBlock *rb = ram_block_from_host(host, &off);

    if (!rb) {
        *slot = 0;
        return false;
    }
    *slot = x86_code_slot(ram_block_ram_addr(rb) + off);
    return true;
}

bool x86_mark_code_page(CPUX86State *env, const uint8_t *host)
{
    uint64_t off;
    RAMBlock *rb = ram_block_from_host(host, &off);
    ram_addr_t page;
    unsigned i;

    if (!rb) {
        return false;
    }
    page = (ram_block_ram_addr(rb) + off) & TARGET_PAGE_MASK;
    if (env->icount - env->smc_clear_icount > SMC_WINDOW) {
        memset(env->smc_pages, 0, sizeof(env->smc_pages));
        memset(env->smc_writes, 0, sizeof(env->smc_writes));
        env->smc_clear_icount = env->icount;
    }
    i = (page >> TARGET_PAGE_BITS) % SMC_PAGES;
    if (env->smc_pages[i] == page + 1 &&
        env->smc_writes[i] >= SMC_HOLD_WRITES) {
        return false;
    }
    if (dirty_page_test(DIRTY_CLIENT_CODE, rb, off)) {
        dirty_range_clear(DIRTY_CLIENT_CODE, rb, off & TARGET_PAGE_MASK,
                          TARGET_PAGE_SIZE);
        /* existing fast write entries would miss the next write */
        x86_cpu_tlb_flush_writes(env);
    }
    return true;
}

/* jit.c.inc emits x86-64 code for the System V ABI */
#if defined(__x86_64__) && defined(__linux__)
#define JIT_HOST_OK true
#else
#define JIT_HOST_OK false
#endif

void x86_cpu_init(CPUX86State *env, const X86CPUHooks *hooks)
{
    memset(env, 0, sizeof(*env));
    env->hooks = hooks;
    env->fast_blocks = g_new0(X86FastBlock *, FAST_BLOCK_SIZE);
    /* cache-line aligned; a block takes FAST_HDR_UNITS + n units */
    env->fast_pool = g_aligned_alloc0(FAST_POOL_SIZE, sizeof(FastInsn), 64);
    env->page_epochs = g_new0(uint32_t, CODE_SLOTS);
    env->jit_buf = JIT_HOST_OK ?
        mmap(NULL, JIT_BUF_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) :
        MAP_FAILED;
    if (env->jit_buf == MAP_FAILED) {
        env->jit_buf = NULL;    /* interpreted only */
    } else {
        env->jit_hot = JIT_HOT_DEFAULT;
    }
    env->jit_jc = g_new0(X86JitJump, JIT_JC_SIZE);
    physmem_set_code_hook(code_written, env);
    x86_cpu_reset(env);
}

void x86_cpu_finalize(CPUX86State *env)
{
    physmem_set_code_hook(NULL, NULL);
    g_free(env->fast_blocks);
    env->fast_blocks = NULL;
    g_aligned_free(env->fast_pool);
    env->fast_pool = NULL;
    g_free(env->page_epochs);
    env->page_epochs = NULL;
    if (env->jit_buf) {
        munmap(env->jit_buf, JIT_BUF_SIZE);
        env->jit_buf = NULL;
    }
    env->jit_hot = 0;
    g_free(env->jit_jc);
    env->jit_jc = NULL;
}

static void boot_seg(CPUX86State *env, int seg, uint16_t sel, bool code)
{
    SegmentCache *s = &env->segs[seg];

    s->selector = sel;
    s->base = 0;
    s->limit = 0xffffffff;
    s->flags = DESC_G | DESC_P | DESC_S |
               (code ? (DESC_L | (0xb << DESC_TYPE_SHIFT))
                     : (DESC_B | (0x3 << DESC_TYPE_SHIFT)));
    if (!sel && !code) {
        s->flags = 0;
        s->limit = 0;
    }
}

void x86_cpu_load_boot_state(CPUX86State *env, const X86BootState *bs)
{
    env->rip = bs->rip;
    env->regs[R_ESI] = bs->rsi;
    env->regs[R_ESP] = bs->rsp;
    env->cr[0] = bs->cr0 | CR0_ET;
    env->cr[3] = bs->cr3;
    env->cr[4] = bs->cr4;
    env->efer = bs->efer | EFER_LMA;
    env->gdt.base = bs->gdt_base;
    env->gdt.limit = bs->gdt_limit;
    env->idt.base = 0;
    env->idt.limit = 0;
    boot_seg(env, R_CS, bs->cs, true);
    boot_seg(env, R_DS, bs->ds, false);
    boot_seg(env, R_ES, bs->es, false);
    boot_seg(env, R_SS, bs->ss, false);
    boot_seg(env, R_FS, bs->fs, false);
    boot_seg(env, R_GS, bs->gs, false);
    env->tr.limit = 0xffff;
    env->tr.flags = DESC_P | (0xb << DESC_TYPE_SHIFT);
    x86_cpu_set_eflags(env, 2);
    x86_cpu_tlb_flush(env, true);
}

void x86_cpu_interrupt(CPUX86State *env, uint32_t mask)
{
    __atomic_fetch_or(&env->interrupt_request, mask, __ATOMIC_SEQ_CST);
}

void x86_cpu_reset_interrupt(CPUX86State *env, uint32_t mask)
{
    __atomic_fetch_and(&env->interrupt_request, ~mask, __ATOMIC_SEQ_CST);
}
