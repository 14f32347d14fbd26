/*
 * VMState round-trip helpers for unit tests (see vmstate-test-util.h).
 */
#include "qemu/osdep.h"
#include "migration/qemu-file.h"
#include "vmstate-test-util.h"

uint8_t *vmstate_test_save_unchecked(const VMStateDescription *vmsd,
                                     void *opaque, size_t *len,
                                     Error **errp)
{
    QEMUFile *f = qemu_file_new_buffer_output(4096, 0);
    const uint8_t *data;
    uint8_t *copy = NULL;

    if (vmstate_save_state(f, vmsd, opaque, errp)) {
        data = qemu_file_buffer_data(f, len);
        copy = g_memdup2(data, *len);
    }
    qemu_fclose(f);
    return copy;
}

uint8_t *vmstate_test_save(const VMStateDescription *vmsd, void *opaque,
                           size_t *len)
{
    return vmstate_test_save_unchecked(vmsd, opaque, len, &error_abort);
}

bool vmstate_test_load(const VMStateDescription *vmsd, void *opaque,
                       const uint8_t *data, size_t len, int version_id,
                       Error **errp)
{
    QEMUFile *f = qemu_file_new_buffer_input(data, len);
    bool ok = vmstate_load_state(f, vmsd, opaque, version_id, errp);

    if (ok && !qemu_file_at_eof(f)) {
        error_setg(errp, "'%s': %" PRIu64 " of %zu bytes consumed",
                   vmsd->name, qemu_file_transferred(f), len);
        ok = false;
    }
    qemu_fclose(f);
    return ok;
}

size_t vmstate_test_roundtrip(const VMStateDescription *vmsd, void *src,
                              void *dst)
{
    size_t len1, len2;
    g_autofree uint8_t *s1 = vmstate_test_save(vmsd, src, &len1);
    g_autofree uint8_t *s2 = NULL;

    vmstate_check_description(vmsd, &error_abort);
    vmstate_test_load(vmsd, dst, s1, len1, vmsd->version_id, &error_abort);
    s2 = vmstate_test_save(vmsd, dst, &len2);
    g_assert_cmpmem(s1, len1, s2, len2);
    return len1;
}
