/*
 * A small AML emitter.  The encodings are summarised in
 * include/hw/acpi/aml-build.h.
 *
 * Each Aml is a node being built: a kind, the bytes that sit between its
 * PkgLength and its children (name, flags) and the encoded children.
 * Encoding happens bottom-up: aml_append() encodes the child into the
 * parent's body at once, so no tree is kept.
 */
#include "qemu/osdep.h"
#include "hw/acpi/aml-build.h"

typedef enum AmlKind {
    AML_RAW,            /* body only: term lists, integers, names */
    AML_PKGLEN,         /* op, PkgLength(pre + body), pre, body */
    AML_PACKAGE,        /* 12, PkgLength, count, body */
    AML_BUFFER,         /* 11, PkgLength, size integer, body */
    AML_RESOURCES,      /* a buffer whose body ends with 79 00 */
} AmlKind;

struct Aml {
    AmlKind kind;
    uint8_t op[2];
    unsigned op_len;
    GByteArray *pre;
    GByteArray *body;
    unsigned count;
};

#define AML_ZERO_OP         0x00
#define AML_ONE_OP          0x01
#define AML_NAME_OP         0x08
#define AML_BYTE_PREFIX     0x0a
#define AML_WORD_PREFIX     0x0b
#define AML_DWORD_PREFIX    0x0c
#define AML_STRING_PREFIX   0x0d
#define AML_QWORD_PREFIX    0x0e
#define AML_SCOPE_OP        0x10
#define AML_BUFFER_OP       0x11
#define AML_PACKAGE_OP      0x12
#define AML_METHOD_OP       0x14
#define AML_DUAL_NAME       0x2e
#define AML_MULTI_NAME      0x2f
#define AML_EXT_OP          0x5b
#define AML_DEVICE_OP       0x82
#define AML_RETURN_OP       0xa4
#define AML_ONES_OP         0xff

static Aml *aml_new(AmlKind kind)
{
    Aml *a = g_new0(Aml, 1);

    a->kind = kind;
    a->pre = g_byte_array_new();
    a->body = g_byte_array_new();
    return a;
}

void aml_free(Aml *a)
{
    if (a) {
        g_byte_array_unref(a->pre);
        g_byte_array_unref(a->body);
        g_free(a);
    }
}

static void put8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

static void put_le(GByteArray *b, uint64_t v, unsigned bytes)
{
    unsigned i;

    for (i = 0; i < bytes; i++) {
        put8(b, v >> (8 * i));
    }
}

unsigned aml_pkglen_encode(uint32_t body_len, uint8_t out[4])
{
    uint32_t total;
    unsigned n, i;

    if (body_len + 1 < 0x40) {
        out[0] = body_len + 1;
        return 1;
    }
    for (n = 2; n <= 4; n++) {
        total = body_len + n;
        if (total < (1u << (4 + 8 * (n - 1)))) {
            break;
        }
    }
    g_assert(n <= 4);
    out[0] = ((n - 1) << 6) | (total & 0xf);
    for (i = 1; i < n; i++) {
        out[i] = total >> (4 + 8 * (i - 1));
    }
    return n;
}

static void put_pkglen(GByteArray *b, uint32_t body_len)
{
    uint8_t enc[4];

    g_byte_array_append(b, enc, aml_pkglen_encode(body_len, enc));
}

/* Appends one NameSeg ("PCI0", "_S5" -> "_S5_"). */
static void put_nameseg(GByteArray *b, const char *seg, size_t len)
{
    size_t i;

    g_assert(len >= 1 && len <= 4);
    for (i = 0; i < 4; i++) {
        char c = i < len ? seg[i] : '_';

        g_assert(c == '_' || g_ascii_isupper(c) ||
                 (i > 0 && g_ascii_isdigit(c)));
        put8(b, c);
    }
}

static void put_namestring(GByteArray *b, const char *name)
{
    g_auto(GStrv) segs = NULL;
    unsigned n, i;

    while (*name == '\\' || *name == '^') {
        put8(b, *name++);
    }
    if (*name == '\0') {
        put8(b, 0x00);      /* NullName */
        return;
    }
    segs = g_strsplit(name, ".", -1);
    n = g_strv_length(segs);
    if (n == 2) {
        put8(b, AML_DUAL_NAME);
    } else if (n > 2) {
        g_assert(n < 256);
        put8(b, AML_MULTI_NAME);
        put8(b, n);
    }
    for (i = 0; i < n; i++) {
        put_nameseg(b, segs[i], strlen(segs[i]));
    }
}

