/*
 * Machine glue for the RTC/CMOS device (TYPE_MC146818_RTC,
 * "mc146818rtc", ports 0x70-0x71, IRQ8 from isa_get_irq(8)).  The clock
 * starts at the host's UTC time.  Big lock held.
 */
#ifndef HW_RTC_MC146818RTC_DEV_H
#define HW_RTC_MC146818RTC_DEV_H

#include "hw/qdev-core.h"
#include "hw/rtc/mc146818rtc.h"

DeviceState *mc146818_rtc_new(Error **errp);
/** rtc_dev_set_memory_sizes: CMOS RAM-size fields for the guest. */
void rtc_dev_set_memory_sizes(DeviceState *dev, uint64_t below_4g,
                              uint64_t above_4g);
/** rtc_dev_set_memory: any other CMOS byte (0x0e-0x7f). */
void rtc_dev_set_memory(DeviceState *dev, int addr, uint8_t val);
/** rtc_dev_nmi_masked: bit 7 of the last write to port 0x70. */
bool rtc_dev_nmi_masked(DeviceState *dev);

#endif
