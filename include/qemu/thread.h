/*
 * Thin thread helpers over GLib/pthreads.
 *
 * QemuMutex / QemuCond are GMutex / GCond; QemuThread wraps GThread and
 * names the thread (visible in /proc and gdb).  QemuEvent is a
 * manual-reset event; QemuSemaphore a counting semaphore.  All are plain
 * structs the caller embeds; *_init must run before use.
 */
#ifndef QEMU_THREAD_H
#define QEMU_THREAD_H

#include <pthread.h>

typedef GMutex QemuMutex;
typedef GCond QemuCond;

static inline void qemu_mutex_init(QemuMutex *m)
{
    g_mutex_init(m);
}

static inline void qemu_mutex_destroy(QemuMutex *m)
{
    g_mutex_clear(m);
}

static inline void qemu_mutex_lock(QemuMutex *m)
{
    g_mutex_lock(m);
}

static inline bool qemu_mutex_trylock(QemuMutex *m)
{
    return g_mutex_trylock(m);
}

static inline void qemu_mutex_unlock(QemuMutex *m)
{
    g_mutex_unlock(m);
}

static inline void qemu_cond_init(QemuCond *c)
{
    g_cond_init(c);
}

static inline void qemu_cond_destroy(QemuCond *c)
{
    g_cond_clear(c);
}

static inline void qemu_cond_wait(QemuCond *c, QemuMutex *m)
{
    g_cond_wait(c, m);
}

/* Returns false on timeout. */
static inline bool qemu_cond_timedwait(QemuCond *c, QemuMutex *m, int ms)
{
    return g_cond_wait_until(c, m, g_get_monotonic_time() + ms * 1000LL);
}

static inline void qemu_cond_signal(QemuCond *c)
{
    g_cond_signal(c);
}

static inline void qemu_cond_broadcast(QemuCond *c)
{
    g_cond_broadcast(c);
}

/* Scoped lock: WITH_QEMU_LOCK_GUARD(&m) { ... } */
#define QEMU_LOCK_GUARD_GLUE_(a, b) a##b
#define QEMU_LOCK_GUARD_GLUE(a, b) QEMU_LOCK_GUARD_GLUE_(a, b)
#define WITH_QEMU_LOCK_GUARD_(m, var) \
    for (g_autoptr(GMutexLocker) var = g_mutex_locker_new(m); \
         var; g_mutex_unlock(m), var = NULL)
#define WITH_QEMU_LOCK_GUARD(m) \
    WITH_QEMU_LOCK_GUARD_(m, QEMU_LOCK_GUARD_GLUE(qemu_lg_, __COUNTER__))
#define QEMU_LOCK_GUARD(m) \
    g_autoptr(GMutexLocker) QEMU_LOCK_GUARD_GLUE(qemu_lg_, __COUNTER__) \
        __attribute__((unused)) = g_mutex_locker_new(m)

typedef struct QemuThread {
    GThread *thread;
} QemuThread;

#define QEMU_THREAD_JOINABLE 0
#define QEMU_THREAD_DETACHED 1

/**
 * qemu_thread_create: start @start_routine(@arg) in a new named thread.
 * @mode: QEMU_THREAD_JOINABLE or QEMU_THREAD_DETACHED
 */
static inline void qemu_thread_create(QemuThread *t, const char *name,
                                      void *(*start_routine)(void *),
                                      void *arg, int mode)
{
    t->thread = g_thread_new(name, start_routine, arg);
    if (mode == QEMU_THREAD_DETACHED) {
        g_thread_unref(t->thread);
        t->thread = NULL;
    }
}

static inline void *qemu_thread_join(QemuThread *t)
{
    void *ret = g_thread_join(t->thread);

    t->thread = NULL;
    return ret;
}

/* Linux thread id of the caller (what query-iothreads reports). */
int qemu_get_thread_id(void);

/* Manual-reset event. */
typedef struct QemuEvent {
    GMutex lock;
    GCond cond;
    bool set;
} QemuEvent;

static inline void qemu_event_init(QemuEvent *ev, bool init)
{
    g_mutex_init(&ev->lock);
    g_cond_init(&ev->cond);
    ev->set = init;
}

static inline void qemu_event_destroy(QemuEvent *ev)
{
    g_mutex_clear(&ev->lock);
    g_cond_clear(&ev->cond);
}

static inline void qemu_event_set(QemuEvent *ev)
{
    g_mutex_lock(&ev->lock);
    ev->set = true;
    g_cond_broadcast(&ev->cond);
    g_mutex_unlock(&ev->lock);
}

static inline void qemu_event_reset(QemuEvent *ev)
{
    g_mutex_lock(&ev->lock);
    ev->set = false;
    g_mutex_unlock(&ev->lock);
}

static inline void qemu_event_wait(QemuEvent *ev)
{
    g_mutex_lock(&ev->lock);
    while (!ev->set) {
        g_cond_wait(&ev->cond, &ev->lock);
    }
    g_mutex_unlock(&ev->lock);
}

/* Counting semaphore. */
typedef struct QemuSemaphore {
    GMutex lock;
    GCond cond;
    unsigned count;
} QemuSemaphore;

static inline void qemu_sem_init(QemuSemaphore *s, unsigned init)
{
    g_mutex_init(&s->lock);
    g_cond_init(&s->cond);
    s->count = init;
}

static inline void qemu_sem_destroy(QemuSemaphore *s)
{
    g_mutex_clear(&s->lock);
    g_cond_clear(&s->cond);
}

static inline void qemu_sem_post(QemuSemaphore *s)
{
    g_mutex_lock(&s->lock);
    s->count++;
    g_cond_signal(&s->cond);
    g_mutex_unlock(&s->lock);
}

static inline void qemu_sem_wait(QemuSemaphore *s)
{
    g_mutex_lock(&s->lock);
    while (s->count == 0) {
        g_cond_wait(&s->cond, &s->lock);
    }
    s->count--;
    g_mutex_unlock(&s->lock);
}

/* Returns false on timeout. */
static inline bool qemu_sem_timedwait(QemuSemaphore *s, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000LL;
    bool ok = true;

    g_mutex_lock(&s->lock);
    while (s->count == 0 && ok) {
        ok = g_cond_wait_until(&s->cond, &s->lock, end);
    }
    if (s->count > 0) {
        s->count--;
        ok = true;
    }
    g_mutex_unlock(&s->lock);
    return ok;
}

#endif
