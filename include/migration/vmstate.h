/*
 * Declarative device state (VMState).
 *
 * A device describes its migratable state once, as a table:
 *
 *     static const VMStateDescription vmstate_foo = {
 *         .name = "foo",
 *         .version_id = 2,
 *         .minimum_version_id = 1,
 *         .post_load = foo_post_load,
 *         .fields = (const VMStateField[]) {
 *             VMSTATE_UINT32(ctrl, FooState),
 *             VMSTATE_UINT8_ARRAY(regs, FooState, 16),
 *             VMSTATE_UINT64_V(counter, FooState, 2),  (added in version 2)
 *             VMSTATE_TIMER_PTR(timer, FooState),
 *             VMSTATE_END_OF_LIST()
 *         },
 *         .subsections = (const VMStateDescription * const []) {
 *             &vmstate_foo_extra,                      (has .needed)
 *             NULL
 *         },
 *     };
 *
 * The same table drives saving and loading, for live migration and for
 * COLO checkpoints.  On the wire (all integers big-endian):
 *
 *     fields in table order      each present field: its elements, each
 *                                encoded by its VMStateInfo (uintN: N/8
 *                                bytes; bool: 1 byte; timer: be64 expiry
 *                                or -1; buffer: raw bytes)
 *     subsections                for each subsection whose .needed holds:
 *                                  0x05 (VMS_SUBSECTION_MARKER)
 *                                  u8 name length, name bytes
 *                                  be32 version_id of the subsection
 *                                  its fields and subsections
 *     0x00                       VMS_SUBSECTION_END: no more subsections
 *
 * A field is present when its version_id <= the version being loaded and
 * (for the *_TEST variants) its predicate holds.  Every length that comes
 * from the stream (variable arrays and buffers) is checked against a bound
 * fixed by the description before anything is written or allocated.
 *
 * Rules for device authors (docs/devel/migration-stream.rst):
 * - New state goes into a subsection with .needed (tied to a compat
 *   property when older machine types must not send it); bump version_id
 *   only for a real incompatible change.
 * - Every description gets a save->load->compare test
 *   (tests/unit/vmstate-test-util.h: vmstate_test_roundtrip()).
 */
#ifndef MIGRATION_VMSTATE_H
#define MIGRATION_VMSTATE_H

#include "qapi/error.h"

typedef struct QEMUFile QEMUFile;
typedef struct QEMUTimer QEMUTimer;
typedef struct VMStateInfo VMStateInfo;
typedef struct VMStateField VMStateField;
typedef struct VMStateDescription VMStateDescription;

/* Subsection framing bytes (see the file-top comment). */
#define VMS_SUBSECTION_MARKER 0x05
#define VMS_SUBSECTION_END    0x00

/* Register with any free instance id (see include/migration/register.h). */
#define VMSTATE_INSTANCE_ID_ANY -1

/**
 * VMStateInfo: how one element of a basic type is put on the wire.
 * @name: type name used in error messages and traces
 * @get: read one element of @size bytes into @pv; false + @errp on error
 *       (a short read may also just latch the QEMUFile error; the caller
 *       checks it after every field)
 * @put: write one element; false + @errp on error
 *
 * Devices with an odd in-memory representation may define their own.
 */
struct VMStateInfo {
    const char *name;
    bool (*get)(QEMUFile *f, void *pv, size_t size,
                const VMStateField *field, Error **errp);
    bool (*put)(QEMUFile *f, void *pv, size_t size,
                const VMStateField *field, Error **errp);
};

/* How a VMStateField finds its elements. */
enum VMStateFlags {
    VMS_SINGLE         = 0x0001,  /* one element at offset */
    VMS_POINTER        = 0x0002,  /* offset holds a pointer to the data */
    VMS_ARRAY          = 0x0004,  /* num elements */
    VMS_STRUCT         = 0x0008,  /* elements described by vmsd */
    VMS_VARRAY_UINT32  = 0x0010,  /* count: uint32_t at num_offset */
    VMS_VARRAY_UINT16  = 0x0020,  /* count: uint16_t at num_offset */
    VMS_VARRAY_INT32   = 0x0040,  /* count: int32_t at num_offset */
    VMS_VARRAY_UINT8   = 0x0080,  /* count: uint8_t at num_offset */
    VMS_BUFFER         = 0x0100,  /* one blob of size bytes */
    VMS_VBUFFER        = 0x0200,  /* blob, size: uint32_t at size_offset */
    VMS_ALLOC          = 0x0400,  /* (re)allocate the pointer on load */
    VMS_MUST_EXIST     = 0x0800,  /* predicate false on save is an error */
    VMS_END            = 0x8000,  /* terminator */
};

