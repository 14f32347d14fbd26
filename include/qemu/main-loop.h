/*
 * The main loop, the big lock (BQL) and bottom halves.
 *
 * Threads and contexts:
 *
 *   main loop thread  -- runs main_loop_wait() on GLib's default
 *                        GMainContext.  It holds the BQL while it
 *                        dispatches (fd handlers, timers, BHs, chardev
 *                        watches) and drops it while it polls.
 *   iothreads         -- each runs its own GMainContext without the BQL
 *                        (include/system/iothread.h).
 *   other threads     -- vCPU, migration/COLO: take the BQL explicitly
 *                        around device and machine state.
 *
 * BQL rules: ownership is per thread and explicit.  bql_lock() while
 * already holding it, or bql_unlock() without holding it, is a bug and
 * asserts.  A thread that waits (condition variable, another thread's
 * work) must drop the BQL first; run_on_main_loop_sync() does that.
 *
 * Each GMainContext used through this API gets one "event source" that
 * carries its bottom halves and timers (util/main-loop.c and
 * util/qemu-timer.c); the timers use a timerfd so they fire with
 * microsecond precision although GLib's poll timeout is in ms.
 */
#ifndef QEMU_MAIN_LOOP_H
#define QEMU_MAIN_LOOP_H

#include "qapi/error.h"

/**
 * qemu_init_main_loop: set up the main loop on the default GMainContext.
 * @errp: error object
 *
 * Records the calling thread as the main loop thread and ignores SIGPIPE
 * (a vanished peer makes writes fail with EPIPE instead of killing the
 * process).  Does not take the BQL: the caller does (bql_lock()) before
 * building the machine.  Idempotent.
 *
 * Returns: true on success.
 */
bool qemu_init_main_loop(Error **errp);

/**
 * main_loop_wait: run one iteration of the main loop.
 * @nonblocking: poll without waiting
 *
 * Polls every source of the default GMainContext, dropping the BQL while
 * it polls, then dispatches ready sources with the BQL held.  The caller
 * normally holds the BQL; if it does not, the BQL is taken only for the
 * dispatch and dropped again before returning.
 *
 * Returns: true if some source was dispatched.
 */
bool main_loop_wait(bool nonblocking);

/**
 * qemu_in_main_thread: true if the caller is the main loop thread.
 */
bool qemu_in_main_thread(void);

/**
 * qemu_notify_event: wake up the main loop from any thread.
 */
void qemu_notify_event(void);

/* fd handlers */
typedef void IOHandler(void *opaque);

/**
 * qemu_set_fd_handler: watch @fd in the main loop.
 * @fd: file descriptor
 * @fd_read: called (BQL held) when @fd is readable or hung up; NULL: none
 * @fd_write: called (BQL held) when @fd is writable; NULL: none
 * @opaque: passed to the handlers
 *
 * Replaces any earlier handlers of @fd; both NULL removes the watch.
 * Call from the main loop thread (or with the BQL held).
 */
void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque);

/**
 * aio_set_fd_handler: like qemu_set_fd_handler() for another context.
 * @ctx: context (NULL: the main loop's); its handlers run in the
 *       context's thread, without the BQL for iothread contexts
 *
 * Call from the thread that runs @ctx (or before it runs).
 */
void aio_set_fd_handler(GMainContext *ctx, int fd, IOHandler *fd_read,
                        IOHandler *fd_write, void *opaque);

/* The big lock */

/**
 * bql_lock: take the big lock.  Asserts that the caller does not hold it.
 */
#define bql_lock() bql_lock_impl(__FILE__, __LINE__)
void bql_lock_impl(const char *file, int line);

/**
 * bql_unlock: release the big lock.  Asserts that the caller holds it.
 */
void bql_unlock(void);

/**
 * bql_locked: true if the calling thread holds the big lock.
 */
bool bql_locked(void);

/**
 * bql_cond_wait: wait on @cond, releasing the BQL while waiting.
 *
 * The caller holds the BQL and holds it again on return.  This is the
 * only way to wait on a condition tied to the BQL; it makes the drop
 * visible at the call site.
 */
