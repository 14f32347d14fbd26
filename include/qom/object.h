/*
 * QOM: the object model (types, classes, objects, properties, tree).
 *
 * Data layout:
 *
 *   TypeImpl (private, one per registered type name)
 *     name, parent TypeImpl, instance/class sizes, hooks, interface names
 *     class ----------> ObjectClass (class_size bytes, lazily built:
 *                         a copy of the parent's class, then class_init)
 *                         .properties: class-level ObjectProperty table
 *                         .interfaces: one InterfaceClass per interface
 *
 *   Object (instance_size bytes, embedded first in every instance)
 *     .class  -> ObjectClass
 *     .properties: per-instance ObjectProperty table (children, links...)
 *     .parent -> the Object that holds us as a child<> property
 *     .ref    reference count; object_unref() to zero finalizes
 *
 * Properties use QObject values (not visitors): a getter returns a new
 * QObject reference, a setter receives a borrowed QObject.  Setters of
 * numeric and bool properties also accept a QString and parse it with
 * QEMU's command-line rules ("on"/"off", size suffixes...), so the same
 * property serves JSON (QMP, -object '{...}') and key=value input.
 *
 * Composition tree: "/" is the root container; "/objects" holds
 * user-created objects; "/machine" the machine.  A child<T> property owns
 * one reference to its child; a link<T> property points to any object by
 * path (or unique partial path / id).
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include "qapi/error.h"
#include "qobject/qobject.h"

typedef struct TypeImpl *Type;
typedef struct TypeInfo TypeInfo;
typedef struct InterfaceInfo InterfaceInfo;
typedef struct ObjectClass ObjectClass;
typedef struct Object Object;
typedef struct InterfaceClass InterfaceClass;
typedef struct ObjectProperty ObjectProperty;
typedef struct QEnumLookup QEnumLookup;

#define TYPE_OBJECT "object"
#define TYPE_INTERFACE "interface"
#define TYPE_CONTAINER "container"

/* ------------------------------------------------------------------ */
/* Properties                                                          */

/**
 * ObjectPropertyGet: return a new reference to the property's value, or
 * NULL with @errp set.
 */
typedef QObject *ObjectPropertyGet(Object *obj, const char *name,
                                   void *opaque, Error **errp);
/**
 * ObjectPropertySet: apply @value (borrowed).  Return false with @errp
 * set on a bad value.
 */
typedef bool ObjectPropertySet(Object *obj, const char *name,
                               QObject *value, void *opaque, Error **errp);
/* Follows a child<> or link<> property; NULL for other properties. */
typedef Object *ObjectPropertyResolve(Object *obj, void *opaque,
                                      const char *part);
/* Called when the property is removed (instance finalization). */
typedef void ObjectPropertyRelease(Object *obj, const char *name,
                                   void *opaque);
/* Sets the initial value of a class property in a new instance. */
typedef void ObjectPropertyInit(Object *obj, ObjectProperty *prop);

struct ObjectProperty {
    char *name;
    char *type;
    char *description;
    ObjectPropertyGet *get;
    ObjectPropertySet *set;
    ObjectPropertyResolve *resolve;
    ObjectPropertyRelease *release;
    ObjectPropertyInit *init;
    void *opaque;
    QObject *defval;            /* default, shown by qom-list-properties */
    bool required;              /* user_creatable_add_qdict(): must be set */
};

/* Iteration over class props (root class first), then instance props. */
typedef struct ObjectPropertyIterator {
    ObjectClass *chain[32];     /* chain[0] = leaf class */
    int level;                  /* index into chain, counting down */
    GPtrArray *instance;        /* instance properties (or NULL) */
    guint idx;
} ObjectPropertyIterator;

/* ------------------------------------------------------------------ */
/* Types and classes                                                   */

typedef void ObjectUnparent(Object *obj);
typedef void ObjectFree(void *obj);

struct ObjectClass {
    /* private: */
    Type type;
    GSList *interfaces;         /* InterfaceClass *, own and inherited */
    GHashTable *properties;     /* name -> ObjectProperty * */
    GPtrArray *prop_order;      /* ObjectProperty *, registration order */
    ObjectUnparent *unparent;
};

struct Object {
    /* private: */
    ObjectClass *class;
    ObjectFree *free;
    GHashTable *properties;     /* name -> ObjectProperty * */
    GPtrArray *prop_order;
    uint32_t ref;
    Object *parent;
};

struct InterfaceInfo {
    const char *type;
};

