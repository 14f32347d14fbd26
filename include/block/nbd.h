/*
 * NBD: wire protocol (nbd/nbd-proto.c, pure), server (nbd/server.c).
 *
 * Handshake (fixed newstyle only):
 *
 *   server                                   client
 *   "NBDMAGIC" IHAVEOPT flags(be16)  ---->
 *                                    <----   client flags (be32)
 *                                    <----   IHAVEOPT opt(be32) len(be32) data
 *   REPLY_MAGIC opt type len data    ---->   (repeated; GO/EXPORT_NAME end it)
 *
 * Transmission: 28-byte requests
 *   magic 0x25609513 | flags be16 | type be16 | cookie be64 | offset be64 |
 *   length be32   [+ length bytes of payload for NBD_CMD_WRITE]
 * answered by simple replies (magic 0x67446698 | error be32 | cookie be64
 * [+ data]) or, once NBD_OPT_STRUCTURED_REPLY was negotiated, chunks
 * (magic 0x668e33ef | flags be16 | type be16 | cookie be64 | length be32
 * | payload).
 */
#ifndef BLOCK_NBD_H
#define BLOCK_NBD_H

#include "qapi/error.h"

#define NBD_MAGIC               0x4e42444d41474943ULL  /* "NBDMAGIC" */
#define NBD_OPTS_MAGIC          0x49484156454F5054ULL  /* "IHAVEOPT" */
#define NBD_REP_MAGIC           0x0003e889045565a9ULL
#define NBD_REQUEST_MAGIC       0x25609513
#define NBD_SIMPLE_REPLY_MAGIC  0x67446698
#define NBD_STRUCTURED_REPLY_MAGIC 0x668e33ef

/* Handshake flags (server) and client flags */
#define NBD_FLAG_FIXED_NEWSTYLE 0x1
#define NBD_FLAG_NO_ZEROES      0x2
#define NBD_FLAG_C_FIXED_NEWSTYLE 0x1
#define NBD_FLAG_C_NO_ZEROES    0x2

/* Options */
#define NBD_OPT_EXPORT_NAME     1
#define NBD_OPT_ABORT           2
#define NBD_OPT_LIST            3
#define NBD_OPT_STARTTLS        5
#define NBD_OPT_INFO            6
#define NBD_OPT_GO              7
#define NBD_OPT_STRUCTURED_REPLY 8
#define NBD_OPT_LIST_META_CONTEXT 9
#define NBD_OPT_SET_META_CONTEXT 10

/* Option replies */
#define NBD_REP_ACK             1
#define NBD_REP_SERVER          2
#define NBD_REP_INFO            3
#define NBD_REP_META_CONTEXT    4
#define NBD_REP_ERR(n)          ((1U << 31) | (n))
#define NBD_REP_ERR_UNSUP       NBD_REP_ERR(1)
#define NBD_REP_ERR_POLICY      NBD_REP_ERR(2)
#define NBD_REP_ERR_INVALID     NBD_REP_ERR(3)
#define NBD_REP_ERR_PLATFORM    NBD_REP_ERR(4)
#define NBD_REP_ERR_TLS_REQD    NBD_REP_ERR(5)
#define NBD_REP_ERR_UNKNOWN     NBD_REP_ERR(6)
#define NBD_REP_ERR_SHUTDOWN    NBD_REP_ERR(7)
#define NBD_REP_ERR_TOO_BIG     NBD_REP_ERR(9)

/* NBD_REP_INFO types */
#define NBD_INFO_EXPORT         0
#define NBD_INFO_NAME           1
#define NBD_INFO_DESCRIPTION    2
#define NBD_INFO_BLOCK_SIZE     3

/* Transmission flags */
#define NBD_FLAG_HAS_FLAGS      (1 << 0)
#define NBD_FLAG_READ_ONLY      (1 << 1)
#define NBD_FLAG_SEND_FLUSH     (1 << 2)
#define NBD_FLAG_SEND_FUA       (1 << 3)
#define NBD_FLAG_SEND_TRIM      (1 << 5)
#define NBD_FLAG_SEND_WRITE_ZEROES (1 << 6)
#define NBD_FLAG_SEND_DF        (1 << 7)
#define NBD_FLAG_CAN_MULTI_CONN (1 << 8)
#define NBD_FLAG_SEND_CACHE     (1 << 10)
#define NBD_FLAG_SEND_FAST_ZERO (1 << 11)

