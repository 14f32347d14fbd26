/*
 * x86-64 CPU state and the interpreter's public interface.
 *
 * CPUX86State is a plain struct: architectural registers first (what
 * migration describes), then the interpreter's caches (soft TLB, lazy
 * flags, jump buffer) which are rebuilt after a load and never migrated.
 *
 * The machine reaches the CPU, and the CPU reaches the machine, only
 * through X86CPUHooks (port I/O, MMIO, interrupt acknowledge, MSRs the
 * CPU does not own, time, reset).  Together with cpu_interrupt() these are
 * the single door for nondeterminism into the vCPU: interrupt injection
 * (get_interrupt_vector), port and MMIO reads (io_read, mmio_read), time
 * (clock_ns: RDTSC, kvmclock, TSC deadline) and MSRs owned by devices.
 * env->icount counts retired instructions.
 *
 * Only long mode is implemented (64-bit code segments, 4-level paging);
 * the loader enters the kernel's 64-bit entry directly.
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

#include <setjmp.h>
#include "exec/memory.h"

enum {
    R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
};
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, R_SEG_NONE = 7 };

/* RFLAGS */
#define CC_C    0x0001
#define CC_P    0x0004
#define CC_A    0x0010
#define CC_Z    0x0040
#define CC_S    0x0080
#define TF_MASK 0x0100
#define IF_MASK 0x0200
#define DF_MASK 0x0400
#define CC_O    0x0800
#define IOPL_MASK 0x3000
#define NT_MASK 0x4000
#define RF_MASK 0x10000
#define AC_MASK 0x40000
#define ID_MASK 0x200000
#define CC_ALL (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)

/* CR0 / CR4 / EFER */
#define CR0_PE 0x1
#define CR0_MP 0x2
#define CR0_EM 0x4
#define CR0_TS 0x8
#define CR0_ET 0x10
#define CR0_NE 0x20
#define CR0_WP 0x10000
#define CR0_AM 0x40000
#define CR0_NW 0x20000000
#define CR0_CD 0x40000000
#define CR0_PG 0x80000000u
#define CR4_PSE 0x10
#define CR4_PAE 0x20
#define CR4_PGE 0x80
#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#define EFER_SCE 0x1
#define EFER_LME 0x100
#define EFER_LMA 0x400
#define EFER_NXE 0x800

/* segment descriptor attribute bits, kept as in the high descriptor word */
#define DESC_TYPE_SHIFT 8
#define DESC_S  (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_P  (1u << 15)
#define DESC_L  (1u << 21)
#define DESC_B  (1u << 22)
#define DESC_G  (1u << 23)

/* exceptions */
#define EXCP_DE 0
#define EXCP_DB 1
#define EXCP_NMI 2
#define EXCP_BP 3
#define EXCP_OF 4
#define EXCP_BR 5
#define EXCP_UD 6
#define EXCP_NM 7
#define EXCP_DF 8
#define EXCP_TS 10
#define EXCP_NP 11
#define EXCP_SS 12
#define EXCP_GP 13
#define EXCP_PF 14
#define EXCP_MF 16
#define EXCP_AC 17
#define EXCP_MC 18
#define EXCP_XM 19

/* page fault error code */
#define PF_P 1
#define PF_W 2
#define PF_U 4
#define PF_RSVD 8
#define PF_I 16

/* interrupt_request bits (atomic; any thread) */
#define CPU_INTERRUPT_HARD  0x01
#define CPU_INTERRUPT_NMI   0x02
#define CPU_INTERRUPT_INIT  0x04
#define CPU_INTERRUPT_EXIT  0x08   /* leave the run loop (kick) */
#define CPU_INTERRUPT_TLB   0x10   /* flush write entries / code cache */

/* soft TLB */
#define TLB_BITS 10
#define TLB_SIZE (1 << TLB_BITS)
#define TLB_INVALID  0x1ULL     /* in a tag: never matches */
#define TLB_SLOW     0x2ULL     /* in a tag: page is MMIO or not writable */
#define MMU_KERNEL 0
#define MMU_USER 1
#define MMU_MODES 2

typedef struct SegmentCache {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;
    uint32_t flags;
} SegmentCache;

/*
 * What the fast paths read: 32 bytes, two entries per host cache line
 * (the slow-path fields are in X86TLBExtra, same index).
 */
