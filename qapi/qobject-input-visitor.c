/*
 * QObject input visitor: QObject tree -> QAPI C object.
 *
 * A stack mirrors the containers being visited: each level holds the
 * QDict or QList, for dicts the set of keys not yet visited (so
 * check_struct can report "Parameter 'x' is unexpected"), for lists the
 * next entry and its index.  Error messages name a member by its full
 * path from the root, e.g. 'capabilities[0].state'.
 *
 * Keyval mode (command line, -object): scalars arrive as strings and
 * are parsed ("123", "on", "1G").
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/visitor-impl.h"
#include "qobject/qnull.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "visitor-parse.h"

typedef struct StackObject {
    const char *name;           /* name in the parent; NULL at the root */
    int index_in_parent;        /* element index if the parent is a list */
    QObject *obj;               /* QDict or QList */
    GHashTable *unvisited;      /* dict keys not yet visited */
    const QListEntry *entry;    /* list: next element */
    int index;                  /* list: index of the last element taken */
    struct StackObject *next;   /* towards the root */
} StackObject;

typedef struct QObjectInputVisitor {
    Visitor visitor;
    QObject *root;
    bool keyval;
    StackObject *stack;
    GString *errname;
} QObjectInputVisitor;

static QObjectInputVisitor *to_qiv(Visitor *v)
{
    return container_of(v, QObjectInputVisitor, visitor);
}

static void prepend_component(GString *s, StackObject *parent,
                              const char *name, int index)
{
    bool is_list = parent && qobject_type(parent->obj) == QTYPE_QLIST;

    if (!is_list && !name) {
        return;
    }
    if (s->len && s->str[0] != '[') {
        g_string_prepend_c(s, '.');
    }
    if (is_list) {
        char buf[32];

        snprintf(buf, sizeof(buf), "[%d]", index);
        g_string_prepend(s, buf);
    } else {
        g_string_prepend(s, name);
    }
}

/* Full path of member @name of the current container. */
static const char *full_name(QObjectInputVisitor *qiv, const char *name)
{
    StackObject *so;

    g_string_truncate(qiv->errname, 0);
    if (qiv->stack) {
        prepend_component(qiv->errname, qiv->stack, name,
                          qiv->stack->index);
    } else if (name) {
        g_string_append(qiv->errname, name);
    }
    for (so = qiv->stack; so; so = so->next) {
        prepend_component(qiv->errname, so->next, so->name,
                          so->index_in_parent);
    }
    if (!qiv->errname->len) {
        g_string_append(qiv->errname, "<anonymous>");
    }
    return qiv->errname->str;
}

static QObject *try_get_object(QObjectInputVisitor *qiv, const char *name,
                               bool consume)
{
    StackObject *so = qiv->stack;
    QObject *ret;

    if (!so) {
        return qiv->root;
    }
    if (qobject_type(so->obj) == QTYPE_QDICT) {
        assert(name);
        ret = qdict_get(qobject_to(QDict, so->obj), name);
        if (ret && consume) {
            g_hash_table_remove(so->unvisited, name);
        }
        return ret;
    }
    if (!so->entry) {
        return NULL;
    }
    ret = so->entry->value;
    if (consume) {
        so->entry = so->entry->next;
        so->index++;
    }
    return ret;
}

static QObject *get_object(QObjectInputVisitor *qiv, const char *name,
                           bool consume, Error **errp)
{
    QObject *obj = try_get_object(qiv, name, consume);

    if (!obj) {
        StackObject *so = qiv->stack;

        if (so && qobject_type(so->obj) == QTYPE_QLIST) {
            error_setg(errp, "Parameter '%s' is missing",
                       full_name(qiv, NULL));
        } else {
            error_setg(errp, "Parameter '%s' is missing",
                       full_name(qiv, name));
        }
    }
    return obj;
}

static void type_error(QObjectInputVisitor *qiv, const char *name,
                       const char *expected, Error **errp)
{
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               full_name(qiv, name), expected);
}

static void push(QObjectInputVisitor *qiv, const char *name, QObject *obj)
{
    StackObject *so = g_new0(StackObject, 1);

    so->name = name;
    so->index_in_parent = qiv->stack ? qiv->stack->index : 0;
    so->obj = obj;
    so->index = -1;
    if (qobject_type(obj) == QTYPE_QDICT) {
        const QDict *d = qobject_to(QDict, obj);
        const QDictEntry *e;

        so->unvisited = g_hash_table_new(g_str_hash, g_str_equal);
        for (e = qdict_first(d); e; e = qdict_next(d, e)) {
            g_hash_table_add(so->unvisited, (gpointer)qdict_entry_key(e));
        }
    } else {
        so->entry = qlist_first(qobject_to(QList, obj));
    }
    so->next = qiv->stack;
    qiv->stack = so;
}

static void pop(QObjectInputVisitor *qiv)
{
    StackObject *so = qiv->stack;

    assert(so);
    qiv->stack = so->next;
    if (so->unvisited) {
        g_hash_table_destroy(so->unvisited);
    }
    g_free(so);
}