#define VMS_VARRAY_ANY (VMS_VARRAY_UINT32 | VMS_VARRAY_UINT16 | \
                        VMS_VARRAY_INT32 | VMS_VARRAY_UINT8)

/**
 * VMStateField: one entry of a description; build them with the macros
 * below rather than by hand.
 * @name: field name (error messages)
 * @offset: of the member (or of the pointer, with VMS_POINTER)
 * @size: bytes per element
 * @num: element count (VMS_ARRAY); for variable arrays and VMS_VBUFFER
 *       the largest count (bytes) a stream may carry
 * @num_offset: of the count member (variable arrays)
 * @size_offset: of the uint32_t byte count (VMS_VBUFFER)
 * @info: element encoding (not for VMS_STRUCT)
 * @flags: enum VMStateFlags
 * @vmsd: element description (VMS_STRUCT)
 * @version_id: first version of the description carrying this field
 * @field_exists: optional predicate; the field is on the wire only when
 *                it returns true (evaluated identically on both sides)
 */
struct VMStateField {
    const char *name;
    size_t offset;
    size_t size;
    uint32_t num;
    size_t num_offset;
    size_t size_offset;
    const VMStateInfo *info;
    uint32_t flags;
    const VMStateDescription *vmsd;
    int version_id;
    bool (*field_exists)(void *opaque, int version_id);
};

/* Order of sections in the stream: higher first. */
typedef enum MigrationPriority {
    MIG_PRI_DEFAULT = 0,
    MIG_PRI_PCI_BUS,      /* buses before the devices on them */
    MIG_PRI_IOMMU,        /* translation before anything that DMAs */
    MIG_PRI_MAX,
} MigrationPriority;

/**
 * VMStateDescription: the state of one device (or one nested struct).
 * @name: section / subsection name; a subsection's name should be
 *        "<parent name>/<what>"
 * @unmigratable: saving fails with "State of 'name' is not migratable"
 * @version_id: version written by this build
 * @minimum_version_id: oldest stream version this build can load
 * @priority: section order (MigrationPriority)
 * @fields: the table, ending in VMSTATE_END_OF_LIST()
 * @subsections: NULL-terminated list of optional parts
 * @needed: (subsections) whether to send it; absent means always
 * @pre_save: before saving; negative errno fails the save
 * @post_save: after saving (also after a failed save)
 * @pre_load: before loading; negative errno fails the load
 * @post_load: after all fields and subsections are loaded; negative
 *             errno fails the load.  Recompute derived state here and
 *             validate cross-field invariants (guest-controlled values!).
 */
struct VMStateDescription {
    const char *name;
    bool unmigratable;
    int version_id;
    int minimum_version_id;
    MigrationPriority priority;
    const VMStateField *fields;
    const VMStateDescription * const *subsections;
    bool (*needed)(void *opaque);
    int (*pre_save)(void *opaque);
    int (*post_save)(void *opaque);
    int (*pre_load)(void *opaque);
    int (*post_load)(void *opaque, int version_id);
};