/**
 * struct TypeInfo: what a type_register_static() caller describes.
 * Sizes of 0 inherit the parent's.  @interfaces ends with an entry whose
 * .type is NULL.
 */
struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
    size_t instance_align;
    void (*instance_init)(Object *obj);
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    bool abstract;
    size_t class_size;
    void (*class_init)(ObjectClass *klass, void *data);
    void (*class_base_init)(ObjectClass *klass, void *data);
    void *class_data;
    InterfaceInfo *interfaces;
};

/**
 * struct InterfaceClass: the per-implementing-type copy of an interface's
 * class.  object_class_dynamic_cast(oc, TYPE_SOME_IFACE) returns it, and
 * the implementing type's class_init fills in its function pointers.
 */
struct InterfaceClass {
    ObjectClass parent_class;
    /* private: */
    ObjectClass *concrete_class;
    Type interface_type;
};

/* Register a type; @info and its strings must outlive the program. */
Type type_register_static(const TypeInfo *info);
Type type_register(const TypeInfo *info);
/* Register @n types from an array. */
void type_register_static_array(const TypeInfo *infos, int nr_infos);

/* Runs @function before main() (each file registers its own types). */
#define type_init(function)                                         \
    static void __attribute__((constructor)) glue(do_qom_init_,      \
                                                  function)(void)    \
    {                                                               \
        function();                                                 \
    }

#define DEFINE_TYPES(type_array)                                    \
    static void do_qemu_init_ ## type_array(void)                   \
    {                                                               \
        type_register_static_array(type_array,                      \
                                   ARRAY_SIZE(type_array));         \
    }                                                               \
    type_init(do_qemu_init_ ## type_array)

/* ------------------------------------------------------------------ */
/* Casts                                                               */

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(class) ((ObjectClass *)(class))

/* Checked casts: abort (our bug) when @obj is not a @name. */
#define OBJECT_CHECK(type, obj, name) \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name), \
                                        __FILE__, __LINE__, __func__))
#define OBJECT_CLASS_CHECK(class_type, class, name) \
    ((class_type *)object_class_dynamic_cast_assert(OBJECT_CLASS(class), \
                   (name), __FILE__, __LINE__, __func__))
#define OBJECT_GET_CLASS(class, obj, name) \
    OBJECT_CLASS_CHECK(class, object_get_class(OBJECT(obj)), name)
#define INTERFACE_CHECK(interface, obj, name) \
    ((interface *)object_dynamic_cast_assert(OBJECT((obj)), (name), \
                                             __FILE__, __LINE__, __func__))

/**
 * OBJECT_DECLARE_TYPE: declares InstanceType/ClassType typedefs and the
 * casts MODULE_OBJ_NAME(obj), MODULE_OBJ_NAME_CLASS(oc),
 * MODULE_OBJ_NAME_GET_CLASS(obj) for TYPE_MODULE_OBJ_NAME.
 */
