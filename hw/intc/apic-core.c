/*
 * Local APIC: pure register, priority and timer model.
 * See include/hw/intc/apic.h for the register map.
 */
#include "qemu/osdep.h"
#include "hw/intc/apic.h"
#include "migration/vmstate.h"

#define APIC_VERSION 0x00050014   /* version 0x14, 6 LVT entries */

static const uint8_t lvt_index_of_reg[16] = {
    [0x2] = APIC_LVT_TIMER, [0x3] = APIC_LVT_THERMAL,
    [0x4] = APIC_LVT_PERF, [0x5] = APIC_LVT_LINT0,
    [0x6] = APIC_LVT_LINT1, [0x7] = APIC_LVT_ERROR,
};

/* ---- 256-bit vector sets ---- */

static void vec_set(uint32_t *tab, int v)
{
    tab[v >> 5] |= 1U << (v & 31);
}

static void vec_clear(uint32_t *tab, int v)
{
    tab[v >> 5] &= ~(1U << (v & 31));
}

static bool vec_test(const uint32_t *tab, int v)
{
    return tab[v >> 5] & (1U << (v & 31));
}

/* Highest set vector, or -1. */
static int vec_highest(const uint32_t *tab)
{
    int i;

    for (i = 7; i >= 0; i--) {
        if (tab[i]) {
            return i * 32 + 31 - __builtin_clz(tab[i]);
        }
    }
    return -1;
}

/* ---- priorities and the INTR line ---- */

static bool apic_hw_enabled(APICState *s)
{
    return s->apicbase & MSR_IA32_APICBASE_ENABLE;
}

static bool apic_sw_enabled(APICState *s)
{
    return s->svr & APIC_SVR_ENABLE;
}

static uint32_t apic_get_ppr(APICState *s)
{
    int isrv = vec_highest(s->isr);
    int tpr = s->tpr;

    if (isrv < 0 || (tpr >> 4) >= (isrv >> 4)) {
        return tpr;
    }
    return isrv & 0xf0;
}

/* Vector to deliver, or -1. */
static int apic_deliverable_vector(APICState *s)
{
    int irrv;

    if (!apic_hw_enabled(s) || !apic_sw_enabled(s)) {
        return -1;
    }
    irrv = vec_highest(s->irr);
    if (irrv < 0) {
        return -1;
    }
    if ((irrv & 0xf0) <= (apic_get_ppr(s) & 0xf0)) {
        return -1;
    }
    return irrv;
}

bool apic_accepts_extint(APICState *s)
{
    uint32_t lvt0 = s->lvt[APIC_LVT_LINT0];

    if (!apic_hw_enabled(s)) {
        return true;
    }
    return !(lvt0 & APIC_LVT_MASKED) &&
           ((lvt0 >> 8) & 7) == APIC_DM_EXTINT;
}

static bool apic_extint_pending(APICState *s)
{
    return s->lint_level[0] && apic_accepts_extint(s);
}

bool apic_has_interrupt(APICState *s)
{
    return apic_deliverable_vector(s) >= 0 || apic_extint_pending(s);
}

static void apic_update_irq(APICState *s)
{
    int level = apic_has_interrupt(s);

    if (level != s->intr_level) {
        s->intr_level = level;
        if (s->ops->set_intr) {
            s->ops->set_intr(s->opaque, level);
        }
    }
}

void apic_set_irq(APICState *s, int vector, bool level_trig)
{
    if (vector < 16 || vector > 255) {
        s->esr_pending |= APIC_ESR_RECV_ILLEGAL_VECTOR;
        return;
    }
    vec_set(s->irr, vector);
    if (level_trig) {
        vec_set(s->tmr, vector);
    } else {
        vec_clear(s->tmr, vector);
    }
    apic_update_irq(s);
}

int apic_get_interrupt(APICState *s)
{
    int v = apic_deliverable_vector(s);

    if (v >= 0) {
        vec_clear(s->irr, v);
        vec_set(s->isr, v);
        apic_update_irq(s);
        return v;
    }
    if (apic_extint_pending(s) && s->ops->extint_ack) {
        v = s->ops->extint_ack(s->opaque);
        apic_update_irq(s);
        return v;
    }
    /*
     * Nothing to deliver (INTR dropped before the CPU took it): hardware
     * would run the spurious vector; we tell the CPU there is none.
     */
    apic_update_irq(s);
    return -1;
}

