/*
 * Interpreter speed on the compute loop of tests/unit/x86/bench.S.
 * Prints instructions, thread CPU seconds (so a loaded host does not
 * distort the figure) and MIPS; as a unit test it only checks that the
 * program completes (bench/cpu/run.sh reports the figure).
 */
#include "qemu/osdep.h"
#include "x86/harness.h"

static double thread_cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_bench(void)
{
    X86TestMachine m;
    double t0, t1, secs;

    xt_init(&m, 16 * 1024 * 1024);
    xt_load_prog(&m, "bench", XT_LOAD);
    t0 = thread_cpu_seconds();
    xt_run(&m, 2000ULL * 1000 * 1000);
    t1 = thread_cpu_seconds();
    g_assert_true(m.exited);
    g_assert_cmpuint(m.exit_code, ==, 0);
    secs = t1 - t0;
    g_printerr("# bench: %" PRIu64 " instructions in %.3f CPU s = %.1f MIPS"
               " (%" PRIu64 " decoded-cache fills, %u code epochs, %" PRIu64
               " blocks run, %" PRIu64 " through links)\n",
               m.env->icount, secs, m.env->icount / secs / 1e6,
               m.env->fast_misses, m.env->code_epoch, m.env->fast_runs,
               m.env->fast_chained);
    xt_cleanup(&m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/bench/compute-loop", test_bench);
    return g_test_run();
}
