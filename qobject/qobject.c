/*
 * QObject base: reference counting, type checks, deep comparison.
 */
#include "qemu/osdep.h"
#include "qobject/qobject.h"
#include "qobject/qnull.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

static const char *const qtype_names[QTYPE__MAX] = {
    [QTYPE_NONE] = "none",
    [QTYPE_QNULL] = "qnull",
    [QTYPE_QNUM] = "qnum",
    [QTYPE_QSTRING] = "qstring",
    [QTYPE_QDICT] = "qdict",
    [QTYPE_QLIST] = "qlist",
    [QTYPE_QBOOL] = "qbool",
};

const char *QType_str(QType type)
{
    assert(type >= 0 && type < QTYPE__MAX);
    return qtype_names[type];
}

void qobject_init(QObject *obj, QType type)
{
    assert(type > QTYPE_NONE && type < QTYPE__MAX);
    obj->base.refcnt = 1;
    obj->base.type = type;
}

void qobject_ref_impl(QObject *obj)
{
    if (obj) {
        g_atomic_int_inc(&obj->base.refcnt);
    }
}

void qobject_unref_impl(QObject *obj)
{
    if (!obj) {
        return;
    }
    assert(obj->base.refcnt > 0);
    if (g_atomic_int_dec_and_test(&obj->base.refcnt)) {
        qobject_destroy(obj);
    }
}

QObject *qobject_check_type(const QObject *obj, QType type)
{
    if (obj && qobject_type(obj) == type) {
        return (QObject *)obj;
    }
    return NULL;
}

void qobject_destroy(QObject *obj)
{
    switch (qobject_type(obj)) {
    case QTYPE_QNULL:
        /* the singleton is never freed */
        g_assert_not_reached();
    case QTYPE_QNUM:
        qnum_destroy_obj(obj);
        break;
    case QTYPE_QSTRING:
        qstring_destroy_obj(obj);
        break;
    case QTYPE_QDICT:
        qdict_destroy_obj(obj);
        break;
    case QTYPE_QLIST:
        qlist_destroy_obj(obj);
        break;
    case QTYPE_QBOOL:
        qbool_destroy_obj(obj);
        break;
    default:
        g_assert_not_reached();
    }
}

bool qobject_is_equal(const QObject *x, const QObject *y)
{
    if (x == y) {
        return true;
    }
    if (!x || !y || qobject_type(x) != qobject_type(y)) {
        return false;
    }
    switch (qobject_type(x)) {
    case QTYPE_QNULL:
        return qnull_is_equal(x, y);
    case QTYPE_QNUM:
        return qnum_is_equal(x, y);
    case QTYPE_QSTRING:
        return qstring_is_equal(x, y);
    case QTYPE_QDICT:
        return qdict_is_equal(x, y);
    case QTYPE_QLIST:
        return qlist_is_equal(x, y);
    case QTYPE_QBOOL:
        return qbool_is_equal(x, y);
    default:
        g_assert_not_reached();
    }
}
