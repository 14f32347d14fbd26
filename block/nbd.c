/*
 * Block driver "nbd": a client of an NBD export, built on libnbd.
 *
 * Options (flat): server.type=inet|unix with server.host/server.port or
 * server.path; the legacy host=/port=/path= (COLO-FT's
 * file.host=...,file.port=...); export=; or filename=nbd://host:port/exp
 * (also nbd+unix:///exp?socket=path).
 *
 * Requests run synchronously in the caller's thread (a block layer
 * worker): libnbd serialises them on its handle.  Requests larger than
 * the server's limit are split.  A dead connection makes every request
 * fail with the errno libnbd reports (quorum/replication decide what
 * that means); the driver does not reconnect.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "qemu/cutils.h"
#include "trace/trace-nbd.h"
#include <libnbd.h>

#define NBD_CLIENT_CHUNK (32 * 1024 * 1024)

typedef struct BDRVNBDState {
    struct nbd_handle *h;
    int64_t size;
    bool can_flush;
    bool can_trim;
    bool can_zero;
} BDRVNBDState;

static int nbd_client_errno(const char *op)
{
    int err = nbd_get_errno();

    if (err <= 0) {
        err = EIO;
    }
    trace_nbd_client_error(op, err);
    return -err;
}

/* Build the libnbd URI-less connection from the options. */
static bool nbd_client_connect(BDRVNBDState *s, QDict *opts, Error **errp)
{
    g_autofree char *filename = bdrv_opt_take_str(opts, "filename");
    g_autofree char *type = bdrv_opt_take_str(opts, "server.type");
    g_autofree char *host = bdrv_opt_take_str(opts, "server.host");
    g_autofree char *port = bdrv_opt_take_str(opts, "server.port");
    g_autofree char *path = bdrv_opt_take_str(opts, "server.path");
    g_autofree char *lhost = bdrv_opt_take_str(opts, "host");
    g_autofree char *lport = bdrv_opt_take_str(opts, "port");
    g_autofree char *lpath = bdrv_opt_take_str(opts, "path");
    g_autofree char *export = bdrv_opt_take_str(opts, "export");
    int ret;

    host = host ? g_steal_pointer(&host) : g_steal_pointer(&lhost);
    port = port ? g_steal_pointer(&port) : g_steal_pointer(&lport);
    path = path ? g_steal_pointer(&path) : g_steal_pointer(&lpath);
    if (filename) {
        if (host || path || export) {
            error_setg(errp, "No host, path or export may be given "
                       "together with an NBD URI");
            return false;
        }
        trace_nbd_client_connect(filename);
        ret = nbd_connect_uri(s->h, filename);
    } else {
        if (type && strcmp(type, "inet") && strcmp(type, "unix")) {
            error_setg(errp, "Unsupported NBD server type '%s'", type);
            return false;
        }
        if (!host == !path || (type && !strcmp(type, "unix") && !path) ||
            (type && !strcmp(type, "inet") && !host)) {
            error_setg(errp, "NBD server address missing");
            return false;
        }
        if (nbd_set_export_name(s->h, export ? export : "") < 0) {
            error_setg(errp, "%s", nbd_get_error());
            return false;
        }
        if (path) {
            trace_nbd_client_connect(path);
            ret = nbd_connect_unix(s->h, path);
        } else {
            trace_nbd_client_connect(host);
            ret = nbd_connect_tcp(s->h, host, port ? port : "10809");
        }
    }
    if (ret < 0) {
        error_setg(errp, "Failed to connect to NBD server: %s",
                   nbd_get_error());
        return false;
    }
    return true;
}

static bool nbd_open(BlockDriverState *bs, QDict *opts, Error **errp)
{
    BDRVNBDState *s = bs->opaque;
    g_autofree char *tls = bdrv_opt_take_str(opts, "tls-creds");
    int64_t delay, timeout;

    if (tls) {
        error_setg(errp, "TLS is not supported");
        return false;
    }
    /* accepted for compatibility; the driver does not reconnect */
    if (!bdrv_opt_take_int(opts, "reconnect-delay", 0, &delay, errp) ||
        !bdrv_opt_take_int(opts, "open-timeout", 0, &timeout, errp)) {
        return false;
    }
    s->h = nbd_create();
    if (!s->h) {
        error_setg(errp, "Cannot create an NBD handle: %s",
                   nbd_get_error());
        return false;
    }
    if (!nbd_client_connect(s, opts, errp)) {
        goto fail;
    }
    s->size = nbd_get_size(s->h);
    if (s->size < 0) {
        error_setg(errp, "Cannot get the export size: %s", nbd_get_error());
        goto fail;
    }
    if (!bs->read_only && nbd_is_read_only(s->h) == 1) {
        error_setg(errp, "The NBD export is read-only");
        goto fail;
    }
    s->can_flush = nbd_can_flush(s->h) == 1;
    s->can_trim = nbd_can_trim(s->h) == 1;
    s->can_zero = nbd_can_zero(s->h) == 1;
    snprintf(bs->filename, sizeof(bs->filename), "nbd");
    return true;

fail:
    nbd_close(s->h);
    s->h = NULL;
    return false;
}

