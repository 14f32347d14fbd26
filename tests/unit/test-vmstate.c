/*
 * VMState: field encodings, versions, subsections, bounds, and loading
 * of truncated and corrupted streams.
 */
#include "qemu/osdep.h"
#include "migration/vmstate.h"
#include "migration/qemu-file.h"
#include "qemu/timer.h"
#include "vmstate-test-util.h"

/* ---- Every scalar type, with its exact wire encoding ---- */

typedef struct Scalars {
    bool b;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    double d;
} Scalars;

static const VMStateDescription vmstate_scalars = {
    .name = "scalars",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_BOOL(b, Scalars),
        VMSTATE_INT8(i8, Scalars),
        VMSTATE_INT16(i16, Scalars),
        VMSTATE_INT32(i32, Scalars),
        VMSTATE_INT64(i64, Scalars),
        VMSTATE_UINT8(u8, Scalars),
        VMSTATE_UINT16(u16, Scalars),
        VMSTATE_UINT32(u32, Scalars),
        VMSTATE_UINT64(u64, Scalars),
        VMSTATE_FLOAT64(d, Scalars),
        VMSTATE_END_OF_LIST()
    },
};

static void test_scalars_wire(void)
{
    Scalars src = {
        .b = true, .i8 = -2, .i16 = -3, .i32 = -4, .i64 = -5,
        .u8 = 0x81, .u16 = 0x1234, .u32 = 0x89abcdef,
        .u64 = 0x0123456789abcdefULL, .d = 1.5,
    };
    static const uint8_t expect[] = {
        0x01,
        0xfe,
        0xff, 0xfd,
        0xff, 0xff, 0xff, 0xfc,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb,
        0x81,
        0x12, 0x34,
        0x89, 0xab, 0xcd, 0xef,
        0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
        0x3f, 0xf8, 0, 0, 0, 0, 0, 0,
        VMS_SUBSECTION_END,
    };
    Scalars dst = { 0 };
    size_t len;
    g_autofree uint8_t *data = vmstate_test_save(&vmstate_scalars, &src,
                                                 &len);

    g_assert_cmpmem(data, len, expect, sizeof(expect));
    vmstate_test_roundtrip(&vmstate_scalars, &src, &dst);
    g_assert_true(dst.b);
    g_assert_cmpint(dst.i8, ==, -2);
    g_assert_cmpint(dst.i16, ==, -3);
    g_assert_cmpint(dst.i32, ==, -4);
    g_assert_cmpint(dst.i64, ==, -5);
    g_assert_cmpuint(dst.u8, ==, 0x81);
    g_assert_cmpuint(dst.u16, ==, 0x1234);
    g_assert_cmpuint(dst.u32, ==, 0x89abcdef);
    g_assert_cmpuint(dst.u64, ==, 0x0123456789abcdefULL);
    g_assert_cmpfloat(dst.d, ==, 1.5);
}

/* ---- Arrays, buffers, nested structs, unused, equal ---- */

typedef struct Inner {
    uint16_t a;
    uint32_t b;
} Inner;

static const VMStateDescription vmstate_inner = {
    .name = "inner",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(a, Inner),
        VMSTATE_UINT32(b, Inner),
        VMSTATE_END_OF_LIST()
    },
};

typedef struct Outer {
    uint8_t u8a[5];
    uint16_t u16a[3];
    uint32_t u32a[4];
    uint64_t u64a[2];
    int32_t i32a[2];
    bool ba[3];
    uint8_t blob[7];
    Inner one;
    Inner many[3];
    Inner *ptr;
    uint32_t fixed;
} Outer;

static const VMStateDescription vmstate_outer = {
    .name = "outer",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(u8a, Outer, 5),
        VMSTATE_UINT16_ARRAY(u16a, Outer, 3),
        VMSTATE_UINT32_ARRAY(u32a, Outer, 4),
        VMSTATE_UINT64_ARRAY(u64a, Outer, 2),
        VMSTATE_INT32_ARRAY(i32a, Outer, 2),
        VMSTATE_BOOL_ARRAY(ba, Outer, 3),
        VMSTATE_BUFFER(blob, Outer),
        VMSTATE_UNUSED(3),
        VMSTATE_STRUCT(one, Outer, 0, vmstate_inner, Inner),
        VMSTATE_STRUCT_ARRAY(many, Outer, 3, 0, vmstate_inner, Inner),
        VMSTATE_STRUCT_POINTER(ptr, Outer, vmstate_inner, Inner),
        VMSTATE_UINT32_EQUAL(fixed, Outer),
        VMSTATE_END_OF_LIST()
    },
};

