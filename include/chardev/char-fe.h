/*
 * Character devices: the frontend side (devices, monitors, net filters).
 *
 * A frontend embeds a CharBackend, binds it to a Chardev with
 * qemu_chr_fe_init() and installs its handlers with
 * qemu_chr_fe_set_handlers().  The handlers run in the context given
 * there (NULL: the main loop, BQL held).  A chardev has at most one
 * frontend, except a mux chardev (up to MAX_MUX frontends, one focused).
 */
#ifndef CHARDEV_CHAR_FE_H
#define CHARDEV_CHAR_FE_H

#include "chardev/char.h"

#define MAX_MUX 4

typedef int IOCanReadHandler(void *opaque);
typedef void IOReadHandler(void *opaque, const uint8_t *buf, int size);
typedef void IOEventHandler(void *opaque, QEMUChrEvent event);
/* The backend was replaced; return 0 to accept, -1 to refuse. */
typedef int BackendChangeHandler(void *opaque);

struct CharBackend {
    Chardev *chr;
    IOEventHandler *chr_event;
    IOCanReadHandler *chr_can_read;
    IOReadHandler *chr_read;
    BackendChangeHandler *chr_be_change;
    void *opaque;
    int tag;                    /* index in a mux, else 0 */
    int fe_open;
};

/**
 * qemu_chr_fe_init: bind @b to @s.
 * @s: the chardev (NULL: leave @b unbound; writes are then dropped)
 *
 * Fails with "Device 'LABEL' is in use" if @s already has a frontend
 * (or a mux has MAX_MUX).
 */
bool qemu_chr_fe_init(CharBackend *b, Chardev *s, Error **errp);

/**
 * qemu_chr_fe_deinit: unbind @b (removing its handlers); with @del also
 * delete the chardev.
 */
void qemu_chr_fe_deinit(CharBackend *b, bool del);

/**
 * qemu_chr_fe_set_handlers: install the frontend's handlers.
 * @context: where the handlers run (NULL: main loop)
 * @set_open: also call qemu_chr_fe_set_open(fe_open = handlers != NULL)
 *
 * If the backend is already connected, @fd_event gets CHR_EVENT_OPENED
 * right away.  All handlers NULL detaches the handlers.
 */
void qemu_chr_fe_set_handlers(CharBackend *b,
                              IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read,
                              IOEventHandler *fd_event,
                              BackendChangeHandler *be_change,
                              void *opaque,
                              GMainContext *context,
                              bool set_open);

/* The chardev bound to @be, or NULL. */
Chardev *qemu_chr_fe_get_driver(CharBackend *be);

/* True if @be is bound to a chardev. */
bool qemu_chr_fe_backend_connected(CharBackend *be);

/* True if the backend is open (e.g. a socket client is connected). */
bool qemu_chr_fe_backend_open(CharBackend *be);

/**
 * qemu_chr_fe_write: non-blocking write.
 *
 * Returns: bytes written (possibly fewer than @len, 0 if the backend is
 * full), or -1 with errno (EIO: not connected).  Unbound: returns @len.
 */
int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len);

/**
 * qemu_chr_fe_write_all: write all of @buf, waiting while the backend is
 * full.  Returns @len or -1 with errno if the connection failed.
 */
int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len);

/* printf to the frontend's chardev (write_all). */
void qemu_chr_fe_printf(CharBackend *be, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

typedef gboolean (*FEWatchFunc)(void *do_not_use, GIOCondition condition,
                                void *data);

/**
 * qemu_chr_fe_add_watch: call @func when the backend's output fd reports
 * @cond (e.g. G_IO_OUT | G_IO_HUP after a short qemu_chr_fe_write()).
 *
 * The watch runs in the frontend's context and stays while @func returns
 * G_SOURCE_CONTINUE.  Returns the GSource id (g_source_remove() it; for
 * an iothread context use g_main_context_find_source_by_id()), or 0 if
 * the backend has no fd (its writes never block: no watch needed).
 */
guint qemu_chr_fe_add_watch(CharBackend *be, GIOCondition cond,
                            FEWatchFunc func, void *user_data);

/* The frontend can take more input: re-poll the backend. */
void qemu_chr_fe_accept_input(CharBackend *be);

/* The frontend is (not) ready to talk; informs e.g. pty/socket. */
void qemu_chr_fe_set_open(CharBackend *be, int fe_open);

/* Mux: give @b the input focus. */
void qemu_chr_fe_take_focus(CharBackend *b);

/* Drop the current connection (socket chardevs). */
void qemu_chr_fe_disconnect(CharBackend *be);

/*
 * Socket chardevs over TCP: send small writes at once (TCP_NODELAY) on
 * the current and every later connection.  For frontends whose writes
 * are latency-bound messages, e.g. the COLO proxy's packet frames, which
 * Nagle's algorithm would otherwise hold back until the peer's delayed
 * ACK (up to 40 ms on Linux).  No-op for other backends.
 */
void qemu_chr_fe_set_nodelay(CharBackend *be, bool on);

/* Block until the backend is connected; 0 or -1. */
int qemu_chr_fe_wait_connected(CharBackend *be, Error **errp);

#endif
