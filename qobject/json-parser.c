/*
 * JSON parser: one balanced run of tokens -> QObject (recursive descent).
 *
 * The streamer bounds nesting to JSON_MAX_NESTING, so recursion depth is
 * bounded.  The first error wins; its message is "JSON parse error, ...".
 * Strings are decoded here: escapes, surrogate pairs and UTF-8
 * validation (U+0000 is stored as C0 80).
 */
#include "qemu/osdep.h"
#include "qobject/qobject.h"
#include "qobject/qnull.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "json-parser-int.h"

typedef struct JSONParserContext {
    Error *err;
    GQueue *tokens;
    JSONToken *current;         /* last popped, freed on next pop */
    va_list *ap;
} JSONParserContext;

static QObject *parse_value(JSONParserContext *ctxt);

static void G_GNUC_PRINTF(2, 3)
parse_error(JSONParserContext *ctxt, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (ctxt->err) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_setg(&ctxt->err, "JSON parse error, %s", msg);
    g_free(msg);
}

static JSONToken *pop_token(JSONParserContext *ctxt)
{
    g_free(ctxt->current);
    ctxt->current = g_queue_pop_head(ctxt->tokens);
    return ctxt->current;
}

static JSONToken *peek_token(JSONParserContext *ctxt)
{
    return g_queue_peek_head(ctxt->tokens);
}

/* Decodes one code point of UTF-8 at *s; -1 if invalid. */
static int decode_utf8(const unsigned char **s)
{
    const unsigned char *p = *s;
    int len, cp, min, i;

    if (p[0] < 0x80) {
        *s = p + 1;
        return p[0];
    } else if ((p[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = p[0] & 0x1F;
        min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = p[0] & 0x0F;
        min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = p[0] & 0x07;
        min = 0x10000;
    } else {
        return -1;
    }
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return -1;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return -1;
    }
    *s = p + len;
    return cp;
}

static void append_utf8(GString *s, int cp)
{
    char buf[6];

    if (cp == 0) {
        g_string_append_len(s, "\xC0\x80", 2);
        return;
    }
    g_string_append_len(s, buf, g_unichar_to_utf8(cp, buf));
}

static int hex4(const char *p)
{
    int v = 0, i;

    for (i = 0; i < 4; i++) {
        v = (v << 4) | g_ascii_xdigit_value(p[i]);
    }
    return v;
}

static QString *parse_string(JSONParserContext *ctxt, JSONToken *token)
{
    const char *p = token->str + 1;     /* skip the opening quote */
    char quote = token->str[0];
    GString *s = g_string_new(NULL);
    int cp, lo;

    while (*p != quote) {
        if (*p != '\\') {
            const unsigned char *u = (const unsigned char *)p;

            cp = decode_utf8(&u);
            if (cp < 0) {
                parse_error(ctxt, "invalid UTF-8 sequence in string");
                goto fail;
            }
            g_string_append_len(s, p, (const char *)u - p);
            p = (const char *)u;
            continue;
        }
        p++;
        switch (*p++) {
        case '"':
            g_string_append_c(s, '"');
            break;
        case '\'':
            g_string_append_c(s, '\'');
            break;
        case '\\':
            g_string_append_c(s, '\\');
            break;
        case '/':
            g_string_append_c(s, '/');
            break;
        case 'b':
            g_string_append_c(s, '\b');
            break;
        case 'f':
            g_string_append_c(s, '\f');
            break;
        case 'n':
            g_string_append_c(s, '\n');
            break;
        case 'r':
            g_string_append_c(s, '\r');
            break;
        case 't':
            g_string_append_c(s, '\t');
            break;
        case 'u':
            cp = hex4(p);
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && p[0] == '\\' &&
                p[1] == 'u' && (lo = hex4(p + 2)) >= 0xDC00 &&
                lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                parse_error(ctxt, "\\u%.4s is not a valid Unicode character",
                            p - 4);
                goto fail;
            }
            append_utf8(s, cp);
            break;
        default:
            /* the lexer only lets valid escapes through */
            g_assert_not_reached();
        }
    }
    return qstring_from_gstring(s);

fail:
    g_string_free(s, true);
    return NULL;
}

static QObject *parse_number(JSONParserContext *ctxt, JSONToken *token)
{
    const char *str = token->str;
    char *end;

    if (token->type == JSON_INTEGER) {
        int64_t i;
        uint64_t u;

        errno = 0;
        i = g_ascii_strtoll(str, &end, 10);
        if (!errno && !*end) {
            return QOBJECT(qnum_from_int(i));
        }
        if (str[0] != '-') {
            errno = 0;
            u = g_ascii_strtoull(str, &end, 10);
            if (!errno && !*end) {
                return QOBJECT(qnum_from_uint(u));
            }
        }
        /* too large for any integer type: fall back to double */
    }
    return QOBJECT(qnum_from_double(g_ascii_strtod(str, NULL)));
}

static QObject *parse_keyword(JSONParserContext *ctxt, JSONToken *token)
{
    if (!strcmp(token->str, "true")) {
        return QOBJECT(qbool_from_bool(true));
    } else if (!strcmp(token->str, "false")) {
        return QOBJECT(qbool_from_bool(false));
    } else if (!strcmp(token->str, "null")) {
        return QOBJECT(qnull());
    }
    parse_error(ctxt, "invalid keyword '%s'", token->str);
    return NULL;
}

