/*
 * QNum: numbers as int64, uint64 or double, with exact conversions.
 */
#include "qemu/osdep.h"
#include "qobject/qnum.h"

static QNum *qnum_alloc(QNumKind kind)
{
    QNum *qn = g_new(QNum, 1);

    qobject_init(QOBJECT(qn), QTYPE_QNUM);
    qn->kind = kind;
    return qn;
}

QNum *qnum_from_int(int64_t value)
{
    QNum *qn = qnum_alloc(QNUM_I64);

    qn->u.i64 = value;
    return qn;
}

QNum *qnum_from_uint(uint64_t value)
{
    QNum *qn = qnum_alloc(QNUM_U64);

    qn->u.u64 = value;
    return qn;
}

QNum *qnum_from_double(double value)
{
    QNum *qn = qnum_alloc(QNUM_DOUBLE);

    qn->u.dbl = value;
    return qn;
}

bool qnum_get_try_int(const QNum *qn, int64_t *val)
{
    switch (qn->kind) {
    case QNUM_I64:
        *val = qn->u.i64;
        return true;
    case QNUM_U64:
        if (qn->u.u64 > INT64_MAX) {
            return false;
        }
        *val = qn->u.u64;
        return true;
    case QNUM_DOUBLE:
        return false;
    }
    g_assert_not_reached();
}

int64_t qnum_get_int(const QNum *qn)
{
    int64_t val;
    bool ok = qnum_get_try_int(qn, &val);

    assert(ok);
    return val;
}

bool qnum_get_try_uint(const QNum *qn, uint64_t *val)
{
    switch (qn->kind) {
    case QNUM_I64:
        if (qn->u.i64 < 0) {
            return false;
        }
        *val = qn->u.i64;
        return true;
    case QNUM_U64:
        *val = qn->u.u64;
        return true;
    case QNUM_DOUBLE:
        return false;
    }
    g_assert_not_reached();
}

uint64_t qnum_get_uint(const QNum *qn)
{
    uint64_t val;
    bool ok = qnum_get_try_uint(qn, &val);

    assert(ok);
    return val;
}

double qnum_get_double(const QNum *qn)
{
    switch (qn->kind) {
    case QNUM_I64:
        return qn->u.i64;
    case QNUM_U64:
        return qn->u.u64;
    case QNUM_DOUBLE:
        return qn->u.dbl;
    }
    g_assert_not_reached();
}

char *qnum_to_string(QNum *qn)
{
    switch (qn->kind) {
    case QNUM_I64:
        return g_strdup_printf("%" PRId64, qn->u.i64);
    case QNUM_U64:
        return g_strdup_printf("%" PRIu64, qn->u.u64);
    case QNUM_DOUBLE:
        /* 17 significant digits make every double round-trip */
        return g_strdup_printf("%.17g", qn->u.dbl);
    }
    g_assert_not_reached();
}

bool qnum_is_equal(const QObject *x, const QObject *y)
{
    const QNum *a = qobject_to(QNum, x);
    const QNum *b = qobject_to(QNum, y);
    int64_t ia, ib;
    uint64_t ua, ub;

    if (a->kind == QNUM_DOUBLE || b->kind == QNUM_DOUBLE) {
        if (a->kind != b->kind) {
            /* an integer equals a double only if the double is exact */
            const QNum *d = a->kind == QNUM_DOUBLE ? a : b;
            const QNum *n = a->kind == QNUM_DOUBLE ? b : a;
            double dv = d->u.dbl;

            if (n->kind == QNUM_U64) {
                return dv >= 0 && dv < 18446744073709551616.0 &&
                       (uint64_t)dv == n->u.u64 && dv == (double)n->u.u64;
            }
            return dv >= -9223372036854775808.0 &&
                   dv < 9223372036854775808.0 &&
                   (int64_t)dv == n->u.i64 && dv == (double)n->u.i64;
        }
        return a->u.dbl == b->u.dbl;
    }
    if (qnum_get_try_int(a, &ia) && qnum_get_try_int(b, &ib)) {
        return ia == ib;
    }
    if (qnum_get_try_uint(a, &ua) && qnum_get_try_uint(b, &ub)) {
        return ua == ub;
    }
    return false;
}

void qnum_destroy_obj(QObject *obj)
{
    g_free(qobject_to(QNum, obj));
}
