/*
 * VMState element type for a QEMUTimer *: be64 deadline in nanoseconds
 * on the timer's clock, or -1 when the timer is not pending.  Kept apart
 * from vmstate-types.c so that pure cores without timers need not link
 * the timer code.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "migration/vmstate.h"
#include "migration/qemu-file.h"

static bool get_timer(QEMUFile *f, void *pv, size_t size,
                      const VMStateField *field, Error **errp)
{
    QEMUTimer *t = *(QEMUTimer **)pv;
    int64_t expire = (int64_t)qemu_get_be64(f);

    if (qemu_file_get_error(f)) {
        return true;
    }
    if (!t) {
        error_setg(errp, "timer does not exist");
        return false;
    }
    if (expire == -1) {
        timer_del(t);
        return true;
    }
    if (expire < 0) {
        error_setg(errp, "invalid timer deadline %" PRId64, expire);
        return false;
    }
    timer_mod_ns(t, expire);
    return true;
}

static bool put_timer(QEMUFile *f, void *pv, size_t size,
                      const VMStateField *field, Error **errp)
{
    QEMUTimer *t = *(QEMUTimer **)pv;

    if (!t) {
        error_setg(errp, "timer does not exist");
        return false;
    }
    qemu_put_be64(f, (uint64_t)timer_expire_time_ns(t));
    return true;
}

const VMStateInfo vmstate_info_timer = {
    .name = "timer", .get = get_timer, .put = put_timer,
};