#define OBJECT_DECLARE_TYPE(InstanceType, ClassType, MODULE_OBJ_NAME)    \
    typedef struct InstanceType InstanceType;                           \
    typedef struct ClassType ClassType;                                 \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(InstanceType, object_unref)           \
    static inline G_GNUC_UNUSED InstanceType *                          \
    MODULE_OBJ_NAME(const void *obj)                                    \
    {                                                                   \
        return OBJECT_CHECK(InstanceType, obj,                          \
                            TYPE_##MODULE_OBJ_NAME);                    \
    }                                                                   \
    static inline G_GNUC_UNUSED ClassType *                             \
    MODULE_OBJ_NAME##_GET_CLASS(const void *obj)                        \
    {                                                                   \
        return OBJECT_GET_CLASS(ClassType, obj,                         \
                                TYPE_##MODULE_OBJ_NAME);                \
    }                                                                   \
    static inline G_GNUC_UNUSED ClassType *                             \
    MODULE_OBJ_NAME##_CLASS(const void *klass)                          \
    {                                                                   \
        return OBJECT_CLASS_CHECK(ClassType, klass,                     \
                                  TYPE_##MODULE_OBJ_NAME);              \
    }

/* Like OBJECT_DECLARE_TYPE, for types without their own class struct. */
#define OBJECT_DECLARE_SIMPLE_TYPE(InstanceType, MODULE_OBJ_NAME)        \
    typedef struct InstanceType InstanceType;                           \
    G_DEFINE_AUTOPTR_CLEANUP_FUNC(InstanceType, object_unref)           \
    static inline G_GNUC_UNUSED InstanceType *                          \
    MODULE_OBJ_NAME(const void *obj)                                    \
    {                                                                   \
        return OBJECT_CHECK(InstanceType, obj,                          \
                            TYPE_##MODULE_OBJ_NAME);                    \
    }

/*
 * OBJECT_DEFINE_TYPE_EXTENDED: defines the TypeInfo and registers it.
 * The file must define module_obj_name_init(Object *),
 * module_obj_name_finalize(Object *) and
 * module_obj_name_class_init(ObjectClass *, void *).
 */
#define OBJECT_DEFINE_TYPE_EXTENDED(ModuleObjName, module_obj_name,      \
                                    MODULE_OBJ_NAME, PARENT_MODULE_OBJ_NAME, \
                                    ABSTRACT, ...)                      \
    static void module_obj_name##_finalize(Object *obj);                \
    static void module_obj_name##_class_init(ObjectClass *oc, void *data); \
    static void module_obj_name##_init(Object *obj);                    \
                                                                        \
    static const TypeInfo module_obj_name##_info = {                    \
        .parent = TYPE_##PARENT_MODULE_OBJ_NAME,                        \
        .name = TYPE_##MODULE_OBJ_NAME,                                 \
        .instance_size = sizeof(ModuleObjName),                         \
        .instance_align = __alignof__(ModuleObjName),                   \
        .instance_init = module_obj_name##_init,                        \
        .instance_finalize = module_obj_name##_finalize,                \
        .class_size = sizeof(ModuleObjName##Class),                     \
        .class_init = module_obj_name##_class_init,                     \
        .abstract = ABSTRACT,                                           \
        .interfaces = (InterfaceInfo[]) { __VA_ARGS__ },                \
    };                                                                  \
                                                                        \
    static void                                                         \
    module_obj_name##_register_types(void)                              \
    {                                                                   \
        type_register_static(&module_obj_name##_info);                  \
    }                                                                   \
    type_init(module_obj_name##_register_types);

#define OBJECT_DEFINE_TYPE(ModuleObjName, module_obj_name, MODULE_OBJ_NAME, \
                           PARENT_MODULE_OBJ_NAME)                      \
    OBJECT_DEFINE_TYPE_EXTENDED(ModuleObjName, module_obj_name,          \
                                MODULE_OBJ_NAME, PARENT_MODULE_OBJ_NAME, \
                                false, { NULL })

#define OBJECT_DEFINE_TYPE_WITH_INTERFACES(ModuleObjName, module_obj_name, \
                                           MODULE_OBJ_NAME,             \
                                           PARENT_MODULE_OBJ_NAME, ...) \
    OBJECT_DEFINE_TYPE_EXTENDED(ModuleObjName, module_obj_name,          \
                                MODULE_OBJ_NAME, PARENT_MODULE_OBJ_NAME, \
                                false, __VA_ARGS__)

#define OBJECT_DEFINE_ABSTRACT_TYPE(ModuleObjName, module_obj_name,      \
                                    MODULE_OBJ_NAME, PARENT_MODULE_OBJ_NAME) \
    OBJECT_DEFINE_TYPE_EXTENDED(ModuleObjName, module_obj_name,          \
                                MODULE_OBJ_NAME, PARENT_MODULE_OBJ_NAME, \
                                true, { NULL })

/* NULL if @obj is not (or does not implement) @typename. */
Object *object_dynamic_cast(Object *obj, const char *typename);
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line,
                                   const char *func);
ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename);
ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func);

ObjectClass *object_get_class(Object *obj);
const char *object_get_typename(const Object *obj);
ObjectClass *object_class_by_name(const char *typename);
/* no loadable modules here: the same as object_class_by_name() */
#define module_object_class_by_name(typename) object_class_by_name(typename)
ObjectClass *object_class_get_parent(ObjectClass *klass);
const char *object_class_get_name(ObjectClass *klass);
bool object_class_is_abstract(ObjectClass *klass);
/* true if @typename was registered */
bool type_is_registered(const char *typename);

/**
 * object_class_get_list: all classes that are (or implement)
 * @implements_type (NULL: all), abstract ones only if @include_abstract.
 * g_slist_free() the list.
 */
GSList *object_class_get_list(const char *implements_type,
                              bool include_abstract);
/* The same, sorted by type name. */
GSList *object_class_get_list_sorted(const char *implements_type,
                                     bool include_abstract);
