/*
 * Lazy arithmetic flags.
 *
 * An instruction that sets flags records (cc_op, cc_dst, cc_src, cc_src2)
 * instead of computing RFLAGS:
 *   ADD/ADC  dst = result, src = second operand, src2 = carry in (ADC)
 *   SUB/SBB  dst = result, src = second operand, src2 = borrow in (SBB)
 *   LOGIC    dst = result
 *   INC/DEC  dst = result, src2 = CF before the instruction
 *   SHL      dst = result, src = operand shifted by count - 1
 *   SHR/SAR  dst = result, src = operand shifted by count - 1
 *   MUL      dst = low result, src = non-zero if the high half matters
 *   EFLAGS   src = the six flags themselves
 * The flags are computed only when read (Jcc, SETcc, CMOVcc, PUSHF, ADC).
 */
#include "qemu/osdep.h"
#include "internal.h"

static const uint64_t size_mask[4] = {
    0xff, 0xffff, 0xffffffffULL, ~0ULL
};

static inline uint32_t parity(uint64_t v)
{
    return __builtin_parity(v & 0xff) ? 0 : CC_P;
}

static inline uint32_t szp(uint64_t res, int ot)
{
    uint64_t m = size_mask[ot];
    uint64_t sign = (m >> 1) + 1;
    uint32_t f = parity(res);

    res &= m;
    if (res == 0) {
        f |= CC_Z;
    }
    if (res & sign) {
        f |= CC_S;
    }
    return f;
}

uint32_t cc_compute_all(CPUX86State *env)
{
    int op = env->cc_op;
    int ot = op & 3;
    uint64_t m = size_mask[ot];
    uint64_t sign = (m >> 1) + 1;
    uint64_t res = env->cc_dst & m, src = env->cc_src & m, a;
    uint64_t cin = env->cc_src2 & 1;
    uint32_t f;

    if (op == CC_OP_EFLAGS) {
        return env->cc_src & CC_ALL;
    }
    f = szp(res, ot);
    switch (op >> 2) {
    case CC_G_ADD:
    case CC_G_ADC:
        if ((op >> 2) == CC_G_ADD) {
            cin = 0;
        }
        a = (res - src - cin) & m;
        if (cin ? res <= a : res < a) {
            f |= CC_C;
        }
        if ((a ^ res) & (src ^ res) & sign) {
            f |= CC_O;
        }
        f |= (a ^ src ^ res) & CC_A;
        break;
    case CC_G_SUB:
    case CC_G_SBB:
        if ((op >> 2) == CC_G_SUB) {
            cin = 0;
        }
        a = (res + src + cin) & m;
        if (cin ? a <= src : a < src) {
            f |= CC_C;
        }
        if ((a ^ src) & (a ^ res) & sign) {
            f |= CC_O;
        }
        f |= (a ^ src ^ res) & CC_A;
        break;
    case CC_G_LOGIC:
        break;
    case CC_G_INC:
        f |= cin;
        if (res == sign) {
            f |= CC_O;
        }
        if ((res & 0xf) == 0) {
            f |= CC_A;
        }
        break;
    case CC_G_DEC:
        f |= cin;
        if (res == sign - 1) {
            f |= CC_O;
        }
        if ((res & 0xf) == 0xf) {
            f |= CC_A;
        }
        break;
    case CC_G_SHL:
        if (src & sign) {
            f |= CC_C;
        }
        if (((src << 1) ^ src) & sign) {
            /* OF = CF ^ MSB(result) for a count of 1 */
            f |= CC_O;
        }
        break;
    case CC_G_SHR:
        f |= src & 1;
        if (src & sign) {
            f |= CC_O;
        }
        break;
    case CC_G_SAR:
        f |= src & 1;
        break;
    case CC_G_MUL:
        if (env->cc_src) {
            f |= CC_C | CC_O;
        }
        break;
    default:
        g_assert_not_reached();
    }
    return f;
}

bool cc_compute_c(CPUX86State *env)
{
    int op = env->cc_op;
    int ot = op & 3;
    uint64_t m = size_mask[ot];
    uint64_t res = env->cc_dst & m, src = env->cc_src & m;

    switch (op >> 2) {
    case CC_G_ADD:
        return res < src;
    case CC_G_SUB:
        return ((res + src) & m) < src;
    case CC_G_LOGIC:
        return false;
    case CC_G_INC:
    case CC_G_DEC:
        return env->cc_src2 & 1;
    default:
        return cc_compute_all(env) & CC_C;
    }
}

bool cc_test(CPUX86State *env, int cond)
{
    uint32_t f;
    bool r;
    int op = env->cc_op;

    /* fast paths for compare/test followed by a branch */
    if ((op >> 2) == CC_G_SUB && (cond >> 1) != 0 && (cond >> 1) != 5) {
        int ot = op & 3;
        uint64_t m = size_mask[ot];
        uint64_t res = env->cc_dst & m, src = env->cc_src & m;
        uint64_t a = (res + src) & m;
        int sh = 64 - (8 << ot);
        int64_t sa = (int64_t)(a << sh) >> sh;
        int64_t ss = (int64_t)(src << sh) >> sh;

        switch (cond >> 1) {
        case 1:
            r = a < src;
            break;
        case 2:
            r = res == 0;
            break;
        case 3:
            r = a <= src;
            break;
        case 4:
            r = (res >> (8 * (1 << ot) - 1)) & 1;
            break;
        case 6:
            r = sa < ss;
            break;
        default:
            r = sa <= ss;
            break;
        }
        return r ^ (cond & 1);
    }
    if (op != CC_OP_EFLAGS) {
        /* ZF and SF come from the result for every lazy group */
        uint64_t res = env->cc_dst & size_mask[op & 3];
        if ((cond >> 1) == 2) {
            return (res == 0) ^ (cond & 1);
        }
        if ((cond >> 1) == 4) {
            return ((res >> ((8 << (op & 3)) - 1)) & 1) ^ (cond & 1);
        }
    }
    f = cc_compute_all(env);
    switch (cond >> 1) {
    case 0:
        r = f & CC_O;
        break;
    case 1:
        r = f & CC_C;
        break;
    case 2:
        r = f & CC_Z;
        break;
    case 3:
        r = f & (CC_C | CC_Z);
        break;
    case 4:
        r = f & CC_S;
        break;
    case 5:
        r = f & CC_P;
        break;
    case 6:
        r = !(f & CC_S) != !(f & CC_O);
        break;
    default:
        r = (f & CC_Z) || (!(f & CC_S) != !(f & CC_O));
        break;
    }
    return r ^ (cond & 1);
}

uint64_t x86_cpu_get_eflags(CPUX86State *env)
{
    return (env->eflags & ~(uint64_t)CC_ALL) | cc_compute_all(env) | 2;
}

void x86_cpu_set_eflags(CPUX86State *env, uint64_t val)
{
    env->eflags = (val & ~(uint64_t)CC_ALL & 0x3f7fd5) | 2;
    cc_set_flags(env, val);
}
