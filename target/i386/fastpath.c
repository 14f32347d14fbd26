/*
 * Decoded-instruction cache for the common integer instructions.
 *
 * Entries are keyed by the host address of the instruction's first byte.
 * Guest RAM is mapped once, so the host address identifies the guest
 * *physical* byte: every virtual alias of a code page shares the entries,
 * and text patched through another mapping (text_poke) is caught by the
 * same invalidation.  When an entry is created, its page's CODE dirty bit
 * is cleared, which takes writes to that page off the fast TLB path; the
 * first write lands in physmem_note_write(), whose code hook bumps
 * env->code_epoch and thereby invalidates every cached entry.
 *
 * Only instructions without legacy prefixes (REX allowed) that lie within
 * one page are cached; everything else runs through the full decoder in
 * exec.c.  Semantics are shared with exec.c through alu_op()/shift_op()
 * and the lazy flags, and checked by the differential tests.
 */
#include "qemu/osdep.h"
#include "decode.h"
#include "fastpath.h"

enum {
    FK_NONE,        /* not cacheable: use the full decoder */
    FK_ALU_EG,      /* op E, G */
    FK_ALU_GE,      /* op G, E */
    FK_ALU_EI,      /* op E, imm */
    FK_TEST_EG,
    FK_MOV_EG,
    FK_MOV_GE,
    FK_MOV_RI,      /* mov reg, imm */
    FK_MOV_EI,
    FK_LEA,
    FK_JCC,
    FK_JMP,
    FK_CALL,
    FK_RET,
    FK_PUSH,
    FK_POP,
    FK_INCDEC,
    FK_MOVZX,
    FK_MOVSX,
    FK_MOVSXD,
    FK_SHIFT_I,
    FK_IMUL_GE,
    FK_IMUL_GEI,
    FK_CMOV,
    FK_SETCC,
    FK_NOP,
};

#define NO_REG 0xff

static inline uint32_t fc_index(const uint8_t *host)
{
    uintptr_t h = (uintptr_t)host;

    return (h ^ (h >> FAST_CACHE_BITS)) & (FAST_CACHE_SIZE - 1);
}

/* --- predecoding ------------------------------------------------------ */

typedef struct Pre {
    const uint8_t *p;
    unsigned n, avail;
    bool ok;
} Pre;

static uint8_t pb(Pre *r)
{
    if (r->n >= r->avail) {
        r->ok = false;
        return 0;
    }
    return r->p[r->n++];
}

static uint32_t pl(Pre *r)
{
    uint32_t v = pb(r);

    v |= pb(r) << 8;
    v |= pb(r) << 16;
    v |= (uint32_t)pb(r) << 24;
    return v;
}

static void pre_modrm(Pre *r, FastInsn *f, int rex)
{
    int m = pb(r), mod = m >> 6;

    f->reg = ((m >> 3) & 7) | ((rex & 4) << 1);
    f->modrm_reg = (m >> 3) & 7;
    f->base = f->index = NO_REG;
    f->scale = 0;
    f->disp = 0;
    f->riprel = 0;
    f->mod3 = mod == 3;
    if (mod == 3) {
        f->rm = (m & 7) | ((rex & 1) << 3);
        return;
    }
    if ((m & 7) == 4) {
        int sib = pb(r);
        int idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
        int base = (sib & 7) | ((rex & 1) << 3);
        if (idx != 4) {
            f->index = idx;
            f->scale = sib >> 6;
        }
        if ((base & 7) == 5 && mod == 0) {
            f->disp = (int32_t)pl(r);
        } else {
            f->base = base;
        }
    } else if ((m & 7) == 5 && mod == 0) {
        f->disp = (int32_t)pl(r);
        f->riprel = 1;
    } else {
        f->base = (m & 7) | ((rex & 1) << 3);
    }
    if (mod == 1) {
        f->disp = (int8_t)pb(r);
    } else if (mod == 2) {
        f->disp = (int32_t)pl(r);
    }
}

static uint64_t pre_imm(Pre *r, int ot)
{
    switch (ot) {
    case 0:
        return pb(r);
    case 1:
        return pb(r) | (pb(r) << 8);
    default:
        return (uint64_t)(int64_t)(int32_t)pl(r);
    }
}

