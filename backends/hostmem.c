/*
 * memory-backend-ram and memory-backend-memfd (include/system/hostmem.h).
 *
 * Both are the same thing here: every RAM block is a memfd mapped
 * MAP_SHARED once, so "share" and "seal" only record what was asked.
 * Properties follow QEMU 7.2's names and types; the NUMA and
 * preallocation-thread knobs are accepted and ignored (one host node,
 * one vCPU), "prealloc" touches every page at creation.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qom/object_interfaces.h"
#include "qapi/qapi-types-common.h"
#include "system/hostmem.h"

OBJECT_DECLARE_SIMPLE_TYPE(HostMemoryBackend, MEMORY_BACKEND)

struct HostMemoryBackend {
    Object parent_obj;

    uint64_t size;
    bool share;
    bool dump;
    bool merge;
    bool prealloc;
    bool reserve;
    bool canonical_id;
    bool hugetlb;
    bool seal;
    uint64_t hugetlbsize;
    int64_t prealloc_threads;
    char *policy;
    RAMBlock *block;
    bool used;
};

typedef enum BackendField {
    BF_SHARE, BF_DUMP, BF_MERGE, BF_PREALLOC, BF_RESERVE, BF_CANONICAL,
    BF_HUGETLB, BF_SEAL,
} BackendField;

static bool *bool_field(HostMemoryBackend *be, BackendField f)
{
    switch (f) {
    case BF_SHARE:
        return &be->share;
    case BF_DUMP:
        return &be->dump;
    case BF_MERGE:
        return &be->merge;
    case BF_PREALLOC:
        return &be->prealloc;
    case BF_RESERVE:
        return &be->reserve;
    case BF_CANONICAL:
        return &be->canonical_id;
    case BF_HUGETLB:
        return &be->hugetlb;
    default:
        return &be->seal;
    }
}

static bool check_settable(HostMemoryBackend *be, const char *name,
                           Error **errp)
{
    if (be->block) {
        error_setg(errp, "cannot change property '%s' of %s '%s'", name,
                   object_get_typename(OBJECT(be)),
                   object_get_canonical_path_component(OBJECT(be)));
        return false;
    }
    return true;
}

static QObject *get_bool(Object *obj, const char *name, void *opaque,
                         Error **errp)
{
    return QOBJECT(qbool_from_bool(*bool_field(MEMORY_BACKEND(obj),
                                               (uintptr_t)opaque)));
}

static bool set_bool(Object *obj, const char *name, QObject *value,
                     void *opaque, Error **errp)
{
    HostMemoryBackend *be = MEMORY_BACKEND(obj);
    bool v;

    if (!check_settable(be, name, errp) ||
        !qom_value_to_bool(name, value, &v, errp)) {
        return false;
    }
    *bool_field(be, (uintptr_t)opaque) = v;
    return true;
}

static QObject *get_size(Object *obj, const char *name, void *opaque,
                         Error **errp)
{
    HostMemoryBackend *be = MEMORY_BACKEND(obj);

    return QOBJECT(qnum_from_uint(strcmp(name, "size") ? be->hugetlbsize
                                                       : be->size));
}

static bool set_size(Object *obj, const char *name, QObject *value,
                     void *opaque, Error **errp)
{
    HostMemoryBackend *be = MEMORY_BACKEND(obj);
    uint64_t v;

    if (!check_settable(be, name, errp) ||
        !qom_value_to_size(name, value, &v, errp)) {
        return false;
    }
    if (strcmp(name, "size") == 0) {
        be->size = v;
    } else {
        be->hugetlbsize = v;
    }
    return true;
}

static QObject *get_threads(Object *obj, const char *name, void *opaque,
                            Error **errp)
{
    return QOBJECT(qnum_from_int(MEMORY_BACKEND(obj)->prealloc_threads));
}

static bool set_threads(Object *obj, const char *name, QObject *value,
                        void *opaque, Error **errp)
{
    HostMemoryBackend *be = MEMORY_BACKEND(obj);
    int64_t v;

    if (!qom_value_to_int(name, value, &v, errp)) {
        return false;
    }
    if (v <= 0) {
        error_setg(errp, "property '%s' must be positive", name);
        return false;
    }
    be->prealloc_threads = v;
    return true;
}

static QObject *get_policy(Object *obj, const char *name, void *opaque,
                           Error **errp)
{
    return QOBJECT(qstring_from_str(MEMORY_BACKEND(obj)->policy));
}

static bool set_policy(Object *obj, const char *name, QObject *value,
                       void *opaque, Error **errp)
{
    HostMemoryBackend *be = MEMORY_BACKEND(obj);
    int i = qom_value_to_enum(name, value, &HostMemPolicy_lookup, errp);

    if (i < 0) {
        return false;
    }
    g_free(be->policy);
    be->policy = g_strdup(HostMemPolicy_str(i));
    return true;
}

static bool set_host_nodes(Object *obj, const char *name, QObject *value,
                           void *opaque, Error **errp)
{
    /* one host node: any list is accepted and ignored */
    return true;
}