/* Basic element types (migration/vmstate-types.c). */
extern const VMStateInfo vmstate_info_bool;
extern const VMStateInfo vmstate_info_int8;
extern const VMStateInfo vmstate_info_int16;
extern const VMStateInfo vmstate_info_int32;
extern const VMStateInfo vmstate_info_int64;
extern const VMStateInfo vmstate_info_uint8;
extern const VMStateInfo vmstate_info_uint16;
extern const VMStateInfo vmstate_info_uint32;
extern const VMStateInfo vmstate_info_uint64;
extern const VMStateInfo vmstate_info_uint8_equal;
extern const VMStateInfo vmstate_info_uint16_equal;
extern const VMStateInfo vmstate_info_uint32_equal;
extern const VMStateInfo vmstate_info_int32_equal;
extern const VMStateInfo vmstate_info_float64;
extern const VMStateInfo vmstate_info_buffer;
extern const VMStateInfo vmstate_info_unused_buffer;
/* QEMUTimer * (migration/vmstate-timer.c; needs util timers linked) */
extern const VMStateInfo vmstate_info_timer;

/*
 * Compile-time type checks: each evaluates to 0 and fails to compile when
 * the member does not have the declared type.
 */
#define vmstate_typeof_field(_state, _field) \
    typeof(((_state *)0)->_field)
#define vmstate_check_type(_state, _field, _type) \
    (sizeof((_type *)0 - &((_state *)0)->_field) * 0)
#define vmstate_check_array(_state, _field, _type, _num) \
    (sizeof((_type (*)[_num])0 - &((_state *)0)->_field) * 0)
#define vmstate_check_elem(_state, _field, _type) \
    (sizeof((_type *)0 - &((_state *)0)->_field[0]) * 0)
#define vmstate_check_pointer(_state, _field, _type) \
    (sizeof((_type **)0 - &((_state *)0)->_field) * 0)

#define vmstate_offset_value(_state, _field, _type) \
    (offsetof(_state, _field) + vmstate_check_type(_state, _field, _type))
#define vmstate_offset_array(_state, _field, _type, _num) \
    (offsetof(_state, _field) + \
     vmstate_check_array(_state, _field, _type, _num))
#define vmstate_offset_elem(_state, _field, _type) \
    (offsetof(_state, _field) + vmstate_check_elem(_state, _field, _type))
#define vmstate_offset_pointer(_state, _field, _type) \
    (offsetof(_state, _field) + vmstate_check_pointer(_state, _field, _type))
/* 0, or a compile error if _field is a pointer rather than an array. */
#define vmstate_must_be_array(_state, _field)                             \
    (sizeof(char[1 - 2 * __builtin_types_compatible_p(                    \
        vmstate_typeof_field(_state, _field),                             \
        typeof(&((_state *)0)->_field[0]))]) * 0)
#define vmstate_array_len(_state, _field) \
    (ARRAY_SIZE(((_state *)0)->_field) + \
     vmstate_must_be_array(_state, _field))

/* ---- Generic building blocks ---- */

#define VMSTATE_SINGLE_TEST(_field, _state, _test, _version, _info, _type) { \
    .name         = (stringify(_field)),                                     \
    .version_id   = (_version),                                              \
    .field_exists = (_test),                                                 \
    .size         = sizeof(_type),                                           \
    .info         = &(_info),                                                \
    .flags        = VMS_SINGLE,                                              \
    .offset       = vmstate_offset_value(_state, _field, _type),             \
}

#define VMSTATE_SINGLE(_field, _state, _version, _info, _type) \
    VMSTATE_SINGLE_TEST(_field, _state, NULL, _version, _info, _type)

#define VMSTATE_ARRAY_TEST(_field, _state, _num, _test, _version, _info,    \
                           _type) {                                          \
    .name         = (stringify(_field)),                                     \
    .version_id   = (_version),                                              \
    .field_exists = (_test),                                                 \
    .num          = (_num),                                                  \
    .info         = &(_info),                                                \
    .size         = sizeof(_type),                                           \
    .flags        = VMS_ARRAY,                                               \
    .offset       = vmstate_offset_array(_state, _field, _type, _num),       \
}

#define VMSTATE_ARRAY(_field, _state, _num, _version, _info, _type) \
    VMSTATE_ARRAY_TEST(_field, _state, _num, NULL, _version, _info, _type)

/*
 * Variable-length array held in the struct (_type _field[CAP]); the
 * element count is the member _field_num, loaded earlier in the table.
 * A count above CAP fails the load before any element is written.
 */
