/*
 * Character devices (chardevs): the backend side.
 *
 * A Chardev is a QOM object (abstract TYPE_CHARDEV) living in the tree as
 * /chardevs/LABEL.  Backends are subclasses ("chardev-socket",
 * "chardev-file", ...) that implement ChardevClass hooks:
 *
 *     frontend (device, monitor, net filter)
 *        |  qemu_chr_fe_write()            ^  can_read/read/event handlers
 *        v                                  |  (run in chr->gcontext)
 *     Chardev --- chr_write() ---> fd    qemu_chr_be_write()/be_event()
 *
 * Options: a backend is configured from a flat QDict ("ChardevOpts") whose
 * keys are the -chardev option names ("path", "host", "port", "server",
 * "wait", "reconnect", ...); values are strings (command line) or
 * JSON-typed (QMP chardev-add, converted by chardev/char-qmp.c).
 * qemu_chr_opt_*() read them with QEMU's rules.
 *
 * Threads: the frontend's handlers run in chr->gcontext (NULL: the main
 * loop, with the BQL held; an iothread's context: without the BQL).
 * qemu_chr_fe_write() may be called from any thread; writes are
 * serialized by chr_write_lock.
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "qapi/error.h"
#include "qom/object.h"
#include "qobject/qdict.h"

#define TYPE_CHARDEV "chardev"
#define TYPE_CHARDEV_NULL "chardev-null"
#define TYPE_CHARDEV_MUX "chardev-mux"
#define TYPE_CHARDEV_RINGBUF "chardev-ringbuf"
#define TYPE_CHARDEV_MEMORY "chardev-memory"
#define TYPE_CHARDEV_PTY "chardev-pty"
#define TYPE_CHARDEV_STDIO "chardev-stdio"
#define TYPE_CHARDEV_PIPE "chardev-pipe"
#define TYPE_CHARDEV_FILE "chardev-file"
#define TYPE_CHARDEV_SOCKET "chardev-socket"
#define TYPE_CHARDEV_FD "chardev-fd"

typedef enum QEMUChrEvent {
    CHR_EVENT_BREAK,            /* serial break char */
    CHR_EVENT_OPENED,           /* new connection established */
    CHR_EVENT_MUX_IN,           /* mux focus was set to this terminal */
    CHR_EVENT_MUX_OUT,          /* mux focus will move to another one */
    CHR_EVENT_CLOSED,           /* connection closed */
} QEMUChrEvent;

#define CHR_READ_BUF_LEN 4096

typedef struct CharBackend CharBackend;
typedef struct Chardev Chardev;
typedef struct ChardevClass ChardevClass;

struct Chardev {
    Object parent_obj;

    /* private: */
    GMutex chr_write_lock;
    CharBackend *be;            /* the frontend (NULL: none) */
    char *label;
    char *filename;             /* query-chardev's "filename" */
    int logfd;                  /* logfile=, or -1 */
    bool be_open;               /* backend connected (OPENED sent) */
    GMainContext *gcontext;     /* context of the frontend handlers */
};

OBJECT_DECLARE_TYPE(Chardev, ChardevClass, CHARDEV)

struct ChardevClass {
    ObjectClass parent_class;

    /* Not creatable with -chardev / chardev-add (e.g. mux). */
    bool internal;
    /* Supports qemu_chr_fe_set_handlers() with a non-NULL context. */
    bool supports_gcontext;

