/*
 * Soft MMU: 4-level page walk (4 KiB, 2 MiB and 1 GiB pages), A/D bits,
 * U/S, R/W with CR0.WP, NX, global pages, and the soft TLB slow paths.
 * See internal.h for the TLB tag encoding.
 */
#include "qemu/osdep.h"
#include "internal.h"

#define PG_P    (1ULL << 0)
#define PG_RW   (1ULL << 1)
#define PG_US   (1ULL << 2)
#define PG_A    (1ULL << 5)
#define PG_D    (1ULL << 6)
#define PG_PS   (1ULL << 7)
#define PG_G    (1ULL << 8)
#define PG_NX   (1ULL << 63)
#define PHYS_BITS 40
#define PG_ADDR_MASK (((1ULL << PHYS_BITS) - 1) & ~0xfffULL)
#define PG_RSVD_HI (((1ULL << 52) - 1) & ~((1ULL << PHYS_BITS) - 1))

typedef struct Walk {
    uint64_t pa;            /* physical address of va */
    bool user, writable, nx, dirty, global;
} Walk;

bool phys_ld64(hwaddr pa, uint64_t *val)
{
    MemoryLookup l;

    address_space_lookup(&address_space_memory, pa, &l);
    if (!l.host || l.len < 8) {
        *val = 0;
        return false;
    }
    memcpy(val, l.host, 8);
    return true;
}

void phys_or64(hwaddr pa, uint64_t bits)
{
    MemoryLookup l;

    address_space_lookup(&address_space_memory, pa, &l);
    if (!l.host || l.len < 8 || ((uintptr_t)l.host & 7)) {
        return;
    }
    __atomic_fetch_or((uint64_t *)l.host, bits, __ATOMIC_SEQ_CST);
    physmem_note_write(l.block, l.block_offset, 8);
}

bool phys_write(hwaddr pa, const void *buf, unsigned len)
{
    return address_space_write(&address_space_memory, pa, buf, len) ==
           MEMTX_OK;
}

/* the slow-path fields of TLB entry @e */
static inline X86TLBExtra *tlb_extra(CPUX86State *env, X86TLBEntry *e)
{
    /* same index, row by row */
    size_t i = ((uintptr_t)e - (uintptr_t)env->tlb) / sizeof(*e);

    return &env->tlb_extra[i / TLB_SIZE][i % TLB_SIZE];
}