static void apic_eoi(APICState *s)
{
    int v = vec_highest(s->isr);

    if (v < 0) {
        return;
    }
    vec_clear(s->isr, v);
    if (vec_test(s->tmr, v) && s->ops->eoi_broadcast) {
        s->ops->eoi_broadcast(s->opaque, v);
    }
    apic_update_irq(s);
}

/* ---- local vector table sources ---- */

/* Deliver LVT entry @n (timer, error, LINTx edge); false if masked. */
static bool apic_deliver_lvt(APICState *s, int n)
{
    uint32_t lvt = s->lvt[n];

    if (lvt & APIC_LVT_MASKED) {
        return false;
    }
    switch ((lvt >> 8) & 7) {
    case APIC_DM_FIXED:
        apic_set_irq(s, lvt & 0xff,
                     n == APIC_LVT_LINT0 || n == APIC_LVT_LINT1 ?
                     !!(lvt & APIC_LVT_LEVEL_TRIGGER) : false);
        break;
    case APIC_DM_NMI:
        if (s->ops->nmi) {
            s->ops->nmi(s->opaque);
        }
        break;
    case APIC_DM_EXTINT:
        apic_update_irq(s);
        break;
    default:  /* SMI, INIT: not modelled */
        break;
    }
    return true;
}

void apic_set_lint(APICState *s, int pin, int level)
{
    int n = pin ? APIC_LVT_LINT1 : APIC_LVT_LINT0;
    bool rising = level && !s->lint_level[pin & 1];

    s->lint_level[pin & 1] = !!level;
    if (pin == 0 && apic_accepts_extint(s)) {
        apic_update_irq(s);
        return;
    }
    if (rising) {
        apic_deliver_lvt(s, n);
    }
}

void apic_lint_handler(void *opaque, int pin, int level)
{
    apic_set_lint(opaque, pin, level);
}

static void apic_error(APICState *s, uint32_t bits)
{
    bool new_bits = (s->esr_pending & bits) != bits;

    s->esr_pending |= bits;
    if (new_bits) {
        apic_deliver_lvt(s, APIC_LVT_ERROR);
    }
}

/* ---- timer ---- */

static uint32_t apic_timer_mode(APICState *s)
{
    return s->lvt[APIC_LVT_TIMER] & APIC_LVT_TIMER_MODE_MASK;
}

static int apic_divide_shift(APICState *s)
{
    uint32_t v = (s->divide_conf & 3) | ((s->divide_conf >> 1) & 4);

    return (v + 1) & 7;      /* 0b111 -> divide by 1 */
}

static uint64_t apic_tick_ns(APICState *s)
{
    return (uint64_t)s->bus_cycle_ns << apic_divide_shift(s);
}

static void apic_timer_arm(APICState *s, int64_t when)
{
    s->next_time = when;
    if (s->ops->timer_arm) {
        s->ops->timer_arm(s->opaque, when);
    }
}

/* Ticks elapsed since the initial count was loaded. */
static uint64_t apic_elapsed_ticks(APICState *s, int64_t now)
{
    if (now <= s->initial_count_load_time) {
        return 0;
    }
    return (uint64_t)(now - s->initial_count_load_time) / apic_tick_ns(s);
}

/* Arm for the next count expiry after @now in one-shot/periodic mode. */
static void apic_timer_rearm_count(APICState *s, int64_t now)
{
    uint64_t elapsed, period = s->initial_count, k;

    if (apic_timer_mode(s) == APIC_LVT_TIMER_TSCDEADLINE ||
        s->initial_count == 0) {
        apic_timer_arm(s, -1);
        return;
    }
    elapsed = apic_elapsed_ticks(s, now);
    if (!(s->lvt[APIC_LVT_TIMER] & APIC_LVT_TIMER_PERIODIC)) {
        if (elapsed >= period) {
            apic_timer_arm(s, -1);
            return;
        }
        k = 1;
    } else {
        k = elapsed / period + 1;
    }
    apic_timer_arm(s, s->initial_count_load_time +
                   (int64_t)(k * period * apic_tick_ns(s)));
}

static uint32_t apic_current_count(APICState *s, int64_t now)
{
    uint64_t elapsed;

    if (apic_timer_mode(s) == APIC_LVT_TIMER_TSCDEADLINE ||
        s->initial_count == 0) {
        return 0;
    }
    elapsed = apic_elapsed_ticks(s, now);
    if (s->lvt[APIC_LVT_TIMER] & APIC_LVT_TIMER_PERIODIC) {
        return s->initial_count - elapsed % s->initial_count;
    }
    if (elapsed >= s->initial_count) {
        return 0;
    }
    return s->initial_count - elapsed;
}

