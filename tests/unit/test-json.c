/*
 * JSON tests: the whole-string parser, the streaming message parser used
 * by QMP (split/merged input, recovery, limits) and the writer's exact
 * output (QEMU's compact form).
 */
#include "qemu/osdep.h"
#include "qobject/qjson.h"
#include "qobject/json-parser.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

/* Collects emitted messages as "json" text or "ERR:message". */
typedef struct Collector {
    JSONMessageParser parser;
    GPtrArray *out;
} Collector;

static void collect(void *opaque, QObject *json, Error *err)
{
    Collector *c = opaque;

    if (err) {
        g_ptr_array_add(c->out, g_strdup_printf("ERR:%s",
                                                error_get_pretty(err)));
        error_free(err);
    } else {
        GString *s = qobject_to_json(json);

        g_ptr_array_add(c->out, g_string_free(s, false));
        qobject_unref(json);
    }
}

static Collector *collector_new(void)
{
    Collector *c = g_new0(Collector, 1);

    c->out = g_ptr_array_new_with_free_func(g_free);
    json_message_parser_init(&c->parser, collect, c, NULL);
    return c;
}

static void collector_free(Collector *c)
{
    json_message_parser_destroy(&c->parser);
    g_ptr_array_free(c->out, true);
    g_free(c);
}

static void feed(Collector *c, const char *s)
{
    json_message_parser_feed(&c->parser, s, strlen(s));
}

static const char *out(Collector *c, unsigned i)
{
    g_assert_cmpuint(i, <, c->out->len);
    return g_ptr_array_index(c->out, i);
}

static char *roundtrip(const char *in)
{
    Error *err = NULL;
    QObject *obj = qobject_from_json(in, &err);
    GString *s;

    if (!obj) {
        char *msg = g_strdup_printf("ERR:%s", error_get_pretty(err));
        error_free(err);
        return msg;
    }
    s = qobject_to_json(obj);
    qobject_unref(obj);
    return g_string_free(s, false);
}

static void check_rt(const char *in, const char *expect)
{
    g_autofree char *got = roundtrip(in);

    g_assert_cmpstr(got, ==, expect);
}

static void test_values(void)
{
    check_rt("{\"return\":{}}", "{\"return\": {}}");
    check_rt(" [1, -2 , 3.5e1,true,false,null,\"s\"] ",
             "[1, -2, 35, true, false, null, \"s\"]");
    check_rt("{'execute':'query-status','id':'x'}",
             "{\"execute\": \"query-status\", \"id\": \"x\"}");
    check_rt("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
             "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\"");
    check_rt("'it''s'", "ERR:Expecting at most one JSON value");
    check_rt("'it\\'s \"q\"'", "\"it's \\\"q\\\"\"");
    check_rt("18446744073709551615", "18446744073709551615");
    check_rt("-9223372036854775808", "-9223372036854775808");
    check_rt("1.5", "1.5");
    check_rt("0.1", "0.10000000000000001");
    check_rt("[]", "[]");
    check_rt("{\"a\": {\"b\": [[], {}]}}", "{\"a\": {\"b\": [[], {}]}}");
    check_rt("", "ERR:Expecting a JSON value");
    check_rt("{", "ERR:JSON parse error, premature EOI");
    check_rt("{\"a\" 1}", "ERR:JSON parse error, missing : in object pair");
    check_rt("{1: 2}", "ERR:JSON parse error, key is not a string in object");
    check_rt("[1 2]", "ERR:JSON parse error, expected separator in list");
    check_rt("{\"a\": 1, \"a\": 2}", "ERR:JSON parse error, duplicate key");
    check_rt("nul", "ERR:JSON parse error, invalid keyword 'nul'");
}

