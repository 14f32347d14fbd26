/* Event dicts: {"timestamp": {...}, "event": NAME} (data added later). */
#include "qemu/osdep.h"
#include "qapi/qmp-event.h"

QDict *qmp_event_build_dict(const char *event_name)
{
    QDict *dict = qdict_new();
    QDict *ts = qdict_new();
    gint64 now = g_get_real_time();

    qdict_put_int(ts, "seconds", now / G_USEC_PER_SEC);
    qdict_put_int(ts, "microseconds", now % G_USEC_PER_SEC);
    qdict_put(dict, "timestamp", ts);
    qdict_put_str(dict, "event", event_name);
    return dict;
}