#define VMSTATE_VARRAY_GENERIC(_field, _state, _field_num, _numtype,       \
                               _flag, _version, _info, _type) {           \
    .name         = (stringify(_field)),                                   \
    .version_id   = (_version),                                            \
    .num          = vmstate_array_len(_state, _field),                     \
    .num_offset   = vmstate_offset_value(_state, _field_num, _numtype),    \
    .info         = &(_info),                                              \
    .size         = sizeof(_type),                                         \
    .flags        = (_flag),                                               \
    .offset       = vmstate_offset_elem(_state, _field, _type),            \
}

#define VMSTATE_VARRAY_UINT32(_field, _state, _field_num, _version, _info, \
                              _type)                                       \
    VMSTATE_VARRAY_GENERIC(_field, _state, _field_num, uint32_t,           \
                           VMS_VARRAY_UINT32, _version, _info, _type)
#define VMSTATE_VARRAY_UINT16(_field, _state, _field_num, _version, _info, \
                              _type)                                       \
    VMSTATE_VARRAY_GENERIC(_field, _state, _field_num, uint16_t,           \
                           VMS_VARRAY_UINT16, _version, _info, _type)
#define VMSTATE_VARRAY_INT32(_field, _state, _field_num, _version, _info,  \
                             _type)                                        \
    VMSTATE_VARRAY_GENERIC(_field, _state, _field_num, int32_t,            \
                           VMS_VARRAY_INT32, _version, _info, _type)
#define VMSTATE_VARRAY_UINT8(_field, _state, _field_num, _version, _info,  \
                             _type)                                        \
    VMSTATE_VARRAY_GENERIC(_field, _state, _field_num, uint8_t,            \
                           VMS_VARRAY_UINT8, _version, _info, _type)

/*
 * Variable-length array behind a pointer (_type *_field), count in the
 * uint32_t member _field_num (loaded earlier).  On load the array is
 * g_free()d and g_new0()-allocated with the received count, which must
 * be <= _max.  The device owns and frees the pointer.
 */
#define VMSTATE_VARRAY_UINT32_ALLOC(_field, _state, _field_num, _max,      \
                                    _version, _info, _type) {              \
    .name         = (stringify(_field)),                                   \
    .version_id   = (_version),                                            \
    .num          = (_max),                                                \
    .num_offset   = vmstate_offset_value(_state, _field_num, uint32_t),    \
    .info         = &(_info),                                              \
    .size         = sizeof(_type),                                         \
    .flags        = VMS_VARRAY_UINT32 | VMS_POINTER | VMS_ALLOC,           \
    .offset       = vmstate_offset_pointer(_state, _field, _type),         \
}

#define VMSTATE_STRUCT_TEST(_field, _state, _test, _version, _vmsd, _type) { \
    .name         = (stringify(_field)),                                     \
    .version_id   = (_version),                                              \
    .field_exists = (_test),                                                 \
    .vmsd         = &(_vmsd),                                                \
    .size         = sizeof(_type),                                           \
    .flags        = VMS_STRUCT,                                              \
    .offset       = vmstate_offset_value(_state, _field, _type),             \
}

/*
 * A nested struct.  Its description's version is not on the wire: it is
 * saved and loaded with its own current version, so a nested description
 * must only grow through subsections (or _TEST fields), never by bumping
 * version_id.
 */
#define VMSTATE_STRUCT(_field, _state, _version, _vmsd, _type) \
    VMSTATE_STRUCT_TEST(_field, _state, NULL, _version, _vmsd, _type)

/* A pointer member (_type *_field) to a struct that must be non-NULL. */
#define VMSTATE_STRUCT_POINTER(_field, _state, _vmsd, _type) {            \
    .name         = (stringify(_field)),                                  \
    .vmsd         = &(_vmsd),                                             \
    .size         = sizeof(_type),                                        \
    .flags        = VMS_STRUCT | VMS_POINTER,                             \
    .offset       = vmstate_offset_pointer(_state, _field, _type),        \
}

