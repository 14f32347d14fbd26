/*
 * ACPI fixed-hardware power management block (PIIX4-PM-like) at the I/O
 * base the ACPI tables give (include/hw/i386/acpi-build.h):
 *
 *   +0 PM1_STS (16 bit, write 1 to clear): 0 TMR_STS, 5 GBL_STS,
 *      8 PWRBTN_STS, 10 RTC_STS, 15 WAK_STS
 *   +2 PM1_EN  (16 bit): same bit positions, enable the SCI
 *   +4 PM1_CNT (16 bit): 0 SCI_EN (always 1), 12:10 SLP_TYP, 13 SLP_EN
 *      (write-only); SLP_EN with SLP_TYP S5 requests power-off
 *   +8 PM_TMR  (32-bit read): 24-bit free-running count at 3.579545 MHz
 *      of guest virtual time; TMR_STS is set whenever bit 23 toggles
 * The SCI (ISA IRQ 9, level) is asserted while STS & EN has any bit.
 * Byte and word accesses anywhere in the block are allowed.
 */
#ifndef HW_ACPI_PM_H
#define HW_ACPI_PM_H

#include "migration/vmstate.h"

#include "hw/irq.h"

#define TYPE_ACPI_PM "acpi-pm"

#define ACPI_BITMASK_TIMER_STATUS   0x0001
#define ACPI_BITMASK_GLOBAL_STATUS  0x0020
#define ACPI_BITMASK_PWRBTN_STATUS  0x0100
#define ACPI_BITMASK_RTC_STATUS     0x0400
#define ACPI_BITMASK_WAKE_STATUS    0x8000

typedef enum PMRequest {
    PM_REQUEST_POWEROFF,
    PM_REQUEST_SUSPEND,      /* S1-S4: not supported, reported only */
} PMRequest;

typedef struct PMOps {
    void (*request)(void *opaque, PMRequest req, int slp_typ);
    /* arm the PM-timer overflow timer at @when; < 0 cancels */
    void (*timer_arm)(void *opaque, int64_t when);
} PMOps;

typedef struct PMState {
    uint16_t pm1_sts;
    uint16_t pm1_en;
    uint16_t pm1_cnt;
    uint8_t s5_typ;          /* SLP_TYP value meaning S5 */
    int64_t last_check;      /* TMR_STS computed up to this ns */
    int64_t next_time;
    int sci_level;
    qemu_irq sci;
    const PMOps *ops;
    void *opaque;
} PMState;

void pm_core_init(PMState *s, qemu_irq sci, uint8_t s5_typ,
                  const PMOps *ops, void *opaque);
void pm_core_reset(PMState *s, int64_t now);
/** pm_ioport_read/write: @addr offset in the block, @size 1, 2 or 4. */
uint32_t pm_ioport_read(PMState *s, int addr, unsigned size, int64_t now);
void pm_ioport_write(PMState *s, int addr, uint32_t val, unsigned size,
                     int64_t now);
/** pm_timer_value: the 24-bit PM timer at @now. */
uint32_t pm_timer_value(int64_t now);
/** pm_power_button: a press (system_powerdown): PWRBTN_STS and SCI. */
void pm_power_button(PMState *s);
void pm_timer_expired(PMState *s, int64_t now);
void pm_core_post_load(PMState *s, int64_t now);

extern const VMStateDescription vmstate_pm_core;

/* ---- the device (TYPE_ACPI_PM): ports at "iobase", SCI on ISA "sci" ---- */

typedef struct DeviceState DeviceState;

/**
 * acpi_pm_new: create and realize the PM block at @iobase (the FADT's
 * PM1a/PM timer base) with the SCI on ISA IRQ @sci_irq; S5 (SLP_TYP 5)
 * shuts the VM down (exit status 0).
 */
DeviceState *acpi_pm_new(uint16_t iobase, int sci_irq, Error **errp);
/** acpi_pm_power_button: system_powerdown (ACPI power button). */
void acpi_pm_power_button(DeviceState *dev);

#endif
