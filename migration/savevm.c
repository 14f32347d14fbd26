/*
 * The migration stream: writing and reading sections of registered
 * state.  The byte layout is drawn in migration/savevm.h.
 *
 * Loading keeps a snapshot (in memory, with the entry's own description)
 * of every device section before its first load; if the stream turns out
 * to be bad later on, the snapshots are loaded back in reverse order so
 * that a failed incoming migration or checkpoint leaves the devices as
 * they were.
 */
#include "qemu/osdep.h"
#include "migration/savevm.h"
#include "migration/savevm-entry.h"
#include "trace/trace-migration.h"

/* ---- Configuration section ---- */

typedef struct SaveConfig {
    uint32_t len;
    uint8_t *name;
} SaveConfig;

static const VMStateDescription vmstate_configuration = {
    .name = "configuration",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(len, SaveConfig),
        VMSTATE_VBUFFER_ALLOC_UINT32(name, SaveConfig, 0, NULL, len, 255),
        VMSTATE_END_OF_LIST()
    },
};

bool savevm_save_header(SaveVMRegistry *reg, QEMUFile *f, Error **errp)
{
    const char *machine = reg->machine ? reg->machine : "";
    SaveConfig conf = {
        .len = strlen(machine),
        .name = (uint8_t *)machine,
    };

    qemu_put_be32(f, QEMU_VM_FILE_MAGIC);
    qemu_put_be32(f, QEMU_VM_FILE_VERSION);
    qemu_put_byte(f, QEMU_VM_CONFIGURATION);
    return vmstate_save_state(f, &vmstate_configuration, &conf, errp);
}

static bool savevm_load_header(SaveVMRegistry *reg, QEMUFile *f,
                               Error **errp)
{
    uint32_t magic = qemu_get_be32(f);
    uint32_t version = qemu_get_be32(f);
    SaveConfig conf = { 0 };
    g_autofree char *name = NULL;
    bool ok;

    if (qemu_file_get_error(f)) {
        error_setg(errp, "Migration stream ended before its header");
        return false;
    }
    if (magic != QEMU_VM_FILE_MAGIC) {
        error_setg(errp, "Not a migration stream (magic 0x%08x)", magic);
        return false;
    }
    if (version != QEMU_VM_FILE_VERSION) {
        error_setg(errp, "Unsupported migration stream version %u "
                   "(expected %u)", version, QEMU_VM_FILE_VERSION);
        return false;
    }
    if (qemu_get_byte(f) != QEMU_VM_CONFIGURATION) {
        error_setg(errp, "Configuration section missing");
        return false;
    }
    ok = vmstate_load_state(f, &vmstate_configuration, &conf, 1, errp);
    name = g_strndup((char *)conf.name, conf.len);
    g_free(conf.name);
    if (!ok) {
        error_prepend(errp, "Failed to load the configuration section: ");
        return false;
    }
    if (reg->machine && strcmp(name, reg->machine)) {
        error_setg(errp, "Machine type received is '%s' and local is '%s'",
                   name, reg->machine);
        return false;
    }
    return true;
}

/* ---- Writing sections ---- */

static void savevm_put_section_header(QEMUFile *f, SaveStateEntry *se,
                                      uint8_t type)
{
    trace_savevm_section_save(se->idstr, se->instance_id, se->section_id,
                              type);
    qemu_put_byte(f, type);
    qemu_put_be32(f, se->section_id);
    if (type == QEMU_VM_SECTION_FULL || type == QEMU_VM_SECTION_START) {
        qemu_put_counted_string(f, se->idstr);
        qemu_put_be32(f, se->instance_id);
        qemu_put_be32(f, se->version_id);
    }
}

static void savevm_put_section_footer(QEMUFile *f, SaveStateEntry *se)
{
    qemu_put_byte(f, QEMU_VM_SECTION_FOOTER);
    qemu_put_be32(f, se->section_id);
}

static bool savevm_check_file(QEMUFile *f, SaveStateEntry *se,
                              Error **errp)
{
    int ret = qemu_file_get_error(f);

    if (ret) {
        error_setg_errno(errp, -ret, "Failed to write section '%s' "
                         "instance %u", se->idstr, se->instance_id);
        return false;
    }
    return true;
}

