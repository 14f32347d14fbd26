/*
 * System instructions: segment and descriptor-table loads, control
 * registers, IRETQ/LRETQ/far transfers, SYSCALL/SYSRET and port I/O.
 * Long mode only (64-bit code segments; compat mode is not needed by the
 * 64-bit boot protocol).
 */
#include "qemu/osdep.h"
#include "internal.h"

#define CR4_SUPPORTED (0x7ffULL)    /* VME..OSXMMEXCPT */

bool load_descriptor(CPUX86State *env, uint16_t sel, uint32_t *lo,
                     uint32_t *hi)
{
    SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;
    uint32_t idx = sel & ~7u;
    uint64_t d;

    if (idx + 7 > dt->limit) {
        return false;
    }
    d = cpu_ld_mmu(env, dt->base + idx, 8, MMU_KERNEL);
    *lo = (uint32_t)d;
    *hi = d >> 32;
    return true;
}

static void set_seg(SegmentCache *s, uint16_t sel, uint32_t lo, uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0x000f0000);

    if (hi & DESC_G) {
        limit = (limit << 12) | 0xfff;
    }
    s->selector = sel;
    s->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
    s->limit = limit;
    s->flags = hi & 0x00f0ff00;
}

static void mark_accessed(CPUX86State *env, uint16_t sel, uint32_t hi)
{
    SegmentCache *dt = (sel & 4) ? &env->ldt : &env->gdt;

    if (!(hi & (1 << 8))) {
        cpu_st_mmu(env, dt->base + (sel & ~7u) + 4, 4, hi | (1 << 8),
                   MMU_KERNEL);
    }
}

void helper_load_seg(CPUX86State *env, int seg, uint16_t sel)
{
    int cpl = cpu_cpl(env), rpl = sel & 3, dpl;
    uint32_t lo, hi;

    if ((sel & 0xfffc) == 0) {
        if (seg == R_SS && (cpl == 3 || rpl != cpl)) {
            raise_exception_err(env, EXCP_GP, 0);
        }
        env->segs[seg].selector = sel;
        env->segs[seg].base = 0;
        env->segs[seg].limit = 0;
        env->segs[seg].flags = 0;
        return;
    }
    if (!load_descriptor(env, sel, &lo, &hi)) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (!(hi & DESC_S)) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    if (seg == R_SS) {
        /* writable data, RPL = DPL = CPL */
        if ((hi & (1 << 11)) || !(hi & (1 << 9)) || rpl != cpl ||
            dpl != cpl) {
            raise_exception_err(env, EXCP_GP, sel & 0xfffc);
        }
        if (!(hi & DESC_P)) {
            raise_exception_err(env, EXCP_SS, sel & 0xfffc);
        }
    } else {
        /* readable; data or non-conforming code needs DPL >= max */
        if ((hi & (1 << 11)) && !(hi & (1 << 9))) {
            raise_exception_err(env, EXCP_GP, sel & 0xfffc);
        }
        if (!((hi & (1 << 11)) && (hi & (1 << 10))) &&
            (rpl > dpl || cpl > dpl)) {
            raise_exception_err(env, EXCP_GP, sel & 0xfffc);
        }
        if (!(hi & DESC_P)) {
            raise_exception_err(env, EXCP_NP, sel & 0xfffc);
        }
    }
    mark_accessed(env, sel, hi);
    set_seg(&env->segs[seg], sel, lo, hi);
}

void helper_lgdt_lidt(CPUX86State *env, bool idt, uint64_t base,
                      uint16_t limit)
{
    SegmentCache *dt = idt ? &env->idt : &env->gdt;

    dt->base = base;
    dt->limit = limit;
}

/* 16-byte system descriptor (LDT, TSS) */
static void load_sys_desc(CPUX86State *env, uint16_t sel, int want_type,
                          SegmentCache *out, bool mark_busy)
{
    uint32_t lo, hi;
    uint64_t upper;

    if (sel & 4) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    if ((sel & ~7u) + 15 > env->gdt.limit) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    if (!load_descriptor(env, sel, &lo, &hi)) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    if ((hi & DESC_S) || ((hi >> 8) & 0xf) != want_type) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    if (!(hi & DESC_P)) {
        raise_exception_err(env, EXCP_NP, sel & 0xfffc);
    }
    upper = cpu_ld_mmu(env, env->gdt.base + (sel & ~7u) + 8, 8, MMU_KERNEL);
    set_seg(out, sel, lo, hi);
    out->base |= (upper & 0xffffffffULL) << 32;
    if (mark_busy) {
        cpu_st_mmu(env, env->gdt.base + (sel & ~7u) + 4, 4, hi | (2 << 8),
                   MMU_KERNEL);
        out->flags |= 2 << 8;
    }
}

