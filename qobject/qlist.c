/* QList: singly linked list with a tail pointer. */
#include "qemu/osdep.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "qobject/qbool.h"
#include "qobject/qstring.h"
#include "qobject/qnull.h"

QList *qlist_new(void)
{
    QList *qlist = g_new0(QList, 1);

    qobject_init(QOBJECT(qlist), QTYPE_QLIST);
    return qlist;
}

QList *qlist_copy(QList *src)
{
    QList *dst = qlist_new();
    QListEntry *e;

    QLIST_FOREACH_ENTRY(src, e) {
        qlist_append_obj(dst, qobject_ref(e->value));
    }
    return dst;
}

void qlist_append_obj(QList *qlist, QObject *obj)
{
    QListEntry *e = g_new(QListEntry, 1);

    assert(obj);
    e->value = obj;
    e->next = NULL;
    if (qlist->tail) {
        qlist->tail->next = e;
    } else {
        qlist->head = e;
    }
    qlist->tail = e;
    qlist->size++;
}

void qlist_append_int(QList *qlist, int64_t value)
{
    qlist_append(qlist, qnum_from_int(value));
}

void qlist_append_bool(QList *qlist, bool value)
{
    qlist_append(qlist, qbool_from_bool(value));
}

void qlist_append_str(QList *qlist, const char *value)
{
    qlist_append(qlist, qstring_from_str(value));
}

void qlist_append_null(QList *qlist)
{
    qlist_append(qlist, qnull());
}

QObject *qlist_pop(QList *qlist)
{
    QListEntry *e = qlist->head;
    QObject *obj;

    if (!e) {
        return NULL;
    }
    qlist->head = e->next;
    if (!qlist->head) {
        qlist->tail = NULL;
    }
    qlist->size--;
    obj = e->value;
    g_free(e);
    return obj;
}

QObject *qlist_peek(QList *qlist)
{
    return qlist->head ? qlist->head->value : NULL;
}

bool qlist_empty(const QList *qlist)
{
    return qlist->head == NULL;
}

size_t qlist_size(const QList *qlist)
{
    return qlist->size;
}

bool qlist_is_equal(const QObject *x, const QObject *y)
{
    const QListEntry *a = qobject_to(QList, x)->head;
    const QListEntry *b = qobject_to(QList, y)->head;

    for (; a && b; a = a->next, b = b->next) {
        if (!qobject_is_equal(a->value, b->value)) {
            return false;
        }
    }
    return !a && !b;
}

void qlist_destroy_obj(QObject *obj)
{
    QList *qlist = qobject_to(QList, obj);
    QObject *val;

    while ((val = qlist_pop(qlist))) {
        qobject_unref(val);
    }
    g_free(qlist);
}