    /*
     * open: configure from @opts and start.  Set *@be_opened false if
     * the backend is not connected yet (it emits CHR_EVENT_OPENED later
     * itself); it defaults to true.
     */
    bool (*open)(Chardev *chr, QDict *opts, bool *be_opened, Error **errp);
    /*
     * chr_write: non-blocking write; returns the bytes written (possibly
     * fewer than @len) or -1 with errno (EAGAIN: try later).  Called with
     * chr_write_lock held.
     */
    int (*chr_write)(Chardev *chr, const uint8_t *buf, int len);
    /* fd to poll for POLLOUT when chr_write returns EAGAIN, or -1. */
    int (*chr_write_fd)(Chardev *chr);
    /* The frontend handlers or gcontext changed: re-create sources. */
    void (*chr_update_read_handler)(Chardev *chr);
    /* The frontend can take input again (qemu_chr_fe_accept_input). */
    void (*chr_accept_input)(Chardev *chr);
    /* Frontend opened/closed (qemu_chr_fe_set_open). */
    void (*chr_set_fe_open)(Chardev *chr, int fe_open);
    /* Drop the current connection (socket). */
    void (*chr_disconnect)(Chardev *chr);
    /* Nagle off (@on) for this and later connections (TCP sockets). */
    void (*chr_set_nodelay)(Chardev *chr, bool on);
    /* Deliver an event (mux overrides to broadcast). */
    void (*chr_be_event)(Chardev *chr, QEMUChrEvent event);
    /* Frontend attach/detach hooks (mux keeps several frontends). */
    bool (*chr_fe_attach)(Chardev *chr, CharBackend *b, Error **errp);
    void (*chr_fe_detach)(Chardev *chr, CharBackend *b);
    /* Block until connected (socket server wait=on); 0 or -1. */
    int (*chr_wait_connected)(Chardev *chr, Error **errp);
    /* A frontend set its handlers: give it the input focus (mux). */
    void (*chr_take_focus)(Chardev *chr, CharBackend *b);
    /* Has frontends other than chr->be (mux). */
    bool (*chr_is_busy)(Chardev *chr);
};

/* Backend-side API (for chardev implementations) */

/**
 * qemu_chr_be_can_write: how many bytes the frontend accepts now.
 */
int qemu_chr_be_can_write(Chardev *chr);

/**
 * qemu_chr_be_write: pass input to the frontend (dropped if none).
 * Call only after qemu_chr_be_can_write() allowed @len bytes.
 */
void qemu_chr_be_write(Chardev *chr, const uint8_t *buf, int len);

/**
 * qemu_chr_be_event: tell the frontend about @event.  OPENED and CLOSED
 * update be_open; a CLOSED without a preceding OPENED is not delivered.
 */
void qemu_chr_be_event(Chardev *chr, QEMUChrEvent event);

/* Updates the filename shown by query-chardev (takes a copy). */
void qemu_chr_set_filename(Chardev *chr, const char *filename);
/* query-chardev's filename (g_free() it). */
char *qemu_chr_get_filename(Chardev *chr);

/* Writes @len bytes, waiting while the backend is full; bytes or -1. */
int qemu_chr_write(Chardev *chr, const uint8_t *buf, int len,
                   bool write_all);

/* Options */

/* String option or NULL. */
const char *qemu_chr_opt_str(QDict *opts, const char *key);
/* Bool option (on/off/yes/no/true/false or JSON bool); @def if absent. */
bool qemu_chr_opt_bool(QDict *opts, const char *key, bool def,
                       bool *out, Error **errp);
/* Unsigned number option (decimal string or JSON number). */
bool qemu_chr_opt_uint(QDict *opts, const char *key, uint64_t def,
                       uint64_t *out, Error **errp);
/* "size" option: accepts k/M/G suffixes. */
bool qemu_chr_opt_size(QDict *opts, const char *key, uint64_t def,
                       uint64_t *out, Error **errp);

/* Creation and lookup */

/**
 * qemu_chr_new_from_qdict: create and open chardev @id from @opts.
 * @opts: flat options; "backend" selects the type ("socket", "file",
 *        ...), the rest are backend options ("id" is ignored)
 * @context: context for the backend's sources until a frontend sets one
 *           (NULL: main loop)
 *
 * Errors: "'foo' is not a valid char driver name", "Duplicate ID 'x' for
 * chardev", backend errors.  Returns the chardev (owned by /chardevs).
 */
Chardev *qemu_chr_new_from_qdict(const char *id, QDict *opts,
                                 GMainContext *context, Error **errp);

/**
 * qemu_chr_new_from_backend: create chardev @id from a QAPI
 * ChardevBackend (chardev-add; defined in chardev/char-qmp.c, emulator
 * only).  A socket server given by QMP does not wait for a client unless
 * "wait" is true.
 */
typedef struct ChardevBackend ChardevBackend;
Chardev *qemu_chr_new_from_backend(const char *id, ChardevBackend *backend,
                                   GMainContext *context, Error **errp);

/**
 * qemu_chr_new_from_opts: like qemu_chr_new_from_qdict() with the id
 * taken from @opts["id"], and -chardev's "Duplicate ID 'x' for chardev".
 */