void helper_lldt(CPUX86State *env, uint16_t sel)
{
    if ((sel & 0xfffc) == 0) {
        env->ldt.selector = 0;
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.flags = 0;
        return;
    }
    load_sys_desc(env, sel, 2, &env->ldt, false);
}

void helper_ltr(CPUX86State *env, uint16_t sel)
{
    if ((sel & 0xfffc) == 0) {
        raise_exception_err(env, EXCP_GP, 0);
    }
    load_sys_desc(env, sel, 9, &env->tr, true);
}

uint64_t helper_read_cr(CPUX86State *env, int cr)
{
    if (cr == 8) {
        if (env->hooks && env->hooks->get_tpr) {
            return env->hooks->get_tpr(env->hooks->opaque);
        }
        return env->cr8_fallback;
    }
    return env->cr[cr];
}

void helper_write_cr(CPUX86State *env, int cr, uint64_t val)
{
    uint64_t old = env->cr[cr];

    switch (cr) {
    case 0:
        if ((val >> 32) || !(val & CR0_PG) || !(val & CR0_PE)) {
            /* leaving long mode is not supported (nor needed) */
            raise_gp0(env);
        }
        env->cr[0] = val | CR0_ET;
        if ((old ^ val) & (CR0_WP | CR0_PG | CR0_PE)) {
            x86_cpu_tlb_flush(env, true);
        }
        break;
    case 2:
        env->cr[2] = val;
        break;
    case 3:
        if (val & ~((1ULL << 40) - 1)) {
            raise_gp0(env);
        }
        env->cr[3] = val;
        x86_cpu_tlb_flush(env, false);
        break;
    case 4:
        if ((val & ~CR4_SUPPORTED) || !(val & CR4_PAE)) {
            raise_gp0(env);
        }
        env->cr[4] = val;
        if ((old ^ val) & (CR4_PGE | CR4_PAE | CR4_PSE)) {
            x86_cpu_tlb_flush(env, true);
        }
        break;
    case 8:
        if (val & ~0xfULL) {
            raise_gp0(env);
        }
        if (env->hooks && env->hooks->set_tpr) {
            env->hooks->set_tpr(env->hooks->opaque, val);
        } else {
            env->cr8_fallback = val;
        }
        break;
    default:
        raise_ud(env);
    }
}

void helper_mov_dr(CPUX86State *env, int dr, uint64_t val)
{
    if (dr == 4 || dr == 5) {
        dr += 2;
    }
    if ((dr == 6 || dr == 7) && (val >> 32)) {
        raise_gp0(env);
    }
    env->dr[dr] = val;
}

static void load_cs_checked(CPUX86State *env, uint16_t sel, int new_cpl)
{
    uint32_t lo, hi;
    int dpl;

    if ((sel & 0xfffc) == 0 || !load_descriptor(env, sel, &lo, &hi)) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    dpl = (hi >> DESC_DPL_SHIFT) & 3;
    if (!(hi & DESC_S) || !(hi & (1 << 11))) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    if ((hi & (1 << 10)) ? dpl > new_cpl : dpl != new_cpl) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    if (!(hi & DESC_P)) {
        raise_exception_err(env, EXCP_NP, sel & 0xfffc);
    }
    if (!(hi & DESC_L) || (hi & DESC_B)) {
        /* compatibility mode is not implemented */
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    mark_accessed(env, sel, hi);
    set_seg(&env->segs[R_CS], (sel & 0xfffc) | new_cpl, lo, hi);
}

static void load_ss_for_return(CPUX86State *env, uint16_t sel, int new_cpl)
{
    uint32_t lo, hi;

    if ((sel & 0xfffc) == 0) {
        if (new_cpl == 3) {
            raise_exception_err(env, EXCP_GP, 0);
        }
        env->segs[R_SS].selector = sel;
        env->segs[R_SS].base = 0;
        env->segs[R_SS].limit = 0;
        env->segs[R_SS].flags = 0;
        return;
    }
    if ((sel & 3) != new_cpl || !load_descriptor(env, sel, &lo, &hi) ||
        !(hi & DESC_S) || (hi & (1 << 11)) || !(hi & (1 << 9)) ||
        ((hi >> DESC_DPL_SHIFT) & 3) != new_cpl) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    if (!(hi & DESC_P)) {
        raise_exception_err(env, EXCP_SS, sel & 0xfffc);
    }
    mark_accessed(env, sel, hi);
    set_seg(&env->segs[R_SS], sel, lo, hi);
}

/* Data segments not usable at the outer level become null. */
static void validate_data_segs(CPUX86State *env, int new_cpl)
{
    static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(segs); i++) {
        SegmentCache *s = &env->segs[segs[i]];
        int dpl = (s->flags >> DESC_DPL_SHIFT) & 3;
        bool conforming_code = (s->flags & (1 << 11)) &&
                               (s->flags & (1 << 10));

        if ((s->selector & 0xfffc) && !conforming_code && dpl < new_cpl) {
            s->selector = 0;
            s->flags = 0;
        }
    }
}