#define VMSTATE_STRUCT_ARRAY_TEST(_field, _state, _num, _test, _version,  \
                                  _vmsd, _type) {                         \
    .name         = (stringify(_field)),                                  \
    .num          = (_num),                                               \
    .field_exists = (_test),                                              \
    .version_id   = (_version),                                           \
    .vmsd         = &(_vmsd),                                             \
    .size         = sizeof(_type),                                        \
    .flags        = VMS_STRUCT | VMS_ARRAY,                               \
    .offset       = vmstate_offset_array(_state, _field, _type, _num),    \
}

#define VMSTATE_STRUCT_ARRAY(_field, _state, _num, _version, _vmsd, _type) \
    VMSTATE_STRUCT_ARRAY_TEST(_field, _state, _num, NULL, _version, _vmsd, \
                              _type)

/* In-struct array of structs with a uint32_t count member (bounded). */
#define VMSTATE_STRUCT_VARRAY_UINT32(_field, _state, _field_num, _version, \
                                     _vmsd, _type) {                       \
    .name         = (stringify(_field)),                                   \
    .version_id   = (_version),                                            \
    .num          = vmstate_array_len(_state, _field),                     \
    .num_offset   = vmstate_offset_value(_state, _field_num, uint32_t),    \
    .vmsd         = &(_vmsd),                                              \
    .size         = sizeof(_type),                                         \
    .flags        = VMS_STRUCT | VMS_VARRAY_UINT32,                        \
    .offset       = vmstate_offset_elem(_state, _field, _type),            \
}

/* uint8_t _field[N] saved whole as raw bytes. */
#define VMSTATE_BUFFER_TEST(_field, _state, _test) {                      \
    .name         = (stringify(_field)),                                  \
    .field_exists = (_test),                                              \
    .size         = sizeof(((_state *)0)->_field) +                       \
                    vmstate_must_be_array(_state, _field),                \
    .info         = &vmstate_info_buffer,                                 \
    .flags        = VMS_BUFFER,                                           \
    .offset       = offsetof(_state, _field) +                            \
                    vmstate_check_elem(_state, _field, uint8_t),          \
}

#define VMSTATE_BUFFER(_field, _state) \
    VMSTATE_BUFFER_TEST(_field, _state, NULL)

#define VMSTATE_BUFFER_V(_field, _state, _version) {                      \
    .name         = (stringify(_field)),                                  \
    .version_id   = (_version),                                           \
    .size         = sizeof(((_state *)0)->_field) +                       \
                    vmstate_must_be_array(_state, _field),                \
    .info         = &vmstate_info_buffer,                                 \
    .flags        = VMS_BUFFER,                                           \
    .offset       = offsetof(_state, _field) +                            \
                    vmstate_check_elem(_state, _field, uint8_t),          \
}

/*
 * uint8_t *_field whose length in bytes is the uint32_t member
 * _field_size (loaded earlier); (re)allocated on load, at most _max.
 */
#define VMSTATE_VBUFFER_ALLOC_UINT32(_field, _state, _version, _test,     \
                                     _field_size, _max) {                 \
    .name         = (stringify(_field)),                                  \
    .version_id   = (_version),                                           \
    .field_exists = (_test),                                              \
    .num          = (_max),                                               \
    .size_offset  = vmstate_offset_value(_state, _field_size, uint32_t),  \
    .info         = &vmstate_info_buffer,                                 \
    .flags        = VMS_VBUFFER | VMS_POINTER | VMS_ALLOC,                \
    .offset       = vmstate_offset_pointer(_state, _field, uint8_t),      \
}

/* _size bytes that are written as zeroes and skipped on load. */
#define VMSTATE_UNUSED_V(_version, _size) {                               \
    .name         = "unused",                                             \
    .version_id   = (_version),                                           \
    .size         = (_size),                                              \
    .info         = &vmstate_info_unused_buffer,                          \
    .flags        = VMS_BUFFER,                                           \
}

#define VMSTATE_UNUSED(_size) VMSTATE_UNUSED_V(0, _size)

/* A QEMUTimer *member: be64 expiry in ns, -1 when not pending. */
#define VMSTATE_TIMER_PTR_TEST(_field, _state, _test) {                   \
    .name         = (stringify(_field)),                                  \
    .field_exists = (_test),                                              \
    .size         = sizeof(QEMUTimer *),                                  \
    .info         = &vmstate_info_timer,                                  \
    .flags        = VMS_SINGLE,                                           \
    .offset       = vmstate_offset_value(_state, _field, QEMUTimer *),    \
}

