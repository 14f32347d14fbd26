/*
 * Flat <-> nested QDict conversions (see include/qobject/qdict-flat.h).
 */
#include "qemu/osdep.h"
#include "qobject/qdict-flat.h"
#include "qobject/qstring.h"
#include "qobject/qnum.h"

static void flatten_into(QDict *target, QObject *value, const char *prefix);

static void flatten_dict(QDict *target, QDict *dict, const char *prefix)
{
    const QDictEntry *e;

    for (e = qdict_first(dict); e; e = qdict_next(dict, e)) {
        g_autofree char *key = prefix ?
            g_strdup_printf("%s.%s", prefix, qdict_entry_key(e)) :
            g_strdup(qdict_entry_key(e));

        flatten_into(target, qdict_entry_value(e), key);
    }
}

static void flatten_into(QDict *target, QObject *value, const char *key)
{
    QDict *d = qobject_to(QDict, value);
    QList *l = qobject_to(QList, value);

    if (d && qdict_size(d)) {
        flatten_dict(target, d, key);
    } else if (l && !qlist_empty(l)) {
        const QListEntry *e;
        int i = 0;

        for (e = qlist_first(l); e; e = qlist_next(e), i++) {
            g_autofree char *k = g_strdup_printf("%s.%d", key, i);

            flatten_into(target, qlist_entry_obj(e), k);
        }
    } else {
        qdict_put_obj(target, key, qobject_ref(value));
    }
}

void qdict_flatten(QDict *qdict)
{
    QDict *flat = qdict_new();
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    const QDictEntry *e;
    guint i;

    flatten_dict(flat, qdict, NULL);
    for (e = qdict_first(qdict); e; e = qdict_next(qdict, e)) {
        g_ptr_array_add(keys, g_strdup(qdict_entry_key(e)));
    }
    for (i = 0; i < keys->len; i++) {
        qdict_del(qdict, keys->pdata[i]);
    }
    for (e = qdict_first(flat); e; e = qdict_next(flat, e)) {
        qdict_put_obj(qdict, qdict_entry_key(e),
                      qobject_ref(qdict_entry_value(e)));
    }
    qobject_unref(flat);
}

void qdict_extract_subqdict(QDict *src, QDict **dst, const char *start)
{
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    size_t len = strlen(start);
    const QDictEntry *e;
    guint i;

    if (dst) {
        *dst = qdict_new();
    }
    for (e = qdict_first(src); e; e = qdict_next(src, e)) {
        if (g_str_has_prefix(qdict_entry_key(e), start)) {
            g_ptr_array_add(keys, g_strdup(qdict_entry_key(e)));
        }
    }
    for (i = 0; i < keys->len; i++) {
        const char *key = keys->pdata[i];

        if (dst) {
            qdict_put_obj(*dst, key + len,
                          qobject_ref(qdict_get(src, key)));
        }
        qdict_del(src, key);
    }
}

static bool has_prefixed_key(QDict *src, const char *prefix)
{
    const QDictEntry *e;

    for (e = qdict_first(src); e; e = qdict_next(src, e)) {
        if (g_str_has_prefix(qdict_entry_key(e), prefix)) {
            return true;
        }
    }
    return false;
}

void qdict_array_split(QDict *src, QList **dst)
{
    unsigned i;

    *dst = qlist_new();
    for (i = 0; i < UINT_MAX; i++) {
        g_autofree char *key = g_strdup_printf("%u", i);
        g_autofree char *prefix = g_strdup_printf("%u.", i);
        QObject *obj = qdict_get(src, key);
        bool is_subdict = has_prefixed_key(src, prefix);

        if (obj && !is_subdict) {
            qlist_append_obj(*dst, qobject_ref(obj));
            qdict_del(src, key);
        } else if (!obj && is_subdict) {
            QDict *sub;

            qdict_extract_subqdict(src, &sub, prefix);
            qlist_append(*dst, sub);
        } else {
            break;
        }
    }
}

int qdict_array_entries(QDict *src, const char *subqdict)
{
    const QDictEntry *e;
    unsigned i, total = 0;

    for (e = qdict_first(src); e; e = qdict_next(src, e)) {
        if (g_str_has_prefix(qdict_entry_key(e), subqdict)) {
            total++;
        }
    }
    for (i = 0; i < INT_MAX; i++) {
        g_autofree char *key = g_strdup_printf("%s%u", subqdict, i);
        g_autofree char *prefix = g_strdup_printf("%s%u.", subqdict, i);
        bool scalar = qdict_haskey(src, key);
        unsigned sub = 0;

        for (e = qdict_first(src); e; e = qdict_next(src, e)) {
            if (g_str_has_prefix(qdict_entry_key(e), prefix)) {
                sub++;
            }
        }
        if (scalar && sub) {
            return -EINVAL;
        }
        if (!scalar && !sub) {
            break;
        }
        total -= scalar ? 1 : sub;
    }
    return total ? -EINVAL : (int)i;
}

