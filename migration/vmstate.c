/*
 * VMState: save and load a device's state from its description.
 *
 * The wire format is drawn in include/migration/vmstate.h.  Everything
 * read from the stream is untrusted: element counts and buffer sizes are
 * checked against the description's bounds before memory is written or
 * allocated, and the stream's error state is checked after every field,
 * so a truncated stream fails with the name of the field it ended in.
 */
#include "qemu/osdep.h"
#include "migration/vmstate.h"
#include "migration/qemu-file.h"

static bool vmstate_field_present(const VMStateField *field, void *opaque,
                                  int version_id)
{
    if (field->field_exists) {
        return field->field_exists(opaque, version_id);
    }
    return field->version_id <= version_id;
}

/* Element count of a variable array, read from its count member. */
static int64_t vmstate_varray_count(const VMStateField *field, void *opaque)
{
    void *p = (uint8_t *)opaque + field->num_offset;

    if (field->flags & VMS_VARRAY_UINT32) {
        return *(uint32_t *)p;
    }
    if (field->flags & VMS_VARRAY_UINT16) {
        return *(uint16_t *)p;
    }
    if (field->flags & VMS_VARRAY_UINT8) {
        return *(uint8_t *)p;
    }
    return *(int32_t *)p;
}

/*
 * Number of elements and bytes per element of @field in @opaque,
 * checked against the field's bound.
 */
static bool vmstate_field_shape(const VMStateDescription *vmsd,
                                const VMStateField *field, void *opaque,
                                uint32_t *n, size_t *size, Error **errp)
{
    int64_t count = 1;

    *size = field->size;
    if (field->flags & VMS_ARRAY) {
        count = field->num;
    } else if (field->flags & VMS_VARRAY_ANY) {
        count = vmstate_varray_count(field, opaque);
        if (count < 0 || count > field->num) {
            error_setg(errp, "'%s' field '%s': element count %" PRId64
                       " is outside 0..%u", vmsd->name, field->name,
                       count, field->num);
            return false;
        }
    } else if (field->flags & VMS_VBUFFER) {
        uint32_t bytes = *(uint32_t *)((uint8_t *)opaque +
                                       field->size_offset);
        if (bytes > field->num) {
            error_setg(errp, "'%s' field '%s': buffer size %u exceeds the "
                       "limit %u", vmsd->name, field->name, bytes,
                       field->num);
            return false;
        }
        *size = bytes;
    }
    *n = (uint32_t)count;
    return true;
}

/*
 * Address of the first element.  With VMS_ALLOC on load, the pointer
 * member is replaced by a zeroed allocation of exactly @total bytes.
 */
static void *vmstate_field_base(const VMStateDescription *vmsd,
                                const VMStateField *field, void *opaque,
                                size_t total, bool loading, Error **errp)
{
    void *base = (uint8_t *)opaque + field->offset;
    void **pp;

    if (!(field->flags & VMS_POINTER)) {
        return base;
    }
    pp = base;
    if (loading && (field->flags & VMS_ALLOC)) {
        g_free(*pp);
        *pp = total ? g_malloc0(total) : NULL;
    }
    if (!*pp && total) {
        error_setg(errp, "'%s' field '%s': pointer is NULL", vmsd->name,
                   field->name);
        return NULL;
    }
    return *pp;
}

static bool vmstate_check_file(QEMUFile *f, const VMStateDescription *vmsd,
                               const VMStateField *field, bool loading,
                               Error **errp)
{
    int ret = qemu_file_get_error(f);

    if (!ret) {
        return true;
    }
    if (loading && ret == -EIO) {
        error_setg(errp, "'%s' field '%s': stream ended early or failed",
                   vmsd->name, field->name);
    } else {
        error_setg_errno(errp, -ret, "'%s' field '%s': %s failed",
                         vmsd->name, field->name,
                         loading ? "reading" : "writing");
    }
    return false;
}

