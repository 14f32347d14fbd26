/*
 * Migration description of the x86 vCPU ("cpu", version 1).
 *
 * Main section, in order: the 16 GPRs, RIP, RFLAGS (full value: the
 * lazy arithmetic flags are materialised on save and split again on
 * load), ES CS SS DS FS GS, LDTR, TR, GDTR, IDTR (each selector u16,
 * base u64, limit u32, attribute flags u32), CR0..CR8 (nine u64; CR8
 * itself lives in the LAPIC, only the fallback is ours), EFER, the
 * SYSCALL/SYSENTER MSRs, KERNEL_GS_BASE, PAT, MISC_ENABLE, the TSC
 * offset (guest TSC = migrated virtual clock * 2 + offset), HWCR, the
 * APIC-base and CR8 fallbacks, x87 (control, status, tag bits, top,
 * last opcode/IP/DP, ST0..7 as be64 mantissa + be16 sign/exponent),
 * XMM0..15, MXCSR, then halted, NMI blocking and the STI/MOV SS shadow.
 * FS/GS base are part of the segment caches.
 *
 * Subsections (present only when not at their reset value):
 *   cpu/mtrr      MTRRdefType, 11 fixed, 8 variable base/mask pairs
 *   cpu/debug     DR0..DR7
 *   cpu/kvmclock  MSR_KVM_WALL_CLOCK_NEW, MSR_KVM_SYSTEM_TIME_NEW (the
 *                 pvclock page in guest RAM travels with RAM and stays
 *                 valid because the virtual clock is migrated)
 *   cpu/tsc_aux   IA32_TSC_AUX
 *   cpu/mce       IA32_MCG_STATUS
 *   cpu/pending   an exception being delivered and the pending
 *                 external-interrupt / NMI / INIT requests
 *
 * The interpreter's caches (soft TLB, decoded instructions, lazy-flag
 * operands) are never in the stream: post_load drops them.
 */
#include "qemu/osdep.h"
#include "migration/qemu-file.h"
#include "migration/vmstate.h"
#include "target/i386/cpu.h"
#include "target/i386/machine.h"

/* interrupt_request bits that are guest-visible pending events */
#define X86_MIG_IRQ_BITS \
    (CPU_INTERRUPT_HARD | CPU_INTERRUPT_NMI | CPU_INTERRUPT_INIT)

/* ---- element types ---- */

/* RFLAGS: the field is env->eflags, the value the full architectural one */
static bool put_rflags(QEMUFile *f, void *pv, size_t size,
                       const VMStateField *field, Error **errp)
{
    CPUX86State *env = container_of(pv, CPUX86State, eflags);

    qemu_put_be64(f, x86_cpu_get_eflags(env));
    return true;
}

static bool get_rflags(QEMUFile *f, void *pv, size_t size,
                       const VMStateField *field, Error **errp)
{
    CPUX86State *env = container_of(pv, CPUX86State, eflags);

    x86_cpu_set_eflags(env, qemu_get_be64(f));
    return true;
}

static const VMStateInfo vmstate_info_rflags = {
    .name = "rflags",
    .get = get_rflags,
    .put = put_rflags,
};

/* An x87 register: 64-bit significand, then sign + 15-bit exponent. */
static bool put_floatx80(QEMUFile *f, void *pv, size_t size,
                         const VMStateField *field, Error **errp)
{
    uint8_t raw[sizeof(long double)];
    uint64_t mant;
    uint16_t exp;

    memcpy(raw, pv, sizeof(raw));
    memcpy(&mant, raw, 8);
    memcpy(&exp, raw + 8, 2);
    qemu_put_be64(f, GUINT64_FROM_LE(mant));
    qemu_put_be16(f, GUINT16_FROM_LE(exp));
    return true;
}

static bool get_floatx80(QEMUFile *f, void *pv, size_t size,
                         const VMStateField *field, Error **errp)
{
    uint8_t raw[sizeof(long double)] = { 0 };
    uint64_t mant = GUINT64_TO_LE(qemu_get_be64(f));
    uint16_t exp = GUINT16_TO_LE(qemu_get_be16(f));

    memcpy(raw, &mant, 8);
    memcpy(raw + 8, &exp, 2);
    memcpy(pv, raw, sizeof(raw));
    return true;
}

static const VMStateInfo vmstate_info_floatx80 = {
    .name = "floatx80",
    .get = get_floatx80,
    .put = put_floatx80,
};

/* Pending guest events of interrupt_request; loading ORs them in. */
static bool put_irq_request(QEMUFile *f, void *pv, size_t size,
                            const VMStateField *field, Error **errp)
{
    uint32_t req = __atomic_load_n((uint32_t *)pv, __ATOMIC_ACQUIRE);

    qemu_put_be32(f, req & X86_MIG_IRQ_BITS);
    return true;
}