typedef struct X86TLBEntry {
    uint64_t tag_read;          /* page VA, or with TLB_* flags */
    uint64_t tag_write;
    uint64_t tag_code;
    uintptr_t addend;           /* host = va + addend (RAM) */
} X86TLBEntry;

typedef struct X86TLBExtra {
    uint64_t paddr;             /* guest physical page */
    uint64_t global;            /* from a global PTE */
} X86TLBExtra;

typedef union X86XMMReg {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t l[4];
    uint64_t q[2];
    float s[4];
    double d[2];
} X86XMMReg;

/*
 * One decoded instruction of the fast-path cache (fastpath.c.inc).
 * Instructions are cached in straight-line blocks (X86FastBlock) that
 * end at a branch, at an instruction the fast path does not handle, or
 * at the end of the code page.
 */
typedef struct FastInsn {
    uint8_t kind, len, ot, op;
    uint8_t reg, rm, base, index;
    uint8_t scale, riprel, mod3, rex;
    uint8_t modrm_reg;
    uint8_t seg;                /* R_FS / R_GS override, else 0 */
    uint8_t stores;             /* may write guest memory (SMC check) */
    uint8_t xk;                 /* execution handler (fastrun.c.inc) */
    int32_t disp;
    uint64_t imm;
} FastInsn;

/*
 * A decoded block in env->fast_pool: this header, then n FastInsn.  Only
 * the chain links change after decoding; the pool is dropped as a whole
 * when full (env->fast_pool_gen is bumped), so links never dangle.
 */
typedef struct X86FastBlock {
    const uint8_t *host;        /* tag: host address of the first byte */
    uint32_t epoch;             /* valid while == env->page_epochs[slot] */
    uint16_t slot;              /* of the code page in env->page_epochs */
    uint16_t n;                 /* 0: the first insn needs the decoder */
    /*
     * n == 0 because the page was written recently: retry decoding once
     * env->icount passes this (UINT64_MAX: not such a block)
     */
    uint64_t retry_icount;
    /*
     * Chain: two blocks that ran straight after this one, tagged with the
     * host address of their first byte; followed (after an epoch check)
     * instead of the table lookup.  Keyed by host address, i.e. by guest
     * physical address, so a link stays right whatever the mapping.
     */
    const uint8_t *next_host[2];
    struct X86FastBlock *next[2];
    void *jit;                  /* its native code (jit.c.inc), or NULL */
    uint32_t jit_hits;          /* runs counted towards env->jit_hot */
    FastInsn insns[] __attribute__((aligned(32)));
} X86FastBlock;
/* pool units (sizeof(FastInsn)) taken by a block header */
#define FAST_HDR_UNITS (sizeof(X86FastBlock) / sizeof(FastInsn))
#define FAST_BLOCK_BITS 16
#define FAST_BLOCK_SIZE (1 << FAST_BLOCK_BITS)
#define FAST_BLOCK_MAX 48       /* instructions per block */
#define FAST_POOL_SIZE (1 << 20)
#define JIT_BUF_SIZE (64u << 20)   /* bytes of native code */
/*
 * Runs before a block is compiled: 64 compiles less code that runs only
 * a while (the host->guest stream used less vCPU time than at 8;
 * docs/benchmarks.md).
 */
#define JIT_HOT_DEFAULT 64
/*
 * RIP-indexed entries for returns and indirect jumps: at 1024 the tap
 * receive path missed 1.2 M times per 128 MiB moved, at 16384 86 k.
 */
#define JIT_JC_BITS 14
#define JIT_JC_SIZE (1 << JIT_JC_BITS)
typedef struct X86JitJump {
    uint64_t rip;
    void *code;
} X86JitJump;
#define SMC_PAGES 64
#define SMC_WINDOW (1ULL << 24)  /* instructions */
#define SMC_HOLD_WRITES 32      /* code writes in a window before a hold */
#define CODE_SLOTS 4096         /* code pages hashed into epoch slots */

