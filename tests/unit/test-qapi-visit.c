/*
 * QAPI generated code and visitors, on tests/unit/qapi-schema-test.json:
 * input (strict and keyval) with QEMU's error texts, output, dealloc,
 * the string input visitor, unions, alternates, events, introspection.
 */
#include "qemu/osdep.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/qobject-output-visitor.h"
#include "qapi/string-input-visitor.h"
#include "qapi/string-output-visitor.h"
#include "qobject/qjson.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"
#include "qapi/test-qapi-types.h"
#include "qapi/test-qapi-visit.h"
#include "qapi/test-qapi-events.h"
#include "qapi/test-qapi-emit-events.h"
#include "qapi/test-qapi-introspect.h"

static QDict *last_event;

void test_qapi_event_emit(test_QAPIEvent event, QDict *qdict)
{
    qobject_unref(last_event);
    last_event = qobject_ref(qdict);
}

static Visitor *input(const char *json, bool keyval, QObject **keep)
{
    Visitor *v;

    *keep = qobject_from_json(json, &error_abort);
    v = keyval ? qobject_input_visitor_new_keyval(*keep)
               : qobject_input_visitor_new(*keep);
    qobject_unref(*keep);
    return v;
}

static char *to_json(Visitor *v_unused, QObject *obj)
{
    GString *s = qobject_to_json(obj);

    return g_string_free(s, false);
}

/* Visits @json as UserDefTwo (or UserDefOne); returns the error text. */
#define EXPECT_ERROR(type, json, keyval, msg) do {                      \
    QObject *keep_;                                                     \
    Visitor *v_ = input(json, keyval, &keep_);                          \
    type *obj_ = NULL;                                                  \
    Error *err_ = NULL;                                                 \
                                                                        \
    g_assert_false(visit_type_##type(v_, NULL, &obj_, &err_));          \
    g_assert_null(obj_);                                                \
    g_assert_nonnull(err_);                                             \
    g_assert_cmpstr(error_get_pretty(err_), ==, msg);                   \
    error_free(err_);                                                   \
    visit_free(v_);                                                     \
} while (0)

static void test_input_struct(void)
{
    QObject *keep;
    Visitor *v = input("{'integer': 42, 'string': 's', 'enum1': 'value2'}",
                       false, &keep);
    g_autoptr(UserDefOne) one = NULL;

    g_assert_true(visit_type_UserDefOne(v, NULL, &one, &error_abort));
    visit_free(v);
    g_assert_cmpint(one->integer, ==, 42);
    g_assert_cmpstr(one->string, ==, "s");
    g_assert_true(one->has_enum1);
    g_assert_cmpint(one->enum1, ==, ENUM_ONE_VALUE2);
    g_assert_cmpint(qapi_UserDefOne_base(one)->integer, ==, 42);
}

static void test_input_errors(void)
{
    EXPECT_ERROR(UserDefOne, "{'string': 's'}", false,
                 "Parameter 'integer' is missing");
    EXPECT_ERROR(UserDefOne, "{'integer': 1, 'string': 's', 'bogus': 1}",
                 false, "Parameter 'bogus' is unexpected");
    EXPECT_ERROR(UserDefOne, "{'integer': 'x', 'string': 's'}", false,
                 "Invalid parameter type for 'integer', expected: integer");
    EXPECT_ERROR(UserDefOne, "{'integer': 1.5, 'string': 's'}", false,
                 "Invalid parameter type for 'integer', expected: integer");
    EXPECT_ERROR(UserDefOne, "{'integer': 1, 'string': 's', 'enum1': 'x'}",
                 false, "Parameter 'enum1' does not accept value 'x'");
    EXPECT_ERROR(UserDefOne, "[1]", false,
                 "Invalid parameter type for '<anonymous>', expected: object");
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'items': [{'integer': 1, "
                 "'string': 'a'}, {'string': 'b'}]}", false,
                 "Parameter 'items[1].integer' is missing");
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'items': [{'integer': 1, "
                 "'string': 'a', 'x': 0}]}", false,
                 "Parameter 'items[0].x' is unexpected");
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'tags': ['a', 2]}", false,
                 "Invalid parameter type for 'tags[1]', expected: string");
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'tags': 'a'}", false,
                 "Invalid parameter type for 'tags', expected: array");
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'count': 300}", false,
                 "Parameter 'count' expects uint8_t");
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'flag': 1}", false,
                 "Invalid parameter type for 'flag', expected: boolean");
}

