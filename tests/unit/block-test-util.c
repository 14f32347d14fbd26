/*
 * Helpers of the block layer unit tests (block-test-util.h).
 */
#include "qemu/osdep.h"
#include "block-test-util.h"

static char *tmp_dir;

static void remove_tmp_dir(void)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmp_dir);

    if (system(cmd)) {
        /* best effort */
    }
}

char *blk_test_path(const char *name)
{
    if (!tmp_dir) {
        tmp_dir = g_dir_make_tmp("tandem-block-XXXXXX", NULL);
        g_assert(tmp_dir);
        atexit(remove_tmp_dir);
    }
    return g_build_filename(tmp_dir, name, NULL);
}

bool blk_test_have_tool(const char *tool)
{
    g_autofree char *p = g_find_program_in_path(tool);

    return p != NULL;
}

int blk_test_run(const char *cmdline, char **out)
{
    g_auto(GStrv) argv = NULL;
    g_autofree char *so = NULL;
    g_autofree char *se = NULL;
    int status = -1;

    g_assert(g_shell_parse_argv(cmdline, NULL, &argv, NULL));
    g_assert(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                          &so, &se, &status, NULL));
    if (out) {
        *out = g_strconcat(so, se, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void blk_test_write_file(const char *path, size_t len, int pattern)
{
    g_autofree char *buf = g_malloc(len);

    memset(buf, pattern, len);
    g_assert(g_file_set_contents(path, buf, len, NULL));
}

BlockDriverState *blk_test_open(const char *path, const char *fmt,
                                bool read_only)
{
    return bdrv_open_image(path, fmt, read_only, &error_abort);
}
