/*
 * QemuOpts: parsing, typed getters, ids, help, conversions.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "qobject/qdict.h"

static QemuOptsList opts_list_typed = {
    .name = "typed",
    .implied_opt_name = "backend",
    .desc = {
        { .name = "backend", .type = QEMU_OPT_STRING },
        { .name = "path", .type = QEMU_OPT_STRING, .help = "file path" },
        { .name = "server", .type = QEMU_OPT_BOOL },
        { .name = "wait", .type = QEMU_OPT_BOOL },
        { .name = "port", .type = QEMU_OPT_NUMBER },
        { .name = "size", .type = QEMU_OPT_SIZE },
        { .name = "mode", .type = QEMU_OPT_STRING,
          .def_value_str = "readline" },
        { /* end */ }
    },
};

static QemuOptsList opts_list_any = {
    .name = "any",
    .implied_opt_name = "type",
    .desc = { { /* accept anything */ } },
};

static QemuOptsList opts_list_merge = {
    .name = "merged",
    .merge_lists = true,
    .desc = { { /* accept anything */ } },
};

static void test_find_registry(void)
{
    Error *err = NULL;

    qemu_add_opts(&opts_list_typed);
    qemu_add_opts(&opts_list_any);
    qemu_add_opts(&opts_list_merge);
    g_assert_true(qemu_find_opts("typed") == &opts_list_typed);
    g_assert_null(qemu_find_opts_err("nosuch", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "There is no option group 'nosuch'");
    error_free_or_abort(&err);
}

static void test_parse_typed(void)
{
    QemuOpts *opts = qemu_opts_parse(&opts_list_typed,
                                     "socket,id=c1,path=/tmp/a,,b,server=on,"
                                     "nowait,port=0x10,size=1M",
                                     true, &error_abort);

    g_assert_cmpstr(qemu_opts_id(opts), ==, "c1");
    g_assert_cmpstr(qemu_opt_get(opts, "backend"), ==, "socket");
    g_assert_cmpstr(qemu_opt_get(opts, "path"), ==, "/tmp/a,b");
    g_assert_true(qemu_opt_get_bool(opts, "server", false));
    g_assert_false(qemu_opt_get_bool(opts, "wait", true));
    g_assert_cmpuint(qemu_opt_get_number(opts, "port", 0), ==, 16);
    g_assert_cmpuint(qemu_opt_get_size(opts, "size", 0), ==, 1 << 20);
    /* defaults: from desc, then the caller's */
    g_assert_cmpstr(qemu_opt_get(opts, "mode"), ==, "readline");
    g_assert_null(qemu_opt_get(opts, "id"));
    g_assert_true(qemu_opts_find(&opts_list_typed, "c1") == opts);
    qemu_opts_del(opts);
    g_assert_null(qemu_opts_find(&opts_list_typed, "c1"));
}

static void check_parse_error(QemuOptsList *list, const char *params,
                              const char *expect)
{
    Error *err = NULL;

    g_assert_null(qemu_opts_parse(list, params, true, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, expect);
    error_free(err);
}

static void test_parse_errors(void)
{
    check_parse_error(&opts_list_typed, "socket,bogus=1",
                      "Invalid parameter 'bogus'");
    check_parse_error(&opts_list_typed, "socket,server=maybe",
                      "Parameter 'server' expects 'on' or 'off'");
    check_parse_error(&opts_list_typed, "socket,port=abc",
                      "Parameter 'port' expects a number");
    check_parse_error(&opts_list_typed, "socket,port=99999999999999999999",
                      "Value '99999999999999999999' is too large for "
                      "parameter 'port'");
    check_parse_error(&opts_list_typed, "socket,size=12Q",
                      "Parameter 'size' expects a non-negative number "
                      "below 2^64");
    check_parse_error(&opts_list_typed, "socket,id=1bad",
                      "Parameter 'id' expects an identifier");
    check_parse_error(&opts_list_typed, "socket,help",
                      "Invalid parameter 'help'");
    /* nothing was left behind by the failures */
    g_assert_null(opts_list_typed.head);
}

static void test_duplicate_id(void)
{
    QemuOpts *a = qemu_opts_parse(&opts_list_any, "x,id=dup", true,
                                  &error_abort);
    Error *err = NULL;

    g_assert_null(qemu_opts_parse(&opts_list_any, "y,id=dup", true, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Duplicate ID 'dup' for any");
    error_free_or_abort(&err);
    qemu_opts_del(a);
}

static int append_opt(void *opaque, const char *name, const char *value,
                      Error **errp)
{
    g_string_append_printf(opaque, "%s=%s;", name, value);
    return 0;
}

static void test_accept_any_and_repeat(void)
{
    QemuOpts *opts = qemu_opts_parse(&opts_list_any,
                                     "user,hostfwd=a,hostfwd=b,ipv6=off",
                                     true, &error_abort);
    GString *all = g_string_new("");
    g_autoptr(QDict) d = NULL;
    int n;

    g_assert_cmpstr(qemu_opt_get(opts, "type"), ==, "user");
    /* the last occurrence wins for lookups, all are iterated */
    g_assert_cmpstr(qemu_opt_get(opts, "hostfwd"), ==, "b");
    n = qemu_opt_foreach(opts, append_opt, all, &error_abort);
    g_assert_cmpint(n, ==, 0);
    g_assert_cmpstr(all->str, ==, "type=user;hostfwd=a;hostfwd=b;ipv6=off;");
    g_string_free(all, true);

    d = qemu_opts_to_qdict(opts, NULL);
    g_assert_cmpstr(qdict_get_str(d, "type"), ==, "user");
    g_assert_cmpstr(qdict_get_str(d, "hostfwd"), ==, "b");
    g_assert_false(qdict_haskey(d, "id"));
    g_assert_cmpint(qemu_opt_unset(opts, "hostfwd"), ==, 2);
    g_assert_null(qemu_opt_get(opts, "hostfwd"));
    qemu_opts_del(opts);
}

static void test_merge_lists(void)
{
    QemuOpts *a = qemu_opts_parse(&opts_list_merge, "a=1", false,
                                  &error_abort);
    QemuOpts *b = qemu_opts_parse(&opts_list_merge, "b=2,a=3", false,
                                  &error_abort);

    g_assert_true(a == b);
    g_assert_cmpstr(qemu_opt_get(a, "a"), ==, "3");
    g_assert_cmpstr(qemu_opt_get(a, "b"), ==, "2");
    qemu_opts_reset(&opts_list_merge);
    g_assert_null(opts_list_merge.head);
}

static void test_help(void)
{
    bool help = false;
    Error *err = NULL;
    g_autofree char *text = qemu_opts_help_text(&opts_list_typed, true);
    g_autofree char *none = qemu_opts_help_text(&opts_list_any, true);

    g_assert_null(qemu_opts_parse_help(&opts_list_typed, "help", false,
                                       &help, &err));
    g_assert_null(err);
    g_assert_true(help);
    help = false;
    g_assert_null(qemu_opts_parse_help(&opts_list_typed, "socket,?", true,
                                       &help, &err));
    g_assert_true(help);
    g_assert_cmpstr(text, ==,
                    "typed options:\n"
                    "  backend=<str>\n"
                    "  mode=<str>\n"
                    "  path=<str>             - file path\n"
                    "  port=<num>\n"
                    "  server=<bool (on/off)>\n"
                    "  size=<size>\n"
                    "  wait=<bool (on/off)>\n");
    g_assert_cmpstr(none, ==, "There are no options for any.\n");
}

static int count_opts(void *opaque, QemuOpts *opts, Error **errp)
{
    (*(int *)opaque)++;
    return 0;
}

static void test_foreach_and_from_qdict(void)
{
    g_autoptr(QDict) d = qdict_new();
    QemuOpts *o1, *o2;
    Error *err = NULL;
    int n = 0;

    qdict_put_str(d, "backend", "file");
    qdict_put_bool(d, "server", true);
    qdict_put_int(d, "port", 42);
    qdict_put_str(d, "id", "q1");
    o1 = qemu_opts_from_qdict(&opts_list_typed, d, &error_abort);
    g_assert_cmpstr(qemu_opts_id(o1), ==, "q1");
    g_assert_true(qemu_opt_get_bool(o1, "server", false));
    g_assert_cmpuint(qemu_opt_get_number(o1, "port", 0), ==, 42);
    o2 = qemu_opts_create(&opts_list_typed, NULL, 0, &error_abort);
    qemu_opt_set(o2, "backend", "null", &error_abort);
    g_assert_false(qemu_opt_set(o2, "nosuch", "1", &err));
    error_free_or_abort(&err);
    qemu_opts_foreach(&opts_list_typed, count_opts, &n, &error_abort);
    g_assert_cmpint(n, ==, 2);
    qemu_opts_reset(&opts_list_typed);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-opts/registry", test_find_registry);
    g_test_add_func("/qemu-opts/parse/typed", test_parse_typed);
    g_test_add_func("/qemu-opts/parse/errors", test_parse_errors);
    g_test_add_func("/qemu-opts/parse/duplicate-id", test_duplicate_id);
    g_test_add_func("/qemu-opts/parse/any-and-repeat",
                    test_accept_any_and_repeat);
    g_test_add_func("/qemu-opts/merge-lists", test_merge_lists);
    g_test_add_func("/qemu-opts/help", test_help);
    g_test_add_func("/qemu-opts/foreach-from-qdict",
                    test_foreach_and_from_qdict);
    return g_test_run();
}