static bool savevm_entry_active(SaveStateEntry *se)
{
    return !se->ops || !se->ops->is_active || se->ops->is_active(se->opaque);
}

static bool savevm_save_one_full(SaveStateEntry *se, QEMUFile *f,
                                 Error **errp)
{
    bool ok;

    if (se->vmsd && !vmstate_section_needed(se->vmsd, se->opaque)) {
        return true;
    }
    savevm_put_section_header(f, se, QEMU_VM_SECTION_FULL);
    if (se->vmsd) {
        ok = vmstate_save_state(f, se->vmsd, se->opaque, errp);
    } else {
        ok = se->ops->save_state(f, se->opaque, errp);
    }
    if (!ok) {
        error_prepend(errp, "Failed to save section '%s' instance %u: ",
                      se->idstr, se->instance_id);
        return false;
    }
    savevm_put_section_footer(f, se);
    return savevm_check_file(f, se, errp);
}

static bool savevm_save_devices(SaveVMRegistry *reg, QEMUFile *f,
                                Error **errp)
{
    guint i;

    for (i = 0; i < reg->entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);

        if (savevm_entry_is_live(se) || !savevm_entry_active(se)) {
            continue;
        }
        if (!se->vmsd && (!se->ops || !se->ops->save_state)) {
            continue;
        }
        if (!savevm_save_one_full(se, f, errp)) {
            return false;
        }
    }
    qemu_put_byte(f, QEMU_VM_EOF);
    qemu_fflush(f);
    trace_savevm_state_done("devices", qemu_file_transferred(f));
    if (qemu_file_get_error(f)) {
        error_setg_errno(errp, -qemu_file_get_error(f),
                         "Failed to write the migration stream");
        return false;
    }
    return true;
}

bool savevm_save_full(SaveVMRegistry *reg, QEMUFile *f, Error **errp)
{
    return savevm_save_devices(reg, f, errp);
}

bool savevm_save_setup(SaveVMRegistry *reg, QEMUFile *f, Error **errp)
{
    guint i;

    for (i = 0; i < reg->entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);

        if (!savevm_entry_is_live(se) || !savevm_entry_active(se) ||
            !se->ops->save_setup) {
            continue;
        }
        savevm_put_section_header(f, se, QEMU_VM_SECTION_START);
        if (!se->ops->save_setup(f, se->opaque, errp)) {
            error_prepend(errp, "Failed to set up section '%s': ",
                          se->idstr);
            return false;
        }
        savevm_put_section_footer(f, se);
        if (!savevm_check_file(f, se, errp)) {
            return false;
        }
    }
    qemu_fflush(f);
    return true;
}

int savevm_save_iterate(SaveVMRegistry *reg, QEMUFile *f, Error **errp)
{
    int all_done = 1;
    guint i;

    for (i = 0; i < reg->entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);
        int ret;

        if (!savevm_entry_is_live(se) || !savevm_entry_active(se) ||
            !se->ops->save_live_iterate) {
            continue;
        }
        if (qemu_file_rate_limit(f)) {
            return 0;
        }
        savevm_put_section_header(f, se, QEMU_VM_SECTION_PART);
        ret = se->ops->save_live_iterate(f, se->opaque);
        savevm_put_section_footer(f, se);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to iterate section '%s'",
                             se->idstr);
            return -1;
        }
        if (!savevm_check_file(f, se, errp)) {
            return -1;
        }
        if (ret == 0) {
            all_done = 0;
        }
    }
    return all_done;
}

uint64_t savevm_pending(SaveVMRegistry *reg)
{
    uint64_t total = 0;
    guint i;

    for (i = 0; i < reg->entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);

        if (savevm_entry_is_live(se) && savevm_entry_active(se) &&
            se->ops->state_pending) {
            total += se->ops->state_pending(se->opaque);
        }
    }
    return total;
}

bool savevm_save_complete(SaveVMRegistry *reg, QEMUFile *f, Error **errp)
{
    guint i;

    for (i = 0; i < reg->entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);

        if (!savevm_entry_is_live(se) || !savevm_entry_active(se) ||
            !se->ops->save_live_complete_precopy) {
            continue;
        }
        savevm_put_section_header(f, se, QEMU_VM_SECTION_END);
        if (!se->ops->save_live_complete_precopy(f, se->opaque, errp)) {
            error_prepend(errp, "Failed to complete section '%s': ",
                          se->idstr);
            return false;
        }
        savevm_put_section_footer(f, se);
        if (!savevm_check_file(f, se, errp)) {
            return false;
        }
    }
    return savevm_save_devices(reg, f, errp);
}