static void test_unicode(void)
{
    /* non-ASCII escaped with upper-case hex (observed on QEMU 7.2) */
    check_rt("\"\xc3\xa9\xe2\x9c\x93\"", "\"\\u00E9\\u2713\"");
    check_rt("\"\\u00e9\"", "\"\\u00E9\"");
    /* above the BMP: surrogate pairs both ways */
    check_rt("\"\xf0\x9f\x98\x80\"", "\"\\uD83D\\uDE00\"");
    check_rt("\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00\"");
    check_rt("\"\\u0000x\"", "\"\\u0000x\"");
    check_rt("\"\\u001f\x7f\"", "\"\\u001F\\u007F\"");
    check_rt("\"\\ud800\"",
             "ERR:JSON parse error, \\ud800 is not a valid Unicode character");
    check_rt("\"\xc3\x28\"",
             "ERR:JSON parse error, invalid UTF-8 sequence in string");
    check_rt("\"\xc0\xaf\"",
             "ERR:JSON parse error, invalid UTF-8 sequence in string");
    check_rt("\"\xed\xa0\x80\"",
             "ERR:JSON parse error, invalid UTF-8 sequence in string");
    check_rt("\"a\\qb\"", "ERR:JSON parse error, stray '\"a\\q'");
}

static void test_writer_pretty(void)
{
    QObject *obj = qobject_from_json("{\"a\": [1, {}], \"b\": null}",
                                     &error_abort);
    GString *s = qobject_to_json_pretty(obj, true);

    g_assert_cmpstr(s->str, ==,
                    "{\n    \"a\": [\n        1,\n        {\n        }\n"
                    "    ],\n    \"b\": null\n}");
    g_string_free(s, true);
    qobject_unref(obj);
}

static void test_stream_split_merge(void)
{
    Collector *c = collector_new();
    const char *msg = "{\"execute\":\"query-status\",\"id\":\"a\"}";
    size_t i;

    /* one byte at a time */
    for (i = 0; msg[i]; i++) {
        json_message_parser_feed(&c->parser, msg + i, 1);
    }
    g_assert_cmpuint(c->out->len, ==, 1);
    /* several per read, newlines optional, objects spanning lines */
    feed(c, "{\"a\":1}{\"b\":2}\n{\"c\"\n:\n3}  \n\n");
    g_assert_cmpuint(c->out->len, ==, 4);
    g_assert_cmpstr(out(c, 1), ==, "{\"a\": 1}");
    g_assert_cmpstr(out(c, 2), ==, "{\"b\": 2}");
    g_assert_cmpstr(out(c, 3), ==, "{\"c\": 3}");
    /* a top-level number ends only at the next byte or flush */
    feed(c, "42");
    g_assert_cmpuint(c->out->len, ==, 4);
    json_message_parser_flush(&c->parser);
    g_assert_cmpstr(out(c, 4), ==, "42");
    collector_free(c);
}

static void test_stream_errors(void)
{
    Collector *c = collector_new();

    /* transcripts: qmp-malformed-and-oob.txt */
    feed(c, "{\"execute\": }\n");
    g_assert_cmpstr(out(c, 0), ==, "ERR:JSON parse error, expecting value");
    feed(c, "}\n");
    g_assert_cmpstr(out(c, 1), ==, "ERR:JSON parse error, expecting value");
    feed(c, "not json at all\n");
    g_assert_cmpuint(c->out->len, ==, 6);
    g_assert_cmpstr(out(c, 2), ==,
                    "ERR:JSON parse error, invalid keyword 'not'");
    g_assert_cmpstr(out(c, 3), ==,
                    "ERR:JSON parse error, invalid keyword 'json'");
    g_assert_cmpstr(out(c, 5), ==,
                    "ERR:JSON parse error, invalid keyword 'all'");
    feed(c, "{\"ok\":1}");
    g_assert_cmpstr(out(c, 6), ==, "{\"ok\": 1}");
    collector_free(c);
}

static void test_stream_recovery(void)
{
    Collector *c = collector_new();

    /* an unbalanced '{' swallows input ... */
    feed(c, "{\"execute\":\"query-status\"\n{\"execute\":\"quit\"}\n");
    g_assert_cmpuint(c->out->len, ==, 0);
    /* ... until a control character provokes a lexical error */
    feed(c, "\x1b");
    g_assert_cmpuint(c->out->len, ==, 1);
    g_assert_cmpstr(out(c, 0), ==, "ERR:JSON parse error, stray '\x1b'");
    feed(c, "{\"after\":true}");
    g_assert_cmpstr(out(c, 1), ==, "{\"after\": true}");
    /* 0xFF: error, the rest up to the next control char is skipped */
    feed(c, "{\"a\":\xff junk}\n{\"b\":1}");
    g_assert_cmpuint(c->out->len, ==, 4);
    g_assert_cmpstr(out(c, 2), ==, "ERR:JSON parse error, stray '\xff'");
    g_assert_cmpstr(out(c, 3), ==, "{\"b\": 1}");
    /* a raw control character inside a string */
    feed(c, "\"a\001\n[1]");
    g_assert_cmpstr(out(c, 4), ==, "ERR:JSON parse error, stray '\"a\001'");
    g_assert_cmpstr(out(c, 5), ==, "[1]");
    collector_free(c);
}

