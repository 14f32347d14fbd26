/*
 * x87 subset and FXSAVE/FXRSTOR.
 *
 * The eight x87 registers are kept as host long double (exact 80-bit on
 * x86-64 hosts) in physical order; ST(i) = fpregs[(fpstt + i) & 7].
 * fptag has one bit per physical register, set = empty.  FXSAVE writes
 * the 512-byte image: FCW, FSW, abridged FTW, FOP, FIP, FDP, MXCSR,
 * MXCSR_MASK, ST0-7 (16-byte slots), XMM0-15.
 */
#include "qemu/osdep.h"
#include "decode.h"
#include <math.h>

#define MXCSR_MASK 0x0000ffff

#define ST(i) (env->fpregs[(env->fpstt + (i)) & 7])

void x87_reset(CPUX86State *env)
{
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fptag = 0xff;
    env->fpstt = 0;
    env->fpop = 0;
    env->fpip = env->fpdp = 0;
}

uint16_t x87_get_fsw(CPUX86State *env)
{
    return (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11);
}

static void fpush(CPUX86State *env, long double v)
{
    env->fpstt = (env->fpstt - 1) & 7;
    if (!(env->fptag & (1 << env->fpstt))) {
        env->fpus |= 0x41;      /* stack fault + invalid */
    }
    env->fpregs[env->fpstt] = v;
    env->fptag &= ~(1 << env->fpstt);
}

static void fpop(CPUX86State *env)
{
    env->fptag |= 1 << env->fpstt;
    env->fpstt = (env->fpstt + 1) & 7;
}

static void set_cc(CPUX86State *env, unsigned c3, unsigned c2, unsigned c0)
{
    env->fpus = (env->fpus & ~0x4500) | (c3 << 14) | (c2 << 10) | (c0 << 8);
}

static void fcompare(CPUX86State *env, long double a, long double b,
                     bool eflags)
{
    unsigned zf, pf, cf;

    if (isnan(a) || isnan(b)) {
        zf = pf = cf = 1;
    } else {
        zf = a == b;
        pf = 0;
        cf = a < b;
    }
    if (eflags) {
        cc_set_flags(env, (zf ? CC_Z : 0) | (pf ? CC_P : 0) |
                          (cf ? CC_C : 0));
    } else {
        set_cc(env, zf, pf, cf);
    }
}

static long double farith(int op, long double a, long double b)
{
    switch (op) {
    case 0:
        return a + b;
    case 1:
        return a * b;
    case 4:
        return a - b;
    case 5:
        return b - a;
    case 6:
        return a / b;
    default:
        return b / a;
    }
}

static int64_t fround(CPUX86State *env, long double v)
{
    switch ((env->fpuc >> 10) & 3) {
    case 1:
        v = floorl(v);
        break;
    case 2:
        v = ceill(v);
        break;
    case 3:
        v = truncl(v);
        break;
    default:
        v = nearbyintl(v);
        break;
    }
    if (isnan(v) || v >= 9223372036854775808.0L ||
        v < -9223372036854775808.0L) {
        return INT64_MIN;
    }
    return (int64_t)v;
}

static void fxam(CPUX86State *env)
{
    long double v = ST(0);
    unsigned sign = signbit(v) ? 1 : 0;

    env->fpus = (env->fpus & ~0x4700) | (sign << 9);
    if (env->fptag & (1 << env->fpstt)) {
        set_cc(env, 1, 0, 1);
    } else if (isnan(v)) {
        set_cc(env, 0, 0, 1);
    } else if (isinf(v)) {
        set_cc(env, 0, 1, 1);
    } else if (v == 0) {
        set_cc(env, 1, 0, 0);
    } else if (fpclassify(v) == FP_SUBNORMAL) {
        set_cc(env, 1, 1, 0);
    } else {
        set_cc(env, 0, 1, 0);
    }
    env->fpus |= sign << 9;
}

static uint8_t ftw_abridged(CPUX86State *env)
{
    return ~env->fptag & 0xff;
}

