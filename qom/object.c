/*
 * QOM core: type registry, classes, interfaces, instances, property
 * tables and generic property access.
 *
 * Types are registered (usually from type_init constructors) into one
 * table keyed by name.  A class is built the first time it is needed:
 * the parent's class is built first and copied, so inherited methods
 * carry over, then each ancestor's class_base_init and finally the type's
 * own class_init run on the copy.  Interfaces get one InterfaceClass per
 * implementing type, copied from the parent's implementation of the same
 * interface when there is one, so that overrides are inherited too.
 *
 * The registry is written only before main() and read afterwards; all
 * other state is per object.  Nothing here is thread-safe beyond that:
 * callers hold the big lock.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object.h"
#include "qobject/qstring.h"
#include "qobject/qnum.h"
#include "qobject/qbool.h"

#define MAX_INTERFACES 32

struct TypeImpl {
    const char *name;
    const char *parent;
    struct TypeImpl *parent_type;
    size_t class_size;
    size_t instance_size;
    void (*class_init)(ObjectClass *klass, void *data);
    void (*class_base_init)(ObjectClass *klass, void *data);
    void *class_data;
    void (*instance_init)(Object *obj);
    void (*instance_post_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    bool abstract;
    int num_interfaces;
    const char *interfaces[MAX_INTERFACES];
    ObjectClass *class;
};

static GHashTable *type_table;

static GHashTable *type_table_get(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

static Type type_get_by_name(const char *name)
{
    if (!name) {
        return NULL;
    }
    return g_hash_table_lookup(type_table_get(), name);
}

Type type_register(const TypeInfo *info)
{
    struct TypeImpl *ti;
    int i;

    assert(info->name);
    if (type_get_by_name(info->name)) {
        fprintf(stderr, "Registering '%s' which already exists\n",
                info->name);
        abort();
    }
    ti = g_new0(struct TypeImpl, 1);
    ti->name = info->name;
    ti->parent = info->parent;
    ti->class_size = info->class_size;
    ti->instance_size = info->instance_size;
    ti->class_init = info->class_init;
    ti->class_base_init = info->class_base_init;
    ti->class_data = info->class_data;
    ti->instance_init = info->instance_init;
    ti->instance_post_init = info->instance_post_init;
    ti->instance_finalize = info->instance_finalize;
    ti->abstract = info->abstract;
    for (i = 0; info->interfaces && info->interfaces[i].type; i++) {
        assert(i < MAX_INTERFACES);
        ti->interfaces[i] = info->interfaces[i].type;
    }
    ti->num_interfaces = i;
    g_hash_table_insert(type_table_get(), (void *)ti->name, ti);
    return ti;
}

Type type_register_static(const TypeInfo *info)
{
    return type_register(info);
}

void type_register_static_array(const TypeInfo *infos, int nr_infos)
{
    int i;

    for (i = 0; i < nr_infos; i++) {
        type_register_static(&infos[i]);
    }
}

bool type_is_registered(const char *typename)
{
    return type_get_by_name(typename) != NULL;
}

static Type type_get_parent(Type type)
{
    if (!type->parent_type && type->parent) {
        type->parent_type = type_get_by_name(type->parent);
        if (!type->parent_type) {
            fprintf(stderr, "Type '%s' is missing its parent '%s'\n",
                    type->name, type->parent);
            abort();
        }
    }
    return type->parent_type;
}

static size_t type_class_get_size(Type ti)
{
    if (ti->class_size) {
        return ti->class_size;
    }
    if (type_get_parent(ti)) {
        return type_class_get_size(type_get_parent(ti));
    }
    return sizeof(ObjectClass);
}

static size_t type_object_get_size(Type ti)
{
    if (ti->instance_size) {
        return ti->instance_size;
    }
    if (type_get_parent(ti)) {
        return type_object_get_size(type_get_parent(ti));
    }
    return 0;
}

static bool type_is_ancestor(Type type, Type target)
{
    for (; type; type = type_get_parent(type)) {
        if (type == target) {
            return true;
        }
    }
    return false;
}

static void type_initialize(Type ti);

static void class_tables_init(ObjectClass *klass)
{
    klass->properties = g_hash_table_new(g_str_hash, g_str_equal);
    klass->prop_order = g_ptr_array_new();
}

/*
 * Give @ti's class an InterfaceClass for @iface, starting as a copy of
 * @template (the parent's implementation, or the interface's own class).
 */
