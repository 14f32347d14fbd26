/*
 * Internal to migration/savevm*.c: the registry's entries.
 */
#ifndef MIGRATION_SAVEVM_ENTRY_H
#define MIGRATION_SAVEVM_ENTRY_H

#include "migration/register.h"

typedef struct SaveStateEntry {
    char idstr[256];
    uint32_t instance_id;
    int version_id;
    uint32_t section_id;
    MigrationPriority priority;
    const VMStateDescription *vmsd;     /* device sections */
    const SaveVMHandlers *ops;          /* handler sections */
    void *opaque;
} SaveStateEntry;

struct SaveVMRegistry {
    GPtrArray *entries;         /* SaveStateEntry *, in save order */
    uint32_t next_section_id;
    char *machine;
};

/* True for START/PART/END entries (RAM...), false for FULL ones. */
static inline bool savevm_entry_is_live(const SaveStateEntry *se)
{
    return se->ops && (se->ops->save_setup || se->ops->load_setup ||
                       se->ops->save_live_iterate);
}

SaveStateEntry *savevm_registry_find(SaveVMRegistry *reg, const char *idstr,
                                     uint32_t instance_id);

#endif