void helper_fxsave(CPUX86State *env, uint64_t a)
{
    uint8_t img[512];
    unsigned i;

    if (a & 15) {
        raise_gp0(env);
    }
    memset(img, 0, sizeof(img));
    memcpy(img, &env->fpuc, 2);
    *(uint16_t *)(img + 2) = x87_get_fsw(env);
    img[4] = ftw_abridged(env);
    memcpy(img + 6, &env->fpop, 2);
    memcpy(img + 8, &env->fpip, 8);
    memcpy(img + 16, &env->fpdp, 8);
    memcpy(img + 24, &env->mxcsr, 4);
    *(uint32_t *)(img + 28) = MXCSR_MASK;
    for (i = 0; i < 8; i++) {
        memcpy(img + 32 + i * 16, &ST(i), 10);
    }
    if (env->cr[4] & CR4_OSFXSR) {
        for (i = 0; i < 16; i++) {
            memcpy(img + 160 + i * 16, &env->xmm[i], 16);
        }
    }
    /* one probe of the whole range first: no partial image on a fault */
    cpu_st_buf(env, a, img, sizeof(img));
}

void helper_fxrstor(CPUX86State *env, uint64_t a)
{
    uint8_t img[512];
    uint32_t mx;
    unsigned i;

    if (a & 15) {
        raise_gp0(env);
    }
    cpu_ld_buf(env, a, img, sizeof(img));
    memcpy(&mx, img + 24, 4);
    if (mx & ~MXCSR_MASK) {
        raise_gp0(env);
    }
    memcpy(&env->fpuc, img, 2);
    env->fpus = *(uint16_t *)(img + 2);
    env->fpstt = (env->fpus >> 11) & 7;
    env->fptag = ~img[4] & 0xff;
    memcpy(&env->fpop, img + 6, 2);
    memcpy(&env->fpip, img + 8, 8);
    memcpy(&env->fpdp, img + 16, 8);
    env->mxcsr = mx;
    for (i = 0; i < 8; i++) {
        long double v = 0;
        memcpy(&v, img + 32 + i * 16, 10);
        ST(i) = v;
    }
    if (env->cr[4] & CR4_OSFXSR) {
        for (i = 0; i < 16; i++) {
            memcpy(&env->xmm[i], img + 160 + i * 16, 16);
        }
    }
}

static long double ld_f32(CPUX86State *env, uint64_t a)
{
    uint32_t v = cpu_ld(env, a, 4);
    float f;

    memcpy(&f, &v, 4);
    return f;
}

static long double ld_f64(CPUX86State *env, uint64_t a)
{
    uint64_t v = cpu_ld(env, a, 8);
    double d;

    memcpy(&d, &v, 8);
    return d;
}

static long double ld_f80(CPUX86State *env, uint64_t a)
{
    long double v = 0;

    cpu_ld_buf(env, a, &v, 10);
    return v;
}

static void fstenv(CPUX86State *env, uint64_t a)
{
    uint32_t img[7] = { 0 };
    unsigned i, tw = 0;

    for (i = 0; i < 8; i++) {
        unsigned t;
        if (env->fptag & (1 << i)) {
            t = 3;
        } else if (env->fpregs[i] == 0) {
            t = 1;
        } else if (!isfinite(env->fpregs[i])) {
            t = 2;
        } else {
            t = 0;
        }
        tw |= t << (2 * i);
    }
    img[0] = env->fpuc | 0xffff0000;
    img[1] = x87_get_fsw(env) | 0xffff0000;
    img[2] = tw | 0xffff0000;
    img[3] = env->fpip;
    img[5] = env->fpdp;
    cpu_st_buf(env, a, img, sizeof(img));
}

static void fldenv(CPUX86State *env, uint64_t a)
{
    uint32_t img[7];
    unsigned i;

    cpu_ld_buf(env, a, img, sizeof(img));
    env->fpuc = img[0];
    env->fpus = img[1];
    env->fpstt = (env->fpus >> 11) & 7;
    env->fptag = 0;
    for (i = 0; i < 8; i++) {
        if (((img[2] >> (2 * i)) & 3) == 3) {
            env->fptag |= 1 << i;
        }
    }
}