static bool vmstate_put_field(QEMUFile *f, const VMStateDescription *vmsd,
                              const VMStateField *field, void *opaque,
                              Error **errp)
{
    uint32_t n, i;
    size_t size;
    uint8_t *base;

    if (!vmstate_field_shape(vmsd, field, opaque, &n, &size, errp)) {
        return false;
    }
    base = vmstate_field_base(vmsd, field, opaque, (size_t)n * size, false,
                              errp);
    if (!base && n && size) {
        return false;
    }
    for (i = 0; i < n; i++) {
        void *elem = base + (size_t)i * size;
        bool ok;

        if (field->flags & VMS_STRUCT) {
            ok = vmstate_save_state(f, field->vmsd, elem, errp);
        } else {
            ok = field->info->put(f, elem, size, field, errp);
            if (!ok) {
                error_prepend(errp, "'%s' field '%s': ", vmsd->name,
                              field->name);
            }
        }
        if (!ok) {
            return false;
        }
    }
    return vmstate_check_file(f, vmsd, field, false, errp);
}

static bool vmstate_get_field(QEMUFile *f, const VMStateDescription *vmsd,
                              const VMStateField *field, void *opaque,
                              Error **errp)
{
    uint32_t n, i;
    size_t size;
    uint8_t *base;

    if (!vmstate_field_shape(vmsd, field, opaque, &n, &size, errp)) {
        return false;
    }
    base = vmstate_field_base(vmsd, field, opaque, (size_t)n * size, true,
                              errp);
    if (!base && n && size) {
        return false;
    }
    for (i = 0; i < n; i++) {
        void *elem = base + (size_t)i * size;
        bool ok;

        if (field->flags & VMS_STRUCT) {
            ok = vmstate_load_state(f, field->vmsd, elem,
                                    field->vmsd->version_id, errp);
        } else {
            ok = field->info->get(f, elem, size, field, errp);
            if (!ok) {
                error_prepend(errp, "'%s' field '%s': ", vmsd->name,
                              field->name);
            }
        }
        if (!ok) {
            return false;
        }
        if (!vmstate_check_file(f, vmsd, field, true, errp)) {
            return false;
        }
    }
    return vmstate_check_file(f, vmsd, field, true, errp);
}

bool vmstate_section_needed(const VMStateDescription *vmsd, void *opaque)
{
    return !vmsd->needed || vmsd->needed(opaque);
}

static bool vmstate_save_subsections(QEMUFile *f,
                                     const VMStateDescription *vmsd,
                                     void *opaque, Error **errp)
{
    const VMStateDescription * const *sub = vmsd->subsections;

    for (; sub && *sub; sub++) {
        if (!vmstate_section_needed(*sub, opaque)) {
            continue;
        }
        qemu_put_byte(f, VMS_SUBSECTION_MARKER);
        qemu_put_counted_string(f, (*sub)->name);
        qemu_put_be32(f, (*sub)->version_id);
        if (!vmstate_save_state(f, *sub, opaque, errp)) {
            return false;
        }
    }
    qemu_put_byte(f, VMS_SUBSECTION_END);
    return true;
}

static bool vmstate_save_fields(QEMUFile *f, const VMStateDescription *vmsd,
                                void *opaque, Error **errp)
{
    const VMStateField *field;

    for (field = vmsd->fields; field && !(field->flags & VMS_END);
         field++) {
        if (!vmstate_field_present(field, opaque, vmsd->version_id)) {
            if (field->flags & VMS_MUST_EXIST) {
                error_setg(errp, "'%s' field '%s': validation failed",
                           vmsd->name, field->name);
                return false;
            }
            continue;
        }
        if (!vmstate_put_field(f, vmsd, field, opaque, errp)) {
            return false;
        }
    }
    return true;
}