void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque);

/* ------------------------------------------------------------------ */
/* Instances                                                           */

/**
 * object_new: create an instance of @typename (refcount 1, no parent).
 * Aborts if the type does not exist or is abstract (check first with
 * object_class_by_name() / object_class_is_abstract() for user input).
 */
Object *object_new(const char *typename);
Object *object_new_with_class(ObjectClass *klass);
/**
 * object_new_with_props: create, set the (name, value-string) pairs
 * given as varargs ending in NULL, add as child @id of @parent (if
 * non-NULL) and complete it if user-creatable.  With a parent the
 * returned object is borrowed (the parent owns it), else it is the
 * caller's reference.  NULL with @errp set on failure.  (Defined in
 * object_interfaces.c.)
 */
Object *object_new_with_props(const char *typename, Object *parent,
                              const char *id, Error **errp, ...)
    G_GNUC_NULL_TERMINATED;
/* Initialize an instance embedded in a larger struct (no g_free). */
void object_initialize(void *data, size_t size, const char *typename);

Object *object_ref(void *obj);
void object_unref(void *obj);
/* Remove @obj from its parent (dropping the parent's reference). */
void object_unparent(Object *obj);

/* ------------------------------------------------------------------ */
/* Generic properties                                                  */

ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, Error **errp);
/* Like object_property_try_add() with &error_abort. */
ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque);
void object_property_del(Object *obj, const char *name);

ObjectProperty *object_class_property_add(ObjectClass *klass,
                                          const char *name,
                                          const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque);

void object_property_set_description(Object *obj, const char *name,
                                     const char *description);
void object_class_property_set_description(ObjectClass *klass,
                                           const char *name,
                                           const char *description);
/* Mark a class property mandatory for user_creatable_add_qdict(). */
void object_class_property_set_required(ObjectClass *klass,
                                        const char *name);

/* Default values: stored in prop->defval and applied to new instances. */
void object_property_set_default(ObjectProperty *prop, QObject *defval);
void object_property_set_default_bool(ObjectProperty *prop, bool value);
void object_property_set_default_str(ObjectProperty *prop,
                                     const char *value);
void object_property_set_default_int(ObjectProperty *prop, int64_t value);
void object_property_set_default_uint(ObjectProperty *prop,
                                      uint64_t value);

/* Instance property first, then class properties; NULL if none. */
ObjectProperty *object_property_find(Object *obj, const char *name);
/* The same, with "Property 'TYPE.NAME' not found" when absent. */
ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp);
ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name);

void object_property_iter_init(ObjectPropertyIterator *iter, Object *obj);
void object_class_property_iter_init(ObjectPropertyIterator *iter,
                                     ObjectClass *klass);
ObjectProperty *object_property_iter_next(ObjectPropertyIterator *iter);

/* @value is borrowed. */
bool object_property_set(Object *obj, const char *name, QObject *value,
                         Error **errp);
/* New reference, or NULL with @errp set. */
QObject *object_property_get(Object *obj, const char *name, Error **errp);

/* QEMU's names for the two above */
bool object_property_set_qobject(Object *obj, const char *name,
                                 QObject *value, Error **errp);
QObject *object_property_get_qobject(Object *obj, const char *name,
                                     Error **errp);

bool object_property_set_str(Object *obj, const char *name,
                             const char *value, Error **errp);
bool object_property_set_bool(Object *obj, const char *name, bool value,
                              Error **errp);
bool object_property_set_int(Object *obj, const char *name, int64_t value,
                             Error **errp);
bool object_property_set_uint(Object *obj, const char *name,
                              uint64_t value, Error **errp);
bool object_property_set_link(Object *obj, const char *name, Object *value,
                              Error **errp);

/* g_free() the result; NULL with @errp set (also if not a string). */
char *object_property_get_str(Object *obj, const char *name, Error **errp);
bool object_property_get_bool(Object *obj, const char *name, Error **errp);
/* -1 with @errp set on failure */
int64_t object_property_get_int(Object *obj, const char *name,
                                Error **errp);
/* 0 with @errp set on failure */
uint64_t object_property_get_uint(Object *obj, const char *name,
                                  Error **errp);
/* The target of a link<> or child<> property (borrowed), or NULL. */
Object *object_property_get_link(Object *obj, const char *name,
                                 Error **errp);
/* Enum value index via @typename's lookup; -1 with @errp on failure. */
int object_property_get_enum(Object *obj, const char *name,
                             const char *typename, Error **errp);