void bql_cond_wait(GCond *cond);

/**
 * bql_cond_wait_until: bql_cond_wait() with a deadline.
 * @end_time: absolute g_get_monotonic_time() deadline (microseconds)
 *
 * Returns: false on timeout.
 */
bool bql_cond_wait_until(GCond *cond, gint64 end_time);

/*
 * Scoped BQL: BQL_LOCK_GUARD() takes the BQL until the end of the
 * enclosing scope, unless the caller already holds it (then it does
 * nothing).  WITH_BQL_LOCK() { ... } does the same for one block.
 */
typedef struct BQLGuard BQLGuard;
BQLGuard *bql_guard_take(const char *file, int line);
void bql_guard_release(BQLGuard *guard);
void bql_guard_cleanup(BQLGuard **guard);

#define BQL_GLUE_(a, b) a##b
#define BQL_GLUE(a, b) BQL_GLUE_(a, b)

#define BQL_LOCK_GUARD() \
    BQLGuard *BQL_GLUE(bql_guard_, __COUNTER__) \
        __attribute__((cleanup(bql_guard_cleanup), unused)) = \
        bql_guard_take(__FILE__, __LINE__)

#define WITH_BQL_LOCK_(var) \
    for (BQLGuard *var __attribute__((cleanup(bql_guard_cleanup))) = \
             bql_guard_take(__FILE__, __LINE__); \
         var; \
         bql_guard_release(var), var = NULL)
#define WITH_BQL_LOCK() WITH_BQL_LOCK_(BQL_GLUE(bql_with_, __COUNTER__))

/* Bottom halves */

typedef struct QEMUBH QEMUBH;
typedef void QEMUBHFunc(void *opaque);

/**
 * qemu_bh_new: create a bottom half that runs in the main loop.
 * @cb: callback, run in the main loop thread with the BQL held
 * @opaque: argument of @cb
 */
QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque);

/**
 * aio_bh_new: create a bottom half that runs in @ctx.
 * @ctx: context (NULL or the default context: same as qemu_bh_new());
 *       in an iothread context @cb runs without the BQL
 */
QEMUBH *aio_bh_new(GMainContext *ctx, QEMUBHFunc *cb, void *opaque);

/**
 * qemu_bh_schedule: run @bh once at the next iteration of its context.
 *
 * Callable from any thread; scheduling an already scheduled BH does
 * nothing.  A BH may reschedule itself from its callback.
 */
void qemu_bh_schedule(QEMUBH *bh);

/**
 * qemu_bh_cancel: unschedule @bh (no effect if it is already running).
 */
void qemu_bh_cancel(QEMUBH *bh);

/**
 * qemu_bh_delete: cancel and free @bh.
 *
 * Call from the thread of its context (its own callback may delete it).
 */
void qemu_bh_delete(QEMUBH *bh);

/**
 * aio_bh_schedule_oneshot: run @cb(@opaque) once in @ctx.
 * @ctx: context (NULL: main loop)
 *
 * Callable from any thread.
 */
void aio_bh_schedule_oneshot(GMainContext *ctx, QEMUBHFunc *cb,
                             void *opaque);

/**
 * run_on_main_loop_sync: run @fn(@opaque) under the BQL and wait for it.
 *
 * From the main loop thread, or from a thread already holding the BQL,
 * @fn runs at once.  Otherwise it runs in the main loop (BQL held) at its
 * next iteration and the caller waits; the caller must not hold the BQL
 * (it does not, by the first rule).
 */
void run_on_main_loop_sync(QEMUBHFunc *fn, void *opaque);

/**
 * qemu_get_aio_context: the main loop's GMainContext (GLib's default).
 */
GMainContext *qemu_get_aio_context(void);

/**
 * aio_context_detach: forget @ctx before it is freed.
 * @ctx: an iothread's context (not the main loop's)
 *
 * Destroys its BH, fd and timer sources.  BHs and timers created on @ctx
 * stay valid objects (schedule/mod become no-ops) until freed.  Call from
 * @ctx's owner after its thread stopped iterating.
 */
void aio_context_detach(GMainContext *ctx);

#endif
