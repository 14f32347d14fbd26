/*
 * The interpreter: run loop, prefix/ModRM decoding and the one-byte
 * opcode map (integer instructions).  The 0F map is in exec0f.c, SSE in
 * sse.c, x87 in fpu.c.
 *
 * Instructions are first looked up in the decoded-block cache
 * (fastpath.c.inc, keyed by the host = guest-physical address of the
 * first byte); straight-line runs of common forms run from there, with
 * events polled after each block.  Everything else decodes from
 * the host page of RIP (found through the soft TLB's fetch tag).  Both
 * paths commit RIP last, so a fault leaves the architectural state of the
 * instruction start for the exception.  Events (interrupts, NMI, kicks)
 * are polled between instructions through one atomic word,
 * env->interrupt_request; the STI/MOV SS shadow delays that by one
 * instruction.
 */
#include "qemu/osdep.h"
#include "decode.h"
#include "fastpath.h"

#define REP_CHUNK 4096      /* rep iterations before polling events */

const uint64_t x86_size_mask[4] = {
    0xff, 0xffff, 0xffffffffULL, ~0ULL
};

/* 1 for legacy prefixes and REX */
static const uint8_t is_prefix[256] = {
    [0x26] = 1, [0x2e] = 1, [0x36] = 1, [0x3e] = 1, [0x64] = 1, [0x65] = 1,
    [0x66] = 1, [0x67] = 1, [0xf0] = 1, [0xf2] = 1, [0xf3] = 1,
    [0x40 ... 0x4f] = 1,
};

/* Instructions are at most 15 bytes; fetches may cross one page. */
static void fetch_window(DecodeCtx *s, const uint8_t *page_host,
                         uint64_t page)
{
    s->code = page_host;
    s->code_page = page;
    s->fast_base = page_host - page;
    s->fast_end = MIN(page + TARGET_PAGE_SIZE, s->start + 15);
    if (s->fast_end < s->start) {
        s->fast_end = page + TARGET_PAGE_SIZE;  /* wrap at 2^64 */
    }
}

uint8_t decode_fetch_slow(DecodeCtx *s)
{
    const uint8_t *p;
    uint64_t page = s->pc & TARGET_PAGE_MASK;

    if (s->pc - s->start >= 15) {
        raise_gp0(s->env);
    }
    p = cpu_fetch_page(s->env, s->pc);
    if (!p) {
        raise_ud(s->env);
    }
    fetch_window(s, p, page);
    return s->fast_base[s->pc++];
}

static void set_cf_of(CPUX86State *env, bool cf, bool of)
{
    uint32_t f = cc_compute_all(env) & ~(CC_C | CC_O);

    cc_set_flags(env, f | (cf ? CC_C : 0) | (of ? CC_O : 0));
}

uint64_t shift_op(CPUX86State *env, int op, int ot, uint64_t v,
                  unsigned count)
{
    unsigned bits = 8 << ot;
    uint64_t m = zmask(ot), sign = 1ULL << (bits - 1), r;
    unsigned c, i;
    bool cf;

    v &= m;
    if (count == 0) {
        return v;
    }
    switch (op) {
    case 0:     /* ROL */
        c = count % bits;
        r = c ? ((v << c) | (v >> (bits - c))) & m : v;
        set_cf_of(env, r & 1, !!(r & sign) ^ (r & 1));
        return r;
    case 1:     /* ROR */
        c = count % bits;
        r = c ? ((v >> c) | (v << (bits - c))) & m : v;
        set_cf_of(env, r & sign, !!(r & sign) ^ !!(r & (sign >> 1)));
        return r;
    case 2:     /* RCL */
        c = ot == 0 ? count % 9 : ot == 1 ? count % 17 : count;
        cf = cc_compute_c(env);
        r = v;
        for (i = 0; i < c; i++) {
            bool out = r & sign;
            r = ((r << 1) | cf) & m;
            cf = out;
        }
        set_cf_of(env, cf, !!(r & sign) ^ cf);
        return r;
    case 3:     /* RCR */
        c = ot == 0 ? count % 9 : ot == 1 ? count % 17 : count;
        cf = cc_compute_c(env);
        r = v;
        for (i = 0; i < c; i++) {
            bool out = r & 1;
            r = (r >> 1) | (cf ? sign : 0);
            cf = out;
        }
        set_cf_of(env, cf, !!(r & sign) ^ !!(r & (sign >> 1)));
        return r;
    case 4:
    case 6:     /* SHL */
        r = count < 64 ? (v << count) & m : 0;
        env->cc_src = v << (count - 1);
        env->cc_dst = r;
        env->cc_op = CC_OP(CC_G_SHL, ot);
        return r;
    case 5:     /* SHR */
        r = count < 64 ? v >> count : 0;
        env->cc_src = v >> (count - 1);
        env->cc_dst = r;
        env->cc_op = CC_OP(CC_G_SHR, ot);
        return r;
    default: {  /* SAR */
        int64_t sv = (int64_t)sext(v, ot);
        r = (uint64_t)(sv >> (count < 64 ? count : 63)) & m;
        env->cc_src = (uint64_t)(sv >> (count - 1));
        env->cc_dst = r;
        env->cc_op = CC_OP(CC_G_SAR, ot);
        return r;
    }
    }
}

void helper_jmp(DecodeCtx *s, uint64_t target)
{
    s->pc = target;
}

/*
 * LOCK is allowed only on read-modify-write forms with a memory
 * destination; anything else raises #UD.  Peeks at the opcode (0F map)
 * and ModRM bytes without consuming them.
 */
