/*
 * QOM composition tree: child<> and link<> properties, aliases,
 * containers, canonical paths and path resolution.
 *
 *   /                       root container
 *   /objects/ID             -object / object-add
 *   /machine/peripheral/ID  -device with id=
 *   /machine/peripheral-anon/device[N]
 *   /machine/unattached/... everything the board creates without a name
 *
 * A child<T> property holds one reference to its child and sets
 * child->parent; deleting the property (object_unparent, or finalizing
 * the parent) drops it.  A link<T> property stores a pointer (strong
 * links hold a reference).  Paths: "/a/b" is absolute; "b" or "a/b" is
 * partial and matches when exactly one object in the tree ends with it.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qom/object.h"
#include "qobject/qstring.h"

/* ------------------------------------------------------------------ */
/* child<>                                                             */

static QObject *child_get(Object *obj, const char *name, void *opaque,
                          Error **errp)
{
    g_autofree char *path = object_get_canonical_path(opaque);

    return QOBJECT(qstring_from_str(path ? path : ""));
}

static Object *child_resolve(Object *obj, void *opaque, const char *part)
{
    return opaque;
}

static void child_release(Object *obj, const char *name, void *opaque)
{
    Object *child = opaque;

    if (child->class->unparent) {
        child->class->unparent(child);
    }
    child->parent = NULL;
    object_unref(child);
}

ObjectProperty *object_property_try_add_child(Object *obj, const char *name,
                                              Object *child, Error **errp)
{
    g_autofree char *type = g_strdup_printf("child<%s>",
                                            object_get_typename(child));
    ObjectProperty *op;

    assert(!child->parent);
    op = object_property_try_add(obj, name, type, child_get, NULL,
                                 child_release, child, errp);
    if (!op) {
        return NULL;
    }
    op->resolve = child_resolve;
    object_ref(child);
    child->parent = obj;
    return op;
}

ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child)
{
    return object_property_try_add_child(obj, name, child, &error_abort);
}

static ObjectProperty *find_child_prop(Object *parent, const Object *child)
{
    guint i;

    for (i = 0; i < parent->prop_order->len; i++) {
        ObjectProperty *prop = g_ptr_array_index(parent->prop_order, i);

        if (object_property_is_child(prop) && prop->opaque == child) {
            return prop;
        }
    }
    return NULL;
}

void object_unparent(Object *obj)
{
    ObjectProperty *prop;

    if (!obj->parent) {
        return;
    }
    prop = find_child_prop(obj->parent, obj);
    assert(prop);
    object_property_del(obj->parent, prop->name);
}

int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque)
{
    g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func(
        object_unref);
    guint i;
    int ret = 0;

    /* snapshot with references: @fn may unparent children */
    for (i = 0; i < obj->prop_order->len; i++) {
        ObjectProperty *prop = g_ptr_array_index(obj->prop_order, i);

        if (object_property_is_child(prop)) {
            g_ptr_array_add(children, object_ref(prop->opaque));
        }
    }
    for (i = 0; i < children->len && ret == 0; i++) {
        ret = fn(g_ptr_array_index(children, i), opaque);
    }
    return ret;
}

typedef struct RecurseData {
    int (*fn)(Object *child, void *opaque);
    void *opaque;
} RecurseData;

static int foreach_recursive(Object *child, void *opaque)
{
    RecurseData *d = opaque;
    int ret = d->fn(child, d->opaque);

    if (ret) {
        return ret;
    }
    return object_child_foreach(child, foreach_recursive, d);
}

int object_child_foreach_recursive(Object *obj,
                                   int (*fn)(Object *child, void *opaque),
                                   void *opaque)
{
    RecurseData d = { fn, opaque };

    return object_child_foreach(obj, foreach_recursive, &d);
}

/* ------------------------------------------------------------------ */
/* link<>                                                              */

typedef struct LinkProperty {
    Object **targetp;
    ptrdiff_t offset;           /* class links: field offset */
    char *target_type;
    ObjectLinkCheck *check;
    ObjectPropertyLinkFlags flags;
} LinkProperty;

static Object **link_targetp(Object *obj, LinkProperty *lp)
{
    if (lp->flags & OBJ_PROP_LINK_CLASS) {
        return (Object **)((char *)obj + lp->offset);
    }
    return lp->targetp;
}

static QObject *link_get(Object *obj, const char *name, void *opaque,
                         Error **errp)
{
    Object *target = *link_targetp(obj, opaque);
    g_autofree char *path = target ? object_get_canonical_path(target)
                                   : NULL;

    return QOBJECT(qstring_from_str(path ? path : ""));
}

static Object *resolve_link(const char *name, const char *path,
                            const char *target_type, Error **errp)
{
    bool ambiguous = false;
    Object *target = object_resolve_path_type(path, target_type, &ambiguous);

    if (target) {
        return target;
    }
    if (ambiguous) {
        error_setg(errp, "Path '%s' does not uniquely identify an object",
                   path);
        return NULL;
    }
    ambiguous = false;
    if (object_resolve_path(path, &ambiguous) || ambiguous) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, target_type);
    } else {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  path);
    }
    return NULL;
}

