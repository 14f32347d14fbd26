/*
 * keyval parser, JSON-or-keyval option input, and size/number parsing.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/keyval.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"
#include "qobject/qnum.h"
#include "qobject/qjson.h"

/* Parse and compare with the expected JSON. */
static void check_parse(const char *params, const char *implied,
                        const char *expect_json)
{
    g_autoptr(QDict) d = keyval_parse(params, implied, NULL, &error_abort);
    g_autoptr(QObject) expect = qobject_from_json(expect_json, &error_abort);

    if (!qobject_is_equal(QOBJECT(d), expect)) {
        g_autoptr(GString) got = qobject_to_json(QOBJECT(d));

        g_error("'%s' parsed to %s, expected %s", params, got->str,
                expect_json);
    }
}

static void check_error(const char *params, const char *implied,
                        const char *expect)
{
    Error *err = NULL;
    QDict *d = keyval_parse(params, implied, NULL, &err);

    g_assert_null(d);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, expect);
    error_free(err);
}

static void test_keyval_simple(void)
{
    check_parse("", NULL, "{}");
    check_parse("a=1", NULL, "{\"a\": \"1\"}");
    check_parse("a=1,b=two", NULL, "{\"a\": \"1\", \"b\": \"two\"}");
    check_parse("a=1,", NULL, "{\"a\": \"1\"}");
    check_parse("a=", NULL, "{\"a\": \"\"}");
    /* the last of repeated keys wins */
    check_parse("a=1,a=2", NULL, "{\"a\": \"2\"}");
    check_parse("key-with_dash=x", NULL, "{\"key-with_dash\": \"x\"}");
}

static void test_keyval_escaping(void)
{
    check_parse("a=x,,y", NULL, "{\"a\": \"x,y\"}");
    check_parse("a=,,,,,b=2", NULL, "{\"a\": \",,\", \"b\": \"2\"}");
    check_parse("path=/tmp/a,,b.img,ro=on", NULL,
                "{\"path\": \"/tmp/a,b.img\", \"ro\": \"on\"}");
    check_parse("a=x=y", NULL, "{\"a\": \"x=y\"}");
}

static void test_keyval_implied(void)
{
    check_parse("filter-mirror,id=m0,netdev=hn0", "qom-type",
                "{\"qom-type\": \"filter-mirror\", \"id\": \"m0\","
                " \"netdev\": \"hn0\"}");
    check_parse("id=x", "qom-type", "{\"id\": \"x\"}");
    /* only the first item may be implied */
    check_error("a=1,b", "qom-type", "Expected '=' after parameter 'b'");
    check_error("foo", NULL, "Expected '=' after parameter 'foo'");
}

static void test_keyval_dotted(void)
{
    check_parse("driver=qcow2,file.driver=file,file.filename=a.img", NULL,
                "{\"driver\": \"qcow2\", \"file\": {\"driver\": \"file\","
                " \"filename\": \"a.img\"}}");
    check_parse("children.0.file.filename=a,children.1.file.filename=b",
                NULL,
                "{\"children\": [{\"file\": {\"filename\": \"a\"}},"
                " {\"file\": {\"filename\": \"b\"}}]}");
    check_parse("l.1=b,l.0=a", NULL, "{\"l\": [\"a\", \"b\"]}");
    check_error("a=1,a.b=2", NULL, "Parameters 'a.*' used inconsistently");
    check_error("a.b=2,a=1", NULL, "Parameters 'a.*' used inconsistently");
    check_error("l.0=a,l.x=b", NULL, "Parameters 'l.*' used inconsistently");
    check_error("l.0=a,l.2=c", NULL, "Parameter 'l.1' missing");
    check_error("s.l.1=a", NULL, "Parameter 's.l.0' missing");
}

static void test_keyval_errors(void)
{
    g_autofree char *longkey = g_strnfill(200, 'k');
    g_autofree char *longparam = g_strdup_printf("%s=1", longkey);
    g_autofree char *longmsg = g_strdup_printf("Parameter '%s' is too long",
                                               longkey);

    check_error(",a=1", NULL, "Invalid parameter ''");
    check_error("=1", NULL, "Invalid parameter ''");
    check_error("a..b=1", NULL, "Invalid parameter 'a..b'");
    check_error("0=1", NULL, "Invalid parameter '0'");
    check_error("a b=1", NULL, "Invalid parameter 'a b'");
    check_error("a.=1", NULL, "Invalid parameter 'a.'");
    check_error(longparam, NULL, longmsg);
}

static void test_keyval_deep(void)
{
    GString *s = g_string_new("");
    Error *err = NULL;
    int i;

    for (i = 0; i < 5000; i++) {
        g_string_append(s, "a.");
    }
    g_string_append(s, "b=1");
    g_assert_null(keyval_parse(s->str, NULL, NULL, &err));
    g_assert_true(g_str_has_suffix(error_get_pretty(err),
                                   "is nested too deeply"));
    error_free(err);
    g_string_free(s, true);
}