typedef struct X86CPUHooks {
    void *opaque;
    /* Acknowledge an external interrupt: returns the vector or -1. */
    int (*get_interrupt_vector)(void *opaque);
    /* Port I/O and MMIO; the accelerator takes the big lock around them. */
    uint64_t (*io_read)(void *opaque, uint16_t port, unsigned size);
    void (*io_write)(void *opaque, uint16_t port, uint64_t val,
                     unsigned size);
    uint64_t (*mmio_read)(void *opaque, hwaddr addr, unsigned size);
    void (*mmio_write)(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size);
    /* MSRs the CPU does not own (APIC base, TSC deadline): true = handled */
    bool (*msr_read)(void *opaque, uint32_t msr, uint64_t *val);
    bool (*msr_write)(void *opaque, uint32_t msr, uint64_t val);
    /* CR8 <-> LAPIC TPR */
    uint64_t (*get_tpr)(void *opaque);
    void (*set_tpr)(void *opaque, uint64_t tpr);
    /* The virtual clock in ns (stops while the VM is stopped). */
    int64_t (*clock_ns)(void *opaque);
    /* Triple fault. */
    void (*reset_request)(void *opaque);
} X86CPUHooks;

/* Initial state produced by the loader (hw/i386/x86-loader.c). */
typedef struct X86BootState {
    uint64_t rip, rsi, rsp;
    uint64_t cr0, cr3, cr4, efer;
    uint64_t gdt_base;
    uint16_t gdt_limit;
    uint16_t cs, ds, es, ss, fs, gs;
} X86BootState;

typedef struct CPUX86State {
    /* ---- architectural state ---- */
    uint64_t regs[16];
    uint64_t rip;
    uint64_t eflags;            /* without the lazy arithmetic flags */
    SegmentCache segs[6];
    SegmentCache ldt, tr, gdt, idt;     /* gdt/idt: base + limit only */
    uint64_t cr[9];             /* cr0, cr2, cr3, cr4; cr8 via hooks */
    uint64_t efer;
    uint64_t dr[8];
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pat;
    uint64_t mtrr_cap_def;      /* MTRRdefType */
    uint64_t mtrr_fixed[11];
    uint64_t mtrr_var[16];      /* base/mask pairs */
    uint64_t misc_enable;
    uint64_t tsc_offset;        /* guest TSC = scaled clock + offset */
    uint64_t tsc_aux;
    uint64_t hwcr;
    uint64_t mcg_status;
    uint64_t kvm_wall_clock_msr, kvm_system_time_msr;
    uint64_t apic_base_fallback; /* used when no hook handles 0x1b */
    uint64_t cr8_fallback;
    /* x87 / SSE */
    long double fpregs[8];
    uint16_t fpuc, fpus, fptag; /* fptag: 1 bit per reg, 1 = empty */
    unsigned fpstt;
    uint16_t fpop;
    uint64_t fpip, fpdp;
    X86XMMReg xmm[16];
    uint32_t mxcsr;
    /* events */
    bool halted;
    bool nmi_blocked;           /* inside an NMI handler until iret */
    uint64_t inhibit_irq_rip;   /* STI / MOV SS shadow: RIP it covers */
    bool inhibit_irq;
    int pending_exception;      /* -1: none (used for double faults) */
    /* ---- interpreter caches and bookkeeping (not migrated) ---- */
    uint32_t cc_op;             /* lazy flags: see flags.c */
    uint64_t cc_dst, cc_src, cc_src2;
    uint32_t interrupt_request; /* atomic */
    uint64_t icount;            /* retired instructions */
    uint64_t icount_budget_end;
    X86TLBEntry tlb[MMU_MODES][TLB_SIZE];
    X86TLBExtra tlb_extra[MMU_MODES][TLB_SIZE];
    uint64_t tlb_fill_gen;
    uint64_t tlb_flush_count;   /* bumped when translations are dropped */
    const X86CPUHooks *hooks;
    /* kept across x86_cpu_reset(): */
    X86FastBlock **fast_blocks; /* FAST_BLOCK_SIZE entries (or NULL) */
    FastInsn *fast_pool;        /* FAST_POOL_SIZE units of blocks */
    uint32_t fast_pool_used;    /* all blocks are dropped when full */
    uint32_t fast_pool_gen;     /* bumped when they are */
    /* the decoded block being run (else NULL), its first RIP and length */
    const FastInsn *fast_run;
    uint64_t fast_run_rip;
    unsigned fast_run_n;
    uint64_t fast_runs;         /* decoded blocks run */
    uint64_t fast_chained;      /* ... of them found through a chain link */
    uint64_t slow_insns;        /* instructions run by the full decoder */
    uint32_t code_epoch;        /* bumped when guest code may have changed */
    ram_addr_t smc_pages[SMC_PAGES];   /* recently written code pages (+1) */
    uint8_t smc_writes[SMC_PAGES];     /* ... and how often (saturating) */
    uint64_t smc_clear_icount;  /* smc_pages is forgotten SMC_WINDOW later */
    sigjmp_buf jmp_env;
    int exc_vector;             /* exception being raised */
    uint32_t exc_error;
    bool exc_has_error;
    int exc_nesting;
    uint64_t insn_start;        /* RIP of the instruction being run */
    bool reset_requested;
    uint64_t fast_misses;       /* decoded-instruction cache fills */
    /* bumped when a code page of that slot (ram page % CODE_SLOTS) is
     * written; code_epoch above only counts invalidations */
    uint32_t *page_epochs;
    /*
     * Native code of hot blocks (jit.c.inc): an RWX buffer emptied with
     * the block pool; a block is compiled once it ran jit_hot times (0:
     * never)
     */
    uint8_t *jit_buf;
    size_t jit_used;
    uint32_t jit_hot;
    uint64_t jit_blocks;        /* blocks compiled */
    /* set by native code: the last block it ran, and the exit jump to
     * link to the block at the RIP it returned (NULL: not linkable) */
    struct X86FastBlock *jit_last;
    uint8_t *jit_patch;
    /* RIP -> chained entry of the block fx_run() last entered there
     * natively (JIT_JC_SIZE entries, emptied with the pool) */
    struct X86JitJump *jit_jc;
} CPUX86State;

