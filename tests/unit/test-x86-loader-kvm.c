/*
 * Boots the test guest's Debian kernel with our loader, ACPI tables and
 * MP table on KVM, as a reference for what the interpreter must reproduce.
 *
 * KVM's in-kernel LAPIC/IOAPIC/8259 and PIT stand in for the platform
 * devices; this file models only what the tables promise and the guest
 * needs to reach its shell: a 16550A at 0x3f8 (IRQ 4, THRE and RX
 * interrupts, loopback), the PM block at 0x600 (SCI_EN, PM timer, S5 via
 * SLP_TYP 5), a conf1 host bridge 00:00.0 8086:1237, a CMOS clock, and an
 * i8042 status port.  Ports not listed read as all ones.
 *
 *   /x86/loader/kvm/acpi-boot:   ACPI tables; waits for
 *       TANDEM-GUEST-READY, types "poweroff -f" on ttyS0 and expects the
 *       ACPI S5 write to PM1a_CNT.
 *   /x86/loader/kvm/mptable-boot: acpi=off, so the kernel uses the MP
 *       table; waits for TANDEM-GUEST-READY.
 *
 * Opt-in: runs only with TANDEM_TEST_KVM=1, /dev/kvm and a built guest
 * (tests/guest/build.sh into $TANDEM_GUEST_DIR, default /tmp/tandem-guest).
 * On a KVM host the boot takes seconds.  Some nested or sandboxed KVMs
 * cannot emulate cmpxchg16b, xrstor or int3 patching on write-tracked
 * pages and stop with an internal error (exit 17, suberror 1); the CPUID
 * filter below avoids the first two.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/i386/x86-loader.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/mptable.h"

#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define RAM_SIZE        (512ull << 20)
#define BOOT_TIMEOUT_S  120
#define UART_BASE       0x3f8
#define UART_IRQ        4

typedef struct Uart {
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    bool fifo, thr_irq;
    GString *rx;                /* bytes waiting for the guest */
} Uart;

typedef struct Guest {
    int kvm, vm, vcpu;
    struct kvm_run *run;
    uint8_t *ram;
    Uart uart;
    GString *console;
    uint32_t pci_addr;
    uint8_t cmos_index;
    bool powered_off, reset, typed;
    const char *type_after;     /* console text that triggers typing */
    const char *type_text;
} Guest;

static void on_alarm(int sig)
{
    /* Only interrupts KVM_RUN. */
}

static bool uart_irq_level(Uart *u)
{
    return ((u->ier & 1) && u->rx->len) || ((u->ier & 2) && u->thr_irq);
}

static void uart_update(Guest *g)
{
    struct kvm_irq_level irq = { .irq = UART_IRQ,
                                 .level = uart_irq_level(&g->uart) };

    g_assert_cmpint(ioctl(g->vm, KVM_IRQ_LINE, &irq), ==, 0);
}

static uint8_t uart_read(Guest *g, unsigned reg)
{
    Uart *u = &g->uart;
    uint8_t v = 0;

    switch (reg) {
    case 0:
        if (u->lcr & 0x80) {
            return u->dll;
        }
        if (u->rx->len) {
            v = u->rx->str[0];
            g_string_erase(u->rx, 0, 1);
        }
        break;
    case 1:
        return u->lcr & 0x80 ? u->dlm : u->ier;
    case 2:
        if ((u->ier & 1) && u->rx->len) {
            v = 0x04;
        } else if ((u->ier & 2) && u->thr_irq) {
            v = 0x02;
            u->thr_irq = false;
        } else {
            v = 0x01;
        }
        v |= u->fifo ? 0xc0 : 0;
        break;
    case 3:
        return u->lcr;
    case 4:
        return u->mcr;
    case 5:
        return 0x60 | (u->rx->len ? 1 : 0);
    case 6:
        if (u->mcr & 0x10) {
            /* Loopback: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2. */
            return ((u->mcr & 2) << 3) | ((u->mcr & 1) << 5) |
                   ((u->mcr & 4) << 4) | ((u->mcr & 8) << 4);
        }
        return 0xb0;
    case 7:
        return u->scr;
    }
    return v;
}

