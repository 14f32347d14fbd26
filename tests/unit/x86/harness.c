/*
 * Test machine for the x86 interpreter (see harness.h).
 */
#include "qemu/osdep.h"
#include "harness.h"

static uint64_t xt_io_read(void *opaque, uint16_t port, unsigned size)
{
    return ~0ULL;
}

static void xt_io_write(void *opaque, uint16_t port, uint64_t val,
                        unsigned size)
{
    X86TestMachine *m = opaque;

    if (port == 0xe9) {
        g_string_append_c(m->console, (char)val);
    } else if (port == 0xf4) {
        m->exited = true;
        m->exit_code = val;
        x86_cpu_interrupt(m->env, CPU_INTERRUPT_EXIT);
    }
}

static int64_t xt_clock(void *opaque)
{
    X86TestMachine *m = opaque;

    return m->clock_ns;
}

static void xt_reset(void *opaque)
{
    X86TestMachine *m = opaque;

    m->resets++;
}

static int xt_irq(void *opaque)
{
    X86TestMachine *m = opaque;
    int v = m->pending_vector;

    m->pending_vector = -1;
    x86_cpu_reset_interrupt(m->env, CPU_INTERRUPT_HARD);
    return v;
}

static void put64(X86TestMachine *m, uint64_t pa, uint64_t v)
{
    memcpy(m->host + pa, &v, 8);
}

void xt_init(X86TestMachine *m, uint64_t ram_size)
{
    X86BootState bs = { 0 };
    uint64_t i;

    memset(m, 0, sizeof(*m));
    m->ram_size = ram_size;
    m->ram = ram_block_new("xt.ram", ram_size, &error_abort);
    m->host = ram_block_host(m->ram);
    memory_region_init_ram(&m->ram_mr, m->ram, 0, "xt.ram", ram_size);
    memory_region_add_subregion(get_system_memory(), 0, &m->ram_mr);
    m->console = g_string_new("");
    m->pending_vector = -1;

    /* GDT */
    put64(m, XT_GDT + 0x10, 0x00af9b000000ffffULL);  /* kernel code64 */
    put64(m, XT_GDT + 0x18, 0x00cf93000000ffffULL);  /* kernel data */
    put64(m, XT_GDT + 0x20, 0x00cffb000000ffffULL);  /* user code32 */
    put64(m, XT_GDT + 0x28, 0x00cff3000000ffffULL);  /* user data */
    put64(m, XT_GDT + 0x30, 0x00affb000000ffffULL);  /* user code64 */
    /* TSS descriptor at 0x40: base XT_TSS, limit 0x67, type 9 */
    put64(m, XT_GDT + 0x40, 0x0000890000000067ULL |
                            ((uint64_t)XT_TSS << 16));
    put64(m, XT_GDT + 0x48, 0);
    /* page tables: 4 GiB identity with 2 MiB pages, P|RW|US */
    put64(m, XT_PML4, (XT_PML4 + 0x1000) | 7);
    for (i = 0; i < 4; i++) {
        put64(m, XT_PML4 + 0x1000 + i * 8, (XT_PML4 + 0x2000 + i * 0x1000)
                                           | 7);
    }
    for (i = 0; i < 2048; i++) {
        put64(m, XT_PML4 + 0x2000 + i * 8, (i << 21) | 0x87);
    }

    m->hooks.opaque = m;
    m->hooks.io_read = xt_io_read;
    m->hooks.io_write = xt_io_write;
    m->hooks.clock_ns = xt_clock;
    m->hooks.reset_request = xt_reset;
    m->hooks.get_interrupt_vector = xt_irq;
    m->env = g_new0(CPUX86State, 1);
    x86_cpu_init(m->env, &m->hooks);

    bs.rip = XT_LOAD;
    bs.rsp = XT_STACK;
    bs.cr0 = CR0_PE | CR0_PG | CR0_WP | CR0_NE | CR0_MP;
    bs.cr3 = XT_PML4;
    bs.cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    bs.efer = EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE;
    bs.gdt_base = XT_GDT;
    bs.gdt_limit = 0x4f;
    bs.cs = XT_KERNEL_CS;
    bs.ds = bs.es = bs.ss = XT_KERNEL_DS;
    x86_cpu_load_boot_state(m->env, &bs);
}

void xt_cleanup(X86TestMachine *m)
{
    memory_region_del_subregion(get_system_memory(), &m->ram_mr);
    ram_block_free(m->ram);
    g_string_free(m->console, TRUE);
    x86_cpu_finalize(m->env);
    g_free(m->env);
}

void xt_load_prog(X86TestMachine *m, const char *name, uint64_t addr)
{
    g_autofree char *fn = NULL;
    g_autofree char *data = NULL;
    const char *dir = g_getenv("G_TEST_BUILDDIR");
    gsize len;

    /* the programs are built in <build>/tests/unit/x86 */
    fn = g_strdup_printf("%s/unit/x86/%s.bin", dir ? dir : ".", name);
    if (!g_file_test(fn, G_FILE_TEST_EXISTS)) {
        g_free(fn);
        fn = g_strdup_printf("%s/x86/%s.bin", dir ? dir : ".", name);
    }
    if (!g_file_get_contents(fn, &data, &len, NULL)) {
        g_error("cannot read %s", fn);
    }
    g_assert_cmpuint(addr + len, <=, m->ram_size);
    memcpy(m->host + addr, data, len);
}

X86ExecExit xt_run(X86TestMachine *m, uint64_t max)
{
    X86ExecExit r;
    uint64_t end = m->env->icount + max;

    do {
        r = x86_cpu_exec(m->env, end - m->env->icount);
        if (r == X86_EXIT_HALTED && m->pending_vector >= 0) {
            continue;
        }
    } while (r == X86_EXIT_REQUEST && !m->exited);
    return r;
}

typedef struct XtJitVariant {
    X86TestMachine *m;
    void (*fn)(void);
    unsigned hot;
} XtJitVariant;

static void xt_run_jit_variant(gconstpointer data)
{
    const XtJitVariant *v = data;
    unsigned saved = v->m->env->jit_hot;

    g_assert(v->m->env->jit_buf || !v->hot);
    v->m->env->jit_hot = v->hot;
    v->fn();
    v->m->env->jit_hot = saved;
}

void xt_add_func_jit(X86TestMachine *m, const char *path, void (*fn)(void))
{
    static const unsigned hot[2] = { 0, 1 };
    int i;

    for (i = 0; i < 2; i++) {
        XtJitVariant *v = g_new0(XtJitVariant, 1);   /* lives as the test */
        g_autofree char *p = g_strdup_printf("%s%s", path,
                                             i ? "/native" : "");

        v->m = m;
        v->fn = fn;
        v->hot = hot[i];
        g_test_add_data_func(p, v, xt_run_jit_variant);
    }
}