static bool backend_complete(UserCreatable *uc, Error **errp)
{
    HostMemoryBackend *be = MEMORY_BACKEND(uc);
    const char *id = object_get_canonical_path_component(OBJECT(be));
    uint8_t *host;

    if (!be->size) {
        error_setg(errp, "can't create backend with size 0");
        return false;
    }
    if (be->hugetlb) {
        error_setg(errp, "hugetlb is not supported by this backend");
        return false;
    }
    be->block = ram_block_new(id, be->size, errp);
    if (!be->block) {
        return false;
    }
    if (be->prealloc) {
        host = ram_block_host(be->block);
        for (uint64_t off = 0; off < be->size; off += TARGET_PAGE_SIZE) {
            host[off] = 0;
        }
    }
    return true;
}

static bool backend_can_be_deleted(UserCreatable *uc)
{
    return !MEMORY_BACKEND(uc)->used;
}

static void backend_init(Object *obj)
{
    HostMemoryBackend *be = MEMORY_BACKEND(obj);

    be->dump = true;
    be->merge = true;
    be->prealloc_threads = 1;
    be->policy = g_strdup("default");
}

static void backend_finalize(Object *obj)
{
    HostMemoryBackend *be = MEMORY_BACKEND(obj);

    if (be->block && !be->used) {
        ram_block_free(be->block);
    }
    g_free(be->policy);
}

static void add_bool(ObjectClass *oc, const char *name, BackendField f,
                     const char *desc)
{
    object_class_property_add(oc, name, "bool", get_bool, set_bool, NULL,
                              (void *)(uintptr_t)f);
    if (desc) {
        object_class_property_set_description(oc, name, desc);
    }
}

static void backend_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    ucc->complete = backend_complete;
    ucc->can_be_deleted = backend_can_be_deleted;
    /* qom-list-properties order of QEMU 7.2 */
    add_bool(oc, "share", BF_SHARE,
             "Mark the memory as private to QEMU or shared");
    object_class_property_add(oc, "size", "int", get_size, set_size, NULL,
                              NULL);
    object_class_property_set_description(oc, "size",
        "Size of the memory region (ex: 500M)");
    add_bool(oc, "dump", BF_DUMP, "Set to 'off' to exclude from core dump");
    object_class_property_add(oc, "prealloc-threads", "int", get_threads,
                              set_threads, NULL, NULL);
    object_class_property_set_description(oc, "prealloc-threads",
        "Number of CPU threads to use for prealloc");
    add_bool(oc, "x-use-canonical-path-for-ramblock-id", BF_CANONICAL, NULL);
    object_class_property_add(oc, "policy", "HostMemPolicy", get_policy,
                              set_policy, NULL, NULL);
    object_class_property_set_description(oc, "policy",
                                          "Set the NUMA policy");
    add_bool(oc, "prealloc", BF_PREALLOC, "Preallocate memory");
    add_bool(oc, "reserve", BF_RESERVE,
             "Reserve swap space (or huge pages) if applicable");
    object_class_property_add(oc, "host-nodes", "int", NULL, set_host_nodes,
                              NULL, NULL);
    object_class_property_set_description(oc, "host-nodes",
        "Binds memory to the list of NUMA host nodes");
    add_bool(oc, "merge", BF_MERGE, "Mark memory as mergeable");
}

static void memfd_class_init(ObjectClass *oc, void *data)
{
    add_bool(oc, "hugetlb", BF_HUGETLB, "Use huge pages");
    add_bool(oc, "seal", BF_SEAL, "Seal growing & shrinking");
    object_class_property_add(oc, "hugetlbsize", "int", get_size, set_size,
                              NULL, NULL);
    object_class_property_set_description(oc, "hugetlbsize",
        "Huge pages size (ex: 2M, 1G)");
}

static const TypeInfo backend_types[] = {
    {
        .name = TYPE_MEMORY_BACKEND,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(HostMemoryBackend),
        .instance_init = backend_init,
        .instance_finalize = backend_finalize,
        .class_init = backend_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { NULL },
        },
    }, {
        .name = TYPE_MEMORY_BACKEND_RAM,
        .parent = TYPE_MEMORY_BACKEND,
    }, {
        .name = TYPE_MEMORY_BACKEND_MEMFD,
        .parent = TYPE_MEMORY_BACKEND,
        .class_init = memfd_class_init,
    },
};

DEFINE_TYPES(backend_types)

HostMemoryBackend *host_memory_backend_find(const char *id, Error **errp)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(),
                                                id);

    if (!obj || !object_dynamic_cast(obj, TYPE_MEMORY_BACKEND)) {
        error_setg(errp, "Memory backend '%s' not found", id);
        return NULL;
    }
    return MEMORY_BACKEND(obj);
}

RAMBlock *host_memory_backend_get_ram_block(HostMemoryBackend *be)
{
    return be->block;
}

uint64_t host_memory_backend_get_size(HostMemoryBackend *be)
{
    return be->size;
}

void host_memory_backend_set_used(HostMemoryBackend *be, bool used)
{
    be->used = used;
}

bool host_memory_backend_is_used(HostMemoryBackend *be)
{
    return be->used;
}