static bool lock_allowed(DecodeCtx *s, int b)
{
    uint64_t pc = s->pc;
    int reg, m;
    bool ok;

    if (b == 0x0f) {
        b = 0x100 | fetch_b(s);
    }
    m = fetch_b(s);
    s->pc = pc;
    reg = (m >> 3) & 7;
    switch (b) {
    case 0x00 ... 0x3f:
        ok = (b & 7) < 2 && (b >> 3) != 7;
        break;
    case 0x80:
    case 0x81:
    case 0x83:
        ok = reg != 7;
        break;
    case 0x86:
    case 0x87:      /* XCHG */
    case 0x1ab:     /* BTS */
    case 0x1b3:     /* BTR */
    case 0x1bb:     /* BTC */
    case 0x1b0:
    case 0x1b1:     /* CMPXCHG */
    case 0x1c0:
    case 0x1c1:     /* XADD */
        ok = true;
        break;
    case 0xf6:
    case 0xf7:      /* NOT, NEG */
        ok = reg == 2 || reg == 3;
        break;
    case 0xfe:
    case 0xff:      /* INC, DEC */
        ok = reg <= 1;
        break;
    case 0x1ba:     /* BTS/BTR/BTC imm */
        ok = reg >= 5;
        break;
    case 0x1c7:     /* CMPXCHG8B/16B */
        ok = reg == 1;
        break;
    default:
        ok = false;
        break;
    }
    return ok && (m >> 6) != 3;
}

/* AX, eAX or eDX at operand size @ot (1..3): no byte registers here */
static void acc_set(CPUX86State *env, int ot, int r, uint64_t v)
{
    if (ot == 1) {
        env->regs[r] = (env->regs[r] & ~0xffffULL) | (v & 0xffff);
    } else {
        env->regs[r] = ot == 2 ? (uint32_t)v : v;
    }
}

void muldiv_op(CPUX86State *env, int op, int ot, uint64_t v)
{
    uint64_t m = zmask(ot);
    unsigned bits = 8 << ot;

    switch (op) {
    case 4: {   /* MUL */
        unsigned __int128 p;
        uint64_t lo, hi;
        if (ot == 0) {
            p = (env->regs[R_EAX] & 0xff) * v;
            acc_set(env, 1, R_EAX, (uint64_t)p);
            hi = (uint64_t)(p >> 8) & 0xff;
            lo = (uint64_t)p & 0xff;
        } else {
            p = (unsigned __int128)(env->regs[R_EAX] & m) * v;
            lo = (uint64_t)p & m;
            hi = (uint64_t)(p >> bits) & m;
            acc_set(env, ot, R_EAX, lo);
            acc_set(env, ot, R_EDX, hi);
        }
        env->cc_dst = lo;
        env->cc_src = hi != 0;
        env->cc_op = CC_OP(CC_G_MUL, ot);
        break;
    }
    case 5: {   /* IMUL */
        __int128 p;
        uint64_t lo;
        bool ovf;
        if (ot == 0) {
            p = (int64_t)sext(env->regs[R_EAX], 0) * (int64_t)sext(v, 0);
            acc_set(env, 1, R_EAX, (uint64_t)p);
        } else {
            p = (__int128)(int64_t)sext(env->regs[R_EAX], ot) *
                (int64_t)sext(v, ot);
            acc_set(env, ot, R_EAX, (uint64_t)p);
            acc_set(env, ot, R_EDX, (uint64_t)(p >> bits));
        }
        lo = (uint64_t)p & m;
        ovf = (__int128)(int64_t)sext(lo, ot) != p;
        env->cc_dst = lo;
        env->cc_src = ovf;
        env->cc_op = CC_OP(CC_G_MUL, ot);
        break;
    }
    case 6: {   /* DIV */
        unsigned __int128 n, q, r;
        if (v == 0) {
            raise_exception(env, EXCP_DE);
        }
        if (ot == 0) {
            n = env->regs[R_EAX] & 0xffff;
        } else {
            n = ((unsigned __int128)(env->regs[R_EDX] & m) << bits) |
                (env->regs[R_EAX] & m);
        }
        q = n / v;
        r = n % v;
        if (q > m) {
            raise_exception(env, EXCP_DE);
        }
        if (ot == 0) {
            acc_set(env, 1, R_EAX, (uint64_t)q | ((uint64_t)r << 8));
        } else {
            acc_set(env, ot, R_EAX, (uint64_t)q);
            acc_set(env, ot, R_EDX, (uint64_t)r);
        }
        break;
    }
    default: {  /* IDIV */
        __int128 n, q, r, d = (int64_t)sext(v, ot);
        __int128 lim = (__int128)1 << (bits - 1);
        if (d == 0) {
            raise_exception(env, EXCP_DE);
        }
        if (ot == 0) {
            n = (int16_t)env->regs[R_EAX];
        } else {
            unsigned __int128 un =
                ((unsigned __int128)(env->regs[R_EDX] & m) << bits) |
                (env->regs[R_EAX] & m);
            /* sign-extend the 2*bits value */
            if (bits == 64) {
                n = (__int128)un;
            } else {
                int sh = 128 - 2 * bits;
                n = (__int128)(un << sh) >> sh;
            }
        }
        if (bits == 64 && d == -1 &&
            n == (__int128)((unsigned __int128)1 << 127)) {
            raise_exception(env, EXCP_DE);
        }
        q = n / d;
        r = n % d;
        if (q >= lim || q < -lim) {
            raise_exception(env, EXCP_DE);
        }
        if (ot == 0) {
            acc_set(env, 1, R_EAX, ((uint64_t)q & 0xff) |
                                   (((uint64_t)r & 0xff) << 8));
        } else {
            acc_set(env, ot, R_EAX, (uint64_t)q);
            acc_set(env, ot, R_EDX, (uint64_t)r);
        }
        break;
    }
    }
}

