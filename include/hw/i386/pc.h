/*
 * The "pc" machine (pc-i440fx-7.2): one x86-64 vCPU, i440FX + PIIX3,
 * legacy ISA devices and a direct Linux boot.
 *
 * Guest physical layout:
 *
 *   0 .. below_4g           "pc.ram" window "ram-below-4g" (the loader's
 *                           low RAM: boot data, kernel, initrd, tables)
 *   below_4g .. 0xfec00000  PCI hole (32-bit BARs)
 *   0xfec00000              IOAPIC             0xfee00000  LAPIC
 *   4 GiB ..                "ram-above-4g" (the rest of "pc.ram")
 *
 * below_4g is the whole RAM up to 0xe0000000 bytes and 0xc0000000 when
 * there is more (as QEMU's i440FX board with gigabyte alignment).
 *
 * Interrupts (see docs/devel/pc-machine.rst):
 *
 *   ISA IRQ n --split--> 8259 input n, IOAPIC GSI n (IRQ0 -> GSI 2)
 *   8259 INTR -> LAPIC LINT0     IOAPIC/MSI messages -> LAPIC
 *   LAPIC INTR -> cpu_interrupt(CPU_INTERRUPT_HARD)
 *   PCI INTx (slot S, pin P) -> GSI 16 + ((S + P) & 7)
 *
 * Files: pc.c (board and reset), pc-cpu.c (the vCPU QOM object and its
 * hooks), pc-boot.c (firmware tables + direct Linux boot),
 * pc-ioports.c (port 0x80/0xf0, -device plug hook).
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include "hw/boards.h"
#include "hw/qdev-core.h"
#include "exec/memory.h"

#define TYPE_PC_MACHINE MACHINE_TYPE_NAME("pc-i440fx-7.2")

#define PC_DEFAULT_RAM_SIZE     (128 * 1024 * 1024ULL)
#define PC_LOWMEM_LIMIT         0xe0000000ULL
#define PC_LOWMEM_SPLIT         0xc0000000ULL
#define PC_ABOVE_4G_BASE        0x100000000ULL

/* QOM types of the vCPU ("qemu64", "max" and "base" CPU models). */
#define TYPE_X86_CPU            "x86_64-cpu"
#define X86_CPU_TYPE_SUFFIX     "-" TYPE_X86_CPU
#define X86_CPU_TYPE_NAME(name) (name X86_CPU_TYPE_SUFFIX)

typedef struct PCBootRegs PCBootRegs;

/*
 * PCBootRegs: the 64-bit entry state the loader asks for, in the vCPU's
 * terms (the loader and the CPU each have a struct named X86BootState,
 * so pc-boot.c and pc-cpu.c never include each other's header).
 */
struct PCBootRegs {
    uint64_t rip, rsi, rsp;
    uint64_t cr0, cr3, cr4, efer;
    uint64_t gdt_base;
    uint16_t gdt_limit;
    uint16_t cs, ds, es, ss, fs, gs;
};

/* Where the direct boot puts things and what it needs. */
typedef struct PCBootConfig {
    const char *kernel;
    const char *initrd;
    const char *cmdline;
    uint8_t *ram;             /* host address of GPA 0 */
    uint64_t below_4g;
    uint64_t above_4g;
    bool acpi;
} PCBootConfig;

/**
 * pc_boot_load: write the MP table, the ACPI tables (when @cfg->acpi)
 * and the kernel/initrd/boot data into guest RAM, and fill @regs with
 * the entry state.  Errors are QEMU's ("could not load kernel ...").
 */
bool pc_boot_load(const PCBootConfig *cfg, PCBootRegs *regs, Error **errp);

/**
 * pc_cpu_model_type: the QOM type for a -cpu model name ("qemu64",
 * "max", "base"); NULL with @errp "unable to find CPU model 'x'".
 */
char *pc_cpu_model_type(const char *model, Error **errp);

/**
 * pc_cpu_new: create and realize the vCPU object of @type (it becomes
 * /machine/unattached/device[N], N = 0 when created first), apply the
 * -cpu feature options in @opts (may be NULL: "feat=on|off", "+feat",
 * "-feat").  Its thread starts parked; the LAPIC is connected later with
 * pc_cpu_set_apic().
 */
DeviceState *pc_cpu_new(const char *type, const char *opts, Error **errp);
/** pc_cpu_set_apic: the LAPIC that the vCPU's hooks talk to. */
void pc_cpu_set_apic(DeviceState *cpu, DeviceState *apic);
/** pc_cpu_thread_id: the host thread id of the vCPU thread. */
int64_t pc_cpu_thread_id(DeviceState *cpu);
/** pc_cpu_set_intr: the LAPIC's INTR output (any thread, BQL held). */
void pc_cpu_set_intr(DeviceState *cpu, int level);
/** pc_cpu_nmi: deliver an NMI. */
void pc_cpu_nmi(DeviceState *cpu);
/** pc_cpu_tsc_to_ns: virtual-clock ns at which the guest TSC is @tsc. */
int64_t pc_cpu_tsc_to_ns(DeviceState *cpu, uint64_t tsc);
/** pc_cpu_reset_to_boot: architectural reset, then @regs (paused). */
void pc_cpu_reset_to_boot(DeviceState *cpu, const PCBootRegs *regs);
/** pc_cpu_register_run_hooks: vm_stop/vm_start park and run the vCPU. */
void pc_cpu_register_run_hooks(void);

/** pc_ioports_init: port 0x80 and 0xf0 sinks (writes ignored). */
void pc_ioports_init(void);
/**
 * pc_plug_hook: the machine's -device plug hook: "bus" may be omitted,
 * "pci.0" for PCI devices or "isa.0" for the others.
 */
bool pc_plug_hook(DeviceState *dev, const char *bus, const QDict *opts,
                  Error **errp);

#endif