static bool link_set(Object *obj, const char *name, QObject *value,
                     void *opaque, Error **errp)
{
    LinkProperty *lp = opaque;
    Object **targetp = link_targetp(obj, lp);
    Object *old = *targetp;
    Object *target = NULL;
    QString *qs = qobject_to(QString, value);
    const char *path;

    if (!qs) {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, "string");
        return false;
    }
    path = qstring_get_str(qs);
    if (*path) {
        target = resolve_link(name, path, lp->target_type, errp);
        if (!target) {
            return false;
        }
    }
    if (lp->check && !lp->check(obj, name, target, errp)) {
        return false;
    }
    *targetp = target;
    if (lp->flags & OBJ_PROP_LINK_STRONG) {
        object_ref(target);
        object_unref(old);
    }
    return true;
}

static Object *link_resolve(Object *obj, void *opaque, const char *part)
{
    return *link_targetp(obj, opaque);
}

static void link_release(Object *obj, const char *name, void *opaque)
{
    LinkProperty *lp = opaque;
    Object **targetp = link_targetp(obj, lp);

    if ((lp->flags & OBJ_PROP_LINK_STRONG) && *targetp) {
        object_unref(*targetp);
        *targetp = NULL;
    }
    if (!(lp->flags & OBJ_PROP_LINK_CLASS)) {
        g_free(lp->target_type);
        g_free(lp);
    }
}

bool object_property_allow_set_link(const Object *obj, const char *name,
                                    Object *val, Error **errp)
{
    return true;
}

ObjectProperty *object_property_add_link(Object *obj, const char *name,
                                         const char *type,
                                         Object **targetp,
                                         ObjectLinkCheck *check,
                                         ObjectPropertyLinkFlags flags)
{
    LinkProperty *lp = g_new0(LinkProperty, 1);
    g_autofree char *full_type = g_strdup_printf("link<%s>", type);
    ObjectProperty *op;

    lp->targetp = targetp;
    lp->target_type = g_strdup(type);
    lp->check = check;
    lp->flags = flags & ~OBJ_PROP_LINK_CLASS;
    op = object_property_add(obj, name, full_type, link_get,
                             check ? link_set : NULL, link_release, lp);
    op->resolve = link_resolve;
    return op;
}

ObjectProperty *object_class_property_add_link(ObjectClass *oc,
                                               const char *name,
                                               const char *type,
                                               ptrdiff_t offset,
                                               ObjectLinkCheck *check,
                                               ObjectPropertyLinkFlags flags)
{
    LinkProperty *lp = g_new0(LinkProperty, 1);
    g_autofree char *full_type = g_strdup_printf("link<%s>", type);
    ObjectProperty *op;

    lp->offset = offset;
    lp->target_type = g_strdup(type);
    lp->check = check;
    lp->flags = flags | OBJ_PROP_LINK_CLASS;
    op = object_class_property_add(oc, name, full_type, link_get,
                                   check ? link_set : NULL, link_release,
                                   lp);
    op->resolve = link_resolve;
    return op;
}

/* ------------------------------------------------------------------ */
/* alias                                                               */

typedef struct AliasProperty {
    Object *target;
    char *target_name;
} AliasProperty;

static QObject *alias_get(Object *obj, const char *name, void *opaque,
                          Error **errp)
{
    AliasProperty *ap = opaque;

    return object_property_get(ap->target, ap->target_name, errp);
}

static bool alias_set(Object *obj, const char *name, QObject *value,
                      void *opaque, Error **errp)
{
    AliasProperty *ap = opaque;

    return object_property_set(ap->target, ap->target_name, value, errp);
}

static Object *alias_resolve(Object *obj, void *opaque, const char *part)
{
    AliasProperty *ap = opaque;

    return object_resolve_path_component(ap->target, ap->target_name);
}

static void alias_release(Object *obj, const char *name, void *opaque)
{
    AliasProperty *ap = opaque;

    g_free(ap->target_name);
    g_free(ap);
}

ObjectProperty *object_property_add_alias(Object *obj, const char *name,
                                          Object *target,
                                          const char *target_name)
{
    ObjectProperty *target_prop = object_property_find(target, target_name);
    g_autofree char *type = NULL;
    AliasProperty *ap;
    ObjectProperty *op;

    assert(target_prop);
    ap = g_new0(AliasProperty, 1);
    ap->target = target;
    ap->target_name = g_strdup(target_name);
    /* an alias of a child is not a second owner: show it as a link */
    if (object_property_is_child(target_prop)) {
        type = g_strdup_printf("link%s",
                               target_prop->type + strlen("child"));
    } else {
        type = g_strdup(target_prop->type);
    }
    op = object_property_add(obj, name, type,
                             target_prop->get ? alias_get : NULL,
                             target_prop->set ? alias_set : NULL,
                             alias_release, ap);
    op->resolve = alias_resolve;
    if (target_prop->description) {
        op->description = g_strdup(target_prop->description);
    }
    return op;
}