static int64_t apic_tsc_to_ns(APICState *s, uint64_t tsc)
{
    if (s->ops->tsc_to_ns) {
        return s->ops->tsc_to_ns(s->opaque, tsc);
    }
    if (!s->tsc_hz) {
        return 0;
    }
    return (int64_t)(((__int128)tsc * 1000000000) / s->tsc_hz);
}

static void apic_timer_rearm_deadline(APICState *s)
{
    if (apic_timer_mode(s) != APIC_LVT_TIMER_TSCDEADLINE ||
        s->tsc_deadline == 0) {
        apic_timer_arm(s, -1);
        return;
    }
    apic_timer_arm(s, MAX(apic_tsc_to_ns(s, s->tsc_deadline), 0));
}

void apic_timer_expired(APICState *s, int64_t now)
{
    if (s->next_time < 0 || now < s->next_time) {
        return;          /* stale callback */
    }
    apic_deliver_lvt(s, APIC_LVT_TIMER);
    if (apic_timer_mode(s) == APIC_LVT_TIMER_TSCDEADLINE) {
        s->tsc_deadline = 0;
        apic_timer_arm(s, -1);
        return;
    }
    apic_timer_rearm_count(s, now);
}

uint64_t apic_get_tsc_deadline(APICState *s)
{
    if (apic_timer_mode(s) != APIC_LVT_TIMER_TSCDEADLINE) {
        return 0;
    }
    return s->tsc_deadline;
}

void apic_set_tsc_deadline(APICState *s, uint64_t tsc, int64_t now)
{
    if (apic_timer_mode(s) != APIC_LVT_TIMER_TSCDEADLINE) {
        return;          /* ignored outside TSC-deadline mode */
    }
    s->tsc_deadline = tsc;
    apic_timer_rearm_deadline(s);
}

static void apic_write_lvt_timer(APICState *s, uint32_t val, int64_t now)
{
    uint32_t old_mode = apic_timer_mode(s);

    s->lvt[APIC_LVT_TIMER] = val;
    if (apic_timer_mode(s) != old_mode) {
        /* a mode switch stops the timer */
        s->initial_count = 0;
        s->tsc_deadline = 0;
        apic_timer_arm(s, -1);
        return;
    }
    if (old_mode == APIC_LVT_TIMER_TSCDEADLINE) {
        apic_timer_rearm_deadline(s);
    } else {
        apic_timer_rearm_count(s, now);
    }
}

/* ---- interprocessor interrupts and MSI ---- */

static bool apic_match_dest(APICState *s, uint8_t dest, bool logical)
{
    if (!logical) {
        return dest == 0xff || dest == s->id;
    }
    if (dest == 0xff) {
        return true;
    }
    if ((s->dfr >> 28) == 0xf) {          /* flat model */
        return (s->ldr >> 24) & dest;
    }
    /* cluster model: high nibble cluster, low nibble member bits */
    return ((dest >> 4) == (s->ldr >> 28)) &&
           (dest & (s->ldr >> 24) & 0xf);
}

static void apic_deliver(APICState *s, int dm, int vector, bool level_trig)
{
    switch (dm) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWPRI:
        apic_set_irq(s, vector, level_trig);
        break;
    case APIC_DM_NMI:
        if (s->ops->nmi) {
            s->ops->nmi(s->opaque);
        }
        break;
    case APIC_DM_EXTINT:
        apic_update_irq(s);
        break;
    default:  /* SMI, INIT, SIPI: one vCPU, not modelled */
        break;
    }
}