static void uart_write(Guest *g, unsigned reg, uint8_t v)
{
    Uart *u = &g->uart;

    switch (reg) {
    case 0:
        if (u->lcr & 0x80) {
            u->dll = v;
        } else {
            if (!(u->mcr & 0x10)) {
                g_string_append_c(g->console, v);
            }
            u->thr_irq = true;
        }
        break;
    case 1:
        if (u->lcr & 0x80) {
            u->dlm = v;
        } else {
            if ((v & 2) && !(u->ier & 2)) {
                u->thr_irq = true;
            }
            u->ier = v & 0x0f;
        }
        break;
    case 2:
        u->fifo = v & 1;
        break;
    case 3:
        u->lcr = v;
        break;
    case 4:
        u->mcr = v & 0x1f;
        break;
    case 7:
        u->scr = v;
        break;
    }
}

/* Host bridge 00:00.0: 8086:1237, class 06:00:00. */
static uint32_t pci_config_read(uint32_t addr)
{
    if (!(addr & 0x80000000u) || (addr & 0x00fff800u)) {
        return 0xffffffff;          /* only bus 0, device 0, function 0 */
    }
    switch (addr & 0xfc) {
    case 0x00:
        return 0x12378086;
    case 0x08:
        return 0x06000002;
    default:
        return 0;
    }
}

static uint8_t bcd(unsigned v)
{
    return ((v / 10) << 4) | (v % 10);
}

static uint8_t cmos_read(uint8_t index)
{
    switch (index) {
    case 0x07:
    case 0x08:
        return 0x01;                /* day, month */
    case 0x09:
        return bcd(26);
    case 0x0a:
        return 0x26;
    case 0x0b:
        return 0x02;                /* 24 hour, BCD */
    case 0x0d:
        return 0x80;                /* battery good */
    case 0x32:
        return bcd(20);
    default:
        return 0;
    }
}

static uint32_t pm_timer(void)
{
    return (uint32_t)((g_get_monotonic_time() * 3579545ull) / 1000000) &
           0xffffff;
}

static uint32_t io_in(Guest *g, uint16_t port, unsigned size)
{
    if (port >= UART_BASE && port < UART_BASE + 8) {
        return uart_read(g, port - UART_BASE);
    }
    if (port >= ACPI_PM_IO_BASE && port < ACPI_PM_IO_BASE + 16) {
        switch (port - ACPI_PM_IO_BASE) {
        case ACPI_PM1_CNT_OFS:
            return ACPI_PM1_CNT_SCI_EN;
        case ACPI_PM_TMR_OFS:
            return pm_timer();
        default:
            return 0;
        }
    }
    if (port == 0xcf8 && size == 4) {
        return g->pci_addr;
    }
    if (port >= 0xcfc && port < 0xd00) {
        uint32_t v = pci_config_read(g->pci_addr);

        return v >> (8 * (port & 3));
    }
    if (port == 0x71) {
        return cmos_read(g->cmos_index);
    }
    if (port == 0x64 || port == 0x60) {
        return 0;
    }
    return 0xffffffff;
}

static void io_out(Guest *g, uint16_t port, unsigned size, uint32_t v)
{
    if (port >= UART_BASE && port < UART_BASE + 8) {
        uart_write(g, port - UART_BASE, v);
    } else if (port == ACPI_PM_IO_BASE + ACPI_PM1_CNT_OFS) {
        if ((v & ACPI_PM1_CNT_SLP_EN) &&
            ((v & ACPI_PM1_CNT_SLP_TYP_MASK) >> ACPI_PM1_CNT_SLP_TYP_SHIFT) ==
            ACPI_PM_SLP_TYP_S5) {
            g->powered_off = true;
        }
    } else if (port == 0xcf8 && size == 4) {
        g->pci_addr = v;
    } else if (port == 0x70) {
        g->cmos_index = v & 0x7f;
    } else if ((port == ACPI_RESET_PORT && v == ACPI_RESET_VALUE) ||
               (port == 0x64 && v == 0xfe)) {
        g->reset = true;
    }
}

