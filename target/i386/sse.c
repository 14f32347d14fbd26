/*
 * SSE/SSE2 subset: the moves, logic, integer SIMD and scalar/packed
 * floating point that glibc's SSE2 string functions and awk-style double
 * arithmetic use (emulator.md section 3), on 128-bit XMM registers.
 * MMX forms (no 66 prefix on integer opcodes) are not implemented (#UD).
 * Floating point uses the host's IEEE operations in the default rounding
 * mode; MXCSR exception flags are not tracked.
 */
#include "qemu/osdep.h"
#include "decode.h"
#include <math.h>

enum { P_NONE, P_66, P_F3, P_F2 };

typedef X86XMMReg XMM;

static int mandatory_prefix(DecodeCtx *s)
{
    if (s->rep == 0xf3) {
        return P_F3;
    }
    if (s->rep == 0xf2) {
        return P_F2;
    }
    return s->p66 ? P_66 : P_NONE;
}

/* Load the r/m operand: @size bytes (4, 8 or 16); @align for 16. */
static void ld_xmm_rm(DecodeCtx *s, XMM *out, unsigned size, bool align)
{
    CPUX86State *env = s->env;
    uint64_t a;

    if (s->mod == 3) {
        *out = env->xmm[s->rm];
        return;
    }
    a = ea_addr(s);
    memset(out, 0, sizeof(*out));
    if (size == 16) {
        if (align && (a & 15)) {
            raise_gp0(env);
        }
        out->q[0] = cpu_ld(env, a, 8);
        out->q[1] = cpu_ld(env, a + 8, 8);
    } else {
        out->q[0] = cpu_ld(env, a, size);
    }
}

static void st_xmm_mem(DecodeCtx *s, const XMM *v, unsigned size, bool align)
{
    CPUX86State *env = s->env;
    uint64_t a = ea_addr(s);

    if (size == 16) {
        if (align && (a & 15)) {
            raise_gp0(env);
        }
        /* probe both halves before writing */
        cpu_st_buf(env, a, v, 16);
    } else {
        cpu_st(env, a, size, v->q[0]);
    }
}