static void apic_send_ipi(APICState *s)
{
    uint32_t lo = s->icr[0];
    int vector = lo & 0xff;
    int dm = (lo >> 8) & 7;
    int shorthand = (lo >> 18) & 3;
    bool to_self;

    switch (shorthand) {
    case 0:
        to_self = apic_match_dest(s, s->icr[1] >> 24, lo & (1 << 11));
        break;
    case 1:   /* self */
    case 2:   /* all including self */
        to_self = true;
        break;
    default:  /* all excluding self: nobody else exists */
        to_self = false;
        break;
    }
    if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWPRI) && vector < 16) {
        apic_error(s, APIC_ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    if (to_self) {
        apic_deliver(s, dm, vector, false);
    }
}

void apic_deliver_msi(APICState *s, uint64_t addr, uint32_t data)
{
    uint8_t dest = (addr >> 12) & 0xff;
    bool logical = addr & (1 << 2);

    if (!apic_match_dest(s, dest, logical)) {
        s->dropped_msi++;
        return;
    }
    apic_deliver(s, (data >> 8) & 7, data & 0xff, data & (1 << 15));
}

/* ---- register file ---- */

uint32_t apic_mem_readl(APICState *s, hwaddr offset, int64_t now)
{
    int index = (offset >> 4) & 0xff;

    switch (index) {
    case 0x02:
        return (uint32_t)s->id << 24;
    case 0x03:
        return APIC_VERSION;
    case 0x08:
        return s->tpr;
    case 0x09:
        return 0;
    case 0x0a:
        return apic_get_ppr(s);
    case 0x0b:
        return 0;
    case 0x0d:
        return s->ldr;
    case 0x0e:
        return s->dfr;
    case 0x0f:
        return s->svr;
    case 0x10 ... 0x17:
        return s->isr[index & 7];
    case 0x18 ... 0x1f:
        return s->tmr[index & 7];
    case 0x20 ... 0x27:
        return s->irr[index & 7];
    case 0x28:
        return s->esr;
    case 0x2f:
        return s->lvt[APIC_LVT_CMCI];
    case 0x30:
        return s->icr[0] & ~(1U << 12);   /* delivery status: idle */
    case 0x31:
        return s->icr[1];
    case 0x32 ... 0x37:
        return s->lvt[lvt_index_of_reg[index & 0xf]];
    case 0x38:
        return s->initial_count;
    case 0x39:
        return apic_current_count(s, now);
    case 0x3e:
        return s->divide_conf;
    default:
        apic_error(s, APIC_ESR_ILLEGAL_ADDRESS);
        return 0;
    }
}

static void apic_write_svr(APICState *s, uint32_t val)
{
    int i;

    s->svr = val & 0x13ff;
    if (!apic_sw_enabled(s)) {
        for (i = 0; i < APIC_LVT_NB; i++) {
            s->lvt[i] |= APIC_LVT_MASKED;
        }
    }
    apic_update_irq(s);
}

static void apic_write_lvt(APICState *s, int n, uint32_t val, int64_t now)
{
    if (!apic_sw_enabled(s)) {
        val |= APIC_LVT_MASKED;
    }
    if (n == APIC_LVT_TIMER) {
        apic_write_lvt_timer(s, val & 0x700ff, now);
        return;
    }
    s->lvt[n] = val & 0x1a7ff;
    if (n == APIC_LVT_LINT0 || n == APIC_LVT_LINT1) {
        s->lvt[n] = val & 0x1e7ff;
    }
    apic_update_irq(s);
}

void apic_mem_writel(APICState *s, hwaddr offset, uint32_t val, int64_t now)
{
    int index = (offset >> 4) & 0xff;

    switch (index) {
    case 0x02:
        s->id = val >> 24;
        break;
    case 0x08:
        s->tpr = val & 0xff;
        apic_update_irq(s);
        break;
    case 0x0b:
        apic_eoi(s);
        break;
    case 0x0d:
        s->ldr = val & 0xff000000;
        break;
    case 0x0e:
        s->dfr = val | 0x0fffffff;
        break;
    case 0x0f:
        apic_write_svr(s, val);
        break;
    case 0x28:
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case 0x2f:
        apic_write_lvt(s, APIC_LVT_CMCI, val, now);
        break;
    case 0x30:
        s->icr[0] = val & ~(1U << 12);
        apic_send_ipi(s);
        break;
    case 0x31:
        s->icr[1] = val & 0xff000000;
        break;
    case 0x32 ... 0x37:
        apic_write_lvt(s, lvt_index_of_reg[index & 0xf], val, now);
        break;
    case 0x38:
        if (apic_timer_mode(s) == APIC_LVT_TIMER_TSCDEADLINE) {
            break;
        }
        s->initial_count = val;
        s->initial_count_load_time = now;
        apic_timer_rearm_count(s, now);
        break;
    case 0x3e: {
        uint32_t count = apic_current_count(s, now);

        s->divide_conf = val & 0xb;
        /* keep the current count, continue with the new divisor */
        if (s->initial_count && count) {
            s->initial_count_load_time =
                now - (int64_t)((s->initial_count - count) * apic_tick_ns(s));
        }
        apic_timer_rearm_count(s, now);
        break;
    }
    case 0x03:
    case 0x09:
    case 0x0a:
    case 0x10 ... 0x27:
    case 0x39:
        break;           /* read-only */
    default:
        apic_error(s, APIC_ESR_ILLEGAL_ADDRESS);
        break;
    }
}

/* ---- CPU-facing accessors ---- */

uint64_t apic_get_base(APICState *s)
{
    return s->apicbase;
}

void apic_set_base(APICState *s, uint64_t val, int64_t now)
{
    bool was_enabled = apic_hw_enabled(s);

    /* relocation is not supported: the base stays at 0xfee00000 */
    s->apicbase = (s->apicbase & ~MSR_IA32_APICBASE_ENABLE) |
                  (val & MSR_IA32_APICBASE_ENABLE);
    if (was_enabled && !apic_hw_enabled(s)) {
        /* disabling puts the APIC in its reset state, ID kept */
        uint8_t id = s->id;
        bool bsp = s->apicbase & MSR_IA32_APICBASE_BSP;

        apic_core_reset(s, bsp);
        s->id = id;
        s->apicbase &= ~MSR_IA32_APICBASE_ENABLE;
    }
    apic_update_irq(s);
}

uint8_t apic_get_cr8(APICState *s)
{
    return s->tpr >> 4;
}

void apic_set_cr8(APICState *s, uint8_t cr8)
{
    s->tpr = (cr8 & 0xf) << 4;
    apic_update_irq(s);
}

/* ---- life cycle ---- */

void apic_core_reset(APICState *s, bool bsp)
{
    int i;

    s->apicbase = APIC_DEFAULT_ADDRESS | MSR_IA32_APICBASE_ENABLE |
                  (bsp ? MSR_IA32_APICBASE_BSP : 0);
    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffff;
    s->svr = 0xff;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    s->esr = s->esr_pending = 0;
    s->icr[0] = s->icr[1] = 0;
    for (i = 0; i < APIC_LVT_NB; i++) {
        s->lvt[i] = APIC_LVT_MASKED;
    }
    /* the BSP starts in virtual-wire mode: 8259 INTR through LINT0 */
    if (bsp) {
        s->lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << 8;
    }
    s->divide_conf = 0;
    s->initial_count = 0;
    s->initial_count_load_time = 0;
    s->tsc_deadline = 0;
    apic_timer_arm(s, -1);
    apic_update_irq(s);
}

void apic_core_init(APICState *s, uint8_t id, const APICOps *ops,
                    void *opaque)
{
    static const APICOps no_ops;

    memset(s, 0, sizeof(*s));
    s->ops = ops ? ops : &no_ops;
    s->opaque = opaque;
    s->bus_cycle_ns = 1;
    s->next_time = -1;
    apic_core_reset(s, true);
    s->id = id;
}

bool apic_core_post_load(APICState *s, int64_t now)
{
    s->apicbase = (s->apicbase & (MSR_IA32_APICBASE_ENABLE |
                                  MSR_IA32_APICBASE_BSP)) |
                  APIC_DEFAULT_ADDRESS;
    s->intr_level = -1;
    apic_update_irq(s);
    if (s->next_time >= 0 && s->ops->timer_arm) {
        s->ops->timer_arm(s->opaque, s->next_time);
    } else if (s->ops->timer_arm) {
        s->ops->timer_arm(s->opaque, -1);
    }
    return true;
}

/* ---- migration ---- */

const VMStateDescription vmstate_apic_core = {
    .name = "apic-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(apicbase, APICState),
        VMSTATE_UINT8(id, APICState),
        VMSTATE_UINT8(tpr, APICState),
        VMSTATE_UINT32(ldr, APICState),
        VMSTATE_UINT32(dfr, APICState),
        VMSTATE_UINT32(svr, APICState),
        VMSTATE_UINT32_ARRAY(isr, APICState, 8),
        VMSTATE_UINT32_ARRAY(tmr, APICState, 8),
        VMSTATE_UINT32_ARRAY(irr, APICState, 8),
        VMSTATE_UINT32(esr, APICState),
        VMSTATE_UINT32(esr_pending, APICState),
        VMSTATE_UINT32_ARRAY(icr, APICState, 2),
        VMSTATE_UINT32_ARRAY(lvt, APICState, APIC_LVT_NB),
        VMSTATE_UINT32(divide_conf, APICState),
        VMSTATE_UINT32(initial_count, APICState),
        VMSTATE_INT64(initial_count_load_time, APICState),
        VMSTATE_INT64(next_time, APICState),
        VMSTATE_UINT64(tsc_deadline, APICState),
        VMSTATE_UINT8_ARRAY(lint_level, APICState, 2),
        VMSTATE_END_OF_LIST()
    },
};
