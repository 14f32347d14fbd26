/*
 * QObject unit tests: refcounting, typed access, dict order, equality.
 */
#include "qemu/osdep.h"
#include "qobject/qnull.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qjson.h"
#include "qobject/qdict-flat.h"

static void test_refcount(void)
{
    QDict *d = qdict_new();
    QString *s = qstring_from_str("x");

    qdict_put(d, "s", qobject_ref(s));
    g_assert_cmpint(s->base.refcnt, ==, 2);
    qobject_unref(d);
    g_assert_cmpint(s->base.refcnt, ==, 1);
    g_assert_cmpstr(qstring_get_str(s), ==, "x");
    qobject_unref(s);
}

static void test_qobject_to(void)
{
    g_autoptr(QObject) obj = QOBJECT(qnum_from_int(7));

    g_assert_null(qobject_to(QDict, obj));
    g_assert_nonnull(qobject_to(QNum, obj));
    g_assert_null(qobject_to(QNum, NULL));
    g_assert_cmpint(qobject_type(obj), ==, QTYPE_QNUM);
    g_assert_cmpstr(QType_str(QTYPE_QDICT), ==, "qdict");
}

static void test_qnum(void)
{
    QNum *i = qnum_from_int(-5), *u = qnum_from_uint(UINT64_MAX);
    QNum *d = qnum_from_double(1.5);
    int64_t iv;
    uint64_t uv;
    char *str;

    g_assert_true(qnum_get_try_int(i, &iv));
    g_assert_cmpint(iv, ==, -5);
    g_assert_false(qnum_get_try_uint(i, &uv));
    g_assert_false(qnum_get_try_int(u, &iv));
    g_assert_cmpuint(qnum_get_uint(u), ==, UINT64_MAX);
    g_assert_false(qnum_get_try_int(d, &iv));
    g_assert_cmpfloat(qnum_get_double(i), ==, -5.0);
    str = qnum_to_string(d);
    g_assert_cmpstr(str, ==, "1.5");
    g_free(str);
    str = qnum_to_string(u);
    g_assert_cmpstr(str, ==, "18446744073709551615");
    g_free(str);
    qobject_unref(i);
    qobject_unref(u);
    qobject_unref(d);
}

static void test_qdict(void)
{
    g_autoptr(QDict) d = qdict_new();
    const QDictEntry *e;
    GString *keys = g_string_new(NULL);
    g_autoptr(QDict) c = NULL;

    qdict_put_str(d, "zeta", "z");
    qdict_put_int(d, "alpha", 1);
    qdict_put_bool(d, "mid", true);
    qdict_put_null(d, "n");
    qdict_put_int(d, "alpha", 2);   /* replaced in place */
    g_assert_cmpuint(qdict_size(d), ==, 4);
    for (e = qdict_first(d); e; e = qdict_next(d, e)) {
        g_string_append(keys, qdict_entry_key(e));
        g_string_append_c(keys, ' ');
    }
    g_assert_cmpstr(keys->str, ==, "zeta alpha mid n ");
    g_string_free(keys, true);
    g_assert_cmpint(qdict_get_int(d, "alpha"), ==, 2);
    g_assert_cmpstr(qdict_get_str(d, "zeta"), ==, "z");
    g_assert_true(qdict_get_bool(d, "mid"));
    g_assert_cmpint(qdict_get_try_int(d, "zeta", 9), ==, 9);
    g_assert_null(qdict_get_try_str(d, "alpha"));
    g_assert_false(qdict_get_try_bool(d, "nope", false));
    c = qdict_clone_shallow(d);
    g_assert_true(qobject_is_equal(QOBJECT(c), QOBJECT(d)));
    qdict_del(d, "alpha");
    qdict_del(d, "nope");
    g_assert_false(qdict_haskey(d, "alpha"));
    g_assert_cmpuint(qdict_size(d), ==, 3);
    g_assert_false(qobject_is_equal(QOBJECT(c), QOBJECT(d)));
    {
        g_autoptr(GString) js = qobject_to_json(QOBJECT(d));
        g_assert_cmpstr(js->str, ==,
                        "{\"zeta\": \"z\", \"mid\": true, \"n\": null}");
    }
}

static void test_qlist(void)
{
    g_autoptr(QList) l = qlist_new();
    QListEntry *e;
    QObject *o;
    int n = 0;

    qlist_append_int(l, 1);
    qlist_append_str(l, "two");
    qlist_append_bool(l, false);
    qlist_append_null(l);
    g_assert_cmpuint(qlist_size(l), ==, 4);
    QLIST_FOREACH_ENTRY(l, e) {
        n++;
    }
    g_assert_cmpint(n, ==, 4);
    o = qlist_pop(l);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, o)), ==, 1);
    qobject_unref(o);
    g_assert_cmpstr(qstring_get_str(qobject_to(QString, qlist_peek(l))),
                    ==, "two");
    g_assert_false(qlist_empty(l));
}

