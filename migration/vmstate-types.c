/*
 * VMState basic element types: how one integer, bool, double or byte
 * blob is written (big-endian, fixed width) and read back.
 */
#include "qemu/osdep.h"
#include "migration/vmstate.h"
#include "migration/qemu-file.h"

static bool get_bool(QEMUFile *f, void *pv, size_t size,
                     const VMStateField *field, Error **errp)
{
    *(bool *)pv = qemu_get_byte(f) != 0;
    return true;
}

static bool put_bool(QEMUFile *f, void *pv, size_t size,
                     const VMStateField *field, Error **errp)
{
    qemu_put_byte(f, *(bool *)pv ? 1 : 0);
    return true;
}

const VMStateInfo vmstate_info_bool = {
    .name = "bool", .get = get_bool, .put = put_bool,
};

/* One get/put pair per width; signed types share the unsigned coding. */
#define VMSTATE_INT_TYPE(_name, _ctype, _utype, _get, _put)               \
static bool get_##_name(QEMUFile *f, void *pv, size_t size,               \
                        const VMStateField *field, Error **errp)          \
{                                                                         \
    *(_ctype *)pv = (_ctype)_get(f);                                      \
    return true;                                                          \
}                                                                         \
static bool put_##_name(QEMUFile *f, void *pv, size_t size,               \
                        const VMStateField *field, Error **errp)          \
{                                                                         \
    _put(f, (_utype)*(_ctype *)pv);                                       \
    return true;                                                          \
}                                                                         \
const VMStateInfo vmstate_info_##_name = {                                \
    .name = stringify(_name), .get = get_##_name, .put = put_##_name,     \
};

VMSTATE_INT_TYPE(uint8, uint8_t, uint8_t, qemu_get_byte, qemu_put_byte)
VMSTATE_INT_TYPE(int8, int8_t, uint8_t, qemu_get_byte, qemu_put_byte)
VMSTATE_INT_TYPE(uint16, uint16_t, uint16_t, qemu_get_be16, qemu_put_be16)
VMSTATE_INT_TYPE(int16, int16_t, uint16_t, qemu_get_be16, qemu_put_be16)
VMSTATE_INT_TYPE(uint32, uint32_t, uint32_t, qemu_get_be32, qemu_put_be32)
VMSTATE_INT_TYPE(int32, int32_t, uint32_t, qemu_get_be32, qemu_put_be32)
VMSTATE_INT_TYPE(uint64, uint64_t, uint64_t, qemu_get_be64, qemu_put_be64)
VMSTATE_INT_TYPE(int64, int64_t, uint64_t, qemu_get_be64, qemu_put_be64)

/*
 * *_equal: the received value must match the local one.  A short read
 * leaves the latched error for the caller to report instead.
 */
#define VMSTATE_EQUAL_TYPE(_name, _ctype, _get, _put, _fmt)               \
static bool get_##_name##_equal(QEMUFile *f, void *pv, size_t size,       \
                                const VMStateField *field, Error **errp)  \
{                                                                         \
    _ctype v = (_ctype)_get(f);                                           \
                                                                          \
    if (qemu_file_get_error(f) || v == *(_ctype *)pv) {                   \
        return true;                                                      \
    }                                                                     \
    error_setg(errp, "value %" _fmt " in the stream does not match %"     \
               _fmt " here", v, *(_ctype *)pv);                           \
    return false;                                                         \
}                                                                         \
const VMStateInfo vmstate_info_##_name##_equal = {                        \
    .name = stringify(_name) " equal", .get = get_##_name##_equal,        \
    .put = put_##_name,                                                   \
};

VMSTATE_EQUAL_TYPE(uint8, uint8_t, qemu_get_byte, qemu_put_byte, PRIu8)
VMSTATE_EQUAL_TYPE(uint16, uint16_t, qemu_get_be16, qemu_put_be16, PRIu16)
VMSTATE_EQUAL_TYPE(uint32, uint32_t, qemu_get_be32, qemu_put_be32, PRIu32)
VMSTATE_EQUAL_TYPE(int32, int32_t, qemu_get_be32, qemu_put_be32, PRId32)

static bool get_float64(QEMUFile *f, void *pv, size_t size,
                        const VMStateField *field, Error **errp)
{
    uint64_t bits = qemu_get_be64(f);

    memcpy(pv, &bits, sizeof(bits));
    return true;
}

static bool put_float64(QEMUFile *f, void *pv, size_t size,
                        const VMStateField *field, Error **errp)
{
    uint64_t bits;

    memcpy(&bits, pv, sizeof(bits));
    qemu_put_be64(f, bits);
    return true;
}

const VMStateInfo vmstate_info_float64 = {
    .name = "float64", .get = get_float64, .put = put_float64,
};

static bool get_buffer(QEMUFile *f, void *pv, size_t size,
                       const VMStateField *field, Error **errp)
{
    qemu_get_buffer(f, pv, size);
    return true;
}

static bool put_buffer(QEMUFile *f, void *pv, size_t size,
                       const VMStateField *field, Error **errp)
{
    qemu_put_buffer(f, pv, size);
    return true;
}

const VMStateInfo vmstate_info_buffer = {
    .name = "buffer", .get = get_buffer, .put = put_buffer,
};

static bool get_unused_buffer(QEMUFile *f, void *pv, size_t size,
                              const VMStateField *field, Error **errp)
{
    qemu_file_skip(f, size);
    return true;
}

static bool put_unused_buffer(QEMUFile *f, void *pv, size_t size,
                              const VMStateField *field, Error **errp)
{
    static const uint8_t zeroes[1024];
    size_t chunk;

    while (size) {
        chunk = MIN(size, sizeof(zeroes));
        qemu_put_buffer(f, zeroes, chunk);
        size -= chunk;
    }
    return true;
}

const VMStateInfo vmstate_info_unused_buffer = {
    .name = "unused_buffer", .get = get_unused_buffer,
    .put = put_unused_buffer,
};