static void test_keyval_help(void)
{
    bool help = false;
    g_autoptr(QDict) d1 = keyval_parse("help", "qom-type", &help,
                                       &error_abort);
    g_autoptr(QDict) d2 = NULL;
    g_autoptr(QDict) d3 = NULL;
    Error *err = NULL;

    g_assert_true(help);
    g_assert_cmpint(qdict_size(d1), ==, 0);
    d2 = keyval_parse("filter-mirror,help", "qom-type", &help, &error_abort);
    g_assert_true(help);
    g_assert_cmpstr(qdict_get_str(d2, "qom-type"), ==, "filter-mirror");
    d3 = keyval_parse("iothread,?", "qom-type", &help, &error_abort);
    g_assert_true(help);
    g_assert_null(keyval_parse("a=1,help", NULL, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Help is not available for this option");
    error_free_or_abort(&err);
}

static void test_option_json_or_keyval(void)
{
    g_autoptr(QDict) j = qobject_input_from_option(
        "{\"qom-type\": \"memory-backend-ram\", \"id\": \"pc.ram\","
        " \"size\": 134217728}", "qom-type", &error_abort);
    g_autoptr(QDict) k = qobject_input_from_option(
        "memory-backend-ram,id=pc.ram,size=128M", "qom-type", &error_abort);
    Error *err = NULL;
    bool help;
    QDict *h;

    g_assert_cmpint(qdict_get_int(j, "size"), ==, 134217728);
    g_assert_cmpstr(qdict_get_str(k, "size"), ==, "128M");
    g_assert_cmpstr(qdict_get_str(k, "qom-type"), ==, "memory-backend-ram");

    g_assert_null(qobject_input_from_option("{\"a\": ", "x", &err));
    error_free_or_abort(&err);
    g_assert_null(qobject_input_from_option("{\"a\": 1} {}", "x", &err));
    error_free_or_abort(&err);
    h = qobject_input_from_option_help("virtio-net-pci,help", "driver",
                                       &help, &error_abort);
    g_assert_true(help);
    qobject_unref(h);
}

static void test_strtosz(void)
{
    uint64_t v;
    const char *end;

    g_assert_cmpint(qemu_strtosz("0", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(qemu_strtosz("12345", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 12345);
    g_assert_cmpint(qemu_strtosz("1k", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 1024);
    g_assert_cmpint(qemu_strtosz("128M", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 128ULL << 20);
    g_assert_cmpint(qemu_strtosz("2G", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 2ULL << 30);
    g_assert_cmpint(qemu_strtosz("1T", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 1ULL << 40);
    g_assert_cmpint(qemu_strtosz("1.5M", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 3ULL << 19);
    g_assert_cmpint(qemu_strtosz("0x100", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 256);
    g_assert_cmpint(qemu_strtosz("10B", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 10);
    g_assert_cmpint(qemu_strtosz("1.5", NULL, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtosz("-1", NULL, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtosz("abc", NULL, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtosz("", NULL, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtosz("1Q", NULL, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtosz("16E", NULL, &v), ==, -ERANGE);
    g_assert_cmpint(qemu_strtosz("12k34", &end, &v), ==, 0);
    g_assert_cmpuint(v, ==, 12 * 1024);
    g_assert_cmpstr(end, ==, "34");
    g_assert_cmpint(qemu_strtosz_MiB("2", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 2ULL << 20);
    g_assert_cmpint(qemu_strtosz_metric("2k", NULL, &v), ==, 0);
    g_assert_cmpuint(v, ==, 2000);
}

static void test_strtou64_and_parse_uint(void)
{
    uint64_t v;
    unsigned long long u;
    int64_t i;
    const char *end;

    g_assert_cmpint(qemu_strtou64("42", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 42);
    g_assert_cmpint(qemu_strtou64("0x1f", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 31);
    g_assert_cmpint(qemu_strtou64("-1", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, UINT64_MAX);
    g_assert_cmpint(qemu_strtou64("12x", NULL, 0, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("12x", &end, 0, &v), ==, 0);
    g_assert_cmpstr(end, ==, "x");
    g_assert_cmpint(qemu_strtou64("", NULL, 0, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("99999999999999999999", NULL, 0, &v), ==,
                    -ERANGE);
    g_assert_cmpint(qemu_strtoi64("-5", NULL, 10, &i), ==, 0);
    g_assert_cmpint(i, ==, -5);

    g_assert_cmpint(parse_uint_full("123", &u, 0), ==, 0);
    g_assert_cmpuint(u, ==, 123);
    g_assert_cmpint(parse_uint_full("-1", &u, 0), ==, -ERANGE);
    g_assert_cmpint(parse_uint_full("1a", &u, 10), ==, -EINVAL);
    g_assert_cmpint(parse_uint_full("", &u, 10), ==, -EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keyval/simple", test_keyval_simple);
    g_test_add_func("/keyval/escaping", test_keyval_escaping);
    g_test_add_func("/keyval/implied", test_keyval_implied);
    g_test_add_func("/keyval/dotted", test_keyval_dotted);
    g_test_add_func("/keyval/errors", test_keyval_errors);
    g_test_add_func("/keyval/help", test_keyval_help);
    g_test_add_func("/keyval/deep", test_keyval_deep);
    g_test_add_func("/keyval/json-or-keyval", test_option_json_or_keyval);
    g_test_add_func("/cutils/strtosz", test_strtosz);
    g_test_add_func("/cutils/strtou64", test_strtou64_and_parse_uint);
    return g_test_run();
}
