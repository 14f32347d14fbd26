/*
 * QOM typed properties: value conversion with QEMU's input rules, and
 * the str/bool/enum callback helpers and "ptr" helpers bound to fields.
 *
 * Conversion rules (as QEMU's QAPI input visitors apply them):
 *   JSON value of the right type        -> accepted
 *   JSON value of another type          -> "Invalid parameter type for
 *                                           'NAME', expected: TYPE"
 *   string (key=value input) for a number or bool -> parsed; a bad string
 *                                           gives "Parameter 'NAME'
 *                                           expects TYPE"
 *   number out of the property's range  -> "Parameter 'NAME' expects
 *                                           uint32_t" (etc.)
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qemu/cutils.h"
#include "qom/object.h"
#include "qobject/qstring.h"
#include "qobject/qnum.h"
#include "qobject/qbool.h"

#define ERR_TYPE "Invalid parameter type for '%s', expected: %s"
#define ERR_VALUE "Parameter '%s' expects %s"

/* ------------------------------------------------------------------ */
/* Value conversion                                                    */

static bool parse_bool_str(const char *s, bool *out)
{
    if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true") ||
        !strcmp(s, "y")) {
        *out = true;
        return true;
    }
    if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false") ||
        !strcmp(s, "n")) {
        *out = false;
        return true;
    }
    return false;
}

bool qom_value_to_bool(const char *name, QObject *value, bool *out,
                       Error **errp)
{
    QBool *qb = qobject_to(QBool, value);
    QString *qs = qobject_to(QString, value);

    if (qb) {
        *out = qbool_get_bool(qb);
        return true;
    }
    if (qs) {
        if (parse_bool_str(qstring_get_str(qs), out)) {
            return true;
        }
        error_setg(errp, ERR_VALUE, name, "'on' or 'off'");
        return false;
    }
    error_setg(errp, ERR_TYPE, name, "boolean");
    return false;
}

bool qom_value_to_int(const char *name, QObject *value, int64_t *out,
                      Error **errp)
{
    QNum *qn = qobject_to(QNum, value);
    QString *qs = qobject_to(QString, value);

    if (qn) {
        if (qnum_get_try_int(qn, out)) {
            return true;
        }
        error_setg(errp, ERR_VALUE, name, "int64");
        return false;
    }
    if (qs) {
        if (qemu_strtoi64(qstring_get_str(qs), NULL, 0, out) == 0) {
            return true;
        }
        error_setg(errp, ERR_VALUE, name, "integer");
        return false;
    }
    error_setg(errp, ERR_TYPE, name, "integer");
    return false;
}

bool qom_value_to_uint(const char *name, QObject *value, uint64_t max,
                       const char *type, uint64_t *out, Error **errp)
{
    QNum *qn = qobject_to(QNum, value);
    QString *qs = qobject_to(QString, value);
    uint64_t v;
    int64_t iv;

    if (qn) {
        if (qnum_get_try_uint(qn, &v)) {
            /* ok */
        } else if (qnum_get_try_int(qn, &iv)) {
            /* negative numbers wrap, as in QEMU */
            v = iv;
        } else {
            error_setg(errp, ERR_VALUE, name, "uint64");
            return false;
        }
    } else if (qs) {
        if (qemu_strtou64(qstring_get_str(qs), NULL, 0, &v) < 0) {
            error_setg(errp, ERR_VALUE, name, "integer");
            return false;
        }
    } else {
        error_setg(errp, ERR_TYPE, name, "integer");
        return false;
    }
    if (v > max) {
        error_setg(errp, ERR_VALUE, name, type);
        return false;
    }
    *out = v;
    return true;
}

bool qom_value_to_size(const char *name, QObject *value, uint64_t *out,
                       Error **errp)
{
    QString *qs = qobject_to(QString, value);

    if (qs) {
        if (qemu_strtosz(qstring_get_str(qs), NULL, out) < 0) {
            error_setg(errp, ERR_VALUE, name, "size");
            return false;
        }
        return true;
    }
    return qom_value_to_uint(name, value, UINT64_MAX, "size", out, errp);
}

const char *qom_value_to_str(const char *name, QObject *value, Error **errp)
{
    QString *qs = qobject_to(QString, value);

    if (!qs) {
        error_setg(errp, ERR_TYPE, name, "string");
        return NULL;
    }
    return qstring_get_str(qs);
}

