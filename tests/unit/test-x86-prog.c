/*
 * Flat 64-bit programs (tests/unit/x86/NAME.S) run in the interpreter on the
 * test machine of tests/unit/x86/harness.c.
 */
#include "qemu/osdep.h"
#include "x86/harness.h"

static void run_prog(const char *name, const char *expect_console)
{
    X86TestMachine m;
    X86ExecExit r;

    xt_init(&m, 64 * 1024 * 1024);
    xt_load_prog(&m, name, XT_LOAD);
    r = xt_run(&m, 100 * 1000 * 1000);
    if (!m.exited) {
        g_printerr("console: %s\nrip=%" PRIx64 " exit=%d\n", m.console->str,
                   m.env->rip, r);
    }
    g_assert_true(m.exited);
    if (m.exit_code != 0) {
        g_printerr("console: %s\n", m.console->str);
    }
    g_assert_cmpuint(m.exit_code, ==, 0);
    if (expect_console) {
        g_assert_cmpstr(m.console->str, ==, expect_console);
    }
    xt_cleanup(&m);
}

static void test_first_light(void)
{
    run_prog("first-light", "first light\nok\n");
}

static void test_system(void)
{
    run_prog("system", NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/prog/first-light", test_first_light);
    g_test_add_func("/x86/prog/system", test_system);
    return g_test_run();
}
