/*
 * Helpers for VMState round-trip tests.  A device test is typically:
 *
 *     FooState src = { ... interesting values ... }, dst = { 0 };
 *     vmstate_test_roundtrip(&vmstate_foo, &src, &dst);
 *     g_assert_cmpuint(dst.ctrl, ==, src.ctrl);   (spot checks)
 *
 * Link vmstate_test_files (migration/meson.build: the VMState core,
 * timer fields included, and this file) with util_dep.
 */
#ifndef TESTS_VMSTATE_TEST_UTIL_H
#define TESTS_VMSTATE_TEST_UTIL_H

#include "migration/vmstate.h"

/**
 * vmstate_test_save: save @opaque with @vmsd into a new buffer.
 * Returns the bytes (g_free) and their count in @len; asserts success.
 */
uint8_t *vmstate_test_save(const VMStateDescription *vmsd, void *opaque,
                           size_t *len);

/* Same, but returns NULL with @errp if saving fails. */
uint8_t *vmstate_test_save_unchecked(const VMStateDescription *vmsd,
                                     void *opaque, size_t *len,
                                     Error **errp);

/**
 * vmstate_test_load: load @data (@len bytes, stream @version_id) into
 * @opaque.  Also fails if bytes are left over after the description.
 */
bool vmstate_test_load(const VMStateDescription *vmsd, void *opaque,
                       const uint8_t *data, size_t len, int version_id,
                       Error **errp);

/**
 * vmstate_test_roundtrip: save @src, load the bytes into @dst (usually
 * zeroed or freshly created), save @dst and assert that both streams
 * are identical.  Returns the stream length.
 */
size_t vmstate_test_roundtrip(const VMStateDescription *vmsd, void *src,
                              void *dst);

#endif