static void handle_io(Guest *g)
{
    struct kvm_run *r = g->run;
    uint8_t *data = (uint8_t *)r + r->io.data_offset;
    unsigned i;

    for (i = 0; i < r->io.count; i++, data += r->io.size) {
        uint32_t v = 0;

        if (r->io.direction == KVM_EXIT_IO_IN) {
            v = io_in(g, r->io.port, r->io.size);
            memcpy(data, &v, r->io.size);
        } else {
            memcpy(&v, data, r->io.size);
            io_out(g, r->io.port, r->io.size, v);
        }
    }
    if (r->io.port >= UART_BASE && r->io.port < UART_BASE + 8) {
        uart_update(g);
    }
}

static void set_seg(struct kvm_segment *k, const X86Segment *s)
{
    *k = (struct kvm_segment) {
        .base = s->base, .limit = s->limit, .selector = s->selector,
        .type = s->attr & 0xf, .s = (s->attr >> 4) & 1,
        .dpl = (s->attr >> 5) & 3, .present = (s->attr >> 7) & 1,
        .avl = (s->attr >> 12) & 1, .l = (s->attr >> 13) & 1,
        .db = (s->attr >> 14) & 1, .g = (s->attr >> 15) & 1,
        .unusable = !((s->attr >> 7) & 1),
    };
}

static void setup_vcpu(Guest *g, const X86BootState *st)
{
    struct kvm_sregs sregs;
    struct kvm_regs regs = { 0 };
    struct kvm_cpuid2 *cpuid;
    int n = 256;
    unsigned i;

    cpuid = g_malloc0(sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));
    cpuid->nent = n;
    g_assert_cmpint(ioctl(g->kvm, KVM_GET_SUPPORTED_CPUID, cpuid), ==, 0);
    for (i = 0; i < cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

        /*
         * Close to the interpreter's CPUID: no CMPXCHG16B, XSAVE, AVX
         * (some nested KVMs cannot emulate cmpxchg16b or xrstor when a
         * page is write-tracked), no leaf-7 extensions.
         */
        if (e->function == 1) {
            e->ecx &= ~((1u << 13) | (1u << 26) | (1u << 27) | (1u << 28));
        } else if (e->function == 7) {
            e->ebx = e->ecx = e->edx = 0;
        } else if (e->function == 0xd) {
            e->eax = e->ebx = e->ecx = e->edx = 0;
        }
    }
    g_assert_cmpint(ioctl(g->vcpu, KVM_SET_CPUID2, cpuid), ==, 0);
    g_free(cpuid);

    g_assert_cmpint(ioctl(g->vcpu, KVM_GET_SREGS, &sregs), ==, 0);
    set_seg(&sregs.cs, &st->cs);
    set_seg(&sregs.ds, &st->ds);
    set_seg(&sregs.es, &st->es);
    set_seg(&sregs.ss, &st->ss);
    set_seg(&sregs.fs, &st->fs);
    set_seg(&sregs.gs, &st->gs);
    set_seg(&sregs.tr, &st->tr);
    set_seg(&sregs.ldt, &st->ldtr);
    sregs.gdt.base = st->gdt.base;
    sregs.gdt.limit = st->gdt.limit;
    sregs.idt.base = st->idt.base;
    sregs.idt.limit = st->idt.limit;
    sregs.cr0 = st->cr0;
    sregs.cr3 = st->cr3;
    sregs.cr4 = st->cr4;
    sregs.efer = st->efer;
    g_assert_cmpint(ioctl(g->vcpu, KVM_SET_SREGS, &sregs), ==, 0);

    regs.rip = st->rip;
    regs.rsi = st->rsi;
    regs.rsp = st->rsp;
    regs.rflags = st->rflags;
    g_assert_cmpint(ioctl(g->vcpu, KVM_SET_REGS, &regs), ==, 0);
}

