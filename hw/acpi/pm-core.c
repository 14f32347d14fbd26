/*
 * ACPI PM1 event/control registers and PM timer: pure model.
 * See include/hw/acpi/pm.h.
 */
#include "qemu/osdep.h"
#include "hw/acpi/pm.h"
#include "migration/vmstate.h"

#define PM_TIMER_HZ 3579545ULL
#define PM1_CNT_SCI_EN 0x0001
#define PM1_CNT_SLP_EN 0x2000
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_STS_MASK (ACPI_BITMASK_TIMER_STATUS | ACPI_BITMASK_GLOBAL_STATUS | \
                      ACPI_BITMASK_PWRBTN_STATUS | ACPI_BITMASK_RTC_STATUS | \
                      ACPI_BITMASK_WAKE_STATUS)
#define PM1_EN_MASK  (ACPI_BITMASK_TIMER_STATUS | ACPI_BITMASK_GLOBAL_STATUS | \
                      ACPI_BITMASK_PWRBTN_STATUS | ACPI_BITMASK_RTC_STATUS)

static uint64_t pm_ticks(int64_t now)
{
    if (now <= 0) {
        return 0;
    }
    return (uint64_t)(((unsigned __int128)now * PM_TIMER_HZ) / 1000000000);
}

/* first ns at which pm_ticks() reaches @ticks */
static int64_t pm_ticks_to_ns(uint64_t ticks)
{
    return (int64_t)(((unsigned __int128)ticks * 1000000000 +
                      PM_TIMER_HZ - 1) / PM_TIMER_HZ);
}

uint32_t pm_timer_value(int64_t now)
{
    return pm_ticks(now) & 0xffffff;
}

static void pm_update_sci(PMState *s)
{
    int level = !!(s->pm1_sts & s->pm1_en & PM1_EN_MASK);

    if (level != s->sci_level) {
        s->sci_level = level;
        qemu_set_irq(s->sci, level);
    }
}

/* TMR_STS for bit-23 toggles in (last_check, now] */
static void pm_check_timer(PMState *s, int64_t now)
{
    if (now > s->last_check) {
        if ((pm_ticks(now) >> 23) != (pm_ticks(s->last_check) >> 23)) {
            s->pm1_sts |= ACPI_BITMASK_TIMER_STATUS;
        }
        s->last_check = now;
    }
}

static void pm_rearm(PMState *s, int64_t now)
{
    int64_t next = -1;

    if (s->pm1_en & ACPI_BITMASK_TIMER_STATUS) {
        next = pm_ticks_to_ns(((pm_ticks(now) >> 23) + 1) << 23);
    }
    s->next_time = next;
    if (s->ops->timer_arm) {
        s->ops->timer_arm(s->opaque, next);
    }
}

void pm_timer_expired(PMState *s, int64_t now)
{
    if (s->next_time < 0 || now < s->next_time) {
        return;
    }
    pm_check_timer(s, now);
    pm_update_sci(s);
    pm_rearm(s, now);
}

