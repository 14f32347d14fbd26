/*
 * Whole-string JSON parsing and the JSON writer.
 *
 * Writer output is QEMU's: compact `{"a": 1, "b": [2, 3]}`, or with
 * pretty=true one member per line indented by 4 spaces per level.
 * Strings: `"` `\` and control characters escaped (\b \f \n \r \t or
 * \u00XX), printable ASCII literal, everything else \uXXXX with
 * upper-case hex (surrogate pairs above U+FFFF); invalid UTF-8 becomes
 * \uFFFD.
 */
#include "qemu/osdep.h"
#include "qobject/qjson.h"
#include "qobject/json-parser.h"
#include "qobject/qnull.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

typedef struct JSONParsingState {
    JSONMessageParser parser;
    QObject *result;
    Error *err;
} JSONParsingState;

static void consume_json(void *opaque, QObject *json, Error *err)
{
    JSONParsingState *s = opaque;

    assert(!json != !err);
    assert(!s->result || !s->err);

    if (s->result) {
        qobject_unref(s->result);
        s->result = NULL;
        error_setg(&s->err, "Expecting at most one JSON value");
    }
    if (s->err) {
        qobject_unref(json);
        error_free(err);
        return;
    }
    s->result = json;
    s->err = err;
}

static QObject *qobject_from_jsonv(const char *string, va_list *ap,
                                   Error **errp)
{
    JSONParsingState state = {0};

    json_message_parser_init(&state.parser, consume_json, &state, ap);
    json_message_parser_feed(&state.parser, string, strlen(string));
    json_message_parser_flush(&state.parser);
    json_message_parser_destroy(&state.parser);

    if (!state.result && !state.err) {
        error_setg(&state.err, "Expecting a JSON value");
    }
    error_propagate(errp, state.err);
    return state.result;
}

QObject *qobject_from_json(const char *string, Error **errp)
{
    return qobject_from_jsonv(string, NULL, errp);
}

QObject *qobject_from_vjsonf_nofail(const char *string, va_list ap)
{
    va_list ap_copy;
    QObject *obj;

    va_copy(ap_copy, ap);
    obj = qobject_from_jsonv(string, &ap_copy, &error_abort);
    va_end(ap_copy);
    assert(obj);
    return obj;
}

QObject *qobject_from_jsonf_nofail(const char *string, ...)
{
    QObject *obj;
    va_list ap;

    va_start(ap, string);
    obj = qobject_from_vjsonf_nofail(string, ap);
    va_end(ap);
    return obj;
}

QDict *qdict_from_vjsonf_nofail(const char *string, va_list ap)
{
    QDict *qdict = qobject_to(QDict, qobject_from_vjsonf_nofail(string, ap));

    assert(qdict);
    return qdict;
}

QDict *qdict_from_jsonf_nofail(const char *string, ...)
{
    QDict *qdict;
    va_list ap;

    va_start(ap, string);
    qdict = qdict_from_vjsonf_nofail(string, ap);
    va_end(ap);
    return qdict;
}

/* ---- writer ---- */

/* Next code point of the modified UTF-8 at *s (C0 80 = U+0000), or -1. */
static int next_codepoint(const unsigned char **s)
{
    const unsigned char *p = *s;
    int len, cp, min, i;

    if (p[0] < 0x80) {
        len = 1;
        cp = p[0];
        min = 0;
    } else if ((p[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = p[0] & 0x1F;
        min = p[0] == 0xC0 && p[1] == 0x80 ? 0 : 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = p[0] & 0x0F;
        min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = p[0] & 0x07;
        min = 0x10000;
    } else {
        *s = p + 1;
        return -1;
    }
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s = p + i;
            return -1;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *s = p + len;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return -1;
    }
    return cp;
}

static void json_write_str(GString *out, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;
    int cp;

    g_string_append_c(out, '"');
    while (*p) {
        cp = next_codepoint(&p);
        switch (cp) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\b':
            g_string_append(out, "\\b");
            break;
        case '\f':
            g_string_append(out, "\\f");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (cp < 0) {
                cp = 0xFFFD;
            }
            if (cp >= 0x20 && cp < 0x7F) {
                g_string_append_c(out, cp);
            } else if (cp >= 0x10000) {
                cp -= 0x10000;
                g_string_append_printf(out, "\\u%04X\\u%04X",
                                       0xD800 | (cp >> 10),
                                       0xDC00 | (cp & 0x3FF));
            } else {
                g_string_append_printf(out, "\\u%04X", cp);
            }
        }
    }
    g_string_append_c(out, '"');
}

static void json_newline(GString *out, bool pretty, int indent)
{
    if (pretty) {
        g_string_append_printf(out, "\n%*s", indent * 4, "");
    }
}

static void json_write(GString *out, const QObject *obj, bool pretty,
                       int indent)
{
    switch (qobject_type(obj)) {
    case QTYPE_QNULL:
        g_string_append(out, "null");
        break;
    case QTYPE_QBOOL:
        g_string_append(out, qbool_get_bool(qobject_to(QBool, obj))
                             ? "true" : "false");
        break;
    case QTYPE_QNUM: {
        char *s = qnum_to_string(qobject_to(QNum, obj));

        g_string_append(out, s);
        g_free(s);
        break;
    }
    case QTYPE_QSTRING:
        json_write_str(out, qstring_get_str(qobject_to(QString, obj)));
        break;
    case QTYPE_QDICT: {
        const QDict *d = qobject_to(QDict, obj);
        const QDictEntry *e;

        g_string_append_c(out, '{');
        for (e = qdict_first(d); e; e = qdict_next(d, e)) {
            if (e != qdict_first(d)) {
                g_string_append(out, pretty ? "," : ", ");
            }
            json_newline(out, pretty, indent + 1);
            json_write_str(out, qdict_entry_key(e));
            g_string_append(out, ": ");
            json_write(out, qdict_entry_value(e), pretty, indent + 1);
        }
        json_newline(out, pretty, indent);
        g_string_append_c(out, '}');
        break;
    }
    case QTYPE_QLIST: {
        const QList *l = qobject_to(QList, obj);
        const QListEntry *e;

        g_string_append_c(out, '[');
        for (e = qlist_first(l); e; e = qlist_next(e)) {
            if (e != qlist_first(l)) {
                g_string_append(out, pretty ? "," : ", ");
            }
            json_newline(out, pretty, indent + 1);
            json_write(out, qlist_entry_obj(e), pretty, indent + 1);
        }
        json_newline(out, pretty, indent);
        g_string_append_c(out, ']');
        break;
    }
    default:
        g_assert_not_reached();
    }
}

GString *qobject_to_json_pretty(const QObject *obj, bool pretty)
{
    GString *out = g_string_new(NULL);

    json_write(out, obj, pretty, 0);
    return out;
}

GString *qobject_to_json(const QObject *obj)
{
    return qobject_to_json_pretty(obj, false);
}