static bool kvm_available(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    return true;
}

static char *guest_file(const char *name)
{
    const char *dir = g_getenv("TANDEM_GUEST_DIR");

    return g_build_filename(dir ? dir : "/tmp/tandem-guest", name, NULL);
}

static bool guest_create(Guest *g, const char *cmdline, bool acpi)
{
    struct kvm_userspace_memory_region mem = { 0 };
    struct kvm_pit_config pit = { 0 };
    g_autofree char *kernel = guest_file("bzImage");
    g_autofree char *initrd = guest_file("initrd.img");
    X86LinuxBootConfig cfg = { .kernel_path = kernel, .initrd_path = initrd,
                               .cmdline = cmdline, .ram_size = RAM_SIZE };
    AcpiBuildConfig acfg = { .ram_size = RAM_SIZE };
    MpTableConfig mcfg = { 0 };
    X86BootState st;
    uint64_t rsdp = 0;

    if (g_strcmp0(g_getenv("TANDEM_TEST_KVM"), "1") != 0) {
        g_test_skip("set TANDEM_TEST_KVM=1 to boot the guest on KVM");
        return false;
    }
    if (!kvm_available()) {
        g_test_skip("/dev/kvm not available");
        return false;
    }
    if (!g_file_test(kernel, G_FILE_TEST_EXISTS) ||
        !g_file_test(initrd, G_FILE_TEST_EXISTS)) {
        g_test_skip("test guest not built (tests/guest/build.sh)");
        return false;
    }
    memset(g, 0, sizeof(*g));
    g->console = g_string_new(NULL);
    g->uart.rx = g_string_new(NULL);
    g->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    g->vm = ioctl(g->kvm, KVM_CREATE_VM, 0);
    g_assert_cmpint(g->vm, >=, 0);
    g_assert_cmpint(ioctl(g->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul), ==, 0);
    g_assert_cmpint(ioctl(g->vm, KVM_CREATE_IRQCHIP, 0), ==, 0);
    g_assert_cmpint(ioctl(g->vm, KVM_CREATE_PIT2, &pit), ==, 0);
    g->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    g_assert_true(g->ram != MAP_FAILED);
    mem.memory_size = RAM_SIZE;
    mem.userspace_addr = (uintptr_t)g->ram;
    g_assert_cmpint(ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &mem), ==, 0);

    cfg.ram = g->ram;
    g_assert_true(mptable_build(&mcfg, g->ram, RAM_SIZE, &error_abort));
    if (acpi) {
        g_assert_true(acpi_build_tables(&acfg, g->ram, RAM_SIZE, &rsdp,
                                        &error_abort));
    }
    cfg.rsdp_addr = rsdp;
    g_assert_true(x86_load_linux(&cfg, &st, &error_abort));

    g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
    g_assert_cmpint(g->vcpu, >=, 0);
    g->run = mmap(NULL, ioctl(g->kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
                  PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
    g_assert_true(g->run != MAP_FAILED);
    setup_vcpu(g, &st);
    return true;
}

static void guest_destroy(Guest *g)
{
    munmap(g->ram, RAM_SIZE);
    close(g->vcpu);
    close(g->vm);
    close(g->kvm);
    g_string_free(g->console, true);
    g_string_free(g->uart.rx, true);
}

/* Runs until @stop is on the console, power-off, reset or the timeout. */
static void guest_run(Guest *g, const char *stop)
{
    struct sigaction sa = { .sa_handler = on_alarm };
    struct itimerval tick = { { 0, 100000 }, { 0, 100000 } };
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    gint64 deadline = g_get_monotonic_time() + BOOT_TIMEOUT_S * G_USEC_PER_SEC;

    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &tick, NULL);
    while (!g->powered_off && !g->reset &&
           g_get_monotonic_time() < deadline &&
           !(stop && strstr(g->console->str, stop))) {
        if (g->type_after && !g->typed &&
            strstr(g->console->str, g->type_after)) {
            g_string_append(g->uart.rx, g->type_text);
            g->typed = true;
            uart_update(g);
        }
        if (ioctl(g->vcpu, KVM_RUN, 0) < 0) {
            g_assert_cmpint(errno, ==, EINTR);
            continue;
        }
        switch (g->run->exit_reason) {
        case KVM_EXIT_IO:
            handle_io(g);
            break;
        case KVM_EXIT_MMIO:
            if (!g->run->mmio.is_write) {
                memset(g->run->mmio.data, 0xff, sizeof(g->run->mmio.data));
            }
            break;
        case KVM_EXIT_INTR:
            break;
        default: {
            struct kvm_translation tr = { 0 };
            struct kvm_regs regs;
            g_autoptr(GString) code = g_string_new(NULL);
            unsigned k;

            ioctl(g->vcpu, KVM_GET_REGS, &regs);
            tr.linear_address = regs.rip;
            ioctl(g->vcpu, KVM_TRANSLATE, &tr);
            for (k = 0; k < 16 && tr.valid &&
                 tr.physical_address + k < RAM_SIZE; k++) {
                g_string_append_printf(code, " %02x",
                                       g->ram[tr.physical_address + k]);
            }
            g_test_message("unexpected KVM exit %u (suberror %u) at rip "
                           "0x%llx, code%s; console:\n%s",
                           g->run->exit_reason, g->run->internal.suberror,
                           regs.rip, code->str, g->console->str);
        }
            g_assert_not_reached();
        }
    }
    setitimer(ITIMER_REAL, &off, NULL);
    if (g_test_verbose()) {
        g_test_message("console:\n%s", g->console->str);
    }
}

