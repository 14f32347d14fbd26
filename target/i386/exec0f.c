/*
 * The two-byte (0F) opcode map: system instructions, Jcc/SETcc/CMOVcc,
 * bit operations, double shifts, CMPXCHG/XADD, MOVZX/MOVSX, BSWAP.  SSE
 * opcodes are forwarded to sse.c.
 */
#include "qemu/osdep.h"
#include "decode.h"

static void check_cpl0(CPUX86State *env)
{
    if (cpu_cpl(env) != 0) {
        raise_gp0(env);
    }
}

static void set_flag_bits(CPUX86State *env, uint32_t clear, uint32_t set)
{
    cc_set_flags(env, (cc_compute_all(env) & ~clear) | set);
}

/* SF/ZF/PF of @r plus the given CF/OF */
static void set_szp_cf_of(CPUX86State *env, int ot, uint64_t r, bool cf,
                          bool of)
{
    uint32_t f;

    env->cc_dst = r;
    env->cc_op = CC_OP(CC_G_LOGIC, ot);
    f = cc_compute_all(env);
    cc_set_flags(env, f | (cf ? CC_C : 0) | (of ? CC_O : 0));
}

bool bsf_op(CPUX86State *env, bool rev, uint64_t v, uint64_t *res)
{
    if (v == 0) {
        set_flag_bits(env, CC_Z, CC_Z);
        return false;
    }
    *res = rev ? 63 - __builtin_clzll(v) : __builtin_ctzll(v);
    set_flag_bits(env, CC_Z, 0);
    return true;
}

static void do_group7(DecodeCtx *s)
{
    CPUX86State *env = s->env;
    int op = (s->modrm >> 3) & 7;
    uint64_t a;

    if (s->mod == 3) {
        switch (s->modrm) {
        case 0xf8:      /* SWAPGS */
            check_cpl0(env);
            a = env->segs[R_GS].base;
            env->segs[R_GS].base = env->kernel_gs_base;
            env->kernel_gs_base = a;
            return;
        case 0xf9:      /* RDTSCP */
            a = x86_cpu_get_tsc(env);
            env->regs[R_EAX] = (uint32_t)a;
            env->regs[R_EDX] = a >> 32;
            env->regs[R_ECX] = env->tsc_aux;
            return;
        default:
            break;
        }
        if (op == 4) {  /* SMSW reg */
            set_reg(s, s->ot, s->rm, env->cr[0] & zmask(s->ot));
            return;
        }
        if (op == 6) {  /* LMSW reg */
            check_cpl0(env);
            helper_write_cr(env, 0, (env->cr[0] & ~0xeULL) |
                                    (get_reg(s, 1, s->rm) & 0xe));
            return;
        }
        raise_ud(env);
    }
    a = ea_addr(s);
    switch (op) {
    case 0:
    case 1: {   /* SGDT / SIDT */
        SegmentCache *dt = op ? &env->idt : &env->gdt;
        cpu_st(env, a, 2, dt->limit);
        cpu_st(env, a + 2, 8, dt->base);
        break;
    }
    case 2:
    case 3: {   /* LGDT / LIDT */
        uint64_t limit, base;
        check_cpl0(env);
        limit = cpu_ld(env, a, 2);
        base = cpu_ld(env, a + 2, 8);
        helper_lgdt_lidt(env, op == 3, base, limit);
        break;
    }
    case 4:
        cpu_st(env, a, 2, env->cr[0]);
        break;
    case 6:
        check_cpl0(env);
        helper_write_cr(env, 0, (env->cr[0] & ~0xeULL) |
                                (cpu_ld(env, a, 2) & 0xe));
        break;
    case 7:     /* INVLPG */
        check_cpl0(env);
        tlb_flush_page(env, a);
        break;
    default:
        raise_ud(env);
    }
}