static QObject *parse_interpolation(JSONParserContext *ctxt,
                                    JSONToken *token)
{
    const char *d = token->str;

    if (!ctxt->ap) {
        parse_error(ctxt, "interpolation not enabled");
        return NULL;
    }
    if (!strcmp(d, "%p")) {
        return va_arg(*ctxt->ap, QObject *);
    } else if (!strcmp(d, "%s")) {
        return QOBJECT(qstring_from_str(va_arg(*ctxt->ap, const char *)));
    } else if (!strcmp(d, "%f")) {
        return QOBJECT(qnum_from_double(va_arg(*ctxt->ap, double)));
    } else if (!strcmp(d, "%d") || !strcmp(d, "%i")) {
        return QOBJECT(qnum_from_int(va_arg(*ctxt->ap, int)));
    } else if (!strcmp(d, "%u")) {
        return QOBJECT(qnum_from_uint(va_arg(*ctxt->ap, unsigned int)));
    } else if (!strcmp(d, "%ld") || !strcmp(d, "%li")) {
        return QOBJECT(qnum_from_int(va_arg(*ctxt->ap, long)));
    } else if (!strcmp(d, "%lu")) {
        return QOBJECT(qnum_from_uint(va_arg(*ctxt->ap, unsigned long)));
    } else if (!strcmp(d, "%lld") || !strcmp(d, "%lli")) {
        return QOBJECT(qnum_from_int(va_arg(*ctxt->ap, long long)));
    } else if (!strcmp(d, "%llu")) {
        return QOBJECT(qnum_from_uint(va_arg(*ctxt->ap,
                                             unsigned long long)));
    }
    parse_error(ctxt, "invalid interpolation '%s'", d);
    return NULL;
}

static QObject *parse_object(JSONParserContext *ctxt)
{
    QDict *dict = qdict_new();
    JSONToken *token;
    QObject *key, *value;
    char *name;

    token = peek_token(ctxt);
    if (token && token->type == JSON_RCURLY) {
        pop_token(ctxt);
        return QOBJECT(dict);
    }
    for (;;) {
        if (!peek_token(ctxt)) {
            parse_error(ctxt, "premature EOI");
            goto fail;
        }
        key = parse_value(ctxt);
        if (!key || qobject_type(key) != QTYPE_QSTRING) {
            qobject_unref(key);
            parse_error(ctxt, "key is not a string in object");
            goto fail;
        }
        name = g_strdup(qstring_get_str(qobject_to(QString, key)));
        qobject_unref(key);
        token = pop_token(ctxt);
        if (!token || token->type != JSON_COLON) {
            g_free(name);
            parse_error(ctxt, token ? "missing : in object pair"
                                    : "premature EOI");
            goto fail;
        }
        value = parse_value(ctxt);
        if (!value) {
            g_free(name);
            parse_error(ctxt, "Missing value in dict");
            goto fail;
        }
        if (qdict_haskey(dict, name)) {
            g_free(name);
            qobject_unref(value);
            parse_error(ctxt, "duplicate key");
            goto fail;
        }
        qdict_put_obj(dict, name, value);
        g_free(name);
        token = pop_token(ctxt);
        if (!token) {
            parse_error(ctxt, "premature EOI");
            goto fail;
        }
        if (token->type == JSON_RCURLY) {
            return QOBJECT(dict);
        }
        if (token->type != JSON_COMMA) {
            parse_error(ctxt, "expected separator in dict");
            goto fail;
        }
    }

fail:
    qobject_unref(dict);
    return NULL;
}

static QObject *parse_array(JSONParserContext *ctxt)
{
    QList *list = qlist_new();
    JSONToken *token;
    QObject *value;

    token = peek_token(ctxt);
    if (token && token->type == JSON_RSQUARE) {
        pop_token(ctxt);
        return QOBJECT(list);
    }
    for (;;) {
        if (!peek_token(ctxt)) {
            parse_error(ctxt, "premature EOI");
            goto fail;
        }
        value = parse_value(ctxt);
        if (!value) {
            goto fail;
        }
        qlist_append_obj(list, value);
        token = pop_token(ctxt);
        if (!token) {
            parse_error(ctxt, "premature EOI");
            goto fail;
        }
        if (token->type == JSON_RSQUARE) {
            return QOBJECT(list);
        }
        if (token->type != JSON_COMMA) {
            parse_error(ctxt, "expected separator in list");
            goto fail;
        }
    }

fail:
    qobject_unref(list);
    return NULL;
}

static QObject *parse_value(JSONParserContext *ctxt)
{
    JSONToken *token = pop_token(ctxt);

    if (!token) {
        parse_error(ctxt, "premature EOI");
        return NULL;
    }
    switch (token->type) {
    case JSON_LCURLY:
        return parse_object(ctxt);
    case JSON_LSQUARE:
        return parse_array(ctxt);
    case JSON_STRING:
        return QOBJECT(parse_string(ctxt, token));
    case JSON_INTEGER:
    case JSON_FLOAT:
        return parse_number(ctxt, token);
    case JSON_KEYWORD:
        return parse_keyword(ctxt, token);
    case JSON_INTERP:
        return parse_interpolation(ctxt, token);
    default:
        parse_error(ctxt, "expecting value");
        return NULL;
    }
}

QObject *json_parser_parse(GQueue *tokens, va_list *ap, Error **errp)
{
    JSONParserContext ctxt = {
        .tokens = tokens,
        .ap = ap,
    };
    QObject *result;

    result = parse_value(&ctxt);
    if (result && !ctxt.err && peek_token(&ctxt)) {
        parse_error(&ctxt, "expecting end of input");
    }
    g_free(ctxt.current);
    if (ctxt.err) {
        qobject_unref(result);
        error_propagate(errp, ctxt.err);
        return NULL;
    }
    return result;
}