static void outer_fill(Outer *o, Inner *target, int seed)
{
    int i;

    memset(o, 0, sizeof(*o));
    for (i = 0; i < 5; i++) {
        o->u8a[i] = seed + i;
    }
    for (i = 0; i < 3; i++) {
        o->u16a[i] = 0x100 * seed + i;
        o->ba[i] = i & 1;
        o->many[i].a = seed * 7 + i;
        o->many[i].b = 0xdead0000u + i;
    }
    for (i = 0; i < 4; i++) {
        o->u32a[i] = 0x10000 * seed + i;
    }
    o->u64a[0] = UINT64_MAX;
    o->u64a[1] = seed;
    o->i32a[0] = -seed;
    o->i32a[1] = INT32_MIN;
    memcpy(o->blob, "abcdefg", 7);
    o->one.a = 0xbeef;
    o->one.b = 0xcafef00d;
    target->a = 11;
    target->b = 12;
    o->ptr = target;
    o->fixed = 42;
}

static void test_arrays_structs(void)
{
    Outer src, dst = { 0 };
    Inner t1, t2 = { 0 };
    size_t len;

    outer_fill(&src, &t1, 3);
    dst.ptr = &t2;
    dst.fixed = 42;
    len = vmstate_test_roundtrip(&vmstate_outer, &src, &dst);
    /* arrays+blob 61, unused 3, 5 structs of 6 + end byte, fixed, end */
    g_assert_cmpuint(len, ==, 61 + 3 + 5 * 7 + 4 + 1);
    g_assert_cmpmem(dst.u8a, 5, src.u8a, 5);
    g_assert_cmpmem(dst.u64a, 16, src.u64a, 16);
    g_assert_cmpint(dst.i32a[1], ==, INT32_MIN);
    g_assert_cmpmem(dst.blob, 7, "abcdefg", 7);
    g_assert_cmpuint(dst.many[2].b, ==, 0xdead0002u);
    g_assert_cmpuint(dst.one.b, ==, 0xcafef00d);
    g_assert_cmpuint(t2.a, ==, 11);
    g_assert_cmpuint(t2.b, ==, 12);
}

static void test_equal_mismatch(void)
{
    Outer src, dst = { 0 };
    Inner t1, t2;
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = NULL;

    outer_fill(&src, &t1, 1);
    data = vmstate_test_save(&vmstate_outer, &src, &len);
    dst.ptr = &t2;
    dst.fixed = 41;
    g_assert_false(vmstate_test_load(&vmstate_outer, &dst, data, len, 1,
                                     &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "'outer' field 'fixed'"));
    g_assert_nonnull(strstr(error_get_pretty(err), "42"));
    error_free(err);
}

static void test_null_struct_pointer(void)
{
    Outer src, dst = { 0 };
    Inner t1;
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = NULL;

    outer_fill(&src, &t1, 1);
    data = vmstate_test_save(&vmstate_outer, &src, &len);
    dst.fixed = 42;
    g_assert_false(vmstate_test_load(&vmstate_outer, &dst, data, len, 1,
                                     &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "pointer is NULL"));
    error_free(err);
}

/* ---- Variable arrays and buffers: counts from the stream are bounded ---- */

typedef struct VarState {
    uint32_t n;
    uint16_t vals[4];
    uint32_t m;
    uint64_t *heap;
    uint32_t blob_len;
    uint8_t *blob;
    uint32_t ns;
    Inner structs[2];
} VarState;

static const VMStateDescription vmstate_var = {
    .name = "var",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(n, VarState),
        VMSTATE_VARRAY_UINT32(vals, VarState, n, 0, vmstate_info_uint16,
                              uint16_t),
        VMSTATE_UINT32(m, VarState),
        VMSTATE_VARRAY_UINT32_ALLOC(heap, VarState, m, 8, 0,
                                    vmstate_info_uint64, uint64_t),
        VMSTATE_UINT32(blob_len, VarState),
        VMSTATE_VBUFFER_ALLOC_UINT32(blob, VarState, 0, NULL, blob_len, 16),
        VMSTATE_UINT32(ns, VarState),
        VMSTATE_STRUCT_VARRAY_UINT32(structs, VarState, ns, 0, vmstate_inner,
                                     Inner),
        VMSTATE_END_OF_LIST()
    },
};

static void var_free(VarState *v)
{
    g_free(v->heap);
    g_free(v->blob);
}

