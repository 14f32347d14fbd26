/*
 * Monitors: QMP and HMP sessions attached to character devices.
 *
 * A QMP monitor runs one QmpSession per connected client of its chardev
 * (socket clients come and go; each connection gets a fresh greeting and
 * negotiation state).  An HMP monitor runs a small line editor that echoes
 * like QEMU's readline and executes HMP commands.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "qapi/error.h"

typedef struct Monitor Monitor;
typedef struct Chardev Chardev;

/* -mon chardev=ID,mode=control|readline[,pretty=on] */
Monitor *monitor_new(Chardev *chr, bool qmp, bool pretty, Error **errp);
void monitor_cleanup_all(void);

/* Output to an HMP monitor ("\n" becomes "\r\n"). */
void monitor_printf(Monitor *mon, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void monitor_puts(Monitor *mon, const char *text);

/*
 * Runs one HMP command line and returns everything it printed (lines end
 * in "\r\n"), as human-monitor-command does.
 */
char *hmp_run_command_capture(const char *cmdline);

#endif