void helper_iretq(CPUX86State *env, int ot)
{
    unsigned sz = ot == 3 ? 8 : (ot == 2 ? 4 : 2);
    uint64_t rsp = env->regs[R_ESP];
    uint64_t new_rip, new_cs, new_flags, new_rsp, new_ss, mask;
    int cpl = cpu_cpl(env), new_cpl;

    new_rip = cpu_ld(env, rsp, sz);
    new_cs = cpu_ld(env, rsp + sz, sz) & 0xffff;
    new_flags = cpu_ld(env, rsp + 2 * sz, sz);
    new_rsp = cpu_ld(env, rsp + 3 * sz, sz);
    new_ss = cpu_ld(env, rsp + 4 * sz, sz) & 0xffff;
    new_cpl = new_cs & 3;
    if (new_cpl < cpl) {
        raise_exception_err(env, EXCP_GP, new_cs & 0xfffc);
    }
    load_cs_checked(env, new_cs, new_cpl);
    load_ss_for_return(env, new_ss, new_cpl);
    mask = CC_ALL | TF_MASK | DF_MASK | CC_O | NT_MASK | RF_MASK |
           AC_MASK | ID_MASK | (1 << 19) | (1 << 20);
    if (cpl <= ((env->eflags >> 12) & 3)) {
        mask |= IF_MASK;
    }
    if (cpl == 0) {
        mask |= IOPL_MASK | IF_MASK;
    }
    if (sz == 2) {
        mask &= 0xffff;
    }
    x86_cpu_set_eflags(env, (x86_cpu_get_eflags(env) & ~mask) |
                            (new_flags & mask));
    env->regs[R_ESP] = new_rsp;
    env->rip = new_rip;
    if (new_cpl > cpl) {
        validate_data_segs(env, new_cpl);
    }
    env->nmi_blocked = false;
}

void helper_lret(CPUX86State *env, int ot, uint16_t imm)
{
    unsigned sz = ot == 3 ? 8 : (ot == 2 ? 4 : 2);
    uint64_t rsp = env->regs[R_ESP];
    uint64_t new_rip, new_cs, new_rsp, new_ss;
    int cpl = cpu_cpl(env), new_cpl;

    new_rip = cpu_ld(env, rsp, sz);
    new_cs = cpu_ld(env, rsp + sz, sz) & 0xffff;
    new_cpl = new_cs & 3;
    if (new_cpl < cpl) {
        raise_exception_err(env, EXCP_GP, new_cs & 0xfffc);
    }
    if (new_cpl == cpl) {
        load_cs_checked(env, new_cs, new_cpl);
        env->regs[R_ESP] = rsp + 2 * sz + imm;
        env->rip = new_rip;
        return;
    }
    new_rsp = cpu_ld(env, rsp + 2 * sz + imm, sz);
    new_ss = cpu_ld(env, rsp + 3 * sz + imm, sz) & 0xffff;
    load_cs_checked(env, new_cs, new_cpl);
    load_ss_for_return(env, new_ss, new_cpl);
    env->regs[R_ESP] = new_rsp + imm;
    env->rip = new_rip;
    validate_data_segs(env, new_cpl);
}

void helper_far_jmp_call(CPUX86State *env, uint16_t sel, uint64_t off,
                         bool call, int ot, uint64_t next_rip)
{
    unsigned sz = ot == 3 ? 8 : (ot == 2 ? 4 : 2);
    int cpl = cpu_cpl(env);
    uint16_t old_cs = env->segs[R_CS].selector;
    uint64_t rsp = env->regs[R_ESP];
    uint32_t lo, hi;

    /* only direct transfers to code segments at the same privilege */
    if ((sel & 0xfffc) == 0 || !load_descriptor(env, sel, &lo, &hi) ||
        !(hi & DESC_S)) {
        raise_exception_err(env, EXCP_GP, sel & 0xfffc);
    }
    if (call) {
        cpu_st(env, rsp - sz, sz, old_cs);
        cpu_st(env, rsp - 2 * sz, sz, next_rip);
    }
    load_cs_checked(env, sel, cpl);
    if (call) {
        env->regs[R_ESP] = rsp - 2 * sz;
    }
    env->rip = off;
}

