/*
 * COLO proxy chardev framing (filter-mirror, filter-redirector and
 * colo-compare all speak it; byte-compatible with QEMU):
 *
 *   +-------------+---------------------+----------------------------+
 *   | be32 len    | be32 vnet_hdr_len   | len bytes: vnet hdr + frame|
 *   |             | (only if vnet_hdr_  |                            |
 *   |             |  support=on)        |                            |
 *   +-------------+---------------------+----------------------------+
 *
 * len counts the whole payload, vnet header included.  The decoder is a
 * streaming state machine: bytes may arrive in any pieces.  A frame longer
 * than COLO_FRAME_MAX_LEN, or a vnet header length larger than the frame
 * or than COLO_VNET_HDR_MAX, is a protocol error: the decoder stops and
 * must be reset (the caller normally drops the connection).  A zero-length
 * frame is legal on the wire and is delivered as such.
 */
#ifndef NET_COLO_FRAMING_H
#define NET_COLO_FRAMING_H

#include "qapi/error.h"
#include "net/colo.h"

#define COLO_FRAME_MAX_PAYLOAD  (64 * 1024)
#define COLO_FRAME_MAX_LEN      (COLO_FRAME_MAX_PAYLOAD + COLO_VNET_HDR_MAX)
#define COLO_FRAME_HDR_MAX      8

typedef enum ColoFrameState {
    COLO_FRAME_STATE_LEN,       /* reading the be32 length */
    COLO_FRAME_STATE_VNET_LEN,  /* reading the be32 vnet header length */
    COLO_FRAME_STATE_PAYLOAD,   /* reading the payload */
    COLO_FRAME_STATE_ERROR,     /* protocol error; reset needed */
} ColoFrameState;

/**
 * ColoFrameFn: called once per complete frame.  @frame is valid only
 * during the call; it points at the vnet header (if any).
 */
typedef void ColoFrameFn(void *opaque, const uint8_t *frame, size_t len,
                         size_t vnet_hdr_len);

typedef struct ColoFrameDecoder {
    bool vnet_hdr;
    ColoFrameState state;
    uint8_t word[4];
    size_t word_got;
    uint32_t len;
    uint32_t vnet_len;
    uint8_t *buf;               /* COLO_FRAME_MAX_LEN bytes, lazily */
    size_t got;
    uint64_t frames;            /* frames delivered */
} ColoFrameDecoder;

/** colo_frame_decoder_init: prepares @d; @vnet_hdr as the property. */
void colo_frame_decoder_init(ColoFrameDecoder *d, bool vnet_hdr);

/** colo_frame_decoder_reset: forgets a partial frame and any error. */
void colo_frame_decoder_reset(ColoFrameDecoder *d);

/** colo_frame_decoder_destroy: frees the reassembly buffer. */
void colo_frame_decoder_destroy(ColoFrameDecoder *d);

/**
 * colo_frame_decoder_feed:
 * @d: the decoder
 * @data, @len: the next bytes of the stream
 * @fn, @opaque: called for each complete frame, in order
 * @errp: set on a protocol error
 *
 * Frames lying entirely inside @data are delivered without a copy.
 *
 * Returns: false on a protocol error (now or earlier); bytes after the
 * bad header are not consumed.
 */
bool colo_frame_decoder_feed(ColoFrameDecoder *d, const uint8_t *data,
                             size_t len, ColoFrameFn *fn, void *opaque,
                             Error **errp);

/** colo_frame_header_size: 4, or 8 with vnet headers. */
size_t colo_frame_header_size(bool vnet_hdr);

/**
 * colo_frame_encode_header: writes the header for a payload of @len
 * bytes (vnet header included) into @out (COLO_FRAME_HDR_MAX bytes).
 * Returns: the number of bytes written.  The caller writes the payload
 * after it (e.g. with writev).
 */
size_t colo_frame_encode_header(uint8_t *out, bool vnet_hdr, uint32_t len,
                                uint32_t vnet_hdr_len);

/**
 * colo_frame_encode: appends header and payload to @out.
 * Returns: false (with @errp) if @len or @vnet_hdr_len is out of bounds.
 */
bool colo_frame_encode(GByteArray *out, bool vnet_hdr, const uint8_t *frame,
                       size_t len, size_t vnet_hdr_len, Error **errp);

#endif
