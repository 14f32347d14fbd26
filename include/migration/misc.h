/*
 * Migration entry points for other subsystems.
 */
#ifndef MIGRATION_MISC_H
#define MIGRATION_MISC_H

#include "qapi/error.h"

/**
 * MigrationFdResolver: turns the NAME of a "fd:NAME" URI into an owned
 * file descriptor (the monitor's getfd table), or -1 with @errp.
 */
typedef int (*MigrationFdResolver)(const char *name, Error **errp);

/*
 * Installs the resolver used for non-numeric fd: names (the monitor does
 * this at start-up).  Numeric names are always taken as fd numbers.
 */
void migration_set_fd_resolver(MigrationFdResolver resolver);

#endif