void savevm_save_cleanup(SaveVMRegistry *reg)
{
    guint i;

    for (i = 0; i < reg->entries->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(reg->entries, i);

        if (se->ops && se->ops->save_cleanup) {
            se->ops->save_cleanup(se->opaque);
        }
    }
}

bool savevm_save_all(SaveVMRegistry *reg, QEMUFile *f, Error **errp)
{
    bool ok = savevm_save_header(reg, f, errp) &&
              savevm_save_setup(reg, f, errp);
    int ret = ok ? 0 : -1;

    while (ret == 0) {
        ret = savevm_save_iterate(reg, f, errp);
        qemu_file_reset_rate_limit(f);
    }
    ok = ret > 0 && savevm_save_complete(reg, f, errp);
    savevm_save_cleanup(reg);
    return ok;
}

/* ---- Reading sections ---- */

typedef struct LoadSnapshot {
    SaveStateEntry *se;
    uint8_t *data;
    size_t len;
} LoadSnapshot;

typedef struct LoadState {
    SaveVMRegistry *reg;
    QEMUFile *f;
    GHashTable *sections;       /* section_id -> SaveStateEntry * */
    GHashTable *versions;       /* section_id -> version from START */
    GHashTable *snapshotted;    /* SaveStateEntry * set */
    GArray *snapshots;          /* LoadSnapshot, in load order */
    GPtrArray *set_up;          /* entries whose load_setup ran */
    SaveStateEntry *last;       /* last section loaded (errors) */
} LoadState;

/* Saves @se's current device state so that a failed load can undo. */
static void savevm_snapshot(LoadState *ls, SaveStateEntry *se)
{
    LoadSnapshot snap = { .se = se };
    QEMUFile *buf;
    const uint8_t *data;

    if (!se->vmsd || g_hash_table_contains(ls->snapshotted, se)) {
        return;
    }
    g_hash_table_add(ls->snapshotted, se);
    buf = qemu_file_new_buffer_output(256, 0);
    if (vmstate_save_state(buf, se->vmsd, se->opaque, NULL)) {
        data = qemu_file_buffer_data(buf, &snap.len);
        snap.data = g_memdup2(data, snap.len);
        g_array_append_val(ls->snapshots, snap);
    }
    qemu_fclose(buf);
}

static void savevm_rollback(LoadState *ls)
{
    guint i = ls->snapshots->len;

    trace_loadvm_rollback(i);

    while (i--) {
        LoadSnapshot *snap = &g_array_index(ls->snapshots, LoadSnapshot, i);
        QEMUFile *buf = qemu_file_new_buffer_input(snap->data, snap->len);

        vmstate_load_state(buf, snap->se->vmsd, snap->se->opaque,
                           snap->se->vmsd->version_id, NULL);
        qemu_fclose(buf);
    }
}

static bool savevm_load_check(LoadState *ls, const char *what,
                              Error **errp)
{
    if (!qemu_file_get_error(ls->f)) {
        return true;
    }
    if (ls->last) {
        error_setg(errp, "Migration stream ended or failed in %s after "
                   "section '%s' instance %u", what, ls->last->idstr,
                   ls->last->instance_id);
    } else {
        error_setg(errp, "Migration stream ended or failed in %s before "
                   "the first section", what);
    }
    return false;
}

static bool savevm_load_footer(LoadState *ls, SaveStateEntry *se,
                               uint32_t section_id, Error **errp)
{
    uint8_t type = qemu_get_byte(ls->f);
    uint32_t id = qemu_get_be32(ls->f);

    if (qemu_file_get_error(ls->f) || type != QEMU_VM_SECTION_FOOTER ||
        id != section_id) {
        error_setg(errp, "Missing section footer for %s", se->idstr);
        return false;
    }
    return true;
}