static void encode_into(GByteArray *out, const Aml *a)
{
    GByteArray *inner = g_byte_array_new();

    switch (a->kind) {
    case AML_RAW:
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_PKGLEN:
        g_byte_array_append(out, a->op, a->op_len);
        put_pkglen(out, a->pre->len + a->body->len);
        g_byte_array_append(out, a->pre->data, a->pre->len);
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_PACKAGE:
        g_assert(a->count < 256);
        put8(out, AML_PACKAGE_OP);
        put_pkglen(out, 1 + a->body->len);
        put8(out, a->count);
        g_byte_array_append(out, a->body->data, a->body->len);
        break;
    case AML_BUFFER:
    case AML_RESOURCES: {
        Aml *size;
        uint32_t len = a->body->len + (a->kind == AML_RESOURCES ? 2 : 0);

        size = aml_int(len);
        encode_into(inner, size);
        aml_free(size);
        g_byte_array_append(inner, a->body->data, a->body->len);
        if (a->kind == AML_RESOURCES) {
            put8(inner, 0x79);  /* end tag, checksum 0: "ignore" */
            put8(inner, 0x00);
        }
        put8(out, AML_BUFFER_OP);
        put_pkglen(out, inner->len);
        g_byte_array_append(out, inner->data, inner->len);
        break;
    }
    }
    g_byte_array_unref(inner);
}

Aml *aml_block(void)
{
    return aml_new(AML_RAW);
}

void aml_append(Aml *parent, Aml *child)
{
    encode_into(parent->body, child);
    parent->count++;
    aml_free(child);
}

GByteArray *aml_finish(Aml *a)
{
    GByteArray *out = g_byte_array_new();

    encode_into(out, a);
    aml_free(a);
    return out;
}

Aml *aml_int(uint64_t v)
{
    Aml *a = aml_new(AML_RAW);

    if (v == 0) {
        put8(a->body, AML_ZERO_OP);
    } else if (v == 1) {
        put8(a->body, AML_ONE_OP);
    } else if (v == UINT64_MAX) {
        put8(a->body, AML_ONES_OP);
    } else if (v <= 0xff) {
        put8(a->body, AML_BYTE_PREFIX);
        put_le(a->body, v, 1);
    } else if (v <= 0xffff) {
        put8(a->body, AML_WORD_PREFIX);
        put_le(a->body, v, 2);
    } else if (v <= 0xffffffff) {
        put8(a->body, AML_DWORD_PREFIX);
        put_le(a->body, v, 4);
    } else {
        put8(a->body, AML_QWORD_PREFIX);
        put_le(a->body, v, 8);
    }
    return a;
}

Aml *aml_string(const char *s)
{
    Aml *a = aml_new(AML_RAW);

    put8(a->body, AML_STRING_PREFIX);
    g_byte_array_append(a->body, (const uint8_t *)s, strlen(s) + 1);
    return a;
}

Aml *aml_name(const char *name)
{
    Aml *a = aml_new(AML_RAW);

    put_namestring(a->body, name);
    return a;
}

Aml *aml_name_decl(const char *name, Aml *val)
{
    Aml *a = aml_new(AML_RAW);

    put8(a->body, AML_NAME_OP);
    put_namestring(a->body, name);
    aml_append(a, val);
    return a;
}

uint32_t aml_eisaid_value(const char *id)
{
    uint32_t v;

    g_assert(strlen(id) == 7);
    v = ((id[0] - 0x40) & 0x1f) << 26 | ((id[1] - 0x40) & 0x1f) << 21 |
        ((id[2] - 0x40) & 0x1f) << 16 |
        (uint32_t)strtoul(id + 3, NULL, 16);
    /* Stored as big-endian bytes inside a little-endian DWord. */
    return GUINT32_SWAP_LE_BE(v);
}

Aml *aml_eisaid(const char *id)
{
    Aml *a = aml_new(AML_RAW);

    put8(a->body, AML_DWORD_PREFIX);
    put_le(a->body, aml_eisaid_value(id), 4);
    return a;
}