/* Parses a "name=value" string property-by-property (-global style). */
bool object_property_parse(Object *obj, const char *name, const char *str,
                           Error **errp);
/* Compact JSON of the value, or NULL with @errp set; g_free() it. */
char *object_property_print(Object *obj, const char *name, bool human,
                            Error **errp);

/**
 * object_property_help: one help line as -object/-device TYPE,help print
 * it: "  name=<type>", then (padded to column 24) " - description" and
 * " (default: JSON)" when known.  g_free() it.
 */
char *object_property_help(const char *name, const char *type,
                           QObject *defval, const char *description);

const char *object_property_get_type(Object *obj, const char *name,
                                     Error **errp);
bool object_property_is_child(ObjectProperty *prop);
bool object_property_is_link(ObjectProperty *prop);

/* ------------------------------------------------------------------ */
/* Value helpers used by setters (QString input parsed QEMU's way).    */

/*
 * Each converts @value (a QNum/QBool/QString as appropriate) and sets
 * "Parameter '@name' expects ..." / "Invalid parameter type for '@name',
 * expected: ..." on failure, like QEMU's QAPI input visitors.
 */
bool qom_value_to_bool(const char *name, QObject *value, bool *out,
                       Error **errp);
bool qom_value_to_int(const char *name, QObject *value, int64_t *out,
                      Error **errp);
bool qom_value_to_uint(const char *name, QObject *value, uint64_t max,
                       const char *type, uint64_t *out, Error **errp);
bool qom_value_to_size(const char *name, QObject *value, uint64_t *out,
                       Error **errp);
/* Borrowed string (QString only). */
const char *qom_value_to_str(const char *name, QObject *value,
                             Error **errp);
/* Enum index; "Parameter 'name' does not accept value 'x'". */
int qom_value_to_enum(const char *name, QObject *value,
                      const QEnumLookup *lookup, Error **errp);

/* ------------------------------------------------------------------ */
/* Typed property helpers                                              */

ObjectProperty *object_property_add_str(Object *obj, const char *name,
                           char *(*get)(Object *, Error **),
                           void (*set)(Object *, const char *, Error **));
ObjectProperty *object_class_property_add_str(ObjectClass *klass,
                           const char *name,
                           char *(*get)(Object *, Error **),
                           void (*set)(Object *, const char *, Error **));

ObjectProperty *object_property_add_bool(Object *obj, const char *name,
                           bool (*get)(Object *, Error **),
                           void (*set)(Object *, bool, Error **));
ObjectProperty *object_class_property_add_bool(ObjectClass *klass,
                           const char *name,
                           bool (*get)(Object *, Error **),
                           void (*set)(Object *, bool, Error **));

/* @typename is the enum's QAPI name, shown as the property type. */
ObjectProperty *object_property_add_enum(Object *obj, const char *name,
                           const char *typename,
                           const QEnumLookup *lookup,
                           int (*get)(Object *, Error **),
                           void (*set)(Object *, int, Error **));
ObjectProperty *object_class_property_add_enum(ObjectClass *klass,
                           const char *name,
                           const char *typename,
                           const QEnumLookup *lookup,
                           int (*get)(Object *, Error **),
                           void (*set)(Object *, int, Error **));

typedef enum {
    OBJ_PROP_FLAG_READ = 1 << 0,
    OBJ_PROP_FLAG_WRITE = 1 << 1,
    OBJ_PROP_FLAG_READWRITE = (OBJ_PROP_FLAG_READ | OBJ_PROP_FLAG_WRITE),
} ObjectPropertyFlags;

/*
 * "ptr" properties bound to a field of the instance (class variants take
 * the field's offset from the start of the instance).  Default value 0.
 */
ObjectProperty *object_property_add_uint8_ptr(Object *obj, const char *name,
                                              const uint8_t *v,
                                              ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint16_ptr(Object *obj,
                                               const char *name,
                                               const uint16_t *v,
                                               ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint32_ptr(Object *obj,
                                               const char *name,
                                               const uint32_t *v,
                                               ObjectPropertyFlags flags);
ObjectProperty *object_property_add_uint64_ptr(Object *obj,
                                               const char *name,
                                               const uint64_t *v,
                                               ObjectPropertyFlags flags);
ObjectProperty *object_class_property_add_uint8_ptr(ObjectClass *klass,
                                                    const char *name,
                                                    ptrdiff_t offset,
                                                    ObjectPropertyFlags flags);
ObjectProperty *object_class_property_add_uint16_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags flags);
ObjectProperty *object_class_property_add_uint32_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags flags);
ObjectProperty *object_class_property_add_uint64_ptr(ObjectClass *klass,
                                                     const char *name,
                                                     ptrdiff_t offset,
                                                     ObjectPropertyFlags flags);
