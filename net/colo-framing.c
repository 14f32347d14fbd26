/*
 * COLO proxy chardev frame codec; see include/net/colo-framing.h.
 */
#include "qemu/osdep.h"
#include "net/colo-framing.h"
#include "trace/trace-net.h"

void colo_frame_decoder_init(ColoFrameDecoder *d, bool vnet_hdr)
{
    memset(d, 0, sizeof(*d));
    d->vnet_hdr = vnet_hdr;
    d->state = COLO_FRAME_STATE_LEN;
}

void colo_frame_decoder_reset(ColoFrameDecoder *d)
{
    d->state = COLO_FRAME_STATE_LEN;
    d->word_got = 0;
    d->got = 0;
    d->len = 0;
    d->vnet_len = 0;
}

void colo_frame_decoder_destroy(ColoFrameDecoder *d)
{
    g_free(d->buf);
    d->buf = NULL;
}

static bool set_error(ColoFrameDecoder *d, Error **errp)
{
    trace_colo_frame_error(d->len, d->vnet_len);
    d->state = COLO_FRAME_STATE_ERROR;
    error_setg(errp, "invalid COLO proxy frame (length %u, vnet header %u)",
               d->len, d->vnet_len);
    return false;
}

static void deliver(ColoFrameDecoder *d, const uint8_t *frame,
                    ColoFrameFn *fn, void *opaque)
{
    d->frames++;
    d->state = COLO_FRAME_STATE_LEN;
    d->got = 0;
    fn(opaque, frame, d->len, d->vnet_len);
}

/* Collects a be32 word; returns true once all four bytes are in. */
static bool take_word(ColoFrameDecoder *d, const uint8_t **p, size_t *left,
                      uint32_t *out)
{
    size_t n = MIN(4 - d->word_got, *left);

    memcpy(d->word + d->word_got, *p, n);
    d->word_got += n;
    *p += n;
    *left -= n;
    if (d->word_got < 4) {
        return false;
    }
    d->word_got = 0;
    *out = colo_rd32(d->word);
    return true;
}

/* Validates the header; moves to PAYLOAD or ERROR. */
static bool header_done(ColoFrameDecoder *d, Error **errp)
{
    if (d->len > COLO_FRAME_MAX_LEN || d->vnet_len > COLO_VNET_HDR_MAX ||
        d->vnet_len > d->len) {
        return set_error(d, errp);
    }
    d->state = COLO_FRAME_STATE_PAYLOAD;
    d->got = 0;
    return true;
}

bool colo_frame_decoder_feed(ColoFrameDecoder *d, const uint8_t *data,
                             size_t len, ColoFrameFn *fn, void *opaque,
                             Error **errp)
{
    size_t hs = colo_frame_header_size(d->vnet_hdr);
    const uint8_t *p = data;
    size_t left = len;

    for (;;) {
        switch (d->state) {
        case COLO_FRAME_STATE_LEN:
            /* fast path: a whole header (and frame) in the input */
            if (d->word_got == 0 && left >= hs) {
                d->len = colo_rd32(p);
                d->vnet_len = d->vnet_hdr ? colo_rd32(p + 4) : 0;
                if (!header_done(d, errp)) {
                    return false;
                }
                p += hs;
                left -= hs;
                if (left >= d->len) {
                    p += d->len;
                    left -= d->len;
                    deliver(d, p - d->len, fn, opaque);
                }
                break;
            }
            if (left == 0) {
                return true;
            }
            if (!take_word(d, &p, &left, &d->len)) {
                return true;
            }
            d->vnet_len = 0;
            if (d->vnet_hdr) {
                d->state = COLO_FRAME_STATE_VNET_LEN;
            } else if (!header_done(d, errp)) {
                return false;
            }
            break;
        case COLO_FRAME_STATE_VNET_LEN:
            if (!take_word(d, &p, &left, &d->vnet_len)) {
                return true;
            }
            if (!header_done(d, errp)) {
                return false;
            }
            break;
        case COLO_FRAME_STATE_PAYLOAD: {
            size_t n;

            if (d->got == 0 && left >= d->len) {
                p += d->len;
                left -= d->len;
                deliver(d, p - d->len, fn, opaque);
                break;
            }
            if (left == 0) {
                return true;
            }
            if (!d->buf) {
                d->buf = g_malloc(COLO_FRAME_MAX_LEN);
            }
            n = MIN(d->len - d->got, left);
            memcpy(d->buf + d->got, p, n);
            d->got += n;
            p += n;
            left -= n;
            if (d->got == d->len) {
                deliver(d, d->buf, fn, opaque);
            }
            break;
        }
        case COLO_FRAME_STATE_ERROR:
        default:
            error_setg(errp, "COLO proxy stream is in error state");
            return false;
        }
    }
}

size_t colo_frame_header_size(bool vnet_hdr)
{
    return vnet_hdr ? 8 : 4;
}

size_t colo_frame_encode_header(uint8_t *out, bool vnet_hdr, uint32_t len,
                                uint32_t vnet_hdr_len)
{
    colo_wr32(out, len);
    if (!vnet_hdr) {
        return 4;
    }
    colo_wr32(out + 4, vnet_hdr_len);
    return 8;
}

bool colo_frame_encode(GByteArray *out, bool vnet_hdr, const uint8_t *frame,
                       size_t len, size_t vnet_hdr_len, Error **errp)
{
    uint8_t hdr[COLO_FRAME_HDR_MAX];
    size_t hs;

    if (len > COLO_FRAME_MAX_LEN || vnet_hdr_len > COLO_VNET_HDR_MAX ||
        vnet_hdr_len > len || (!vnet_hdr && vnet_hdr_len)) {
        error_setg(errp, "cannot frame a %zu-byte packet with a %zu-byte "
                   "vnet header", len, vnet_hdr_len);
        return false;
    }
    hs = colo_frame_encode_header(hdr, vnet_hdr, len, vnet_hdr_len);
    g_byte_array_append(out, hdr, hs);
    g_byte_array_append(out, frame, len);
    return true;
}
