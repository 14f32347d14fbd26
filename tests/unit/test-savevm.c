/*
 * The migration stream: sections, configuration, live sections, errors
 * naming the section, rollback on a bad stream, fuzzing.
 */
#include "qemu/osdep.h"
#include "migration/savevm.h"

typedef struct FakeUart {
    uint8_t lcr;
    uint16_t divider;
    uint8_t fifo[16];
    bool irq;
} FakeUart;

static const VMStateDescription vmstate_fake_uart = {
    .name = "uart",
    .version_id = 3,
    .minimum_version_id = 2,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(lcr, FakeUart),
        VMSTATE_UINT16(divider, FakeUart),
        VMSTATE_UINT8_ARRAY(fifo, FakeUart, 16),
        VMSTATE_BOOL(irq, FakeUart),
        VMSTATE_END_OF_LIST()
    },
};

/* An older build of the UART that only knows version 2. */
static const VMStateDescription vmstate_fake_uart_v2 = {
    .name = "uart",
    .version_id = 2,
    .minimum_version_id = 2,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(lcr, FakeUart),
        VMSTATE_UINT16(divider, FakeUart),
        VMSTATE_UINT8_ARRAY(fifo, FakeUart, 16),
        VMSTATE_BOOL(irq, FakeUart),
        VMSTATE_END_OF_LIST()
    },
};

typedef struct FakePit {
    uint64_t counter[3];
    uint32_t mode;
} FakePit;

static const VMStateDescription vmstate_fake_pit = {
    .name = "pit",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT64_ARRAY(counter, FakePit, 3),
        VMSTATE_UINT32(mode, FakePit),
        VMSTATE_END_OF_LIST()
    },
};

typedef struct FakeIommu {
    uint32_t root;
} FakeIommu;

static const VMStateDescription vmstate_fake_iommu = {
    .name = "iommu",
    .version_id = 1,
    .minimum_version_id = 1,
    .priority = MIG_PRI_IOMMU,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(root, FakeIommu),
        VMSTATE_END_OF_LIST()
    },
};

/* A live section: "RAM" sent in 4 PART chunks, then an END marker. */
#define FAKE_RAM_CHUNKS 4
#define FAKE_RAM_CHUNK 1000

typedef struct FakeRam {
    uint8_t data[FAKE_RAM_CHUNKS * FAKE_RAM_CHUNK];
    int sent;
    int received;
    bool completed;
    bool set_up;
    bool cleaned_up;
} FakeRam;

static bool fake_ram_save_setup(QEMUFile *f, void *opaque, Error **errp)
{
    qemu_put_be32(f, FAKE_RAM_CHUNKS);
    return true;
}

static int fake_ram_iterate(QEMUFile *f, void *opaque)
{
    FakeRam *r = opaque;

    qemu_put_be32(f, r->sent);
    qemu_put_buffer(f, r->data + r->sent * FAKE_RAM_CHUNK, FAKE_RAM_CHUNK);
    r->sent++;
    return r->sent == FAKE_RAM_CHUNKS;
}

static bool fake_ram_complete(QEMUFile *f, void *opaque, Error **errp)
{
    qemu_put_be32(f, 0xffffffff);
    return true;
}

static bool fake_ram_load_setup(QEMUFile *f, void *opaque, Error **errp)
{
    ((FakeRam *)opaque)->set_up = true;
    return true;
}

static bool fake_ram_load(QEMUFile *f, void *opaque, int version_id,
                          Error **errp)
{
    FakeRam *r = opaque;
    uint32_t v = qemu_get_be32(f);

    if (v == 0xffffffff) {
        r->completed = true;
        return true;
    }
    if (r->received == 0 && v == FAKE_RAM_CHUNKS && !r->completed &&
        !r->set_up) {
        error_setg(errp, "setup did not run");
        return false;
    }
    if (v == FAKE_RAM_CHUNKS) {
        return true;            /* START payload: the chunk count */
    }
    if (v > FAKE_RAM_CHUNKS) {
        error_setg(errp, "bad chunk %u", v);
        return false;
    }
    qemu_get_buffer(f, r->data + v * FAKE_RAM_CHUNK, FAKE_RAM_CHUNK);
    r->received++;
    return true;
}

static void fake_ram_load_cleanup(void *opaque)
{
    ((FakeRam *)opaque)->cleaned_up = true;
}