static void do_muldiv(DecodeCtx *s, int op, int ot)
{
    muldiv_op(s->env, op, ot, ld_rm(s, ot));
}

/* String instructions */

static uint64_t str_reg(DecodeCtx *s, int r)
{
    uint64_t v = s->env->regs[r];
    return s->aflag == 2 ? (uint32_t)v : v;
}

static void str_set(DecodeCtx *s, int r, uint64_t v)
{
    s->env->regs[r] = s->aflag == 2 ? (uint32_t)v : v;
}

/* rep stos/movs forward within pages: returns elements done, 0 = none */
static uint64_t string_fast(DecodeCtx *s, int b, unsigned n, uint64_t cnt)
{
    CPUX86State *env = s->env;
    uint64_t di = str_reg(s, R_EDI), si, room, k;
    uint8_t *d;
    const uint8_t *src;

    if ((env->eflags & DF_MASK) || s->aflag != 3) {
        return 0;
    }
    room = (TARGET_PAGE_SIZE - (di & ~TARGET_PAGE_MASK)) / n;
    if (b == 0xaa || b == 0xab) {
        k = MIN(cnt, room);
        if (k == 0 || !(d = cpu_host_ptr(env, di, k * n, ACC_WRITE))) {
            return 0;
        }
        if (n == 1) {
            memset(d, env->regs[R_EAX], k);
        } else {
            uint64_t i, v = env->regs[R_EAX];
            for (i = 0; i < k; i++) {
                store_host(d + i * n, n, v);
            }
        }
        str_set(s, R_EDI, di + k * n);
        return k;
    }
    si = seg_addr(s, str_reg(s, R_ESI));
    room = MIN(room, (TARGET_PAGE_SIZE - (si & ~TARGET_PAGE_MASK)) / n);
    k = MIN(cnt, room);
    if (k == 0 || !(src = cpu_host_ptr(env, si, k * n, ACC_READ)) ||
        !(d = cpu_host_ptr(env, di, k * n, ACC_WRITE))) {
        return 0;
    }
    if (d > src && d < src + k * n) {
        /* overlapping forward copy: element by element, as the ISA says */
        uint64_t i;
        for (i = 0; i < k; i++) {
            store_host(d + i * n, n, load_host(src + i * n, n));
        }
    } else {
        memmove(d, src, k * n);
    }
    str_set(s, R_ESI, str_reg(s, R_ESI) + k * n);
    str_set(s, R_EDI, di + k * n);
    return k;
}

static void do_string(DecodeCtx *s, int b)
{
    CPUX86State *env = s->env;
    int ot = (b & 1) ? s->ot : 0;
    unsigned n = ot_bytes(ot), iter = 0;
    int64_t delta = (env->eflags & DF_MASK) ? -(int64_t)n : (int64_t)n;
    bool rep = s->rep != 0;
    uint64_t v, w;

    if (ot == 3 && (b == 0x6c || b == 0x6d || b == 0x6e || b == 0x6f)) {
        ot = 2;
        n = 4;
        delta = (env->eflags & DF_MASK) ? -4 : 4;
    }
    for (;;) {
        if (rep) {
            uint64_t cnt = str_reg(s, R_ECX);
            if (cnt == 0) {
                break;
            }
            if (b == 0xa4 || b == 0xa5 || b == 0xaa || b == 0xab) {
                uint64_t k = string_fast(s, b, n, cnt);
                if (k) {
                    str_set(s, R_ECX, cnt - k);
                    iter += k;
                    goto next;
                }
            }
        }
        switch (b) {
        case 0xa4:
        case 0xa5:  /* MOVS */
            v = cpu_ld(env, seg_addr(s, str_reg(s, R_ESI)), n);
            cpu_st(env, str_reg(s, R_EDI), n, v);
            str_set(s, R_ESI, str_reg(s, R_ESI) + delta);
            str_set(s, R_EDI, str_reg(s, R_EDI) + delta);
            break;
        case 0xa6:
        case 0xa7:  /* CMPS */
            v = cpu_ld(env, seg_addr(s, str_reg(s, R_ESI)), n);
            w = cpu_ld(env, str_reg(s, R_EDI), n);
            alu_op(env, 7, ot, v, w);
            str_set(s, R_ESI, str_reg(s, R_ESI) + delta);
            str_set(s, R_EDI, str_reg(s, R_EDI) + delta);
            break;
        case 0xaa:
        case 0xab:  /* STOS */
            cpu_st(env, str_reg(s, R_EDI), n, env->regs[R_EAX]);
            str_set(s, R_EDI, str_reg(s, R_EDI) + delta);
            break;
        case 0xac:
        case 0xad:  /* LODS */
            v = cpu_ld(env, seg_addr(s, str_reg(s, R_ESI)), n);
            set_reg(s, ot, R_EAX, v);
            str_set(s, R_ESI, str_reg(s, R_ESI) + delta);
            break;
        case 0xae:
        case 0xaf:  /* SCAS */
            w = cpu_ld(env, str_reg(s, R_EDI), n);
            alu_op(env, 7, ot, env->regs[R_EAX] & zmask(ot), w);
            str_set(s, R_EDI, str_reg(s, R_EDI) + delta);
            break;
        case 0x6c:
        case 0x6d:  /* INS */
            /* probe the destination before the port read */
            cpu_st(env, str_reg(s, R_EDI), n,
                   cpu_ld(env, str_reg(s, R_EDI), n));
            v = helper_io_read(env, env->regs[R_EDX] & 0xffff, n);
            cpu_st(env, str_reg(s, R_EDI), n, v);
            str_set(s, R_EDI, str_reg(s, R_EDI) + delta);
            break;
        default:    /* OUTS */
            v = cpu_ld(env, seg_addr(s, str_reg(s, R_ESI)), n);
            helper_io_write(env, env->regs[R_EDX] & 0xffff, v, n);
            str_set(s, R_ESI, str_reg(s, R_ESI) + delta);
            break;
        }
        if (!rep) {
            return;
        }
        str_set(s, R_ECX, str_reg(s, R_ECX) - 1);
        iter++;
        if (b == 0xa6 || b == 0xa7 || b == 0xae || b == 0xaf) {
            bool zf = cc_test(env, 4);
            if ((s->rep == 0xf3 && !zf) || (s->rep == 0xf2 && zf)) {
                return;
            }
        }
next:
        if (iter >= REP_CHUNK && str_reg(s, R_ECX) != 0) {
            /* come back to this instruction after polling events */
            s->pc = s->start;
            return;
        }
    }
}

