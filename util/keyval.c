/*
 * keyval parser (grammar and examples in include/qemu/keyval.h).
 *
 * Parsing is two passes: the first builds nested QDicts from the dotted
 * keys, the second turns every dict whose keys are all indices into a
 * QList (checking that no index is missing).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/keyval.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"
#include "qobject/qjson.h"

#define KEY_FRAGMENT_MAX 127
/* like the JSON parser's limit: bounds the recursion of listify() */
#define KEY_DEPTH_MAX 1024

bool is_help_option(const char *s)
{
    return !strcmp(s, "help") || !strcmp(s, "?");
}

/* Length of the "help"/"?" item at @s (up to ','), or 0. */
static size_t help_item_len(const char *s, size_t len)
{
    if ((len == 4 && !strncmp(s, "help", 4)) || (len == 1 && *s == '?')) {
        return len;
    }
    return 0;
}

/* A list index: decimal digits.  Returns its length, or 0. */
static size_t index_len(const char *s)
{
    size_t n = 0;

    while (g_ascii_isdigit(s[n])) {
        n++;
    }
    return n;
}

/* A QAPI name: letter, then letters, digits, '-', '_'.  Length or 0. */
static size_t name_len(const char *s)
{
    size_t n = 0;

    if (!g_ascii_isalpha(s[0])) {
        return 0;
    }
    while (g_ascii_isalnum(s[n]) || s[n] == '-' || s[n] == '_') {
        n++;
    }
    return n;
}

/* Index value of a whole key string, or -1 if it is not an index. */
static int key_index(const char *key)
{
    uint64_t v;

    if (!g_ascii_isdigit(*key) || qemu_strtou64(key, NULL, 10, &v) < 0) {
        return -1;
    }
    return v < INT_MAX ? (int)v : INT_MAX;
}

/*
 * Store @value (a new QString; or NULL meaning "a nested dict") under
 * @name in @cur.  @key/@key_len name the full key so far for errors.
 */
static QObject *put_member(QDict *cur, const char *name, QString *value,
                           const char *key, int key_len, Error **errp)
{
    QObject *old = qdict_get(cur, name);
    QObject *obj;

    if (old) {
        QType want = value ? QTYPE_QSTRING : QTYPE_QDICT;

        if (qobject_type(old) != want) {
            error_setg(errp, "Parameters '%.*s.*' used inconsistently",
                       key_len, key);
            qobject_unref(value);
            return NULL;
        }
        if (!value) {
            return old;
        }
    }
    obj = value ? QOBJECT(value) : QOBJECT(qdict_new());
    qdict_put_obj(cur, name, obj);
    return obj;
}

/* Reads a value with ",," escapes from @s; returns where it stopped. */
static const char *read_value(const char *s, GString *val)
{
    while (*s) {
        if (*s == ',') {
            if (s[1] != ',') {
                break;
            }
            s++;
        }
        g_string_append_c(val, *s++);
    }
    return s;
}

/*
 * Parse one item at @params into @qdict.  Returns the start of the next
 * item, or NULL with @errp set.
 */
static const char *parse_item(QDict *qdict, const char *params,
                              const char *implied_key, bool *help,
                              Error **errp)
{
    size_t len = strcspn(params, "=,");
    const char *key = params, *key_end, *s;
    const char *implied_val_end = NULL;
    char frag[KEY_FRAGMENT_MAX + 1];
    QDict *cur = qdict;
    GString *val;
    int depth;

    if (len && params[len] != '=') {
        if (help_item_len(params, len)) {
            *help = true;
            s = params + len;
            return *s == ',' ? s + 1 : s;
        }
        if (implied_key) {
            key = implied_key;
            implied_val_end = params + len;
            len = strlen(implied_key);
        }
    }
    key_end = key + len;

    /* walk the key fragments, descending into nested dicts */
    s = key;
    for (depth = 0;; depth++) {
        size_t flen = s != key ? index_len(s) : 0;

        if (depth >= KEY_DEPTH_MAX) {
            error_setg(errp, "Parameter '%.*s' is nested too deeply",
                       (int)(key_end - key), key);
            return NULL;
        }
        if (!flen) {
            flen = name_len(s);
        }
        if (!flen || (s + flen < key_end && s[flen] != '.')) {
            error_setg(errp, "Invalid parameter '%.*s'",
                       (int)(key_end - key), key);
            return NULL;
        }
        if (flen > KEY_FRAGMENT_MAX) {
            error_setg(errp, "Parameter%s '%.*s' is too long",
                       s != key || s + flen != key_end ? " fragment" : "",
                       (int)flen, s);
            return NULL;
        }
        if (s != key) {
            /* @frag names a dict holding the rest of the key */
            QObject *next = put_member(cur, frag, NULL, key,
                                       (int)(s - 1 - key), errp);

            if (!next) {
                return NULL;
            }
            cur = qobject_to(QDict, next);
        }
        memcpy(frag, s, flen);
        frag[flen] = 0;
        s += flen;
        if (*s != '.') {
            break;
        }
        s++;
    }

    val = g_string_new(NULL);
    if (implied_val_end) {
        g_string_append_len(val, params, implied_val_end - params);
        s = implied_val_end;
    } else {
        if (*s != '=') {
            error_setg(errp, "Expected '=' after parameter '%.*s'",
                       (int)(s - key), key);
            g_string_free(val, true);
            return NULL;
        }
        s = read_value(s + 1, val);
    }
    if (*s == ',') {
        s++;
    }
    if (!put_member(cur, frag, qstring_from_gstring(val), key,
                    (int)(key_end - key), errp)) {
        return NULL;
    }
    return s;
}