static void test_output(void)
{
    g_autoptr(UserDefTwo) two = g_new0(UserDefTwo, 1);
    QObject *out;
    Visitor *v;
    g_autofree char *json = NULL;

    two->name = g_strdup("n");
    two->has_count = true;
    two->count = 3;
    two->has_tags = true;
    QAPI_LIST_PREPEND(two->tags, g_strdup("b"));
    QAPI_LIST_PREPEND(two->tags, g_strdup("a"));
    two->has_q_default = true;
    two->q_default = -1;
    two->has_blob = true;
    two->blob = qobject_from_json("{'x': [null]}", &error_abort);
    v = qobject_output_visitor_new(&out);
    g_assert_true(visit_type_UserDefTwo(v, NULL, &two, &error_abort));
    visit_complete(v, &out);
    visit_free(v);
    json = to_json(NULL, out);
    g_assert_cmpstr(json, ==,
                    "{\"name\": \"n\", \"count\": 3, "
                    "\"blob\": {\"x\": [null]}, "
                    "\"tags\": [\"a\", \"b\"], \"default\": -1}");
    qobject_unref(out);
}

static void roundtrip_union(const char *json, const char *expect)
{
    QObject *keep, *out;
    Visitor *v = input(json, false, &keep);
    g_autoptr(UserDefFlatUnion) u = NULL;
    g_autofree char *text = NULL;

    g_assert_true(visit_type_UserDefFlatUnion(v, NULL, &u, &error_abort));
    visit_free(v);
    v = qobject_output_visitor_new(&out);
    visit_type_UserDefFlatUnion(v, NULL, &u, &error_abort);
    visit_complete(v, &out);
    visit_free(v);
    text = to_json(NULL, out);
    g_assert_cmpstr(text, ==, expect);
    qobject_unref(out);
}

static void test_union(void)
{
    roundtrip_union("{'string': 's', 'enum1': 'value1', 'boolean': true}",
                    "{\"string\": \"s\", \"enum1\": \"value1\", "
                    "\"boolean\": true}");
    roundtrip_union("{'enum1': 'value2', 'string': 't', 'intb': 7}",
                    "{\"string\": \"t\", \"enum1\": \"value2\", "
                    "\"intb\": 7}");
    /* a value without a branch has no variant members */
    roundtrip_union("{'enum1': 'value3', 'string': 'u'}",
                    "{\"string\": \"u\", \"enum1\": \"value3\"}");
    EXPECT_ERROR(UserDefFlatUnion, "{'string': 's'}", false,
                 "Parameter 'enum1' is missing");
    EXPECT_ERROR(UserDefFlatUnion, "{'string': 's', 'enum1': 'value3', "
                 "'intb': 1}", false, "Parameter 'intb' is unexpected");
    EXPECT_ERROR(UserDefFlatUnion, "{'string': 's', 'enum1': 'value2'}",
                 false, "Parameter 'intb' is missing");
}

static void test_alternate(void)
{
    QObject *keep;
    Visitor *v;
    g_autoptr(WithAlternate) w = NULL;
    AltStrObjList *l;

    v = input("{'alt': 'str', 'nested': [5, {'intb': 3}, null, 'x']}",
              false, &keep);
    g_assert_true(visit_type_WithAlternate(v, NULL, &w, &error_abort));
    visit_free(v);
    g_assert_cmpint(w->alt->type, ==, QTYPE_QSTRING);
    g_assert_cmpstr(w->alt->u.s, ==, "str");
    l = w->nested;
    g_assert_cmpint(l->value->type, ==, QTYPE_QNUM);
    g_assert_cmpint(l->value->u.i, ==, 5);
    l = l->next;
    g_assert_cmpint(l->value->type, ==, QTYPE_QDICT);
    g_assert_cmpint(l->value->u.o.intb, ==, 3);
    l = l->next;
    g_assert_cmpint(l->value->type, ==, QTYPE_QNULL);
    g_assert_cmpint(QAPI_LIST_LENGTH(w->nested), ==, 4);
    EXPECT_ERROR(WithAlternate, "{'alt': true}", false,
                 "Invalid parameter type for 'alt', expected: AltStrObj");
    EXPECT_ERROR(WithAlternate, "{'alt': {'intb': 'x'}}", false,
                 "Invalid parameter type for 'alt.intb', expected: integer");
}

