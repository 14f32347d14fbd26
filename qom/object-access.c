/*
 * QOM generic property access: object_property_set/get and the typed
 * set_str/get_int/... wrappers over them, plus help-line formatting.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qom/object.h"
#include "qobject/qstring.h"
#include "qobject/qnum.h"
#include "qobject/qbool.h"
#include "qobject/qjson.h"

#define ERR_PERMISSION "Insufficient permission to perform this operation"

bool object_property_set(Object *obj, const char *name, QObject *value,
                         Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    if (!prop) {
        return false;
    }
    if (!prop->set) {
        error_setg(errp, ERR_PERMISSION);
        return false;
    }
    return prop->set(obj, name, value, prop->opaque, errp);
}

QObject *object_property_get(Object *obj, const char *name, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    if (!prop) {
        return NULL;
    }
    if (!prop->get) {
        error_setg(errp, ERR_PERMISSION);
        return NULL;
    }
    return prop->get(obj, name, prop->opaque, errp);
}

bool object_property_set_qobject(Object *obj, const char *name,
                                 QObject *value, Error **errp)
{
    return object_property_set(obj, name, value, errp);
}

QObject *object_property_get_qobject(Object *obj, const char *name,
                                     Error **errp)
{
    return object_property_get(obj, name, errp);
}

bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp)
{
    g_autoptr(QString) qs = qstring_from_str(value);

    return object_property_set(obj, name, QOBJECT(qs), errp);
}

bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp)
{
    g_autoptr(QBool) qb = qbool_from_bool(value);

    return object_property_set(obj, name, QOBJECT(qb), errp);
}

bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp)
{
    g_autoptr(QNum) qn = qnum_from_int(value);

    return object_property_set(obj, name, QOBJECT(qn), errp);
}

bool object_property_set_uint(Object *obj, const char *name,
                              uint64_t value, Error **errp)
{
    g_autoptr(QNum) qn = qnum_from_uint(value);

    return object_property_set(obj, name, QOBJECT(qn), errp);
}

bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp)
{
    g_autofree char *path = value ? object_get_canonical_path(value)
                                  : g_strdup("");

    if (!path) {
        error_setg(errp, "Object for link '%s' is not in the tree", name);
        return false;
    }
    return object_property_set_str(obj, name, path, errp);
}

char *object_property_get_str(Object *obj, const char *name, Error **errp)
{
    g_autoptr(QObject) ret = object_property_get(obj, name, errp);
    QString *qs;

    if (!ret) {
        return NULL;
    }
    qs = qobject_to(QString, ret);
    if (!qs) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, "string");
        return NULL;
    }
    return g_strdup(qstring_get_str(qs));
}

bool object_property_get_bool(Object *obj, const char *name, Error **errp)
{
    g_autoptr(QObject) ret = object_property_get(obj, name, errp);
    QBool *qb;

    if (!ret) {
        return false;
    }
    qb = qobject_to(QBool, ret);
    if (!qb) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, "boolean");
        return false;
    }
    return qbool_get_bool(qb);
}

int64_t object_property_get_int(Object *obj, const char *name, Error **errp)
{
    g_autoptr(QObject) ret = object_property_get(obj, name, errp);
    QNum *qn;
    int64_t v;

    if (!ret) {
        return -1;
    }
    qn = qobject_to(QNum, ret);
    if (!qn || !qnum_get_try_int(qn, &v)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, "int");
        return -1;
    }
    return v;
}

uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp)
{
    g_autoptr(QObject) ret = object_property_get(obj, name, errp);
    QNum *qn;
    uint64_t v;

    if (!ret) {
        return 0;
    }
    qn = qobject_to(QNum, ret);
    if (!qn || !qnum_get_try_uint(qn, &v)) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, "uint");
        return 0;
    }
    return v;
}

Object *object_property_get_link(Object *obj, const char *name,
                                 Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    if (!prop) {
        return NULL;
    }
    if (prop->resolve) {
        return prop->resolve(obj, prop->opaque, name);
    }
    error_setg(errp, "Invalid parameter type for '%s', expected: %s",
               name, "link");
    return NULL;
}

int object_property_get_enum(Object *obj, const char *name,
                             const char *typename, Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);
    g_autofree char *str = NULL;
    const QEnumLookup *lookup;
    int i;

    if (!prop) {
        return -1;
    }
    if (strcmp(prop->type, typename) || !prop->opaque) {
        error_setg(errp, "Property %s on %s is not '%s' enum type",
                   name, object_class_get_name(obj->class), typename);
        return -1;
    }
    str = object_property_get_str(obj, name, errp);
    if (!str) {
        return -1;
    }
    /* enum properties keep their lookup table first in their opaque */
    lookup = *(const QEnumLookup **)prop->opaque;
    for (i = 0; i < lookup->size; i++) {
        if (!strcmp(lookup->array[i], str)) {
            return i;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'", name, str);
    return -1;
}

bool object_property_parse(Object *obj, const char *name, const char *str,
                           Error **errp)
{
    return object_property_set_str(obj, name, str, errp);
}

char *object_property_print(Object *obj, const char *name, bool human,
                            Error **errp)
{
    g_autoptr(QObject) ret = object_property_get(obj, name, errp);
    QString *qs;

    if (!ret) {
        return NULL;
    }
    qs = qobject_to(QString, ret);
    if (human && qs) {
        return g_strdup(qstring_get_str(qs));
    }
    return g_string_free(qobject_to_json(ret), false);
}

const char *object_property_get_type(Object *obj, const char *name,
                                     Error **errp)
{
    ObjectProperty *prop = object_property_find_err(obj, name, errp);

    return prop ? prop->type : NULL;
}

bool object_property_is_child(ObjectProperty *prop)
{
    return g_str_has_prefix(prop->type, "child<");
}

bool object_property_is_link(ObjectProperty *prop)
{
    return g_str_has_prefix(prop->type, "link<");
}

/*
 * "  name=<type>", and if there is a description or default, padding to
 * column 24, " - ", the description and " (default: JSON)".
 */
char *object_property_help(const char *name, const char *type,
                           QObject *defval, const char *description)
{
    GString *s = g_string_new("");

    g_string_append_printf(s, "  %s=<%s>", name, type);
    if (description || defval) {
        while (s->len < 24) {
            g_string_append_c(s, ' ');
        }
        g_string_append(s, " - ");
    }
    if (description) {
        g_string_append(s, description);
    }
    if (defval) {
        g_autoptr(GString) json = qobject_to_json(defval);

        g_string_append_printf(s, " (default: %s)", json->str);
    }
    return g_string_free(s, false);
}

