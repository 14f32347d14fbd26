/*
 * DEBUG/TEST ONLY: per-page hashes of guest RAM taken at a COLO
 * checkpoint, while the VM is stopped and the checkpoint is consistent.
 *
 * The end-to-end tests (tests/colo/) arm it on both sides; at the next
 * checkpoint the primary hashes its RAM just before it resumes and the
 * secondary hashes its RAM after the checkpoint was applied and before it
 * resumes.  A replica pair is correct when both lists are equal, page for
 * page.  The file written by colo_debug_page_hashes_save() is
 *
 *     "TANDEM-PAGE-HASHES <checkpoint> <pages>\n"
 *     <pages> little-endian uint64 hashes, RAM blocks in order
 *
 * Arming is one-shot so that the two sides record the same checkpoint;
 * the checkpoint number lets a test detect when they did not.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "migration/colo-int.h"
#include "trace/trace-migration.h"

static struct {
    GMutex lock;
    bool armed;
    uint64_t checkpoint;     /* 0: nothing recorded */
    GArray *hashes;          /* uint64_t per page */
} dbg;

/* A fast 64-bit hash of one page (not cryptographic; differences only). */
static uint64_t page_hash(const uint8_t *p, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;

    for (size_t i = 0; i < len; i += 8) {
        uint64_t w;

        memcpy(&w, p + i, sizeof(w));
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    return h;
}

void colo_debug_page_hashes_arm(void)
{
    g_mutex_lock(&dbg.lock);
    dbg.armed = true;
    g_mutex_unlock(&dbg.lock);
}

void colo_debug_checkpoint_hook(uint64_t checkpoint)
{
    GArray *a;

    g_mutex_lock(&dbg.lock);
    if (!dbg.armed) {
        g_mutex_unlock(&dbg.lock);
        return;
    }
    dbg.armed = false;
    g_mutex_unlock(&dbg.lock);

    a = g_array_new(false, false, sizeof(uint64_t));
    for (RAMBlock *rb = ram_block_next(NULL); rb; rb = ram_block_next(rb)) {
        const uint8_t *host = ram_block_host(rb);
        uint64_t size = ram_block_size(rb);

        for (uint64_t off = 0; off < size; off += TARGET_PAGE_SIZE) {
            uint64_t h = page_hash(host + off,
                                   MIN(TARGET_PAGE_SIZE, size - off));

            g_array_append_val(a, h);
        }
    }
    trace_colo_debug_page_hashes(checkpoint, a->len);
    g_mutex_lock(&dbg.lock);
    if (dbg.hashes) {
        g_array_free(dbg.hashes, true);
    }
    dbg.hashes = a;
    dbg.checkpoint = checkpoint;
    g_mutex_unlock(&dbg.lock);
}

bool colo_debug_page_hashes_save(const char *path, uint64_t *checkpoint,
                                 Error **errp)
{
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GError) gerr = NULL;
    bool ok;

    g_mutex_lock(&dbg.lock);
    if (!dbg.hashes) {
        g_mutex_unlock(&dbg.lock);
        error_setg(errp, "no page hashes recorded (arm, then checkpoint)");
        return false;
    }
    g_string_append_printf(out, "TANDEM-PAGE-HASHES %" PRIu64 " %u\n",
                           dbg.checkpoint, dbg.hashes->len);
    for (guint i = 0; i < dbg.hashes->len; i++) {
        uint64_t le = GUINT64_TO_LE(g_array_index(dbg.hashes, uint64_t, i));

        g_string_append_len(out, (const char *)&le, sizeof(le));
    }
    *checkpoint = dbg.checkpoint;
    g_mutex_unlock(&dbg.lock);

    ok = g_file_set_contents(path, out->str, out->len, &gerr);
    if (!ok) {
        error_setg(errp, "%s", gerr->message);
    }
    return ok;
}
