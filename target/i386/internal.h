/*
 * Interpreter internals shared by the target/i386 files: lazy flags,
 * exceptions and the soft-TLB fast paths for guest memory.
 *
 * Soft TLB: per MMU mode (kernel/user), direct-mapped on VA bits 12..21.
 * A tag equal to the page VA means the page is accessible directly at
 * va + addend.  A tag equal to page VA | TLB_SLOW is a valid translation
 * that must go through the slow path (MMIO, or a RAM page some dirty
 * client still sees clean, or a clean PTE D bit); other tags miss.
 */
#ifndef TARGET_I386_INTERNAL_H
#define TARGET_I386_INTERNAL_H

#include "cpu.h"

/* lazy flags: cc_op = group * 4 + ot (ot: 0=8, 1=16, 2=32, 3=64 bits) */
enum {
    CC_OP_EFLAGS = 0,           /* cc_src holds the flags */
    CC_G_ADD = 1, CC_G_ADC, CC_G_SUB, CC_G_SBB, CC_G_LOGIC, CC_G_INC,
    CC_G_DEC, CC_G_SHL, CC_G_SHR, CC_G_SAR, CC_G_MUL,
};
#define CC_OP(g, ot) ((g) * 4 + (ot))

uint32_t cc_compute_all(CPUX86State *env);
bool cc_compute_c(CPUX86State *env);
/* condition code 0..15 as in Jcc */
bool cc_test(CPUX86State *env, int cond);

static inline void cc_set_flags(CPUX86State *env, uint32_t f)
{
    env->cc_src = f & CC_ALL;
    env->cc_op = CC_OP_EFLAGS;
}

/* exceptions (never return) */
QEMU_NORETURN void raise_exception(CPUX86State *env, int vec);
QEMU_NORETURN void raise_exception_err(CPUX86State *env, int vec,
                                       uint32_t err);
QEMU_NORETURN void raise_gp0(CPUX86State *env);
QEMU_NORETURN void raise_ud(CPUX86State *env);
/* deliver env->exc_* (or an external vector) through the IDT */
void x86_do_interrupt(CPUX86State *env, int vec, bool is_sw,
                      bool has_err, uint32_t err, uint64_t next_rip);
void x86_deliver_exception(CPUX86State *env);

/* memory */
enum { ACC_READ = 0, ACC_WRITE = 1, ACC_FETCH = 2 };

static inline int cpu_mmu_idx(CPUX86State *env)
{
    return (env->segs[R_CS].selector & 3) == 3 ? MMU_USER : MMU_KERNEL;
}

static inline int cpu_cpl(CPUX86State *env)
{
    return env->segs[R_CS].selector & 3;
}

uint64_t cpu_ld_slow(CPUX86State *env, uint64_t va, unsigned size, int mmu);
void cpu_st_slow(CPUX86State *env, uint64_t va, unsigned size, uint64_t val,
                 int mmu);
/* host pointer for fetching at va (page must be executable) */
const uint8_t *cpu_fetch_page(CPUX86State *env, uint64_t va);
uint8_t cpu_fetch_byte_slow(CPUX86State *env, uint64_t va);
void cpu_ld_buf(CPUX86State *env, uint64_t va, void *buf, unsigned len);
void cpu_st_buf(CPUX86State *env, uint64_t va, const void *buf,
                unsigned len);
void tlb_flush_page(CPUX86State *env, uint64_t va);
/* host pointer for a range within one page, or NULL (slow) */
void *cpu_host_ptr(CPUX86State *env, uint64_t va, unsigned len, int acc);

static inline X86TLBEntry *tlb_entry(CPUX86State *env, int mmu, uint64_t va)
{
    return &env->tlb[mmu][(va >> TARGET_PAGE_BITS) & (TLB_SIZE - 1)];
}

/* Guest accesses may be unaligned: memcpy compiles to one mov on x86. */
static inline uint64_t load_host(const void *p, unsigned size)
{
    uint8_t b;
    uint16_t w;
    uint32_t l;
    uint64_t q;

    switch (size) {
    case 1:
        memcpy(&b, p, 1);
        return b;
    case 2:
        memcpy(&w, p, 2);
        return w;
    case 4:
        memcpy(&l, p, 4);
        return l;
    default:
        memcpy(&q, p, 8);
        return q;
    }
}

static inline void store_host(void *p, unsigned size, uint64_t v)
{
    uint8_t b = v;
    uint16_t w = v;
    uint32_t l = v;

    switch (size) {
    case 1:
        memcpy(p, &b, 1);
        break;
    case 2:
        memcpy(p, &w, 2);
        break;
    case 4:
        memcpy(p, &l, 4);
        break;
    default:
        memcpy(p, &v, 8);
        break;
    }
}