void helper_syscall(CPUX86State *env, uint64_t next_rip)
{
    uint16_t sel = (env->star >> 32) & 0xffff;

    if (!(env->efer & EFER_SCE)) {
        raise_ud(env);
    }
    env->regs[R_ECX] = next_rip;
    env->regs[R_R11] = x86_cpu_get_eflags(env) & ~(uint64_t)RF_MASK;
    x86_cpu_set_eflags(env, x86_cpu_get_eflags(env) & ~env->fmask &
                            ~(uint64_t)RF_MASK);
    env->segs[R_CS].selector = sel & 0xfffc;
    env->segs[R_CS].base = 0;
    env->segs[R_CS].limit = 0xffffffff;
    env->segs[R_CS].flags = DESC_G | DESC_P | DESC_S | DESC_L |
                            (0xb << DESC_TYPE_SHIFT);
    env->segs[R_SS].selector = (sel + 8) & 0xfffc;
    env->segs[R_SS].base = 0;
    env->segs[R_SS].limit = 0xffffffff;
    env->segs[R_SS].flags = DESC_G | DESC_B | DESC_P | DESC_S |
                            (0x3 << DESC_TYPE_SHIFT);
    env->rip = env->lstar;
}

void helper_sysret(CPUX86State *env, int ot)
{
    uint16_t sel = (env->star >> 48) & 0xffff;
    uint64_t rip = env->regs[R_ECX];

    if (!(env->efer & EFER_SCE)) {
        raise_ud(env);
    }
    if (cpu_cpl(env) != 0) {
        raise_gp0(env);
    }
    if (ot != 3) {
        /* return to compatibility mode: not implemented */
        raise_gp0(env);
    }
    if ((uint64_t)((int64_t)(rip << 16) >> 16) != rip) {
        raise_gp0(env);
    }
    x86_cpu_set_eflags(env, (env->regs[R_R11] & 0x3c7fd7) | 2);
    env->segs[R_CS].selector = (sel + 16) | 3;
    env->segs[R_CS].base = 0;
    env->segs[R_CS].limit = 0xffffffff;
    env->segs[R_CS].flags = DESC_G | DESC_P | DESC_S | DESC_L |
                            (3 << DESC_DPL_SHIFT) | (0xb << DESC_TYPE_SHIFT);
    /* SS attributes as AMD leaves them (the kernel fixes up if needed) */
    env->segs[R_SS].selector = (sel + 8) | 3;
    env->segs[R_SS].base = 0;
    env->segs[R_SS].limit = 0xffffffff;
    env->segs[R_SS].flags = DESC_G | DESC_B | DESC_P | DESC_S |
                            (3 << DESC_DPL_SHIFT) | (0x3 << DESC_TYPE_SHIFT);
    env->rip = rip;
}

static void check_io(CPUX86State *env, uint16_t port, unsigned size)
{
    uint64_t base;
    unsigned off, bits;

    if (cpu_cpl(env) <= ((env->eflags >> 12) & 3)) {
        return;
    }
    /* the TSS I/O permission bitmap */
    if (env->tr.limit < 0x67) {
        raise_gp0(env);
    }
    base = cpu_ld_mmu(env, env->tr.base + 0x66, 2, MMU_KERNEL);
    off = base + port / 8;
    if (off + 1 > env->tr.limit) {
        raise_gp0(env);
    }
    bits = cpu_ld_mmu(env, env->tr.base + off, 2, MMU_KERNEL);
    if ((bits >> (port & 7)) & ((1 << size) - 1)) {
        raise_gp0(env);
    }
}

uint64_t helper_io_read(CPUX86State *env, uint16_t port, unsigned size)
{
    check_io(env, port, size);
    if (env->hooks && env->hooks->io_read) {
        return env->hooks->io_read(env->hooks->opaque, port, size) &
               (~0ULL >> (64 - 8 * size));
    }
    return ~0ULL >> (64 - 8 * size);
}

void helper_io_write(CPUX86State *env, uint16_t port, uint64_t val,
                     unsigned size)
{
    check_io(env, port, size);
    if (env->hooks && env->hooks->io_write) {
        env->hooks->io_write(env->hooks->opaque, port,
                             val & (~0ULL >> (64 - 8 * size)), size);
    }
}
