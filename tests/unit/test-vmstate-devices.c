/*
 * Migration sections of the pc machine's small ISA devices whose
 * descriptions no other test saves as a whole (the RTC, port 0x92,
 * port 0x61, the i8042): each test puts a guest-visible value in place
 * through the device's ports, saves the section, changes the value,
 * loads the saved section back and reads the old value through the
 * ports again; the save -> load -> save round trip is byte-identical.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "exec/memory.h"
#include "hw/irq.h"
#include "hw/qdev-core.h"
#include "hw/intc/isa_irq.h"
#include "hw/input/i8042.h"
#include "hw/rtc/mc146818rtc_dev.h"
#include "hw/timer/i8254_dev.h"

static void out8(uint16_t port, uint8_t val)
{
    address_space_st(&address_space_io, port, 1, val);
}

static uint8_t in8(uint16_t port)
{
    uint64_t v = 0;

    address_space_ld(&address_space_io, port, 1, &v);
    return v;
}

static void isa_irq_sink(void *opaque, int n, int level)
{
}

static DeviceState *new_simple(const char *type)
{
    DeviceState *dev = qdev_new(type);

    qdev_realize(dev, NULL, &error_abort);
    return dev;
}

/*
 * Saves @dev's section, runs @change, loads the saved bytes back and
 * checks the round trip.
 */
static void save_change_load(DeviceState *dev, void (*change)(void))
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;
    g_autofree uint8_t *buf = NULL;
    size_t len;

    g_assert_nonnull(vmsd);
    buf = vmstate_test_save(vmsd, dev, &len);
    change();
    g_assert_true(vmstate_test_load(vmsd, dev, buf, len, vmsd->version_id,
                                    &error_abort));
    g_assert_cmpuint(vmstate_test_roundtrip(vmsd, dev, dev), ==, len);
}

/* ---- RTC: CMOS RAM and the index register ---- */

static uint8_t cmos_read(uint8_t addr)
{
    out8(0x70, addr);
    return in8(0x71);
}

static void cmos_clobber(void)
{
    out8(0x70, 0x40);
    out8(0x71, 0x00);
    out8(0x70, 0x41);
    out8(0x71, 0x00);
}

static void test_rtc(void)
{
    DeviceState *rtc = mc146818_rtc_new(&error_abort);

    out8(0x70, 0x40);
    out8(0x71, 0xab);
    out8(0x70, 0x41);
    out8(0x71, 0xcd);
    save_change_load(rtc, cmos_clobber);
    g_assert_cmphex(cmos_read(0x40), ==, 0xab);
    g_assert_cmphex(cmos_read(0x41), ==, 0xcd);
}

/* ---- port 0x92: A20 ---- */

static void a20_on(void)
{
    out8(0x92, 0x02);
}

static void test_port92(void)
{
    DeviceState *dev = new_simple("port92");

    out8(0x92, 0x00);          /* A20 off */
    g_assert_cmphex(in8(0x92) & 0x02, ==, 0);
    save_change_load(dev, a20_on);
    g_assert_cmphex(in8(0x92) & 0x02, ==, 0);
}

/* ---- port 0x61: speaker data enable (the gate is the PIT's state) ---- */

static void speaker_off(void)
{
    out8(0x61, 0x00);
}

static void test_port61(void)
{
    DeviceState *pit = i8254_new(&error_abort);
    DeviceState *dev = port61_new(pit, &error_abort);

    out8(0x61, 0x02);
    g_assert_cmphex(in8(0x61) & 0x02, ==, 0x02);
    save_change_load(dev, speaker_off);
    g_assert_cmphex(in8(0x61) & 0x02, ==, 0x02);
}

/* ---- i8042: the controller's command byte ---- */

static void kbc_write_cmd_byte(uint8_t v)
{
    out8(0x64, 0x60);
    out8(0x60, v);
}

static uint8_t kbc_read_cmd_byte(void)
{
    out8(0x64, 0x20);
    return in8(0x60);
}

static void kbc_clobber(void)
{
    kbc_write_cmd_byte(0x47);
}

static void test_i8042(void)
{
    DeviceState *dev = new_simple(TYPE_I8042);

    kbc_write_cmd_byte(0x65);
    g_assert_cmphex(kbc_read_cmd_byte(), ==, 0x65);
    save_change_load(dev, kbc_clobber);
    g_assert_cmphex(kbc_read_cmd_byte(), ==, 0x65);
}

int main(int argc, char **argv)
{
    qemu_irq *lines;

    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    qemu_clock_virtual_start();
    lines = qemu_allocate_irqs(isa_irq_sink, NULL, ISA_NUM_IRQS);
    isa_irq_set_lines(lines);
    g_free(lines);              /* the lines were copied */
    g_test_add_func("/hw/vmstate/devices/rtc", test_rtc);
    g_test_add_func("/hw/vmstate/devices/port92", test_port92);
    g_test_add_func("/hw/vmstate/devices/port61", test_port61);
    g_test_add_func("/hw/vmstate/devices/i8042", test_i8042);
    return g_test_run();
}
