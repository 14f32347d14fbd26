/*
 * NBD server internals shared by nbd/server.c (clients, transmission,
 * exports) and nbd/server-handshake.c (the option haggling).  See the
 * state machine at the top of server.c.
 */
#ifndef NBD_SERVER_INTERNAL_H
#define NBD_SERVER_INTERNAL_H

#include "block/nbd.h"
#include "qemu/iov.h"

typedef enum NBDClientState {
    NBD_CS_CLIENT_FLAGS,
    NBD_CS_OPT_HEADER,
    NBD_CS_OPT_DATA,
    NBD_CS_REQ_HEADER,
    NBD_CS_REQ_PAYLOAD,
    NBD_CS_CLOSING,
} NBDClientState;

/* Why a client went away (trace) */
enum {
    NBD_CLOSE_EOF,
    NBD_CLOSE_PROTOCOL,
    NBD_CLOSE_DISC,
    NBD_CLOSE_SERVER,
};

typedef struct NBDClient NBDClient;

struct NBDExport {
    NBDServer *srv;
    char *id;
    char *name;
    char *description;
    char *node_name;
    BlockBackend *blk;
    bool writable;
};

struct NBDServer {
    int listen_fd;
    int port;
    uint32_t max_connections;
    GList *exports;             /* NBDExport * */
    GList *clients;             /* NBDClient * (open sockets) */
    NBDExportDeletedFn *deleted_cb;
    void *deleted_opaque;
};

struct NBDClient {
    NBDServer *srv;
    int fd;
    int refcnt;
    NBDClientState state;
    uint8_t hdr[NBD_REQUEST_SIZE];
    uint8_t *in;                /* hdr or a payload buffer */
    uint32_t in_len, in_need;
    GByteArray *out;
    size_t out_pos;
    uint32_t opt;
    uint32_t opt_len;
    unsigned n_opts;
    bool no_zeroes;
    bool structured;
    bool meta_base;
    NBDRequest req;
    NBDExport *exp;
    int inflight;
};

typedef struct NBDRequestData {
    NBDClient *client;
    NBDRequest req;
    uint8_t *buf;
    QEMUIOVector qiov;
} NBDRequestData;

/* server.c */

/** nbd_client_expect: enter @state, waiting for @need bytes of input */
void nbd_client_expect(NBDClient *c, NBDClientState state, uint32_t need);

/* server-handshake.c */

/** nbd_export_size: the export's current size in bytes */
uint64_t nbd_export_size(NBDExport *exp);

/**
 * nbd_client_got_opt_header: a 16-byte option header is in c->in.
 * Returns: false on a protocol error (close the client).
 */
bool nbd_client_got_opt_header(NBDClient *c);

/**
 * nbd_client_handle_option: the option's payload @data (c->opt_len
 * bytes, NULL if none) has arrived; answer it.
 * Returns: false on a protocol error.
 */
bool nbd_client_handle_option(NBDClient *c, const uint8_t *data);

#endif
