/*
 * Firmware tables and direct Linux boot for the pc machine: what
 * SeaBIOS + the linuxboot option ROM would leave in RAM, written by the
 * host (MP table at 0xf0000, ACPI at 0xe0000, then x86_load_linux()).
 * Also run again at every system reset, as QEMU's option ROM reloads
 * the kernel from fw_cfg.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/i386/pc.h"
#include "hw/i386/x86-loader.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/mptable.h"
#include "trace/trace-hw_i386.h"

static void regs_from_loader(const X86BootState *st, PCBootRegs *regs)
{
    memset(regs, 0, sizeof(*regs));
    regs->rip = st->rip;
    regs->rsi = st->rsi;
    regs->rsp = st->rsp;
    regs->cr0 = st->cr0;
    regs->cr3 = st->cr3;
    regs->cr4 = st->cr4;
    regs->efer = st->efer;
    regs->gdt_base = st->gdt.base;
    regs->gdt_limit = st->gdt.limit;
    regs->cs = st->cs.selector;
    regs->ds = st->ds.selector;
    regs->es = st->es.selector;
    regs->ss = st->ss.selector;
    regs->fs = st->fs.selector;
    regs->gs = st->gs.selector;
}

bool pc_boot_load(const PCBootConfig *cfg, PCBootRegs *regs, Error **errp)
{
    MpTableConfig mp = { .num_cpus = 1 };
    AcpiBuildConfig acpi = {
        .ram_size = cfg->below_4g,
        .pci_hole_start = cfg->below_4g,
        .num_cpus = 1,
    };
    X86LinuxBootConfig boot = {
        .kernel_path = cfg->kernel,
        .initrd_path = cfg->initrd,
        .cmdline = cfg->cmdline,
        .ram = cfg->ram,
        .ram_size = cfg->below_4g,
        .above_4g_size = cfg->above_4g,
    };
    X86BootState st;

    if (!mptable_build(&mp, cfg->ram, cfg->below_4g, errp)) {
        return false;
    }
    if (cfg->acpi &&
        !acpi_build_tables(&acpi, cfg->ram, cfg->below_4g, &boot.rsdp_addr,
                           errp)) {
        return false;
    }
    if (!x86_load_linux(&boot, &st, errp)) {
        return false;
    }
    trace_pc_boot_load(st.rip, boot.rsdp_addr);
    regs_from_loader(&st, regs);
    return true;
}
