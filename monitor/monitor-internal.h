/*
 * Monitor internals shared by monitor.c, hmp.c and the hmp-cmds files.
 */
#ifndef MONITOR_INTERNAL_H
#define MONITOR_INTERNAL_H

#include "monitor/monitor.h"

typedef struct HMPCommand HMPCommand;

struct HMPCommand {
    const char *name;        /* "name" or "name|alias" */
    const char *params;      /* shown by help, e.g. "capability state" */
    const char *help;
    int min_args;
    int max_args;
    bool rest_arg;           /* the last argument takes the rest of line */
    void (*cmd)(Monitor *mon, int argc, char **argv);
    const HMPCommand *sub_table;   /* "info" */
};

extern const HMPCommand hmp_cmds[];
extern const HMPCommand hmp_info_cmds[];

void hmp_handle_command(Monitor *mon, const char *line);
void hmp_help_cmd(Monitor *mon, const char *name);
/* Prints "Error: <message>" (and the hint) to @mon and frees @err. */
void hmp_handle_error(Monitor *mon, Error *err);
bool hmp_parse_on_off(Monitor *mon, const char *cmd, const char *s,
                      bool *out);

/* The monitor executing a command in this thread, if any. */
void monitor_set_current(Monitor *mon);
Monitor *monitor_current(void);

#endif
