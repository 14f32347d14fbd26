/*
 * Local APIC (xAPIC, one per vCPU; we have one vCPU).
 *
 * Register file (MMIO at 0xfee00000, 4 KiB, one 32-bit register per
 * 16-byte slot; index = offset >> 4):
 *   0x02 ID (bits 31:24)   0x03 version (0x00050014)   0x08 TPR
 *   0x09 APR (reads 0)     0x0a PPR (derived)          0x0b EOI (write)
 *   0x0d LDR               0x0e DFR                    0x0f SVR
 *   0x10-0x17 ISR          0x18-0x1f TMR               0x20-0x27 IRR
 *   0x28 ESR               0x2f LVT CMCI               0x30/0x31 ICR lo/hi
 *   0x32 LVT timer  0x33 thermal  0x34 perf  0x35 LINT0  0x36 LINT1
 *   0x37 LVT error         0x38 initial count          0x39 current count
 *   0x3e divide configuration
 *
 * Interrupt selection: the highest IRR vector is delivered when its
 * priority class (vector >> 4) is above PPR's; PPR = max(TPR, class of the
 * highest ISR vector).  EOI clears the highest ISR bit and, when that
 * vector's TMR bit is set (level-triggered, from the IOAPIC), broadcasts
 * the EOI so the IOAPIC clears its remote IRR.
 *
 * Timer: the count decrements once per (divisor * bus_cycle_ns) of guest
 * virtual time (bus cycle 1 ns, as QEMU).  One-shot, periodic and
 * TSC-deadline (MSR 0x6e0, deadline in TSC units converted through the
 * tsc_to_ns hook) modes.  Time is passed in by the caller ("now", ns of
 * QEMU_CLOCK_VIRTUAL); arming the host timer goes through ops->timer_arm.
 *
 * The pure core has no globals; everything outward goes through APICOps.
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include "migration/vmstate.h"

#define TYPE_APIC "apic"

#define APIC_DEFAULT_ADDRESS 0xfee00000ULL
#define APIC_SPACE_SIZE      0x1000
#define MSR_IA32_APICBASE            0x1b
#define MSR_IA32_APICBASE_BSP        (1ULL << 8)
#define MSR_IA32_APICBASE_ENABLE     (1ULL << 11)
#define MSR_IA32_APICBASE_BASE       (0xfffffULL << 12)
#define MSR_IA32_TSC_DEADLINE        0x6e0

#define APIC_LVT_TIMER   0
#define APIC_LVT_THERMAL 1
#define APIC_LVT_PERF    2
#define APIC_LVT_LINT0   3
#define APIC_LVT_LINT1   4
#define APIC_LVT_ERROR   5
#define APIC_LVT_CMCI    6
#define APIC_LVT_NB      7

#define APIC_LVT_MASKED          (1 << 16)
#define APIC_LVT_LEVEL_TRIGGER   (1 << 15)
#define APIC_LVT_TIMER_PERIODIC  (1 << 17)
#define APIC_LVT_TIMER_TSCDEADLINE (2 << 17)
#define APIC_LVT_TIMER_MODE_MASK (3 << 17)
#define APIC_SVR_ENABLE          (1 << 8)

/* Delivery modes (ICR, LVT, MSI data bits 10:8) */
#define APIC_DM_FIXED   0
#define APIC_DM_LOWPRI  1
#define APIC_DM_SMI     2
#define APIC_DM_NMI     4
#define APIC_DM_INIT    5
#define APIC_DM_SIPI    6
#define APIC_DM_EXTINT  7

/* ESR bits */
#define APIC_ESR_SEND_ILLEGAL_VECTOR 0x20
#define APIC_ESR_RECV_ILLEGAL_VECTOR 0x40
#define APIC_ESR_ILLEGAL_ADDRESS     0x80

typedef struct APICOps {
    /* raise/lower the CPU's INTR line (cpu_interrupt / reset_interrupt) */
    void (*set_intr)(void *opaque, int level);
    /* deliver an NMI to the CPU */
    void (*nmi)(void *opaque);
    /* arm the timer to fire at @expire_ns (virtual clock); < 0: cancel */
    void (*timer_arm)(void *opaque, int64_t expire_ns);
    /* EOI of a level-triggered vector: tell the IOAPIC */
    void (*eoi_broadcast)(void *opaque, int vector);
    /* INTA cycle on the 8259 (ExtINT); returns the vector */
    int (*extint_ack)(void *opaque);
    /* virtual-clock ns at which the TSC reaches @tsc; NULL: use tsc_hz */
    int64_t (*tsc_to_ns)(void *opaque, uint64_t tsc);
} APICOps;