static void do_enter(DecodeCtx *s, uint16_t size, uint8_t level)
{
    CPUX86State *env = s->env;
    int ot = s->p66 ? 1 : 3;
    unsigned n = ot_bytes(ot);
    uint64_t rsp = env->regs[R_ESP], rbp = env->regs[R_EBP], frame;
    unsigned i;

    level &= 31;
    rsp -= n;
    cpu_st(env, rsp, n, rbp);
    frame = rsp;
    for (i = 1; i < level; i++) {
        rbp -= n;
        rsp -= n;
        cpu_st(env, rsp, n, cpu_ld(env, rbp, n));
    }
    if (level) {
        rsp -= n;
        cpu_st(env, rsp, n, frame);
    }
    rsp -= size;
    /* probe the bottom of the new frame, as the hardware does */
    cpu_st(env, rsp, 1, cpu_ld(env, rsp, 1));
    if (ot == 1) {
        set_reg(s, 1, R_EBP, frame);
    } else {
        env->regs[R_EBP] = frame;
    }
    env->regs[R_ESP] = rsp;
}

void popf_op(CPUX86State *env, uint64_t v, bool p66)
{
    int cpl = cpu_cpl(env), iopl = (env->eflags >> 12) & 3;
    uint64_t mask = CC_ALL | TF_MASK | DF_MASK | NT_MASK | AC_MASK |
                    ID_MASK;

    if (cpl == 0) {
        mask |= IOPL_MASK;
    }
    if (cpl <= iopl) {
        mask |= IF_MASK;
    }
    if (p66) {
        mask &= 0xffff;
    }
    x86_cpu_set_eflags(env, (x86_cpu_get_eflags(env) & ~mask) | (v & mask));
}

static void check_cpl0(CPUX86State *env)
{
    if (cpu_cpl(env) != 0) {
        raise_gp0(env);
    }
}

static void check_iopl(CPUX86State *env)
{
    if (cpu_cpl(env) > ((env->eflags >> 12) & 3)) {
        raise_gp0(env);
    }
}

#include "fastpath.c.inc"
#include "fastrun.c.inc"
#include "jit.c.inc"

/*
 * Run instructions until the budget is used, an event is pending or the
 * CPU halts.  Exceptions leave through siglongjmp to x86_cpu_exec().
 */