static bool canonical(uint64_t va)
{
    /* shift unsigned: a signed left shift of bit 47 into bit 63 is UB */
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/*
 * Walk the page tables for @va.  Returns 0 and fills @w, or a page-fault
 * error code (bit 31 set means "not a #PF": unused here).  With @set_ad,
 * accessed/dirty bits are updated as the hardware does.
 */
static int page_walk(CPUX86State *env, uint64_t va, int acc, bool user,
                     bool set_ad, Walk *w, uint32_t *err)
{
    uint64_t table = env->cr[3] & PG_ADDR_MASK;
    uint64_t e = 0, rsvd = PG_RSVD_HI, page_mask = 0xfff;
    bool u = true, rw = true, nx = false;
    int level, shift;
    uint32_t code = (acc == ACC_WRITE ? PF_W : 0) | (user ? PF_U : 0);

    if (!(env->efer & EFER_NXE)) {
        rsvd |= PG_NX;
    }
    if (!(env->cr[0] & CR0_PG)) {
        w->pa = va;
        w->user = w->writable = true;
        w->nx = false;
        w->dirty = true;
        w->global = false;
        return 0;
    }
    for (level = 4; level >= 1; level--) {
        uint64_t ea;

        shift = 12 + 9 * (level - 1);
        ea = table + ((va >> shift) & 511) * 8;
        phys_ld64(ea, &e);
        if (!(e & PG_P)) {
            goto fault;
        }
        if ((e & rsvd) || (level == 4 && (e & PG_PS)) ||
            (level == 3 && (e & PG_PS) && (e & 0x3fffe000ULL)) ||
            (level == 2 && (e & PG_PS) && (e & 0x1fe000ULL))) {
            code |= PF_RSVD | PF_P;
            goto fault_rsvd;
        }
        u &= !!(e & PG_US);
        rw &= !!(e & PG_RW);
        nx |= !!(e & PG_NX);
        if (set_ad && !(e & PG_A)) {
            phys_or64(ea, PG_A);
        }
        if (level == 1 || (level <= 3 && (e & PG_PS))) {
            page_mask = (1ULL << shift) - 1;
            if (set_ad && acc == ACC_WRITE && !(e & PG_D)) {
                /* only if the access is allowed: checked below first */
                w->dirty = false;
            } else {
                w->dirty = !!(e & PG_D);
            }
            break;
        }
        table = e & PG_ADDR_MASK;
    }
    /* permissions */
    code |= PF_P;
    if (user && !u) {
        goto fault;
    }
    if (acc == ACC_WRITE && !rw && (user || (env->cr[0] & CR0_WP))) {
        goto fault;
    }
    if (acc == ACC_FETCH && nx && (env->efer & EFER_NXE)) {
        goto fault;
    }
    if (set_ad && acc == ACC_WRITE && !(e & PG_D)) {
        uint64_t ea = table + ((va >> shift) & 511) * 8;
        phys_or64(ea, PG_D);
        w->dirty = true;
    }
    w->pa = ((e & PG_ADDR_MASK) & ~page_mask) | (va & page_mask);
    w->user = u;
    w->writable = rw;
    w->nx = nx && (env->efer & EFER_NXE);
    w->global = (e & PG_G) && (env->cr[4] & CR4_PGE);
    return 0;

fault:
    ;
fault_rsvd:
    if (acc == ACC_FETCH && (env->efer & EFER_NXE)) {
        code |= PF_I;
    }
    *err = code;
    return -1;
}

bool x86_cpu_translate(CPUX86State *env, uint64_t va, uint64_t *pa)
{
    Walk w;
    uint32_t err;

    if (!canonical(va) || page_walk(env, va, ACC_READ, false, false, &w,
                                    &err) < 0) {
        return false;
    }
    *pa = w.pa;
    return true;
}

/* Fill the TLB entry for @va or raise #PF / #GP. */
static X86TLBEntry *tlb_fill(CPUX86State *env, uint64_t va, int acc, int mmu)
{
    X86TLBEntry *e = tlb_entry(env, mmu, va);
    uint64_t page = va & TARGET_PAGE_MASK;
    uint64_t gen;
    MemoryLookup l;
    uint32_t err;
    Walk w;
    bool user = mmu == MMU_USER;
    bool slow;

    if (!canonical(va)) {
        raise_exception_err(env, EXCP_GP, 0);
    }
    gen = __atomic_load_n(&env->tlb_fill_gen, __ATOMIC_ACQUIRE);
    if (page_walk(env, va, acc, user, true, &w, &err) < 0) {
        env->cr[2] = va;
        raise_exception_err(env, EXCP_PF, err);
    }
    address_space_lookup(&address_space_memory, w.pa & TARGET_PAGE_MASK, &l);
    slow = !l.host || l.len < TARGET_PAGE_SIZE;
    tlb_extra(env, e)->paddr = w.pa & TARGET_PAGE_MASK;
    tlb_extra(env, e)->global = w.global;
    e->addend = slow ? 0 : (uintptr_t)l.host - page;
    e->tag_read = page | (slow ? TLB_SLOW : 0);
    if (w.nx) {
        e->tag_code = TLB_INVALID;
    } else {
        e->tag_code = page | (slow ? TLB_SLOW : 0);
    }
    if ((w.writable || (!user && !(env->cr[0] & CR0_WP))) &&
        (!user || w.user)) {
        bool fast = !slow && w.dirty &&
                    physmem_page_fast_writable(l.block, l.block_offset);
        e->tag_write = page | (fast ? 0 : TLB_SLOW);
    } else {
        e->tag_write = TLB_INVALID;
    }
    if (__atomic_load_n(&env->tlb_fill_gen, __ATOMIC_SEQ_CST) != gen) {
        e->tag_write = TLB_INVALID;
    }
    return e;
}

void x86_cpu_tlb_flush(CPUX86State *env, bool include_global)
{
    int m, i;

    env->tlb_flush_count++;
    for (m = 0; m < MMU_MODES; m++) {
        for (i = 0; i < TLB_SIZE; i++) {
            X86TLBEntry *e = &env->tlb[m][i];
            if (include_global || !env->tlb_extra[m][i].global) {
                e->tag_read = e->tag_write = e->tag_code = TLB_INVALID;
                env->tlb_extra[m][i].global = 0;
            }
        }
    }
}

void x86_cpu_tlb_flush_writes(CPUX86State *env)
{
    int m, i;

    __atomic_fetch_add(&env->tlb_fill_gen, 1, __ATOMIC_SEQ_CST);
    for (m = 0; m < MMU_MODES; m++) {
        for (i = 0; i < TLB_SIZE; i++) {
            __atomic_store_n(&env->tlb[m][i].tag_write, TLB_INVALID,
                             __ATOMIC_RELAXED);
        }
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void tlb_flush_page(CPUX86State *env, uint64_t va)
{
    int m, i;
    uint64_t page = va & TARGET_PAGE_MASK;

    env->tlb_flush_count++;
    for (m = 0; m < MMU_MODES; m++) {
        X86TLBEntry *e = tlb_entry(env, m, va);
        if (((e->tag_read | e->tag_write | e->tag_code) & TARGET_PAGE_MASK)
            == page || (e->tag_read & TARGET_PAGE_MASK) == page) {
            e->tag_read = e->tag_write = e->tag_code = TLB_INVALID;
        }
    }
    /* large pages may be cached under any of their 4K slots */
    for (m = 0; m < MMU_MODES; m++) {
        for (i = 0; i < TLB_SIZE; i++) {
            X86TLBEntry *e = &env->tlb[m][i];
            if ((e->tag_read & TARGET_PAGE_MASK) == page ||
                (e->tag_write & TARGET_PAGE_MASK) == page ||
                (e->tag_code & TARGET_PAGE_MASK) == page) {
                e->tag_read = e->tag_write = e->tag_code = TLB_INVALID;
            }
        }
    }
}

/* One access within one page. */
static uint64_t ld_page(CPUX86State *env, uint64_t va, unsigned size,
                        int mmu)
{
    X86TLBEntry *e = tlb_entry(env, mmu, va);
    uint64_t page = va & TARGET_PAGE_MASK;
    uint64_t pa;

    if ((e->tag_read & ~TLB_SLOW) != page) {
        e = tlb_fill(env, va, ACC_READ, mmu);
    }
    if (!(e->tag_read & TLB_SLOW)) {
        return load_host((void *)(uintptr_t)(va + e->addend), size);
    }
    pa = tlb_extra(env, e)->paddr | (va & ~TARGET_PAGE_MASK);
    if (env->hooks && env->hooks->mmio_read) {
        return env->hooks->mmio_read(env->hooks->opaque, pa, size);
    }
    return ~0ULL >> (64 - 8 * size);
}

static X86TLBEntry *probe_write(CPUX86State *env, uint64_t va, int mmu)
{
    X86TLBEntry *e = tlb_entry(env, mmu, va);

    if ((e->tag_write & ~TLB_SLOW) != (va & TARGET_PAGE_MASK)) {
        e = tlb_fill(env, va, ACC_WRITE, mmu);
        if (e->tag_write == TLB_INVALID) {
            /* permission: the walk passed for write, so only a race */
            e = tlb_fill(env, va, ACC_WRITE, mmu);
        }
    }
    return e;
}

static void st_page(CPUX86State *env, X86TLBEntry *e, uint64_t va,
                    unsigned size, uint64_t val, int mmu)
{
    uint64_t pa = tlb_extra(env, e)->paddr | (va & ~TARGET_PAGE_MASK);
    /*
     * Read the tag once: another thread (a dirty-log sync) may set it to
     * TLB_INVALID at any moment, and an invalid tag must never be taken
     * for a fast RAM page (the addend of an MMIO page is meaningless).
     */
    uint64_t tag = __atomic_load_n(&e->tag_write, __ATOMIC_ACQUIRE);
    MemoryLookup l;

    if (tag == (va & TARGET_PAGE_MASK)) {
        store_host((void *)(uintptr_t)(va + e->addend), size, val);
        return;
    }
    address_space_lookup(&address_space_memory, pa, &l);
    if (l.host && l.len >= size) {
        /* store first, then record: see physmem.c */
        store_host(l.host, size, val);
        physmem_note_write(l.block, l.block_offset, size);
        if (e->tag_read == (va & TARGET_PAGE_MASK)) {
            /* RAM page: try to become fast-writable */
            tlb_fill(env, va, ACC_WRITE, mmu);
        }
        return;
    }
    if (l.mr && env->hooks && env->hooks->mmio_write) {
        env->hooks->mmio_write(env->hooks->opaque, pa, val, size);
    }
}

uint64_t cpu_ld_slow(CPUX86State *env, uint64_t va, unsigned size, int mmu)
{
    uint64_t v = 0;
    unsigned i;

    if ((va & ~TARGET_PAGE_MASK) + size <= TARGET_PAGE_SIZE) {
        return ld_page(env, va, size, mmu);
    }
    for (i = 0; i < size; i++) {
        v |= ld_page(env, va + i, 1, mmu) << (8 * i);
    }
    return v;
}

void cpu_st_slow(CPUX86State *env, uint64_t va, unsigned size, uint64_t val,
                 int mmu)
{
    X86TLBEntry *e;
    unsigned i;

    if ((va & ~TARGET_PAGE_MASK) + size <= TARGET_PAGE_SIZE) {
        e = probe_write(env, va, mmu);
        st_page(env, e, va, size, val, mmu);
        return;
    }
    /* both pages must be writable before anything is written */
    probe_write(env, va, mmu);
    probe_write(env, va + size - 1, mmu);
    for (i = 0; i < size; i++) {
        e = probe_write(env, va + i, mmu);
        st_page(env, e, va + i, 1, val >> (8 * i), mmu);
    }
}

uint64_t cpu_ld_rmw_slow(CPUX86State *env, uint64_t va, unsigned size,
                         int mmu)
{
    probe_write(env, va, mmu);
    probe_write(env, va + size - 1, mmu);
    return cpu_ld_slow(env, va, size, mmu);
}

const uint8_t *cpu_fetch_page(CPUX86State *env, uint64_t va)
{
    int mmu = cpu_mmu_idx(env);
    X86TLBEntry *e = tlb_entry(env, mmu, va);
    uint64_t page = va & TARGET_PAGE_MASK;

    if (e->tag_code != page) {
        if ((e->tag_code & ~TLB_SLOW) != page) {
            e = tlb_fill(env, va, ACC_FETCH, mmu);
        }
        if (e->tag_code != page) {
            /* executing from MMIO: not supported, treat as a bus error */
            if (e->tag_code == (page | TLB_SLOW)) {
                return NULL;
            }
            env->cr[2] = va;
            raise_exception_err(env, EXCP_PF,
                                PF_P | PF_I | (mmu == MMU_USER ? PF_U : 0));
        }
    }
    return (const uint8_t *)(uintptr_t)(page + e->addend);
}

uint8_t cpu_fetch_byte_slow(CPUX86State *env, uint64_t va)
{
    const uint8_t *p = cpu_fetch_page(env, va);

    return p ? p[va & ~TARGET_PAGE_MASK] : 0xff;
}

void *cpu_host_ptr(CPUX86State *env, uint64_t va, unsigned len, int acc)
{
    int mmu = cpu_mmu_idx(env);
    X86TLBEntry *e = tlb_entry(env, mmu, va);
    uint64_t page = va & TARGET_PAGE_MASK;

    if ((va & ~TARGET_PAGE_MASK) + len > TARGET_PAGE_SIZE) {
        return NULL;
    }
    if (acc == ACC_WRITE) {
        if (e->tag_write != page) {
            e = probe_write(env, va, mmu);
            if (e->tag_write != page) {
                return NULL;
            }
        }
    } else {
        if (e->tag_read != page) {
            if ((e->tag_read & ~TLB_SLOW) != page) {
                e = tlb_fill(env, va, ACC_READ, mmu);
            }
            if (e->tag_read != page) {
                return NULL;
            }
        }
    }
    return (void *)(uintptr_t)(va + e->addend);
}

void cpu_ld_buf(CPUX86State *env, uint64_t va, void *buf, unsigned len)
{
    uint8_t *b = buf;
    unsigned i;

    for (i = 0; i < len; i++) {
        b[i] = cpu_ld(env, va + i, 1);
    }
}

void cpu_st_buf(CPUX86State *env, uint64_t va, const void *buf,
                unsigned len)
{
    const uint8_t *b = buf;
    unsigned i;

    if (len) {
        probe_write(env, va, cpu_mmu_idx(env));
        probe_write(env, va + len - 1, cpu_mmu_idx(env));
    }
    for (i = 0; i < len; i++) {
        cpu_st(env, va + i, 1, b[i]);
    }
}
