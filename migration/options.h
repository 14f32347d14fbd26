/*
 * Migration capabilities and parameters: storage, defaults, validation.
 *
 * A pure core over one MigrationOptions value (no globals, no locks):
 * migration.c owns the process-wide instance and decides when changes
 * are allowed (not while a migration runs); tests use their own.
 *
 *     caps[]    one bool per MigrationCapability, all false by default
 *     params    a MigrationParameters with every has_* set (the
 *               QEMU 7.2 defaults), block-bitmap-mapping only once set
 */
#ifndef MIGRATION_OPTIONS_H
#define MIGRATION_OPTIONS_H

#include "qapi/qapi-types-migration.h"

typedef struct MigrationOptions {
    bool caps[MIGRATION_CAPABILITY__MAX];
    MigrationParameters params;
} MigrationOptions;

/* Defaults of QEMU 7.2 (see docs/devel/migration.rst). */
void migration_options_init(MigrationOptions *o);
void migration_options_clear(MigrationOptions *o);

/* Whether this build implements @cap (others may only be set false). */
bool migration_capability_supported(MigrationCapability cap);

/**
 * migration_options_set_caps: validate the whole list first, then apply
 * it; nothing changes on error ("Migration capability 'xbzrle' is not
 * supported").
 */
bool migration_options_set_caps(MigrationOptions *o,
                                MigrationCapabilityStatusList *caps,
                                Error **errp);
MigrationCapabilityStatusList *
migration_options_query_caps(const MigrationOptions *o);

/**
 * migration_options_check_params: range checks with QEMU's messages
 * ("Parameter 'downtime_limit' expects an integer in the range of 0 to
 * 2000000 milliseconds").
 */
bool migration_options_check_params(const MigrateSetParameters *p,
                                    Error **errp);
/* Checks then applies the members present in @p. */
bool migration_options_set_params(MigrationOptions *o,
                                  const MigrateSetParameters *p,
                                  Error **errp);
/* A deep copy of the current parameters (qapi_free_MigrationParameters). */
MigrationParameters *migration_options_query_params(const MigrationOptions *o);

#endif