static void nbd_client_close(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;

    if (s->h) {
        nbd_shutdown(s->h, 0);
        nbd_close(s->h);
        s->h = NULL;
    }
}

static int nbd_client_preadv(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, QEMUIOVector *qiov, int flags)
{
    BDRVNBDState *s = bs->opaque;
    g_autofree uint8_t *buf = g_malloc(MIN(bytes, NBD_CLIENT_CHUNK));
    int64_t done = 0;

    while (done < bytes) {
        int64_t n = MIN(bytes - done, NBD_CLIENT_CHUNK);

        if (nbd_pread(s->h, buf, n, offset + done, 0) < 0) {
            return nbd_client_errno("read");
        }
        qemu_iovec_from_buf(qiov, done, buf, n);
        done += n;
    }
    return 0;
}

static int nbd_client_pwritev(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, QEMUIOVector *qiov, int flags)
{
    BDRVNBDState *s = bs->opaque;
    g_autofree uint8_t *buf = g_malloc(MIN(bytes, NBD_CLIENT_CHUNK));
    int64_t done = 0;
    uint32_t fua = (flags & BDRV_REQ_FUA) && s->can_flush ?
                   LIBNBD_CMD_FLAG_FUA : 0;

    while (done < bytes) {
        int64_t n = MIN(bytes - done, NBD_CLIENT_CHUNK);

        qemu_iovec_to_buf(qiov, done, buf, n);
        if (nbd_pwrite(s->h, buf, n, offset + done,
                       nbd_can_fua(s->h) == 1 ? fua : 0) < 0) {
            return nbd_client_errno("write");
        }
        done += n;
    }
    return 0;
}

static int nbd_client_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                    int64_t bytes, int flags)
{
    BDRVNBDState *s = bs->opaque;
    int64_t done = 0;

    if (!s->can_zero) {
        return -ENOTSUP;
    }
    while (done < bytes) {
        int64_t n = MIN(bytes - done, NBD_CLIENT_CHUNK);

        if (nbd_zero(s->h, n, offset + done,
                     flags & BDRV_REQ_MAY_UNMAP ? 0 :
                     LIBNBD_CMD_FLAG_NO_HOLE) < 0) {
            return nbd_client_errno("zero");
        }
        done += n;
    }
    return 0;
}

static int nbd_client_pdiscard(BlockDriverState *bs, int64_t offset,
                               int64_t bytes)
{
    BDRVNBDState *s = bs->opaque;
    int64_t done = 0;

    if (!s->can_trim) {
        return 0;
    }
    while (done < bytes) {
        int64_t n = MIN(bytes - done, NBD_CLIENT_CHUNK);

        if (nbd_trim(s->h, n, offset + done, 0) < 0) {
            return nbd_client_errno("trim");
        }
        done += n;
    }
    return 0;
}

static int nbd_client_flush(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;

    if (!s->can_flush) {
        return 0;
    }
    return nbd_flush(s->h, 0) < 0 ? nbd_client_errno("flush") : 0;
}

static int64_t nbd_client_getlength(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;

    return s->size;
}

static bool nbd_client_reopen_rw(BlockDriverState *bs, bool read_only,
                                 Error **errp)
{
    BDRVNBDState *s = bs->opaque;

    if (!read_only && nbd_is_read_only(s->h) == 1) {
        error_setg(errp, "The NBD export is read-only");
        return false;
    }
    return true;
}

const BlockDriver bdrv_nbd = {
    .format_name = "nbd",
    .instance_size = sizeof(BDRVNBDState),
    .protocol = true,
    .bdrv_open = nbd_open,
    .bdrv_close = nbd_client_close,
    .bdrv_reopen_rw = nbd_client_reopen_rw,
    .bdrv_preadv = nbd_client_preadv,
    .bdrv_pwritev = nbd_client_pwritev,
    .bdrv_pwrite_zeroes = nbd_client_pwrite_zeroes,
    .bdrv_pdiscard = nbd_client_pdiscard,
    .bdrv_flush = nbd_client_flush,
    .bdrv_getlength = nbd_client_getlength,
};

static void __attribute__((constructor)) nbd_client_register(void)
{
    bdrv_register(&bdrv_nbd);
}
