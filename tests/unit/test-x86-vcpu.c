/*
 * The vCPU thread (accel/cpus.c, accel/tcg-cpus.c): runs guest code
 * without the big lock, sleeps while halted (no instructions retire),
 * wakes on cpu_interrupt(), parks on cpu_pause_all() and resumes.
 */
#include "qemu/osdep.h"
#include <sched.h>
#include "qemu/main-loop.h"
#include "hw/core/cpu.h"
#include "x86/harness.h"

typedef struct Dev {
    GString *out;
    GMutex lock;
} Dev;

static Dev dev;

static uint64_t con_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void con_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    g_assert_true(bql_locked());
    g_mutex_lock(&dev.lock);
    g_string_append_c(dev.out, (char)val);
    g_mutex_unlock(&dev.lock);
}

static const MemoryRegionOps con_ops = {
    .read = con_read,
    .write = con_write,
};

static int irq_vector(void *opaque)
{
    g_assert_true(bql_locked());
    cpu_reset_interrupt(first_cpu, CPU_INTERRUPT_HARD);
    return 0x20;
}

static unsigned out_len(void)
{
    unsigned n;

    g_mutex_lock(&dev.lock);
    n = dev.out->len;
    g_mutex_unlock(&dev.lock);
    return n;
}

static bool wait_for(unsigned len)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (out_len() < len) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
    return true;
}

static void test_vcpu_thread(void)
{
    X86TestMachine m;
    CPUMachineHooks hooks = { 0 };
    MemoryRegion con;
    CPUState *cpu;
    X86BootState bs = { 0 };
    uint64_t n1, n2;
    unsigned i;

    dev.out = g_string_new("");
    g_mutex_init(&dev.lock);
    xt_init(&m, 16 * 1024 * 1024);      /* RAM, page tables, GDT */
    xt_load_prog(&m, "idle", XT_LOAD);
    memory_region_init_io(&con, &con_ops, NULL, "con", 1);
    memory_region_add_subregion(get_system_io(), 0xe9, &con);

    hooks.get_interrupt_vector = irq_vector;
    cpu = cpu_x86_create(&hooks, &error_abort);
    g_assert(cpu == first_cpu);
    bs.rip = XT_LOAD;
    bs.rsp = XT_STACK;
    bs.cr0 = m.env->cr[0];
    bs.cr3 = XT_PML4;
    bs.cr4 = m.env->cr[4];
    bs.efer = m.env->efer;
    bs.gdt_base = XT_GDT;
    bs.gdt_limit = 0x4f;
    bs.cs = XT_KERNEL_CS;
    bs.ds = bs.es = bs.ss = XT_KERNEL_DS;
    cpu_x86_load_boot_state(cpu, &bs);

    bql_lock();
    cpu_resume_all();
    bql_unlock();

    /*
     * the guest reaches hlt and sleeps: no instructions retire (bounded
     * wait for the first part: a loaded host may not run the thread soon)
     */
    for (i = 0; i < 10000 && !(cpu_env(cpu)->halted && cpu_icount(cpu) > 5);
         i++) {
        g_usleep(1000);
    }
    n1 = cpu_icount(cpu);
    g_usleep(100 * 1000);
    n2 = cpu_icount(cpu);
    g_assert_cmpuint(n1, >, 5);
    g_assert_cmpuint(n2, ==, n1);
    g_assert_true(cpu_env(cpu)->halted);

    /* each interrupt wakes it, runs the handler once */
    for (i = 1; i <= 3; i++) {
        cpu_interrupt(cpu, CPU_INTERRUPT_HARD);
        g_assert_true(wait_for(i));
    }
    g_assert_cmpstr(dev.out->str, ==, "iii");

    /* pause: parked and acknowledged; an interrupt does not run it */
    bql_lock();
    cpu_pause_all();
    g_assert_true(cpu_is_paused(cpu));
    cpu_interrupt(cpu, CPU_INTERRUPT_HARD);
    bql_unlock();
    g_usleep(50 * 1000);
    g_assert_cmpuint(out_len(), ==, 3);
    bql_lock();
    cpu_resume_all();
    bql_unlock();
    g_assert_true(wait_for(4));

    bql_lock();
    cpu_pause_all();
    bql_unlock();
    cpu_destroy(cpu);
    memory_region_del_subregion(get_system_io(), &con);
    xt_cleanup(&m);
}