static uint8_t sat_u8(int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

static int8_t sat_s8(int v)
{
    return v < -128 ? -128 : v > 127 ? 127 : v;
}

static uint16_t sat_u16(int v)
{
    return v < 0 ? 0 : v > 65535 ? 65535 : v;
}

static int16_t sat_s16(int v)
{
    return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

static double fp_op(int op, double a, double b)
{
    switch (op) {
    case 0x58:
        return a + b;
    case 0x59:
        return a * b;
    case 0x5c:
        return a - b;
    case 0x5d:
        return a < b ? a : b;
    case 0x5e:
        return a / b;
    default:
        return a > b ? a : b;
    }
}

static float fp_op_s(int op, float a, float b)
{
    switch (op) {
    case 0x58:
        return a + b;
    case 0x59:
        return a * b;
    case 0x5c:
        return a - b;
    case 0x5d:
        return a < b ? a : b;
    case 0x5e:
        return a / b;
    default:
        return a > b ? a : b;
    }
}

static bool fp_cmp(int pred, double a, double b)
{
    bool unord = isnan(a) || isnan(b);

    switch (pred & 7) {
    case 0:
        return a == b;
    case 1:
        return a < b;
    case 2:
        return a <= b;
    case 3:
        return unord;
    case 4:
        return !(a == b);
    case 5:
        return !(a < b);
    case 6:
        return !(a <= b);
    default:
        return !unord;
    }
}

static int64_t cvt_to_int(double v, bool truncate, bool is64)
{
    double lim = is64 ? 9223372036854775808.0 : 2147483648.0;

    v = truncate ? trunc(v) : nearbyint(v);
    if (isnan(v) || v >= lim || v < -lim) {
        return is64 ? INT64_MIN : INT32_MIN;
    }
    return (int64_t)v;
}

static void comis(CPUX86State *env, double a, double b)
{
    uint32_t f;

    if (isnan(a) || isnan(b)) {
        f = CC_Z | CC_P | CC_C;
    } else if (a < b) {
        f = CC_C;
    } else if (a == b) {
        f = CC_Z;
    } else {
        f = 0;
    }
    cc_set_flags(env, f);
}

/* shifts by count (in bits) for element size @esz bytes */
static void pshift(XMM *d, int esz, uint64_t cnt, int kind)
{
    int n = 16 / esz, i;
    unsigned bits = esz * 8;

    for (i = 0; i < n; i++) {
        uint64_t v;
        switch (esz) {
        case 2:
            v = d->w[i];
            break;
        case 4:
            v = d->l[i];
            break;
        default:
            v = d->q[i];
            break;
        }
        if (kind == 0) {            /* logical right */
            v = cnt >= bits ? 0 : v >> cnt;
        } else if (kind == 1) {     /* arithmetic right */
            int64_t sv = (int64_t)(v << (64 - bits)) >> (64 - bits);
            v = sv >> (cnt >= bits ? bits - 1 : cnt);
        } else {                    /* left */
            v = cnt >= bits ? 0 : v << cnt;
        }
        switch (esz) {
        case 2:
            d->w[i] = v;
            break;
        case 4:
            d->l[i] = v;
            break;
        default:
            d->q[i] = v;
            break;
        }
    }
}

static void byte_shift(XMM *d, unsigned cnt, bool left)
{
    XMM r;
    int i;

    memset(&r, 0, sizeof(r));
    if (cnt > 16) {
        cnt = 16;
    }
    for (i = 0; i < 16; i++) {
        int src = left ? i - (int)cnt : i + (int)cnt;
        r.b[i] = (src >= 0 && src < 16) ? d->b[src] : 0;
    }
    *d = r;
}

/* 66-prefixed integer ops on two XMM values: returns false if unknown */
static bool int_op(int b, XMM *d, const XMM *sv)
{
    int i;
    XMM r = *d;

    switch (b) {
    case 0x60:      /* punpcklbw */
        for (i = 0; i < 8; i++) {
            r.b[2 * i] = d->b[i];
            r.b[2 * i + 1] = sv->b[i];
        }
        break;
    case 0x61:
        for (i = 0; i < 4; i++) {
            r.w[2 * i] = d->w[i];
            r.w[2 * i + 1] = sv->w[i];
        }
        break;
    case 0x62:
        for (i = 0; i < 2; i++) {
            r.l[2 * i] = d->l[i];
            r.l[2 * i + 1] = sv->l[i];
        }
        break;
    case 0x68:      /* punpckhbw */
        for (i = 0; i < 8; i++) {
            r.b[2 * i] = d->b[8 + i];
            r.b[2 * i + 1] = sv->b[8 + i];
        }
        break;
    case 0x69:
        for (i = 0; i < 4; i++) {
            r.w[2 * i] = d->w[4 + i];
            r.w[2 * i + 1] = sv->w[4 + i];
        }
        break;
    case 0x6a:
        for (i = 0; i < 2; i++) {
            r.l[2 * i] = d->l[2 + i];
            r.l[2 * i + 1] = sv->l[2 + i];
        }
        break;
    case 0x6c:
        r.q[1] = sv->q[0];
        break;
    case 0x6d:
        r.q[0] = d->q[1];
        r.q[1] = sv->q[1];
        break;
    case 0x63:      /* packsswb */
        for (i = 0; i < 8; i++) {
            r.b[i] = sat_s8((int16_t)d->w[i]);
            r.b[8 + i] = sat_s8((int16_t)sv->w[i]);
        }
        break;
    case 0x67:      /* packuswb */
        for (i = 0; i < 8; i++) {
            r.b[i] = sat_u8((int16_t)d->w[i]);
            r.b[8 + i] = sat_u8((int16_t)sv->w[i]);
        }
        break;
    case 0x6b:      /* packssdw */
        for (i = 0; i < 4; i++) {
            r.w[i] = sat_s16((int32_t)d->l[i]);
            r.w[4 + i] = sat_s16((int32_t)sv->l[i]);
        }
        break;
    case 0x64:
        for (i = 0; i < 16; i++) {
            r.b[i] = (int8_t)d->b[i] > (int8_t)sv->b[i] ? 0xff : 0;
        }
        break;
    case 0x65:
        for (i = 0; i < 8; i++) {
            r.w[i] = (int16_t)d->w[i] > (int16_t)sv->w[i] ? 0xffff : 0;
        }
        break;
    case 0x66:
        for (i = 0; i < 4; i++) {
            r.l[i] = (int32_t)d->l[i] > (int32_t)sv->l[i] ? ~0u : 0;
        }
        break;
    case 0x74:
        for (i = 0; i < 16; i++) {
            r.b[i] = d->b[i] == sv->b[i] ? 0xff : 0;
        }
        break;
    case 0x75:
        for (i = 0; i < 8; i++) {
            r.w[i] = d->w[i] == sv->w[i] ? 0xffff : 0;
        }
        break;
    case 0x76:
        for (i = 0; i < 4; i++) {
            r.l[i] = d->l[i] == sv->l[i] ? ~0u : 0;
        }
        break;
    case 0xd4:
        r.q[0] += sv->q[0];
        r.q[1] += sv->q[1];
        break;
    case 0xd5:      /* pmullw */
        for (i = 0; i < 8; i++) {
            r.w[i] = (int16_t)d->w[i] * (int16_t)sv->w[i];
        }
        break;
    case 0xd8:
        for (i = 0; i < 16; i++) {
            r.b[i] = sat_u8(d->b[i] - sv->b[i]);
        }
        break;
    case 0xd9:
        for (i = 0; i < 8; i++) {
            r.w[i] = sat_u16(d->w[i] - sv->w[i]);
        }
        break;
    case 0xda:
        for (i = 0; i < 16; i++) {
            r.b[i] = MIN(d->b[i], sv->b[i]);
        }
        break;
    case 0xdb:
        r.q[0] &= sv->q[0];
        r.q[1] &= sv->q[1];
        break;
    case 0xdc:
        for (i = 0; i < 16; i++) {
            r.b[i] = sat_u8(d->b[i] + sv->b[i]);
        }
        break;
    case 0xdd:
        for (i = 0; i < 8; i++) {
            r.w[i] = sat_u16(d->w[i] + sv->w[i]);
        }
        break;
    case 0xde:
        for (i = 0; i < 16; i++) {
            r.b[i] = MAX(d->b[i], sv->b[i]);
        }
        break;
    case 0xdf:
        r.q[0] = ~d->q[0] & sv->q[0];
        r.q[1] = ~d->q[1] & sv->q[1];
        break;
    case 0xe0:
        for (i = 0; i < 16; i++) {
            r.b[i] = (d->b[i] + sv->b[i] + 1) >> 1;
        }
        break;
    case 0xe3:
        for (i = 0; i < 8; i++) {
            r.w[i] = (d->w[i] + sv->w[i] + 1) >> 1;
        }
        break;
    case 0xe4:
        for (i = 0; i < 8; i++) {
            r.w[i] = ((uint32_t)d->w[i] * sv->w[i]) >> 16;
        }
        break;
    case 0xe5:
        for (i = 0; i < 8; i++) {
            r.w[i] = ((int32_t)(int16_t)d->w[i] * (int16_t)sv->w[i]) >> 16;
        }
        break;
    case 0xe8:
        for (i = 0; i < 16; i++) {
            r.b[i] = sat_s8((int8_t)d->b[i] - (int8_t)sv->b[i]);
        }
        break;
    case 0xe9:
        for (i = 0; i < 8; i++) {
            r.w[i] = sat_s16((int16_t)d->w[i] - (int16_t)sv->w[i]);
        }
        break;
    case 0xea:
        for (i = 0; i < 8; i++) {
            r.w[i] = MIN((int16_t)d->w[i], (int16_t)sv->w[i]);
        }
        break;
    case 0xeb:
        r.q[0] |= sv->q[0];
        r.q[1] |= sv->q[1];
        break;
    case 0xec:
        for (i = 0; i < 16; i++) {
            r.b[i] = sat_s8((int8_t)d->b[i] + (int8_t)sv->b[i]);
        }
        break;
    case 0xed:
        for (i = 0; i < 8; i++) {
            r.w[i] = sat_s16((int16_t)d->w[i] + (int16_t)sv->w[i]);
        }
        break;
    case 0xee:
        for (i = 0; i < 8; i++) {
            r.w[i] = MAX((int16_t)d->w[i], (int16_t)sv->w[i]);
        }
        break;
    case 0xef:
        r.q[0] ^= sv->q[0];
        r.q[1] ^= sv->q[1];
        break;
    case 0xf4:      /* pmuludq */
        r.q[0] = (uint64_t)d->l[0] * sv->l[0];
        r.q[1] = (uint64_t)d->l[2] * sv->l[2];
        break;
    case 0xf5:      /* pmaddwd */
        for (i = 0; i < 4; i++) {
            r.l[i] = (int32_t)(int16_t)d->w[2 * i] * (int16_t)sv->w[2 * i] +
                     (int32_t)(int16_t)d->w[2 * i + 1] *
                     (int16_t)sv->w[2 * i + 1];
        }
        break;
    case 0xf6: {    /* psadbw */
        int h;
        for (h = 0; h < 2; h++) {
            unsigned sum = 0;
            for (i = 0; i < 8; i++) {
                sum += abs(d->b[h * 8 + i] - sv->b[h * 8 + i]);
            }
            r.q[h] = sum;
        }
        break;
    }
    case 0xf8:
        for (i = 0; i < 16; i++) {
            r.b[i] = d->b[i] - sv->b[i];
        }
        break;
    case 0xf9:
        for (i = 0; i < 8; i++) {
            r.w[i] = d->w[i] - sv->w[i];
        }
        break;
    case 0xfa:
        for (i = 0; i < 4; i++) {
            r.l[i] = d->l[i] - sv->l[i];
        }
        break;
    case 0xfb:
        r.q[0] -= sv->q[0];
        r.q[1] -= sv->q[1];
        break;
    case 0xfc:
        for (i = 0; i < 16; i++) {
            r.b[i] = d->b[i] + sv->b[i];
        }
        break;
    case 0xfd:
        for (i = 0; i < 8; i++) {
            r.w[i] = d->w[i] + sv->w[i];
        }
        break;
    case 0xfe:
        for (i = 0; i < 4; i++) {
            r.l[i] = d->l[i] + sv->l[i];
        }
        break;
    case 0xd1:
    case 0xe1:
    case 0xf1:
        pshift(&r, 2, sv->q[0], b == 0xd1 ? 0 : b == 0xe1 ? 1 : 2);
        break;
    case 0xd2:
    case 0xe2:
    case 0xf2:
        pshift(&r, 4, sv->q[0], b == 0xd2 ? 0 : b == 0xe2 ? 1 : 2);
        break;
    case 0xd3:
    case 0xf3:
        pshift(&r, 8, sv->q[0], b == 0xd3 ? 0 : 2);
        break;
    default:
        return false;
    }
    *d = r;
    return true;
}

static bool fp_arith(DecodeCtx *s, int b, int pfx)
{
    CPUX86State *env = s->env;
    XMM *d = &env->xmm[s->reg];
    XMM v;
    int i;

    switch (pfx) {
    case P_F2:
        ld_xmm_rm(s, &v, 8, false);
        d->d[0] = b == 0x51 ? sqrt(v.d[0]) : fp_op(b, d->d[0], v.d[0]);
        return true;
    case P_F3:
        ld_xmm_rm(s, &v, 4, false);
        d->s[0] = b == 0x51 ? sqrtf(v.s[0]) : fp_op_s(b, d->s[0], v.s[0]);
        return true;
    case P_66:
        ld_xmm_rm(s, &v, 16, true);
        for (i = 0; i < 2; i++) {
            d->d[i] = b == 0x51 ? sqrt(v.d[i]) : fp_op(b, d->d[i], v.d[i]);
        }
        return true;
    default:
        ld_xmm_rm(s, &v, 16, true);
        for (i = 0; i < 4; i++) {
            d->s[i] = b == 0x51 ? sqrtf(v.s[i])
                                : fp_op_s(b, d->s[i], v.s[i]);
        }
        return true;
    }
}

static bool exec_cvt(DecodeCtx *s, int b, int pfx)
{
    CPUX86State *env = s->env;
    XMM *d = &env->xmm[s->reg];
    XMM v;
    bool w = s->rex & 8;
    int64_t iv;
    double dv;

    switch (b) {
    case 0x2a:      /* cvtsi2ss / cvtsi2sd */
        if (pfx != P_F2 && pfx != P_F3) {
            return false;
        }
        iv = w ? (int64_t)ld_rm(s, 3) : (int32_t)ld_rm(s, 2);
        if (pfx == P_F2) {
            d->d[0] = (double)iv;
        } else {
            d->s[0] = (float)iv;
        }
        return true;
    case 0x2c:
    case 0x2d:      /* cvt(t)ss2si / cvt(t)sd2si */
        if (pfx == P_F2) {
            ld_xmm_rm(s, &v, 8, false);
            dv = v.d[0];
        } else if (pfx == P_F3) {
            ld_xmm_rm(s, &v, 4, false);
            dv = v.s[0];
        } else {
            return false;
        }
        iv = cvt_to_int(dv, b == 0x2c, w);
        set_reg(s, w ? 3 : 2, s->reg, iv);
        return true;
    case 0x5a:
        if (pfx == P_F2) {          /* cvtsd2ss */
            ld_xmm_rm(s, &v, 8, false);
            d->s[0] = (float)v.d[0];
        } else if (pfx == P_F3) {   /* cvtss2sd */
            ld_xmm_rm(s, &v, 4, false);
            d->d[0] = v.s[0];
        } else if (pfx == P_66) {   /* cvtpd2ps */
            ld_xmm_rm(s, &v, 16, true);
            d->s[0] = v.d[0];
            d->s[1] = v.d[1];
            d->q[1] = 0;
        } else {                    /* cvtps2pd */
            ld_xmm_rm(s, &v, 8, false);
            d->d[0] = v.s[0];
            d->d[1] = v.s[1];
        }
        return true;
    case 0x5b:
        ld_xmm_rm(s, &v, 16, true);
        if (pfx == P_NONE) {        /* cvtdq2ps */
            int i;
            for (i = 0; i < 4; i++) {
                d->s[i] = (float)(int32_t)v.l[i];
            }
        } else {                    /* cvtps2dq / cvttps2dq */
            int i;
            for (i = 0; i < 4; i++) {
                d->l[i] = cvt_to_int(v.s[i], pfx == P_F3, false);
            }
        }
        return true;
    case 0xe6:
        if (pfx == P_F3) {          /* cvtdq2pd */
            ld_xmm_rm(s, &v, 8, false);
            d->d[0] = (int32_t)v.l[0];
            d->d[1] = (int32_t)v.l[1];
        } else if (pfx == P_66 || pfx == P_F2) {
            ld_xmm_rm(s, &v, 16, true);
            d->l[0] = cvt_to_int(v.d[0], pfx == P_66, false);
            d->l[1] = cvt_to_int(v.d[1], pfx == P_66, false);
            d->q[1] = 0;
        } else {
            return false;
        }
        return true;
    default:
        return false;
    }
}

bool exec_sse(DecodeCtx *s, int b)
{
    CPUX86State *env = s->env;
    int pfx = mandatory_prefix(s);
    XMM v, *d;
    uint64_t t;
    int i, imm;

    if (!(env->cr[4] & CR4_OSFXSR) || (env->cr[0] & CR0_EM)) {
        raise_ud(env);
    }
    if (env->cr[0] & CR0_TS) {
        raise_exception(env, EXCP_NM);
    }
    decode_modrm(s);
    d = &env->xmm[s->reg];

    switch (b) {
    case 0x10:      /* movups/movupd/movss/movsd load */
        if (pfx == P_F3 || pfx == P_F2) {
            unsigned sz = pfx == P_F3 ? 4 : 8;
            if (s->mod == 3) {
                if (sz == 4) {
                    d->l[0] = env->xmm[s->rm].l[0];
                } else {
                    d->q[0] = env->xmm[s->rm].q[0];
                }
            } else {
                ld_xmm_rm(s, d, sz, false);
            }
        } else {
            ld_xmm_rm(s, &v, 16, false);
            *d = v;
        }
        return true;
    case 0x11:      /* store forms */
        if (pfx == P_F3 || pfx == P_F2) {
            unsigned sz = pfx == P_F3 ? 4 : 8;
            if (s->mod == 3) {
                if (sz == 4) {
                    env->xmm[s->rm].l[0] = d->l[0];
                } else {
                    env->xmm[s->rm].q[0] = d->q[0];
                }
            } else {
                st_xmm_mem(s, d, sz, false);
            }
        } else if (s->mod == 3) {
            env->xmm[s->rm] = *d;
        } else {
            st_xmm_mem(s, d, 16, false);
        }
        return true;
    case 0x12:      /* movlps/movlpd load, movhlps */
    case 0x16:      /* movhps/movhpd load, movlhps */
        if (pfx == P_F2 || pfx == P_F3) {
            return false;
        }
        if (s->mod == 3) {
            if (pfx == P_66) {
                return false;
            }
            if (b == 0x12) {
                d->q[0] = env->xmm[s->rm].q[1];
            } else {
                d->q[1] = env->xmm[s->rm].q[0];
            }
        } else {
            t = cpu_ld(env, ea_addr(s), 8);
            d->q[b == 0x12 ? 0 : 1] = t;
        }
        return true;
    case 0x13:
    case 0x17:      /* movlps/movhps store */
        if (s->mod == 3 || pfx == P_F2 || pfx == P_F3) {
            return false;
        }
        cpu_st(env, ea_addr(s), 8, d->q[b == 0x13 ? 0 : 1]);
        return true;
    case 0x14:
    case 0x15:      /* unpcklps/pd, unpckhps/pd */
        if (pfx == P_F2 || pfx == P_F3) {
            return false;
        }
        ld_xmm_rm(s, &v, 16, true);
        if (pfx == P_66) {
            if (b == 0x14) {
                d->q[1] = v.q[0];
            } else {
                d->q[0] = d->q[1];
                d->q[1] = v.q[1];
            }
        } else {
            XMM r;
            int h = b == 0x15 ? 2 : 0;
            r.l[0] = d->l[h];
            r.l[1] = v.l[h];
            r.l[2] = d->l[h + 1];
            r.l[3] = v.l[h + 1];
            *d = r;
        }
        return true;
    case 0x28:      /* movaps/movapd */
        if (pfx == P_F2 || pfx == P_F3) {
            return false;
        }
        ld_xmm_rm(s, &v, 16, true);
        *d = v;
        return true;
    case 0x29:
    case 0x2b:      /* movaps store, movntps/pd */
        if (pfx == P_F2 || pfx == P_F3) {
            return false;
        }
        if (s->mod == 3) {
            if (b == 0x2b) {
                return false;
            }
            env->xmm[s->rm] = *d;
        } else {
            st_xmm_mem(s, d, 16, true);
        }
        return true;
    case 0x2a:
    case 0x2c:
    case 0x2d:
    case 0x5a:
    case 0x5b:
    case 0xe6:
        return exec_cvt(s, b, pfx);
    case 0x2e:
    case 0x2f:      /* (u)comiss / (u)comisd */
        if (pfx == P_66) {
            ld_xmm_rm(s, &v, 8, false);
            comis(env, d->d[0], v.d[0]);
        } else if (pfx == P_NONE) {
            ld_xmm_rm(s, &v, 4, false);
            comis(env, d->s[0], v.s[0]);
        } else {
            return false;
        }
        return true;
    case 0x50:      /* movmskps/pd */
        if (s->mod != 3) {
            return false;
        }
        v = env->xmm[s->rm];
        if (pfx == P_66) {
            t = (v.q[0] >> 63) | ((v.q[1] >> 63) << 1);
        } else if (pfx == P_NONE) {
            t = 0;
            for (i = 0; i < 4; i++) {
                t |= (uint64_t)(v.l[i] >> 31) << i;
            }
        } else {
            return false;
        }
        set_reg(s, 2, s->reg, t);
        return true;
    case 0x51:
    case 0x58:
    case 0x59:
    case 0x5c ... 0x5f:
        return fp_arith(s, b, pfx);
    case 0x54 ... 0x57:     /* and/andn/or/xor ps/pd */
        if (pfx == P_F2 || pfx == P_F3) {
            return false;
        }
        ld_xmm_rm(s, &v, 16, true);
        for (i = 0; i < 2; i++) {
            switch (b) {
            case 0x54:
                d->q[i] &= v.q[i];
                break;
            case 0x55:
                d->q[i] = ~d->q[i] & v.q[i];
                break;
            case 0x56:
                d->q[i] |= v.q[i];
                break;
            default:
                d->q[i] ^= v.q[i];
                break;
            }
        }
        return true;
    case 0x6e:      /* movd/movq xmm, r/m */
        if (pfx != P_66) {
            return false;
        }
        t = (s->rex & 8) ? ld_rm(s, 3) : ld_rm(s, 2);
        d->q[0] = t;
        d->q[1] = 0;
        return true;
    case 0x7e:
        if (pfx == P_66) {  /* movd/movq r/m, xmm */
            if (s->rex & 8) {
                st_rm(s, 3, d->q[0]);
            } else {
                st_rm(s, 2, d->l[0]);
            }
            return true;
        }
        if (pfx == P_F3) {  /* movq xmm, xmm/m64 */
            ld_xmm_rm(s, &v, 8, false);
            d->q[0] = v.q[0];
            d->q[1] = 0;
            return true;
        }
        return false;
    case 0x6f:      /* movdqa / movdqu */
        if (pfx != P_66 && pfx != P_F3) {
            return false;
        }
        ld_xmm_rm(s, &v, 16, pfx == P_66);
        *d = v;
        return true;
    case 0x7f:
        if (pfx != P_66 && pfx != P_F3) {
            return false;
        }
        if (s->mod == 3) {
            env->xmm[s->rm] = *d;
        } else {
            st_xmm_mem(s, d, 16, pfx == P_66);
        }
        return true;
    case 0xe7:      /* movntdq */
        if (pfx != P_66 || s->mod == 3) {
            return false;
        }
        st_xmm_mem(s, d, 16, true);
        return true;
    case 0xd6:      /* movq xmm/m64, xmm */
        if (pfx != P_66) {
            return false;
        }
        if (s->mod == 3) {
            env->xmm[s->rm].q[0] = d->q[0];
            env->xmm[s->rm].q[1] = 0;
        } else {
            cpu_st(env, ea_addr(s), 8, d->q[0]);
        }
        return true;
    case 0x70:      /* pshufd / pshuflw / pshufhw */
        if (pfx == P_NONE) {
            return false;
        }
        imm = fetch_b(s);   /* before the operand: RIP-relative */
        ld_xmm_rm(s, &v, 16, true);
        if (pfx == P_66) {
            for (i = 0; i < 4; i++) {
                d->l[i] = v.l[(imm >> (2 * i)) & 3];
            }
        } else if (pfx == P_F2) {
            for (i = 0; i < 4; i++) {
                d->w[i] = v.w[(imm >> (2 * i)) & 3];
            }
            d->q[1] = v.q[1];
        } else {
            for (i = 0; i < 4; i++) {
                d->w[4 + i] = v.w[4 + ((imm >> (2 * i)) & 3)];
            }
            d->q[0] = v.q[0];
        }
        return true;
    case 0x71:
    case 0x72:
    case 0x73: {    /* shift groups with imm8 */
        int op = (s->modrm >> 3) & 7;
        XMM *r;
        if (pfx != P_66 || s->mod != 3) {
            return false;
        }
        r = &env->xmm[s->rm];
        imm = fetch_b(s);
        if (b == 0x73 && (op == 3 || op == 7)) {
            byte_shift(r, imm, op == 7);
            return true;
        }
        if (op != 2 && op != 4 && op != 6) {
            return false;
        }
        if (b == 0x73 && op == 4) {
            return false;
        }
        pshift(r, b == 0x71 ? 2 : b == 0x72 ? 4 : 8, imm,
               op == 2 ? 0 : op == 4 ? 1 : 2);
        return true;
    }
    case 0xc2: {    /* cmpps/pd/ss/sd */
        int n = pfx == P_66 ? 2 : pfx == P_NONE ? 4 : 1;
        bool dbl = pfx == P_66 || pfx == P_F2;
        imm = fetch_b(s);
        ld_xmm_rm(s, &v, pfx == P_F2 ? 8 : pfx == P_F3 ? 4 : 16,
                  n > 1);
        for (i = 0; i < n; i++) {
            if (dbl) {
                d->q[i] = fp_cmp(imm, d->d[i], v.d[i]) ? ~0ULL : 0;
            } else {
                d->l[i] = fp_cmp(imm, d->s[i], v.s[i]) ? ~0u : 0;
            }
        }
        return true;
    }
    case 0xc4:      /* pinsrw */
        if (pfx != P_66) {
            return false;
        }
        imm = fetch_b(s);
        t = ld_rm(s, 1);
        d->w[imm & 7] = t;
        return true;
    case 0xc5:      /* pextrw */
        if (pfx != P_66 || s->mod != 3) {
            return false;
        }
        imm = fetch_b(s);
        set_reg(s, 2, s->reg, env->xmm[s->rm].w[imm & 7]);
        return true;
    case 0xc6: {    /* shufps / shufpd */
        XMM r;
        if (pfx == P_F2 || pfx == P_F3) {
            return false;
        }
        imm = fetch_b(s);
        ld_xmm_rm(s, &v, 16, true);
        if (pfx == P_66) {
            r.q[0] = d->q[imm & 1];
            r.q[1] = v.q[(imm >> 1) & 1];
        } else {
            r.l[0] = d->l[imm & 3];
            r.l[1] = d->l[(imm >> 2) & 3];
            r.l[2] = v.l[(imm >> 4) & 3];
            r.l[3] = v.l[(imm >> 6) & 3];
        }
        *d = r;
        return true;
    }
    case 0xd7:      /* pmovmskb */
        if (pfx != P_66 || s->mod != 3) {
            return false;
        }
        t = 0;
        for (i = 0; i < 16; i++) {
            t |= (uint64_t)(env->xmm[s->rm].b[i] >> 7) << i;
        }
        set_reg(s, 2, s->reg, t);
        return true;
    default:
        break;
    }
    /* remaining 66-prefixed integer operations */
    if (pfx != P_66) {
        return false;
    }
    ld_xmm_rm(s, &v, 16, true);
    return int_op(b, d, &v);
}