static bool qiv_start_struct(Visitor *v, const char *name, void **obj,
                             size_t size, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = get_object(qiv, name, true, errp);

    if (obj) {
        *obj = NULL;
    }
    if (!qobj) {
        return false;
    }
    if (qobject_type(qobj) != QTYPE_QDICT) {
        type_error(qiv, name, "object", errp);
        return false;
    }
    push(qiv, name, qobj);
    if (obj) {
        *obj = g_malloc0(size);
    }
    return true;
}

static bool qiv_check_struct(Visitor *v, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    StackObject *so = qiv->stack;
    const QDict *d = qobject_to(QDict, so->obj);
    const QDictEntry *e;

    /* report the first leftover in input order */
    for (e = qdict_first(d); e; e = qdict_next(d, e)) {
        if (g_hash_table_contains(so->unvisited, qdict_entry_key(e))) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       full_name(qiv, qdict_entry_key(e)));
            return false;
        }
    }
    return true;
}

static void qiv_end_struct(Visitor *v, void **obj)
{
    pop(to_qiv(v));
}

static bool qiv_start_list(Visitor *v, const char *name, GenericList **list,
                           size_t size, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = get_object(qiv, name, true, errp);

    if (list) {
        *list = NULL;
    }
    if (!qobj) {
        return false;
    }
    if (qobject_type(qobj) != QTYPE_QLIST) {
        type_error(qiv, name, "array", errp);
        return false;
    }
    push(qiv, name, qobj);
    if (list && qiv->stack->entry) {
        *list = g_malloc0(size);
    }
    return true;
}

static GenericList *qiv_next_list(Visitor *v, GenericList *tail, size_t size)
{
    QObjectInputVisitor *qiv = to_qiv(v);

    if (!qiv->stack->entry) {
        return NULL;
    }
    tail->next = g_malloc0(size);
    return tail->next;
}

static bool qiv_check_list(Visitor *v, Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);

    if (qiv->stack->entry) {
        error_setg(errp, "Only %d list elements expected in %s",
                   qiv->stack->index + 1, full_name(qiv, NULL));
        return false;
    }
    return true;
}

static void qiv_end_list(Visitor *v, void **obj)
{
    pop(to_qiv(v));
}

static bool qiv_start_alternate(Visitor *v, const char *name,
                                GenericAlternate **obj, size_t size,
                                Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = get_object(qiv, name, false, errp);

    if (!qobj) {
        *obj = NULL;
        return false;
    }
    *obj = g_malloc0(size);
    (*obj)->type = qobject_type(qobj);
    return true;
}

/* In keyval mode a scalar must be a string; returns it or sets errp. */
static const char *get_keyval_str(QObjectInputVisitor *qiv,
                                  const char *name, Error **errp)
{
    QObject *qobj = get_object(qiv, name, true, errp);
    QString *qstr;

    if (!qobj) {
        return NULL;
    }
    qstr = qobject_to(QString, qobj);
    if (!qstr) {
        type_error(qiv, name, "string", errp);
        return NULL;
    }
    return qstring_get_str(qstr);
}

static bool qiv_type_int64(Visitor *v, const char *name, int64_t *obj,
                           Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj;
    QNum *qnum;

    if (qiv->keyval) {
        const char *str = get_keyval_str(qiv, name, errp);

        if (!str) {
            return false;
        }
        if (!qapi_parse_int64(str, obj)) {
            error_setg(errp, "Parameter '%s' expects integer",
                       full_name(qiv, name));
            return false;
        }
        return true;
    }
    qobj = get_object(qiv, name, true, errp);
    if (!qobj) {
        return false;
    }
    qnum = qobject_to(QNum, qobj);
    if (!qnum || !qnum_get_try_int(qnum, obj)) {
        type_error(qiv, name, "integer", errp);
        return false;
    }
    return true;
}

static bool qiv_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                            Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj;
    QNum *qnum;
    int64_t val;

    if (qiv->keyval) {
        const char *str = get_keyval_str(qiv, name, errp);

        if (!str) {
            return false;
        }
        if (!qapi_parse_uint64(str, obj)) {
            error_setg(errp, "Parameter '%s' expects integer",
                       full_name(qiv, name));
            return false;
        }
        return true;
    }
    qobj = get_object(qiv, name, true, errp);
    if (!qobj) {
        return false;
    }
    qnum = qobject_to(QNum, qobj);
    if (!qnum) {
        type_error(qiv, name, "integer", errp);
        return false;
    }
    if (qnum_get_try_uint(qnum, obj)) {
        return true;
    }
    /* like QEMU, a negative int wraps (compatibility) */
    if (qnum_get_try_int(qnum, &val)) {
        *obj = val;
        return true;
    }
    type_error(qiv, name, "integer", errp);
    return false;
}