int qom_value_to_enum(const char *name, QObject *value,
                      const QEnumLookup *lookup, Error **errp)
{
    const char *s = qom_value_to_str(name, value, errp);
    int i;

    if (!s) {
        return -1;
    }
    for (i = 0; i < lookup->size; i++) {
        if (!strcmp(lookup->array[i], s)) {
            return i;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'", name, s);
    return -1;
}

static void release_opaque(Object *obj, const char *name, void *opaque)
{
    g_free(opaque);
}

/* ------------------------------------------------------------------ */
/* str                                                                 */

typedef struct StringProperty {
    char *(*get)(Object *, Error **);
    void (*set)(Object *, const char *, Error **);
} StringProperty;

static QObject *property_get_str(Object *obj, const char *name,
                                 void *opaque, Error **errp)
{
    StringProperty *prop = opaque;
    Error *err = NULL;
    char *value = prop->get(obj, &err);
    QString *qs;

    if (err) {
        error_propagate(errp, err);
        g_free(value);
        return NULL;
    }
    qs = qstring_from_str(value ? value : "");
    g_free(value);
    return QOBJECT(qs);
}

static bool property_set_str(Object *obj, const char *name, QObject *value,
                             void *opaque, Error **errp)
{
    StringProperty *prop = opaque;
    const char *s = qom_value_to_str(name, value, errp);
    Error *err = NULL;

    if (!s) {
        return false;
    }
    prop->set(obj, s, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static StringProperty *string_prop_new(char *(*get)(Object *, Error **),
                                       void (*set)(Object *, const char *,
                                                   Error **))
{
    StringProperty *prop = g_new0(StringProperty, 1);

    prop->get = get;
    prop->set = set;
    return prop;
}

ObjectProperty *object_property_add_str(Object *obj, const char *name,
                           char *(*get)(Object *, Error **),
                           void (*set)(Object *, const char *, Error **))
{
    return object_property_add(obj, name, "string",
                               get ? property_get_str : NULL,
                               set ? property_set_str : NULL,
                               release_opaque, string_prop_new(get, set));
}

ObjectProperty *object_class_property_add_str(ObjectClass *klass,
                           const char *name,
                           char *(*get)(Object *, Error **),
                           void (*set)(Object *, const char *, Error **))
{
    return object_class_property_add(klass, name, "string",
                                     get ? property_get_str : NULL,
                                     set ? property_set_str : NULL,
                                     NULL, string_prop_new(get, set));
}

/* ------------------------------------------------------------------ */
/* bool                                                                */

typedef struct BoolProperty {
    bool (*get)(Object *, Error **);
    void (*set)(Object *, bool, Error **);
} BoolProperty;

static QObject *property_get_bool(Object *obj, const char *name,
                                  void *opaque, Error **errp)
{
    BoolProperty *prop = opaque;
    Error *err = NULL;
    bool value = prop->get(obj, &err);

    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    return QOBJECT(qbool_from_bool(value));
}

static bool property_set_bool(Object *obj, const char *name, QObject *value,
                              void *opaque, Error **errp)
{
    BoolProperty *prop = opaque;
    Error *err = NULL;
    bool b;

    if (!qom_value_to_bool(name, value, &b, errp)) {
        return false;
    }
    prop->set(obj, b, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static BoolProperty *bool_prop_new(bool (*get)(Object *, Error **),
                                   void (*set)(Object *, bool, Error **))
{
    BoolProperty *prop = g_new0(BoolProperty, 1);

    prop->get = get;
    prop->set = set;
    return prop;
}

ObjectProperty *object_property_add_bool(Object *obj, const char *name,
                           bool (*get)(Object *, Error **),
                           void (*set)(Object *, bool, Error **))
{
    return object_property_add(obj, name, "bool",
                               get ? property_get_bool : NULL,
                               set ? property_set_bool : NULL,
                               release_opaque, bool_prop_new(get, set));
}

ObjectProperty *object_class_property_add_bool(ObjectClass *klass,
                           const char *name,
                           bool (*get)(Object *, Error **),
                           void (*set)(Object *, bool, Error **))
{
    return object_class_property_add(klass, name, "bool",
                                     get ? property_get_bool : NULL,
                                     set ? property_set_bool : NULL,
                                     NULL, bool_prop_new(get, set));
}

/* ------------------------------------------------------------------ */
/* enum                                                                */

typedef struct EnumProperty {
    const QEnumLookup *lookup;  /* first: object_property_get_enum() */
    int (*get)(Object *, Error **);
    void (*set)(Object *, int, Error **);
} EnumProperty;

static QObject *property_get_enum(Object *obj, const char *name,
                                  void *opaque, Error **errp)
{
    EnumProperty *prop = opaque;
    Error *err = NULL;
    int value = prop->get(obj, &err);

    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    if (value < 0 || value >= prop->lookup->size) {
        error_setg(errp, "Property '%s' has an invalid value %d", name,
                   value);
        return NULL;
    }
    return QOBJECT(qstring_from_str(prop->lookup->array[value]));
}

static bool property_set_enum(Object *obj, const char *name, QObject *value,
                              void *opaque, Error **errp)
{
    EnumProperty *prop = opaque;
    Error *err = NULL;
    int v = qom_value_to_enum(name, value, prop->lookup, errp);

    if (v < 0) {
        return false;
    }
    prop->set(obj, v, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static EnumProperty *enum_prop_new(const QEnumLookup *lookup,
                                   int (*get)(Object *, Error **),
                                   void (*set)(Object *, int, Error **))
{
    EnumProperty *prop = g_new0(EnumProperty, 1);

    prop->lookup = lookup;
    prop->get = get;
    prop->set = set;
    return prop;
}

ObjectProperty *object_property_add_enum(Object *obj, const char *name,
                           const char *typename,
                           const QEnumLookup *lookup,
                           int (*get)(Object *, Error **),
                           void (*set)(Object *, int, Error **))
{
    return object_property_add(obj, name, typename,
                               get ? property_get_enum : NULL,
                               set ? property_set_enum : NULL,
                               release_opaque,
                               enum_prop_new(lookup, get, set));
}

ObjectProperty *object_class_property_add_enum(ObjectClass *klass,
                           const char *name,
                           const char *typename,
                           const QEnumLookup *lookup,
                           int (*get)(Object *, Error **),
                           void (*set)(Object *, int, Error **))
{
    return object_class_property_add(klass, name, typename,
                                     get ? property_get_enum : NULL,
                                     set ? property_set_enum : NULL,
                                     NULL, enum_prop_new(lookup, get, set));
}

/* ------------------------------------------------------------------ */
/* ptr properties                                                      */

typedef enum PtrKind {
    PTR_U8,
    PTR_U16,
    PTR_U32,
    PTR_U64,
    PTR_INT,
    PTR_SIZE,
    PTR_BOOL,
    PTR_STR,
} PtrKind;

typedef struct PtrProperty {
    PtrKind kind;
    bool is_offset;             /* class property: field at offset */
    ptrdiff_t offset;
    void *ptr;                  /* instance property: the field */
} PtrProperty;

static const char *const ptr_type_names[] = {
    [PTR_U8] = "uint8",
    [PTR_U16] = "uint16",
    [PTR_U32] = "uint32",
    [PTR_U64] = "uint64",
    [PTR_INT] = "int",
    [PTR_SIZE] = "size",
    [PTR_BOOL] = "bool",
    [PTR_STR] = "string",
};

static void *ptr_field(Object *obj, PtrProperty *p)
{
    return p->is_offset ? (char *)obj + p->offset : p->ptr;
}

static QObject *property_get_ptr(Object *obj, const char *name,
                                 void *opaque, Error **errp)
{
    PtrProperty *p = opaque;
    void *field = ptr_field(obj, p);

    switch (p->kind) {
    case PTR_U8:
        return QOBJECT(qnum_from_uint(*(uint8_t *)field));
    case PTR_U16:
        return QOBJECT(qnum_from_uint(*(uint16_t *)field));
    case PTR_U32:
        return QOBJECT(qnum_from_uint(*(uint32_t *)field));
    case PTR_U64:
    case PTR_SIZE:
        return QOBJECT(qnum_from_uint(*(uint64_t *)field));
    case PTR_INT:
        return QOBJECT(qnum_from_int(*(int64_t *)field));
    case PTR_BOOL:
        return QOBJECT(qbool_from_bool(*(bool *)field));
    case PTR_STR:
        return QOBJECT(qstring_from_str(*(char **)field ? *(char **)field
                                                        : ""));
    }
    g_assert_not_reached();
}

static bool property_set_ptr(Object *obj, const char *name, QObject *value,
                             void *opaque, Error **errp)
{
    PtrProperty *p = opaque;
    void *field = ptr_field(obj, p);
    const char *s;
    uint64_t u;

    switch (p->kind) {
    case PTR_U8:
        if (!qom_value_to_uint(name, value, UINT8_MAX, "uint8_t", &u,
                               errp)) {
            return false;
        }
        *(uint8_t *)field = u;
        return true;
    case PTR_U16:
        if (!qom_value_to_uint(name, value, UINT16_MAX, "uint16_t", &u,
                               errp)) {
            return false;
        }
        *(uint16_t *)field = u;
        return true;
    case PTR_U32:
        if (!qom_value_to_uint(name, value, UINT32_MAX, "uint32_t", &u,
                               errp)) {
            return false;
        }
        *(uint32_t *)field = u;
        return true;
    case PTR_U64:
        return qom_value_to_uint(name, value, UINT64_MAX, "uint64",
                                 (uint64_t *)field, errp);
    case PTR_SIZE:
        return qom_value_to_size(name, value, (uint64_t *)field, errp);
    case PTR_INT:
        return qom_value_to_int(name, value, (int64_t *)field, errp);
    case PTR_BOOL:
        return qom_value_to_bool(name, value, (bool *)field, errp);
    case PTR_STR:
        s = qom_value_to_str(name, value, errp);
        if (!s) {
            return false;
        }
        g_free(*(char **)field);
        *(char **)field = g_strdup(s);
        return true;
    }
    g_assert_not_reached();
}

static ObjectProperty *add_ptr(Object *obj, ObjectClass *klass,
                               const char *name, PtrKind kind,
                               void *ptr, ptrdiff_t offset,
                               ObjectPropertyFlags flags)
{
    PtrProperty *p = g_new0(PtrProperty, 1);
    ObjectPropertyGet *get = NULL;
    ObjectPropertySet *set = NULL;

    p->kind = kind;
    p->is_offset = !obj;
    p->offset = offset;
    p->ptr = ptr;
    if (flags & OBJ_PROP_FLAG_READ) {
        get = property_get_ptr;
    }
    if (flags & OBJ_PROP_FLAG_WRITE) {
        set = property_set_ptr;
    }
    if (obj) {
        return object_property_add(obj, name, ptr_type_names[kind], get, set,
                                   release_opaque, p);
    }
    return object_class_property_add(klass, name, ptr_type_names[kind],
                                     get, set, NULL, p);
}

ObjectProperty *object_property_add_uint8_ptr(Object *obj, const char *name,
                                              const uint8_t *v,
                                              ObjectPropertyFlags flags)
{
    return add_ptr(obj, NULL, name, PTR_U8, (void *)v, 0, flags);
}

ObjectProperty *object_property_add_uint16_ptr(Object *obj,
                                               const char *name,
                                               const uint16_t *v,
                                               ObjectPropertyFlags flags)
{
    return add_ptr(obj, NULL, name, PTR_U16, (void *)v, 0, flags);
}

ObjectProperty *object_property_add_uint32_ptr(Object *obj,
                                               const char *name,
                                               const uint32_t *v,
                                               ObjectPropertyFlags flags)
{
    return add_ptr(obj, NULL, name, PTR_U32, (void *)v, 0, flags);
}

ObjectProperty *object_property_add_uint64_ptr(Object *obj,
                                               const char *name,
                                               const uint64_t *v,
                                               ObjectPropertyFlags flags)
{
    return add_ptr(obj, NULL, name, PTR_U64, (void *)v, 0, flags);
}

ObjectProperty *object_class_property_add_uint8_ptr(ObjectClass *klass,
                                                    const char *name,
                                                    ptrdiff_t offset,
                                                    ObjectPropertyFlags flags)
{
    return add_ptr(NULL, klass, name, PTR_U8, NULL, offset, flags);
}

ObjectProperty *object_class_property_add_uint16_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags flags)
{
    return add_ptr(NULL, klass, name, PTR_U16, NULL, offset, flags);
}

ObjectProperty *object_class_property_add_uint32_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags flags)
{
    return add_ptr(NULL, klass, name, PTR_U32, NULL, offset, flags);
}

ObjectProperty *object_class_property_add_uint64_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags flags)
{
    return add_ptr(NULL, klass, name, PTR_U64, NULL, offset, flags);
}

ObjectProperty *object_class_property_add_int_ptr(ObjectClass *klass,
                                                  const char *name,
                                                  ptrdiff_t offset,
                                                  ObjectPropertyFlags flags)
{
    return add_ptr(NULL, klass, name, PTR_INT, NULL, offset, flags);
}

ObjectProperty *object_class_property_add_size_ptr(ObjectClass *klass,
                                                   const char *name,
                                                   ptrdiff_t offset,
                                                   ObjectPropertyFlags flags)
{
    return add_ptr(NULL, klass, name, PTR_SIZE, NULL, offset, flags);
}

ObjectProperty *object_class_property_add_bool_ptr(ObjectClass *klass,
                                                   const char *name,
                                                   ptrdiff_t offset,
                                                   ObjectPropertyFlags flags)
{
    return add_ptr(NULL, klass, name, PTR_BOOL, NULL, offset, flags);
}

ObjectProperty *object_class_property_add_str_ptr(ObjectClass *klass,
                                                  const char *name,
                                                  ptrdiff_t offset,
                                                  ObjectPropertyFlags flags)
{
    return add_ptr(NULL, klass, name, PTR_STR, NULL, offset, flags);
}