/* Splits @key at the first unescaped '.'; "a..b" is the literal "a.b". */
static char *split_key(const char *key, const char **rest)
{
    GString *first = g_string_new(NULL);
    const char *p;

    for (p = key; *p; p++) {
        if (*p == '.') {
            if (p[1] == '.') {
                g_string_append_c(first, '.');
                p++;
                continue;
            }
            *rest = p + 1;
            return g_string_free(first, false);
        }
        g_string_append_c(first, *p);
    }
    *rest = NULL;
    return g_string_free(first, false);
}

/* A dict whose keys are exactly "0".."n-1" is a list. */
static int list_size(QDict *d, Error **errp)
{
    const QDictEntry *e;
    size_t n = qdict_size(d), numeric = 0;

    for (e = qdict_first(d); e; e = qdict_next(d, e)) {
        const char *k = qdict_entry_key(e);
        char *end;
        unsigned long v = strtoul(k, &end, 10);

        if (*k && !*end && (k[0] != '0' || !k[1]) && v < n) {
            numeric++;
        }
    }
    if (numeric && numeric != n) {
        error_setg(errp, "Cannot mix list and non-list keys");
        return -1;
    }
    return numeric ? (int)n : 0;
}

static QObject *crumple_dict(QDict *d, Error **errp);

static QObject *crumple_value(QObject *v, Error **errp)
{
    QDict *d = qobject_to(QDict, v);

    return d ? crumple_dict(d, errp) : qobject_ref(v);
}

static QObject *crumple_dict(QDict *d, Error **errp)
{
    int n = list_size(d, errp);
    const QDictEntry *e;

    if (n < 0) {
        return NULL;
    }
    if (n > 0) {
        QList *list = qlist_new();
        int i;

        for (i = 0; i < n; i++) {
            char key[16];
            QObject *v;

            snprintf(key, sizeof(key), "%d", i);
            v = crumple_value(qdict_get(d, key), errp);
            if (!v) {
                qobject_unref(list);
                return NULL;
            }
            qlist_append_obj(list, v);
        }
        return QOBJECT(list);
    } else {
        QDict *out = qdict_new();

        for (e = qdict_first(d); e; e = qdict_next(d, e)) {
            QObject *v = crumple_value(qdict_entry_value(e), errp);

            if (!v) {
                qobject_unref(out);
                return NULL;
            }
            qdict_put_obj(out, qdict_entry_key(e), v);
        }
        return QOBJECT(out);
    }
}

QObject *qdict_crumple(const QDict *src, Error **errp)
{
    g_autoptr(QDict) tree = qdict_new();
    const QDictEntry *e;

    /* build a tree of dicts keyed by path components */
    for (e = qdict_first(src); e; e = qdict_next(src, e)) {
        QDict *node = tree;
        const char *rest = qdict_entry_key(e);
        QObject *val = qdict_entry_value(e);

        /* empty containers are leaves (qdict_flatten keeps them) */
        if ((qobject_to(QDict, val) && qdict_size(qobject_to(QDict, val))) ||
            (qobject_to(QList, val) && !qlist_empty(qobject_to(QList, val)))) {
            error_setg(errp, "Value %s is not flat", qdict_entry_key(e));
            return NULL;
        }
        for (;;) {
            const char *next;
            g_autofree char *part = split_key(rest, &next);
            QObject *child = qdict_get(node, part);

            if (!next) {
                if (child) {
                    error_setg(errp, "Key %s prefix is already set as a "
                               "dict", qdict_entry_key(e));
                    return NULL;
                }
                qdict_put_obj(node, part, qobject_ref(val));
                break;
            }
            if (!child) {
                child = QOBJECT(qdict_new());
                qdict_put_obj(node, part, child);
            } else if (qobject_type(child) != QTYPE_QDICT) {
                error_setg(errp, "Key %s prefix is already set as a scalar",
                           qdict_entry_key(e));
                return NULL;
            }
            node = qobject_to(QDict, child);
            rest = next;
        }
    }
    return crumple_dict(tree, errp);
}

void qdict_join(QDict *dest, QDict *src, bool overwrite)
{
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    const QDictEntry *e;
    guint i;

    for (e = qdict_first(src); e; e = qdict_next(src, e)) {
        if (overwrite || !qdict_haskey(dest, qdict_entry_key(e))) {
            qdict_put_obj(dest, qdict_entry_key(e),
                          qobject_ref(qdict_entry_value(e)));
            g_ptr_array_add(keys, g_strdup(qdict_entry_key(e)));
        }
    }
    for (i = 0; i < keys->len; i++) {
        qdict_del(src, keys->pdata[i]);
    }
}