static Aml *aml_named_block(uint8_t op0, int op1, const char *name)
{
    Aml *a = aml_new(AML_PKGLEN);

    a->op[a->op_len++] = op0;
    if (op1 >= 0) {
        a->op[a->op_len++] = op1;
    }
    put_namestring(a->pre, name);
    return a;
}

Aml *aml_scope(const char *name)
{
    return aml_named_block(AML_SCOPE_OP, -1, name);
}

Aml *aml_device(const char *name)
{
    return aml_named_block(AML_EXT_OP, AML_DEVICE_OP, name);
}

Aml *aml_method(const char *name, unsigned nargs, bool serialized)
{
    Aml *a = aml_named_block(AML_METHOD_OP, -1, name);

    g_assert(nargs <= 7);
    put8(a->pre, nargs | (serialized ? 0x08 : 0));
    return a;
}

Aml *aml_return(Aml *val)
{
    Aml *a = aml_new(AML_RAW);

    put8(a->body, AML_RETURN_OP);
    aml_append(a, val);
    return a;
}

Aml *aml_package(void)
{
    return aml_new(AML_PACKAGE);
}

Aml *aml_buffer(const uint8_t *data, size_t len)
{
    Aml *a = aml_new(AML_BUFFER);

    g_byte_array_append(a->body, data, len);
    return a;
}

Aml *aml_resource_template(void)
{
    return aml_new(AML_RESOURCES);
}

/* General flags of a bridge's address descriptors: producer, MinFixed,
 * MaxFixed, positive decode. */
#define ADDR_FLAGS_BRIDGE   0x0c

static Aml *word_address(uint8_t type, uint8_t tflags, uint16_t min,
                         uint16_t max)
{
    Aml *a = aml_new(AML_RAW);

    put8(a->body, 0x88);
    put_le(a->body, 13, 2);
    put8(a->body, type);
    put8(a->body, ADDR_FLAGS_BRIDGE);
    put8(a->body, tflags);
    put_le(a->body, 0, 2);                  /* granularity */
    put_le(a->body, min, 2);
    put_le(a->body, max, 2);
    put_le(a->body, 0, 2);                  /* translation */
    put_le(a->body, max - min + 1, 2);      /* length */
    return a;
}

Aml *aml_word_bus_number(uint16_t min, uint16_t max)
{
    return word_address(0x02, 0x00, min, max);
}

Aml *aml_word_io(uint16_t min, uint16_t max)
{
    /* Type-specific flags 3: EntireRange (ISA and non-ISA ports). */
    return word_address(0x01, 0x03, min, max);
}

Aml *aml_dword_memory(uint32_t min, uint32_t max, bool cacheable)
{
    Aml *a = aml_new(AML_RAW);

    put8(a->body, 0x87);
    put_le(a->body, 23, 2);
    put8(a->body, 0x00);                    /* memory range */
    put8(a->body, ADDR_FLAGS_BRIDGE);
    put8(a->body, 0x01 | (cacheable ? 0x02 : 0)); /* ReadWrite */
    put_le(a->body, 0, 4);
    put_le(a->body, min, 4);
    put_le(a->body, max, 4);
    put_le(a->body, 0, 4);
    put_le(a->body, (uint64_t)max - min + 1, 4);
    return a;
}

Aml *aml_io(uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
    Aml *a = aml_new(AML_RAW);

    put8(a->body, 0x47);
    put8(a->body, 0x01);                    /* Decode16 */
    put_le(a->body, min, 2);
    put_le(a->body, max, 2);
    put8(a->body, align);
    put8(a->body, len);
    return a;
}

Aml *aml_interrupt(bool level, bool active_low, bool shared,
                   const uint32_t *irqs, unsigned n)
{
    Aml *a = aml_new(AML_RAW);
    unsigned i;

    g_assert(n >= 1 && n < 256);
    put8(a->body, 0x89);
    put_le(a->body, 2 + 4 * n, 2);
    put8(a->body, 0x01 | (level ? 0 : 0x02) | (active_low ? 0x04 : 0) |
         (shared ? 0x08 : 0));             /* bit 0: consumer */
    put8(a->body, n);
    for (i = 0; i < n; i++) {
        put_le(a->body, irqs[i], 4);
    }
    return a;
}
