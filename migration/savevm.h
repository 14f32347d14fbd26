/*
 * The migration stream: sections of registered state (register.h).
 *
 *     be32 0x5145564d "QEVM"          \  header
 *     be32 3 (stream format version)  |  (qemu_savevm_state_header)
 *     u8 0x07 CONFIGURATION           |
 *        vmstate "configuration":     |
 *        be32 len, len bytes of the   |
 *        machine type, u8 0x00        /
 *     sections, each:
 *        u8 type: 0x01 START or 0x04 FULL
 *           be32 section_id, u8 len + idstr, be32 instance_id,
 *           be32 version_id, payload
 *        u8 type: 0x02 PART or 0x03 END
 *           be32 section_id, payload
 *        u8 0x7e FOOTER, be32 section_id
 *     u8 0x00 EOF
 *
 * A FULL payload is vmstate_save_state() of the device's description.
 * The stream format version (3) is separate from every section's
 * version; the COLO protocol carries its own version on top.  A device
 * state buffer (COLO) is just sections + EOF, without the header.
 *
 * Loading trusts nothing: strings are length-prefixed bytes (< 256),
 * every section must name a registered (idstr, instance) with a version
 * this build supports and end with the matching footer, and errors name
 * the section.  When a load fails, every device section already loaded
 * is restored to its state from before the load.
 */
#ifndef MIGRATION_SAVEVM_H
#define MIGRATION_SAVEVM_H

#include "migration/register.h"
#include "migration/qemu-file.h"

#define QEMU_VM_FILE_MAGIC           0x5145564d
#define QEMU_VM_FILE_VERSION         0x00000003

#define QEMU_VM_EOF                  0x00
#define QEMU_VM_SECTION_START        0x01
#define QEMU_VM_SECTION_PART         0x02
#define QEMU_VM_SECTION_END          0x03
#define QEMU_VM_SECTION_FULL         0x04
#define QEMU_VM_SUBSECTION           0x05
#define QEMU_VM_VMDESCRIPTION        0x06
#define QEMU_VM_CONFIGURATION        0x07
#define QEMU_VM_COMMAND              0x08
#define QEMU_VM_SECTION_FOOTER       0x7e

/* Most sections a stream may open (bounds the destination's id table). */
#define SAVEVM_MAX_SECTIONS          65536

/* ---- Source side, on an explicit registry ---- */

/* Magic, format version and configuration section. */
bool savevm_save_header(SaveVMRegistry *reg, QEMUFile *f, Error **errp);
/* START sections of the active live entries. */
bool savevm_save_setup(SaveVMRegistry *reg, QEMUFile *f, Error **errp);
/* One PART round; returns 1 when all live entries are done, 0 if more
 * remains, -1 with @errp on error. */
int savevm_save_iterate(SaveVMRegistry *reg, QEMUFile *f, Error **errp);
/* Sum of the live entries' state_pending(). */
uint64_t savevm_pending(SaveVMRegistry *reg);
/* END sections, then FULL sections of all devices, then EOF. */
bool savevm_save_complete(SaveVMRegistry *reg, QEMUFile *f, Error **errp);
/* FULL sections of all non-live entries, then EOF (device state only). */
bool savevm_save_full(SaveVMRegistry *reg, QEMUFile *f, Error **errp);
/* Calls every live entry's save_cleanup. */
void savevm_save_cleanup(SaveVMRegistry *reg);
/* Header, setup, iterate until done, complete: a whole stream. */
bool savevm_save_all(SaveVMRegistry *reg, QEMUFile *f, Error **errp);

/* ---- Destination side ---- */

/* Header (magic, version, configuration) then sections until EOF. */
bool savevm_load(SaveVMRegistry *reg, QEMUFile *f, Error **errp);
/* Sections until EOF, no header (device-state buffers). */
bool savevm_load_sections(SaveVMRegistry *reg, QEMUFile *f, Error **errp);

/* ---- The same on the default registry ---- */

bool qemu_savevm_state_header(QEMUFile *f, Error **errp);
bool qemu_savevm_state_setup(QEMUFile *f, Error **errp);
int qemu_savevm_state_iterate(QEMUFile *f, Error **errp);
bool qemu_savevm_state_complete_precopy(QEMUFile *f, Error **errp);
void qemu_savevm_state_cleanup(void);
uint64_t qemu_savevm_state_pending(void);
/* Device state of all registered non-live sections, then EOF. */
bool qemu_savevm_state_full(QEMUFile *f, Error **errp);
bool qemu_savevm_state(QEMUFile *f, Error **errp);
bool qemu_loadvm_state(QEMUFile *f, Error **errp);
bool qemu_loadvm_state_main(QEMUFile *f, Error **errp);

#endif