/* The 12-byte register image, little endian. */
static void pm_regs(PMState *s, uint8_t *r, int64_t now)
{
    uint32_t tmr = pm_timer_value(now);
    uint16_t cnt = (s->pm1_cnt & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN;

    r[0] = s->pm1_sts;
    r[1] = s->pm1_sts >> 8;
    r[2] = s->pm1_en;
    r[3] = s->pm1_en >> 8;
    r[4] = cnt;
    r[5] = cnt >> 8;
    r[6] = r[7] = 0;
    r[8] = tmr;
    r[9] = tmr >> 8;
    r[10] = tmr >> 16;
    r[11] = 0;
}

uint32_t pm_ioport_read(PMState *s, int addr, unsigned size, int64_t now)
{
    uint8_t r[12];
    uint32_t val = 0;
    unsigned i;

    pm_check_timer(s, now);
    pm_update_sci(s);
    pm_regs(s, r, now);
    for (i = 0; i < size && i < 4; i++) {
        if (addr + i < sizeof(r)) {
            val |= (uint32_t)r[addr + i] << (8 * i);
        }
    }
    return val;
}

static void pm_write_cnt(PMState *s, uint16_t val)
{
    int typ = (val >> PM1_CNT_SLP_TYP_SHIFT) & 7;

    s->pm1_cnt = (val & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN;
    if (!(val & PM1_CNT_SLP_EN) || !s->ops->request) {
        return;
    }
    if (typ == s->s5_typ) {
        s->ops->request(s->opaque, PM_REQUEST_POWEROFF, typ);
    } else {
        s->ops->request(s->opaque, PM_REQUEST_SUSPEND, typ);
    }
}

/* One byte at offset @addr. */
static void pm_write_byte(PMState *s, int addr, uint8_t b, uint16_t *cnt,
                          bool *cnt_written)
{
    switch (addr) {
    case 0:
        s->pm1_sts &= ~b;
        break;
    case 1:
        s->pm1_sts &= ~(b << 8);
        break;
    case 2:
        s->pm1_en = ((s->pm1_en & 0xff00) | b) & PM1_EN_MASK;
        break;
    case 3:
        s->pm1_en = ((s->pm1_en & 0x00ff) | (b << 8)) & PM1_EN_MASK;
        break;
    case 4:
        *cnt = (*cnt & 0xff00) | b;
        *cnt_written = true;
        break;
    case 5:
        *cnt = (*cnt & 0x00ff) | (b << 8);
        *cnt_written = true;
        break;
    default:
        break;           /* PM timer and padding: read-only */
    }
}

void pm_ioport_write(PMState *s, int addr, uint32_t val, unsigned size,
                     int64_t now)
{
    uint16_t cnt = s->pm1_cnt & ~PM1_CNT_SLP_EN;
    bool cnt_written = false;
    unsigned i;

    pm_check_timer(s, now);
    for (i = 0; i < size && i < 4; i++) {
        pm_write_byte(s, addr + i, val >> (8 * i), &cnt, &cnt_written);
    }
    s->pm1_sts &= PM1_STS_MASK;
    pm_update_sci(s);
    pm_rearm(s, now);
    /* last: the request may end the VM */
    if (cnt_written) {
        pm_write_cnt(s, cnt);
    }
}

void pm_power_button(PMState *s)
{
    s->pm1_sts |= ACPI_BITMASK_PWRBTN_STATUS;
    pm_update_sci(s);
}

void pm_core_reset(PMState *s, int64_t now)
{
    s->pm1_sts = 0;
    s->pm1_en = 0;
    s->pm1_cnt = PM1_CNT_SCI_EN;
    s->last_check = now;
    pm_update_sci(s);
    pm_rearm(s, now);
}

void pm_core_init(PMState *s, qemu_irq sci, uint8_t s5_typ,
                  const PMOps *ops, void *opaque)
{
    static const PMOps no_ops;

    memset(s, 0, sizeof(*s));
    s->sci = sci;
    s->s5_typ = s5_typ;
    s->ops = ops ? ops : &no_ops;
    s->opaque = opaque;
    s->next_time = -1;
    pm_core_reset(s, 0);
}

void pm_core_post_load(PMState *s, int64_t now)
{
    s->pm1_sts &= PM1_STS_MASK;
    s->pm1_en &= PM1_EN_MASK;
    s->pm1_cnt = (s->pm1_cnt & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN;
    s->sci_level = -1;
    pm_update_sci(s);
    pm_rearm(s, now);
}

/* ---- migration ---- */

const VMStateDescription vmstate_pm_core = {
    .name = "acpi-pm-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(pm1_sts, PMState),
        VMSTATE_UINT16(pm1_en, PMState),
        VMSTATE_UINT16(pm1_cnt, PMState),
        VMSTATE_INT64(last_check, PMState),
        VMSTATE_END_OF_LIST()
    },
};
