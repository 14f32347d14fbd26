/*
 * The section registry (include/migration/register.h): who takes part
 * in the migration stream, under which (idstr, instance_id) and in which
 * order (priority, then registration order).
 */
#include "qemu/osdep.h"
#include "migration/savevm-entry.h"

SaveVMRegistry *savevm_registry_new(void)
{
    SaveVMRegistry *reg = g_new0(SaveVMRegistry, 1);

    reg->entries = g_ptr_array_new_with_free_func(g_free);
    return reg;
}

void savevm_registry_free(SaveVMRegistry *reg)
{
    if (!reg) {
        return;
    }
    g_ptr_array_free(reg->entries, TRUE);
    g_free(reg->machine);
    g_free(reg);
}

SaveVMRegistry *savevm_registry_default(void)
{
    static SaveVMRegistry *def;

    if (g_once_init_enter(&def)) {
        g_once_init_leave(&def, savevm_registry_new());
    }
    return def;
}

void savevm_registry_set_machine(SaveVMRegistry *reg, const char *name)
{
    g_free(reg->machine);
    reg->machine = g_strdup(name);
}

SaveStateEntry *savevm_registry_find(SaveVMRegistry *reg, const char *idstr,
                                     uint32_t instance_id)
{
    guint i;

    for (i = 0; i < reg->entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);

        if (se->instance_id == instance_id && !strcmp(se->idstr, idstr)) {
            return se;
        }
    }
    return NULL;
}

static int savevm_next_instance_id(SaveVMRegistry *reg, const char *idstr)
{
    int next = 0;
    guint i;

    for (i = 0; i < reg->entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);

        if (!strcmp(se->idstr, idstr) && (int)se->instance_id >= next) {
            next = se->instance_id + 1;
        }
    }
    return next;
}

/* Inserts @se after every entry of the same or higher priority. */
static void savevm_insert(SaveVMRegistry *reg, SaveStateEntry *se)
{
    guint i;

    for (i = 0; i < reg->entries->len; i++) {
        SaveStateEntry *other = g_ptr_array_index(reg->entries, i);

        if (other->priority < se->priority) {
            break;
        }
    }
    g_ptr_array_insert(reg->entries, i, se);
}

static int savevm_add(SaveVMRegistry *reg, const char *idstr,
                      int instance_id, int version_id,
                      const VMStateDescription *vmsd,
                      const SaveVMHandlers *ops, void *opaque)
{
    SaveStateEntry *se;

    assert(idstr && strlen(idstr) < sizeof(se->idstr));
    if (instance_id == VMSTATE_INSTANCE_ID_ANY) {
        instance_id = savevm_next_instance_id(reg, idstr);
    }
    assert(instance_id >= 0);
    if (savevm_registry_find(reg, idstr, instance_id)) {
        return -EEXIST;
    }
    se = g_new0(SaveStateEntry, 1);
    g_strlcpy(se->idstr, idstr, sizeof(se->idstr));
    se->instance_id = instance_id;
    se->version_id = version_id;
    se->section_id = reg->next_section_id++;
    se->priority = vmsd ? vmsd->priority : MIG_PRI_DEFAULT;
    se->vmsd = vmsd;
    se->ops = ops;
    se->opaque = opaque;
    savevm_insert(reg, se);
    return instance_id;
}

int savevm_register_vmstate(SaveVMRegistry *reg, const char *idstr,
                            int instance_id, const VMStateDescription *vmsd,
                            void *opaque)
{
    vmstate_check_description(vmsd, &error_abort);
    return savevm_add(reg, idstr ? idstr : vmsd->name, instance_id,
                      vmsd->version_id, vmsd, NULL, opaque);
}

int savevm_register_live(SaveVMRegistry *reg, const char *idstr,
                         int instance_id, int version_id,
                         const SaveVMHandlers *ops, void *opaque)
{
    return savevm_add(reg, idstr, instance_id, version_id, NULL, ops,
                      opaque);
}

void savevm_unregister_vmstate(SaveVMRegistry *reg,
                               const VMStateDescription *vmsd,
                               void *opaque)
{
    guint i = 0;

    while (i < reg->entries->len) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);

        if (se->vmsd == vmsd && se->opaque == opaque) {
            g_ptr_array_remove_index(reg->entries, i);
        } else {
            i++;
        }
    }
}

void savevm_unregister(SaveVMRegistry *reg, const char *idstr, void *opaque)
{
    guint i = 0;

    while (i < reg->entries->len) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);

        if (!strcmp(se->idstr, idstr) && se->opaque == opaque) {
            g_ptr_array_remove_index(reg->entries, i);
        } else {
            i++;
        }
    }
}

int vmstate_register(int instance_id, const VMStateDescription *vmsd,
                     void *opaque)
{
    return savevm_register_vmstate(savevm_registry_default(), NULL,
                                   instance_id, vmsd, opaque);
}

int vmstate_register_named(const char *idstr, int instance_id,
                           const VMStateDescription *vmsd, void *opaque)
{
    return savevm_register_vmstate(savevm_registry_default(), idstr,
                                   instance_id, vmsd, opaque);
}

void vmstate_unregister(const VMStateDescription *vmsd, void *opaque)
{
    savevm_unregister_vmstate(savevm_registry_default(), vmsd, opaque);
}

int register_savevm_live(const char *idstr, int instance_id,
                         int version_id, const SaveVMHandlers *ops,
                         void *opaque)
{
    return savevm_register_live(savevm_registry_default(), idstr,
                                instance_id, version_id, ops, opaque);
}

void unregister_savevm(const char *idstr, void *opaque)
{
    savevm_unregister(savevm_registry_default(), idstr, opaque);
}
