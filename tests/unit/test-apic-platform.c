/*
 * The pc interrupt and timer platform wired the way the machine wires it
 * (this file doubles as the reference for that glue):
 *
 *   ISA IRQ n --split--> 8259 input n
 *                   \--> IOAPIC GSI n (IRQ0 -> GSI2, the MADT override;
 *                         IRQ2 is the 8259 cascade and stays unconnected)
 *   8259 INTR -> LAPIC LINT0 (ExtINT)     IOAPIC messages -> LAPIC
 *   LAPIC EOI of a level vector -> IOAPIC  LAPIC INTR -> "CPU"
 *
 * Checks: the PIT's IRQ0 reaching the CPU through the IOAPIC on pin 2
 * with the real main loop and virtual clock; the 8259 path through
 * ExtINT; a level-triggered SCI with remote IRR and EOI; the LAPIC timer
 * firing from the main loop; ACPI S5 and isa-debug-exit ending the VM
 * with the right status.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "exec/memory.h"
#include "hw/irq.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/i386/apic.h"
#include "hw/intc/ioapic_dev.h"
#include "hw/intc/i8259_dev.h"
#include "hw/intc/isa_irq.h"
#include "hw/timer/i8254_dev.h"
#include "hw/acpi/pm.h"
#include "hw/misc/debugexit.h"
#include "system/runstate.h"

typedef struct Platform {
    DeviceState *apic;
    DeviceState *ioapic;
    DeviceState *pic;
    DeviceState *pit;
    DeviceState *pm;
    qemu_irq isa[ISA_NUM_IRQS];
    int cpu_intr;
} Platform;

static Platform pf;

static void cpu_set_intr(void *opaque, int level)
{
    pf.cpu_intr = level;
}

static int pic_inta(void *opaque)
{
    return i8259_dev_read_irq(pf.pic);
}

static void eoi_to_ioapic(void *opaque, int vector)
{
    ioapic_dev_eoi(pf.ioapic, vector);
}

static void ioapic_to_apic(void *opaque, uint64_t addr, uint32_t data)
{
    apic_dev_deliver_msi(pf.apic, addr, data);
}

static const APICOps machine_apic_ops = {
    .set_intr = cpu_set_intr,
    .extint_ack = pic_inta,
    .eoi_broadcast = eoi_to_ioapic,
};

static void platform_init(void)
{
    int i;

    pf.apic = apic_new(0, &machine_apic_ops, NULL, &error_abort);
    pf.ioapic = ioapic_new(ioapic_to_apic, NULL, &error_abort);
    pf.pic = i8259_new(apic_get_lint(pf.apic, 0), &error_abort);
    for (i = 0; i < ISA_NUM_IRQS; i++) {
        if (i == 2) {
            continue;
        }
        pf.isa[i] = qemu_irq_split(i8259_get_input(pf.pic, i),
                                   ioapic_get_gsi(pf.ioapic, i ? i : 2));
    }
    isa_irq_set_lines(pf.isa);
    pf.pit = i8254_new(&error_abort);
    g_assert_nonnull(port61_new(pf.pit, &error_abort));
    pf.pm = acpi_pm_new(0x600, 9, &error_abort);
}

static uint32_t apic_read(hwaddr off)
{
    uint64_t v = 0;

    address_space_ld(&address_space_memory, 0xfee00000 + off, 4, &v);
    return v;
}

static void apic_write(hwaddr off, uint32_t val)
{
    address_space_st(&address_space_memory, 0xfee00000 + off, 4, val);
}

static void ioapic_route(int pin, uint32_t low)
{
    address_space_st(&address_space_memory, 0xfec00000, 4, 0x10 + 2 * pin);
    address_space_st(&address_space_memory, 0xfec00010, 4, low);
}

static void out(uint16_t port, unsigned size, uint32_t val)
{
    address_space_st(&address_space_io, port, size, val);
}

/* Run the main loop until the CPU sees INTR, or give up after 2 s. */
static bool wait_intr(void)
{
    int64_t end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;

    while (!pf.cpu_intr && g_get_monotonic_time() < end) {
        main_loop_wait(false);
    }
    return pf.cpu_intr;
}

static void test_pit_through_ioapic(void)
{
    int status;

    apic_write(0xf0, 0x1ff);                      /* SVR enable */
    apic_write(0x350, 0x10700);                   /* LINT0 masked */
    ioapic_route(2, 0x30);                        /* GSI2 -> vector 0x30 */
    /* PIT channel 0, mode 2, 1 ms */
    out(0x43, 1, 0x34);
    out(0x40, 1, 1193 & 0xff);
    out(0x40, 1, 1193 >> 8);
    g_assert_true(wait_intr());
    g_assert_cmpint(apic_cpu_get_interrupt(pf.apic), ==, 0x30);
    apic_write(0xb0, 0);
    g_assert_true(wait_intr());
    g_assert_cmpint(apic_cpu_get_interrupt(pf.apic), ==, 0x30);
    apic_write(0xb0, 0);
    ioapic_route(2, 0x10030);                     /* mask */
    out(0x43, 1, 0x30);                           /* stop: mode 0 */
    g_assert_false(main_loop_should_exit(&status));
}

