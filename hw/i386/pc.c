/*
 * The pc machine, pc-i440fx-7.2 (alias "pc", the default): assembles
 * RAM, the vCPU, the interrupt controllers, the ISA devices, the PCI
 * host and the direct Linux boot (layout and wiring: include/hw/i386/pc.h
 * and docs/devel/pc-machine.rst).
 *
 * Build order (the vCPU first: libvirt finds it at
 * /machine/unattached/device[0]):
 *
 *   RAM -> vCPU -> LAPIC -> IOAPIC -> 8259 -> ISA lines -> PIT, port 0x61,
 *   RTC, serial ports, i8042, port 0x92 -> PCI host (INTx, MSI) ->
 *   ACPI PM (unless -no-acpi) -> ports 0x80/0xf0 -> migration sections
 *   -> firmware tables + kernel -> vCPU boot state -> reset/powerdown
 *   hooks -> run hooks
 *
 * System reset (guest or QMP): every device's reset, then the firmware
 * tables and the kernel are written again (as QEMU's linuxboot option
 * ROM reloads them) and the vCPU gets the entry state.  The first reset
 * after machine creation skips the reload: RAM is still fresh.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/irq.h"
#include "hw/qdev-core.h"
#include "hw/i386/apic.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/pc.h"
#include "hw/intc/i8259_dev.h"
#include "hw/intc/ioapic_dev.h"
#include "hw/intc/isa_irq.h"
#include "hw/timer/i8254_dev.h"
#include "hw/rtc/mc146818rtc_dev.h"
#include "hw/char/serial_isa.h"
#include "hw/input/i8042.h"
#include "hw/acpi/pm.h"
#include "hw/pci-host/i440fx.h"
#include "migration/register.h"
#include "system/hostmem.h"
#include "system/runstate.h"
#include "trace/trace-hw_i386.h"

typedef struct PCBoard {
    MachineState *ms;
    RAMBlock *ram_block;
    MemoryRegion ram_below_4g;
    MemoryRegion ram_above_4g;
    uint64_t below_4g;
    uint64_t above_4g;
    DeviceState *cpu;
    DeviceState *apic;
    DeviceState *ioapic;
    DeviceState *pic;
    DeviceState *pm;
    DeviceState *rtc;
    DeviceState *pci_host;
    qemu_irq isa[ISA_NUM_IRQS];
    qemu_irq gsi[X86_IOAPIC_PINS];
    PCBootRegs boot;
    bool boot_fresh;        /* RAM holds the boot data; no run since */
} PCBoard;

/* ---- LAPIC / IOAPIC / 8259 glue ---- */

static void board_set_intr(void *opaque, int level)
{
    PCBoard *b = opaque;

    pc_cpu_set_intr(b->cpu, level);
}

static void board_nmi(void *opaque)
{
    PCBoard *b = opaque;

    pc_cpu_nmi(b->cpu);
}

static int board_extint_ack(void *opaque)
{
    PCBoard *b = opaque;

    return i8259_dev_read_irq(b->pic);
}

static void board_eoi_broadcast(void *opaque, int vector)
{
    PCBoard *b = opaque;

    ioapic_dev_eoi(b->ioapic, vector);
}

static int64_t board_tsc_to_ns(void *opaque, uint64_t tsc)
{
    PCBoard *b = opaque;

    return pc_cpu_tsc_to_ns(b->cpu, tsc);
}

static const APICOps board_apic_ops = {
    .set_intr = board_set_intr,
    .nmi = board_nmi,
    .extint_ack = board_extint_ack,
    .eoi_broadcast = board_eoi_broadcast,
    .tsc_to_ns = board_tsc_to_ns,
};

/* IOAPIC messages and PCI MSI/MSI-X both end in the LAPIC. */
static void board_deliver_msi(void *opaque, uint64_t addr, uint32_t data)
{
    PCBoard *b = opaque;

    apic_dev_deliver_msi(b->apic, addr, data);
}

/* ---- RAM ---- */

static bool pc_init_ram(PCBoard *b, Error **errp)
{
    MachineState *ms = b->ms;
    uint64_t size = ms->ram_size;

    if (ms->ram_backend_id) {
        HostMemoryBackend *be = host_memory_backend_find(ms->ram_backend_id,
                                                         errp);

        if (!be) {
            return false;
        }
        if (host_memory_backend_is_used(be)) {
            error_setg(errp, "memory backend %s can't be used multiple "
                       "times.", ms->ram_backend_id);
            return false;
        }
        /* Without -m the backend gives the size. */
        if (!ms->ram_size_explicit) {
            size = host_memory_backend_get_size(be);
            ms->ram_size = size;
        }
        if (host_memory_backend_get_size(be) != size) {
            error_setg(errp, "Machine memory size does not match the size "
                       "of the memory backend");
            return false;
        }
        host_memory_backend_set_used(be, true);
        b->ram_block = host_memory_backend_get_ram_block(be);
    } else {
        b->ram_block = ram_block_new("pc.ram", size, errp);
        if (!b->ram_block) {
            return false;
        }
    }
    b->below_4g = size >= PC_LOWMEM_LIMIT ? PC_LOWMEM_SPLIT : size;
    b->above_4g = size - b->below_4g;
    memory_region_init_ram(&b->ram_below_4g, b->ram_block, 0,
                           "ram-below-4g", b->below_4g);
    memory_region_add_subregion(get_system_memory(), 0, &b->ram_below_4g);
    if (b->above_4g) {
        memory_region_init_ram(&b->ram_above_4g, b->ram_block, b->below_4g,
                               "ram-above-4g", b->above_4g);
        memory_region_add_subregion(get_system_memory(), PC_ABOVE_4G_BASE,
                                    &b->ram_above_4g);
    }
    trace_pc_ram(b->below_4g, b->above_4g);
    return true;
}