static void test_keyval(void)
{
    QObject *keep;
    Visitor *v;
    g_autoptr(UserDefTwo) two = NULL;

    v = input("{'name': 'n', 'size': '1G', 'flag': 'on', 'count': '0x10', "
              "'ratio': '0.5', 'items': [{'integer': '-3', 'string': 's'}]}",
              true, &keep);
    g_assert_true(visit_type_UserDefTwo(v, NULL, &two, &error_abort));
    visit_free(v);
    g_assert_cmpuint(two->size, ==, 1ULL << 30);
    g_assert_true(two->flag);
    g_assert_cmpint(two->count, ==, 16);
    g_assert_cmpfloat(two->ratio, ==, 0.5);
    g_assert_cmpint(two->items->value->integer, ==, -3);
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'count': 'abc'}", true,
                 "Parameter 'count' expects integer");
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'flag': 'maybe'}", true,
                 "Parameter 'flag' expects 'on' or 'off'");
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'size': '1Q'}", true,
                 "Parameter 'size' expects a non-negative number below 2^64");
    EXPECT_ERROR(UserDefTwo, "{'name': 'n', 'count': '256'}", true,
                 "Parameter 'count' expects uint8_t");
}

static void test_string_input(void)
{
    Visitor *v;
    int64_t i;
    uint64_t sz;
    bool b;
    uint8_t u8;
    Error *err = NULL;
    intList *list = NULL, *e;
    GString *s = g_string_new(NULL);
    int qe = 0;

    v = string_input_visitor_new("-42");
    g_assert_true(visit_type_int(v, "x", &i, &error_abort));
    g_assert_cmpint(i, ==, -42);
    visit_free(v);
    v = string_input_visitor_new("2M");
    g_assert_true(visit_type_size(v, "x", &sz, &error_abort));
    g_assert_cmpuint(sz, ==, 2 << 20);
    visit_free(v);
    v = string_input_visitor_new("off");
    g_assert_true(visit_type_bool(v, "x", &b, &error_abort));
    g_assert_false(b);
    visit_free(v);
    v = string_input_visitor_new("300");
    g_assert_false(visit_type_uint8(v, "queue", &u8, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'queue' expects uint8_t");
    error_free(err);
    visit_free(v);
    v = string_input_visitor_new("1,3-5");
    g_assert_true(visit_type_intList(v, "l", &list, &error_abort));
    visit_free(v);
    for (e = list; e; e = e->next) {
        g_string_append_printf(s, "%" PRId64 " ", e->value);
    }
    g_assert_cmpstr(s->str, ==, "1 3 4 5 ");
    g_string_free(s, true);
    qapi_free_intList(list);
    v = string_input_visitor_new("value3");
    g_assert_true(visit_type_EnumOne(v, "e", (EnumOne *)&qe, &error_abort));
    g_assert_cmpint(qe, ==, ENUM_ONE_VALUE3);
    visit_free(v);
}

static char *print_uint16List(uint16List *list, Error **errp)
{
    char *text;
    Visitor *v = string_output_visitor_new(false, &text);

    if (visit_type_uint16List(v, NULL, &list, errp)) {
        visit_complete(v, &text);
    }
    visit_free(v);
    return text;
}

static void test_string_output(void)
{
    g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
    uint16List *list = NULL;
    Visitor *v;
    uint64_t sz = 3ULL << 30;
    int e = ENUM_ONE_VALUE3;
    bool b = true;

    v = string_output_visitor_new(true, &t1);
    visit_type_size(v, "s", &sz, &error_abort);
    visit_complete(v, &t1);
    visit_free(v);
    g_assert_cmpstr(t1, ==, "3 GiB");
    v = string_output_visitor_new(false, &t2);
    visit_type_EnumOne(v, "e", (EnumOne *)&e, &error_abort);
    visit_complete(v, &t2);
    visit_free(v);
    g_assert_cmpstr(t2, ==, "value3");
    v = string_output_visitor_new(false, &t3);
    visit_type_bool(v, "b", &b, &error_abort);
    visit_complete(v, &t3);
    visit_free(v);
    g_assert_cmpstr(t3, ==, "true");
    QAPI_LIST_PREPEND(list, 3);
    QAPI_LIST_PREPEND(list, 1);
    t4 = print_uint16List(list, &error_abort);
    g_assert_cmpstr(t4, ==, "1,3");
    qapi_free_uint16List(list);
}

static void test_enum_lookup(void)
{
    g_assert_cmpstr(EnumOne_str(ENUM_ONE_VALUE2), ==, "value2");
    g_assert_cmpstr(QEnumTwo_str(QENUM_TWO_VALUE1), ==, "value1");
    g_assert_cmpint(qapi_enum_parse(&EnumOne_lookup, "x-value4", -1, NULL),
                    ==, ENUM_ONE_X_VALUE4);
    g_assert_cmpint(qapi_enum_parse(&EnumOne_lookup, "nope", 7, NULL),
                    ==, 7);
    g_assert_cmpint(EnumOne_lookup.special_features[ENUM_ONE_X_VALUE4], ==,
                    QAPI_UNSTABLE);
}

static void test_events(void)
{
    g_autofree char *json = NULL;
    UserDefZero z = { .integer = 9 };

    qapi_event_send_event_b(1, true, "x", ENUM_ONE_VALUE1);
    g_assert_cmpstr(test_QAPIEvent_str(TEST_QAPI_EVENT_EVENT_B), ==,
                    "EVENT_B");
    g_assert_true(qdict_haskey(last_event, "timestamp"));
    qdict_del(last_event, "timestamp");
    json = to_json(NULL, QOBJECT(last_event));
    g_assert_cmpstr(json, ==, "{\"event\": \"EVENT_B\", \"data\": "
                    "{\"a\": 1, \"b\": \"x\", \"e\": \"value1\"}}");
    g_clear_pointer(&json, g_free);
    qapi_event_send_event_a();
    qdict_del(last_event, "timestamp");
    json = to_json(NULL, QOBJECT(last_event));
    g_assert_cmpstr(json, ==, "{\"event\": \"EVENT_A\"}");
    g_clear_pointer(&json, g_free);
    qapi_event_send_event_c(&z);
    g_assert_cmpint(qdict_get_int(qdict_get_qdict(last_event, "data"),
                                  "integer"), ==, 9);
    qobject_unref(last_event);
    last_event = NULL;
}

static QDict *schema_find(QList *schema, const char *name)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(schema, e) {
        QDict *d = qobject_to(QDict, e->value);

        if (!strcmp(qdict_get_str(d, "name"), name)) {
            return d;
        }
    }
    return NULL;
}

static void test_introspection(void)
{
    QList *schema = qobject_to(QList, qobject_from_json(test_qmp_schema_json,
                                                        &error_abort));
    QDict *cmd, *args, *ev, *member;
    QList *members;

    g_assert_nonnull(schema);
    cmd = schema_find(schema, "user-def-cmd");
    g_assert_cmpstr(qdict_get_str(cmd, "meta-type"), ==, "command");
    g_assert_cmpstr(qdict_get_str(cmd, "arg-type"), ==, "0");
    g_assert_cmpstr(qdict_get_str(cmd, "ret-type"), ==, "0");
    args = schema_find(schema, "0");
    g_assert_cmpuint(qlist_size(qdict_get_qlist(args, "members")), ==, 0);
    cmd = schema_find(schema, "cmd-oob");
    g_assert_true(qdict_get_bool(cmd, "allow-oob"));
    cmd = schema_find(schema, "cmd-unstable");
    g_assert_cmpstr(qstring_get_str(qobject_to(QString, qlist_peek(
        qdict_get_qlist(cmd, "features")))), ==, "unstable");
    cmd = schema_find(schema, "cmd-return-int");
    g_assert_cmpstr(qdict_get_str(cmd, "ret-type"), ==, "int");
    args = schema_find(schema, qdict_get_str(cmd, "arg-type"));
    members = qdict_get_qlist(args, "members");
    member = qobject_to(QDict, qlist_peek(members));
    g_assert_cmpstr(qdict_get_str(member, "name"), ==, "a");
    g_assert_false(qdict_haskey(member, "default"));
    ev = schema_find(schema, "EVENT_A");
    g_assert_cmpstr(qdict_get_str(ev, "meta-type"), ==, "event");
    cmd = schema_find(schema, "cmd-enums");
    args = schema_find(schema, qdict_get_str(cmd, "arg-type"));
    member = qobject_to(QDict, qlist_peek(qdict_get_qlist(args, "members")));
    {
        g_autofree char *list = g_strdup_printf(
            "[%s]", qdict_get_str(member, "type"));

        g_assert_cmpstr(qdict_get_str(cmd, "ret-type"), ==, list);
    }
    g_assert_nonnull(schema_find(schema, "int"));
    qobject_unref(schema);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qapi/visit/input/struct", test_input_struct);
    g_test_add_func("/qapi/visit/input/errors", test_input_errors);
    g_test_add_func("/qapi/visit/output", test_output);
    g_test_add_func("/qapi/visit/union", test_union);
    g_test_add_func("/qapi/visit/alternate", test_alternate);
    g_test_add_func("/qapi/visit/keyval", test_keyval);
    g_test_add_func("/qapi/visit/string-input", test_string_input);
    g_test_add_func("/qapi/visit/string-output", test_string_output);
    g_test_add_func("/qapi/enum-lookup", test_enum_lookup);
    g_test_add_func("/qapi/events", test_events);
    g_test_add_func("/qapi/introspection", test_introspection);
    return g_test_run();
}