static void exec_insns(CPUX86State *env)
{
    DecodeCtx ds, *s = &ds;
    X86TLBEntry *e;
    uint64_t page, v, w, t;
    int b, ot, op;
    bool shadow = false;
    /* the code page of the previous instruction, while still valid */
    uint64_t fp_page = 1, fp_flushes = 0;
    uint16_t fp_cs = 0;
    int fp_mmu = MMU_KERNEL;    /* of fp_cs */
    const uint8_t *fp_host = NULL, *host;
    /* the block that ran last, if nothing else ran since: chain source */
    X86FastBlock *prev = NULL;
    uint32_t prev_gen = 0;

    /* the first instruction runs unconditionally: the caller checked */
    goto run;
next_insn:
    if (unlikely(env->icount >= env->icount_budget_end ||
                 __atomic_load_n(&env->interrupt_request, __ATOMIC_RELAXED) ||
                 env->halted)) {
        return;
    }
run:
    page = env->rip & TARGET_PAGE_MASK;
    if (likely(page == fp_page && env->tlb_flush_count == fp_flushes &&
               env->segs[R_CS].selector == fp_cs)) {
        host = fp_host;
    } else {
        e = tlb_entry(env, cpu_mmu_idx(env), env->rip);
        if (likely(e->tag_code == page)) {
            host = (const uint8_t *)(uintptr_t)(page + e->addend);
        } else {
            /*
             * Fill the entry (a data access to a page with the same
             * index may have taken it): the fetch of the first byte
             * by the full decoder would fault the same way.  NULL:
             * not RAM, for the full decoder.
             */
            host = cpu_fetch_page(env, env->rip);
        }
        if (likely(host)) {
            fp_page = page;
            fp_host = host;
            fp_flushes = env->tlb_flush_count;
            fp_cs = env->segs[R_CS].selector;
            fp_mmu = cpu_mmu_idx(env);
        }
    }
    if (likely(host)) {
        X86FastBlock *fb = x86_fast_next_block(env, prev, prev_gen,
                                               host + (env->rip - page),
                                               page + TARGET_PAGE_SIZE -
                                               env->rip);
        if (likely(fb->n)) {
            const FastInsn *f = fb->insns, *end = f + fb->n;
            uint64_t rip = env->rip;

            /* stay within the budget; the first insn always runs */
            if (env->icount >= env->icount_budget_end) {
                end = f + 1;
            } else if (env->icount_budget_end - env->icount < fb->n) {
                end = f + (env->icount_budget_end - env->icount);
            }
            /*
             * Count the block as retired up front; an exception inside
             * it takes back the rest (x86_fast_run_abort).
             */
            env->fast_run = f;
            env->fast_run_rip = rip;
            env->fast_run_n = end - f;
            env->icount += end - f;
            prev = fb;
            fx_run(env, fb, f, end, rip, fp_mmu, &prev, false);
            env->fast_run = NULL;
            prev_gen = env->fast_pool_gen;
            env->fast_runs++;
            goto insn_retired;
        }
        if (unlikely(env->icount >= fb->retry_icount)) {
            fb->host = NULL;    /* decode again next time */
        }
    }
    prev = NULL;
    env->slow_insns++;
    s->env = env;
    s->start = s->pc = env->rip;
    s->len = 0;
    s->rex = 0;
    s->aflag = 3;
    s->seg = R_SEG_NONE;
    s->rep = 0;
    s->p66 = false;
    s->lock = false;
    s->mod = 3;
    if (likely(host)) {
        fetch_window(s, host, page);
    } else {
        s->fast_end = 0;
    }

    b = fetch_b(s);
    while (unlikely(is_prefix[b])) {
        switch (b) {
        case 0x64:
            s->seg = R_FS;
            break;
        case 0x65:
            s->seg = R_GS;
            break;
        case 0x66:
            s->p66 = true;
            break;
        case 0x67:
            s->aflag = 2;
            break;
        case 0xf0:
            s->lock = true;
            break;
        case 0xf2:
        case 0xf3:
            s->rep = b;
            break;
        case 0x40 ... 0x4f:
            s->rex = b;
            b = fetch_b(s);
            if (unlikely(is_prefix[b])) {
                s->rex = 0;     /* REX must come last, else ignored */
            }
            continue;
        default:
            break;              /* ES/CS/SS/DS overrides: no effect */
        }
        b = fetch_b(s);
    }
    s->b = b;
    if (unlikely(s->lock) && !lock_allowed(s, b)) {
        raise_ud(env);
    }
    s->ot = (s->rex & 8) ? 3 : s->p66 ? 1 : 2;
    ot = s->ot;

    switch (b) {
    case 0x00 ... 0x05:
    case 0x08 ... 0x0d:
    case 0x10 ... 0x15:
    case 0x18 ... 0x1d:
    case 0x20 ... 0x25:
    case 0x28 ... 0x2d:
    case 0x30 ... 0x35:
    case 0x38 ... 0x3d:
        op = b >> 3;
        if ((b & 7) < 4) {
            if (!(b & 1)) {
                ot = 0;
            }
            decode_modrm(s);
            if (b & 2) {    /* G, E */
                v = alu_op(env, op, ot, get_reg(s, ot, s->reg),
                           ld_rm(s, ot));
                if (op != 7) {
                    set_reg(s, ot, s->reg, v);
                }
            } else {        /* E, G */
                v = alu_op(env, op, ot,
                           op == 7 ? ld_rm(s, ot) : ld_rm_rmw(s, ot),
                           get_reg(s, ot, s->reg));
                if (op != 7) {
                    st_rm(s, ot, v);
                }
            }
        } else {
            if (b & 1) {
                w = get_imm(s, ot);
            } else {
                ot = 0;
                w = fetch_b(s);
            }
            v = alu_op(env, op, ot, get_reg(s, ot, R_EAX), w);
            if (op != 7) {
                set_reg(s, ot, R_EAX, v);
            }
        }
        break;
    case 0x0f:
        if (!exec_0f(s)) {
            raise_ud(env);
        }
        break;
    case 0x50 ... 0x57:
        ot = s->p66 ? 1 : 3;
        push(s, ot, get_reg(s, ot, (b & 7) | ((s->rex & 1) << 3)));
        break;
    case 0x58 ... 0x5f:
        ot = s->p66 ? 1 : 3;
        v = pop_peek(s, ot);
        env->regs[R_ESP] += ot_bytes(ot);
        set_reg(s, ot, (b & 7) | ((s->rex & 1) << 3), v);
        break;
    case 0x63:      /* MOVSXD */
        decode_modrm(s);
        v = ld_rm(s, 2);
        set_reg(s, ot, s->reg, ot == 3 ? sext(v, 2) : v);
        break;
    case 0x68:      /* imm32 sign-extended to 64 bits */
        push(s, s->p66 ? 1 : 3, s->p66 ? fetch_w(s) : sext(fetch_l(s), 2));
        break;
    case 0x6a:
        push(s, s->p66 ? 1 : 3, sext(fetch_b(s), 0));
        break;
    case 0x69:
    case 0x6b: {
        __int128 p;
        decode_modrm(s);
        w = b == 0x6b ? sext(fetch_b(s), 0) : get_imm(s, ot);
        v = ld_rm(s, ot);
        p = (__int128)(int64_t)sext(v, ot) * (int64_t)sext(w, ot);
        t = (uint64_t)p & zmask(ot);
        set_reg(s, ot, s->reg, t);
        env->cc_dst = t;
        env->cc_src = (__int128)(int64_t)sext(t, ot) != p;
        env->cc_op = CC_OP(CC_G_MUL, ot);
        break;
    }
    case 0x6c ... 0x6f:
    case 0xa4 ... 0xa7:
    case 0xaa ... 0xaf:
        if (b <= 0x6f) {
            check_iopl(env);
        }
        do_string(s, b);
        break;
    case 0x70 ... 0x7f:
        t = sext(fetch_b(s), 0);
        if (cc_test(env, b & 0xf)) {
            s->pc += t;
        }
        break;
    case 0x80:
    case 0x81:
    case 0x83:
        if (b == 0x80) {
            ot = 0;
        }
        decode_modrm(s);
        op = (s->modrm >> 3) & 7;
        w = b == 0x83 ? sext(fetch_b(s), 0) : get_imm(s, ot);
        v = alu_op(env, op, ot, op == 7 ? ld_rm(s, ot) : ld_rm_rmw(s, ot),
                   w);
        if (op != 7) {
            st_rm(s, ot, v);
        }
        break;
    case 0x84:
    case 0x85:
        if (b == 0x84) {
            ot = 0;
        }
        decode_modrm(s);
        alu_op(env, 4, ot, ld_rm(s, ot), get_reg(s, ot, s->reg));
        break;
    case 0x86:
    case 0x87:
        if (b == 0x86) {
            ot = 0;
        }
        decode_modrm(s);
        v = ld_rm(s, ot);
        st_rm(s, ot, get_reg(s, ot, s->reg));
        set_reg(s, ot, s->reg, v);
        break;
    case 0x88:
    case 0x89:
        if (b == 0x88) {
            ot = 0;
        }
        decode_modrm(s);
        st_rm(s, ot, get_reg(s, ot, s->reg));
        break;
    case 0x8a:
    case 0x8b:
        if (b == 0x8a) {
            ot = 0;
        }
        decode_modrm(s);
        set_reg(s, ot, s->reg, ld_rm(s, ot));
        break;
    case 0x8c:      /* MOV Ev, Sreg */
        decode_modrm(s);
        if ((s->reg & 7) > 5) {
            raise_ud(env);
        }
        v = env->segs[s->reg & 7].selector;
        if (s->mod == 3) {
            set_reg(s, ot, s->rm, v);
        } else {
            st_rm(s, 1, v);
        }
        break;
    case 0x8d:      /* LEA */
        decode_modrm(s);
        if (s->mod == 3) {
            raise_ud(env);
        }
        v = s->ea + (s->rip_rel ? s->pc : 0);
        if (s->aflag == 2) {
            v = (uint32_t)v;
        }
        set_reg(s, ot, s->reg, v);
        break;
    case 0x8e:      /* MOV Sreg, Ew */
        decode_modrm(s);
        op = s->reg & 7;
        if (op == R_CS || op > 5) {
            raise_ud(env);
        }
        helper_load_seg(env, op, ld_rm(s, 1));
        if (op == R_SS) {
            env->inhibit_irq = true;
        }
        break;
    case 0x8f:      /* POP Ev */
        decode_modrm(s);
        ot = s->p66 ? 1 : 3;
        v = pop_peek(s, ot);
        t = env->regs[R_ESP];
        env->regs[R_ESP] += ot_bytes(ot);
        if (s->mod != 3) {
            /* restore RSP if the store faults: done by re-execution */
            uint64_t a = ea_addr(s);
            env->regs[R_ESP] = t;
            cpu_st(env, a, ot_bytes(ot), v);
            env->regs[R_ESP] = t + ot_bytes(ot);
        } else {
            set_reg(s, ot, s->rm, v);
        }
        break;
    case 0x90:
        if (!(s->rex & 1)) {
            break;      /* NOP / PAUSE */
        }
        /* fall through: XCHG r8, rax */
    case 0x91 ... 0x97:
        op = (b & 7) | ((s->rex & 1) << 3);
        v = get_reg(s, ot, op);
        set_reg(s, ot, op, get_reg(s, ot, R_EAX));
        set_reg(s, ot, R_EAX, v);
        break;
    case 0x98:
        if (ot == 3) {
            env->regs[R_EAX] = sext(env->regs[R_EAX], 2);
        } else if (ot == 2) {
            set_reg(s, 2, R_EAX, sext(env->regs[R_EAX], 1));
        } else {
            set_reg(s, 1, R_EAX, sext(env->regs[R_EAX], 0));
        }
        break;
    case 0x99:
        v = (get_reg(s, ot, R_EAX) >> ((8 << ot) - 1)) & 1;
        set_reg(s, ot, R_EDX, v ? ~0ULL : 0);
        break;
    case 0x9b:      /* FWAIT */
        if ((env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
            raise_exception(env, EXCP_NM);
        }
        break;
    case 0x9c:      /* PUSHF */
        v = x86_cpu_get_eflags(env) & ~(uint64_t)(RF_MASK | (1 << 17));
        push(s, s->p66 ? 1 : 3, v);
        break;
    case 0x9d:      /* POPF */
        ot = s->p66 ? 1 : 3;
        v = pop_peek(s, ot);
        env->regs[R_ESP] += ot_bytes(ot);
        popf_op(env, v, s->p66);
        break;
    case 0x9e:      /* SAHF */
        v = (env->regs[R_EAX] >> 8) & (CC_S | CC_Z | CC_A | CC_P | CC_C);
        cc_set_flags(env, (cc_compute_all(env) & CC_O) | v);
        break;
    case 0x9f:      /* LAHF */
        v = (cc_compute_all(env) & (CC_S | CC_Z | CC_A | CC_P | CC_C)) | 2;
        env->regs[R_EAX] = (env->regs[R_EAX] & ~0xff00ULL) | (v << 8);
        break;
    case 0xa0 ... 0xa3: {   /* MOV moffs */
        uint64_t a = s->aflag == 3 ? fetch_q(s) : fetch_l(s);
        if (!(b & 1)) {
            ot = 0;
        }
        a = seg_addr(s, a);
        if (b & 2) {
            cpu_st(env, a, ot_bytes(ot), get_reg(s, ot, R_EAX));
        } else {
            set_reg(s, ot, R_EAX, cpu_ld(env, a, ot_bytes(ot)));
        }
        break;
    }
    case 0xa8:
        alu_op(env, 4, 0, get_reg(s, 0, R_EAX), fetch_b(s));
        break;
    case 0xa9:
        alu_op(env, 4, ot, get_reg(s, ot, R_EAX), get_imm(s, ot));
        break;
    case 0xb0 ... 0xb7:
        set_reg(s, 0, (b & 7) | ((s->rex & 1) << 3), fetch_b(s));
        break;
    case 0xb8 ... 0xbf:
        v = ot == 3 ? fetch_q(s) : get_imm(s, ot);
        set_reg(s, ot, (b & 7) | ((s->rex & 1) << 3), v);
        break;
    case 0xc0:
    case 0xc1:
    case 0xd0 ... 0xd3: {
        unsigned cnt;
        if (!(b & 1)) {
            ot = 0;
        }
        decode_modrm(s);
        if (b <= 0xc1) {
            cnt = fetch_b(s);
        } else if (b <= 0xd1) {
            cnt = 1;
        } else {
            cnt = env->regs[R_ECX] & 0xff;
        }
        cnt &= ot == 3 ? 0x3f : 0x1f;
        v = ld_rm_rmw(s, ot);
        /* a zero count still writes (and zero-extends) the destination */
        st_rm(s, ot, shift_op(env, (s->modrm >> 3) & 7, ot, v, cnt));
        break;
    }
    case 0xc2:
    case 0xc3:
        w = b == 0xc2 ? fetch_w(s) : 0;
        v = pop_peek(s, 3);
        env->regs[R_ESP] += 8 + w;
        s->pc = v;
        break;
    case 0xc6:
    case 0xc7:
        if (b == 0xc6) {
            ot = 0;
        }
        decode_modrm(s);
        st_rm(s, ot, get_imm(s, ot));
        break;
    case 0xc8:
        v = fetch_w(s);
        w = fetch_b(s);
        do_enter(s, v, w);
        break;
    case 0xc9:      /* LEAVE */
        ot = s->p66 ? 1 : 3;
        v = cpu_ld(env, env->regs[R_EBP], ot_bytes(ot));
        env->regs[R_ESP] = env->regs[R_EBP] + ot_bytes(ot);
        set_reg(s, ot, R_EBP, v);
        break;
    case 0xca:
    case 0xcb:
        w = b == 0xca ? fetch_w(s) : 0;
        helper_lret(env, (s->rex & 8) ? 3 : s->p66 ? 1 : 2, w);
        goto insn_done;
    case 0xcc:
        x86_do_interrupt(env, EXCP_BP, true, false, 0, s->pc);
        goto insn_done;
    case 0xcd:
        v = fetch_b(s);
        x86_do_interrupt(env, v, true, false, 0, s->pc);
        goto insn_done;
    case 0xcf:
        helper_iretq(env, ot);
        goto insn_done;
    case 0xd8 ... 0xdf:
        if (!exec_x87(s, b)) {
            raise_ud(env);
        }
        break;
    case 0xe0 ... 0xe2:     /* LOOPNZ, LOOPZ, LOOP */
        t = sext(fetch_b(s), 0);
        v = str_reg(s, R_ECX) - 1;
        str_set(s, R_ECX, v);
        if (s->aflag == 2) {
            v = (uint32_t)v;
        }
        if (v != 0 && (b == 0xe2 || (b == 0xe1) == cc_test(env, 4))) {
            s->pc += t;
        }
        break;
    case 0xe3:
        t = sext(fetch_b(s), 0);
        if (str_reg(s, R_ECX) == 0) {
            s->pc += t;
        }
        break;
    case 0xe4:
    case 0xe5:
    case 0xec:
    case 0xed:
        ot = (b & 1) ? (s->p66 ? 1 : 2) : 0;
        w = b <= 0xe5 ? fetch_b(s) : env->regs[R_EDX] & 0xffff;
        set_reg(s, ot, R_EAX, helper_io_read(env, w, ot_bytes(ot)));
        break;
    case 0xe6:
    case 0xe7:
    case 0xee:
    case 0xef:
        ot = (b & 1) ? (s->p66 ? 1 : 2) : 0;
        w = b <= 0xe7 ? fetch_b(s) : env->regs[R_EDX] & 0xffff;
        helper_io_write(env, w, get_reg(s, ot, R_EAX), ot_bytes(ot));
        break;
    case 0xe8:
        t = sext(fetch_l(s), 2);
        push(s, 3, s->pc);
        s->pc += t;
        break;
    case 0xe9:
        t = sext(fetch_l(s), 2);
        s->pc += t;
        break;
    case 0xeb:
        t = sext(fetch_b(s), 0);
        s->pc += t;
        break;
    case 0xf1:      /* INT1 */
        x86_do_interrupt(env, EXCP_DB, false, false, 0, s->pc);
        goto insn_done;
    case 0xf4:      /* HLT */
        check_cpl0(env);
        env->halted = true;
        break;
    case 0xf5:
        cc_set_flags(env, cc_compute_all(env) ^ CC_C);
        break;
    case 0xf6:
    case 0xf7:
        if (b == 0xf6) {
            ot = 0;
        }
        decode_modrm(s);
        op = (s->modrm >> 3) & 7;
        switch (op) {
        case 0:
        case 1:
            w = get_imm(s, ot);
            alu_op(env, 4, ot, ld_rm(s, ot), w);
            break;
        case 2:
            st_rm(s, ot, ~ld_rm_rmw(s, ot) & zmask(ot));
            break;
        case 3:
            v = ld_rm_rmw(s, ot);
            st_rm(s, ot, alu_op(env, 5, ot, 0, v));
            break;
        default:
            do_muldiv(s, op, ot);
            break;
        }
        break;
    case 0xf8:
    case 0xf9:
        cc_set_flags(env, (cc_compute_all(env) & ~CC_C) | (b & 1));
        break;
    case 0xfa:
        check_iopl(env);
        env->eflags &= ~(uint64_t)IF_MASK;
        break;
    case 0xfb:
        check_iopl(env);
        if (!(env->eflags & IF_MASK)) {
            env->inhibit_irq = true;
        }
        env->eflags |= IF_MASK;
        break;
    case 0xfc:
        env->eflags &= ~(uint64_t)DF_MASK;
        break;
    case 0xfd:
        env->eflags |= DF_MASK;
        break;
    case 0xfe:
    case 0xff:
        if (b == 0xfe) {
            ot = 0;
        }
        decode_modrm(s);
        op = (s->modrm >> 3) & 7;
        if (b == 0xfe && op > 1) {
            raise_ud(env);
        }
        switch (op) {
        case 0:
        case 1:
            /* CF is kept; commit flag state only after the store */
            t = cc_compute_c(env);
            v = (ld_rm_rmw(s, ot) + (op ? -1 : 1)) & zmask(ot);
            st_rm(s, ot, v);
            env->cc_src2 = t;
            env->cc_dst = v;
            env->cc_op = CC_OP(op ? CC_G_DEC : CC_G_INC, ot);
            break;
        case 2:     /* CALL Ev */
            v = ld_rm(s, 3);
            push(s, 3, s->pc);
            s->pc = v;
            break;
        case 4:     /* JMP Ev */
            s->pc = ld_rm(s, 3);
            break;
        case 3:
        case 5: {   /* far CALL/JMP m16:x */
            uint64_t a;
            int fot = (s->rex & 8) ? 3 : s->p66 ? 1 : 2;
            if (s->mod == 3) {
                raise_ud(env);
            }
            a = ea_addr(s);
            v = cpu_ld(env, a, ot_bytes(fot));
            w = cpu_ld(env, a + ot_bytes(fot), 2);
            helper_far_jmp_call(env, w, v, op == 3, fot, s->pc);
            goto insn_done;
        }
        case 6:
            ot = s->p66 ? 1 : 3;
            push(s, ot, ld_rm(s, ot));
            break;
        default:
            raise_ud(env);
        }
        break;
    default:
        /* 06 07 0e 16 17 1e 1f 27 2f 37 3f 60-62 82 9a c4 c5 ce d4-d6 ea */
        raise_ud(env);
    }
    env->rip = s->pc;
insn_done:
    env->icount++;
insn_retired:
    if (unlikely(env->inhibit_irq)) {
        /*
         * STI / MOV SS shadow: the next instruction runs before any
         * event is looked at; after it, the shadow ends.
         */
        if (!shadow && !env->halted) {
            shadow = true;
            goto run;
        }
        shadow = false;
        env->inhibit_irq = false;
    }
    goto next_insn;
}

/* Returns an exit code, or -1 to keep running. */
static int handle_events(CPUX86State *env)
{
    uint32_t req = __atomic_load_n(&env->interrupt_request, __ATOMIC_ACQUIRE);

    if (req & CPU_INTERRUPT_EXIT) {
        x86_cpu_reset_interrupt(env, CPU_INTERRUPT_EXIT);
        return X86_EXIT_REQUEST;
    }
    if (req & CPU_INTERRUPT_TLB) {
        /* the memory map changed: translations may point elsewhere */
        x86_cpu_reset_interrupt(env, CPU_INTERRUPT_TLB);
        x86_cpu_tlb_flush(env, true);
    }
    if (req & CPU_INTERRUPT_INIT) {
        x86_cpu_reset_interrupt(env, CPU_INTERRUPT_INIT);
    }
    if ((req & CPU_INTERRUPT_NMI) && !env->nmi_blocked) {
        x86_cpu_reset_interrupt(env, CPU_INTERRUPT_NMI);
        env->nmi_blocked = true;
        env->pending_exception = -1;
        x86_do_interrupt(env, EXCP_NMI, false, false, 0, env->rip);
        return -1;
    }
    if ((req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK) &&
        !env->inhibit_irq) {
        int vec = -1;
        if (env->hooks && env->hooks->get_interrupt_vector) {
            vec = env->hooks->get_interrupt_vector(env->hooks->opaque);
        }
        if (vec >= 0) {
            env->pending_exception = -1;
            x86_do_interrupt(env, vec & 0xff, false, false, 0, env->rip);
        }
    }
    return -1;
}

X86ExecExit x86_cpu_exec(CPUX86State *env, uint64_t max_insns)
{
    int r;

    env->icount_budget_end = env->icount + max_insns;
    if (sigsetjmp(env->jmp_env, 0)) {
        /* an exception was raised; env->rip is the faulting insn */
        if (env->fast_run) {
            x86_fast_run_abort(env);
        }
        x86_deliver_exception(env);
        if (env->reset_requested) {
            return X86_EXIT_RESET;
        }
    }
    while (env->icount < env->icount_budget_end) {
        if (unlikely(__atomic_load_n(&env->interrupt_request,
                                     __ATOMIC_RELAXED))) {
            r = handle_events(env);
            if (r >= 0) {
                return r;
            }
        }
        if (unlikely(env->halted)) {
            return X86_EXIT_HALTED;
        }
        exec_insns(env);
    }
    return X86_EXIT_BUDGET;
}