static void do_group6(DecodeCtx *s)
{
    CPUX86State *env = s->env;
    int op = (s->modrm >> 3) & 7;
    uint16_t sel;
    uint32_t lo, hi;

    switch (op) {
    case 0:     /* SLDT */
    case 1:     /* STR */
        sel = op ? env->tr.selector : env->ldt.selector;
        if (s->mod == 3) {
            set_reg(s, s->ot, s->rm, sel);
        } else {
            st_rm(s, 1, sel);
        }
        break;
    case 2:
        check_cpl0(env);
        helper_lldt(env, ld_rm(s, 1));
        break;
    case 3:
        check_cpl0(env);
        helper_ltr(env, ld_rm(s, 1));
        break;
    case 4:
    case 5: {   /* VERR / VERW */
        bool ok = false;
        sel = ld_rm(s, 1);
        if ((sel & 0xfffc) && load_descriptor(env, sel, &lo, &hi) &&
            (hi & DESC_S)) {
            int dpl = (hi >> DESC_DPL_SHIFT) & 3;
            bool code = hi & (1 << 11);
            bool conf = code && (hi & (1 << 10));
            if (conf || (dpl >= cpu_cpl(env) && dpl >= (sel & 3))) {
                ok = op == 4 ? (!code || (hi & (1 << 9)))
                             : (!code && (hi & (1 << 9)));
            }
        }
        set_flag_bits(env, CC_Z, ok ? CC_Z : 0);
        break;
    }
    default:
        raise_ud(env);
    }
}

bool bt_op(int op, uint64_t *v, unsigned bit)
{
    uint64_t mask = 1ULL << bit;
    bool cf = *v & mask;

    switch (op) {
    case 1:
        *v |= mask;
        break;
    case 2:
        *v &= ~mask;
        break;
    case 3:
        *v ^= mask;
        break;
    default:
        break;
    }
    return cf;
}

void set_cf_only(CPUX86State *env, bool cf)
{
    set_flag_bits(env, CC_C, cf ? CC_C : 0);
}

uint64_t bt_mem_addr(uint64_t a, int ot, uint64_t bitoff)
{
    int64_t so = (int64_t)sext(bitoff, ot);

    return a + (so >> (3 + ot)) * (int64_t)ot_bytes(ot);
}

static void do_bt(DecodeCtx *s, int op, uint64_t bitoff, bool reg_off)
{
    CPUX86State *env = s->env;
    int ot = s->ot;
    unsigned bits = 8 << ot;
    uint64_t v, a = 0;
    bool cf;

    if (s->mod == 3) {
        bitoff &= bits - 1;
        v = get_reg(s, ot, s->rm);
    } else {
        a = ea_addr(s);
        if (reg_off) {
            a = bt_mem_addr(a, ot, bitoff);
            if (s->aflag == 2) {
                a = (uint32_t)a;
            }
        }
        bitoff &= bits - 1;
        v = cpu_ld(env, a, ot_bytes(ot));
    }
    cf = bt_op(op, &v, bitoff);
    if (op) {
        if (s->mod == 3) {
            set_reg(s, ot, s->rm, v);
        } else {
            cpu_st(env, a, ot_bytes(ot), v);
        }
    }
    set_cf_only(env, cf);
}

uint64_t dshift_op(int ot, bool right, uint64_t d, uint64_t src,
                   unsigned cnt, bool *cfp)
{
    unsigned bits = 8 << ot;
    uint64_t m = zmask(ot);
    uint64_t r;
    bool cf;

    if (ot == 1 && cnt > 16) {
        /* undefined result: model as a 32-bit shift of src:dst:src */
        uint64_t wide = (d << 32) | (src << 16) | d;
        wide = right ? (wide >> cnt) : (wide << cnt) >> 32;
        r = wide & 0xffff;
        cf = right ? (((d << 32) | (src << 16) | d) >> (cnt - 1)) & 1
                   : (((d << 32) | (src << 16) | d) << (cnt - 1)) >> 47 & 1;
    } else if (right) {
        r = ((d >> cnt) | (src << (bits - cnt))) & m;
        cf = (d >> (cnt - 1)) & 1;
    } else {
        r = ((d << cnt) | (src >> (bits - cnt))) & m;
        cf = (d >> (bits - cnt)) & 1;
    }
    *cfp = cf;
    return r;
}

void dshift_flags(CPUX86State *env, int ot, uint64_t d, uint64_t r, bool cf)
{
    uint64_t sign = 1ULL << ((8 << ot) - 1);

    set_szp_cf_of(env, ot, r, cf, ((r ^ d) & sign) != 0);
}

