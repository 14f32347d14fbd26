/*
 * Exceptions and interrupts through the 64-bit IDT.
 *
 * raise_exception*() record the vector and error code and longjmp back to
 * the run loop (x86_cpu_exec), which calls x86_deliver_exception().  RIP
 * still points at the faulting instruction because instructions commit
 * RIP last.  A fault while delivering a fault escalates to #DF by the
 * usual benign/contributory/page-fault table; a fault while delivering
 * #DF is a triple fault, reported through the reset hook.
 */
#include "qemu/osdep.h"
#include "internal.h"

void raise_exception_err(CPUX86State *env, int vec, uint32_t err)
{
    env->exc_vector = vec;
    env->exc_error = err;
    env->exc_has_error = true;
    siglongjmp(env->jmp_env, 1);
}

void raise_exception(CPUX86State *env, int vec)
{
    env->exc_vector = vec;
    env->exc_error = 0;
    env->exc_has_error = false;
    siglongjmp(env->jmp_env, 1);
}

void raise_gp0(CPUX86State *env)
{
    raise_exception_err(env, EXCP_GP, 0);
}

void raise_ud(CPUX86State *env)
{
    raise_exception(env, EXCP_UD);
}

static bool contributory(int vec)
{
    return vec == EXCP_DE || (vec >= EXCP_TS && vec <= EXCP_GP);
}

static uint64_t tss_ld64(CPUX86State *env, unsigned off)
{
    if (off + 7 > env->tr.limit) {
        raise_exception_err(env, EXCP_TS, env->tr.selector & 0xfffc);
    }
    return cpu_ld_mmu(env, env->tr.base + off, 8, MMU_KERNEL);
}

/*
 * Deliver @vec.  @is_sw: INT n / INT3 / INTO (DPL check, RIP after the
 * instruction).  @next_rip is the return address for traps and external
 * interrupts; faults return to env->rip.
 */
void x86_do_interrupt(CPUX86State *env, int vec, bool is_sw,
                      bool has_err, uint32_t err, uint64_t next_rip)
{
    uint64_t gate_lo, gate_hi, target, rsp, old_flags;
    uint32_t dlo, dhi, ext = is_sw ? 0 : 1;
    uint16_t sel, old_cs, old_ss;
    int type, dpl, cpl = cpu_cpl(env), new_cpl, ist;

    if (vec * 16 + 15 > env->idt.limit) {
        raise_exception_err(env, EXCP_GP, vec * 8 + 2 + ext);
    }
    gate_lo = cpu_ld_mmu(env, env->idt.base + vec * 16, 8, MMU_KERNEL);
    gate_hi = cpu_ld_mmu(env, env->idt.base + vec * 16 + 8, 8, MMU_KERNEL);
    type = (gate_lo >> 40) & 0x1f;
    dpl = (gate_lo >> 45) & 3;
    if (type != 0xe && type != 0xf) {
        raise_exception_err(env, EXCP_GP, vec * 8 + 2 + ext);
    }
    if (is_sw && dpl < cpl) {
        raise_exception_err(env, EXCP_GP, vec * 8 + 2);
    }
    if (!(gate_lo & (1ULL << 47))) {
        raise_exception_err(env, EXCP_NP, vec * 8 + 2 + ext);
    }
    target = (gate_lo & 0xffff) | ((gate_lo >> 32) & 0xffff0000ULL) |
             (gate_hi << 32);
    sel = (gate_lo >> 16) & 0xffff;
    ist = (gate_lo >> 32) & 7;
    if ((sel & 0xfffc) == 0) {
        raise_exception_err(env, EXCP_GP, ext);
    }
    if (!load_descriptor(env, sel, &dlo, &dhi)) {
        raise_exception_err(env, EXCP_GP, (sel & 0xfffc) + ext);
    }
    if (!(dhi & DESC_S) || !(dhi & (1 << 11)) || !(dhi & DESC_L) ||
        (dhi & DESC_B)) {
        raise_exception_err(env, EXCP_GP, (sel & 0xfffc) + ext);
    }
    if (!(dhi & DESC_P)) {
        raise_exception_err(env, EXCP_NP, (sel & 0xfffc) + ext);
    }
    new_cpl = (dhi & (1 << 10)) ? cpl : (dhi >> DESC_DPL_SHIFT) & 3;
    if (new_cpl > cpl) {
        raise_exception_err(env, EXCP_GP, (sel & 0xfffc) + ext);
    }
    if (ist) {
        rsp = tss_ld64(env, 0x24 + (ist - 1) * 8);
    } else if (new_cpl != cpl) {
        rsp = tss_ld64(env, 4 + new_cpl * 8);
    } else {
        rsp = env->regs[R_ESP];
    }
    rsp &= ~0xfULL;
    old_flags = x86_cpu_get_eflags(env);
    old_cs = env->segs[R_CS].selector;
    old_ss = env->segs[R_SS].selector;
    /* push with kernel privileges: all five (or six) slots */
    cpu_st_mmu(env, rsp - 8, 8, old_ss, MMU_KERNEL);
    cpu_st_mmu(env, rsp - 16, 8, env->regs[R_ESP], MMU_KERNEL);
    cpu_st_mmu(env, rsp - 24, 8, old_flags, MMU_KERNEL);
    cpu_st_mmu(env, rsp - 32, 8, old_cs, MMU_KERNEL);
    cpu_st_mmu(env, rsp - 40, 8, next_rip, MMU_KERNEL);
    rsp -= 40;
    if (has_err) {
        cpu_st_mmu(env, rsp - 8, 8, err, MMU_KERNEL);
        rsp -= 8;
    }
    /* commit */
    if (new_cpl != cpl) {
        env->segs[R_SS].selector = new_cpl;
        env->segs[R_SS].base = 0;
        env->segs[R_SS].limit = 0;
        env->segs[R_SS].flags = 0;
    }
    env->regs[R_ESP] = rsp;
    env->segs[R_CS].selector = (sel & 0xfffc) | new_cpl;
    env->segs[R_CS].base = 0;
    env->segs[R_CS].limit = 0xffffffff;
    env->segs[R_CS].flags = dhi & 0x00f0ff00;
    env->rip = target;
    env->eflags &= ~(uint64_t)(TF_MASK | NT_MASK | RF_MASK | AC_MASK);
    if (type == 0xe) {
        env->eflags &= ~(uint64_t)IF_MASK;
    }
    env->halted = false;
    env->inhibit_irq = false;
}

/* Deliver the exception recorded by raise_exception*(). */
void x86_deliver_exception(CPUX86State *env)
{
    int vec = env->exc_vector;
    uint32_t err = env->exc_error;
    bool has_err = env->exc_has_error;
    int prev = env->pending_exception;

    if (prev >= 0) {
        /* a fault while delivering an earlier one */
        if (prev == EXCP_DF) {
            env->pending_exception = -1;
            env->reset_requested = true;
            if (env->hooks && env->hooks->reset_request) {
                env->hooks->reset_request(env->hooks->opaque);
            }
            return;
        }
        if ((contributory(prev) && contributory(vec)) ||
            (prev == EXCP_PF && (vec == EXCP_PF || contributory(vec)))) {
            vec = EXCP_DF;
            err = 0;
            has_err = true;
        }
    }
    env->pending_exception = vec;
    x86_do_interrupt(env, vec, false, has_err, err, env->rip);
    env->pending_exception = -1;
}