static void test_varray(void)
{
    uint64_t heap[3] = { 1, 2, 0x8000000000000000ULL };
    VarState src = {
        .n = 3, .vals = { 7, 8, 9, 0xffff }, .m = 3, .heap = heap,
        .blob_len = 5, .blob = (uint8_t *)"hello", .ns = 1,
        .structs = { { 1, 2 }, { 3, 4 } },
    };
    VarState dst = { 0 };
    size_t len;

    len = vmstate_test_roundtrip(&vmstate_var, &src, &dst);
    g_assert_cmpuint(len, ==, 4 + 6 + 4 + 24 + 4 + 5 + 4 + 7 + 1);
    g_assert_cmpuint(dst.n, ==, 3);
    g_assert_cmpuint(dst.vals[2], ==, 9);
    g_assert_cmpuint(dst.vals[3], ==, 0);
    g_assert_cmpuint(dst.heap[2], ==, heap[2]);
    g_assert_cmpmem(dst.blob, 5, "hello", 5);
    g_assert_cmpuint(dst.structs[0].b, ==, 2);
    var_free(&dst);
}

/* Patch a be32 at @offset of a saved stream and expect @msg on load. */
static void var_expect_bound_error(size_t offset, uint32_t value,
                                   const char *msg)
{
    VarState src = { .n = 1, .m = 0, .blob_len = 0, .ns = 0 };
    VarState dst = { 0 };
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = vmstate_test_save(&vmstate_var, &src, &len);

    data[offset] = value >> 24;
    data[offset + 1] = value >> 16;
    data[offset + 2] = value >> 8;
    data[offset + 3] = value;
    g_assert_false(vmstate_test_load(&vmstate_var, &dst, data, len, 1,
                                     &err));
    g_assert_nonnull(strstr(error_get_pretty(err), msg));
    error_free(err);
    var_free(&dst);
}

static void test_varray_bounds(void)
{
    /* layout: n(4) vals(2) m(4) blob_len(4) ns(4) end(1) */
    var_expect_bound_error(0, 5, "'var' field 'vals': element count 5");
    var_expect_bound_error(0, 0xffffffff, "field 'vals'");
    var_expect_bound_error(6, 9, "'var' field 'heap': element count 9");
    var_expect_bound_error(6, 0x40000000, "field 'heap'");
    var_expect_bound_error(10, 17, "'var' field 'blob': buffer size 17");
    var_expect_bound_error(14, 3, "'var' field 'structs': element count 3");
}

/* ---- Versions, _V fields and _TEST predicates ---- */

typedef struct Versioned {
    uint32_t old;
    uint32_t added_v2;
    uint8_t mode;
    uint32_t only_mode1;
} Versioned;

static bool versioned_mode1(void *opaque, int version_id)
{
    return ((Versioned *)opaque)->mode == 1;
}

static const VMStateDescription vmstate_versioned = {
    .name = "versioned",
    .version_id = 3,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(old, Versioned),
        VMSTATE_UINT32_V(added_v2, Versioned, 2),
        VMSTATE_UINT8(mode, Versioned),
        VMSTATE_UINT32_TEST(only_mode1, Versioned, versioned_mode1),
        VMSTATE_END_OF_LIST()
    },
};