static void test_pic_extint(void)
{
    pf.cpu_intr = 0;
    apic_write(0x350, 0x700);                     /* LINT0 ExtINT */
    out(0x20, 1, 0x11);
    out(0x21, 1, 0x20);
    out(0x21, 1, 0x04);
    out(0x21, 1, 0x01);
    out(0xa0, 1, 0x11);
    out(0xa1, 1, 0x28);
    out(0xa1, 1, 0x02);
    out(0xa1, 1, 0x01);
    out(0x21, 1, 0xef);                           /* unmask IRQ4 */
    qemu_irq_raise(isa_get_irq(4));
    g_assert_cmpint(pf.cpu_intr, ==, 1);
    g_assert_cmpint(apic_cpu_get_interrupt(pf.apic), ==, 0x24);
    qemu_irq_lower(isa_get_irq(4));
    out(0x20, 1, 0x20);
    out(0x21, 1, 0xff);
    apic_write(0x350, 0x10700);
}

static void test_level_sci(void)
{
    /* SCI: GSI 9 level; PM1_EN.PWRBTN; power button press */
    out(0x4d1, 1, 0x02);                          /* ELCR: IRQ9 level */
    ioapic_route(9, 0x8000 | 0x49);
    out(0x602, 2, 0x0100);
    acpi_pm_power_button(pf.pm);
    g_assert_cmpint(pf.cpu_intr, ==, 1);
    g_assert_cmpint(apic_cpu_get_interrupt(pf.apic), ==, 0x49);
    /* TMR set: the EOI goes back to the IOAPIC; the line is still high */
    g_assert_cmphex(apic_read(0x180 + 0x20) & (1 << (0x49 & 31)), !=, 0);
    apic_write(0xb0, 0);
    g_assert_cmpint(pf.cpu_intr, ==, 1);          /* re-delivered */
    g_assert_cmpint(apic_cpu_get_interrupt(pf.apic), ==, 0x49);
    out(0x600, 2, 0x0100);                        /* ack PWRBTN_STS */
    apic_write(0xb0, 0);
    g_assert_cmpint(pf.cpu_intr, ==, 0);
}

static void test_apic_timer_main_loop(void)
{
    apic_write(0x3e0, 0xb);                       /* divide by 1 */
    apic_write(0x320, 0xec);                      /* one-shot */
    apic_write(0x380, 2000000);                   /* 2 ms */
    g_assert_true(wait_intr());
    g_assert_cmpuint(apic_read(0x390), ==, 0);
    g_assert_cmpint(apic_cpu_get_interrupt(pf.apic), ==, 0xec);
    apic_write(0xb0, 0);
}

/* Every device's dc->vmsd: save, load back in place, save again. */
static void test_vmstate_in_place(void)
{
    DeviceState *devs[] = { pf.apic, pf.ioapic, pf.pic, pf.pit, pf.pm };
    int i;

    /* some live state: a periodic LAPIC timer and a pending IRR bit */
    apic_write(0x320, 0x20000 | 0xed);
    apic_write(0x380, 1000000);
    ioapic_route(5, 0x45);
    qemu_irq_raise(isa_get_irq(5));
    for (i = 0; i < ARRAY_SIZE(devs); i++) {
        const VMStateDescription *vmsd = DEVICE_GET_CLASS(devs[i])->vmsd;

        g_assert_nonnull(vmsd);
        g_assert_cmpuint(vmstate_test_roundtrip(vmsd, devs[i], devs[i]), >,
                         0);
    }
    /* still working after the loads */
    g_assert_cmpint(pf.cpu_intr, ==, 1);
    g_assert_cmpint(apic_cpu_get_interrupt(pf.apic), ==, 0x45);
    apic_write(0xb0, 0);
    qemu_irq_lower(isa_get_irq(5));
    g_assert_true(wait_intr());
    g_assert_cmpint(apic_cpu_get_interrupt(pf.apic), ==, 0xed);
    apic_write(0xb0, 0);
    apic_write(0x380, 0);
}

static void test_poweroff_and_debug_exit(void)
{
    int status = -1;

    /* poweroff: SLP_TYP = S5 | SLP_EN */
    out(0x604, 2, (5 << 10) | (1 << 13));
    g_assert_true(main_loop_should_exit(&status));
    g_assert_cmpint(status, ==, 0);
    /* isa-debug-exit,iobase=0xf4,iosize=4 */
    g_assert_nonnull(isa_debug_exit_new(0xf4, 4, &error_abort));
    out(0xf4, 4, 0x10);
    g_assert_true(main_loop_should_exit(&status));
    g_assert_cmpint(status, ==, 0x21);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    qemu_clock_virtual_start();
    platform_init();
    g_test_add_func("/hw/apic/platform/pit-ioapic", test_pit_through_ioapic);
    g_test_add_func("/hw/apic/platform/pic-extint", test_pic_extint);
    g_test_add_func("/hw/apic/platform/level-sci", test_level_sci);
    g_test_add_func("/hw/apic/platform/apic-timer", test_apic_timer_main_loop);
    g_test_add_func("/hw/apic/platform/vmstate", test_vmstate_in_place);
    g_test_add_func("/hw/apic/platform/poweroff-debug-exit",
                    test_poweroff_and_debug_exit);
    return g_test_run();
}
