/*
 * QObject output visitor: QAPI C object -> QObject tree.
 *
 * A stack of the containers under construction; each visited value is
 * added to the top container (under its name for a dict) or becomes
 * the root.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qobject-output-visitor.h"
#include "qapi/visitor-impl.h"
#include "qobject/qnull.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

typedef struct QObjectOutputVisitor {
    Visitor visitor;
    GSList *stack;              /* of QObject * (QDict or QList) */
    QObject *root;
    QObject **result;
} QObjectOutputVisitor;

static QObjectOutputVisitor *to_qov(Visitor *v)
{
    return container_of(v, QObjectOutputVisitor, visitor);
}

static void qov_add(QObjectOutputVisitor *qov, const char *name,
                    QObject *value)
{
    QObject *top = qov->stack ? qov->stack->data : NULL;

    if (!top) {
        assert(!qov->root);
        qov->root = value;
        return;
    }
    if (qobject_type(top) == QTYPE_QDICT) {
        assert(name);
        qdict_put_obj(qobject_to(QDict, top), name, value);
    } else {
        qlist_append_obj(qobject_to(QList, top), value);
    }
}

static bool qov_start_struct(Visitor *v, const char *name, void **obj,
                             size_t size, Error **errp)
{
    QObjectOutputVisitor *qov = to_qov(v);
    QDict *dict = qdict_new();

    qov_add(qov, name, QOBJECT(dict));
    qov->stack = g_slist_prepend(qov->stack, dict);
    return true;
}

static void qov_end_struct(Visitor *v, void **obj)
{
    QObjectOutputVisitor *qov = to_qov(v);

    qov->stack = g_slist_delete_link(qov->stack, qov->stack);
}

static bool qov_start_list(Visitor *v, const char *name, GenericList **list,
                           size_t size, Error **errp)
{
    QObjectOutputVisitor *qov = to_qov(v);
    QList *qlist = qlist_new();

    qov_add(qov, name, QOBJECT(qlist));
    qov->stack = g_slist_prepend(qov->stack, qlist);
    return true;
}

static GenericList *qov_next_list(Visitor *v, GenericList *tail, size_t size)
{
    return tail->next;
}

static bool qov_type_int64(Visitor *v, const char *name, int64_t *obj,
                           Error **errp)
{
    qov_add(to_qov(v), name, QOBJECT(qnum_from_int(*obj)));
    return true;
}

static bool qov_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                            Error **errp)
{
    qov_add(to_qov(v), name, QOBJECT(qnum_from_uint(*obj)));
    return true;
}

static bool qov_type_bool(Visitor *v, const char *name, bool *obj,
                          Error **errp)
{
    qov_add(to_qov(v), name, QOBJECT(qbool_from_bool(*obj)));
    return true;
}

static bool qov_type_str(Visitor *v, const char *name, char **obj,
                         Error **errp)
{
    qov_add(to_qov(v), name, QOBJECT(qstring_from_str(*obj ? *obj : "")));
    return true;
}

static bool qov_type_number(Visitor *v, const char *name, double *obj,
                            Error **errp)
{
    qov_add(to_qov(v), name, QOBJECT(qnum_from_double(*obj)));
    return true;
}

static bool qov_type_any(Visitor *v, const char *name, QObject **obj,
                         Error **errp)
{
    /* a NULL 'any' (a producer's bug) is sent as null, not a crash */
    qov_add(to_qov(v), name, *obj ? qobject_ref(*obj) : QOBJECT(qnull()));
    return true;
}

static bool qov_type_null(Visitor *v, const char *name, QNull **obj,
                          Error **errp)
{
    qov_add(to_qov(v), name, QOBJECT(qnull()));
    return true;
}

static void qov_complete(Visitor *v, void *opaque)
{
    QObjectOutputVisitor *qov = to_qov(v);

    assert(opaque == qov->result);
    assert(qov->root && !qov->stack);
    *qov->result = qobject_ref(qov->root);
}

static void qov_free(Visitor *v)
{
    QObjectOutputVisitor *qov = to_qov(v);

    g_slist_free(qov->stack);
    qobject_unref(qov->root);
    g_free(qov);
}

Visitor *qobject_output_visitor_new(QObject **result)
{
    QObjectOutputVisitor *qov = g_new0(QObjectOutputVisitor, 1);

    qov->visitor.type = VISITOR_OUTPUT;
    qov->visitor.start_struct = qov_start_struct;
    qov->visitor.end_struct = qov_end_struct;
    qov->visitor.start_list = qov_start_list;
    qov->visitor.next_list = qov_next_list;
    qov->visitor.end_list = qov_end_struct;
    qov->visitor.type_int64 = qov_type_int64;
    qov->visitor.type_uint64 = qov_type_uint64;
    qov->visitor.type_bool = qov_type_bool;
    qov->visitor.type_str = qov_type_str;
    qov->visitor.type_number = qov_type_number;
    qov->visitor.type_any = qov_type_any;
    qov->visitor.type_null = qov_type_null;
    qov->visitor.complete = qov_complete;
    qov->visitor.free = qov_free;
    qov->result = result;
    *result = NULL;
    return &qov->visitor;
}