static const SaveVMHandlers fake_ram_ops = {
    .save_setup = fake_ram_save_setup,
    .save_live_iterate = fake_ram_iterate,
    .save_live_complete_precopy = fake_ram_complete,
    .load_setup = fake_ram_load_setup,
    .load_state = fake_ram_load,
    .load_cleanup = fake_ram_load_cleanup,
};

typedef struct Machine {
    SaveVMRegistry *reg;
    FakeUart uart[2];
    FakePit pit;
    FakeIommu iommu;
    FakeRam ram;
} Machine;

static Machine *machine_new(const char *type, bool fill, bool with_ram)
{
    Machine *m = g_new0(Machine, 1);
    int i;

    m->reg = savevm_registry_new();
    savevm_registry_set_machine(m->reg, type);
    g_assert_cmpint(savevm_register_vmstate(m->reg, NULL,
                                            VMSTATE_INSTANCE_ID_ANY,
                                            &vmstate_fake_uart, &m->uart[0]),
                    ==, 0);
    g_assert_cmpint(savevm_register_vmstate(m->reg, NULL,
                                            VMSTATE_INSTANCE_ID_ANY,
                                            &vmstate_fake_uart, &m->uart[1]),
                    ==, 1);
    g_assert_cmpint(savevm_register_vmstate(m->reg, NULL, 0,
                                            &vmstate_fake_pit, &m->pit),
                    ==, 0);
    g_assert_cmpint(savevm_register_vmstate(m->reg, NULL, 0,
                                            &vmstate_fake_iommu, &m->iommu),
                    ==, 0);
    if (with_ram) {
        g_assert_cmpint(savevm_register_live(m->reg, "ram", 0, 4,
                                             &fake_ram_ops, &m->ram), ==, 0);
    }
    if (fill) {
        for (i = 0; i < 2; i++) {
            m->uart[i].lcr = 0x03 + i;
            m->uart[i].divider = 12 * (i + 1);
            memset(m->uart[i].fifo, 'a' + i, 16);
            m->uart[i].irq = i;
        }
        m->pit.counter[0] = 0x10000;
        m->pit.counter[2] = UINT64_MAX;
        m->pit.mode = 3;
        m->iommu.root = 0xfee00000;
        for (i = 0; i < (int)sizeof(m->ram.data); i++) {
            m->ram.data[i] = i * 7;
        }
    }
    return m;
}

static void machine_free(Machine *m)
{
    savevm_registry_free(m->reg);
    g_free(m);
}

static void machine_assert_equal(Machine *a, Machine *b)
{
    int i;

    for (i = 0; i < 2; i++) {
        g_assert_cmpuint(a->uart[i].lcr, ==, b->uart[i].lcr);
        g_assert_cmpuint(a->uart[i].divider, ==, b->uart[i].divider);
        g_assert_cmpmem(a->uart[i].fifo, 16, b->uart[i].fifo, 16);
        g_assert_cmpint(a->uart[i].irq, ==, b->uart[i].irq);
    }
    g_assert_cmpmem(a->pit.counter, sizeof(a->pit.counter),
                    b->pit.counter, sizeof(b->pit.counter));
    g_assert_cmpuint(a->pit.mode, ==, b->pit.mode);
    g_assert_cmpuint(a->iommu.root, ==, b->iommu.root);
}

/* Header + full device state of @m into a new buffer. */
static uint8_t *machine_save(Machine *m, size_t *len)
{
    QEMUFile *f = qemu_file_new_buffer_output(1024, 0);
    const uint8_t *data;
    uint8_t *copy;

    savevm_save_header(m->reg, f, &error_abort);
    savevm_save_full(m->reg, f, &error_abort);
    data = qemu_file_buffer_data(f, len);
    copy = g_memdup2(data, *len);
    g_assert_cmpint(qemu_fclose(f), ==, 0);
    return copy;
}

static bool machine_load(Machine *m, const uint8_t *data, size_t len,
                         Error **errp)
{
    QEMUFile *f = qemu_file_new_buffer_input(data, len);
    bool ok = savevm_load(m->reg, f, errp);

    qemu_fclose(f);
    return ok;
}