/* ---- devices ---- */

/* A device's migration section: idstr = its vmsd name, instance 0..n. */
static void register_vmsd(DeviceState *dev)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(dev)->vmsd;

    if (vmsd) {
        vmstate_register(VMSTATE_INSTANCE_ID_ANY, vmsd, dev);
    }
}

static bool pc_init_irqchips(PCBoard *b, Error **errp)
{
    b->apic = apic_new(0, &board_apic_ops, b, errp);
    if (!b->apic) {
        return false;
    }
    pc_cpu_set_apic(b->cpu, b->apic);
    b->ioapic = ioapic_new(board_deliver_msi, b, errp);
    if (!b->ioapic) {
        return false;
    }
    b->pic = i8259_new(apic_get_lint(b->apic, 0), errp);
    if (!b->pic) {
        return false;
    }
    for (int i = 0; i < X86_IOAPIC_PINS; i++) {
        b->gsi[i] = ioapic_get_gsi(b->ioapic, i);
    }
    /* IRQ2 is the cascade: no line; IRQ0 reaches the IOAPIC on pin 2 */
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        if (i != 2) {
            b->isa[i] = qemu_irq_split(i8259_get_input(b->pic, i),
                                       b->gsi[i ? i : 2]);
        }
    }
    isa_irq_set_lines(b->isa);
    register_vmsd(b->apic);
    register_vmsd(b->ioapic);
    register_vmsd(b->pic);
    return true;
}

static DeviceState *new_simple(const char *type, Error **errp)
{
    DeviceState *dev = qdev_new(type);

    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    object_unref(dev);
    return dev;
}

static bool pc_init_isa(PCBoard *b, Error **errp)
{
    MachineState *ms = b->ms;
    DeviceState *pit, *dev;

    pit = i8254_new(errp);
    if (!pit) {
        return false;
    }
    register_vmsd(pit);
    dev = port61_new(pit, errp);
    if (!dev) {
        return false;
    }
    register_vmsd(dev);
    b->rtc = mc146818_rtc_new(errp);
    if (!b->rtc) {
        return false;
    }
    rtc_dev_set_memory_sizes(b->rtc, b->below_4g, b->above_4g);
    register_vmsd(b->rtc);
    for (guint i = 0; ms->serials && i < ms->serials->len &&
                      i < MAX_ISA_SERIAL_PORTS; i++) {
        dev = serial_isa_new(i, g_ptr_array_index(ms->serials, i), errp);
        if (!dev) {
            return false;
        }
        register_vmsd(dev);
    }
    dev = new_simple(TYPE_I8042, errp);
    if (!dev) {
        return false;
    }
    register_vmsd(dev);
    dev = new_simple("port92", errp);
    if (!dev) {
        return false;
    }
    register_vmsd(dev);
    return true;
}

static bool pc_init_pci(PCBoard *b, Error **errp)
{
    PCIBus *bus;

    b->pci_host = i440fx_host_new(errp);
    if (!b->pci_host) {
        return false;
    }
    register_vmsd(b->pci_host);
    i440fx_host_route_intx(b->pci_host, b->gsi);
    bus = i440fx_host_get_bus(b->pci_host);
    pci_bus_set_msi(bus, board_deliver_msi, b);
    /* the functions on @bus registered their sections at realize */
    return true;
}

/* ---- boot, reset, power ---- */

static bool pc_load_boot(PCBoard *b, Error **errp)
{
    MachineState *ms = b->ms;
    PCBootConfig cfg = {
        .kernel = ms->kernel_filename,
        .initrd = ms->initrd_filename,
        .cmdline = ms->kernel_cmdline,
        .ram = ram_block_host(b->ram_block),
        .below_4g = b->below_4g,
        .above_4g = b->above_4g,
        .acpi = ms->acpi,
    };

    if (!pc_boot_load(&cfg, &b->boot, errp)) {
        return false;
    }
    /* the host wrote guest RAM directly: make every client see it */
    physmem_note_write(b->ram_block, 0, b->below_4g);
    b->boot_fresh = true;
    return true;
}

