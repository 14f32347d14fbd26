/*
 * COLO checkpoint channel: handshake and message framing (pure core).
 *
 * After the precopy stream ends, the same socket carries the COLO
 * protocol.  It opens with a versioned handshake of our own, then uses
 * QEMU's message sequence (each message a be32 COLOMessage value):
 *
 *   primary                                  secondary
 *   HELLO: be32 magic, be32 version  ---->
 *                                     <----  HELLO: be32 magic,
 *                                            be32 version, be32 status
 *                                            (0 accepted, 1 refused)
 *                                     <----  CHECKPOINT_READY
 *   per checkpoint:
 *   CHECKPOINT_REQUEST               ---->
 *                                     <----  CHECKPOINT_REPLY
 *   VMSTATE_SEND, RAM records .. EOS ---->   (into the RAM cache)
 *   VMSTATE_SIZE, be64 n, n bytes    ---->   (device state, n bounded)
 *                                     <----  VMSTATE_RECEIVED
 *                                     <----  VMSTATE_LOADED
 *   between checkpoints (version >= 1, our extension):
 *   X_RAM_BACKGROUND, RAM records .. EOS ---> (into the RAM cache)
 *   between checkpoints (version >= 2, our extension):
 *   X_HEARTBEAT                      ---->   whenever the primary sent
 *                                            nothing for
 *                                            COLO_HEARTBEAT_MS; the
 *                                            secondary gives up after
 *                                            COLO_IO_TIMEOUT_MS of silence
 *
 * A side accepts a peer speaking its own version N or N-1; the session
 * then runs at the lower of the two.  Every length from the peer is
 * checked against a limit before anything is allocated.
 */
#ifndef MIGRATION_COLO_PROTO_H
#define MIGRATION_COLO_PROTO_H

#include "migration/qemu-file.h"

#define COLO_PROTO_MAGIC        0x544e4443u     /* "TNDC" */
#define COLO_PROTO_VERSION      2
#define COLO_PROTO_MIN_VERSION  (COLO_PROTO_VERSION - 1)

/* Wire values: the indices of QAPI's COLOMessage (checked in colo.c). */
typedef enum ColoMsg {
    COLO_MSG_CHECKPOINT_READY,
    COLO_MSG_CHECKPOINT_REQUEST,
    COLO_MSG_CHECKPOINT_REPLY,
    COLO_MSG_VMSTATE_SEND,
    COLO_MSG_VMSTATE_SIZE,
    COLO_MSG_VMSTATE_RECEIVED,
    COLO_MSG_VMSTATE_LOADED,
    COLO_MSG__MAX,
    /* not a QAPI COLOMessage: Tandem's background RAM transfer */
    COLO_MSG_X_RAM_BACKGROUND = 0x100,
    /* Tandem (version >= 2): the primary is alive, between checkpoints */
    COLO_MSG_X_HEARTBEAT = 0x101,
} ColoMsg;

/** colo_msg_name: the QAPI spelling of @msg ("checkpoint-ready", ...). */
const char *colo_msg_name(uint32_t msg);

/** colo_proto_version_ok: @peer is N or N-1 for our version @ours. */
bool colo_proto_version_ok(uint32_t ours, uint32_t peer);

/**
 * colo_proto_hello_send: the primary's opening (magic, @version).
 * Returns false with @errp if the stream failed.
 */
bool colo_proto_hello_send(QEMUFile *f, uint32_t version, Error **errp);

/**
 * colo_proto_hello_recv: the secondary reads the primary's opening and
 * answers it on @out (its own @version and whether it accepts).
 * Returns: the negotiated version, or 0 with @errp (bad magic, refused
 * version, broken stream).
 */
uint32_t colo_proto_hello_answer(QEMUFile *in, QEMUFile *out,
                                 uint32_t version, Error **errp);

/**
 * colo_proto_hello_reply_recv: the primary reads the secondary's answer.
 * Returns: the negotiated version, or 0 with @errp.
 */
uint32_t colo_proto_hello_reply_recv(QEMUFile *f, uint32_t version,
                                     Error **errp);

/**
 * colo_proto_check: false with @errp ("@what: <cause>") if @f latched an
 * error.
 */
bool colo_proto_check(QEMUFile *f, const char *what, Error **errp);

/** colo_proto_send: writes and flushes @msg. */
bool colo_proto_send(QEMUFile *f, ColoMsg msg, Error **errp);

/** colo_proto_send_value: writes @msg, be64 @value, flushes. */
bool colo_proto_send_value(QEMUFile *f, ColoMsg msg, uint64_t value,
                           Error **errp);

/**
 * colo_proto_send_blob: VMSTATE_SIZE, be64 @len, @len bytes; flushes.
 */
bool colo_proto_send_blob(QEMUFile *f, const uint8_t *data, uint64_t len,
                          Error **errp);

/**
 * colo_proto_expect: reads one message and checks that it is @expect.
 * Returns false with @errp ("Can't receive COLO message: ..." for a
 * broken stream, "unexpected COLO message ..." otherwise).
 */
bool colo_proto_expect(QEMUFile *f, ColoMsg expect, Error **errp);

/**
 * colo_proto_recv: reads one message of any valid kind into *@msg.
 */
bool colo_proto_recv(QEMUFile *f, ColoMsg *msg, Error **errp);

#endif