/* "a.b." for the key path @path (innermost last), for messages */
static char *path_str(GPtrArray *path)
{
    GString *s = g_string_new("");
    guint i;

    for (i = 0; i < path->len; i++) {
        g_string_append_printf(s, "%s.", (char *)g_ptr_array_index(path, i));
    }
    return g_string_free(s, false);
}

static QObject *listify(QDict *cur, GPtrArray *path, Error **errp);

/* Listify the nested dicts of @cur in place. */
static bool listify_members(QDict *cur, GPtrArray *path, bool *has_index,
                            bool *has_member, Error **errp)
{
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    const QDictEntry *ent;
    guint i;

    for (ent = qdict_first(cur); ent; ent = qdict_next(cur, ent)) {
        g_ptr_array_add(keys, g_strdup(qdict_entry_key(ent)));
    }
    for (i = 0; i < keys->len; i++) {
        const char *k = g_ptr_array_index(keys, i);
        QDict *sub = qobject_to(QDict, qdict_get(cur, k));
        QObject *res;

        if (key_index(k) >= 0) {
            *has_index = true;
        } else {
            *has_member = true;
        }
        if (!sub) {
            continue;
        }
        g_ptr_array_add(path, (char *)k);
        res = listify(sub, path, errp);
        g_ptr_array_remove_index(path, path->len - 1);
        if (!res) {
            return false;
        }
        if (res != QOBJECT(sub)) {
            qdict_put_obj(cur, k, res);
        }
    }
    return true;
}

/*
 * Returns @cur itself, a new QList replacing it, or NULL with @errp set.
 */
static QObject *listify(QDict *cur, GPtrArray *path, Error **errp)
{
    bool has_index = false, has_member = false;
    const QDictEntry *ent;
    size_t n = qdict_size(cur);
    g_autofree QObject **elems = NULL;
    QList *list;
    int max = -1;
    int i;

    if (!listify_members(cur, path, &has_index, &has_member, errp)) {
        return NULL;
    }
    if (has_index && has_member) {
        g_autofree char *p = path_str(path);

        error_setg(errp, "Parameters '%s*' used inconsistently", p);
        return NULL;
    }
    if (!has_index) {
        return QOBJECT(cur);
    }

    /* n distinct indices must be exactly 0..n-1 */
    elems = g_new0(QObject *, n);
    for (ent = qdict_first(cur); ent; ent = qdict_next(cur, ent)) {
        int idx = key_index(qdict_entry_key(ent));

        max = MAX(max, idx);
        if ((size_t)idx < n) {
            elems[idx] = qdict_entry_value(ent);
        }
    }
    list = qlist_new();
    for (i = 0; i <= max; i++) {
        if ((size_t)i >= n || !elems[i]) {
            g_autofree char *p = path_str(path);

            error_setg(errp, "Parameter '%s%d' missing", p, i);
            qobject_unref(list);
            return NULL;
        }
        qlist_append_obj(list, qobject_ref(elems[i]));
    }
    return QOBJECT(list);
}

QDict *keyval_parse_into(QDict *qdict, const char *params,
                         const char *implied_key, bool *p_help,
                         Error **errp)
{
    g_autoptr(GPtrArray) path = g_ptr_array_new();
    bool help = false;
    const char *s = params;
    QObject *res;

    while (*s) {
        s = parse_item(qdict, s, implied_key, &help, errp);
        if (!s) {
            return NULL;
        }
        implied_key = NULL;
    }
    if (p_help) {
        *p_help = help;
    } else if (help) {
        error_setg(errp, "Help is not available for this option");
        return NULL;
    }
    res = listify(qdict, path, errp);
    if (!res) {
        return NULL;
    }
    assert(res == QOBJECT(qdict));
    return qdict;
}

QDict *keyval_parse(const char *params, const char *implied_key,
                    bool *help, Error **errp)
{
    QDict *qdict = qdict_new();

    if (!keyval_parse_into(qdict, params, implied_key, help, errp)) {
        qobject_unref(qdict);
        return NULL;
    }
    return qdict;
}

QDict *qobject_input_from_option_help(const char *arg,
                                      const char *implied_key, bool *help,
                                      Error **errp)
{
    QObject *obj;
    QDict *dict;

    if (help) {
        *help = false;
    }
    if (arg[0] != '{') {
        return keyval_parse(arg, implied_key, help, errp);
    }
    obj = qobject_from_json(arg, errp);
    if (!obj) {
        return NULL;
    }
    dict = qobject_to(QDict, obj);
    if (!dict) {
        error_setg(errp, "JSON object expected");
        qobject_unref(obj);
        return NULL;
    }
    return dict;
}

QDict *qobject_input_from_option(const char *arg, const char *implied_key,
                                 Error **errp)
{
    return qobject_input_from_option_help(arg, implied_key, NULL, errp);
}