static bool get_irq_request(QEMUFile *f, void *pv, size_t size,
                            const VMStateField *field, Error **errp)
{
    uint32_t req = qemu_get_be32(f);

    if (req & ~X86_MIG_IRQ_BITS) {
        error_setg(errp, "cpu: invalid pending interrupt bits 0x%" PRIx32,
                   req);
        return false;
    }
    __atomic_fetch_or((uint32_t *)pv, req, __ATOMIC_SEQ_CST);
    return true;
}

static const VMStateInfo vmstate_info_irq_request = {
    .name = "interrupt request",
    .get = get_irq_request,
    .put = put_irq_request,
};

/* ---- structures ---- */

static const VMStateDescription vmstate_x86_segment = {
    .name = "segment",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(selector, SegmentCache),
        VMSTATE_UINT64(base, SegmentCache),
        VMSTATE_UINT32(limit, SegmentCache),
        VMSTATE_UINT32(flags, SegmentCache),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_x86_xmm = {
    .name = "xmm_reg",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64_ARRAY(q, X86XMMReg, 2),
        VMSTATE_END_OF_LIST()
    },
};

/* ---- subsections ---- */

static bool all_zero(const uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i]) {
            return false;
        }
    }
    return true;
}

static bool mtrr_needed(void *opaque)
{
    CPUX86State *env = opaque;

    return env->mtrr_cap_def ||
           !all_zero(env->mtrr_fixed, ARRAY_SIZE(env->mtrr_fixed)) ||
           !all_zero(env->mtrr_var, ARRAY_SIZE(env->mtrr_var));
}

static const VMStateDescription vmstate_x86_mtrr = {
    .name = "cpu/mtrr",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = mtrr_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(mtrr_cap_def, CPUX86State),
        VMSTATE_UINT64_ARRAY(mtrr_fixed, CPUX86State, 11),
        VMSTATE_UINT64_ARRAY(mtrr_var, CPUX86State, 16),
        VMSTATE_END_OF_LIST()
    },
};

static bool debug_needed(void *opaque)
{
    CPUX86State *env = opaque;

    return !all_zero(env->dr, ARRAY_SIZE(env->dr));
}

static const VMStateDescription vmstate_x86_debug = {
    .name = "cpu/debug",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = debug_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64_ARRAY(dr, CPUX86State, 8),
        VMSTATE_END_OF_LIST()
    },
};

static bool kvmclock_needed(void *opaque)
{
    CPUX86State *env = opaque;

    return env->kvm_wall_clock_msr || env->kvm_system_time_msr;
}

static const VMStateDescription vmstate_x86_kvmclock = {
    .name = "cpu/kvmclock",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = kvmclock_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(kvm_wall_clock_msr, CPUX86State),
        VMSTATE_UINT64(kvm_system_time_msr, CPUX86State),
        VMSTATE_END_OF_LIST()
    },
};

static bool tsc_aux_needed(void *opaque)
{
    return ((CPUX86State *)opaque)->tsc_aux != 0;
}

static const VMStateDescription vmstate_x86_tsc_aux = {
    .name = "cpu/tsc_aux",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = tsc_aux_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(tsc_aux, CPUX86State),
        VMSTATE_END_OF_LIST()
    },
};

static bool mce_needed(void *opaque)
{
    return ((CPUX86State *)opaque)->mcg_status != 0;
}

static const VMStateDescription vmstate_x86_mce = {
    .name = "cpu/mce",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = mce_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(mcg_status, CPUX86State),
        VMSTATE_END_OF_LIST()
    },
};

static bool pending_needed(void *opaque)
{
    CPUX86State *env = opaque;
    uint32_t req = __atomic_load_n(&env->interrupt_request,
                                   __ATOMIC_ACQUIRE);

    return env->pending_exception != -1 || (req & X86_MIG_IRQ_BITS);
}

static bool pending_valid(void *opaque, int version_id)
{
    CPUX86State *env = opaque;

    return env->pending_exception >= -1 && env->pending_exception < 32;
}

static const VMStateDescription vmstate_x86_pending = {
    .name = "cpu/pending",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = pending_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_INT32(pending_exception, CPUX86State),
        VMSTATE_VALIDATE("pending exception vector", pending_valid),
        VMSTATE_SINGLE(interrupt_request, CPUX86State, 0,
                       vmstate_info_irq_request, uint32_t),
        VMSTATE_END_OF_LIST()
    },
};

/* ---- the section ---- */

