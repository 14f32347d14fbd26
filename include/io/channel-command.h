/*
 * QIOChannelCommand: a child process "/bin/sh -c CMD" whose stdin and
 * stdout are the channel (writes go to its stdin, reads come from its
 * stdout; stderr is inherited).  Closing the channel closes both pipes
 * and reaps the child, terminating it if it does not exit within a
 * second.  Shutting down the write side closes the child's stdin; any
 * other shutdown terminates the child's process group (SIGTERM).
 */
#ifndef IO_CHANNEL_COMMAND_H
#define IO_CHANNEL_COMMAND_H

#include "io/channel.h"

typedef struct QIOChannelCommand {
    QIOChannel parent;
    int writefd;        /* child's stdin */
    int readfd;         /* child's stdout */
    GPid pid;
    int exit_status;    /* waitpid() status once reaped, else -1 */
} QIOChannelCommand;

/* Spawns /bin/sh -c @command. */
QIOChannelCommand *qio_channel_command_new_spawn(const char *command,
                                                 Error **errp);

#endif
