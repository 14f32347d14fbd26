/*
 * QDict: a JSON object, string keys -> QObject values.
 *
 * Entries are kept in insertion order (output follows it); replacing the
 * value of an existing key keeps its position.  Lookup is by hash table.
 * The put functions steal the reference to the value.
 *
 *     for (e = qdict_first(d); e; e = qdict_next(d, e)) {
 *         use(qdict_entry_key(e), qdict_entry_value(e));
 *     }
 *
 * Deleting the current entry while iterating is not allowed (collect the
 * keys first).
 */
#ifndef QOBJECT_QDICT_H
#define QOBJECT_QDICT_H

#include "qobject/qobject.h"

typedef struct QDictEntry {
    char *key;
    QObject *value;
    struct QDictEntry *next;
    struct QDictEntry *prev;
} QDictEntry;

struct QDict {
    QObjectBase_ base;
    size_t size;
    GHashTable *table;          /* key -> QDictEntry * */
    QDictEntry *first;
    QDictEntry *last;
};

QDict *qdict_new(void);
size_t qdict_size(const QDict *qdict);

/* Adds or replaces @key; steals @value's reference. */
void qdict_put_obj(QDict *qdict, const char *key, QObject *value);
#define qdict_put(qdict, key, obj) qdict_put_obj(qdict, key, QOBJECT(obj))
void qdict_put_int(QDict *qdict, const char *key, int64_t value);
void qdict_put_bool(QDict *qdict, const char *key, bool value);
void qdict_put_str(QDict *qdict, const char *key, const char *value);
void qdict_put_null(QDict *qdict, const char *key);

/* Borrowed reference, or NULL if absent. */
QObject *qdict_get(const QDict *qdict, const char *key);
bool qdict_haskey(const QDict *qdict, const char *key);
/* Removes @key (and drops the reference to its value) if present. */
void qdict_del(QDict *qdict, const char *key);

/* Typed getters: the key must exist with the right type (asserted). */
int64_t qdict_get_int(const QDict *qdict, const char *key);
double qdict_get_double(const QDict *qdict, const char *key);
bool qdict_get_bool(const QDict *qdict, const char *key);
const char *qdict_get_str(const QDict *qdict, const char *key);
/* NULL if absent or not of that type */
QList *qdict_get_qlist(const QDict *qdict, const char *key);
QDict *qdict_get_qdict(const QDict *qdict, const char *key);

/* Tolerant getters: the default (or NULL) if absent or of another type. */
int64_t qdict_get_try_int(const QDict *qdict, const char *key,
                          int64_t def_value);
bool qdict_get_try_bool(const QDict *qdict, const char *key, bool def_value);
const char *qdict_get_try_str(const QDict *qdict, const char *key);

const QDictEntry *qdict_first(const QDict *qdict);
const QDictEntry *qdict_next(const QDict *qdict, const QDictEntry *entry);
const char *qdict_entry_key(const QDictEntry *entry);
QObject *qdict_entry_value(const QDictEntry *entry);

/* New dict with the same keys; values are shared (new references). */
QDict *qdict_clone_shallow(const QDict *src);
/* Copies @key from @src to @dst if @dst lacks it. */
void qdict_copy_default(QDict *dst, QDict *src, const char *key);
void qdict_set_default_str(QDict *dst, const char *key, const char *val);

bool qdict_is_equal(const QObject *x, const QObject *y);
void qdict_destroy_obj(QObject *obj);

static inline void qdict_unref(QDict *q)
{
    qobject_unref(q);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QDict, qdict_unref)

#endif