static void type_add_interface(Type ti, Type iface, ObjectClass *template)
{
    size_t size = type_class_get_size(iface);
    InterfaceClass *ic = g_malloc0(size);

    memcpy(ic, template, size);
    ic->parent_class.type = iface;
    ic->parent_class.interfaces = NULL;
    class_tables_init(&ic->parent_class);
    ic->concrete_class = ti->class;
    ic->interface_type = iface;
    ti->class->interfaces = g_slist_append(ti->class->interfaces, ic);
}

static InterfaceClass *class_find_interface(ObjectClass *klass, Type iface)
{
    GSList *e;

    for (e = klass->interfaces; e; e = e->next) {
        InterfaceClass *ic = e->data;

        if (type_is_ancestor(ic->interface_type, iface)) {
            return ic;
        }
    }
    return NULL;
}

static void type_initialize(Type ti)
{
    Type parent, t;
    GSList *e;
    int i;

    if (ti->class) {
        return;
    }
    ti->class_size = type_class_get_size(ti);
    ti->instance_size = type_object_get_size(ti);
    ti->class = g_malloc0(ti->class_size);

    parent = type_get_parent(ti);
    if (parent) {
        type_initialize(parent);
        assert(parent->class_size <= ti->class_size);
        memcpy(ti->class, parent->class, parent->class_size);
        ti->class->interfaces = NULL;
        for (e = parent->class->interfaces; e; e = e->next) {
            InterfaceClass *pic = e->data;

            type_add_interface(ti, pic->interface_type,
                               &pic->parent_class);
        }
    }
    ti->class->type = ti;
    class_tables_init(ti->class);
    /* interfaces never have instances */
    if (type_is_ancestor(ti, type_get_by_name(TYPE_INTERFACE))) {
        ti->abstract = true;
    }

    for (i = 0; i < ti->num_interfaces; i++) {
        Type iface = type_get_by_name(ti->interfaces[i]);

        if (!iface) {
            fprintf(stderr, "Type '%s' implements unknown interface '%s'\n",
                    ti->name, ti->interfaces[i]);
            abort();
        }
        if (class_find_interface(ti->class, iface)) {
            continue;
        }
        type_initialize(iface);
        type_add_interface(ti, iface, iface->class);
    }

    for (t = parent; t; t = type_get_parent(t)) {
        if (t->class_base_init) {
            t->class_base_init(ti->class, ti->class_data);
        }
    }
    if (ti->class_init) {
        ti->class_init(ti->class, ti->class_data);
    }
}

/* ------------------------------------------------------------------ */
/* Class queries and casts                                             */

ObjectClass *object_class_by_name(const char *typename)
{
    Type ti = type_get_by_name(typename);

    if (!ti) {
        return NULL;
    }
    type_initialize(ti);
    return ti->class;
}

ObjectClass *object_class_get_parent(ObjectClass *klass)
{
    Type parent = type_get_parent(klass->type);

    if (!parent) {
        return NULL;
    }
    type_initialize(parent);
    return parent->class;
}

const char *object_class_get_name(ObjectClass *klass)
{
    return klass->type->name;
}

bool object_class_is_abstract(ObjectClass *klass)
{
    return klass->type->abstract;
}

ObjectClass *object_get_class(Object *obj)
{
    return obj->class;
}

const char *object_get_typename(const Object *obj)
{
    return obj->class->type->name;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename)
{
    Type target;

    if (!klass) {
        return NULL;
    }
    target = type_get_by_name(typename);
    if (!target) {
        return NULL;
    }
    if (type_is_ancestor(klass->type, target)) {
        return klass;
    }
    return (ObjectClass *)class_find_interface(klass, target);
}

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func)
{
    ObjectClass *ret;

    if (!klass) {
        return NULL;
    }
    ret = object_class_dynamic_cast(klass, typename);
    if (!ret) {
        /* A concrete class passed where one of its interfaces is meant. */
        fprintf(stderr, "%s:%d:%s: Object %s is not an instance of type "
                "%s\n", file, line, func, object_class_get_name(klass),
                typename);
        abort();
    }
    return ret;
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    if (obj && object_class_dynamic_cast(obj->class, typename)) {
        return obj;
    }
    return NULL;
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line,
                                   const char *func)
{
    if (obj && !object_dynamic_cast(obj, typename)) {
        fprintf(stderr, "%s:%d:%s: Object %p is not an instance of type "
                "%s\n", file, line, func, (void *)obj, typename);
        abort();
    }
    return obj;
}

typedef struct ClassListData {
    const char *implements;
    bool include_abstract;
    GSList *list;
} ClassListData;

