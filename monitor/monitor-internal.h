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

/*
 * Subsystems add their own HMP commands (hmp-cmds-net.c, ...) with
 * NULL-terminated tables registered from a constructor:
 *
 *     static void hmp_net_init(void) __attribute__((constructor));
 *     static void hmp_net_init(void)
 *     {
 *         hmp_register_commands(hmp_net_cmds, hmp_net_info_cmds);
 *     }
 *
 * Either table may be NULL.  help lists every command sorted by name.
 */
void hmp_register_commands(const HMPCommand *cmds,
                           const HMPCommand *info_cmds);

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
