/*
 * Block driver "quorum": N children holding the same data.
 *
 *            quorum (vote-threshold=T, read-pattern=fifo|quorum)
 *           /        |          \
 *     children.0  children.1 ... children.N-1
 *
 * Writes go to every child; a write succeeds when at least T children
 * succeeded (a failing child is reported, the guest does not notice).
 * read-pattern=fifo reads the first child that answers without error;
 * read-pattern=quorum reads all children and returns the content that
 * at least T of them agree on (else -EIO).
 *
 * x-blockdev-change adds a child as "children.<next index>" and removes
 * any child as long as at least T remain.  COLO uses this to hot-add
 * the primary's replication child and to drop it after a failover.
 *
 * The children list only changes in drained sections (block_int.h), so
 * requests read it without a lock.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/quorum.h"
#include "qemu/cutils.h"
#include "trace/trace-nbd.h"

typedef struct BDRVQuorumState {
    int threshold;
    bool fifo;
    bool rewrite_corrupted;
    int next_index;             /* suffix of the next "children.N" */
    uint64_t failures;          /* child request failures reported */
    QuorumReportFn *report;
    void *report_opaque;
} BDRVQuorumState;

static QuorumReportFn *default_report;
static void *default_report_opaque;

void quorum_set_default_report(QuorumReportFn *fn, void *opaque)
{
    default_report = fn;
    default_report_opaque = opaque;
}

static void quorum_report_bad(BlockDriverState *bs, BdrvChild *c,
                              QuorumOp op, int64_t offset, int64_t bytes,
                              int ret)
{
    BDRVQuorumState *s = bs->opaque;

    __atomic_fetch_add(&s->failures, 1, __ATOMIC_RELAXED);
    trace_quorum_report_bad(bs->node_name, c->bs->node_name, offset, bytes,
                            ret);
    if (s->report) {
        s->report(s->report_opaque, bs, c->bs, op, offset, bytes, ret);
    }
}

uint64_t quorum_failures(BlockDriverState *bs)
{
    BDRVQuorumState *s = bs->opaque;

    return __atomic_load_n(&s->failures, __ATOMIC_RELAXED);
}

static int quorum_num_children(BlockDriverState *bs)
{
    return g_slist_length(bs->children);
}

static bool quorum_open_children(BlockDriverState *bs, QDict *opts,
                                 Error **errp)
{
    BDRVQuorumState *s = bs->opaque;
    int i;

    for (i = 0;; i++) {
        g_autofree char *name = g_strdup_printf("children.%d", i);
        g_autofree char *prefix = g_strdup_printf("children.%d.", i);
        const QDictEntry *e;
        bool present = qdict_haskey(opts, name);

        for (e = qdict_first(opts); e && !present;
             e = qdict_next(opts, e)) {
            present = g_str_has_prefix(qdict_entry_key(e), prefix);
        }
        if (!present) {
            break;
        }
        if (!bdrv_open_child(bs, opts, name, BDRV_CHILD_OTHER, false,
                             errp)) {
            return false;
        }
    }
    s->next_index = i;
    return true;
}

static bool quorum_open(BlockDriverState *bs, QDict *opts, Error **errp)
{
    BDRVQuorumState *s = bs->opaque;
    g_autofree char *pattern = bdrv_opt_take_str(opts, "read-pattern");
    int64_t threshold;
    bool blkverify;
    int n;

    if (!bdrv_opt_take_int(opts, "vote-threshold", -1, &threshold, errp) ||
        !bdrv_opt_take_bool(opts, "blkverify", false, &blkverify, errp) ||
        !bdrv_opt_take_bool(opts, "rewrite-corrupted", false,
                            &s->rewrite_corrupted, errp)) {
        return false;
    }
    if (threshold < 0) {
        error_setg(errp, "Parameter 'vote-threshold' is missing");
        return false;
    }
    if (!pattern || !strcmp(pattern, "quorum")) {
        s->fifo = false;
    } else if (!strcmp(pattern, "fifo")) {
        s->fifo = true;
    } else {
        error_setg(errp, "Parameter 'read-pattern' does not accept value "
                   "'%s'", pattern);
        return false;
    }
    if (blkverify) {
        error_setg(errp, "blkverify=on is not supported");
        return false;
    }
    if (!quorum_open_children(bs, opts, errp)) {
        return false;
    }
    n = quorum_num_children(bs);
    if (n < 1) {
        error_setg(errp, "Number of provided children must be 1 or more");
        return false;
    }
    if (threshold < 1) {
        error_setg(errp, "Parameter 'vote-threshold' must be 1 or more");
        return false;
    }
    if (threshold > n) {
        error_setg(errp, "threshold may not exceed children count");
        return false;
    }
    if (s->fifo && threshold != 1) {
        error_setg(errp, "threshold=%" PRId64 " is invalid for "
                   "read-pattern=fifo; only threshold=1 is supported",
                   threshold);
        return false;
    }
    if (s->rewrite_corrupted && s->fifo) {
        error_setg(errp, "rewrite-corrupted=on cannot be used with "
                   "read-pattern=fifo");
        return false;
    }
    s->threshold = threshold;
    s->report = default_report;
    s->report_opaque = default_report_opaque;
    snprintf(bs->filename, sizeof(bs->filename), "quorum");
    return true;
}

