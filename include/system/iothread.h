/*
 * iothreads (-object iothread,id=X): each runs its own GMainContext in
 * its own thread.  Code that wants work off the main loop (colo-compare,
 * net filters) attaches its sources, BHs (aio_bh_new) and timers
 * (timer_new_ctx) to iothread_get_g_main_context(); those callbacks run
 * in the iothread without the BQL.
 *
 * Properties (QEMU 7.2 names and defaults; accepted and reported, the
 * polling/batching they tune in QEMU has no equivalent here):
 *   poll-max-ns 32768, poll-grow 0, poll-shrink 0, aio-max-batch 0,
 *   thread-pool-min 0, thread-pool-max 64.
 *
 * object-del of an iothread stops its thread: the loop is told to stop
 * through a BH and joined.
 */
#ifndef SYSTEM_IOTHREAD_H
#define SYSTEM_IOTHREAD_H

#include "qom/object.h"
#include "qemu/thread.h"

#define TYPE_IOTHREAD "iothread"

typedef struct IOThread {
    Object parent_obj;

    /* private: */
    GMainContext *ctx;
    QemuThread thread;
    QemuSemaphore init_done;
    bool running;
    volatile bool stopping;
    int thread_id;
    int64_t poll_max_ns;
    int64_t poll_grow;
    int64_t poll_shrink;
    int64_t aio_max_batch;
    int64_t thread_pool_min;
    int64_t thread_pool_max;
} IOThread;

#define IOTHREAD(obj) OBJECT_CHECK(IOThread, (obj), TYPE_IOTHREAD)

/* /objects/@id if it is an iothread, else NULL. */
IOThread *iothread_by_id(const char *id);

/* The context the iothread runs (valid after the object completed). */
GMainContext *iothread_get_g_main_context(IOThread *iothread);

/* Its id (the /objects child name). */
const char *iothread_get_id(IOThread *iothread);

/* Linux thread id of the iothread (query-iothreads "thread-id"). */
int iothread_get_thread_id(IOThread *iothread);

/* True when called from @iothread's thread. */
bool iothread_is_current(IOThread *iothread);

/* Calls @fn for each iothread, newest first (QEMU's list order). */
void iothread_foreach(void (*fn)(IOThread *iothread, void *opaque),
                      void *opaque);

/* HMP "info iothreads" text, QEMU's format. g_free() it. */
char *iothread_info_text(void);

#endif