/**
 * x86_cpu_init: zero @env and apply the architectural reset state with
 * @hooks (may be NULL: ports/MMIO read all-ones, no interrupts).
 */
void x86_cpu_init(CPUX86State *env, const X86CPUHooks *hooks);
/** x86_cpu_finalize: free what x86_cpu_init allocated. */
void x86_cpu_finalize(CPUX86State *env);
/**
 * x86_cpu_code_flush: forget decoded instructions; for code written into
 * guest RAM behind the memory API's back (tests, loaders after start).
 */
void x86_cpu_code_flush(CPUX86State *env);
/** x86_cpu_reset: power-on reset (keeps hooks). */
void x86_cpu_reset(CPUX86State *env);
/** x86_cpu_load_boot_state: enter 64-bit mode as the loader prepared. */
void x86_cpu_load_boot_state(CPUX86State *env, const X86BootState *bs);

typedef enum X86ExecExit {
    X86_EXIT_BUDGET,        /* ran max_insns */
    X86_EXIT_HALTED,        /* hlt with no deliverable event */
    X86_EXIT_REQUEST,       /* CPU_INTERRUPT_EXIT */
    X86_EXIT_RESET,         /* triple fault (reset hook already called) */
} X86ExecExit;

/**
 * x86_cpu_exec: run until @max_insns retired or an exit condition.  Runs
 * without the big lock; hooks take it where needed.
 */
X86ExecExit x86_cpu_exec(CPUX86State *env, uint64_t max_insns);

/** cpu_interrupt / cpu_reset_interrupt: atomic, any thread. */
void x86_cpu_interrupt(CPUX86State *env, uint32_t mask);
void x86_cpu_reset_interrupt(CPUX86State *env, uint32_t mask);

/** x86_cpu_get_eflags / set_eflags: full RFLAGS incl. arithmetic flags. */
uint64_t x86_cpu_get_eflags(CPUX86State *env);
void x86_cpu_set_eflags(CPUX86State *env, uint64_t val);

/** x86_cpu_tlb_flush: drop all (or non-global) translations. */
void x86_cpu_tlb_flush(CPUX86State *env, bool include_global);
/** x86_cpu_tlb_flush_writes: make every entry take the slow write path. */
void x86_cpu_tlb_flush_writes(CPUX86State *env);

/** x86_cpu_get_tsc: the guest's TSC now (the one time read path). */
uint64_t x86_cpu_get_tsc(CPUX86State *env);
#define X86_TSC_KHZ 2000000ULL

/** x86_cpu_translate: page walk without side effects (debugger, tests). */
bool x86_cpu_translate(CPUX86State *env, uint64_t va, uint64_t *pa);

/* CPUID for one leaf/subleaf. */
void x86_cpu_cpuid(CPUX86State *env, uint32_t leaf, uint32_t sub,
                   uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d);

#endif