/* Fill @f for the instruction at @p (@avail bytes left in the page). */
static void predecode(FastInsn *f, const uint8_t *p, unsigned avail)
{
    Pre r = { p, 0, MIN(avail, 15), true };
    int rex = 0, b, ot, b2;

    f->kind = FK_NONE;
    b = pb(&r);
    if (b >= 0x40 && b <= 0x4f) {
        rex = b;
        b = pb(&r);
    }
    f->rex = rex;
    ot = (rex & 8) ? 3 : 2;
    f->ot = ot;
    switch (b) {
    case 0x00 ... 0x03:
    case 0x08 ... 0x0b:
    case 0x10 ... 0x13:
    case 0x18 ... 0x1b:
    case 0x20 ... 0x23:
    case 0x28 ... 0x2b:
    case 0x30 ... 0x33:
    case 0x38 ... 0x3b:
        f->op = b >> 3;
        f->ot = (b & 1) ? ot : 0;
        pre_modrm(&r, f, rex);
        f->kind = (b & 2) ? FK_ALU_GE : FK_ALU_EG;
        break;
    case 0x50 ... 0x57:
        f->reg = (b & 7) | ((rex & 1) << 3);
        f->kind = FK_PUSH;
        break;
    case 0x58 ... 0x5f:
        f->reg = (b & 7) | ((rex & 1) << 3);
        f->kind = FK_POP;
        break;
    case 0x63:
        pre_modrm(&r, f, rex);
        f->kind = FK_MOVSXD;
        break;
    case 0x69:
    case 0x6b:
        pre_modrm(&r, f, rex);
        f->imm = b == 0x6b ? (uint64_t)(int64_t)(int8_t)pb(&r)
                           : pre_imm(&r, ot);
        f->kind = FK_IMUL_GEI;
        break;
    case 0x70 ... 0x7f:
        f->op = b & 0xf;
        f->imm = (uint64_t)(int64_t)(int8_t)pb(&r);
        f->kind = FK_JCC;
        break;
    case 0x80:
    case 0x81:
    case 0x83:
        f->ot = b == 0x80 ? 0 : ot;
        pre_modrm(&r, f, rex);
        f->op = f->modrm_reg;
        f->imm = b == 0x83 ? (uint64_t)(int64_t)(int8_t)pb(&r)
                           : pre_imm(&r, f->ot);
        f->kind = FK_ALU_EI;
        break;
    case 0x84:
    case 0x85:
        f->ot = b == 0x84 ? 0 : ot;
        pre_modrm(&r, f, rex);
        f->kind = FK_TEST_EG;
        break;
    case 0x88:
    case 0x89:
    case 0x8a:
    case 0x8b:
        f->ot = (b & 1) ? ot : 0;
        pre_modrm(&r, f, rex);
        f->kind = (b & 2) ? FK_MOV_GE : FK_MOV_EG;
        break;
    case 0x8d:
        pre_modrm(&r, f, rex);
        f->kind = f->mod3 ? FK_NONE : FK_LEA;
        break;
    case 0x90:
        f->kind = rex & 1 ? FK_NONE : FK_NOP;
        break;
    case 0xb8 ... 0xbf:
        f->reg = (b & 7) | ((rex & 1) << 3);
        if (ot == 3) {
            f->imm = pl(&r);
            f->imm |= (uint64_t)pl(&r) << 32;
        } else {
            f->imm = pl(&r);
        }
        f->kind = FK_MOV_RI;
        break;
    case 0xc0:
    case 0xc1:
    case 0xd1:
        f->ot = (b & 1) ? ot : 0;
        pre_modrm(&r, f, rex);
        f->op = f->modrm_reg;
        f->imm = b == 0xd1 ? 1 : pb(&r);
        f->kind = FK_SHIFT_I;
        break;
    case 0xc3:
        f->kind = FK_RET;
        break;
    case 0xc6:
    case 0xc7:
        f->ot = b == 0xc6 ? 0 : ot;
        pre_modrm(&r, f, rex);
        f->imm = pre_imm(&r, f->ot);
        f->kind = f->modrm_reg == 0 ? FK_MOV_EI : FK_NONE;
        break;
    case 0xe8:
        f->imm = (uint64_t)(int64_t)(int32_t)pl(&r);
        f->kind = FK_CALL;
        break;
    case 0xe9:
        f->imm = (uint64_t)(int64_t)(int32_t)pl(&r);
        f->kind = FK_JMP;
        break;
    case 0xeb:
        f->imm = (uint64_t)(int64_t)(int8_t)pb(&r);
        f->kind = FK_JMP;
        break;
    case 0xfe:
    case 0xff:
        f->ot = b == 0xfe ? 0 : ot;
        pre_modrm(&r, f, rex);
        f->op = f->modrm_reg;
        f->kind = f->op <= 1 ? FK_INCDEC : FK_NONE;
        break;
    case 0x0f:
        b2 = pb(&r);
        switch (b2) {
        case 0x1f:
            pre_modrm(&r, f, rex);
            f->kind = FK_NOP;
            break;
        case 0x40 ... 0x4f:
            pre_modrm(&r, f, rex);
            f->op = b2 & 0xf;
            f->kind = FK_CMOV;
            break;
        case 0x80 ... 0x8f:
            f->op = b2 & 0xf;
            f->imm = (uint64_t)(int64_t)(int32_t)pl(&r);
            f->kind = FK_JCC;
            break;
        case 0x90 ... 0x9f:
            pre_modrm(&r, f, rex);
            f->op = b2 & 0xf;
            f->ot = 0;
            f->kind = FK_SETCC;
            break;
        case 0xaf:
            pre_modrm(&r, f, rex);
            f->kind = FK_IMUL_GE;
            break;
        case 0xb6:
        case 0xb7:
        case 0xbe:
        case 0xbf:
            pre_modrm(&r, f, rex);
            f->op = (b2 & 1);           /* source: 0 = byte, 1 = word */
            f->kind = (b2 & 8) ? FK_MOVSX : FK_MOVZX;
            break;
        default:
            break;
        }
        break;
    default:
        break;
    }
    if (!r.ok) {
        f->kind = FK_NONE;
    }
    f->len = r.n;
}

