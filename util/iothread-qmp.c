/*
 * QMP query-iothreads (the HMP text is iothread_info_text()).
 */
#include "qemu/osdep.h"
#include "qapi/util.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands-machine.h"
#include "system/iothread.h"

static void query_one(IOThread *iot, void *opaque)
{
    IOThreadInfoList ***tail = opaque;
    IOThreadInfo *info = g_new0(IOThreadInfo, 1);

    info->id = g_strdup(iothread_get_id(iot));
    info->thread_id = iothread_get_thread_id(iot);
    info->poll_max_ns = iot->poll_max_ns;
    info->poll_grow = iot->poll_grow;
    info->poll_shrink = iot->poll_shrink;
    info->aio_max_batch = iot->aio_max_batch;
    QAPI_LIST_APPEND(*tail, info);
}

IOThreadInfoList *qmp_query_iothreads(Error **errp)
{
    IOThreadInfoList *head = NULL;
    IOThreadInfoList **tail = &head;

    /* iothread_foreach() already yields QEMU's order (newest first). */
    iothread_foreach(query_one, &tail);
    return head;
}
QMP_COMMAND_IMPLEMENTED(query_iothreads);