/* int64_t field, type "int" */
ObjectProperty *object_class_property_add_int_ptr(ObjectClass *klass,
                                                  const char *name,
                                                  ptrdiff_t offset,
                                                  ObjectPropertyFlags flags);
/* uint64_t field, type "size" (accepts k/M/G/T suffixes) */
ObjectProperty *object_class_property_add_size_ptr(ObjectClass *klass,
                                                   const char *name,
                                                   ptrdiff_t offset,
                                                   ObjectPropertyFlags flags);
/* bool field */
ObjectProperty *object_class_property_add_bool_ptr(ObjectClass *klass,
                                                   const char *name,
                                                   ptrdiff_t offset,
                                                   ObjectPropertyFlags flags);
/* char * field (owned by the instance; g_free() it in finalize) */
ObjectProperty *object_class_property_add_str_ptr(ObjectClass *klass,
                                                  const char *name,
                                                  ptrdiff_t offset,
                                                  ObjectPropertyFlags flags);

/* ------------------------------------------------------------------ */
/* child<> and link<> properties, the composition tree                 */

/**
 * object_property_try_add_child: make @child a child of @obj named @name
 * (a name ending in "[*]" is numbered: "device[0]", "device[1]"...).
 * Takes a new reference to @child.  Fails with "attempt to add duplicate
 * property 'NAME' to object (type 'TYPE')".
 */
ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, Error **errp);
ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child);

typedef enum {
    /* Unref the target when the property is deleted. */
    OBJ_PROP_LINK_STRONG = 0x1,
    /* private: the class variant stores the target at an offset */
    OBJ_PROP_LINK_CLASS = 0x4,
} ObjectPropertyLinkFlags;

/* Check hook for link setters; object_property_allow_set_link allows. */
typedef bool ObjectLinkCheck(const Object *obj, const char *name,
                             Object *val, Error **errp);
bool object_property_allow_set_link(const Object *obj, const char *name,
                                    Object *val, Error **errp);

/**
 * object_property_add_link: a link<@type> property stored in *@targetp.
 * Setting it accepts a path, a unique partial path or "" (clear); errors
 * "Device 'X' not found" (DeviceNotFound) and "Invalid parameter type
 * for 'NAME', expected: TYPE".
 */
ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type,
                                         Object **targetp,
                                         ObjectLinkCheck *check,
                                         ObjectPropertyLinkFlags flags);
ObjectProperty *object_class_property_add_link(ObjectClass *oc,
                                               const char *name,
                                               const char *type,
                                               ptrdiff_t offset,
                                               ObjectLinkCheck *check,
                                               ObjectPropertyLinkFlags flags);

/* Property @name of @obj forwards to @target_name of @target. */
ObjectProperty *object_property_add_alias(Object *obj, const char *name,
                                          Object *target,
                                          const char *target_name);

/* "/" (created on first use) */
Object *object_get_root(void);
/* "/objects": where -object / object-add put user-created objects. */
Object *object_get_objects_root(void);
/* A container that is not part of the "/" tree (internal objects). */
Object *object_get_internal_root(void);
/* "/@name" below the root, created on first use */
Object *object_get_container(const char *name);

/**
 * container_get: the object at @path below @root, creating missing
 * components as "container" objects.
 */
Object *container_get(Object *root, const char *path);

/* The child's name in its parent, or NULL if it has no parent. */
const char *object_get_canonical_path_component(const Object *obj);
/* "/a/b/c" (g_free() it); "/" for the root; NULL if not in the tree. */
char *object_get_canonical_path(const Object *obj);

/**
 * object_resolve_path_type: resolve @path (absolute, or partial: any
 * unique trailing path match in the tree) to an object of @typename
 * (NULL: any).  Sets *@ambiguous (if non-NULL) when a partial path
 * matches several objects.
 */
Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous);
Object *object_resolve_path(const char *path, bool *ambiguous);
/* @path relative to @parent (no partial matching). */
Object *object_resolve_path_component(Object *parent, const char *part);
Object *object_resolve_path_at(Object *parent, const char *path);

/* Call @fn for every child in insertion order; stops at non-zero. */
int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque);
int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque);

#endif