static void load_flat_boot_state(CPUState *cpu, X86TestMachine *m)
{
    X86BootState bs = { 0 };

    bs.rip = XT_LOAD;
    bs.rsp = XT_STACK;
    bs.cr0 = m->env->cr[0];
    bs.cr3 = XT_PML4;
    bs.cr4 = m->env->cr[4];
    bs.efer = m->env->efer;
    bs.gdt_base = XT_GDT;
    bs.gdt_limit = 0x4f;
    bs.cs = XT_KERNEL_CS;
    bs.ds = bs.es = bs.ss = XT_KERNEL_DS;
    cpu_x86_load_boot_state(cpu, &bs);
}

/*
 * Another thread clears the dirty bits and copies pages while the vCPU
 * stores to them (a page of rep stosq, then one mov), then parks the
 * vCPU: a page that differs from its copy must be dirty again.  A store
 * made through a fast-write TLB entry looked up before the clear must be
 * in memory when physmem_dirty_barrier() returns, or a migration pass
 * or a COLO checkpoint would miss it for good.
 *
 * Both threads share one host CPU, so the clearing thread, waking from
 * its sleep, preempts the vCPU at arbitrary points: inside the page
 * fill, or between a store's TLB check and the store itself.
 */
static void test_vcpu_dirty_race(void)
{
    enum { PAGES = 2 };
    const uint64_t base = 0x200000;
    X86TestMachine m;
    CPUState *cpu;
    uint8_t copy[PAGES][TARGET_PAGE_SIZE];
    unsigned rounds = 0, changed = 0, lost = 0;
    uint64_t count0, count1;
    cpu_set_t one, saved;
    gint64 end;

    g_assert_cmpint(sched_getaffinity(0, sizeof(saved), &saved), ==, 0);
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (CPU_ISSET(c, &saved)) {
            CPU_SET(c, &one);
            break;
        }
    }
    /* the vCPU thread inherits it */
    g_assert_cmpint(sched_setaffinity(0, sizeof(one), &one), ==, 0);

    xt_init(&m, 16 * 1024 * 1024);
    xt_load_prog(&m, "dirty", XT_LOAD);
    cpu = cpu_x86_create(NULL, &error_abort);
    load_flat_boot_state(cpu, &m);
    dirty_log_start(DIRTY_CLIENT_MIGRATION);

    memcpy(&count0, m.host + base + TARGET_PAGE_SIZE, 8);
    bql_lock();
    cpu_resume_all();
    bql_unlock();
    end = g_get_monotonic_time() + 4 * G_USEC_PER_SEC;
    while (rounds < 4000 && g_get_monotonic_time() < end) {
        g_usleep(g_random_int_range(20, 300));
        bql_lock();
        dirty_bitmap_test_and_clear(DIRTY_CLIENT_MIGRATION, m.ram, NULL);
        bql_unlock();
        physmem_dirty_barrier();
        memcpy(copy, m.host + base, sizeof(copy));
        bql_lock();
        cpu_pause_all();
        for (unsigned p = 0; p < PAGES; p++) {
            uint64_t off = base + p * TARGET_PAGE_SIZE;

            if (memcmp(copy[p], m.host + off, TARGET_PAGE_SIZE)) {
                changed++;
                if (!dirty_page_test(DIRTY_CLIENT_MIGRATION, m.ram, off)) {
                    lost++;
                }
            }
        }
        cpu_resume_all();
        bql_unlock();
        rounds++;
    }
    bql_lock();
    cpu_pause_all();
    bql_unlock();
    memcpy(&count1, m.host + base + TARGET_PAGE_SIZE, 8);
    g_test_message("%u rounds, %" PRIu64 " page fills, %u pages changed "
                   "after their copy, %u of them without a dirty bit",
                   rounds, count1 - count0, changed, lost);
    g_assert_cmpuint(rounds, >, 10);
    g_assert_cmpuint(count1 - count0, >, rounds);   /* the guest did run */
    g_assert_cmpuint(lost, ==, 0);
    dirty_log_stop(DIRTY_CLIENT_MIGRATION);
    cpu_destroy(cpu);
    xt_cleanup(&m);
    g_assert_cmpint(sched_setaffinity(0, sizeof(saved), &saved), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/vcpu/halt-wake-pause", test_vcpu_thread);
    g_test_add_func("/x86/vcpu/dirty-race", test_vcpu_dirty_race);
    return g_test_run();
}