static void test_limit_nesting(void)
{
    Collector *c = collector_new();
    GString *s = g_string_new(NULL);
    int i;

    for (i = 0; i < 1024; i++) {
        g_string_append_c(s, '[');
    }
    for (i = 0; i < 1024; i++) {
        g_string_append_c(s, ']');
    }
    feed(c, s->str);
    g_assert_cmpuint(c->out->len, ==, 1);
    g_assert_cmpstr(out(c, 0), !=, "ERR:JSON nesting depth limit exceeded");
    g_string_truncate(s, 0);
    for (i = 0; i < 1025; i++) {
        g_string_append_c(s, '{');
    }
    feed(c, s->str);
    g_assert_cmpuint(c->out->len, ==, 2);
    g_assert_cmpstr(out(c, 1), ==, "ERR:JSON nesting depth limit exceeded");
    g_string_free(s, true);
    collector_free(c);
}

static void test_limit_token_size(void)
{
    Collector *c = collector_new();
    size_t len = (64 << 20) + 16;
    char *big = g_malloc(len + 1);

    big[0] = '"';
    memset(big + 1, 'a', len - 1);
    big[len] = 0;
    json_message_parser_feed(&c->parser, big, len);
    g_assert_cmpuint(c->out->len, ==, 1);
    g_assert_cmpstr(out(c, 0), ==, "ERR:JSON token size limit exceeded");
    /* recovery at the next control character */
    feed(c, "aaa\"\n{\"x\":1}");
    g_assert_cmpstr(out(c, c->out->len - 1), ==, "{\"x\": 1}");
    g_free(big);
    collector_free(c);
}

static void test_limit_token_count(void)
{
    Collector *c = collector_new();
    GString *s = g_string_new("[");
    size_t i;

    for (i = 0; i < (2u << 20) / 2 + 1; i++) {
        g_string_append(s, "0,");
    }
    feed(c, s->str);
    /* the tail of the discarded message gives further errors */
    g_assert_cmpuint(c->out->len, >=, 1);
    g_assert_cmpstr(out(c, 0), ==, "ERR:JSON token count limit exceeded");
    g_string_free(s, true);
    collector_free(c);
}

static void test_interpolation(void)
{
    QDict *d = qdict_from_jsonf_nofail("{'a': %d, 'b': %s, 'c': %p, "
                                       "'d': %" PRId64 ", 'e': %f}",
                                       -3, "str", QOBJECT(qnum_from_int(7)),
                                       (int64_t)1 << 40, 0.5);

    g_assert_cmpint(qdict_get_int(d, "a"), ==, -3);
    g_assert_cmpstr(qdict_get_str(d, "b"), ==, "str");
    g_assert_cmpint(qdict_get_int(d, "c"), ==, 7);
    g_assert_cmpint(qdict_get_int(d, "d"), ==, (int64_t)1 << 40);
    g_assert_cmpfloat(qdict_get_double(d, "e"), ==, 0.5);
    qobject_unref(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json/values", test_values);
    g_test_add_func("/json/unicode", test_unicode);
    g_test_add_func("/json/writer/pretty", test_writer_pretty);
    g_test_add_func("/json/stream/split-merge", test_stream_split_merge);
    g_test_add_func("/json/stream/errors", test_stream_errors);
    g_test_add_func("/json/stream/recovery", test_stream_recovery);
    g_test_add_func("/json/limit/nesting", test_limit_nesting);
    g_test_add_func("/json/limit/token-size", test_limit_token_size);
    g_test_add_func("/json/limit/token-count", test_limit_token_count);
    g_test_add_func("/json/interpolation", test_interpolation);
    return g_test_run();
}