bool vmstate_save_state(QEMUFile *f, const VMStateDescription *vmsd,
                        void *opaque, Error **errp)
{
    bool ok;
    int ret;

    if (vmsd->unmigratable) {
        error_setg(errp, "State of '%s' is not migratable", vmsd->name);
        return false;
    }
    if (vmsd->pre_save) {
        ret = vmsd->pre_save(opaque);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "pre_save of '%s' failed",
                             vmsd->name);
            return false;
        }
    }
    ok = vmstate_save_fields(f, vmsd, opaque, errp) &&
         vmstate_save_subsections(f, vmsd, opaque, errp);
    if (vmsd->post_save) {
        vmsd->post_save(opaque);
    }
    if (ok && qemu_file_get_error(f)) {
        error_setg_errno(errp, -qemu_file_get_error(f),
                         "Failed to write state of '%s'", vmsd->name);
        ok = false;
    }
    return ok;
}

static const VMStateDescription *
vmstate_find_subsection(const VMStateDescription *vmsd, const char *name,
                        size_t *index)
{
    const VMStateDescription * const *sub = vmsd->subsections;
    size_t i;

    for (i = 0; sub && sub[i]; i++) {
        if (!strcmp(sub[i]->name, name)) {
            *index = i;
            return sub[i];
        }
    }
    return NULL;
}

static size_t vmstate_count_subsections(const VMStateDescription *vmsd)
{
    size_t n = 0;

    while (vmsd->subsections && vmsd->subsections[n]) {
        n++;
    }
    return n;
}

static bool vmstate_load_one_subsection(QEMUFile *f,
                                        const VMStateDescription *vmsd,
                                        void *opaque, bool *seen,
                                        Error **errp)
{
    const VMStateDescription *sub;
    char name[256];
    size_t index;
    uint32_t version;

    if (!qemu_get_counted_string(f, name) || qemu_file_get_error(f)) {
        error_setg(errp, "'%s': truncated subsection header", vmsd->name);
        return false;
    }
    version = qemu_get_be32(f);
    if (qemu_file_get_error(f)) {
        error_setg(errp, "'%s': truncated subsection header", vmsd->name);
        return false;
    }
    sub = vmstate_find_subsection(vmsd, name, &index);
    if (!sub) {
        error_setg(errp, "Unknown subsection '%s' in '%s'", name,
                   vmsd->name);
        return false;
    }
    if (seen[index]) {
        error_setg(errp, "Subsection '%s' appears twice in '%s'", name,
                   vmsd->name);
        return false;
    }
    seen[index] = true;
    if (version > INT_MAX) {
        error_setg(errp, "section '%s' version %u is newer than supported "
                   "%d", sub->name, version, sub->version_id);
        return false;
    }
    return vmstate_load_state(f, sub, opaque, (int)version, errp);
}

static bool vmstate_load_subsections(QEMUFile *f,
                                     const VMStateDescription *vmsd,
                                     void *opaque, Error **errp)
{
    size_t nsubs = vmstate_count_subsections(vmsd);
    g_autofree bool *seen = g_new0(bool, nsubs + 1);

    for (;;) {
        uint8_t marker = qemu_get_byte(f);

        if (qemu_file_get_error(f)) {
            error_setg(errp, "'%s': stream ended before the end of its "
                       "subsections", vmsd->name);
            return false;
        }
        if (marker == VMS_SUBSECTION_END) {
            return true;
        }
        if (marker != VMS_SUBSECTION_MARKER) {
            error_setg(errp, "'%s': invalid subsection marker 0x%02x",
                       vmsd->name, marker);
            return false;
        }
        if (!vmstate_load_one_subsection(f, vmsd, opaque, seen, errp)) {
            return false;
        }
    }
}

static bool vmstate_check_version(const VMStateDescription *vmsd,
                                  int version_id, Error **errp)
{
    if (version_id > vmsd->version_id) {
        error_setg(errp, "section '%s' version %d is newer than supported "
                   "%d", vmsd->name, version_id, vmsd->version_id);
        return false;
    }
    if (version_id < vmsd->minimum_version_id) {
        error_setg(errp, "section '%s' version %d is older than the oldest "
                   "supported %d", vmsd->name, version_id,
                   vmsd->minimum_version_id);
        return false;
    }
    return true;
}

