/*
 * COLO checkpoint channel: handshake and message framing.
 * The protocol is drawn in colo-proto.h.
 */
#include "qemu/osdep.h"
#include "migration/colo-proto.h"

#define HELLO_ACCEPTED  0
#define HELLO_REFUSED   1

static const char *const msg_names[COLO_MSG__MAX] = {
    [COLO_MSG_CHECKPOINT_READY] = "checkpoint-ready",
    [COLO_MSG_CHECKPOINT_REQUEST] = "checkpoint-request",
    [COLO_MSG_CHECKPOINT_REPLY] = "checkpoint-reply",
    [COLO_MSG_VMSTATE_SEND] = "vmstate-send",
    [COLO_MSG_VMSTATE_SIZE] = "vmstate-size",
    [COLO_MSG_VMSTATE_RECEIVED] = "vmstate-received",
    [COLO_MSG_VMSTATE_LOADED] = "vmstate-loaded",
};

const char *colo_msg_name(uint32_t msg)
{
    if (msg == COLO_MSG_X_RAM_BACKGROUND) {
        return "x-ram-background";
    }
    if (msg == COLO_MSG_X_HEARTBEAT) {
        return "x-heartbeat";
    }
    return msg < COLO_MSG__MAX ? msg_names[msg] : "invalid";
}

bool colo_proto_version_ok(uint32_t ours, uint32_t peer)
{
    return peer == ours || (ours > 0 && peer == ours - 1);
}

/* Turns a latched stream error into @errp. */
bool colo_proto_check(QEMUFile *f, const char *what, Error **errp)
{
    Error *err = NULL;
    int ret = qemu_file_get_error_obj(f, &err);

    if (!ret) {
        return true;
    }
    if (err) {
        error_propagate(errp, err);
        error_prepend(errp, "%s: ", what);
    } else {
        error_setg_errno(errp, -ret, "%s", what);
    }
    return false;
}

bool colo_proto_hello_send(QEMUFile *f, uint32_t version, Error **errp)
{
    qemu_put_be32(f, COLO_PROTO_MAGIC);
    qemu_put_be32(f, version);
    qemu_fflush(f);
    return colo_proto_check(f, "Can't send COLO handshake", errp);
}

static bool read_magic(QEMUFile *f, Error **errp)
{
    uint32_t magic = qemu_get_be32(f);

    if (!colo_proto_check(f, "Can't receive COLO handshake", errp)) {
        return false;
    }
    if (magic != COLO_PROTO_MAGIC) {
        error_setg(errp, "COLO handshake: bad magic 0x%08x (peer is not a "
                   "Tandem COLO peer)", magic);
        return false;
    }
    return true;
}

uint32_t colo_proto_hello_answer(QEMUFile *in, QEMUFile *out,
                                 uint32_t version, Error **errp)
{
    uint32_t peer;
    bool ok;

    if (!read_magic(in, errp)) {
        return 0;
    }
    peer = qemu_get_be32(in);
    if (!colo_proto_check(in, "Can't receive COLO handshake", errp)) {
        return 0;
    }
    ok = colo_proto_version_ok(version, peer);
    qemu_put_be32(out, COLO_PROTO_MAGIC);
    qemu_put_be32(out, version);
    qemu_put_be32(out, ok ? HELLO_ACCEPTED : HELLO_REFUSED);
    qemu_fflush(out);
    if (!ok) {
        error_setg(errp, "COLO protocol version mismatch: peer speaks "
                   "version %u, this side accepts %u..%u", peer,
                   version ? version - 1 : 0, version);
        return 0;
    }
    if (!colo_proto_check(out, "Can't send COLO handshake", errp)) {
        return 0;
    }
    return MIN(peer, version);
}

uint32_t colo_proto_hello_reply_recv(QEMUFile *f, uint32_t version,
                                     Error **errp)
{
    uint32_t peer, status;

    if (!read_magic(f, errp)) {
        return 0;
    }
    peer = qemu_get_be32(f);
    status = qemu_get_be32(f);
    if (!colo_proto_check(f, "Can't receive COLO handshake", errp)) {
        return 0;
    }
    if (status != HELLO_ACCEPTED) {
        error_setg(errp, "COLO protocol version mismatch: the secondary "
                   "(version %u) refused version %u", peer, version);
        return 0;
    }
    /* the newer side decides; an older primary follows its answer */
    if (!colo_proto_version_ok(version, peer) &&
        !colo_proto_version_ok(peer, version)) {
        error_setg(errp, "COLO protocol version mismatch: peer speaks "
                   "version %u, this side accepts %u..%u", peer,
                   version ? version - 1 : 0, version);
        return 0;
    }
    return MIN(peer, version);
}

bool colo_proto_send(QEMUFile *f, ColoMsg msg, Error **errp)
{
    qemu_put_be32(f, msg);
    qemu_fflush(f);
    return colo_proto_check(f, "Can't send COLO message", errp);
}

bool colo_proto_send_value(QEMUFile *f, ColoMsg msg, uint64_t value,
                           Error **errp)
{
    qemu_put_be32(f, msg);
    qemu_put_be64(f, value);
    qemu_fflush(f);
    return colo_proto_check(f, "Can't send COLO message", errp);
}

bool colo_proto_send_blob(QEMUFile *f, const uint8_t *data, uint64_t len,
                          Error **errp)
{
    qemu_put_be32(f, COLO_MSG_VMSTATE_SIZE);
    qemu_put_blob(f, data, len);
    qemu_fflush(f);
    return colo_proto_check(f, "Can't send COLO device state", errp);
}

bool colo_proto_recv(QEMUFile *f, ColoMsg *msg, Error **errp)
{
    uint32_t v = qemu_get_be32(f);

    if (!colo_proto_check(f, "Can't receive COLO message", errp)) {
        return false;
    }
    if (v >= COLO_MSG__MAX && v != COLO_MSG_X_RAM_BACKGROUND &&
        v != COLO_MSG_X_HEARTBEAT) {
        error_setg(errp, "Invalid COLO message 0x%x", v);
        return false;
    }
    *msg = v;
    return true;
}

bool colo_proto_expect(QEMUFile *f, ColoMsg expect, Error **errp)
{
    ColoMsg msg;

    if (!colo_proto_recv(f, &msg, errp)) {
        return false;
    }
    if (msg != expect) {
        error_setg(errp, "Unexpected COLO message %s, expected %s",
                   colo_msg_name(msg), colo_msg_name(expect));
        return false;
    }
    return true;
}