/* --- execution --------------------------------------------------------- */

static inline uint64_t f_get(CPUX86State *env, const FastInsn *f, int ot,
                             int r)
{
    if (ot == 0) {
        if (r >= 4 && r < 8 && !f->rex) {
            return (env->regs[r - 4] >> 8) & 0xff;
        }
        return env->regs[r] & 0xff;
    }
    return env->regs[r] & zmask(ot);
}

static inline void f_set(CPUX86State *env, const FastInsn *f, int ot, int r,
                         uint64_t v)
{
    switch (ot) {
    case 0:
        if (r >= 4 && r < 8 && !f->rex) {
            env->regs[r - 4] = (env->regs[r - 4] & ~0xff00ULL) |
                               ((v & 0xff) << 8);
        } else {
            env->regs[r] = (env->regs[r] & ~0xffULL) | (v & 0xff);
        }
        break;
    case 1:
        env->regs[r] = (env->regs[r] & ~0xffffULL) | (v & 0xffff);
        break;
    case 2:
        env->regs[r] = (uint32_t)v;
        break;
    default:
        env->regs[r] = v;
        break;
    }
}

static inline uint64_t f_ea(CPUX86State *env, const FastInsn *f,
                            uint64_t next)
{
    uint64_t a = (int64_t)f->disp;

    if (f->base != NO_REG) {
        a += env->regs[f->base];
    }
    if (f->index != NO_REG) {
        a += env->regs[f->index] << f->scale;
    }
    if (f->riprel) {
        a += next;
    }
    return a;
}

static inline uint64_t f_ld_e(CPUX86State *env, const FastInsn *f, int ot,
                              uint64_t next)
{
    if (f->mod3) {
        return f_get(env, f, ot, f->rm);
    }
    return cpu_ld(env, f_ea(env, f, next), ot_bytes(ot));
}

static inline void f_st_e(CPUX86State *env, const FastInsn *f, int ot,
                          uint64_t next, uint64_t v)
{
    if (f->mod3) {
        f_set(env, f, ot, f->rm, v);
        return;
    }
    cpu_st(env, f_ea(env, f, next), ot_bytes(ot), v);
}