static void pc_reset(void *opaque)
{
    PCBoard *b = opaque;
    Error *err = NULL;

    qdev_reset_all_devices();
    /* CMOS RAM-size bytes are what firmware would write after reset */
    rtc_dev_set_memory_sizes(b->rtc, b->below_4g, b->above_4g);
    if (!b->boot_fresh && !pc_load_boot(b, &err)) {
        error_report_err(err);
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_PANIC);
        return;
    }
    pc_cpu_reset_to_boot(b->cpu, &b->boot);
    trace_pc_reset(b->boot_fresh);
}

static void pc_vm_state_change(void *opaque, bool running, RunState state)
{
    PCBoard *b = opaque;

    if (running) {
        b->boot_fresh = false;
    }
}

static void pc_powerdown(void *opaque)
{
    PCBoard *b = opaque;

    if (b->pm) {
        acpi_pm_power_button(b->pm);
    }
}

static void pc_machine_powerdown(MachineState *ms)
{
    pc_powerdown(ms->board);
}

/* ---- init ---- */

static bool pc_check_config(MachineState *ms, Error **errp)
{
    MachineClass *mc = MACHINE_GET_CLASS(ms);

    if (ms->smp_cpus > mc->max_cpus) {
        error_setg(errp, "Invalid SMP CPUs %d. The max CPUs supported by "
                   "machine '%s' is %d", ms->smp_cpus, mc->name,
                   mc->max_cpus);
        return false;
    }
    if (!ms->kernel_filename) {
        error_setg(errp, "no kernel given: Tandem boots Linux directly, "
                   "use -kernel");
        return false;
    }
    if (ms->ram_size < 2 * 1024 * 1024) {
        error_setg(errp, "RAM size too small for the pc machine");
        return false;
    }
    return true;
}

static bool pc_init_cpu(PCBoard *b, Error **errp)
{
    MachineState *ms = b->ms;
    const char *spec = ms->cpu_model ? ms->cpu_model : "qemu64";
    g_autofree char *model = NULL;
    g_autofree char *type = NULL;
    const char *comma = strchr(spec, ',');

    model = comma ? g_strndup(spec, comma - spec) : g_strdup(spec);
    type = pc_cpu_model_type(model, errp);
    if (!type) {
        return false;
    }
    b->cpu = pc_cpu_new(type, comma ? comma + 1 : NULL, errp);
    if (!b->cpu) {
        return false;
    }
    g_free(ms->cpu_type);
    ms->cpu_type = g_strdup(type);
    ms->cpu = OBJECT(b->cpu);
    ms->cpu_thread_id = pc_cpu_thread_id(b->cpu);
    return true;
}

static bool pc_init(MachineState *ms, Error **errp)
{
    PCBoard *b = g_new0(PCBoard, 1);

    b->ms = ms;
    ms->board = b;
    if (!pc_check_config(ms, errp) || !pc_init_ram(b, errp) ||
        !pc_init_cpu(b, errp) || !pc_init_irqchips(b, errp) ||
        !pc_init_isa(b, errp) || !pc_init_pci(b, errp)) {
        return false;
    }
    if (ms->acpi) {
        b->pm = acpi_pm_new(ACPI_PM_IO_BASE, ACPI_SCI_IRQ, errp);
        if (!b->pm) {
            return false;
        }
        register_vmsd(b->pm);
    }
    pc_ioports_init();
    qdev_set_plug_hook(pc_plug_hook);
    savevm_registry_set_machine(savevm_registry_default(),
                                MACHINE_GET_CLASS(ms)->name);
    /* power-on state of the board's devices (vl.c resets nothing) */
    qdev_reset_all_devices();
    rtc_dev_set_memory_sizes(b->rtc, b->below_4g, b->above_4g);
    if (!pc_load_boot(b, errp)) {
        return false;
    }
    pc_cpu_reset_to_boot(b->cpu, &b->boot);
    qemu_register_reset(pc_reset, b);
    qemu_add_vm_change_state_handler(pc_vm_state_change, b);
    qemu_set_powerdown_handler(pc_powerdown, b);
    pc_cpu_register_run_hooks();
    return true;
}

static void pc_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    /* mc->name "pc-i440fx-7.2" comes from the type name. */
    mc->alias = "pc";
    mc->desc = "Standard PC (i440FX + PIIX, 1996)";
    mc->is_default = true;
    mc->max_cpus = 1;
    mc->hotpluggable_cpus = true;
    mc->default_cpu_type = X86_CPU_TYPE_NAME("qemu64");
    mc->default_ram_id = "pc.ram";
    mc->default_ram_size = PC_DEFAULT_RAM_SIZE;
    mc->init = pc_init;
    mc->powerdown = pc_machine_powerdown;
}

static const TypeInfo pc_machine_info = {
    .name = TYPE_PC_MACHINE,
    .parent = TYPE_MACHINE,
    .class_init = pc_machine_class_init,
};

static void pc_machine_register_types(void)
{
    type_register_static(&pc_machine_info);
}

type_init(pc_machine_register_types)
