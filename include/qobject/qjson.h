/*
 * JSON text <-> QObject, the whole-string interface.
 *
 * Parsing accepts QEMU's dialect: RFC 8259 JSON plus single-quoted
 * strings.  Strings must be valid UTF-8.  A text holding more than one
 * value is an error ("Expecting at most one JSON value").
 *
 * Output is QEMU's compact form: `{"a": 1, "b": [true, null]}` with
 * non-ASCII as \uXXXX (upper-case hex, surrogate pairs above U+FFFF).
 */
#ifndef QOBJECT_QJSON_H
#define QOBJECT_QJSON_H

#include "qobject/qobject.h"
#include "qapi/error.h"

/* NULL with *errp set on error; NULL without error for empty input. */
QObject *qobject_from_json(const char *string, Error **errp);

/*
 * Interpolating parser for tests and internal callers: the text may
 * contain %d %i %u %ld %lu %lld %llu %" PRId64 " %" PRIu64 " %f %s %p %%
 * outside strings (%p consumes a QObject *, stealing it; %s becomes a
 * JSON string).  Aborts on any error.
 */
QObject *qobject_from_jsonf_nofail(const char *string, ...)
    G_GNUC_PRINTF(1, 2);
QObject *qobject_from_vjsonf_nofail(const char *string, va_list ap)
    G_GNUC_PRINTF(1, 0);
/* the same, asserting the result is a dict */
QDict *qdict_from_jsonf_nofail(const char *string, ...) G_GNUC_PRINTF(1, 2);
QDict *qdict_from_vjsonf_nofail(const char *string, va_list ap)
    G_GNUC_PRINTF(1, 0);

/* Compact JSON text of @obj. */
GString *qobject_to_json(const QObject *obj);
/* With @pretty: newline + 4-space indentation per level. */
GString *qobject_to_json_pretty(const QObject *obj, bool pretty);

#endif