static void test_equal(void)
{
    QObject *a = qobject_from_json("{\"a\": [1, 2.0, null], \"b\": \"x\"}",
                                   &error_abort);
    QObject *b = qobject_from_json("{\"b\": \"x\", \"a\": [1, 2, null]}",
                                   &error_abort);
    QObject *c = qobject_from_json("{\"b\": \"x\", \"a\": [1, 2.5, null]}",
                                   &error_abort);
    QNum *big = qnum_from_uint(UINT64_MAX), *dbl = qnum_from_double(-1);
    QNum *mone = qnum_from_int(-1);

    g_assert_true(qobject_is_equal(a, b));
    g_assert_false(qobject_is_equal(a, c));
    g_assert_false(qobject_is_equal(QOBJECT(big), QOBJECT(mone)));
    g_assert_true(qobject_is_equal(QOBJECT(dbl), QOBJECT(mone)));
    qobject_unref(a);
    qobject_unref(b);
    qobject_unref(c);
    qobject_unref(big);
    qobject_unref(dbl);
    qobject_unref(mone);
}

static void check_json(QObject *obj, const char *expect)
{
    g_autoptr(GString) s = qobject_to_json(obj);

    g_assert_cmpstr(s->str, ==, expect);
}

static void test_flatten(void)
{
    QDict *d = qdict_from_jsonf_nofail(
        "{'driver': 'quorum', 'children': [{'file': {'filename': 'a'}}, "
        "'b'], 'e': {}, 'x': 1}");
    QDict *sub;
    QList *list;
    QObject *nested;
    Error *err = NULL;

    qdict_flatten(d);
    check_json(QOBJECT(d), "{\"driver\": \"quorum\", "
               "\"children.0.file.filename\": \"a\", \"children.1\": \"b\", "
               "\"e\": {}, \"x\": 1}");
    g_assert_cmpint(qdict_array_entries(d, "children."), ==, 2);
    g_assert_cmpint(qdict_array_entries(d, "x"), ==, -EINVAL);
    nested = qdict_crumple(d, &error_abort);
    g_assert_nonnull(nested);
    check_json(nested, "{\"driver\": \"quorum\", \"children\": "
               "[{\"file\": {\"filename\": \"a\"}}, \"b\"], \"e\": {}, "
               "\"x\": 1}");
    qobject_unref(nested);
    qdict_extract_subqdict(d, &sub, "children.");
    check_json(QOBJECT(sub), "{\"0.file.filename\": \"a\", \"1\": \"b\"}");
    g_assert_false(qdict_haskey(d, "children.1"));
    qdict_array_split(sub, &list);
    g_assert_cmpuint(qlist_size(list), ==, 2);
    check_json(QOBJECT(list), "[{\"file.filename\": \"a\"}, \"b\"]");
    g_assert_cmpuint(qdict_size(sub), ==, 0);
    qobject_unref(list);
    qobject_unref(sub);
    qobject_unref(d);

    d = qdict_from_jsonf_nofail("{'a': 1, 'a.b': 2}");
    g_assert_null(qdict_crumple(d, &err));
    error_free_or_abort(&err);
    qobject_unref(d);
    d = qdict_from_jsonf_nofail("{'l.0': 1, 'l.x': 2, 'dot..ted': 3}");
    g_assert_null(qdict_crumple(d, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Cannot mix list and non-list keys");
    error_free(err);
    qdict_del(d, "l.x");
    nested = qdict_crumple(d, &error_abort);
    check_json(nested, "{\"l\": [1], \"dot.ted\": 3}");
    qobject_unref(nested);
    qobject_unref(d);
}

static void test_join(void)
{
    QDict *a = qdict_from_jsonf_nofail("{'x': 1, 'y': 2}");
    QDict *b = qdict_from_jsonf_nofail("{'y': 3, 'z': 4}");

    qdict_join(a, b, false);
    check_json(QOBJECT(a), "{\"x\": 1, \"y\": 2, \"z\": 4}");
    check_json(QOBJECT(b), "{\"y\": 3}");
    qdict_join(a, b, true);
    check_json(QOBJECT(a), "{\"x\": 1, \"y\": 3, \"z\": 4}");
    g_assert_cmpuint(qdict_size(b), ==, 0);
    qobject_unref(a);
    qobject_unref(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qobject/refcount", test_refcount);
    g_test_add_func("/qobject/qobject-to", test_qobject_to);
    g_test_add_func("/qobject/qnum", test_qnum);
    g_test_add_func("/qobject/qdict", test_qdict);
    g_test_add_func("/qobject/qlist", test_qlist);
    g_test_add_func("/qobject/equal", test_equal);
    g_test_add_func("/qobject/qdict/flatten", test_flatten);
    g_test_add_func("/qobject/qdict/join", test_join);
    return g_test_run();
}