static bool savevm_load_payload(LoadState *ls, SaveStateEntry *se,
                                int version_id, Error **errp)
{
    bool ok;

    if (se->vmsd) {
        savevm_snapshot(ls, se);
        ok = vmstate_load_state(ls->f, se->vmsd, se->opaque, version_id,
                                errp);
    } else if (se->ops && se->ops->load_state) {
        ok = se->ops->load_state(ls->f, se->opaque, version_id, errp);
    } else {
        error_setg(errp, "Section '%s' cannot be loaded", se->idstr);
        ok = false;
    }
    if (ok && qemu_file_get_error(ls->f)) {
        error_setg(errp, "Migration stream ended or failed in section "
                   "'%s'", se->idstr);
        ok = false;
    }
    if (!ok) {
        error_prepend(errp, "error while loading state for instance 0x%x "
                      "of device '%s': ", se->instance_id, se->idstr);
    }
    return ok;
}

static bool savevm_load_setup_once(LoadState *ls, SaveStateEntry *se,
                                   Error **errp)
{
    if (!se->ops || !se->ops->load_setup ||
        g_ptr_array_find(ls->set_up, se, NULL)) {
        return true;
    }
    g_ptr_array_add(ls->set_up, se);
    if (!se->ops->load_setup(ls->f, se->opaque, errp)) {
        error_prepend(errp, "Failed to set up loading of '%s': ",
                      se->idstr);
        return false;
    }
    return true;
}

/* QEMU_VM_SECTION_START / FULL */
static bool savevm_load_section_start(LoadState *ls, uint8_t type,
                                      Error **errp)
{
    uint32_t section_id = qemu_get_be32(ls->f);
    char idstr[256];
    uint32_t instance_id, version_id;
    SaveStateEntry *se;

    qemu_get_counted_string(ls->f, idstr);
    instance_id = qemu_get_be32(ls->f);
    version_id = qemu_get_be32(ls->f);
    if (!savevm_load_check(ls, "a section header", errp)) {
        return false;
    }
    trace_loadvm_section(idstr, instance_id, section_id, type);
    se = savevm_registry_find(ls->reg, idstr, instance_id);
    if (!se) {
        error_setg(errp, "Unknown savevm section or instance '%s' %u",
                   idstr, instance_id);
        error_append_hint(errp, "Make sure that your current VM setup "
                          "matches your saved VM setup, including any "
                          "hotplugged devices\n");
        return false;
    }
    if (version_id > (uint32_t)se->version_id) {
        error_setg(errp, "section '%s' version %u is newer than supported "
                   "%d", idstr, version_id, se->version_id);
        return false;
    }
    if (savevm_entry_is_live(se) != (type == QEMU_VM_SECTION_START)) {
        error_setg(errp, "Section '%s' has the wrong section type %u",
                   idstr, type);
        return false;
    }
    if (!g_hash_table_contains(ls->sections, GUINT_TO_POINTER(section_id))) {
        if (g_hash_table_size(ls->sections) >= SAVEVM_MAX_SECTIONS) {
            error_setg(errp, "Too many sections in the migration stream");
            return false;
        }
    }
    g_hash_table_insert(ls->sections, GUINT_TO_POINTER(section_id), se);
    g_hash_table_insert(ls->versions, GUINT_TO_POINTER(section_id),
                        GUINT_TO_POINTER(version_id));
    if (!savevm_load_setup_once(ls, se, errp) ||
        !savevm_load_payload(ls, se, version_id, errp) ||
        !savevm_load_footer(ls, se, section_id, errp)) {
        return false;
    }
    ls->last = se;
    return true;
}

/* QEMU_VM_SECTION_PART / END */
static bool savevm_load_section_part(LoadState *ls, Error **errp)
{
    uint32_t section_id = qemu_get_be32(ls->f);
    SaveStateEntry *se;
    int version_id;

    if (!savevm_load_check(ls, "a section header", errp)) {
        return false;
    }
    se = g_hash_table_lookup(ls->sections, GUINT_TO_POINTER(section_id));
    if (!se || !savevm_entry_is_live(se)) {
        error_setg(errp, "Unknown section id %u in the migration stream",
                   section_id);
        return false;
    }
    version_id = GPOINTER_TO_UINT(g_hash_table_lookup(
                     ls->versions, GUINT_TO_POINTER(section_id)));
    if (!savevm_load_payload(ls, se, version_id, errp) ||
        !savevm_load_footer(ls, se, section_id, errp)) {
        return false;
    }
    trace_loadvm_section_part(se->idstr, section_id);
    ls->last = se;
    return true;
}

