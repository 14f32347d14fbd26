/*
 * Clocks and timers.
 *
 * Clocks (all in nanoseconds):
 *   QEMU_CLOCK_REALTIME  host CLOCK_MONOTONIC; always runs.
 *   QEMU_CLOCK_VIRTUAL   guest time: CLOCK_MONOTONIC + offset while the VM
 *                        runs, frozen while it is stopped.  It starts
 *                        stopped at 0; the run-state code calls
 *                        qemu_clock_virtual_start()/stop().  Migration and
 *                        COLO carry it with qemu_clock_virtual_get_ns()/
 *                        qemu_clock_virtual_set_ns() (or the raw offset).
 *   QEMU_CLOCK_HOST      wall clock (CLOCK_REALTIME); may jump.
 *
 * Timers belong to one GMainContext's timer lists: timer_new_*() to the
 * main loop's (callbacks run in the main loop thread with the BQL held),
 * timer_new_ctx() to an iothread's (callbacks run in that thread without
 * the BQL).  Each context arms one timerfd for its earliest deadline, so
 * a timer fires within tens of microseconds of its deadline.  Virtual
 * clock timers do not fire while the clock is stopped and fire at once
 * when it starts again if their deadline has passed.
 *
 * timer_mod*() and timer_del() may be called from any thread (e.g. the
 * vCPU thread with the BQL held re-arming the LAPIC timer); the context
 * is woken up when its earliest deadline moves.  timer_free() must not
 * race with the timer's callback.
 */
#ifndef QEMU_TIMER_H
#define QEMU_TIMER_H

#define NANOSECONDS_PER_SECOND 1000000000LL

#define SCALE_MS 1000000
#define SCALE_US 1000
#define SCALE_NS 1

typedef enum QEMUClockType {
    QEMU_CLOCK_REALTIME = 0,
    QEMU_CLOCK_VIRTUAL = 1,
    QEMU_CLOCK_HOST = 2,
    QEMU_CLOCK_MAX
} QEMUClockType;

typedef struct QEMUTimer QEMUTimer;
typedef void QEMUTimerCB(void *opaque);

/**
 * qemu_clock_get_ns: current time of @type in nanoseconds.
 */
int64_t qemu_clock_get_ns(QEMUClockType type);

static inline int64_t qemu_clock_get_us(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_US;
}

static inline int64_t qemu_clock_get_ms(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_MS;
}

/* Host monotonic time in ns (same as QEMU_CLOCK_REALTIME). */
int64_t get_clock(void);
/* Host wall-clock time in ns (same as QEMU_CLOCK_HOST). */
int64_t get_clock_realtime(void);

/**
 * qemu_clock_virtual_stop: freeze QEMU_CLOCK_VIRTUAL (VM stopped).
 * Idempotent.
 */
void qemu_clock_virtual_stop(void);

/**
 * qemu_clock_virtual_start: let QEMU_CLOCK_VIRTUAL run again from the
 * value it was frozen at, and wake every context with virtual timers.
 * Idempotent.
 */
void qemu_clock_virtual_start(void);

/* True while QEMU_CLOCK_VIRTUAL runs. */
bool qemu_clock_virtual_running(void);

/**
 * qemu_clock_virtual_get_ns / qemu_clock_virtual_set_ns: read or set the
 * guest time.  Setting works stopped or running; timers are re-evaluated.
 * This is what the migration stream and COLO checkpoints carry.
 */
int64_t qemu_clock_virtual_get_ns(void);
void qemu_clock_virtual_set_ns(int64_t ns);

/**
 * qemu_clock_virtual_get_offset / set_offset: the raw offset
 * (virtual = host monotonic + offset while running).  Only meaningful
 * within one host; prefer get_ns/set_ns across hosts.
 */
int64_t qemu_clock_virtual_get_offset(void);
void qemu_clock_virtual_set_offset(int64_t offset);

/**
 * timer_new_ctx: create a timer in @ctx's timer lists.
 * @ctx: context (NULL: the main loop)
 * @type: clock
 * @scale: SCALE_NS, SCALE_US or SCALE_MS: unit of timer_mod()
 * @cb: callback; in the main loop it runs with the BQL held
 * @opaque: its argument
 *
 * The timer is created unarmed.
 */
QEMUTimer *timer_new_ctx(GMainContext *ctx, QEMUClockType type, int scale,
                         QEMUTimerCB *cb, void *opaque);

static inline QEMUTimer *timer_new(QEMUClockType type, int scale,
                                   QEMUTimerCB *cb, void *opaque)
{
    return timer_new_ctx(NULL, type, scale, cb, opaque);
}

static inline QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new_ctx(NULL, type, SCALE_NS, cb, opaque);
}

static inline QEMUTimer *timer_new_us(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new_ctx(NULL, type, SCALE_US, cb, opaque);
}

static inline QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new_ctx(NULL, type, SCALE_MS, cb, opaque);
}

/**
 * timer_mod_ns: arm @ts to fire when its clock reaches @expire_time ns
 * (absolute).  Replaces an earlier deadline.  Any thread.
 */
void timer_mod_ns(QEMUTimer *ts, int64_t expire_time);

/**
 * timer_mod: timer_mod_ns() with @expire_time in the timer's scale.
 */
void timer_mod(QEMUTimer *ts, int64_t expire_time);

/**
 * timer_mod_anticipate_ns / timer_mod_anticipate: like timer_mod*(), but
 * only if the timer is not pending or the new deadline is earlier.
 */
void timer_mod_anticipate_ns(QEMUTimer *ts, int64_t expire_time);
void timer_mod_anticipate(QEMUTimer *ts, int64_t expire_time);

/**
 * timer_del: disarm @ts (no effect if it is not pending).  Any thread.
 */
void timer_del(QEMUTimer *ts);

/**
 * timer_pending: true if @ts is armed and has not fired yet.
 */
bool timer_pending(QEMUTimer *ts);

/**
 * timer_expired: true if @ts is pending and its deadline <= @current_time
 * (in the timer's scale).
 */
bool timer_expired(QEMUTimer *ts, int64_t current_time);

/**
 * timer_expire_time_ns: deadline of @ts in ns, or -1 if not pending.
 */
int64_t timer_expire_time_ns(QEMUTimer *ts);

/**
 * timer_free: disarm and free @ts.  NULL is allowed.
 */
void timer_free(QEMUTimer *ts);

/**
 * qemu_soonest_timeout: the smaller of two timeouts where -1 = infinite.
 */
static inline int64_t qemu_soonest_timeout(int64_t t1, int64_t t2)
{
    return ((uint64_t)t1 < (uint64_t)t2) ? t1 : t2;
}

/* Internal: called by aio_context_detach(). */
void timerlist_detach_context(GMainContext *ctx);

#endif