bool vmstate_load_state(QEMUFile *f, const VMStateDescription *vmsd,
                        void *opaque, int version_id, Error **errp)
{
    const VMStateField *field;
    int ret;

    if (!vmstate_check_version(vmsd, version_id, errp)) {
        return false;
    }
    if (vmsd->pre_load) {
        ret = vmsd->pre_load(opaque);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "pre_load of '%s' failed",
                             vmsd->name);
            return false;
        }
    }
    for (field = vmsd->fields; field && !(field->flags & VMS_END);
         field++) {
        if (!vmstate_field_present(field, opaque, version_id)) {
            if (field->flags & VMS_MUST_EXIST) {
                error_setg(errp, "'%s' field '%s': validation failed",
                           vmsd->name, field->name);
                return false;
            }
            continue;
        }
        if (!vmstate_get_field(f, vmsd, field, opaque, errp)) {
            return false;
        }
    }
    if (!vmstate_load_subsections(f, vmsd, opaque, errp)) {
        return false;
    }
    if (vmsd->post_load) {
        ret = vmsd->post_load(opaque, version_id);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "post_load of '%s' failed",
                             vmsd->name);
            return false;
        }
    }
    return true;
}

static bool vmstate_check_field(const VMStateDescription *vmsd,
                                const VMStateField *field, int depth,
                                Error **errp);

static bool vmstate_check_depth(const VMStateDescription *vmsd, int depth,
                                Error **errp)
{
    const VMStateField *field;
    const VMStateDescription * const *sub;
    const VMStateDescription * const *other;

    if (depth > 16) {
        error_setg(errp, "'%s': descriptions nest too deeply", vmsd->name);
        return false;
    }
    if (!vmsd->name || vmsd->minimum_version_id > vmsd->version_id) {
        error_setg(errp, "'%s': minimum_version_id %d is above version_id "
                   "%d", vmsd->name ? vmsd->name : "(unnamed)",
                   vmsd->minimum_version_id, vmsd->version_id);
        return false;
    }
    for (field = vmsd->fields; field && !(field->flags & VMS_END);
         field++) {
        if (!vmstate_check_field(vmsd, field, depth, errp)) {
            return false;
        }
    }
    for (sub = vmsd->subsections; sub && *sub; sub++) {
        for (other = vmsd->subsections; other != sub; other++) {
            if (!strcmp((*other)->name, (*sub)->name)) {
                error_setg(errp, "'%s': subsection '%s' is listed twice",
                           vmsd->name, (*sub)->name);
                return false;
            }
        }
        if (strlen((*sub)->name) > 255 ||
            !vmstate_check_depth(*sub, depth + 1, errp)) {
            error_prepend(errp, "'%s' subsection: ", vmsd->name);
            return false;
        }
    }
    return true;
}

static bool vmstate_check_field(const VMStateDescription *vmsd,
                                const VMStateField *field, int depth,
                                Error **errp)
{
    const char *problem = NULL;

    if (!field->name) {
        problem = "has no name";
    } else if (field->version_id > vmsd->version_id) {
        problem = "is newer than its description";
    } else if ((field->flags & VMS_STRUCT) && !field->vmsd) {
        problem = "is a struct without a description";
    } else if (!(field->flags & VMS_STRUCT) && !field->info) {
        problem = "has no type";
    } else if (!field->size && !(field->flags & (VMS_VBUFFER |
                                                 VMS_MUST_EXIST))) {
        problem = "has elements of size 0";
    } else if ((field->flags & (VMS_VARRAY_ANY | VMS_VBUFFER)) &&
               !field->num) {
        problem = "has a variable length with a bound of 0";
    }
    if (problem) {
        error_setg(errp, "'%s' field '%s' %s", vmsd->name,
                   field->name ? field->name : "?", problem);
        return false;
    }
    if (field->flags & VMS_STRUCT) {
        return vmstate_check_depth(field->vmsd, depth + 1, errp);
    }
    return true;
}

bool vmstate_check_description(const VMStateDescription *vmsd,
                               Error **errp)
{
    return vmstate_check_depth(vmsd, 0, errp);
}
