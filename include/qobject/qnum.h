/*
 * QNum: a JSON number, stored as int64_t, uint64_t or double.
 *
 * The JSON parser produces QNUM_I64 for integers that fit int64_t,
 * QNUM_U64 for larger non-negative integers that fit uint64_t, and
 * QNUM_DOUBLE otherwise.  Getters convert where exact.
 */
#ifndef QOBJECT_QNUM_H
#define QOBJECT_QNUM_H

#include "qobject/qobject.h"

typedef enum QNumKind {
    QNUM_I64,
    QNUM_U64,
    QNUM_DOUBLE,
} QNumKind;

struct QNum {
    QObjectBase_ base;
    QNumKind kind;
    union {
        int64_t i64;
        uint64_t u64;
        double dbl;
    } u;
};

QNum *qnum_from_int(int64_t value);
QNum *qnum_from_uint(uint64_t value);
QNum *qnum_from_double(double value);

/* true and *val set if the number is an integer representable as int64 */
bool qnum_get_try_int(const QNum *qn, int64_t *val);
/* like qnum_get_try_int() but asserts success */
int64_t qnum_get_int(const QNum *qn);
/* true and *val set if the number is an integer representable as uint64 */
bool qnum_get_try_uint(const QNum *qn, uint64_t *val);
uint64_t qnum_get_uint(const QNum *qn);
/* any number as double (may round) */
double qnum_get_double(const QNum *qn);

/* JSON text of the number ("42", "-1", "1.5"); g_free() the result */
char *qnum_to_string(QNum *qn);

bool qnum_is_equal(const QObject *x, const QObject *y);
void qnum_destroy_obj(QObject *obj);

static inline void qnum_unref(QNum *q)
{
    qobject_unref(q);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QNum, qnum_unref)

#endif