static void class_list_add(gpointer key, gpointer value, gpointer opaque)
{
    ClassListData *data = opaque;
    Type ti = value;

    type_initialize(ti);
    if (ti->abstract && !data->include_abstract) {
        return;
    }
    /* interface implementation copies are not types of their own */
    if (data->implements &&
        !object_class_dynamic_cast(ti->class, data->implements)) {
        return;
    }
    data->list = g_slist_prepend(data->list, ti->class);
}

GSList *object_class_get_list(const char *implements_type,
                              bool include_abstract)
{
    ClassListData data = { implements_type, include_abstract, NULL };
    GList *types, *e;

    /* snapshot: class_init may (rarely) register nothing, but be safe */
    types = g_hash_table_get_values(type_table_get());
    for (e = types; e; e = e->next) {
        class_list_add(NULL, e->data, &data);
    }
    g_list_free(types);
    return data.list;
}

static gint class_cmp_name(gconstpointer a, gconstpointer b)
{
    return strcasecmp(object_class_get_name((ObjectClass *)a),
                      object_class_get_name((ObjectClass *)b));
}

GSList *object_class_get_list_sorted(const char *implements_type,
                                     bool include_abstract)
{
    return g_slist_sort(object_class_get_list(implements_type,
                                              include_abstract),
                        class_cmp_name);
}

void object_class_foreach(void (*fn)(ObjectClass *klass, void *opaque),
                          const char *implements_type, bool include_abstract,
                          void *opaque)
{
    GSList *list = object_class_get_list(implements_type, include_abstract);
    GSList *e;

    for (e = list; e; e = e->next) {
        fn(e->data, opaque);
    }
    g_slist_free(list);
}

/* ------------------------------------------------------------------ */
/* Instances                                                           */

static void object_init_with_type(Object *obj, Type ti)
{
    if (type_get_parent(ti)) {
        object_init_with_type(obj, type_get_parent(ti));
    }
    if (ti->instance_init) {
        ti->instance_init(obj);
    }
}

static void object_post_init_with_type(Object *obj, Type ti)
{
    if (type_get_parent(ti)) {
        object_post_init_with_type(obj, type_get_parent(ti));
    }
    if (ti->instance_post_init) {
        ti->instance_post_init(obj);
    }
}

static void object_class_property_init_all(Object *obj)
{
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    object_class_property_iter_init(&iter, obj->class);
    while ((prop = object_property_iter_next(&iter))) {
        if (prop->init) {
            prop->init(obj, prop);
        }
    }
}

static void object_initialize_with_type(Object *obj, size_t size, Type ti)
{
    type_initialize(ti);
    assert(ti->instance_size >= sizeof(Object));
    assert(!ti->abstract);
    assert(size >= ti->instance_size);

    memset(obj, 0, ti->instance_size);
    obj->class = ti->class;
    obj->ref = 1;
    obj->properties = g_hash_table_new(g_str_hash, g_str_equal);
    obj->prop_order = g_ptr_array_new();
    object_class_property_init_all(obj);
    object_init_with_type(obj, ti);
    object_post_init_with_type(obj, ti);
}

void object_initialize(void *data, size_t size, const char *typename)
{
    Type ti = type_get_by_name(typename);

    if (!ti) {
        fprintf(stderr, "missing object type '%s'\n", typename);
        abort();
    }
    object_initialize_with_type(data, size, ti);
}

Object *object_new_with_class(ObjectClass *klass)
{
    Type ti = klass->type;
    Object *obj;

    type_initialize(ti);
    obj = g_malloc0(ti->instance_size);
    object_initialize_with_type(obj, ti->instance_size, ti);
    obj->free = g_free;
    return obj;
}

Object *object_new(const char *typename)
{
    Type ti = type_get_by_name(typename);

    if (!ti) {
        fprintf(stderr, "missing object type '%s'\n", typename);
        abort();
    }
    type_initialize(ti);
    return object_new_with_class(ti->class);
}

static void object_property_free(ObjectProperty *prop)
{
    g_free(prop->name);
    g_free(prop->type);
    g_free(prop->description);
    qobject_unref(prop->defval);
    g_free(prop);
}

/*
 * Remove instance properties one by one, releasing each (children are
 * unparented), until none remain: a release hook may add or remove
 * other properties.
 */
static void object_property_del_all(Object *obj)
{
    while (obj->prop_order->len) {
        ObjectProperty *prop = g_ptr_array_index(obj->prop_order,
                                                 obj->prop_order->len - 1);

        g_ptr_array_remove_index(obj->prop_order, obj->prop_order->len - 1);
        g_hash_table_remove(obj->properties, prop->name);
        if (prop->release) {
            prop->release(obj, prop->name, prop->opaque);
        }
        object_property_free(prop);
    }
}