static bool qiv_type_size(Visitor *v, const char *name, uint64_t *obj,
                          Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    const char *str;

    if (!qiv->keyval) {
        return qiv_type_uint64(v, name, obj, errp);
    }
    str = get_keyval_str(qiv, name, errp);
    if (!str) {
        return false;
    }
    if (!qapi_parse_size(str, obj)) {
        error_setg(errp, "Parameter '%s' expects a non-negative number "
                   "below 2^64", full_name(qiv, name));
        error_append_hint(errp, QAPI_SIZE_HINT);
        return false;
    }
    return true;
}

static bool qiv_type_bool(Visitor *v, const char *name, bool *obj,
                          Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj;
    QBool *qbool;

    if (qiv->keyval) {
        const char *str = get_keyval_str(qiv, name, errp);

        if (!str) {
            return false;
        }
        return qapi_bool_parse(full_name(qiv, name), str, obj, errp);
    }
    qobj = get_object(qiv, name, true, errp);
    if (!qobj) {
        return false;
    }
    qbool = qobject_to(QBool, qobj);
    if (!qbool) {
        type_error(qiv, name, "boolean", errp);
        return false;
    }
    *obj = qbool_get_bool(qbool);
    return true;
}

static bool qiv_type_str(Visitor *v, const char *name, char **obj,
                         Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = get_object(qiv, name, true, errp);
    QString *qstr;

    *obj = NULL;
    if (!qobj) {
        return false;
    }
    qstr = qobject_to(QString, qobj);
    if (!qstr) {
        type_error(qiv, name, "string", errp);
        return false;
    }
    *obj = g_strdup(qstring_get_str(qstr));
    return true;
}

static bool qiv_type_number(Visitor *v, const char *name, double *obj,
                            Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj;
    QNum *qnum;

    if (qiv->keyval) {
        const char *str = get_keyval_str(qiv, name, errp);

        if (!str) {
            return false;
        }
        if (!qapi_parse_number(str, obj)) {
            error_setg(errp, "Parameter '%s' expects number",
                       full_name(qiv, name));
            return false;
        }
        return true;
    }
    qobj = get_object(qiv, name, true, errp);
    if (!qobj) {
        return false;
    }
    qnum = qobject_to(QNum, qobj);
    if (!qnum) {
        type_error(qiv, name, "number", errp);
        return false;
    }
    *obj = qnum_get_double(qnum);
    return true;
}

static bool qiv_type_any(Visitor *v, const char *name, QObject **obj,
                         Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = get_object(qiv, name, true, errp);

    *obj = NULL;
    if (!qobj) {
        return false;
    }
    *obj = qobject_ref(qobj);
    return true;
}

static bool qiv_type_null(Visitor *v, const char *name, QNull **obj,
                          Error **errp)
{
    QObjectInputVisitor *qiv = to_qiv(v);
    QObject *qobj = get_object(qiv, name, true, errp);

    *obj = NULL;
    if (!qobj) {
        return false;
    }
    if (qobject_type(qobj) != QTYPE_QNULL) {
        type_error(qiv, name, "null", errp);
        return false;
    }
    *obj = qnull();
    return true;
}

static bool qiv_optional(Visitor *v, const char *name, bool *present)
{
    QObjectInputVisitor *qiv = to_qiv(v);

    *present = try_get_object(qiv, name, false) != NULL;
    return *present;
}

static void qiv_free(Visitor *v)
{
    QObjectInputVisitor *qiv = to_qiv(v);

    while (qiv->stack) {
        pop(qiv);
    }
    qobject_unref(qiv->root);
    g_string_free(qiv->errname, true);
    g_free(qiv);
}

static Visitor *qiv_new(QObject *obj, bool keyval)
{
    QObjectInputVisitor *qiv = g_new0(QObjectInputVisitor, 1);

    assert(obj);
    qiv->visitor.type = VISITOR_INPUT;
    qiv->visitor.start_struct = qiv_start_struct;
    qiv->visitor.check_struct = qiv_check_struct;
    qiv->visitor.end_struct = qiv_end_struct;
    qiv->visitor.start_list = qiv_start_list;
    qiv->visitor.next_list = qiv_next_list;
    qiv->visitor.check_list = qiv_check_list;
    qiv->visitor.end_list = qiv_end_list;
    qiv->visitor.start_alternate = qiv_start_alternate;
    qiv->visitor.type_int64 = qiv_type_int64;
    qiv->visitor.type_uint64 = qiv_type_uint64;
    qiv->visitor.type_size = qiv_type_size;
    qiv->visitor.type_bool = qiv_type_bool;
    qiv->visitor.type_str = qiv_type_str;
    qiv->visitor.type_number = qiv_type_number;
    qiv->visitor.type_any = qiv_type_any;
    qiv->visitor.type_null = qiv_type_null;
    qiv->visitor.optional = qiv_optional;
    qiv->visitor.free = qiv_free;
    qiv->root = qobject_ref(obj);
    qiv->keyval = keyval;
    qiv->errname = g_string_new(NULL);
    return &qiv->visitor;
}

Visitor *qobject_input_visitor_new(QObject *obj)
{
    return qiv_new(obj, false);
}

Visitor *qobject_input_visitor_new_keyval(QObject *obj)
{
    return qiv_new(obj, true);
}
