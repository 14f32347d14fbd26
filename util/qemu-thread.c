/*
 * Thread helpers that are not inline (see include/qemu/thread.h).
 */
#include "qemu/osdep.h"
#include "qemu/thread.h"
#include <sys/syscall.h>

int qemu_get_thread_id(void)
{
    return syscall(SYS_gettid);
}