static void assert_console(Guest *g, const char *text)
{
    if (!strstr(g->console->str, text)) {
        g_test_message("missing \"%s\"; console tail:\n%s", text,
                       g->console->str + MAX(0, (int)g->console->len - 4000));
    }
    g_assert_nonnull(strstr(g->console->str, text));
}

static void test_acpi_boot(void)
{
    Guest g;

    if (!guest_create(&g, "console=ttyS0 panic=-1", true)) {
        return;
    }
    g.type_after = "TANDEM-GUEST-READY";
    g.type_text = "echo typed-$((6 * 7)); poweroff -f\n";
    guest_run(&g, NULL);
    assert_console(&g, "Command line: console=ttyS0 panic=-1");
    assert_console(&g, "ACPI: RSDP 0x00000000000E0000");
    assert_console(&g, "ACPI: DSDT 0x00000000000E0080");
    assert_console(&g, "PCI host bridge to bus 0000:00");
    assert_console(&g, "Unpacking initramfs");
    assert_console(&g, "TANDEM-GUEST-READY");
    assert_console(&g, "typed-42");
    g_assert_false(g.reset);
    g_assert_true(g.powered_off);
    guest_destroy(&g);
}

static void test_mptable_boot(void)
{
    Guest g;

    if (!guest_create(&g, "console=ttyS0 earlyprintk=serial panic=-1 "
                      "acpi=off", false)) {
        return;
    }
    guest_run(&g, "TANDEM-GUEST-READY");
    assert_console(&g, "Intel MultiProcessor Specification v1.4");
    assert_console(&g, "TANDEM-GUEST-READY");
    g_assert_false(g.reset);
    guest_destroy(&g);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/loader/kvm/acpi-boot", test_acpi_boot);
    g_test_add_func("/x86/loader/kvm/mptable-boot", test_mptable_boot);
    return g_test_run();
}
