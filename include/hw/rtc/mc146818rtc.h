/*
 * MC146818 real-time clock and CMOS RAM (ports 0x70 index / 0x71 data).
 *
 * CMOS map (128 bytes, index = port 0x70 bits 6:0; bit 7 masks NMI):
 *   0x00 sec  0x01 alarm sec  0x02 min  0x03 alarm min  0x04 hour
 *   0x05 alarm hour  0x06 day of week (1 = Sunday)  0x07 day  0x08 month
 *   0x09 year (0-99)  0x0a status A  0x0b status B  0x0c status C (read
 *   clears)  0x0d status D  0x32 century  0x30/0x31 KiB of RAM between
 *   1 MiB and 64 MiB  0x34/0x35 64 KiB units of RAM between 16 MiB and
 *   4 GiB  0x5b-0x5d 64 KiB units of RAM above 4 GiB.
 * Status A: bit 7 UIP (the last 244 us of every second), 6:4 divider,
 * 3:0 periodic rate.  Status B: 7 SET, 6 PIE, 5 AIE, 4 UIE, 2 DM (binary),
 * 1 24h.  Status C: 7 IRQF, 6 PF, 5 AF, 4 UF.  Status D: 7 VRT.
 *
 * Time model: the RTC's wall clock in ns is now + offset_ns, where now is
 * guest virtual time: the clock starts from the host's time and advances
 * only while the guest runs.  Time registers are rendered from it on read;
 * while SET is on, they hold what the guest wrote, and clearing SET sets
 * the clock from them.  Interrupt flags are computed for the interval
 * since the last check; a timer (ops) is armed only for enabled sources.
 * IRQ8 is driven high while IRQF is set; reading status C lowers it.
 */
#ifndef HW_RTC_MC146818RTC_H
#define HW_RTC_MC146818RTC_H

#include "migration/vmstate.h"

#include "hw/irq.h"

#define TYPE_MC146818_RTC "mc146818rtc"
#define RTC_ISA_IRQ 8

#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32

typedef struct RTCState {
    uint8_t cmos_data[128];
    uint8_t cmos_index;
    uint8_t nmi_masked;      /* bit 7 of the last index write */
    int64_t offset_ns;       /* wall clock ns = virtual ns + offset */
    int64_t last_check;      /* flags computed up to this virtual ns */
    int64_t next_time;       /* armed timer, -1: none */
    int irq_level;
    qemu_irq irq;
    void (*timer_arm)(void *opaque, int64_t when);
    void *opaque;
} RTCState;

/**
 * rtc_core_init: start the clock at wall-clock @epoch_ns (host time, ns
 * since 1970) at virtual time @now.
 */
void rtc_core_init(RTCState *s, qemu_irq irq,
                   void (*timer_arm)(void *opaque, int64_t when),
                   void *opaque, int64_t epoch_ns, int64_t now);
uint8_t rtc_ioport_read(RTCState *s, int addr, int64_t now);
void rtc_ioport_write(RTCState *s, int addr, uint8_t val, int64_t now);
void rtc_timer_expired(RTCState *s, int64_t now);
/** rtc_set_memory: CMOS byte for firmware-style tables (not 0x00-0x0d). */
void rtc_set_memory(RTCState *s, int addr, uint8_t val);
/** rtc_set_memory_sizes: fill 0x15-0x18, 0x30/0x31, 0x34/0x35, 0x5b-0x5d. */
void rtc_set_memory_sizes(RTCState *s, uint64_t below_4g, uint64_t above_4g);
/** rtc_get_epoch_ns: the RTC's wall clock at @now. */
int64_t rtc_get_epoch_ns(RTCState *s, int64_t now);
/** rtc_core_reset: system reset: interrupt enables and flags cleared. */
void rtc_core_reset(RTCState *s, int64_t now);
void rtc_core_post_load(RTCState *s, int64_t now);

extern const VMStateDescription vmstate_rtc_core;

#endif
