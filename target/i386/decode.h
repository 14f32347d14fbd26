/*
 * Instruction decoding state and operand helpers shared by the
 * interpreter files (exec.c: one-byte map, exec0f.c: 0F map, sse.c, fpu.c).
 *
 * Operand size codes ("ot"): 0 = 8, 1 = 16, 2 = 32, 3 = 64 bits.
 * The effective address of a memory ModRM operand is computed when the
 * ModRM byte is decoded; RIP-relative operands add the address of the
 * next instruction, which is known once all immediates were fetched, so
 * handlers fetch immediates before touching the operand (ea_addr()).
 */
#ifndef TARGET_I386_DECODE_H
#define TARGET_I386_DECODE_H

#include "internal.h"

struct DecodeCtx {
    CPUX86State *env;
    uint64_t start;         /* RIP of the instruction */
    uint64_t pc;            /* next byte */
    const uint8_t *code;    /* host page of pc, or NULL */
    uint64_t code_page;
    uint64_t fast_end;      /* fast fetch while pc < fast_end */
    const uint8_t *fast_base;   /* host address of guest VA 0 */
    unsigned len;
    int rex;                /* 0x40..0x4f or 0 */
    int ot;                 /* operand size for v operands */
    int aflag;              /* 2 = 32-bit, 3 = 64-bit addresses */
    int seg;                /* override or R_SEG_NONE */
    int rep;                /* 0, 0xf2, 0xf3 */
    bool p66;
    bool lock;
    int b;                  /* opcode */
    int modrm, mod, reg, rm;
    uint64_t ea;            /* without the RIP part */
    bool rip_rel;
};

uint8_t decode_fetch_slow(DecodeCtx *s);

static inline QEMU_ALWAYS_INLINE uint8_t fetch_b(DecodeCtx *s)
{
    if (likely(s->pc < s->fast_end)) {
        return s->fast_base[s->pc++];
    }
    return decode_fetch_slow(s);
}

static inline QEMU_ALWAYS_INLINE uint16_t fetch_w(DecodeCtx *s)
{
    uint16_t v;

    if (likely(s->pc + 2 <= s->fast_end)) {
        memcpy(&v, s->fast_base + s->pc, 2);
        s->pc += 2;
        return v;
    }
    v = fetch_b(s);
    return v | (fetch_b(s) << 8);
}

static inline QEMU_ALWAYS_INLINE uint32_t fetch_l(DecodeCtx *s)
{
    uint32_t v;

    if (likely(s->pc + 4 <= s->fast_end)) {
        memcpy(&v, s->fast_base + s->pc, 4);
        s->pc += 4;
        return v;
    }
    v = fetch_w(s);
    return v | ((uint32_t)fetch_w(s) << 16);
}

static inline QEMU_ALWAYS_INLINE uint64_t fetch_q(DecodeCtx *s)
{
    uint64_t v = fetch_l(s);
    return v | ((uint64_t)fetch_l(s) << 32);
}

static inline QEMU_ALWAYS_INLINE uint64_t sext(uint64_t v, int ot)
{
    int sh = 64 - (8 << ot);
    return (uint64_t)((int64_t)(v << sh) >> sh);
}

extern const uint64_t x86_size_mask[4];

static inline QEMU_ALWAYS_INLINE uint64_t zmask(int ot)
{
    return x86_size_mask[ot];
}

/* immediate of an operand size (64-bit: sign-extended imm32) */
static inline QEMU_ALWAYS_INLINE uint64_t get_imm(DecodeCtx *s, int ot)
{
    switch (ot) {
    case 0:
        return fetch_b(s);
    case 1:
        return fetch_w(s);
    case 2:
        return fetch_l(s);
    default:
        return sext(fetch_l(s), 2);
    }
}

static inline unsigned ot_bytes(int ot)
{
    return 1u << ot;
}

/* general registers */
static inline QEMU_ALWAYS_INLINE uint64_t get_reg(DecodeCtx *s, int ot, int r)
{
    CPUX86State *env = s->env;

    if (ot == 0) {
        if (r >= 4 && r < 8 && !s->rex) {
            return (env->regs[r - 4] >> 8) & 0xff;
        }
        return env->regs[r] & 0xff;
    }
    return env->regs[r] & zmask(ot);
}