typedef struct APICState {
    /* architectural state (migrated) */
    uint64_t apicbase;
    uint8_t id;
    uint8_t tpr;
    uint32_t ldr;
    uint32_t dfr;
    uint32_t svr;
    uint32_t isr[8];
    uint32_t tmr[8];
    uint32_t irr[8];
    uint32_t esr;
    uint32_t esr_pending;    /* errors collected since the last ESR write */
    uint32_t icr[2];
    uint32_t lvt[APIC_LVT_NB];
    uint32_t divide_conf;
    uint32_t initial_count;
    int64_t initial_count_load_time;  /* ns */
    int64_t next_time;       /* armed expiry in ns, -1: not armed */
    uint64_t tsc_deadline;
    uint8_t lint_level[2];   /* LINT0/LINT1 input levels */
    /* derived / configuration (not migrated) */
    int intr_level;          /* INTR line as last driven */
    uint32_t bus_cycle_ns;
    uint64_t tsc_hz;
    uint64_t dropped_msi;    /* messages for another destination */
    const APICOps *ops;
    void *opaque;
} APICState;

/** apic_core_init: @ops/@opaque are the outward hooks (machine glue). */
void apic_core_init(APICState *s, uint8_t id, const APICOps *ops,
                    void *opaque);
/** apic_core_reset: power-on/INIT state; BSP gets LINT0 in ExtINT mode. */
void apic_core_reset(APICState *s, bool bsp);

uint32_t apic_mem_readl(APICState *s, hwaddr offset, int64_t now);
void apic_mem_writel(APICState *s, hwaddr offset, uint32_t val, int64_t now);

/**
 * apic_get_interrupt: the CPU accepts INTR: move the highest deliverable
 * vector from IRR to ISR and return it; the 8259 vector when only ExtINT
 * is pending; -1 when nothing is pending any more.
 */
int apic_get_interrupt(APICState *s);
/** apic_has_interrupt: whether INTR should be raised now. */
bool apic_has_interrupt(APICState *s);

/**
 * apic_set_irq: accept @vector (fixed delivery), @level_trig records it
 * in TMR so the EOI is broadcast.
 */
void apic_set_irq(APICState *s, int vector, bool level_trig);
/**
 * apic_deliver_msi: a write to 0xfee00000 | dest << 12 | dm << 2 with
 * @data = vector | delivery mode << 8 | trigger << 15 (PCI MSI/MSI-X and
 * the IOAPIC's redirection entries use this format).
 */
void apic_deliver_msi(APICState *s, uint64_t addr, uint32_t data);
/** apic_set_lint: drive LINT0 (@pin 0, the 8259 INTR) or LINT1 (NMI). */
void apic_set_lint(APICState *s, int pin, int level);
/** apic_lint_handler: qemu_irq handler for apic_set_lint. */
void apic_lint_handler(void *opaque, int pin, int level);

/** apic_timer_expired: the armed timer fired at @now. */
void apic_timer_expired(APICState *s, int64_t now);

/* CPU-facing MSR/CR8 accessors */
uint64_t apic_get_base(APICState *s);
void apic_set_base(APICState *s, uint64_t val, int64_t now);
uint64_t apic_get_tsc_deadline(APICState *s);
void apic_set_tsc_deadline(APICState *s, uint64_t tsc, int64_t now);
/** apic_get_cr8 / apic_set_cr8: TPR[7:4] as CR8. */
uint8_t apic_get_cr8(APICState *s);
void apic_set_cr8(APICState *s, uint8_t cr8);
/** apic_accepts_extint: the 8259's INTR reaches the CPU via LINT0. */
bool apic_accepts_extint(APICState *s);
/** apic_core_post_load: validate and re-derive after a state load. */
bool apic_core_post_load(APICState *s, int64_t now);

/* Migratable state of the core (the "apic" device embeds it). */
extern const VMStateDescription vmstate_apic_core;

#endif