static int x86_cpu_pre_save(void *opaque)
{
    CPUX86State *env = opaque;

    /* fold the lazy arithmetic flags into a plain RFLAGS value */
    x86_cpu_set_eflags(env, x86_cpu_get_eflags(env));
    return 0;
}

static int x86_cpu_pre_load(void *opaque)
{
    CPUX86State *env = opaque;

    /* a stream without cpu/pending means nothing is pending */
    env->pending_exception = -1;
    x86_cpu_reset_interrupt(env, X86_MIG_IRQ_BITS);
    return 0;
}

static int x86_cpu_post_load(void *opaque, int version_id)
{
    CPUX86State *env = opaque;

    env->fpstt &= 7;
    env->fptag &= 0xff;
    /*
     * Translations belong to the old state.  Decoded code stays: it is
     * keyed by guest physical address, and whoever rewrote RAM for this
     * load (ram.c, the COLO checkpoint flush) dropped the code of each
     * page it wrote (physmem_code_written), so a COLO secondary keeps
     * its code across checkpoints.
     */
    x86_cpu_tlb_flush(env, true);
    return 0;
}

const VMStateDescription vmstate_x86_cpu = {
    .name = "cpu",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = x86_cpu_pre_save,
    .pre_load = x86_cpu_pre_load,
    .post_load = x86_cpu_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64_ARRAY(regs, CPUX86State, 16),
        VMSTATE_UINT64(rip, CPUX86State),
        VMSTATE_SINGLE(eflags, CPUX86State, 0, vmstate_info_rflags,
                       uint64_t),
        VMSTATE_STRUCT_ARRAY(segs, CPUX86State, 6, 0, vmstate_x86_segment,
                             SegmentCache),
        VMSTATE_STRUCT(ldt, CPUX86State, 0, vmstate_x86_segment,
                       SegmentCache),
        VMSTATE_STRUCT(tr, CPUX86State, 0, vmstate_x86_segment,
                       SegmentCache),
        VMSTATE_STRUCT(gdt, CPUX86State, 0, vmstate_x86_segment,
                       SegmentCache),
        VMSTATE_STRUCT(idt, CPUX86State, 0, vmstate_x86_segment,
                       SegmentCache),
        VMSTATE_UINT64_ARRAY(cr, CPUX86State, 9),
        VMSTATE_UINT64(efer, CPUX86State),
        VMSTATE_UINT64(star, CPUX86State),
        VMSTATE_UINT64(lstar, CPUX86State),
        VMSTATE_UINT64(cstar, CPUX86State),
        VMSTATE_UINT64(fmask, CPUX86State),
        VMSTATE_UINT64(kernel_gs_base, CPUX86State),
        VMSTATE_UINT64(sysenter_cs, CPUX86State),
        VMSTATE_UINT64(sysenter_esp, CPUX86State),
        VMSTATE_UINT64(sysenter_eip, CPUX86State),
        VMSTATE_UINT64(pat, CPUX86State),
        VMSTATE_UINT64(misc_enable, CPUX86State),
        VMSTATE_UINT64(tsc_offset, CPUX86State),
        VMSTATE_UINT64(hwcr, CPUX86State),
        VMSTATE_UINT64(apic_base_fallback, CPUX86State),
        VMSTATE_UINT64(cr8_fallback, CPUX86State),
        VMSTATE_UINT16(fpuc, CPUX86State),
        VMSTATE_UINT16(fpus, CPUX86State),
        VMSTATE_UINT16(fptag, CPUX86State),
        VMSTATE_UINT32(fpstt, CPUX86State),
        VMSTATE_UINT16(fpop, CPUX86State),
        VMSTATE_UINT64(fpip, CPUX86State),
        VMSTATE_UINT64(fpdp, CPUX86State),
        VMSTATE_ARRAY(fpregs, CPUX86State, 8, 0, vmstate_info_floatx80,
                      long double),
        VMSTATE_STRUCT_ARRAY(xmm, CPUX86State, 16, 0, vmstate_x86_xmm,
                             X86XMMReg),
        VMSTATE_UINT32(mxcsr, CPUX86State),
        VMSTATE_BOOL(halted, CPUX86State),
        VMSTATE_BOOL(nmi_blocked, CPUX86State),
        VMSTATE_BOOL(inhibit_irq, CPUX86State),
        VMSTATE_UINT64(inhibit_irq_rip, CPUX86State),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_x86_mtrr,
        &vmstate_x86_debug,
        &vmstate_x86_kvmclock,
        &vmstate_x86_tsc_aux,
        &vmstate_x86_mce,
        &vmstate_x86_pending,
        NULL
    },
};