static void f_exec(CPUX86State *env, const FastInsn *f, uint64_t next)
{
    int ot = f->ot;
    uint64_t v, w;
    __int128 p;

    switch (f->kind) {
    case FK_ALU_EG:
        v = alu_op(env, f->op, ot, f_ld_e(env, f, ot, next),
                   f_get(env, f, ot, f->reg));
        if (f->op != 7) {
            f_st_e(env, f, ot, next, v);
        }
        break;
    case FK_ALU_GE:
        v = alu_op(env, f->op, ot, f_get(env, f, ot, f->reg),
                   f_ld_e(env, f, ot, next));
        if (f->op != 7) {
            f_set(env, f, ot, f->reg, v);
        }
        break;
    case FK_ALU_EI:
        v = alu_op(env, f->op, ot, f_ld_e(env, f, ot, next), f->imm);
        if (f->op != 7) {
            f_st_e(env, f, ot, next, v);
        }
        break;
    case FK_TEST_EG:
        alu_op(env, 4, ot, f_ld_e(env, f, ot, next),
               f_get(env, f, ot, f->reg));
        break;
    case FK_MOV_EG:
        f_st_e(env, f, ot, next, f_get(env, f, ot, f->reg));
        break;
    case FK_MOV_GE:
        f_set(env, f, ot, f->reg, f_ld_e(env, f, ot, next));
        break;
    case FK_MOV_RI:
        f_set(env, f, ot, f->reg, f->imm);
        break;
    case FK_MOV_EI:
        f_st_e(env, f, ot, next, f->imm);
        break;
    case FK_LEA:
        f_set(env, f, ot, f->reg, f_ea(env, f, next));
        break;
    case FK_JCC:
        if (cc_test(env, f->op)) {
            next += f->imm;
        }
        break;
    case FK_JMP:
        next += f->imm;
        break;
    case FK_CALL:
        v = env->regs[R_ESP] - 8;
        cpu_st(env, v, 8, next);
        env->regs[R_ESP] = v;
        next += f->imm;
        break;
    case FK_RET:
        v = cpu_ld(env, env->regs[R_ESP], 8);
        env->regs[R_ESP] += 8;
        next = v;
        break;
    case FK_PUSH:
        v = env->regs[R_ESP] - 8;
        cpu_st(env, v, 8, env->regs[f->reg]);
        env->regs[R_ESP] = v;
        break;
    case FK_POP:
        v = cpu_ld(env, env->regs[R_ESP], 8);
        env->regs[R_ESP] += 8;
        env->regs[f->reg] = v;
        break;
    case FK_INCDEC:
        env->cc_src2 = cc_compute_c(env);
        v = (f_ld_e(env, f, ot, next) + (f->op ? -1 : 1)) & zmask(ot);
        f_st_e(env, f, ot, next, v);
        env->cc_dst = v;
        env->cc_op = CC_OP(f->op ? CC_G_DEC : CC_G_INC, ot);
        break;
    case FK_MOVZX:
        v = f_ld_e(env, f, f->op, next);
        f_set(env, f, ot, f->reg, v);
        break;
    case FK_MOVSX:
        v = sext(f_ld_e(env, f, f->op, next), f->op);
        f_set(env, f, ot, f->reg, v & zmask(ot));
        break;
    case FK_MOVSXD:
        v = f_ld_e(env, f, 2, next);
        f_set(env, f, ot, f->reg, ot == 3 ? sext(v, 2) : v);
        break;
    case FK_SHIFT_I: {
        unsigned cnt = f->imm & (ot == 3 ? 0x3f : 0x1f);
        v = f_ld_e(env, f, ot, next);
        f_st_e(env, f, ot, next, shift_op(env, f->op, ot, v, cnt));
        break;
    }
    case FK_IMUL_GE:
    case FK_IMUL_GEI:
        w = f_ld_e(env, f, ot, next);
        v = f->kind == FK_IMUL_GE ? f_get(env, f, ot, f->reg) : f->imm;
        p = (__int128)(int64_t)sext(v, ot) * (int64_t)sext(w, ot);
        v = (uint64_t)p & zmask(ot);
        f_set(env, f, ot, f->reg, v);
        env->cc_dst = v;
        env->cc_src = (__int128)(int64_t)sext(v, ot) != p;
        env->cc_op = CC_OP(CC_G_MUL, ot);
        break;
    case FK_CMOV:
        v = f_ld_e(env, f, ot, next);
        if (cc_test(env, f->op)) {
            f_set(env, f, ot, f->reg, v);
        } else if (ot == 2) {
            env->regs[f->reg] = (uint32_t)env->regs[f->reg];
        }
        break;
    case FK_SETCC:
        f_st_e(env, f, 0, next, cc_test(env, f->op));
        break;
    default:    /* FK_NOP */
        break;
    }
    env->rip = next;
}

bool x86_fast_exec(CPUX86State *env, const uint8_t *host, unsigned avail)
{
    FastInsn *f = &env->fast_cache[fc_index(host)];
    uint32_t epoch = __atomic_load_n(&env->code_epoch, __ATOMIC_ACQUIRE);

    if (unlikely(f->host != host || f->epoch != epoch)) {
        predecode(f, host, avail);
        f->host = host;
        f->epoch = epoch;
        if (f->kind != FK_NONE) {
            x86_mark_code_page(env, host);
        }
    }
    if (f->kind == FK_NONE) {
        return false;
    }
    f_exec(env, f, env->rip + f->len);
    return true;
}