static bool x87_mem(DecodeCtx *s, int b, int op)
{
    CPUX86State *env = s->env;
    uint64_t a = ea_addr(s);
    long double v;
    float f;
    double d;
    uint64_t q;

    switch ((b - 0xd8) * 8 + op) {
    case 0 ... 7:           /* D8: arith m32 */
    case 32 ... 39:         /* DC: arith m64 */
        v = b == 0xd8 ? ld_f32(env, a) : ld_f64(env, a);
        if (op == 2 || op == 3) {
            fcompare(env, ST(0), v, false);
            if (op == 3) {
                fpop(env);
            }
        } else {
            ST(0) = farith(op, ST(0), v);
        }
        return true;
    case 8:                 /* FLD m32 */
        fpush(env, ld_f32(env, a));
        return true;
    case 10:
    case 11:                /* FST/FSTP m32 */
        f = ST(0);
        memcpy(&q, &f, 4);
        cpu_st(env, a, 4, q);
        if (op == 3) {
            fpop(env);
        }
        return true;
    case 12:
        fldenv(env, a);
        return true;
    case 13:                /* FLDCW */
        env->fpuc = cpu_ld(env, a, 2);
        return true;
    case 14:
        fstenv(env, a);
        return true;
    case 15:                /* FNSTCW */
        cpu_st(env, a, 2, env->fpuc);
        return true;
    case 24:                /* FILD m32 */
        fpush(env, (int32_t)cpu_ld(env, a, 4));
        return true;
    case 26:
    case 27:                /* FIST/FISTP m32 */
        q = fround(env, ST(0));
        if ((int64_t)q != (int32_t)q) {
            q = 0x80000000;
        }
        cpu_st(env, a, 4, q);
        if (op == 3) {
            fpop(env);
        }
        return true;
    case 29:                /* FLD m80 */
        fpush(env, ld_f80(env, a));
        return true;
    case 31:                /* FSTP m80 */
        v = ST(0);
        cpu_st_buf(env, a, &v, 10);
        fpop(env);
        return true;
    case 40:                /* FLD m64 */
        fpush(env, ld_f64(env, a));
        return true;
    case 42:
    case 43:                /* FST/FSTP m64 */
        d = ST(0);
        memcpy(&q, &d, 8);
        cpu_st(env, a, 8, q);
        if (op == 3) {
            fpop(env);
        }
        return true;
    case 47:                /* FNSTSW m16 */
        cpu_st(env, a, 2, x87_get_fsw(env));
        return true;
    case 56:                /* FILD m16 */
        fpush(env, (int16_t)cpu_ld(env, a, 2));
        return true;
    case 58:
    case 59:                /* FIST/FISTP m16 */
        q = fround(env, ST(0));
        if ((int64_t)q != (int16_t)q) {
            q = 0x8000;
        }
        cpu_st(env, a, 2, q);
        if (op == 3) {
            fpop(env);
        }
        return true;
    case 61:                /* FILD m64 */
        fpush(env, (int64_t)cpu_ld(env, a, 8));
        return true;
    case 63:                /* FISTP m64 */
        cpu_st(env, a, 8, fround(env, ST(0)));
        fpop(env);
        return true;
    default:
        return false;
    }
}

