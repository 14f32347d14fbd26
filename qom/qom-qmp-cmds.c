/*
 * QMP commands of qapi/qom.json: qom-list, qom-get, qom-set,
 * qom-list-types, qom-list-properties, object-add, object-del.
 *
 * Thin wrappers: the logic is in qom-introspect.c (QObject results) and
 * object_interfaces.c; here the results become the generated QAPI types.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qapi/qapi-commands-qom.h"
#include "qom/object_interfaces.h"
#include "qom/qom-introspect.h"
#include "qobject/qbool.h"
#include "qobject/qstring.h"

QMP_COMMAND_IMPLEMENTED(qom_list);
QMP_COMMAND_IMPLEMENTED(qom_get);
QMP_COMMAND_IMPLEMENTED(qom_set);
QMP_COMMAND_IMPLEMENTED(qom_list_types);
QMP_COMMAND_IMPLEMENTED(qom_list_properties);
QMP_COMMAND_IMPLEMENTED(object_add);
QMP_COMMAND_IMPLEMENTED(object_del);

/* [{name, type, description?, default-value?}] -> ObjectPropertyInfoList */
ObjectPropertyInfoList *qom_property_info_list(QList *list)
{
    ObjectPropertyInfoList *head = NULL, **tail = &head;
    const QListEntry *e;

    for (e = qlist_first(list); e; e = qlist_next(e)) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));
        ObjectPropertyInfo *info = g_new0(ObjectPropertyInfo, 1);
        const char *desc = qdict_get_try_str(d, "description");
        QObject *defval = qdict_get(d, "default-value");

        info->name = g_strdup(qdict_get_str(d, "name"));
        info->type = g_strdup(qdict_get_str(d, "type"));
        info->has_description = desc != NULL;
        info->description = g_strdup(desc);
        info->has_default_value = defval != NULL;
        info->default_value = qobject_ref(defval);
        QAPI_LIST_APPEND(tail, info);
    }
    return head;
}

ObjectPropertyInfoList *qmp_qom_list(const char *path, Error **errp)
{
    g_autoptr(QList) list = qom_core_list(path, errp);

    return list ? qom_property_info_list(list) : NULL;
}

QObject *qmp_qom_get(const char *path, const char *property, Error **errp)
{
    return qom_core_get(path, property, errp);
}

void qmp_qom_set(const char *path, const char *property, QObject *value,
                 Error **errp)
{
    qom_core_set(path, property, value, errp);
}

ObjectTypeInfoList *qmp_qom_list_types(bool has_implements,
                                       const char *implements,
                                       bool has_abstract, bool abstract,
                                       Error **errp)
{
    g_autoptr(QList) list = qom_core_list_types(
        has_implements ? implements : NULL, has_abstract && abstract);
    ObjectTypeInfoList *head = NULL, **tail = &head;
    const QListEntry *e;

    for (e = qlist_first(list); e; e = qlist_next(e)) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));
        ObjectTypeInfo *info = g_new0(ObjectTypeInfo, 1);
        const char *parent = qdict_get_try_str(d, "parent");

        info->name = g_strdup(qdict_get_str(d, "name"));
        info->has_abstract = qdict_haskey(d, "abstract");
        info->abstract = info->has_abstract;
        info->has_parent = parent != NULL;
        info->parent = g_strdup(parent);
        QAPI_LIST_APPEND(tail, info);
    }
    return head;
}

ObjectPropertyInfoList *qmp_qom_list_properties(const char *q_typename,
                                                Error **errp)
{
    g_autoptr(QList) list = qom_core_list_properties(q_typename, errp);

    return list ? qom_property_info_list(list) : NULL;
}

void qmp_object_add(QDict *args, QObject **ret, Error **errp)
{
    g_autoptr(QDict) empty = qdict_new();

    user_creatable_add_qdict(args ? args : empty, errp);
}

void qmp_object_del(const char *id, Error **errp)
{
    user_creatable_del(id, errp);
}