#define VMSTATE_TIMER_PTR(_field, _state) \
    VMSTATE_TIMER_PTR_TEST(_field, _state, NULL)

/*
 * VMSTATE_VALIDATE: no data on the wire; the load (and the save) fails
 * with "'<desc>' field '<name>': validation failed" unless _test holds.
 * Put it after the fields it checks (e.g. an index into an array).
 */
#define VMSTATE_VALIDATE(_name, _test) {                                  \
    .name         = (_name),                                              \
    .field_exists = (_test),                                              \
    .flags        = VMS_ARRAY | VMS_MUST_EXIST,                           \
    .num          = 0,                                                    \
    .info         = &vmstate_info_uint8,                                  \
}

#define VMSTATE_END_OF_LIST() { .flags = VMS_END, }

/* ---- Scalars ---- */

#define VMSTATE_BOOL_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_bool, bool)
#define VMSTATE_INT8_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_int8, int8_t)
#define VMSTATE_INT16_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_int16, int16_t)
#define VMSTATE_INT32_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_int32, int32_t)
#define VMSTATE_INT64_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_int64, int64_t)
#define VMSTATE_UINT8_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_uint8, uint8_t)
#define VMSTATE_UINT16_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_uint16, uint16_t)
#define VMSTATE_UINT32_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_uint32, uint32_t)
#define VMSTATE_UINT64_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_uint64, uint64_t)
#define VMSTATE_FLOAT64_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_float64, double)

#define VMSTATE_BOOL(_f, _s)    VMSTATE_BOOL_V(_f, _s, 0)
#define VMSTATE_INT8(_f, _s)    VMSTATE_INT8_V(_f, _s, 0)
#define VMSTATE_INT16(_f, _s)   VMSTATE_INT16_V(_f, _s, 0)
#define VMSTATE_INT32(_f, _s)   VMSTATE_INT32_V(_f, _s, 0)
#define VMSTATE_INT64(_f, _s)   VMSTATE_INT64_V(_f, _s, 0)
#define VMSTATE_UINT8(_f, _s)   VMSTATE_UINT8_V(_f, _s, 0)
#define VMSTATE_UINT16(_f, _s)  VMSTATE_UINT16_V(_f, _s, 0)
#define VMSTATE_UINT32(_f, _s)  VMSTATE_UINT32_V(_f, _s, 0)
#define VMSTATE_UINT64(_f, _s)  VMSTATE_UINT64_V(_f, _s, 0)
#define VMSTATE_FLOAT64(_f, _s) VMSTATE_FLOAT64_V(_f, _s, 0)

#define VMSTATE_BOOL_TEST(_f, _s, _t) \
    VMSTATE_SINGLE_TEST(_f, _s, _t, 0, vmstate_info_bool, bool)
#define VMSTATE_INT8_TEST(_f, _s, _t) \
    VMSTATE_SINGLE_TEST(_f, _s, _t, 0, vmstate_info_int8, int8_t)
#define VMSTATE_INT16_TEST(_f, _s, _t) \
    VMSTATE_SINGLE_TEST(_f, _s, _t, 0, vmstate_info_int16, int16_t)
#define VMSTATE_INT32_TEST(_f, _s, _t) \
    VMSTATE_SINGLE_TEST(_f, _s, _t, 0, vmstate_info_int32, int32_t)
#define VMSTATE_INT64_TEST(_f, _s, _t) \
    VMSTATE_SINGLE_TEST(_f, _s, _t, 0, vmstate_info_int64, int64_t)
#define VMSTATE_UINT8_TEST(_f, _s, _t) \
    VMSTATE_SINGLE_TEST(_f, _s, _t, 0, vmstate_info_uint8, uint8_t)
#define VMSTATE_UINT16_TEST(_f, _s, _t) \
    VMSTATE_SINGLE_TEST(_f, _s, _t, 0, vmstate_info_uint16, uint16_t)
