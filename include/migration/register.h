/*
 * Registering state with the migration stream.
 *
 * Every migratable piece of the VM is one "section", identified on the
 * wire by (idstr, instance_id) and carrying its own version:
 *
 * - devices register a VMStateDescription (idstr = vmsd->name unless
 *   the caller names it, e.g. "0000:00:03.0/virtio-net"): their state
 *   is sent whole, in one QEMU_VM_SECTION_FULL section;
 * - RAM and other bulk state register SaveVMHandlers: a START section,
 *   any number of PART sections while the guest runs, and an END
 *   section once it is stopped ("live", "iterative").
 *
 * Registries are plain objects so that tests (and a process holding
 * two VMs' worth of state) can have several; devices use the default
 * one through vmstate_register().  Modify a registry with the BQL held,
 * never while a save or load on it is running.
 */
#ifndef MIGRATION_REGISTER_H
#define MIGRATION_REGISTER_H

#include "migration/vmstate.h"

typedef struct SaveVMRegistry SaveVMRegistry;

/**
 * SaveVMHandlers: callbacks of a section that is not (only) a
 * VMStateDescription.  Unused callbacks stay NULL.
 *
 * @save_state: write the whole state (FULL section, non-iterative)
 * @save_setup: write the START section's payload
 * @save_live_iterate: write one PART payload; returns 1 when everything
 *                     is sent for now, 0 if more remains, -errno on error
 * @save_live_complete_precopy: write the END payload (guest stopped)
 * @state_pending: bytes still to send (for convergence decisions)
 * @save_cleanup: after the save ends, successfully or not
 * @is_active: whether to take part in this migration at all
 * @load_setup: before the first section of this entry is loaded
 * @load_state: read one section's payload (any type) of @version_id
 * @load_cleanup: after the load ends, successfully or not
 */
typedef struct SaveVMHandlers {
    bool (*save_state)(QEMUFile *f, void *opaque, Error **errp);
    bool (*save_setup)(QEMUFile *f, void *opaque, Error **errp);
    int (*save_live_iterate)(QEMUFile *f, void *opaque);
    bool (*save_live_complete_precopy)(QEMUFile *f, void *opaque,
                                       Error **errp);
    uint64_t (*state_pending)(void *opaque);
    void (*save_cleanup)(void *opaque);
    bool (*is_active)(void *opaque);
    bool (*load_setup)(QEMUFile *f, void *opaque, Error **errp);
    bool (*load_state)(QEMUFile *f, void *opaque, int version_id,
                       Error **errp);
    void (*load_cleanup)(void *opaque);
} SaveVMHandlers;

/* A registry of its own (tests, a second VM); savevm_registry_free()s. */
SaveVMRegistry *savevm_registry_new(void);
void savevm_registry_free(SaveVMRegistry *reg);
/* The process-wide registry that vmstate_register() uses. */
SaveVMRegistry *savevm_registry_default(void);

/**
 * savevm_registry_set_machine: the machine type name sent in the
 * configuration section and required to match on load (NULL: no check).
 */
void savevm_registry_set_machine(SaveVMRegistry *reg, const char *name);

/**
 * savevm_register_vmstate: add a device section to @reg.
 * @idstr: section name; NULL means @vmsd->name
 * @instance_id: instance number or VMSTATE_INSTANCE_ID_ANY (next free
 *               number for this idstr)
 * Returns the instance id used, or -EEXIST if (idstr, instance_id) is
 * taken.
 */
int savevm_register_vmstate(SaveVMRegistry *reg, const char *idstr,
                            int instance_id, const VMStateDescription *vmsd,
                            void *opaque);

/**
 * savevm_register_live: add a handler-based section to @reg.
 * Returns the instance id used, or -EEXIST.
 */
int savevm_register_live(SaveVMRegistry *reg, const char *idstr,
                         int instance_id, int version_id,
                         const SaveVMHandlers *ops, void *opaque);

/* Remove every section of @reg whose vmsd (or idstr) and opaque match. */
void savevm_unregister_vmstate(SaveVMRegistry *reg,
                               const VMStateDescription *vmsd,
                               void *opaque);
void savevm_unregister(SaveVMRegistry *reg, const char *idstr,
                       void *opaque);

/* The same, on the default registry (what devices call). */
int vmstate_register(int instance_id, const VMStateDescription *vmsd,
                     void *opaque);
int vmstate_register_named(const char *idstr, int instance_id,
                           const VMStateDescription *vmsd, void *opaque);
void vmstate_unregister(const VMStateDescription *vmsd, void *opaque);
int register_savevm_live(const char *idstr, int instance_id,
                         int version_id, const SaveVMHandlers *ops,
                         void *opaque);
void unregister_savevm(const char *idstr, void *opaque);

#endif