static void test_full_roundtrip(void)
{
    Machine *src = machine_new("pc-i440fx-7.2", true, false);
    Machine *dst = machine_new("pc-i440fx-7.2", false, false);
    size_t len;
    g_autofree uint8_t *data = machine_save(src, &len);

    /* magic, version, configuration, then the IOMMU goes first */
    g_assert_cmpmem(data, 8, "QEVM\0\0\0\3", 8);
    g_assert_cmpuint(data[8], ==, QEMU_VM_CONFIGURATION);
    g_assert_cmpmem(data + 13, 13, "pc-i440fx-7.2", 13);
    g_assert_cmpuint(data[27], ==, QEMU_VM_SECTION_FULL);
    g_assert_cmpmem(data + 33, 5, "iommu", 5);
    g_assert_cmpuint(data[len - 1], ==, QEMU_VM_EOF);

    g_assert_true(machine_load(dst, data, len, &error_abort));
    machine_assert_equal(src, dst);
    machine_free(src);
    machine_free(dst);
}

static void test_machine_mismatch(void)
{
    Machine *src = machine_new("pc-q35-7.2", true, false);
    Machine *dst = machine_new("pc-i440fx-7.2", false, false);
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = machine_save(src, &len);

    g_assert_false(machine_load(dst, data, len, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Machine type received is 'pc-q35-7.2' and local is "
                    "'pc-i440fx-7.2'");
    error_free(err);
    g_assert_cmpuint(dst->pit.mode, ==, 0);
    machine_free(src);
    machine_free(dst);
}

static void test_bad_header(void)
{
    Machine *dst = machine_new("m", false, false);
    Error *err = NULL;

    g_assert_false(machine_load(dst, (const uint8_t *)"QEVX\0\0\0\3", 8,
                                &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Not a migration stream (magic 0x51455658)");
    error_free_or_abort(&err);
    g_assert_false(machine_load(dst, (const uint8_t *)"QEVM\0\0\0\4", 8,
                                &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Unsupported migration stream version 4 (expected 3)");
    error_free_or_abort(&err);
    g_assert_false(machine_load(dst, (const uint8_t *)"QEV", 3, &err));
    error_free_or_abort(&err);
    machine_free(dst);
}

static void test_unknown_section(void)
{
    Machine *src = machine_new("m", true, false);
    Machine *dst = machine_new("m", false, false);
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = machine_save(src, &len);

    savevm_unregister_vmstate(dst->reg, &vmstate_fake_uart, &dst->uart[1]);
    g_assert_false(machine_load(dst, data, len, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Unknown savevm section or instance 'uart' 1");
    g_assert_nonnull(strstr(error_get_hint(err), "hotplugged"));
    error_free(err);
    machine_free(src);
    machine_free(dst);
}

static void test_version_too_new(void)
{
    Machine *src = machine_new("m", true, false);
    Machine *dst = machine_new("m", false, false);
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = machine_save(src, &len);

    savevm_unregister_vmstate(dst->reg, &vmstate_fake_uart, &dst->uart[0]);
    savevm_register_vmstate(dst->reg, NULL, 0, &vmstate_fake_uart_v2,
                            &dst->uart[0]);
    g_assert_false(machine_load(dst, data, len, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "section 'uart' version 3 is newer than supported 2");
    error_free(err);
    machine_free(src);
    machine_free(dst);
}

static void test_missing_footer(void)
{
    Machine *src = machine_new("pc-i440fx-7.2", true, false);
    Machine *dst = machine_new("pc-i440fx-7.2", false, false);
    Error *err = NULL;
    size_t len, i;
    g_autofree uint8_t *data = machine_save(src, &len);

    /* the first section (iommu): header at 27, 4-byte payload + end */
    i = 27 + 1 + 4 + 1 + 5 + 4 + 4 + 4 + 1;
    g_assert_cmpuint(data[i], ==, QEMU_VM_SECTION_FOOTER);
    data[i] = 0x7f;
    g_assert_false(machine_load(dst, data, len, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Missing section footer for iommu");
    error_free(err);
    machine_free(src);
    machine_free(dst);
}

static void test_instance_ids(void)
{
    SaveVMRegistry *reg = savevm_registry_new();
    FakePit a, b;

    g_assert_cmpint(savevm_register_vmstate(reg, "pit", 5,
                                            &vmstate_fake_pit, &a), ==, 5);
    g_assert_cmpint(savevm_register_vmstate(reg, "pit", 5,
                                            &vmstate_fake_pit, &b),
                    ==, -EEXIST);
    g_assert_cmpint(savevm_register_vmstate(reg, "pit",
                                            VMSTATE_INSTANCE_ID_ANY,
                                            &vmstate_fake_pit, &b), ==, 6);
    g_assert_cmpint(savevm_register_vmstate(reg, "0000:00:01.0/pit",
                                            VMSTATE_INSTANCE_ID_ANY,
                                            &vmstate_fake_pit, &b), ==, 0);
    savevm_registry_free(reg);
}

static void test_rollback(void)
{
    Machine *src = machine_new("m", true, false);
    Machine *dst = machine_new("m", false, false);
    Machine *orig = machine_new("m", false, false);
    Error *err = NULL;
    size_t len;
    g_autofree uint8_t *data = machine_save(src, &len);

    dst->uart[0].lcr = orig->uart[0].lcr = 0x55;
    dst->iommu.root = orig->iommu.root = 0x1234;
    /* cut between two sections: the error names the last good one */
    g_assert_false(machine_load(dst, data, len - 1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Migration stream ended or failed in a section type "
                    "after section 'pit' instance 0");
    error_free_or_abort(&err);
    machine_assert_equal(dst, orig);

    /* cut inside the last section: the others were already loaded */
    g_assert_false(machine_load(dst, data, len - 10, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "'pit'"));
    error_free(err);
    machine_assert_equal(dst, orig);
    machine_free(src);
    machine_free(dst);
    machine_free(orig);
}

static void test_live(void)
{
    Machine *src = machine_new("m", true, true);
    Machine *dst = machine_new("m", false, true);
    QEMUFile *f = qemu_file_new_buffer_output(1024, 0);
    const uint8_t *data;
    size_t len;

    g_assert_true(savevm_save_all(src->reg, f, &error_abort));
    data = qemu_file_buffer_data(f, &len);
    g_assert_cmpuint(len, >, sizeof(src->ram.data));
    g_assert_true(machine_load(dst, data, len, &error_abort));
    qemu_fclose(f);
    g_assert_cmpint(dst->ram.received, ==, FAKE_RAM_CHUNKS);
    g_assert_true(dst->ram.completed);
    g_assert_true(dst->ram.set_up);
    g_assert_true(dst->ram.cleaned_up);
    g_assert_cmpmem(dst->ram.data, sizeof(dst->ram.data),
                    src->ram.data, sizeof(src->ram.data));
    machine_assert_equal(src, dst);
    machine_free(src);
    machine_free(dst);
}

static void test_device_buffer(void)
{
    Machine *src = machine_new("m", true, true);
    Machine *dst = machine_new("m", false, true);
    QEMUFile *f = qemu_file_new_buffer_output(0, 4096);
    QEMUFile *in;
    const uint8_t *data;
    size_t len;

    /* device state only, as a COLO checkpoint carries it */
    g_assert_true(savevm_save_full(src->reg, f, &error_abort));
    data = qemu_file_buffer_data(f, &len);
    g_assert_cmpuint(data[0], ==, QEMU_VM_SECTION_FULL);
    in = qemu_file_new_buffer_input(data, len);
    g_assert_true(savevm_load_sections(dst->reg, in, &error_abort));
    g_assert_true(qemu_file_at_eof(in));
    qemu_fclose(in);
    qemu_fclose(f);
    machine_assert_equal(src, dst);
    g_assert_cmpint(dst->ram.received, ==, 0);
    machine_free(src);
    machine_free(dst);
}

static void test_fuzz(void)
{
    Machine *src = machine_new("m", true, true);
    QEMUFile *f = qemu_file_new_buffer_output(1024, 0);
    GRand *rand = g_rand_new_with_seed(20261122);
    const uint8_t *data;
    size_t len;
    int i, failures = 0;

    g_assert_true(savevm_save_all(src->reg, f, &error_abort));
    data = qemu_file_buffer_data(f, &len);
    for (i = 0; i < 1500; i++) {
        Machine *dst = machine_new("m", false, true);
        g_autofree uint8_t *bad = g_memdup2(data, len);
        size_t badlen = len;
        int flips = g_rand_int_range(rand, 1, 5);
        Error *err = NULL;

        while (flips--) {
            /* bias towards the headers, where the structure is */
            size_t at = g_rand_boolean(rand) ?
                        g_rand_int_range(rand, 0, 64) :
                        g_rand_int_range(rand, 0, len);
            bad[at] ^= 1 << g_rand_int_range(rand, 0, 8);
        }
        if (g_rand_int_range(rand, 0, 4) == 0) {
            badlen = g_rand_int_range(rand, 0, len);
        }
        if (!machine_load(dst, bad, badlen, &err)) {
            g_assert_nonnull(err);
            error_free(err);
            failures++;
            /* the devices were rolled back to their zeroed state */
            g_assert_cmpuint(dst->pit.mode, ==, 0);
            g_assert_cmpuint(dst->uart[1].divider, ==, 0);
        }
        machine_free(dst);
    }
    g_assert_cmpint(failures, >, 300);
    qemu_fclose(f);
    g_rand_free(rand);
    machine_free(src);
}

/* The default registry, as devices and the migration code use it. */
static void test_default_registry(void)
{
    FakePit pit = { .counter = { 1, 2, 3 }, .mode = 2 };
    QEMUFile *f = qemu_file_new_buffer_output(0, 0);
    QEMUFile *in;
    const uint8_t *data;
    size_t len;

    g_assert_cmpint(vmstate_register(VMSTATE_INSTANCE_ID_ANY,
                                     &vmstate_fake_pit, &pit), ==, 0);
    savevm_registry_set_machine(savevm_registry_default(), "pc-q35-7.2");
    g_assert_true(qemu_savevm_state_header(f, &error_abort));
    g_assert_true(qemu_savevm_state_full(f, &error_abort));
    data = qemu_file_buffer_data(f, &len);
    pit.mode = 0;
    pit.counter[1] = 0;
    in = qemu_file_new_buffer_input(data, len);
    g_assert_true(qemu_loadvm_state(in, &error_abort));
    qemu_fclose(in);
    g_assert_cmpuint(pit.mode, ==, 2);
    g_assert_cmpuint(pit.counter[1], ==, 2);
    vmstate_unregister(&vmstate_fake_pit, &pit);
    g_assert_cmpint(vmstate_register(0, &vmstate_fake_pit, &pit), ==, 0);
    vmstate_unregister(&vmstate_fake_pit, &pit);
    qemu_fclose(f);
}

static void test_truncated_everywhere(void)
{
    Machine *src = machine_new("m", true, true);
    QEMUFile *f = qemu_file_new_buffer_output(1024, 0);
    const uint8_t *data;
    size_t len, cut;

    g_assert_true(savevm_save_all(src->reg, f, &error_abort));
    data = qemu_file_buffer_data(f, &len);
    for (cut = 0; cut < len; cut += (cut < 200 || len - cut < 200) ? 1 : 97) {
        Machine *dst = machine_new("m", false, true);
        Error *err = NULL;

        g_assert_false(machine_load(dst, data, cut, &err));
        g_assert_nonnull(err);
        /* every message says where: a section, the header, ... */
        if (!strstr(error_get_pretty(err), "'") &&
            !strstr(error_get_pretty(err), "footer for ") &&
            !strstr(error_get_pretty(err), "header") &&
            !strstr(error_get_pretty(err), "first section") &&
            !strstr(error_get_pretty(err), "onfiguration")) {
            g_test_message("cut %zu: %s", cut, error_get_pretty(err));
            g_test_fail();
        }
        error_free(err);
        g_assert_cmpuint(dst->pit.mode, ==, 0);
        g_assert_cmpuint(dst->iommu.root, ==, 0);
        machine_free(dst);
    }
    qemu_fclose(f);
    machine_free(src);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/migration/savevm/full-roundtrip", test_full_roundtrip);
    g_test_add_func("/migration/savevm/machine-mismatch",
                    test_machine_mismatch);
    g_test_add_func("/migration/savevm/bad-header", test_bad_header);
    g_test_add_func("/migration/savevm/unknown-section",
                    test_unknown_section);
    g_test_add_func("/migration/savevm/version-too-new",
                    test_version_too_new);
    g_test_add_func("/migration/savevm/missing-footer", test_missing_footer);
    g_test_add_func("/migration/savevm/instance-ids", test_instance_ids);
    g_test_add_func("/migration/savevm/rollback", test_rollback);
    g_test_add_func("/migration/savevm/live", test_live);
    g_test_add_func("/migration/savevm/device-buffer", test_device_buffer);
    g_test_add_func("/migration/savevm/fuzz", test_fuzz);
    g_test_add_func("/migration/savevm/truncated-everywhere",
                    test_truncated_everywhere);
    g_test_add_func("/migration/savevm/default-registry",
                    test_default_registry);
    return g_test_run();
}