static inline uint64_t cpu_ld_mmu(CPUX86State *env, uint64_t va,
                                  unsigned size, int mmu)
{
    X86TLBEntry *e = tlb_entry(env, mmu, va);

    if (likely(e->tag_read == (va & TARGET_PAGE_MASK) &&
               (va & ~TARGET_PAGE_MASK) + size <= TARGET_PAGE_SIZE)) {
        return load_host((void *)(uintptr_t)(va + e->addend), size);
    }
    return cpu_ld_slow(env, va, size, mmu);
}

static inline void cpu_st_mmu(CPUX86State *env, uint64_t va, unsigned size,
                              uint64_t val, int mmu)
{
    X86TLBEntry *e = tlb_entry(env, mmu, va);

    if (likely(e->tag_write == (va & TARGET_PAGE_MASK) &&
               (va & ~TARGET_PAGE_MASK) + size <= TARGET_PAGE_SIZE)) {
        store_host((void *)(uintptr_t)(va + e->addend), size, val);
        return;
    }
    cpu_st_slow(env, va, size, val, mmu);
}

uint64_t cpu_ld_rmw_slow(CPUX86State *env, uint64_t va, unsigned size,
                         int mmu);

/*
 * Load for a read-modify-write: the page is checked for writing first,
 * so the store that follows cannot fault after flags were computed (and
 * a fault reports a write, as the hardware does for RMW instructions).
 */
static inline uint64_t cpu_ld_rmw_mmu(CPUX86State *env, uint64_t va,
                                      unsigned size, int mmu)
{
    X86TLBEntry *e = tlb_entry(env, mmu, va);

    if (likely(e->tag_write == (va & TARGET_PAGE_MASK) &&
               (va & ~TARGET_PAGE_MASK) + size <= TARGET_PAGE_SIZE)) {
        return load_host((void *)(uintptr_t)(va + e->addend), size);
    }
    return cpu_ld_rmw_slow(env, va, size, mmu);
}

static inline uint64_t cpu_ld_rmw(CPUX86State *env, uint64_t va,
                                  unsigned size)
{
    return cpu_ld_rmw_mmu(env, va, size, cpu_mmu_idx(env));
}

static inline uint64_t cpu_ld(CPUX86State *env, uint64_t va, unsigned size)
{
    return cpu_ld_mmu(env, va, size, cpu_mmu_idx(env));
}

static inline void cpu_st(CPUX86State *env, uint64_t va, unsigned size,
                          uint64_t val)
{
    cpu_st_mmu(env, va, size, val, cpu_mmu_idx(env));
}

/* physical RAM access for page walks and kvmclock (RAM only) */
bool phys_ld64(hwaddr pa, uint64_t *val);
void phys_or64(hwaddr pa, uint64_t bits);
bool phys_write(hwaddr pa, const void *buf, unsigned len);

/* system (sys.c) */
void helper_cpuid(CPUX86State *env);
void helper_rdmsr(CPUX86State *env);
void helper_wrmsr(CPUX86State *env);
void helper_write_cr(CPUX86State *env, int cr, uint64_t val);
uint64_t helper_read_cr(CPUX86State *env, int cr);
void helper_load_seg(CPUX86State *env, int seg, uint16_t sel);
void helper_lgdt_lidt(CPUX86State *env, bool idt, uint64_t base,
                      uint16_t limit);
void helper_lldt(CPUX86State *env, uint16_t sel);
void helper_ltr(CPUX86State *env, uint16_t sel);
void helper_iretq(CPUX86State *env, int ot);
void helper_lret(CPUX86State *env, int ot, uint16_t imm);
void helper_far_jmp_call(CPUX86State *env, uint16_t sel, uint64_t off,
                         bool call, int ot, uint64_t next_rip);
void helper_syscall(CPUX86State *env, uint64_t next_rip);
void helper_sysret(CPUX86State *env, int ot);
uint64_t helper_io_read(CPUX86State *env, uint16_t port, unsigned size);
void helper_io_write(CPUX86State *env, uint16_t port, uint64_t val,
                     unsigned size);
bool load_descriptor(CPUX86State *env, uint16_t sel, uint32_t *lo,
                     uint32_t *hi);
void helper_mov_dr(CPUX86State *env, int dr, uint64_t val);

/* x87 / SSE (fpu.c) */
typedef struct DecodeCtx DecodeCtx;
void helper_fxsave(CPUX86State *env, uint64_t addr);
void helper_fxrstor(CPUX86State *env, uint64_t addr);
void x87_reset(CPUX86State *env);
uint16_t x87_get_fsw(CPUX86State *env);

#endif