static void object_deinit(Object *obj, Type type)
{
    if (type->instance_finalize) {
        type->instance_finalize(obj);
    }
    if (type_get_parent(type)) {
        object_deinit(obj, type_get_parent(type));
    }
}

/* Class properties may hold per-instance state (strong class links). */
static void object_class_property_release_all(Object *obj)
{
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    object_class_property_iter_init(&iter, obj->class);
    while ((prop = object_property_iter_next(&iter))) {
        if (prop->release) {
            prop->release(obj, prop->name, prop->opaque);
        }
    }
}

static void object_finalize(Object *obj)
{
    object_property_del_all(obj);
    object_deinit(obj, obj->class->type);
    object_class_property_release_all(obj);
    g_hash_table_unref(obj->properties);
    g_ptr_array_free(obj->prop_order, true);
    assert(obj->ref == 0);
    if (obj->free) {
        obj->free(obj);
    }
}

Object *object_ref(void *objptr)
{
    Object *obj = OBJECT(objptr);

    if (!obj) {
        return NULL;
    }
    obj->ref++;
    return obj;
}

void object_unref(void *objptr)
{
    Object *obj = OBJECT(objptr);

    if (!obj) {
        return;
    }
    assert(obj->ref > 0);
    if (--obj->ref == 0) {
        object_finalize(obj);
    }
}

/* ------------------------------------------------------------------ */
/* Property tables                                                     */

static ObjectProperty *class_find_prop_chain(ObjectClass *klass,
                                             const char *name)
{
    for (; klass; klass = object_class_get_parent(klass)) {
        ObjectProperty *prop = g_hash_table_lookup(klass->properties, name);

        if (prop) {
            return prop;
        }
    }
    return NULL;
}

ObjectProperty *object_class_property_find(ObjectClass *klass,
                                           const char *name)
{
    return class_find_prop_chain(klass, name);
}

ObjectProperty *object_property_find(Object *obj, const char *name)
{
    ObjectProperty *prop = g_hash_table_lookup(obj->properties, name);

    if (prop) {
        return prop;
    }
    return class_find_prop_chain(obj->class, name);
}

ObjectProperty *object_property_find_err(Object *obj, const char *name,
                                         Error **errp)
{
    ObjectProperty *prop = object_property_find(obj, name);

    if (!prop) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
    }
    return prop;
}

static ObjectProperty *property_new(const char *name, const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    ObjectProperty *prop = g_new0(ObjectProperty, 1);

    prop->name = g_strdup(name);
    prop->type = g_strdup(type);
    prop->get = get;
    prop->set = set;
    prop->release = release;
    prop->opaque = opaque;
    return prop;
}

ObjectProperty *object_property_try_add(Object *obj, const char *name,
                                        const char *type,
                                        ObjectPropertyGet *get,
                                        ObjectPropertySet *set,
                                        ObjectPropertyRelease *release,
                                        void *opaque, Error **errp)
{
    ObjectProperty *prop;
    size_t len = strlen(name);

    if (len >= 3 && !memcmp(name + len - 3, "[*]", 4)) {
        g_autofree char *base = g_strndup(name, len - 3);
        int i;

        for (i = 0; i < INT16_MAX; i++) {
            g_autofree char *full = g_strdup_printf("%s[%d]", base, i);

            if (!object_property_find(obj, full)) {
                return object_property_try_add(obj, full, type, get, set,
                                               release, opaque, errp);
            }
        }
        error_setg(errp, "too many properties named '%s'", name);
        return NULL;
    }

    if (object_property_find(obj, name)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type '%s')", name, object_get_typename(obj));
        return NULL;
    }
    prop = property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(obj->properties, prop->name, prop);
    g_ptr_array_add(obj->prop_order, prop);
    return prop;
}

ObjectProperty *object_property_add(Object *obj, const char *name,
                                    const char *type,
                                    ObjectPropertyGet *get,
                                    ObjectPropertySet *set,
                                    ObjectPropertyRelease *release,
                                    void *opaque)
{
    return object_property_try_add(obj, name, type, get, set, release,
                                   opaque, &error_abort);
}

void object_property_del(Object *obj, const char *name)
{
    ObjectProperty *prop = g_hash_table_lookup(obj->properties, name);

    if (!prop) {
        return;
    }
    g_hash_table_remove(obj->properties, name);
    g_ptr_array_remove(obj->prop_order, prop);
    if (prop->release) {
        prop->release(obj, prop->name, prop->opaque);
    }
    object_property_free(prop);
}

