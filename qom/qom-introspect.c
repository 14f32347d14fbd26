/*
 * QOM introspection over QObjects (see include/qom/qom-introspect.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/qom-introspect.h"
#include "qobject/qbool.h"
#include "qobject/qstring.h"

QDict *object_property_info_qdict(ObjectProperty *prop)
{
    QDict *d = qdict_new();

    qdict_put_str(d, "name", prop->name);
    qdict_put_str(d, "type", prop->type);
    if (prop->description) {
        qdict_put_str(d, "description", prop->description);
    }
    if (prop->defval) {
        qdict_put_obj(d, "default-value", qobject_ref(prop->defval));
    }
    return d;
}

QList *qom_core_list(const char *path, Error **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    QList *list;

    if (!obj) {
        if (ambiguous) {
            error_setg(errp, "Path '%s' is ambiguous", path);
        } else {
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found", path);
        }
        return NULL;
    }
    list = qlist_new();
    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        QDict *d = qdict_new();

        qdict_put_str(d, "name", prop->name);
        qdict_put_str(d, "type", prop->type);
        qlist_append(list, d);
    }
    return list;
}

Object *qom_core_resolve(const char *path, Error **errp)
{
    Object *obj = object_resolve_path(path, NULL);

    if (!obj) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", path);
    }
    return obj;
}

QObject *qom_core_get(const char *path, const char *property, Error **errp)
{
    Object *obj = qom_core_resolve(path, errp);

    if (!obj) {
        return NULL;
    }
    return object_property_get(obj, property, errp);
}

bool qom_core_set(const char *path, const char *property, QObject *value,
                  Error **errp)
{
    Object *obj = qom_core_resolve(path, errp);

    if (!obj) {
        return false;
    }
    return object_property_set(obj, property, value, errp);
}

QList *qom_core_list_types(const char *implements, bool include_abstract)
{
    GSList *classes = object_class_get_list(implements, include_abstract);
    QList *list = qlist_new();
    GSList *e;

    for (e = classes; e; e = e->next) {
        ObjectClass *oc = e->data;
        ObjectClass *parent = object_class_get_parent(oc);
        QDict *d = qdict_new();

        qdict_put_str(d, "name", object_class_get_name(oc));
        if (object_class_is_abstract(oc)) {
            qdict_put_bool(d, "abstract", true);
        }
        if (parent) {
            qdict_put_str(d, "parent", object_class_get_name(parent));
        }
        qlist_append(list, d);
    }
    g_slist_free(classes);
    return list;
}

QList *qom_core_list_properties(const char *typename, Error **errp)
{
    ObjectClass *oc = object_class_by_name(typename);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    Object *obj = NULL;
    QList *list;

    if (!oc) {
        return qlist_new();
    }
    if (!object_class_dynamic_cast(oc, TYPE_OBJECT)) {
        error_setg(errp, "Parameter '%s' expects %s", "typename", "object");
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        object_class_property_iter_init(&iter, oc);
    } else {
        obj = object_new_with_class(oc);
        object_property_iter_init(&iter, obj);
    }
    list = qlist_new();
    while ((prop = object_property_iter_next(&iter))) {
        qlist_append(list, object_property_info_qdict(prop));
    }
    object_unref(obj);
    return list;
}