static void do_dshift(DecodeCtx *s, bool right, unsigned cnt)
{
    CPUX86State *env = s->env;
    int ot = s->ot;
    uint64_t d, r;
    bool cf;

    cnt &= ot == 3 ? 0x3f : 0x1f;
    d = ld_rm(s, ot);
    if (cnt == 0) {
        /* no flags change; a 32-bit register destination is still
         * written (zero-extended) */
        st_rm(s, ot, d);
        return;
    }
    r = dshift_op(ot, right, d, get_reg(s, ot, s->reg), cnt, &cf);
    st_rm(s, ot, r);
    dshift_flags(env, ot, d, r, cf);
}

static void do_cmpxchg(DecodeCtx *s, int ot)
{
    CPUX86State *env = s->env;
    uint64_t acc = get_reg(s, ot, R_EAX);
    uint64_t d = ld_rm_rmw(s, ot);

    alu_op(env, 7, ot, acc, d);
    if (acc == d) {
        st_rm(s, ot, get_reg(s, ot, s->reg));
    } else {
        if (s->mod != 3) {
            st_rm(s, ot, d);
        }
        set_reg(s, ot, R_EAX, d);
    }
}

static void do_cmpxchg8_16(DecodeCtx *s)
{
    CPUX86State *env = s->env;
    uint64_t a = ea_addr(s);
    bool ok;

    if (s->rex & 8) {
        uint64_t lo, hi;
        if (a & 15) {
            raise_gp0(env);
        }
        lo = cpu_ld(env, a, 8);
        hi = cpu_ld(env, a + 8, 8);
        ok = lo == env->regs[R_EAX] && hi == env->regs[R_EDX];
        if (ok) {
            cpu_st(env, a, 8, env->regs[R_EBX]);
            cpu_st(env, a + 8, 8, env->regs[R_ECX]);
        } else {
            cpu_st(env, a, 8, lo);
            env->regs[R_EAX] = lo;
            env->regs[R_EDX] = hi;
        }
    } else {
        uint64_t m = cpu_ld(env, a, 8);
        uint64_t cmp = (uint32_t)env->regs[R_EAX] |
                       (env->regs[R_EDX] << 32);
        ok = m == cmp;
        if (ok) {
            cpu_st(env, a, 8, (uint32_t)env->regs[R_EBX] |
                              (env->regs[R_ECX] << 32));
        } else {
            cpu_st(env, a, 8, m);
            env->regs[R_EAX] = (uint32_t)m;
            env->regs[R_EDX] = m >> 32;
        }
    }
    set_flag_bits(env, CC_Z, ok ? CC_Z : 0);
}

static void do_group15(DecodeCtx *s)
{
    CPUX86State *env = s->env;
    int op = (s->modrm >> 3) & 7;

    if (s->rep) {
        raise_ud(env);      /* RDFSBASE & co.: not advertised */
    }
    if (s->mod == 3) {
        if (op >= 5) {
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            return;         /* LFENCE / MFENCE / SFENCE */
        }
        raise_ud(env);
    }
    switch (op) {
    case 0:
        helper_fxsave(env, ea_addr(s));
        break;
    case 1:
        helper_fxrstor(env, ea_addr(s));
        break;
    case 2: {   /* LDMXCSR */
        uint32_t v = cpu_ld(env, ea_addr(s), 4);
        if (v & ~0xffffu) {
            raise_gp0(env);
        }
        env->mxcsr = v;
        break;
    }
    case 3:
        cpu_st(env, ea_addr(s), 4, env->mxcsr);
        break;
    case 7:     /* CLFLUSH: touch the line for faults only */
        cpu_ld(env, ea_addr(s), 1);
        break;
    default:
        raise_ud(env);
    }
}