static bool x87_reg(DecodeCtx *s, int b, int m)
{
    CPUX86State *env = s->env;
    int i = m & 7, op = (m >> 3) & 7;
    long double t;

    switch (b) {
    case 0xd8:
        if (op == 2 || op == 3) {
            fcompare(env, ST(0), ST(i), false);
            if (op == 3) {
                fpop(env);
            }
        } else {
            ST(0) = farith(op, ST(0), ST(i));
        }
        return true;
    case 0xdc:
    case 0xde:
        if (op == 2 || op == 3) {
            if (b == 0xde && m == 0xd9) {   /* FCOMPP */
                fcompare(env, ST(0), ST(1), false);
                fpop(env);
                fpop(env);
                return true;
            }
            return false;
        }
        /* ST(i) = ST(i) op ST(0), with the reversed sub/div pairs */
        {
            static const int map[8] = { 0, 1, 0, 0, 5, 4, 7, 6 };
            ST(i) = farith(map[op], ST(i), ST(0));
        }
        if (b == 0xde) {
            fpop(env);
        }
        return true;
    case 0xd9:
        switch (m) {
        case 0xc0 ... 0xc7:
            fpush(env, ST(i + 1 - 1 + 0) );
            /* after the push, the old ST(i) is ST(i + 1) */
            ST(0) = env->fpregs[(env->fpstt + i + 1) & 7];
            return true;
        case 0xc8 ... 0xcf:
            t = ST(0);
            ST(0) = ST(i);
            ST(i) = t;
            return true;
        case 0xd0:          /* FNOP */
            return true;
        case 0xe0:
            ST(0) = -ST(0);
            return true;
        case 0xe1:
            ST(0) = fabsl(ST(0));
            return true;
        case 0xe4:          /* FTST */
            fcompare(env, ST(0), 0.0L, false);
            return true;
        case 0xe5:
            fxam(env);
            return true;
        case 0xe8:
            fpush(env, 1.0L);
            return true;
        case 0xee:
            fpush(env, 0.0L);
            return true;
        case 0xfa:
            ST(0) = sqrtl(ST(0));
            return true;
        case 0xfc:
            ST(0) = nearbyintl(ST(0));
            return true;
        default:
            return false;
        }
    case 0xda:
        if (m == 0xe9) {    /* FUCOMPP */
            fcompare(env, ST(0), ST(1), false);
            fpop(env);
            fpop(env);
            return true;
        }
        if (m < 0xe0) {     /* FCMOVcc B/E/BE/U */
            static const int cond[4] = { 2, 4, 6, 10 };
            if (cc_test(env, cond[op & 3])) {
                ST(0) = ST(i);
            }
            return true;
        }
        return false;
    case 0xdb:
        switch (m) {
        case 0xe2:          /* FNCLEX */
            env->fpus &= 0x7f00;
            return true;
        case 0xe3:          /* FNINIT */
            x87_reset(env);
            return true;
        case 0xe8 ... 0xef:
        case 0xf0 ... 0xf7: /* FUCOMI / FCOMI */
            fcompare(env, ST(0), ST(i), true);
            return true;
        case 0xc0 ... 0xdf: { /* FCMOVNcc */
            static const int cond[4] = { 3, 5, 7, 11 };
            if (cc_test(env, cond[op & 3])) {
                ST(0) = ST(i);
            }
            return true;
        }
        default:
            return false;
        }
    case 0xdd:
        switch (op) {
        case 0:             /* FFREE */
            env->fptag |= 1 << ((env->fpstt + i) & 7);
            return true;
        case 2:
        case 3:             /* FST / FSTP ST(i) */
            ST(i) = ST(0);
            if (op == 3) {
                fpop(env);
            }
            return true;
        case 4:
        case 5:             /* FUCOM / FUCOMP */
            fcompare(env, ST(0), ST(i), false);
            if (op == 5) {
                fpop(env);
            }
            return true;
        default:
            return false;
        }
    case 0xdf:
        if (m == 0xe0) {    /* FNSTSW AX */
            set_reg(s, 1, R_EAX, x87_get_fsw(env));
            return true;
        }
        if (m >= 0xe8 && m <= 0xf7) {   /* FUCOMIP / FCOMIP */
            fcompare(env, ST(0), ST(i), true);
            fpop(env);
            return true;
        }
        return false;
    default:
        return false;
    }
}

bool exec_x87(DecodeCtx *s, int b)
{
    CPUX86State *env = s->env;

    if (env->cr[0] & (CR0_EM | CR0_TS)) {
        raise_exception(env, EXCP_NM);
    }
    decode_modrm(s);
    if (s->mod != 3) {
        return x87_mem(s, b, (s->modrm >> 3) & 7);
    }
    return x87_reg(s, b, s->modrm);
}
