/*
 * QString: an immutable NUL-terminated UTF-8 string.  (U+0000 is held
 * as the two bytes C0 80, like QEMU, so a string never contains NUL.)
 */
#ifndef QOBJECT_QSTRING_H
#define QOBJECT_QSTRING_H

#include "qobject/qobject.h"

struct QString {
    QObjectBase_ base;
    const char *string;
};

QString *qstring_new(void);
QString *qstring_from_str(const char *str);
/* bytes [start, end) of @str */
QString *qstring_from_substr(const char *str, size_t start, size_t end);
/* takes ownership of @gstr's contents and frees @gstr */
QString *qstring_from_gstring(GString *gstr);
const char *qstring_get_str(const QString *qstring);
bool qstring_is_equal(const QObject *x, const QObject *y);
void qstring_destroy_obj(QObject *obj);

static inline void qstring_unref(QString *q)
{
    qobject_unref(q);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QString, qstring_unref)

#endif