bool exec_0f(DecodeCtx *s)
{
    CPUX86State *env = s->env;
    int b = fetch_b(s), ot = s->ot, op;
    uint64_t v, w, t;

    switch (b) {
    case 0x00:
        decode_modrm(s);
        do_group6(s);
        break;
    case 0x01:
        decode_modrm(s);
        do_group7(s);
        break;
    case 0x02:
    case 0x03: {    /* LAR / LSL (the vDSO's getcpu uses LSL) */
        uint32_t lo, hi;
        uint16_t sel;
        bool ok = false;
        decode_modrm(s);
        sel = ld_rm(s, 1);
        if ((sel & 0xfffc) && load_descriptor(env, sel, &lo, &hi)) {
            int dpl = (hi >> DESC_DPL_SHIFT) & 3;
            bool conf = (hi & DESC_S) && (hi & (1 << 11)) && (hi & (1 << 10));
            ok = conf || (dpl >= cpu_cpl(env) && dpl >= (sel & 3));
            if (!(hi & DESC_S)) {
                /* system descriptors: LDT and TSS types only */
                int type = (hi >> 8) & 0xf;
                ok = ok && (type == 2 || type == 9 || type == 11);
            }
        }
        if (ok) {
            if (b == 0x02) {
                v = hi & 0x00f0ff00;
            } else {
                v = (lo & 0xffff) | (hi & 0x000f0000);
                if (hi & DESC_G) {
                    v = (v << 12) | 0xfff;
                }
            }
            set_reg(s, ot == 1 ? 1 : 2, s->reg, v);
        }
        set_flag_bits(env, CC_Z, ok ? CC_Z : 0);
        break;
    }
    case 0x05:
        helper_syscall(env, s->pc);
        s->pc = env->rip;
        break;
    case 0x06:      /* CLTS */
        check_cpl0(env);
        env->cr[0] &= ~(uint64_t)CR0_TS;
        break;
    case 0x07:
        helper_sysret(env, ot);
        s->pc = env->rip;
        break;
    case 0x08:
    case 0x09:      /* INVD / WBINVD */
        check_cpl0(env);
        break;
    case 0x0d:      /* PREFETCH/PREFETCHW */
    case 0x18 ... 0x1f:     /* hint NOPs, ENDBR64 */
        decode_modrm(s);
        break;
    case 0x20:
    case 0x22:      /* MOV CR */
        decode_modrm(s);
        check_cpl0(env);
        op = s->reg;
        if (op != 0 && op != 2 && op != 3 && op != 4 && op != 8) {
            raise_ud(env);
        }
        if (b == 0x20) {
            env->regs[s->rm] = helper_read_cr(env, op);
        } else {
            helper_write_cr(env, op, env->regs[s->rm]);
        }
        break;
    case 0x21:
    case 0x23:      /* MOV DR */
        decode_modrm(s);
        check_cpl0(env);
        op = s->reg;
        if (op > 7) {
            raise_ud(env);
        }
        if (b == 0x21) {
            env->regs[s->rm] = env->dr[(op == 4 || op == 5) ? op + 2 : op];
        } else {
            helper_mov_dr(env, op, env->regs[s->rm]);
        }
        break;
    case 0x30:
        helper_wrmsr(env);
        break;
    case 0x31:      /* RDTSC */
        if ((env->cr[4] & 4) && cpu_cpl(env) != 0) {
            raise_gp0(env);
        }
        v = x86_cpu_get_tsc(env);
        env->regs[R_EAX] = (uint32_t)v;
        env->regs[R_EDX] = v >> 32;
        break;
    case 0x32:
        helper_rdmsr(env);
        break;
    case 0x33:      /* RDPMC: no counters */
        raise_gp0(env);
    case 0x40 ... 0x4f:
        decode_modrm(s);
        v = ld_rm(s, ot);
        if (cc_test(env, b & 0xf)) {
            set_reg(s, ot, s->reg, v);
        } else if (ot == 2) {
            env->regs[s->reg] = (uint32_t)env->regs[s->reg];
        }
        break;
    case 0x80 ... 0x8f:
        t = sext(fetch_l(s), 2);
        if (cc_test(env, b & 0xf)) {
            s->pc += t;
        }
        break;
    case 0x90 ... 0x9f:
        decode_modrm(s);
        st_rm(s, 0, cc_test(env, b & 0xf));
        break;
    case 0xa0:
    case 0xa8:
        push(s, s->p66 ? 1 : 3, env->segs[b == 0xa0 ? R_FS : R_GS].selector);
        break;
    case 0xa1:
    case 0xa9:
        ot = s->p66 ? 1 : 3;
        v = pop_peek(s, ot);
        helper_load_seg(env, b == 0xa1 ? R_FS : R_GS, v);
        env->regs[R_ESP] += ot_bytes(ot);
        break;
    case 0xa2:
        helper_cpuid(env);
        break;
    case 0xa3:
    case 0xab:
    case 0xb3:
    case 0xbb:
        decode_modrm(s);
        do_bt(s, (b >> 3) & 3, get_reg(s, ot, s->reg), true);
        break;
    case 0xba:
        decode_modrm(s);
        op = (s->modrm >> 3) & 7;
        if (op < 4) {
            raise_ud(env);
        }
        v = fetch_b(s);
        do_bt(s, op - 4, v, false);
        break;
    case 0xa4:
    case 0xac:
        decode_modrm(s);
        v = fetch_b(s);
        do_dshift(s, b == 0xac, v);
        break;
    case 0xa5:
    case 0xad:
        decode_modrm(s);
        do_dshift(s, b == 0xad, env->regs[R_ECX]);
        break;
    case 0xae:
        decode_modrm(s);
        do_group15(s);
        break;
    case 0xaf: {
        __int128 p;
        decode_modrm(s);
        p = (__int128)(int64_t)sext(get_reg(s, ot, s->reg), ot) *
            (int64_t)sext(ld_rm(s, ot), ot);
        t = (uint64_t)p & zmask(ot);
        set_reg(s, ot, s->reg, t);
        env->cc_dst = t;
        env->cc_src = (__int128)(int64_t)sext(t, ot) != p;
        env->cc_op = CC_OP(CC_G_MUL, ot);
        break;
    }
    case 0xb0:
    case 0xb1:
        decode_modrm(s);
        do_cmpxchg(s, b == 0xb0 ? 0 : ot);
        break;
    case 0xb6:
    case 0xb7:
    case 0xbe:
    case 0xbf:
        decode_modrm(s);
        v = ld_rm(s, (b & 1) ? 1 : 0);
        if (b & 8) {
            v = sext(v, (b & 1) ? 1 : 0);
        }
        set_reg(s, ot, s->reg, v & zmask(ot));
        break;
    case 0xb8:      /* POPCNT */
        if (s->rep != 0xf3) {
            return false;
        }
        decode_modrm(s);
        v = ld_rm(s, ot);
        set_reg(s, ot, s->reg, __builtin_popcountll(v));
        cc_set_flags(env, v ? 0 : CC_Z);
        break;
    case 0xbc:
    case 0xbd:      /* BSF / BSR (also TZCNT/LZCNT encodings) */
        decode_modrm(s);
        if (bsf_op(env, b == 0xbd, ld_rm(s, ot), &w)) {
            set_reg(s, ot, s->reg, w);
        }
        break;
    case 0xc0:
    case 0xc1:
        if (b == 0xc0) {
            ot = 0;
        }
        decode_modrm(s);
        v = ld_rm_rmw(s, ot);
        w = get_reg(s, ot, s->reg);
        t = alu_op(env, 0, ot, v, w);
        if (s->mod == 3) {
            /* the destination is written last (xadd %al, %al) */
            set_reg(s, ot, s->reg, v);
            st_rm(s, ot, t);
        } else {
            st_rm(s, ot, t);
            set_reg(s, ot, s->reg, v);
        }
        break;
    case 0xc3:      /* MOVNTI */
        decode_modrm(s);
        if (s->mod == 3) {
            return false;
        }
        st_rm(s, ot, get_reg(s, ot, s->reg));
        break;
    case 0xc7:
        decode_modrm(s);
        op = (s->modrm >> 3) & 7;
        if (op != 1 || s->mod == 3) {
            return false;   /* RDRAND/RDSEED/RDPID: not advertised */
        }
        do_cmpxchg8_16(s);
        break;
    case 0xc8 ... 0xcf:
        op = (b & 7) | ((s->rex & 1) << 3);
        if (ot == 3) {
            env->regs[op] = __builtin_bswap64(env->regs[op]);
        } else if (ot == 2) {
            env->regs[op] = __builtin_bswap32(env->regs[op]);
        } else {
            set_reg(s, 1, op, 0);
        }
        break;
    case 0x77:      /* EMMS: all x87 registers empty */
        if (env->cr[0] & CR0_EM) {
            raise_ud(env);
        }
        if (env->cr[0] & CR0_TS) {
            raise_exception(env, EXCP_NM);
        }
        env->fptag = 0xff;
        break;
    case 0x10 ... 0x17:
    case 0x28 ... 0x2f:
    case 0x50 ... 0x76:
    case 0x78 ... 0x7f:
    case 0xc2:
    case 0xc4 ... 0xc6:
    case 0xd0 ... 0xfe:
        return exec_sse(s, b);
    default:
        return false;
    }
    return true;
}