Chardev *qemu_chr_new_from_opts(QDict *opts, GMainContext *context,
                                Error **errp);

/**
 * qemu_chr_new_from_opts_str: -chardev "backend,id=X,k=v,..." (QEMU's
 * option syntax; legacy short-form booleans "server,nowait" are accepted
 * with QEMU's deprecation warning).
 */
Chardev *qemu_chr_new_from_opts_str(const char *optstr, Error **errp);

/**
 * qemu_chr_parse_opts_str: parse a -chardev argument into a flat QDict
 * (with "backend" and "id").  NULL with @errp on syntax errors.
 */
QDict *qemu_chr_parse_opts_str(const char *optstr, Error **errp);

/**
 * qemu_chr_parse_compat: turn -serial/-monitor/-qmp shorthand
 * ("stdio", "null", "pty", "none", "mon:stdio", "file:PATH",
 * "pipe:PATH", "unix:PATH,server=on,wait=off", "tcp:H:P,server=on",
 * "chardev:ID") into -chardev options for chardev @label.  "none"
 * returns NULL without error.  Sets "mux" = "on" for "mon:" prefixes.
 */
QDict *qemu_chr_parse_compat(const char *label, const char *filename,
                             bool permit_mux_mon, Error **errp);

/**
 * qemu_chr_new: create chardev @label from a -serial style @filename;
 * "mon:" creates a mux chardev @label over "@label-base".  NULL for
 * "none" (and on error).  "chardev:ID" returns the existing ID.
 */
Chardev *qemu_chr_new(const char *label, const char *filename,
                      GMainContext *context, Error **errp);

/* Like qemu_chr_new(), allowing "mon:" (mux with the monitor). */
Chardev *qemu_chr_new_mux_mon(const char *label, const char *filename,
                              GMainContext *context, Error **errp);

/* The chardev with label @id, or NULL. */
Chardev *qemu_chr_find(const char *id);

/* /chardevs */
Object *get_chardevs_root(void);

/* True if a frontend is attached (chardev-remove refuses). */
bool qemu_chr_is_busy(Chardev *chr);

/**
 * qemu_chr_delete: remove chardev @id.  Errors: "Chardev 'x' not
 * found", "Chardev 'x' is busy".
 */
bool qemu_chr_delete(const char *id, Error **errp);

/* Blocks until a client connects (socket servers); 0 or -1. */
int qemu_chr_wait_connected(Chardev *chr, Error **errp);

/* True for socket chardevs (reconnectable, support an iothread context). */
bool qemu_chr_has_feature_gcontext(Chardev *chr);

/* Call @fn for each chardev in creation order. */
void qemu_chr_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque);

/*
 * Start-up ordering of mux chardevs (QEMU's): vl.c suspends before
 * creating chardevs and resumes once the machine (serial devices) and
 * monitors are attached; only then do the mux frontends get OPENED.
 * Without a suspend, muxes open at once.
 */
void qemu_chr_suspend_mux_open(void);
void qemu_chr_resume_mux_open(void);

/* Mux: called for C-a x (default: print "QEMU: Terminated" and exit). */
void qemu_chr_mux_set_exit_handler(void (*fn)(void));

/* Removes every chardev (at exit). */
void qemu_chr_cleanup(void);

/*
 * Ring buffers (QMP ringbuf-write / ringbuf-read).  Errors: "Device 'x'
 * not found", "x is not a ringbuf device", "size must be greater than
 * zero".  read returns up to @size bytes (NUL-terminated, *@len set);
 * g_free() it.
 */
bool qemu_chr_ringbuf_write(const char *device, const uint8_t *data,
                            size_t len, Error **errp);
uint8_t *qemu_chr_ringbuf_read(const char *device, int64_t size,
                               size_t *len, Error **errp);
/* Bytes currently stored. */
size_t qemu_chr_ringbuf_count(Chardev *chr);

/* The /dev/pts/N of a pty chardev (chardev-add's "pty"), else NULL. */
const char *qemu_chr_pty_name(Chardev *chr);

/* What "-chardev help" prints ("Available chardev backend types: ..."). */
char *qemu_chr_backends_help_text(void);

/* Text of HMP "info chardev": one "LABEL: filename=F" line each. */
char *qemu_chr_info_text(void);

#endif