/* Commands and their flags */
#define NBD_CMD_READ            0
#define NBD_CMD_WRITE           1
#define NBD_CMD_DISC            2
#define NBD_CMD_FLUSH           3
#define NBD_CMD_TRIM            4
#define NBD_CMD_CACHE           5
#define NBD_CMD_WRITE_ZEROES    6
#define NBD_CMD_BLOCK_STATUS    7
#define NBD_CMD_FLAG_FUA        (1 << 0)
#define NBD_CMD_FLAG_NO_HOLE    (1 << 1)
#define NBD_CMD_FLAG_DF         (1 << 2)
#define NBD_CMD_FLAG_REQ_ONE    (1 << 3)
#define NBD_CMD_FLAG_FAST_ZERO  (1 << 4)

/* Structured reply chunks */
#define NBD_REPLY_FLAG_DONE     (1 << 0)
#define NBD_REPLY_TYPE_NONE     0
#define NBD_REPLY_TYPE_OFFSET_DATA 1
#define NBD_REPLY_TYPE_OFFSET_HOLE 2
#define NBD_REPLY_TYPE_BLOCK_STATUS 5
#define NBD_REPLY_TYPE_ERROR    ((1 << 15) + 1)
#define NBD_REPLY_TYPE_ERROR_OFFSET ((1 << 15) + 2)

/* base:allocation flags */
#define NBD_STATE_HOLE          (1 << 0)
#define NBD_STATE_ZERO          (1 << 1)
#define NBD_META_ID_BASE_ALLOCATION 1

/* Errors on the wire */
#define NBD_SUCCESS     0
#define NBD_EPERM       1
#define NBD_EIO         5
#define NBD_ENOMEM      12
#define NBD_EINVAL      22
#define NBD_ENOSPC      28
#define NBD_EOVERFLOW   75
#define NBD_ENOTSUP     95
#define NBD_ESHUTDOWN   108

/* Sizes and limits */
#define NBD_REQUEST_SIZE        28
#define NBD_SIMPLE_REPLY_SIZE   16
#define NBD_CHUNK_HEADER_SIZE   20
#define NBD_OPTION_HEADER_SIZE  16
#define NBD_MAX_STRING          4096
#define NBD_MAX_OPTION_LEN      (NBD_MAX_STRING + 1024)
#define NBD_MAX_PAYLOAD         (32 * 1024 * 1024)
#define NBD_MAX_INFLIGHT        16
#define NBD_MAX_OPTIONS         256     /* per handshake */
#define NBD_MAX_STATUS_EXTENTS  1024

typedef struct NBDRequest {
    uint16_t flags;
    uint16_t type;
    uint64_t cookie;
    uint64_t offset;
    uint32_t len;
} NBDRequest;

/**
 * nbd_parse_request: decode a 28-byte request header.
 * Returns: false if the magic is wrong (a protocol error).
 */
bool nbd_parse_request(const uint8_t *buf, NBDRequest *req);

/** nbd_encode_request: the inverse (clients and tests) */
void nbd_encode_request(uint8_t *buf, const NBDRequest *req);

/** nbd_errno_to_wire: host -errno / errno to an NBD_E* value */
uint32_t nbd_errno_to_wire(int err);

/*
 * Appenders into a GByteArray (big-endian).
 */
void nbd_put16(GByteArray *b, uint16_t v);
void nbd_put32(GByteArray *b, uint32_t v);
void nbd_put64(GByteArray *b, uint64_t v);
uint16_t nbd_get16(const uint8_t *p);
uint32_t nbd_get32(const uint8_t *p);
uint64_t nbd_get64(const uint8_t *p);

/** nbd_put_option_reply: REP_MAGIC, @opt, @type, len, @data */
void nbd_put_option_reply(GByteArray *b, uint32_t opt, uint32_t type,
                          const void *data, uint32_t len);
/** nbd_put_simple_reply: header only (read data follows separately) */
void nbd_put_simple_reply(GByteArray *b, uint32_t err, uint64_t cookie);
/** nbd_put_chunk_header: a structured reply chunk header */
void nbd_put_chunk_header(GByteArray *b, uint16_t flags, uint16_t type,
                          uint64_t cookie, uint32_t len);
/** nbd_put_error_chunk: NBD_REPLY_TYPE_ERROR with @msg, flag DONE */
void nbd_put_error_chunk(GByteArray *b, uint64_t cookie, uint32_t err,
                         const char *msg);

/*
 * NBDOptGo: the payload of NBD_OPT_GO / NBD_OPT_INFO.
 */