static inline QEMU_ALWAYS_INLINE void
set_reg(DecodeCtx *s, int ot, int r, uint64_t v)
{
    CPUX86State *env = s->env;

    switch (ot) {
    case 0:
        if (r >= 4 && r < 8 && !s->rex) {
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

static inline QEMU_ALWAYS_INLINE void decode_modrm(DecodeCtx *s)
{
    CPUX86State *env = s->env;
    int m = fetch_b(s);
    int base, index;
    uint64_t ea = 0;

    s->modrm = m;
    s->mod = m >> 6;
    s->reg = ((m >> 3) & 7) | ((s->rex & 4) << 1);
    s->rm = (m & 7) | ((s->rex & 1) << 3);
    s->rip_rel = false;
    if (s->mod == 3) {
        return;
    }
    if ((m & 7) == 4) {
        int sib = fetch_b(s);
        index = ((sib >> 3) & 7) | ((s->rex & 2) << 2);
        base = (sib & 7) | ((s->rex & 1) << 3);
        if (index != 4) {
            ea = env->regs[index] << (sib >> 6);
        }
        if ((base & 7) == 5 && s->mod == 0) {
            ea += (int32_t)fetch_l(s);
        } else {
            ea += env->regs[base];
        }
    } else if ((m & 7) == 5 && s->mod == 0) {
        ea = (int32_t)fetch_l(s);
        s->rip_rel = true;
    } else {
        ea = env->regs[s->rm];
    }
    if (s->mod == 1) {
        ea += (int8_t)fetch_b(s);
    } else if (s->mod == 2) {
        ea += (int32_t)fetch_l(s);
    }
    s->ea = ea;
}

static inline QEMU_ALWAYS_INLINE uint64_t ea_addr(DecodeCtx *s)
{
    uint64_t a = s->ea;

    if (s->rip_rel) {
        a += s->pc;
    }
    if (s->aflag == 2) {
        a = (uint32_t)a;
    }
    if (s->seg == R_FS || s->seg == R_GS) {
        a += s->env->segs[s->seg].base;
    }
    return a;
}

static inline uint64_t seg_addr(DecodeCtx *s, uint64_t a)
{
    if (s->aflag == 2) {
        a = (uint32_t)a;
    }
    if (s->seg == R_FS || s->seg == R_GS) {
        a += s->env->segs[s->seg].base;
    }
    return a;
}

static inline QEMU_ALWAYS_INLINE uint64_t ld_rm(DecodeCtx *s, int ot)
{
    if (s->mod == 3) {
        return get_reg(s, ot, s->rm);
    }
    return cpu_ld(s->env, ea_addr(s), ot_bytes(ot));
}

/* the r/m operand of a read-modify-write instruction */
static inline QEMU_ALWAYS_INLINE uint64_t ld_rm_rmw(DecodeCtx *s, int ot)
{
    if (s->mod == 3) {
        return get_reg(s, ot, s->rm);
    }
    return cpu_ld_rmw(s->env, ea_addr(s), ot_bytes(ot));
}

static inline QEMU_ALWAYS_INLINE void st_rm(DecodeCtx *s, int ot, uint64_t v)
{
    if (s->mod == 3) {
        set_reg(s, ot, s->rm, v);
        return;
    }
    cpu_st(s->env, ea_addr(s), ot_bytes(ot), v);
}

/* stack */
static inline QEMU_ALWAYS_INLINE void push(DecodeCtx *s, int ot, uint64_t v)
{
    CPUX86State *env = s->env;
    uint64_t sp = env->regs[R_ESP] - ot_bytes(ot);

    cpu_st(env, sp, ot_bytes(ot), v);
    env->regs[R_ESP] = sp;
}

static inline QEMU_ALWAYS_INLINE uint64_t pop_peek(DecodeCtx *s, int ot)
{
    return cpu_ld(s->env, s->env->regs[R_ESP], ot_bytes(ot));
}

/* CF from the lazy flags, inline (same result as cc_compute_c()) */
static inline QEMU_ALWAYS_INLINE bool cc_carry(CPUX86State *env)
{
    int op = env->cc_op, ot = op & 3;
    uint64_t m = zmask(ot), res = env->cc_dst & m, src = env->cc_src & m;
    uint64_t cin = env->cc_src2 & 1, a;

    switch (op >> 2) {
    case CC_G_ADD:
        return res < src;
    case CC_G_SUB:
        return ((res + src) & m) < src;
    case CC_G_LOGIC:
        return false;
    case CC_G_INC:
    case CC_G_DEC:
        return cin;
    case CC_G_ADC:
        a = (res - src - cin) & m;
        return cin ? res <= a : res < a;
    case CC_G_SBB:
        a = (res + src + cin) & m;
        return cin ? a <= src : a < src;
    default:
        return cc_compute_c(env);
    }
}

/* ALU with lazy flags: op 0..7 = ADD OR ADC SBB AND SUB XOR CMP */
static inline QEMU_ALWAYS_INLINE uint64_t
alu_op(CPUX86State *env, int op, int ot, uint64_t a, uint64_t b)
{
    uint64_t r, c;

    switch (op) {
    case 0:
        r = a + b;
        env->cc_op = CC_OP(CC_G_ADD, ot);
        env->cc_src = b;
        break;
    case 1:
        r = a | b;
        env->cc_op = CC_OP(CC_G_LOGIC, ot);
        break;
    case 2:
        c = cc_carry(env);
        r = a + b + c;
        env->cc_op = CC_OP(CC_G_ADC, ot);
        env->cc_src = b;
        env->cc_src2 = c;
        break;
    case 3:
        c = cc_carry(env);
        r = a - b - c;
        env->cc_op = CC_OP(CC_G_SBB, ot);
        env->cc_src = b;
        env->cc_src2 = c;
        break;
    case 4:
        r = a & b;
        env->cc_op = CC_OP(CC_G_LOGIC, ot);
        break;
    case 6:
        r = a ^ b;
        env->cc_op = CC_OP(CC_G_LOGIC, ot);
        break;
    default:        /* SUB, CMP */
        r = a - b;
        env->cc_op = CC_OP(CC_G_SUB, ot);
        env->cc_src = b;
        break;
    }
    r &= zmask(ot);
    env->cc_dst = r;
    return r;
}

uint64_t shift_op(CPUX86State *env, int op, int ot, uint64_t v,
                  unsigned count);

/*
 * Cores shared by the full decoder and the decoded-block fast path
 * (exec0f.c, exec.c): each computes a result only; the caller stores it
 * and then commits the flags, so a faulting store leaves RFLAGS as it
 * was.
 */
/* BT (op 0), BTS, BTR, BTC of bit @bit of *@v: returns the old bit */
bool bt_op(int op, uint64_t *v, unsigned bit);
/* the operand address of BT* m, r: @a moved by the signed bit offset */
uint64_t bt_mem_addr(uint64_t a, int ot, uint64_t bitoff);
/* CF = @cf, the other flags unchanged */
void set_cf_only(CPUX86State *env, bool cf);
/* SHLD/SHRD of @d by @cnt (masked, non-zero) filling from @src */
uint64_t dshift_op(int ot, bool right, uint64_t d, uint64_t src,
                   unsigned cnt, bool *cfp);
/* the flags of a SHLD/SHRD of @d giving @r */
void dshift_flags(CPUX86State *env, int ot, uint64_t d, uint64_t r, bool cf);
/* BSF/BSR: ZF = (@v == 0); returns false if @v is 0 (no result) */
bool bsf_op(CPUX86State *env, bool rev, uint64_t v, uint64_t *res);
/* MUL (op 4), IMUL, DIV, IDIV of the accumulator by @v (raises #DE) */
void muldiv_op(CPUX86State *env, int op, int ot, uint64_t v);
/* POPF of @v with the CPL/IOPL masks (@p66: 16 bits) */
void popf_op(CPUX86State *env, uint64_t v, bool p66);

bool exec_0f(DecodeCtx *s);
bool exec_sse(DecodeCtx *s, int b);
bool exec_x87(DecodeCtx *s, int b);
void helper_jmp(DecodeCtx *s, uint64_t target);

#endif
