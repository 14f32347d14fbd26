/*
 * QNull: the JSON null.  There is a single instance; qnull() returns a
 * new reference to it.
 */
#ifndef QOBJECT_QNULL_H
#define QOBJECT_QNULL_H

#include "qobject/qobject.h"

struct QNull {
    QObjectBase_ base;
};

extern QNull qnull_;

static inline QNull *qnull(void)
{
    return qobject_ref(&qnull_);
}

bool qnull_is_equal(const QObject *x, const QObject *y);

static inline void qnull_unref(QNull *q)
{
    qobject_unref(q);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QNull, qnull_unref)

#endif