static int quorum_read_fifo(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, QEMUIOVector *qiov, int flags)
{
    GSList *l;
    int ret = -EIO;

    for (l = bs->children; l; l = l->next) {
        BdrvChild *c = l->data;

        ret = bdrv_preadv(c, offset, bytes, qiov, flags);
        if (ret == 0) {
            return 0;
        }
        quorum_report_bad(bs, c, QUORUM_OP_READ, offset, bytes, ret);
    }
    return ret;
}

/*
 * Vote: read every child into its own buffer, group equal buffers and
 * return the largest group if it reaches the threshold.  Children that
 * disagree with the winner are reported.
 */
static int quorum_read_vote(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, QEMUIOVector *qiov, int flags)
{
    BDRVQuorumState *s = bs->opaque;
    int n = quorum_num_children(bs);
    g_autofree uint8_t **bufs = g_new0(uint8_t *, n);
    g_autofree int *rets = g_new0(int, n);
    g_autofree BdrvChild **kids = g_new0(BdrvChild *, n);
    int best = -1, best_votes = 0, i, j, ret = 0;
    GSList *l;

    for (i = 0, l = bs->children; l; l = l->next, i++) {
        kids[i] = l->data;
        bufs[i] = g_malloc(bytes);
        rets[i] = bdrv_pread(kids[i], offset, bytes, bufs[i], flags);
        if (rets[i] < 0) {
            quorum_report_bad(bs, kids[i], QUORUM_OP_READ, offset, bytes,
                              rets[i]);
        }
    }
    for (i = 0; i < n; i++) {
        int votes = 0;

        if (rets[i] < 0) {
            continue;
        }
        for (j = 0; j < n; j++) {
            if (rets[j] == 0 && !memcmp(bufs[i], bufs[j], bytes)) {
                votes++;
            }
        }
        if (votes > best_votes) {
            best_votes = votes;
            best = i;
        }
    }
    if (best < 0 || best_votes < s->threshold) {
        trace_quorum_vote_failed(bs->node_name, offset, bytes, best_votes);
        ret = -EIO;
        goto out;
    }
    qemu_iovec_from_buf(qiov, 0, bufs[best], bytes);
    for (i = 0; i < n; i++) {
        if (rets[i] == 0 && memcmp(bufs[i], bufs[best], bytes)) {
            quorum_report_bad(bs, kids[i], QUORUM_OP_READ, offset, bytes,
                              -EIO);
            if (s->rewrite_corrupted) {
                bdrv_pwrite(kids[i], offset, bytes, bufs[best], 0);
            }
        }
    }
out:
    for (i = 0; i < n; i++) {
        g_free(bufs[i]);
    }
    return ret;
}

static int quorum_preadv(BlockDriverState *bs, int64_t offset,
                         int64_t bytes, QEMUIOVector *qiov, int flags)
{
    BDRVQuorumState *s = bs->opaque;

    if (s->fifo) {
        return quorum_read_fifo(bs, offset, bytes, qiov, flags);
    }
    return quorum_read_vote(bs, offset, bytes, qiov, flags);
}

typedef int QuorumWriteFn(BdrvChild *c, int64_t offset, int64_t bytes,
                          QEMUIOVector *qiov, int flags);

static int quorum_do_flush(BdrvChild *c, int64_t offset, int64_t bytes,
                           QEMUIOVector *qiov, int flags);

/* Run @fn on every child; success if at least threshold succeed. */
static int quorum_write_all(BlockDriverState *bs, QuorumWriteFn *fn,
                            int64_t offset, int64_t bytes,
                            QEMUIOVector *qiov, int flags)
{
    BDRVQuorumState *s = bs->opaque;
    int ok = 0, err = -EIO;
    GSList *l;

    for (l = bs->children; l; l = l->next) {
        BdrvChild *c = l->data;
        int ret = fn(c, offset, bytes, qiov, flags);

        if (ret == 0) {
            ok++;
        } else {
            err = ret;
            quorum_report_bad(bs, c, fn == quorum_do_flush ?
                              QUORUM_OP_FLUSH : QUORUM_OP_WRITE,
                              offset, bytes, ret);
        }
    }
    return ok >= s->threshold ? 0 : err;
}