#define VMSTATE_UINT32_TEST(_f, _s, _t) \
    VMSTATE_SINGLE_TEST(_f, _s, _t, 0, vmstate_info_uint32, uint32_t)
#define VMSTATE_UINT64_TEST(_f, _s, _t) \
    VMSTATE_SINGLE_TEST(_f, _s, _t, 0, vmstate_info_uint64, uint64_t)

/*
 * *_EQUAL: the stream must carry the value this build has (e.g. a size
 * or a count fixed at realize); anything else fails the load, naming
 * the field and both values.
 */
#define VMSTATE_UINT8_EQUAL(_f, _s) \
    VMSTATE_SINGLE(_f, _s, 0, vmstate_info_uint8_equal, uint8_t)
#define VMSTATE_UINT16_EQUAL(_f, _s) \
    VMSTATE_SINGLE(_f, _s, 0, vmstate_info_uint16_equal, uint16_t)
#define VMSTATE_UINT32_EQUAL(_f, _s) \
    VMSTATE_SINGLE(_f, _s, 0, vmstate_info_uint32_equal, uint32_t)
#define VMSTATE_INT32_EQUAL(_f, _s) \
    VMSTATE_SINGLE(_f, _s, 0, vmstate_info_int32_equal, int32_t)
#define VMSTATE_UINT16_EQUAL_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_uint16_equal, uint16_t)
#define VMSTATE_UINT32_EQUAL_V(_f, _s, _v) \
    VMSTATE_SINGLE(_f, _s, _v, vmstate_info_uint32_equal, uint32_t)

/* ---- Fixed-size arrays ---- */

#define VMSTATE_BOOL_ARRAY_V(_f, _s, _n, _v) \
    VMSTATE_ARRAY(_f, _s, _n, _v, vmstate_info_bool, bool)
#define VMSTATE_UINT8_ARRAY_V(_f, _s, _n, _v) \
    VMSTATE_ARRAY(_f, _s, _n, _v, vmstate_info_uint8, uint8_t)
#define VMSTATE_UINT16_ARRAY_V(_f, _s, _n, _v) \
    VMSTATE_ARRAY(_f, _s, _n, _v, vmstate_info_uint16, uint16_t)
#define VMSTATE_UINT32_ARRAY_V(_f, _s, _n, _v) \
    VMSTATE_ARRAY(_f, _s, _n, _v, vmstate_info_uint32, uint32_t)
#define VMSTATE_UINT64_ARRAY_V(_f, _s, _n, _v) \
    VMSTATE_ARRAY(_f, _s, _n, _v, vmstate_info_uint64, uint64_t)
#define VMSTATE_INT16_ARRAY_V(_f, _s, _n, _v) \
    VMSTATE_ARRAY(_f, _s, _n, _v, vmstate_info_int16, int16_t)
#define VMSTATE_INT32_ARRAY_V(_f, _s, _n, _v) \
    VMSTATE_ARRAY(_f, _s, _n, _v, vmstate_info_int32, int32_t)
#define VMSTATE_INT64_ARRAY_V(_f, _s, _n, _v) \
    VMSTATE_ARRAY(_f, _s, _n, _v, vmstate_info_int64, int64_t)

/* Two-dimensional arrays (_type _f[_n1][_n2]), row by row. */
#define VMSTATE_2DARRAY(_field, _state, _n1, _n2, _version, _info, _type) { \
    .name         = (stringify(_field)),                                     \
    .version_id   = (_version),                                              \
    .num          = (_n1) * (_n2),                                           \
    .info         = &(_info),                                                \
    .size         = sizeof(_type),                                           \
    .flags        = VMS_ARRAY,                                               \
    .offset       = offsetof(_state, _field) +                               \
                    (sizeof((_type (*)[_n1][_n2])0 -                         \
                            &((_state *)0)->_field) * 0),                    \
}

#define VMSTATE_UINT8_2DARRAY(_f, _s, _n1, _n2) \
    VMSTATE_2DARRAY(_f, _s, _n1, _n2, 0, vmstate_info_uint8, uint8_t)