static void test_versions(void)
{
    static const uint8_t v1_stream[] = {
        0, 0, 0, 9,             /* old */
        1,                      /* mode */
        0, 0, 0, 5,             /* only_mode1 */
        VMS_SUBSECTION_END,
    };
    Versioned src = { .old = 1, .added_v2 = 2, .mode = 0, .only_mode1 = 3 };
    Versioned dst = { .added_v2 = 77 };
    Error *err = NULL;
    size_t len;

    /* predicate false: only_mode1 is not on the wire */
    g_assert_cmpuint(vmstate_test_roundtrip(&vmstate_versioned, &src, &dst),
                     ==, 4 + 4 + 1 + 1);
    g_assert_cmpuint(dst.only_mode1, ==, 0);
    src.mode = 1;
    g_assert_cmpuint(vmstate_test_roundtrip(&vmstate_versioned, &src, &dst),
                     ==, 4 + 4 + 1 + 4 + 1);
    g_assert_cmpuint(dst.only_mode1, ==, 3);

    /* a version-1 stream has no added_v2: it keeps its value */
    memset(&dst, 0, sizeof(dst));
    dst.added_v2 = 77;
    g_assert_true(vmstate_test_load(&vmstate_versioned, &dst, v1_stream,
                                    sizeof(v1_stream), 1, &error_abort));
    g_assert_cmpuint(dst.old, ==, 9);
    g_assert_cmpuint(dst.added_v2, ==, 77);
    g_assert_cmpuint(dst.only_mode1, ==, 5);

    /* too new / too old */
    len = sizeof(v1_stream);
    g_assert_false(vmstate_test_load(&vmstate_versioned, &dst, v1_stream,
                                     len, 5, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "section 'versioned' version 5 is newer than supported 3");
    error_free_or_abort(&err);
    g_assert_false(vmstate_test_load(&vmstate_versioned, &dst, v1_stream,
                                     len, 0, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "section 'versioned' version 0 is older than the oldest "
                    "supported 1");
    error_free_or_abort(&err);
}

/* ---- Subsections ---- */

typedef struct Dev {
    uint32_t reg;
    bool has_extra;
    uint64_t extra;
    uint16_t more;
    int post_loads;
} Dev;

static bool dev_extra_needed(void *opaque)
{
    return ((Dev *)opaque)->has_extra;
}

static int dev_post_load(void *opaque, int version_id)
{
    Dev *d = opaque;

    d->post_loads++;
    return d->reg == 0xbad ? -EINVAL : 0;
}

static const VMStateDescription vmstate_dev_extra = {
    .name = "dev/extra",
    .version_id = 2,
    .minimum_version_id = 2,
    .needed = dev_extra_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64(extra, Dev),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dev_more = {
    .name = "dev/more",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(more, Dev),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_dev = {
    .name = "dev",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = dev_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(reg, Dev),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * const []) {
        &vmstate_dev_extra,
        &vmstate_dev_more,
        NULL
    },
};

/* An older build of the same device, without subsections. */
static const VMStateDescription vmstate_dev_old = {
    .name = "dev",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(reg, Dev),
        VMSTATE_END_OF_LIST()
    },
};

static void test_subsections(void)
{
    static const uint8_t with_extra[] = {
        0, 0, 0, 1,
        VMS_SUBSECTION_MARKER, 9, 'd', 'e', 'v', '/', 'e', 'x', 't', 'r', 'a',
        0, 0, 0, 2,
        0, 0, 0, 0, 0, 0, 0, 0x63,
        VMS_SUBSECTION_END,                     /* of dev/extra */
        VMS_SUBSECTION_MARKER, 8, 'd', 'e', 'v', '/', 'm', 'o', 'r', 'e',
        0, 0, 0, 1,
        0x12, 0x34,
        VMS_SUBSECTION_END,                     /* of dev/more */
        VMS_SUBSECTION_END,                     /* of dev */
    };
    Dev src = { .reg = 1, .has_extra = true, .extra = 0x63, .more = 0x1234 };
    Dev dst = { 0 };
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = vmstate_test_save(&vmstate_dev, &src, &len);

    g_assert_cmpmem(data, len, with_extra, sizeof(with_extra));
    dst.has_extra = true;
    vmstate_test_roundtrip(&vmstate_dev, &src, &dst);
    g_assert_cmpuint(dst.extra, ==, 0x63);
    g_assert_cmpuint(dst.more, ==, 0x1234);
    g_assert_cmpint(dst.post_loads, ==, 1);

    /* not needed: not sent, and the old build can load it */
    src.has_extra = false;
    g_free(data);
    data = vmstate_test_save(&vmstate_dev, &src, &len);
    g_assert_cmpuint(len, ==, 4 + 1 + 1 + 8 + 4 + 2 + 1 + 1);
    src.more = 0;

    /* old stream (no subsections) loads into the new build */
    memset(&dst, 0, sizeof(dst));
    dst.extra = 5;
    g_assert_true(vmstate_test_load(&vmstate_dev, &dst,
                                    (const uint8_t[]){ 0, 0, 0, 7, 0 }, 5, 1,
                                    &error_abort));
    g_assert_cmpuint(dst.reg, ==, 7);
    g_assert_cmpuint(dst.extra, ==, 5);

    /* a new stream with subsections fails on the old build, by name */
    g_assert_false(vmstate_test_load(&vmstate_dev_old, &dst, with_extra,
                                     sizeof(with_extra), 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Unknown subsection 'dev/extra' in 'dev'");
    error_free_or_abort(&err);
}

static void test_subsection_errors(void)
{
    uint8_t stream[] = {
        0, 0, 0, 1,
        VMS_SUBSECTION_MARKER, 8, 'd', 'e', 'v', '/', 'm', 'o', 'r', 'e',
        0, 0, 0, 1,
        0x12, 0x34,
        VMS_SUBSECTION_END,
        VMS_SUBSECTION_MARKER, 8, 'd', 'e', 'v', '/', 'm', 'o', 'r', 'e',
        0, 0, 0, 1,
        0x12, 0x34,
        VMS_SUBSECTION_END,
        VMS_SUBSECTION_END,
    };
    Dev dst = { 0 };
    Error *err = NULL;

    g_assert_false(vmstate_test_load(&vmstate_dev, &dst, stream,
                                     sizeof(stream), 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Subsection 'dev/more' appears twice in 'dev'");
    error_free_or_abort(&err);

    stream[4] = 0x42;
    g_assert_false(vmstate_test_load(&vmstate_dev, &dst, stream,
                                     sizeof(stream), 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'dev': invalid subsection marker 0x42");
    error_free_or_abort(&err);

    /* subsection version too new */
    stream[4] = VMS_SUBSECTION_MARKER;
    stream[17] = 9;
    g_assert_false(vmstate_test_load(&vmstate_dev, &dst, stream,
                                     sizeof(stream), 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "section 'dev/more' version 9 is newer than supported 1");
    error_free_or_abort(&err);
}

/* ---- Hooks ---- */

static int failing_pre_save(void *opaque)
{
    return -EBUSY;
}

static const VMStateDescription vmstate_pre_save_fails = {
    .name = "busy",
    .version_id = 1,
    .pre_save = failing_pre_save,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(reg, Dev),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_unmigratable = {
    .name = "secret",
    .unmigratable = true,
};

static void test_hooks(void)
{
    Dev d = { .reg = 0xbad };
    Error *err = NULL;
    QEMUFile *f = qemu_file_new_buffer_output(0, 0);

    g_assert_false(vmstate_save_state(f, &vmstate_pre_save_fails, &d, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "pre_save of 'busy'"));
    error_free_or_abort(&err);
    g_assert_false(vmstate_save_state(f, &vmstate_unmigratable, &d, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "State of 'secret' is not migratable");
    error_free_or_abort(&err);
    qemu_fclose(f);

    /* post_load rejecting the loaded values fails the load */
    g_assert_false(vmstate_test_load(&vmstate_dev, &d,
                                     (const uint8_t[]){ 0, 0, 0xb, 0xad, 0 },
                                     5, 1, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "post_load of 'dev'"));
    error_free_or_abort(&err);
}

/* ---- The remaining macros: small varrays, _EQUAL, _TEST, unused ---- */

typedef struct Misc {
    uint16_t n16;
    uint32_t a16[3];
    int32_t n32;
    uint8_t a32[4];
    uint8_t n8;
    int64_t a8[2];
    uint8_t e8;
    uint16_t e16;
    int32_t ei32;
    int16_t i16a[2];
    int64_t i64a[2];
    bool flag;
    int8_t t8;
    int16_t t16;
    int64_t t64;
    bool tb;
    uint8_t tbuf[3];
    Inner tstruct;
    Inner tarr[2];
} Misc;

static bool misc_flag(void *opaque, int version_id)
{
    return ((Misc *)opaque)->flag;
}

static const VMStateDescription vmstate_misc = {
    .name = "misc",
    .version_id = 2,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(n16, Misc),
        VMSTATE_VARRAY_UINT16(a16, Misc, n16, 0, vmstate_info_uint32,
                              uint32_t),
        VMSTATE_INT32(n32, Misc),
        VMSTATE_VARRAY_INT32(a32, Misc, n32, 0, vmstate_info_uint8, uint8_t),
        VMSTATE_UINT8(n8, Misc),
        VMSTATE_VARRAY_UINT8(a8, Misc, n8, 0, vmstate_info_int64, int64_t),
        VMSTATE_UINT8_EQUAL(e8, Misc),
        VMSTATE_UINT16_EQUAL(e16, Misc),
        VMSTATE_INT32_EQUAL(ei32, Misc),
        VMSTATE_INT16_ARRAY(i16a, Misc, 2),
        VMSTATE_INT64_ARRAY(i64a, Misc, 2),
        VMSTATE_UNUSED_V(2, 5),
        VMSTATE_BOOL(flag, Misc),
        VMSTATE_INT8_TEST(t8, Misc, misc_flag),
        VMSTATE_INT16_TEST(t16, Misc, misc_flag),
        VMSTATE_INT64_TEST(t64, Misc, misc_flag),
        VMSTATE_BOOL_TEST(tb, Misc, misc_flag),
        VMSTATE_BUFFER_TEST(tbuf, Misc, misc_flag),
        VMSTATE_STRUCT_TEST(tstruct, Misc, misc_flag, 0, vmstate_inner,
                            Inner),
        VMSTATE_STRUCT_ARRAY_TEST(tarr, Misc, 2, misc_flag, 0, vmstate_inner,
                                  Inner),
        VMSTATE_END_OF_LIST()
    },
};

static void misc_fill(Misc *m)
{
    memset(m, 0, sizeof(*m));
    m->n16 = 2;
    m->a16[0] = 0xa0a0a0a0;
    m->a16[1] = 1;
    m->n32 = 4;
    memcpy(m->a32, "wxyz", 4);
    m->n8 = 1;
    m->a8[0] = INT64_MIN;
    m->e8 = 8;
    m->e16 = 16;
    m->ei32 = -32;
    m->i16a[1] = -16;
    m->i64a[0] = -64;
    m->flag = true;
    m->t8 = -8;
    m->t16 = -1600;
    m->t64 = INT64_MAX;
    m->tb = true;
    memcpy(m->tbuf, "tb!", 3);
    m->tstruct.b = 77;
    m->tarr[1].a = 78;
}

static void test_more_types(void)
{
    Misc src, dst;
    Error *err = NULL;
    size_t len, full;
    g_autofree uint8_t *data = NULL;

    misc_fill(&src);
    memset(&dst, 0, sizeof(dst));
    dst.e8 = 8;
    dst.e16 = 16;
    dst.ei32 = -32;
    full = vmstate_test_roundtrip(&vmstate_misc, &src, &dst);
    g_assert_cmpuint(full, ==, 2 + 8 + 4 + 4 + 1 + 8 + 1 + 2 + 4 + 4 + 16 +
                     5 + 1 + 1 + 2 + 8 + 1 + 3 + 7 + 14 + 1);
    g_assert_cmpuint(dst.a16[0], ==, 0xa0a0a0a0);
    g_assert_cmpmem(dst.a32, 4, "wxyz", 4);
    g_assert_cmpint(dst.a8[0], ==, INT64_MIN);
    g_assert_cmpint(dst.i16a[1], ==, -16);
    g_assert_cmpint(dst.i64a[0], ==, -64);
    g_assert_cmpint(dst.t16, ==, -1600);
    g_assert_cmpint(dst.t64, ==, INT64_MAX);
    g_assert_cmpmem(dst.tbuf, 3, "tb!", 3);
    g_assert_cmpuint(dst.tarr[1].a, ==, 78);

    /* predicate false: none of the _TEST fields is sent */
    src.flag = false;
    dst.flag = false;
    g_assert_cmpuint(vmstate_test_roundtrip(&vmstate_misc, &src, &dst), ==,
                     full - (1 + 2 + 8 + 1 + 3 + 7 + 14));

    /* a version-1 stream has no unused bytes */
    src.flag = false;
    data = vmstate_test_save(&vmstate_misc, &src, &len);
    g_assert_false(vmstate_test_load(&vmstate_misc, &dst, data, len, 1,
                                     &err));
    error_free_or_abort(&err);

    /* negative int32 count */
    src.n32 = -1;
    g_free(data);
    data = vmstate_test_save_unchecked(&vmstate_misc, &src, &len, &err);
    g_assert_null(data);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'misc' field 'a32': element count -1 is outside 0..4");
    error_free_or_abort(&err);

    /* _EQUAL mismatches name the field and both values */
    misc_fill(&src);
    data = vmstate_test_save(&vmstate_misc, &src, &len);
    dst.e16 = 17;
    g_assert_false(vmstate_test_load(&vmstate_misc, &dst, data, len, 2,
                                     &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'misc' field 'e16': value 16 in the stream does not "
                    "match 17 here");
    error_free_or_abort(&err);
}

/* ---- 2D and sub-arrays, validation ---- */

typedef struct Grid {
    uint8_t cells[2][3];
    uint64_t big[2][2];
    uint8_t regs[8];
    uint8_t index;
} Grid;

static bool grid_index_valid(void *opaque, int version_id)
{
    return ((Grid *)opaque)->index < 8;
}

static const VMStateDescription vmstate_grid = {
    .name = "grid",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_2DARRAY(cells, Grid, 2, 3),
        VMSTATE_UINT64_2DARRAY(big, Grid, 2, 2),
        VMSTATE_UINT8_SUB_ARRAY(regs, Grid, 2, 4),
        VMSTATE_UINT8(index, Grid),
        VMSTATE_VALIDATE("index in range", grid_index_valid),
        VMSTATE_END_OF_LIST()
    },
};

static void test_2d_sub_validate(void)
{
    Grid src = {
        .cells = { { 1, 2, 3 }, { 4, 5, 6 } },
        .big = { { 7, 8 }, { 9, UINT64_MAX } },
        .regs = { 10, 11, 12, 13, 14, 15, 16, 17 },
        .index = 7,
    };
    Grid dst = { 0 };
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = NULL;

    g_assert_cmpuint(vmstate_test_roundtrip(&vmstate_grid, &src, &dst), ==,
                     6 + 32 + 4 + 1 + 1);
    g_assert_cmpuint(dst.cells[1][2], ==, 6);
    g_assert_cmpuint(dst.big[1][1], ==, UINT64_MAX);
    g_assert_cmpuint(dst.regs[1], ==, 0);
    g_assert_cmpuint(dst.regs[2], ==, 12);
    g_assert_cmpuint(dst.regs[5], ==, 15);
    g_assert_cmpuint(dst.regs[6], ==, 0);

    /* a guest-controlled index out of range is refused on load */
    data = vmstate_test_save(&vmstate_grid, &src, &len);
    data[len - 2] = 8;
    g_assert_false(vmstate_test_load(&vmstate_grid, &dst, data, len, 1,
                                     &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'grid' field 'index in range': validation failed");
    error_free_or_abort(&err);
}

/* ---- Timers ---- */

typedef struct TimerDev {
    QEMUTimer *timer;
    uint32_t after;
} TimerDev;

static const VMStateDescription vmstate_timer_dev = {
    .name = "timer-dev",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_TIMER_PTR(timer, TimerDev),
        VMSTATE_UINT32(after, TimerDev),
        VMSTATE_END_OF_LIST()
    },
};

static void timer_cb(void *opaque)
{
}

static void test_timer(void)
{
    TimerDev src = {
        .timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, timer_cb, NULL),
        .after = 7,
    };
    TimerDev dst = {
        .timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, timer_cb, NULL),
    };
    TimerDev none = { 0 };
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = NULL;

    timer_mod_ns(src.timer, 123456789);
    g_assert_cmpuint(vmstate_test_roundtrip(&vmstate_timer_dev, &src, &dst),
                     ==, 8 + 4 + 1);
    g_assert_true(timer_pending(dst.timer));
    g_assert_cmpint(timer_expire_time_ns(dst.timer), ==, 123456789);

    /* not pending travels as -1 and disarms the destination's timer */
    timer_del(src.timer);
    data = vmstate_test_save(&vmstate_timer_dev, &src, &len);
    g_assert_cmpmem(data, 8, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    g_assert_true(vmstate_test_load(&vmstate_timer_dev, &dst, data, len, 1,
                                    &error_abort));
    g_assert_false(timer_pending(dst.timer));

    /* a negative deadline other than -1 is rejected */
    data[0] = 0x80;
    g_assert_false(vmstate_test_load(&vmstate_timer_dev, &dst, data, len, 1,
                                     &err));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "'timer-dev' field 'timer': invalid timer"));
    error_free_or_abort(&err);
    g_assert_false(timer_pending(dst.timer));

    /* a device without its timer cannot load one */
    data[0] = 0;
    g_assert_false(vmstate_test_load(&vmstate_timer_dev, &none, data, len, 1,
                                     &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "timer does not exist"));
    error_free_or_abort(&err);
    timer_free(src.timer);
    timer_free(dst.timer);
}

/* ---- Untrusted input: truncation and corruption ---- */

typedef struct Big {
    Outer outer;
    Inner target;
    VarState var;
    Dev dev;
} Big;

static const VMStateDescription vmstate_big = {
    .name = "big",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(outer, Big, 0, vmstate_outer, Outer),
        VMSTATE_STRUCT(var, Big, 0, vmstate_var, VarState),
        VMSTATE_STRUCT(dev, Big, 0, vmstate_dev, Dev),
        VMSTATE_END_OF_LIST()
    },
};

static void big_init(Big *b, bool fill)
{
    static uint64_t heap[2] = { 5, 6 };

    memset(b, 0, sizeof(*b));
    b->outer.ptr = &b->target;
    b->outer.fixed = 42;
    if (fill) {
        outer_fill(&b->outer, &b->target, 2);
        b->var.n = 2;
        b->var.vals[1] = 3;
        b->var.m = 2;
        b->var.heap = g_memdup2(heap, sizeof(heap));
        b->var.blob_len = 3;
        b->var.blob = g_memdup2("xyz", 3);
        b->var.ns = 2;
        b->dev.reg = 4;
        b->dev.has_extra = true;
        b->dev.extra = 99;
    }
}

static void test_truncated(void)
{
    Big src, dst;
    size_t len, cut;
    g_autofree uint8_t *data = NULL;

    big_init(&src, true);
    data = vmstate_test_save(&vmstate_big, &src, &len);
    for (cut = 0; cut < len; cut++) {
        Error *err = NULL;

        big_init(&dst, false);
        g_assert_false(vmstate_test_load(&vmstate_big, &dst, data, cut, 1,
                                         &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strchr(error_get_pretty(err), '\''));
        error_free(err);
        var_free(&dst.var);
    }
    big_init(&dst, false);
    g_assert_true(vmstate_test_load(&vmstate_big, &dst, data, len, 1,
                                    &error_abort));
    g_assert_cmpuint(dst.dev.extra, ==, 99);
    var_free(&dst.var);
    var_free(&src.var);
}

static void test_corruption_fuzz(void)
{
    Big src, dst;
    size_t len;
    int i, failures = 0;
    g_autofree uint8_t *data = NULL;
    GRand *rand = g_rand_new_with_seed(0x7a4d3e);

    big_init(&src, true);
    data = vmstate_test_save(&vmstate_big, &src, &len);
    for (i = 0; i < 3000; i++) {
        g_autofree uint8_t *bad = g_memdup2(data, len);
        int flips = g_rand_int_range(rand, 1, 4);
        size_t badlen = len;
        Error *err = NULL;

        while (flips--) {
            bad[g_rand_int_range(rand, 0, len)] = g_rand_int_range(rand, 0,
                                                                  256);
        }
        if (g_rand_boolean(rand)) {
            badlen = g_rand_int_range(rand, 0, len);
        }
        big_init(&dst, false);
        if (!vmstate_test_load(&vmstate_big, &dst, bad, badlen, 1, &err)) {
            g_assert_nonnull(err);
            error_free(err);
            failures++;
        } else {
            /* whatever was accepted respects the bounds */
            g_assert_cmpuint(dst.var.n, <=, 4);
            g_assert_cmpuint(dst.var.m, <=, 8);
            g_assert_cmpuint(dst.var.blob_len, <=, 16);
        }
        var_free(&dst.var);
    }
    g_assert_cmpint(failures, >, 1000);
    var_free(&src.var);
    g_rand_free(rand);
}

/* ---- Checking descriptions ---- */

static const VMStateDescription vmstate_bad_versions = {
    .name = "bad-versions",
    .version_id = 1,
    .minimum_version_id = 2,
};

static const VMStateDescription vmstate_bad_field = {
    .name = "bad-field",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(reg, Dev),
        VMSTATE_UINT64_V(extra, Dev, 2),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_bad_subsections = {
    .name = "bad-subs",
    .version_id = 1,
    .minimum_version_id = 1,
    .subsections = (const VMStateDescription * const []) {
        &vmstate_dev_more,
        &vmstate_dev_more,
        NULL
    },
};

static void test_check_description(void)
{
    Error *err = NULL;

    g_assert_true(vmstate_check_description(&vmstate_big, &error_abort));
    g_assert_true(vmstate_check_description(&vmstate_misc, &error_abort));
    g_assert_false(vmstate_check_description(&vmstate_bad_versions, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'bad-versions': minimum_version_id 2 is above "
                    "version_id 1");
    error_free_or_abort(&err);
    g_assert_false(vmstate_check_description(&vmstate_bad_field, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'bad-field' field 'extra' is newer than its "
                    "description");
    error_free_or_abort(&err);
    g_assert_false(vmstate_check_description(&vmstate_bad_subsections,
                                             &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'bad-subs': subsection 'dev/more' is listed twice");
    error_free_or_abort(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/migration/vmstate/scalars-wire", test_scalars_wire);
    g_test_add_func("/migration/vmstate/arrays-structs", test_arrays_structs);
    g_test_add_func("/migration/vmstate/equal-mismatch", test_equal_mismatch);
    g_test_add_func("/migration/vmstate/null-struct-pointer",
                    test_null_struct_pointer);
    g_test_add_func("/migration/vmstate/varray", test_varray);
    g_test_add_func("/migration/vmstate/varray-bounds", test_varray_bounds);
    g_test_add_func("/migration/vmstate/versions", test_versions);
    g_test_add_func("/migration/vmstate/subsections", test_subsections);
    g_test_add_func("/migration/vmstate/subsection-errors",
                    test_subsection_errors);
    g_test_add_func("/migration/vmstate/hooks", test_hooks);
    g_test_add_func("/migration/vmstate/timer", test_timer);
    g_test_add_func("/migration/vmstate/more-types", test_more_types);
    g_test_add_func("/migration/vmstate/2d-sub-validate",
                    test_2d_sub_validate);
    g_test_add_func("/migration/vmstate/check-description",
                    test_check_description);
    g_test_add_func("/migration/vmstate/truncated", test_truncated);
    g_test_add_func("/migration/vmstate/corruption-fuzz",
                    test_corruption_fuzz);
    return g_test_run();
}