typedef struct NBDOptGo {
    char *name;
    uint16_t n_info;
    uint16_t info[16];      /* the first 16 requests (more ignored) */
} NBDOptGo;

/**
 * nbd_parse_opt_go: decode the payload of NBD_OPT_GO/INFO.
 * Returns: false if malformed (the reply is NBD_REP_ERR_INVALID).
 */
bool nbd_parse_opt_go(const uint8_t *data, uint32_t len, NBDOptGo *go);
void nbd_opt_go_clear(NBDOptGo *go);

/**
 * nbd_parse_meta_queries: decode LIST/SET_META_CONTEXT.
 * @name: export name (g_free); @queries: GPtrArray of char * (free it)
 */
bool nbd_parse_meta_queries(const uint8_t *data, uint32_t len, char **name,
                            GPtrArray **queries);

/*
 * The server (nbd/server.c): runs in the main loop (fd handlers, BQL
 * held), one state machine per client; requests go to the export's
 * BlockBackend asynchronously, at most NBD_MAX_INFLIGHT per client.
 * A protocol error closes only that client.
 */
typedef struct NBDServer NBDServer;
typedef struct NBDExport NBDExport;
typedef struct BlockBackend BlockBackend;
typedef struct BlockDriverState BlockDriverState;
typedef struct IOSocketAddress IOSocketAddress;

/* Called when an export is gone (QMP: BLOCK_EXPORT_DELETED) */
typedef void NBDExportDeletedFn(void *opaque, const char *id);

/**
 * nbd_server_new: a server without listener or exports.
 * @max_connections: 0 for no limit
 */
NBDServer *nbd_server_new(uint32_t max_connections,
                          NBDExportDeletedFn *deleted_cb, void *opaque);

/** nbd_server_listen: accept clients on @addr (inet or unix) */
bool nbd_server_listen(NBDServer *srv, const IOSocketAddress *addr,
                       Error **errp);

/** nbd_server_get_port: the bound TCP port (after port "0"), or -1 */
int nbd_server_get_port(NBDServer *srv);

/** nbd_server_add_client: serve a connected socket @fd (taken over) */
void nbd_server_add_client(NBDServer *srv, int fd);

/** nbd_server_client_count: connected clients */
unsigned nbd_server_client_count(NBDServer *srv);

/**
 * nbd_server_free: stop listening, disconnect every client and delete
 * every export (the deleted callback runs for each before returning).
 */
void nbd_server_free(NBDServer *srv);

/**
 * nbd_export_add: export the node @bs as @name.
 * @id: the export id (block-export-add) or NULL (= @name)
 * Takes its own BlockBackend on @bs.
 */
NBDExport *nbd_export_add(NBDServer *srv, const char *id, const char *name,
                          const char *description, BlockDriverState *bs,
                          bool writable, Error **errp);

/** nbd_export_find: export by name, or NULL */
NBDExport *nbd_export_find(NBDServer *srv, const char *name);
/** nbd_export_find_id: export by id, or NULL */
NBDExport *nbd_export_find_id(NBDServer *srv, const char *id);

/**
 * nbd_export_remove: delete export @name.
 * @hard: disconnect its clients; otherwise fail while any is connected
 */
bool nbd_export_remove(NBDServer *srv, NBDExport *exp, bool hard,
                       Error **errp);

/** nbd_export_name / nbd_export_id / nbd_export_node_name */
const char *nbd_export_name(NBDExport *exp);
const char *nbd_export_id(NBDExport *exp);
const char *nbd_export_node_name(NBDExport *exp);

/** nbd_server_exports: the exports (NBDExport *), in creation order */
GList *nbd_server_exports(NBDServer *srv);

/*
 * The process-wide server of QMP/HMP (nbd/nbd-qmp.c); BLOCK_EXPORT_DELETED
 * is emitted for every export removed.
 */
bool nbd_qmp_server_start(const IOSocketAddress *addr,
                          uint32_t max_connections, Error **errp);
bool nbd_qmp_server_stop(Error **errp);
/** nbd_qmp_server: the running server, or NULL */
NBDServer *nbd_qmp_server(void);
/**
 * nbd_qmp_export_add: export drive or node @device as @name (NULL: the
 * device name), with export id @id (NULL: the name).
 */
bool nbd_qmp_export_add(const char *id, const char *device,
                        const char *name, const char *description,
                        bool writable, Error **errp);
/** nbd_qmp_export_remove: by export name, or by id if @by_id */
bool nbd_qmp_export_remove(const char *name, bool by_id, bool hard,
                           Error **errp);

#endif
