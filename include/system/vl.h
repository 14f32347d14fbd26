/*
 * State owned by vl.c (the command line) that QMP/HMP commands read.
 */
#ifndef SYSTEM_VL_H
#define SYSTEM_VL_H

#include "qapi/qapi-types-machine.h"

const char *vl_get_name(void);          /* -name, or NULL */
const char *vl_get_uuid(void);          /* -uuid, all zeros by default */
bool vl_accel_is_kvm(void);
/* Whether an incoming migration starts the VM when it completes. */
void vl_set_autostart(bool on);
bool vl_get_autostart(void);
/* quit: emit SHUTDOWN now, exit the main loop after the reply. */
void vl_request_quit(void);
CpuInfoFastList *vl_query_cpus_fast(void);
HotpluggableCPUList *vl_query_hotpluggable_cpus(void);

#endif
