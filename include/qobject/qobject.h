/*
 * QObject: the reference-counted, dynamically typed values behind QMP.
 *
 * Every concrete type (QNull, QNum, QString, QDict, QList, QBool) starts
 * with a QObjectBase_ member named "base", so a pointer to any of them
 * converts to QObject * with QOBJECT() and back with qobject_to():
 *
 *     QDict *d = qdict_new();                 refcount 1
 *     QObject *o = QOBJECT(d);                same object, no new ref
 *     QDict *again = qobject_to(QDict, o);    NULL if o is not a QDict
 *     qobject_unref(d);                       refcount 0: freed
 *
 * Reference counts are atomic, so a value may be shared between threads
 * as long as nobody modifies it after sharing.  Containers "steal" the
 * reference passed to their put/append functions.
 */
#ifndef QOBJECT_QOBJECT_H
#define QOBJECT_QOBJECT_H

#include "qapi/error.h"

typedef enum QType {
    QTYPE_NONE,
    QTYPE_QNULL,
    QTYPE_QNUM,
    QTYPE_QSTRING,
    QTYPE_QDICT,
    QTYPE_QLIST,
    QTYPE_QBOOL,
    QTYPE__MAX,
} QType;

/* "none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool" */
const char *QType_str(QType type);

typedef struct QObjectBase_ {
    QType type;
    int refcnt;
} QObjectBase_;

typedef struct QObject {
    QObjectBase_ base;
} QObject;

typedef struct QNull QNull;
typedef struct QNum QNum;
typedef struct QString QString;
typedef struct QDict QDict;
typedef struct QList QList;
typedef struct QBool QBool;

#ifndef glue
#define xglue(x, y) x ## y
#define glue(x, y) xglue(x, y)
#endif

/* Used by qobject_to(): the QType of each C type. */
#define QTYPE_CAST_TO_QNull     QTYPE_QNULL
#define QTYPE_CAST_TO_QNum      QTYPE_QNUM
#define QTYPE_CAST_TO_QString   QTYPE_QSTRING
#define QTYPE_CAST_TO_QDict     QTYPE_QDICT
#define QTYPE_CAST_TO_QList     QTYPE_QLIST
#define QTYPE_CAST_TO_QBool     QTYPE_QBOOL

/* Any of the Q types (or NULL) -> QObject * (NULL stays NULL). */
#define QOBJECT(obj) ({                                         \
    typeof(obj) qobj_ = (obj);                                  \
    qobj_ ? container_of(&qobj_->base, QObject, base) : NULL;   \
})

/* Initialise the header of a freshly allocated object (refcount 1). */
void qobject_init(QObject *obj, QType type);

void qobject_ref_impl(QObject *obj);
void qobject_unref_impl(QObject *obj);
QObject *qobject_check_type(const QObject *obj, QType type);

/**
 * qobject_ref: take a new reference; NULL is allowed.
 * Returns @obj with its own type, so `x = qobject_ref(y)` works.
 */
#define qobject_ref(obj) ({                     \
    typeof(obj) qref_ = (obj);                  \
    qobject_ref_impl(QOBJECT(qref_));           \
    qref_;                                      \
})

/* qobject_unref: drop a reference, freeing at zero; NULL is allowed. */
#define qobject_unref(obj) qobject_unref_impl(QOBJECT(obj))

/**
 * qobject_to: checked downcast.  Returns (type *)obj if @obj is non-NULL
 * and of that type, else NULL.  No reference is taken.
 */
#define qobject_to(type, obj) \
    ((type *)qobject_check_type(obj, glue(QTYPE_CAST_TO_, type)))

static inline QType qobject_type(const QObject *obj)
{
    assert(obj->base.type > QTYPE_NONE && obj->base.type < QTYPE__MAX);
    return obj->base.type;
}

/**
 * qobject_is_equal: deep comparison.  Numbers compare by value (an int
 * and a double are equal when they are the same number); two NULLs are
 * equal.  Dictionary member order does not matter.
 */
bool qobject_is_equal(const QObject *x, const QObject *y);

/* Frees an object whose refcount dropped to zero; internal. */
void qobject_destroy(QObject *obj);

static inline void qobject_unref_cleanup(QObject *obj)
{
    qobject_unref_impl(obj);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QObject, qobject_unref_cleanup)

#endif