/* ------------------------------------------------------------------ */
/* Roots and containers                                                */

Object *object_get_root(void)
{
    static Object *root;

    if (!root) {
        Object *objects = object_new(TYPE_CONTAINER);

        /* "/objects" always exists, as in QEMU (qom-list /objects) */
        root = object_new(TYPE_CONTAINER);
        object_property_add_child(root, "objects", objects);
        object_unref(objects);
    }
    return root;
}

Object *object_get_objects_root(void)
{
    return container_get(object_get_root(), "/objects");
}

Object *object_get_container(const char *name)
{
    return container_get(object_get_root(), name);
}

Object *object_get_internal_root(void)
{
    static Object *internal_root;

    if (!internal_root) {
        internal_root = object_new(TYPE_CONTAINER);
    }
    return internal_root;
}

Object *container_get(Object *root, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", 0);
    Object *obj = root;
    int i;

    for (i = 0; parts[i]; i++) {
        Object *child;

        if (!*parts[i]) {
            continue;
        }
        child = object_resolve_path_component(obj, parts[i]);
        if (!child) {
            child = object_new(TYPE_CONTAINER);
            object_property_add_child(obj, parts[i], child);
            object_unref(child);
        }
        obj = child;
    }
    return obj;
}

/* ------------------------------------------------------------------ */
/* Paths                                                               */

const char *object_get_canonical_path_component(const Object *obj)
{
    ObjectProperty *prop;

    if (!obj->parent) {
        return NULL;
    }
    prop = find_child_prop(obj->parent, obj);
    assert(prop);
    return prop->name;
}

char *object_get_canonical_path(const Object *obj)
{
    Object *root = object_get_root();
    GString *path = g_string_new("");

    if (obj == root) {
        g_string_free(path, true);
        return g_strdup("/");
    }
    while (obj != root) {
        const char *component = object_get_canonical_path_component(obj);

        if (!component) {
            g_string_free(path, true);
            return NULL;
        }
        g_string_prepend(path, component);
        g_string_prepend_c(path, '/');
        obj = obj->parent;
    }
    return g_string_free(path, false);
}

Object *object_resolve_path_component(Object *parent, const char *part)
{
    ObjectProperty *prop = object_property_find(parent, part);

    if (!prop || !prop->resolve) {
        return NULL;
    }
    return prop->resolve(parent, prop->opaque, part);
}

static Object *resolve_abs(Object *parent, char **parts,
                           const char *typename)
{
    Object *child;

    if (!parent) {
        return NULL;
    }
    if (!*parts) {
        return object_dynamic_cast(parent, typename);
    }
    if (!**parts) {
        return resolve_abs(parent, parts + 1, typename);
    }
    child = object_resolve_path_component(parent, *parts);
    return resolve_abs(child, parts + 1, typename);
}

static Object *resolve_partial(Object *parent, char **parts,
                               const char *typename, bool *ambiguous)
{
    Object *obj = resolve_abs(parent, parts, typename);
    guint i;

    for (i = 0; i < parent->prop_order->len; i++) {
        ObjectProperty *prop = g_ptr_array_index(parent->prop_order, i);
        Object *found;

        if (!object_property_is_child(prop)) {
            continue;
        }
        found = resolve_partial(prop->opaque, parts, typename, ambiguous);
        if (found) {
            if (obj && obj != found) {
                *ambiguous = true;
                return NULL;
            }
            obj = found;
        }
        if (*ambiguous) {
            return NULL;
        }
    }
    return obj;
}

Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguousp)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", 0);
    bool ambiguous = false;
    Object *obj;

    if (!typename) {
        typename = TYPE_OBJECT;
    }
    if (!parts[0]) {
        /* "" */
        obj = NULL;
    } else if (!*parts[0]) {
        obj = resolve_abs(object_get_root(), parts + 1, typename);
    } else {
        obj = resolve_partial(object_get_root(), parts, typename,
                              &ambiguous);
    }
    if (ambiguousp) {
        *ambiguousp = ambiguous;
    }
    return obj;
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    return object_resolve_path_type(path, TYPE_OBJECT, ambiguous);
}

Object *object_resolve_path_at(Object *parent, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", 0);

    if (*path == '/') {
        return resolve_abs(object_get_root(), parts + 1, TYPE_OBJECT);
    }
    return resolve_abs(parent, parts, TYPE_OBJECT);
}

static void container_register_types(void)
{
    static const TypeInfo container_info = {
        .name = TYPE_CONTAINER,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    };

    type_register_static(&container_info);
}

type_init(container_register_types)
