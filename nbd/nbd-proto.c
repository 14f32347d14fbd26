/*
 * NBD wire encoding and decoding (see include/block/nbd.h): pure
 * functions over buffers, shared by the server and the unit tests.
 */
#include "qemu/osdep.h"
#include "block/nbd.h"

uint16_t nbd_get16(const uint8_t *p)
{
    return (uint16_t)p[0] << 8 | p[1];
}

uint32_t nbd_get32(const uint8_t *p)
{
    return (uint32_t)nbd_get16(p) << 16 | nbd_get16(p + 2);
}

uint64_t nbd_get64(const uint8_t *p)
{
    return (uint64_t)nbd_get32(p) << 32 | nbd_get32(p + 4);
}

void nbd_put16(GByteArray *b, uint16_t v)
{
    uint8_t x[2] = { v >> 8, v };

    g_byte_array_append(b, x, sizeof(x));
}

void nbd_put32(GByteArray *b, uint32_t v)
{
    nbd_put16(b, v >> 16);
    nbd_put16(b, v);
}

void nbd_put64(GByteArray *b, uint64_t v)
{
    nbd_put32(b, v >> 32);
    nbd_put32(b, v);
}

bool nbd_parse_request(const uint8_t *buf, NBDRequest *req)
{
    if (nbd_get32(buf) != NBD_REQUEST_MAGIC) {
        return false;
    }
    req->flags = nbd_get16(buf + 4);
    req->type = nbd_get16(buf + 6);
    req->cookie = nbd_get64(buf + 8);
    req->offset = nbd_get64(buf + 16);
    req->len = nbd_get32(buf + 24);
    return true;
}

void nbd_encode_request(uint8_t *buf, const NBDRequest *req)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    nbd_put32(b, NBD_REQUEST_MAGIC);
    nbd_put16(b, req->flags);
    nbd_put16(b, req->type);
    nbd_put64(b, req->cookie);
    nbd_put64(b, req->offset);
    nbd_put32(b, req->len);
    memcpy(buf, b->data, NBD_REQUEST_SIZE);
}

uint32_t nbd_errno_to_wire(int err)
{
    switch (err < 0 ? -err : err) {
    case 0:
        return NBD_SUCCESS;
    case EPERM:
    case EROFS:
    case EACCES:
        return NBD_EPERM;
    case ENOMEM:
        return NBD_ENOMEM;
    case EINVAL:
        return NBD_EINVAL;
    case ENOSPC:
    case EFBIG:
        return NBD_ENOSPC;
    case EOVERFLOW:
        return NBD_EOVERFLOW;
    case ENOTSUP:
        return NBD_ENOTSUP;
    case ESHUTDOWN:
        return NBD_ESHUTDOWN;
    default:
        return NBD_EIO;
    }
}

void nbd_put_option_reply(GByteArray *b, uint32_t opt, uint32_t type,
                          const void *data, uint32_t len)
{
    nbd_put64(b, NBD_REP_MAGIC);
    nbd_put32(b, opt);
    nbd_put32(b, type);
    nbd_put32(b, len);
    if (len) {
        g_byte_array_append(b, data, len);
    }
}

void nbd_put_simple_reply(GByteArray *b, uint32_t err, uint64_t cookie)
{
    nbd_put32(b, NBD_SIMPLE_REPLY_MAGIC);
    nbd_put32(b, err);
    nbd_put64(b, cookie);
}

void nbd_put_chunk_header(GByteArray *b, uint16_t flags, uint16_t type,
                          uint64_t cookie, uint32_t len)
{
    nbd_put32(b, NBD_STRUCTURED_REPLY_MAGIC);
    nbd_put16(b, flags);
    nbd_put16(b, type);
    nbd_put64(b, cookie);
    nbd_put32(b, len);
}

void nbd_put_error_chunk(GByteArray *b, uint64_t cookie, uint32_t err,
                         const char *msg)
{
    uint32_t mlen = msg ? MIN(strlen(msg), NBD_MAX_STRING) : 0;

    nbd_put_chunk_header(b, NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_ERROR,
                         cookie, 6 + mlen);
    nbd_put32(b, err);
    nbd_put16(b, mlen);
    if (mlen) {
        g_byte_array_append(b, (const uint8_t *)msg, mlen);
    }
}

/* A be32-length-prefixed string at *@pos; false if it does not fit. */
static bool take_string(const uint8_t *data, uint32_t len, uint32_t *pos,
                        char **out)
{
    uint32_t slen;

    if (len - *pos < 4) {
        return false;
    }
    slen = nbd_get32(data + *pos);
    *pos += 4;
    if (slen > NBD_MAX_STRING || slen > len - *pos) {
        return false;
    }
    *out = g_strndup((const char *)data + *pos, slen);
    if (strlen(*out) != slen) {     /* embedded NUL */
        g_clear_pointer(out, g_free);
        return false;
    }
    *pos += slen;
    return true;
}

bool nbd_parse_opt_go(const uint8_t *data, uint32_t len, NBDOptGo *go)
{
    uint32_t pos = 0;
    uint16_t n, i;

    memset(go, 0, sizeof(*go));
    if (!take_string(data, len, &pos, &go->name)) {
        return false;
    }
    if (len - pos < 2) {
        goto fail;
    }
    n = nbd_get16(data + pos);
    pos += 2;
    if ((uint32_t)n * 2 != len - pos) {
        goto fail;
    }
    for (i = 0; i < n; i++) {
        if (go->n_info < ARRAY_SIZE(go->info)) {
            go->info[go->n_info++] = nbd_get16(data + pos);
        }
        pos += 2;
    }
    return true;

fail:
    nbd_opt_go_clear(go);
    return false;
}

void nbd_opt_go_clear(NBDOptGo *go)
{
    g_clear_pointer(&go->name, g_free);
    go->n_info = 0;
}

bool nbd_parse_meta_queries(const uint8_t *data, uint32_t len, char **name,
                            GPtrArray **queries)
{
    uint32_t pos = 0, n, i;
    GPtrArray *q;

    *name = NULL;
    *queries = NULL;
    if (!take_string(data, len, &pos, name)) {
        return false;
    }
    if (len - pos < 4) {
        goto fail_name;
    }
    n = nbd_get32(data + pos);
    pos += 4;
    if (n > (len - pos) / 4) {
        goto fail_name;
    }
    q = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < n; i++) {
        char *s;

        if (!take_string(data, len, &pos, &s)) {
            g_ptr_array_free(q, true);
            goto fail_name;
        }
        g_ptr_array_add(q, s);
    }
    if (pos != len) {
        g_ptr_array_free(q, true);
        goto fail_name;
    }
    *queries = q;
    return true;

fail_name:
    g_clear_pointer(name, g_free);
    return false;
}
