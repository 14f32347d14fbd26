/*
 * QOM introspection as plain QObjects: the logic of the qom-list,
 * qom-get, qom-set, qom-list-types and qom-list-properties QMP commands
 * (and of HMP qom-list/qom-get), independent of the generated QAPI types.
 *
 * Each list element is a QDict with the members of the QAPI struct:
 *   ObjectPropertyInfo {name, type, description?, default-value?}
 *   ObjectTypeInfo     {name, abstract?, parent?}
 */
#ifndef QOM_QOM_INTROSPECT_H
#define QOM_QOM_INTROSPECT_H

#include "qom/object.h"
#include "qobject/qlist.h"
#include "qobject/qdict.h"

/* {name, type, description?, default-value?} of @prop */
QDict *object_property_info_qdict(ObjectProperty *prop);

/**
 * qom_core_list: the properties of the object at @path as
 * [{name, type}].  Errors: "Device 'P' not found" (DeviceNotFound),
 * "Path 'P' is ambiguous".
 */
QList *qom_core_list(const char *path, Error **errp);

/* Resolves @path as qom-get does: "Device 'P' not found". */
Object *qom_core_resolve(const char *path, Error **errp);

QObject *qom_core_get(const char *path, const char *property, Error **errp);
bool qom_core_set(const char *path, const char *property, QObject *value,
                  Error **errp);

/* [{name, abstract?, parent?}]; "abstract" only present when true. */
QList *qom_core_list_types(const char *implements, bool include_abstract);

/**
 * qom_core_list_properties: the properties an instance of @typename
 * would have.  Abstract types: class properties only; others: a
 * temporary instance is created and dropped (never completed or
 * realized).  An unknown type gives an EMPTY list, not an error, because
 * libvirt 9.0 crashes on DeviceNotFound here.  A non-object type (an
 * interface) fails with "Parameter 'typename' expects object".
 */
QList *qom_core_list_properties(const char *typename, Error **errp);

/*
 * Converts a property list of the functions above to the generated QAPI
 * type (defined in qom-qmp-cmds.c, which needs the generated code).
 */
typedef struct ObjectPropertyInfoList ObjectPropertyInfoList;
ObjectPropertyInfoList *qom_property_info_list(QList *list);

#endif
