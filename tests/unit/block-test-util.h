/*
 * Helpers shared by the block layer unit tests: temporary files and
 * running the qemu-img / qemu-io tools (qemu-utils) when installed.
 */
#ifndef TESTS_UNIT_BLOCK_TEST_UTIL_H
#define TESTS_UNIT_BLOCK_TEST_UTIL_H

#include "block/block.h"

/* A new empty file in a per-process temporary directory (free it) */
char *blk_test_path(const char *name);

/* true if @tool (qemu-img, qemu-io) is in PATH */
bool blk_test_have_tool(const char *tool);

/*
 * Run a command line (g_shell_parse_argv syntax); returns the exit
 * status, *@out gets stdout+stderr if non-NULL.
 */
int blk_test_run(const char *cmdline, char **out);

/* Fill a file with @len bytes of @pattern */
void blk_test_write_file(const char *path, size_t len, int pattern);

/* Open a node with the given format on @path */
BlockDriverState *blk_test_open(const char *path, const char *fmt,
                                bool read_only);

#endif
