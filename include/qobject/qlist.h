/*
 * QList: a JSON array.  A singly linked list of entries with a tail
 * pointer; append steals the reference to the value.
 *
 *     QListEntry *e;
 *     QLIST_FOREACH_ENTRY(list, e) {
 *         use(qlist_entry_obj(e));
 *     }
 */
#ifndef QOBJECT_QLIST_H
#define QOBJECT_QLIST_H

#include "qobject/qobject.h"

typedef struct QListEntry {
    QObject *value;
    struct QListEntry *next;
} QListEntry;

struct QList {
    QObjectBase_ base;
    QListEntry *head;
    QListEntry *tail;
    size_t size;
};

#define QLIST_FOREACH_ENTRY(qlist, var) \
    for ((var) = (qlist)->head; (var); (var) = (var)->next)

QList *qlist_new(void);
QList *qlist_copy(QList *src);  /* shallow: shares the values */

void qlist_append_obj(QList *qlist, QObject *obj);
#define qlist_append(qlist, obj) qlist_append_obj(qlist, QOBJECT(obj))
void qlist_append_int(QList *qlist, int64_t value);
void qlist_append_bool(QList *qlist, bool value);
void qlist_append_str(QList *qlist, const char *value);
void qlist_append_null(QList *qlist);

/* Removes the first element; the caller owns the returned reference. */
QObject *qlist_pop(QList *qlist);
/* First element (borrowed), NULL if empty. */
QObject *qlist_peek(QList *qlist);
bool qlist_empty(const QList *qlist);
size_t qlist_size(const QList *qlist);

static inline const QListEntry *qlist_first(const QList *qlist)
{
    return qlist->head;
}

static inline const QListEntry *qlist_next(const QListEntry *entry)
{
    return entry->next;
}

static inline QObject *qlist_entry_obj(const QListEntry *entry)
{
    return entry->value;
}

bool qlist_is_equal(const QObject *x, const QObject *y);
void qlist_destroy_obj(QObject *obj);

static inline void qlist_unref(QList *q)
{
    qobject_unref(q);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QList, qlist_unref)

#endif