#define VMSTATE_UINT16_2DARRAY(_f, _s, _n1, _n2) \
    VMSTATE_2DARRAY(_f, _s, _n1, _n2, 0, vmstate_info_uint16, uint16_t)
#define VMSTATE_UINT32_2DARRAY(_f, _s, _n1, _n2) \
    VMSTATE_2DARRAY(_f, _s, _n1, _n2, 0, vmstate_info_uint32, uint32_t)
#define VMSTATE_UINT64_2DARRAY(_f, _s, _n1, _n2) \
    VMSTATE_2DARRAY(_f, _s, _n1, _n2, 0, vmstate_info_uint64, uint64_t)

/* Elements _start .. _start + _num - 1 of the uint8_t array _f. */
#define VMSTATE_UINT8_SUB_ARRAY(_f, _s, _start, _num) {                   \
    .name         = (stringify(_f)),                                      \
    .num          = (_num),                                               \
    .info         = &vmstate_info_uint8,                                  \
    .size         = sizeof(uint8_t),                                      \
    .flags        = VMS_ARRAY,                                            \
    .offset       = vmstate_offset_elem(_s, _f, uint8_t) +                \
                    (_start) * sizeof(uint8_t),                           \
}

#define VMSTATE_BOOL_ARRAY(_f, _s, _n)   VMSTATE_BOOL_ARRAY_V(_f, _s, _n, 0)
#define VMSTATE_UINT8_ARRAY(_f, _s, _n)  VMSTATE_UINT8_ARRAY_V(_f, _s, _n, 0)
#define VMSTATE_UINT16_ARRAY(_f, _s, _n) VMSTATE_UINT16_ARRAY_V(_f, _s, _n, 0)
#define VMSTATE_UINT32_ARRAY(_f, _s, _n) VMSTATE_UINT32_ARRAY_V(_f, _s, _n, 0)
#define VMSTATE_UINT64_ARRAY(_f, _s, _n) VMSTATE_UINT64_ARRAY_V(_f, _s, _n, 0)
#define VMSTATE_INT16_ARRAY(_f, _s, _n)  VMSTATE_INT16_ARRAY_V(_f, _s, _n, 0)
#define VMSTATE_INT32_ARRAY(_f, _s, _n)  VMSTATE_INT32_ARRAY_V(_f, _s, _n, 0)
#define VMSTATE_INT64_ARRAY(_f, _s, _n)  VMSTATE_INT64_ARRAY_V(_f, _s, _n, 0)

/* ---- Entry points (migration/vmstate.c) ---- */

/**
 * vmstate_save_state: write @opaque's state as described by @vmsd.
 * Runs pre_save/post_save, writes fields and needed subsections.
 * Returns false with @errp naming the description and field on failure
 * (unmigratable, pre_save failure, I/O error on @f).
 */
bool vmstate_save_state(QEMUFile *f, const VMStateDescription *vmsd,
                        void *opaque, Error **errp);

/**
 * vmstate_load_state: read state written with @version_id into @opaque.
 * Fails, naming the description (and field where known), if @version_id
 * is newer than @vmsd->version_id or older than minimum_version_id, on a
 * count or size above the description's bound, an unknown subsection, a
 * truncated or failing stream, or a failing pre_load/post_load.  On
 * failure @opaque may be partly overwritten (savevm rolls back).
 */
bool vmstate_load_state(QEMUFile *f, const VMStateDescription *vmsd,
                        void *opaque, int version_id, Error **errp);

/**
 * vmstate_check_description: catch mistakes in a description (and its
 * nested and sub- descriptions) before they reach a stream: missing
 * VMSTATE_END_OF_LIST is not detectable, but minimum_version_id above
 * version_id, a field newer than its description, a struct field
 * without a description or a basic field without a type, a zero-size
 * element, and duplicate subsection names are.  Returns false with
 * @errp naming the description and field.  Registration asserts it;
 * vmstate_test_roundtrip() checks it.
 */
bool vmstate_check_description(const VMStateDescription *vmsd,
                               Error **errp);

/**
 * vmstate_section_needed: true unless @vmsd has a needed() that says no.
 */
bool vmstate_section_needed(const VMStateDescription *vmsd, void *opaque);

#endif