ObjectProperty *object_class_property_add(ObjectClass *klass,
                                          const char *name,
                                          const char *type,
                                          ObjectPropertyGet *get,
                                          ObjectPropertySet *set,
                                          ObjectPropertyRelease *release,
                                          void *opaque)
{
    ObjectProperty *prop;

    if (class_find_prop_chain(klass, name)) {
        fprintf(stderr, "attempt to add duplicate property '%s' to class "
                "(type '%s')\n", name, object_class_get_name(klass));
        abort();
    }
    prop = property_new(name, type, get, set, release, opaque);
    g_hash_table_insert(klass->properties, prop->name, prop);
    g_ptr_array_add(klass->prop_order, prop);
    return prop;
}

void object_property_set_description(Object *obj, const char *name,
                                     const char *description)
{
    ObjectProperty *prop = object_property_find(obj, name);

    assert(prop);
    g_free(prop->description);
    prop->description = g_strdup(description);
}

void object_class_property_set_description(ObjectClass *klass,
                                           const char *name,
                                           const char *description)
{
    ObjectProperty *prop = g_hash_table_lookup(klass->properties, name);

    assert(prop);
    g_free(prop->description);
    prop->description = g_strdup(description);
}

void object_class_property_set_required(ObjectClass *klass,
                                        const char *name)
{
    ObjectProperty *prop = class_find_prop_chain(klass, name);

    assert(prop);
    prop->required = true;
}

static void object_property_init_defval(Object *obj, ObjectProperty *prop)
{
    prop->set(obj, prop->name, prop->defval, prop->opaque, &error_abort);
}

void object_property_set_default(ObjectProperty *prop, QObject *defval)
{
    assert(!prop->defval);
    assert(prop->set);
    prop->defval = defval;
    prop->init = object_property_init_defval;
}

void object_property_set_default_bool(ObjectProperty *prop, bool value)
{
    object_property_set_default(prop, QOBJECT(qbool_from_bool(value)));
}

void object_property_set_default_str(ObjectProperty *prop,
                                     const char *value)
{
    object_property_set_default(prop, QOBJECT(qstring_from_str(value)));
}

void object_property_set_default_int(ObjectProperty *prop, int64_t value)
{
    object_property_set_default(prop, QOBJECT(qnum_from_int(value)));
}

void object_property_set_default_uint(ObjectProperty *prop, uint64_t value)
{
    object_property_set_default(prop, QOBJECT(qnum_from_uint(value)));
}

/* ------------------------------------------------------------------ */
/* Iteration                                                           */

static void iter_init_chain(ObjectPropertyIterator *iter, ObjectClass *klass)
{
    int n = 0;

    memset(iter, 0, sizeof(*iter));
    for (; klass; klass = object_class_get_parent(klass)) {
        assert(n < (int)ARRAY_SIZE(iter->chain));
        iter->chain[n++] = klass;
    }
    iter->level = n - 1;
}

void object_class_property_iter_init(ObjectPropertyIterator *iter,
                                     ObjectClass *klass)
{
    iter_init_chain(iter, klass);
}

void object_property_iter_init(ObjectPropertyIterator *iter, Object *obj)
{
    iter_init_chain(iter, obj->class);
    iter->instance = obj->prop_order;
}

ObjectProperty *object_property_iter_next(ObjectPropertyIterator *iter)
{
    while (iter->level >= 0) {
        GPtrArray *props = iter->chain[iter->level]->prop_order;

        if (iter->idx < props->len) {
            return g_ptr_array_index(props, iter->idx++);
        }
        iter->level--;
        iter->idx = 0;
    }
    if (iter->instance && iter->idx < iter->instance->len) {
        return g_ptr_array_index(iter->instance, iter->idx++);
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Base types                                                          */

static QObject *object_get_type(Object *obj, const char *name, void *opaque,
                                Error **errp)
{
    return QOBJECT(qstring_from_str(object_get_typename(obj)));
}

static void object_class_init(ObjectClass *klass, void *data)
{
    object_class_property_add(klass, "type", "string", object_get_type,
                              NULL, NULL, NULL);
}

static void register_types(void)
{
    static const TypeInfo interface_info = {
        .name = TYPE_INTERFACE,
        .class_size = sizeof(InterfaceClass),
        .abstract = true,
    };
    static const TypeInfo object_info = {
        .name = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .class_init = object_class_init,
        .abstract = true,
    };

    type_register_static(&interface_info);
    type_register_static(&object_info);
}

type_init(register_types)
