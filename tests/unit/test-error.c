#include "qemu/osdep.h"
#include "qapi/error.h"

static void test_setg_and_free(void)
{
    Error *err = NULL;

    error_setg(&err, "value %d out of range", 7);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, "value 7 out of range");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    error_free_or_abort(&err);
    g_assert_null(err);
}

static void test_errno_and_prepend(void)
{
    Error *err = NULL;

    error_setg_errno(&err, ENOENT, "cannot open '%s'", "x");
    error_prepend(&err, "disk: ");
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "disk: cannot open 'x': No such file or directory");
    error_free(err);
}

static void test_propagate_keeps_first(void)
{
    Error *err = NULL;
    Error *a = NULL, *b = NULL;

    error_setg(&a, "first");
    error_set(&b, ERROR_CLASS_DEVICE_NOT_FOUND, "second");
    error_propagate(&err, a);
    error_propagate(&err, b);
    g_assert_cmpstr(error_get_pretty(err), ==, "first");
    g_assert_cmpstr(error_class_str(ERROR_CLASS_DEVICE_NOT_FOUND), ==,
                    "DeviceNotFound");
    error_free(err);
}

static void test_null_errp(void)
{
    error_setg(NULL, "ignored");
    error_append_hint(NULL, "ignored too");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/util/error/setg", test_setg_and_free);
    g_test_add_func("/util/error/errno-prepend", test_errno_and_prepend);
    g_test_add_func("/util/error/propagate", test_propagate_keeps_first);
    g_test_add_func("/util/error/null-errp", test_null_errp);
    return g_test_run();
}