static int quorum_do_writev(BdrvChild *c, int64_t offset, int64_t bytes,
                            QEMUIOVector *qiov, int flags)
{
    return bdrv_pwritev(c, offset, bytes, qiov, flags);
}

static int quorum_do_zeroes(BdrvChild *c, int64_t offset, int64_t bytes,
                            QEMUIOVector *qiov, int flags)
{
    return bdrv_pwrite_zeroes(c, offset, bytes, flags);
}

static int quorum_do_discard(BdrvChild *c, int64_t offset, int64_t bytes,
                             QEMUIOVector *qiov, int flags)
{
    return bdrv_pdiscard(c, offset, bytes);
}

static int quorum_do_flush(BdrvChild *c, int64_t offset, int64_t bytes,
                           QEMUIOVector *qiov, int flags)
{
    return bdrv_flush(c->bs);
}

static int quorum_pwritev(BlockDriverState *bs, int64_t offset,
                          int64_t bytes, QEMUIOVector *qiov, int flags)
{
    return quorum_write_all(bs, quorum_do_writev, offset, bytes, qiov,
                            flags);
}

static int quorum_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                int64_t bytes, int flags)
{
    return quorum_write_all(bs, quorum_do_zeroes, offset, bytes, NULL,
                            flags);
}

static int quorum_pdiscard(BlockDriverState *bs, int64_t offset,
                           int64_t bytes)
{
    return quorum_write_all(bs, quorum_do_discard, offset, bytes, NULL, 0);
}

static int quorum_flush(BlockDriverState *bs)
{
    return quorum_write_all(bs, quorum_do_flush, 0, 0, NULL, 0);
}

static int64_t quorum_getlength(BlockDriverState *bs)
{
    BdrvChild *first = bs->children ? bs->children->data : NULL;

    return first ? bdrv_getlength(first->bs) : -ENOMEDIUM;
}

static bool quorum_reopen_rw(BlockDriverState *bs, bool read_only,
                             Error **errp)
{
    GSList *l;

    for (l = bs->children; l; l = l->next) {
        BdrvChild *c = l->data;

        if (!bdrv_reopen_read_only(c->bs, read_only, errp)) {
            return false;
        }
    }
    return true;
}

static bool quorum_add_child(BlockDriverState *bs, BlockDriverState *child,
                             Error **errp)
{
    BDRVQuorumState *s = bs->opaque;
    g_autofree char *name = NULL;

    if (s->next_index == INT_MAX) {
        error_setg(errp, "Too many children");
        return false;
    }
    name = g_strdup_printf("children.%d", s->next_index);
    if (!bdrv_attach_child(bs, child, name, BDRV_CHILD_OTHER, errp)) {
        return false;
    }
    s->next_index++;
    trace_quorum_add_child(bs->node_name, name, child->node_name);
    return true;
}

static bool quorum_del_child(BlockDriverState *bs, BdrvChild *child,
                             Error **errp)
{
    BDRVQuorumState *s = bs->opaque;
    int n = quorum_num_children(bs);

    if (n <= s->threshold) {
        error_setg(errp, "The number of children cannot be lower than "
                   "the vote threshold %d", s->threshold);
        return false;
    }
    trace_quorum_del_child(bs->node_name, child->name);
    bdrv_unref_child(bs, child);
    return true;
}

void quorum_set_report(BlockDriverState *bs, QuorumReportFn *fn,
                       void *opaque)
{
    BDRVQuorumState *s = bs->opaque;

    s->report = fn;
    s->report_opaque = opaque;
}

bool bdrv_is_quorum(BlockDriverState *bs)
{
    return bs->drv == &bdrv_quorum;
}

const BlockDriver bdrv_quorum = {
    .format_name = "quorum",
    .instance_size = sizeof(BDRVQuorumState),
    .bdrv_open = quorum_open,
    .bdrv_reopen_rw = quorum_reopen_rw,
    .bdrv_preadv = quorum_preadv,
    .bdrv_pwritev = quorum_pwritev,
    .bdrv_pwrite_zeroes = quorum_pwrite_zeroes,
    .bdrv_pdiscard = quorum_pdiscard,
    .bdrv_flush = quorum_flush,
    .bdrv_getlength = quorum_getlength,
    .bdrv_add_child = quorum_add_child,
    .bdrv_del_child = quorum_del_child,
};

static void __attribute__((constructor)) quorum_register(void)
{
    bdrv_register(&bdrv_quorum);
}