static bool savevm_load_loop(LoadState *ls, Error **errp)
{
    for (;;) {
        uint8_t type = qemu_get_byte(ls->f);
        bool ok;

        if (!savevm_load_check(ls, "a section type", errp)) {
            return false;
        }
        switch (type) {
        case QEMU_VM_EOF:
            return true;
        case QEMU_VM_SECTION_START:
        case QEMU_VM_SECTION_FULL:
            ok = savevm_load_section_start(ls, type, errp);
            break;
        case QEMU_VM_SECTION_PART:
        case QEMU_VM_SECTION_END:
            ok = savevm_load_section_part(ls, errp);
            break;
        default:
            error_setg(errp, "Unknown savevm section type %u", type);
            ok = false;
            break;
        }
        if (!ok) {
            return false;
        }
    }
}

static bool savevm_load_common(SaveVMRegistry *reg, QEMUFile *f,
                               bool header, Error **errp)
{
    LoadState ls = {
        .reg = reg,
        .f = f,
        .sections = g_hash_table_new(NULL, NULL),
        .versions = g_hash_table_new(NULL, NULL),
        .snapshotted = g_hash_table_new(NULL, NULL),
        .snapshots = g_array_new(FALSE, FALSE, sizeof(LoadSnapshot)),
        .set_up = g_ptr_array_new(),
    };
    bool ok;
    guint i;

    ok = (!header || savevm_load_header(reg, f, errp)) &&
         savevm_load_loop(&ls, errp);
    if (ok) {
        trace_loadvm_done(qemu_file_transferred(f));
    } else {
        savevm_rollback(&ls);
    }
    for (i = 0; i < ls.set_up->len; i++) {
        SaveStateEntry *se = g_ptr_array_index(ls.set_up, i);

        if (se->ops->load_cleanup) {
            se->ops->load_cleanup(se->opaque);
        }
    }
    for (i = 0; i < ls.snapshots->len; i++) {
        g_free(g_array_index(ls.snapshots, LoadSnapshot, i).data);
    }
    g_array_free(ls.snapshots, TRUE);
    g_ptr_array_free(ls.set_up, TRUE);
    g_hash_table_destroy(ls.sections);
    g_hash_table_destroy(ls.versions);
    g_hash_table_destroy(ls.snapshotted);
    return ok;
}

bool savevm_load(SaveVMRegistry *reg, QEMUFile *f, Error **errp)
{
    return savevm_load_common(reg, f, true, errp);
}

bool savevm_load_sections(SaveVMRegistry *reg, QEMUFile *f, Error **errp)
{
    return savevm_load_common(reg, f, false, errp);
}

/* ---- Default registry ---- */

bool qemu_savevm_state_header(QEMUFile *f, Error **errp)
{
    return savevm_save_header(savevm_registry_default(), f, errp);
}

bool qemu_savevm_state_setup(QEMUFile *f, Error **errp)
{
    return savevm_save_setup(savevm_registry_default(), f, errp);
}

int qemu_savevm_state_iterate(QEMUFile *f, Error **errp)
{
    return savevm_save_iterate(savevm_registry_default(), f, errp);
}

bool qemu_savevm_state_complete_precopy(QEMUFile *f, Error **errp)
{
    return savevm_save_complete(savevm_registry_default(), f, errp);
}

void qemu_savevm_state_cleanup(void)
{
    savevm_save_cleanup(savevm_registry_default());
}

uint64_t qemu_savevm_state_pending(void)
{
    return savevm_pending(savevm_registry_default());
}

bool qemu_savevm_state_full(QEMUFile *f, Error **errp)
{
    return savevm_save_full(savevm_registry_default(), f, errp);
}

bool qemu_savevm_state(QEMUFile *f, Error **errp)
{
    return savevm_save_all(savevm_registry_default(), f, errp);
}

bool qemu_loadvm_state(QEMUFile *f, Error **errp)
{
    return savevm_load(savevm_registry_default(), f, errp);
}

bool qemu_loadvm_state_main(QEMUFile *f, Error **errp)
{
    return savevm_load_sections(savevm_registry_default(), f, errp);
}
