/*
 * COLO proxy: IPv4/IPv6 fragment reassembly; see
 * include/net/colo-fragment.h for the model and limits.
 */
#include "qemu/osdep.h"
#include "net/colo-fragment.h"
#include "trace/trace-net.h"

#define IP_MAX_LEN  65535

typedef struct FragRange {
    uint32_t off;               /* offset of the data in the datagram */
    uint32_t len;
    uint32_t data_off;          /* where the data starts in the piece */
} FragRange;

typedef struct FragPending {
    ColoConnKey key;            /* raw src/dst; id in the ports */
    GList link;                 /* in FragTable.age, oldest first */
    int64_t created_ns;
    uint32_t total;             /* data length, once the last is seen */
    bool have_last;
    uint32_t have;              /* data bytes received */
    int first;                  /* index of the offset-0 piece, or -1 */
    size_t first_hdr_len;       /* its bytes before the fragment data */
    ColoPacketInfo first_info;
    FragRange range[COLO_FRAG_MAX_PIECES];
    ColoFragDatagram *dg;       /* pieces collected so far */
} FragPending;

struct ColoFragTable {
    ColoFragLimits limits;
    GHashTable *pending;        /* ColoConnKey * -> FragPending * */
    GQueue age;
    ColoFragStats stats;
};

ColoFragTable *colo_frag_table_new(const ColoFragLimits *limits)
{
    ColoFragTable *t = g_new0(ColoFragTable, 1);

    t->limits = *limits;
    t->pending = g_hash_table_new(colo_conn_key_hash, colo_conn_key_equal);
    g_queue_init(&t->age);
    return t;
}

void colo_frag_datagram_free(ColoFragDatagram *dg)
{
    unsigned i;

    if (!dg) {
        return;
    }
    for (i = 0; i < dg->npieces; i++) {
        g_free(dg->pieces[i].frame);
    }
    g_free(dg->frame);
    g_free(dg);
}

static size_t pending_bytes(FragPending *p)
{
    size_t n = 0;
    unsigned i;

    for (i = 0; i < p->dg->npieces; i++) {
        n += p->dg->pieces[i].len;
    }
    return n;
}

/* Unlinks @p; frees it (and its pieces unless @keep_dg). */
static void pending_remove(ColoFragTable *t, FragPending *p, bool keep_dg)
{
    t->stats.bytes -= pending_bytes(p);
    t->stats.pending--;
    g_hash_table_remove(t->pending, &p->key);
    g_queue_unlink(&t->age, &p->link);
    if (!keep_dg) {
        colo_frag_datagram_free(p->dg);
    }
    g_free(p);
}

void colo_frag_table_free(ColoFragTable *t)
{
    while (t->age.head) {
        pending_remove(t, t->age.head->data, false);
    }
    g_hash_table_destroy(t->pending);
    g_free(t);
}

static void frag_key(ColoConnKey *k, const ColoPacketInfo *info)
{
    bool sw = info->key_swapped;

    memset(k, 0, sizeof(*k));
    memcpy(k->addr[0], info->key.addr[sw], 16);
    memcpy(k->addr[1], info->key.addr[!sw], 16);
    k->port[0] = info->frag_id >> 16;
    k->port[1] = info->frag_id & 0xffff;
    k->vlan = info->vlan;
    k->family = info->family;
    k->proto = info->proto;
}

/* Evicts the oldest datagrams until @need more bytes and one more fit. */
static void make_room(ColoFragTable *t, size_t need, FragPending *keep)
{
    GList *l = t->age.head;

    while (l && (t->stats.bytes + need > t->limits.max_bytes ||
                 t->stats.pending >= t->limits.max_datagrams + !!keep)) {
        FragPending *p = l->data;

        l = l->next;
        if (p == keep) {
            continue;
        }
        t->stats.dropped_memory++;
        pending_remove(t, p, false);
    }
}

static FragPending *pending_new(ColoFragTable *t, const ColoConnKey *key,
                                int64_t now_ns)
{
    FragPending *p = g_new0(FragPending, 1);

    p->key = *key;
    p->created_ns = now_ns;
    p->first = -1;
    p->link.data = p;
    p->dg = g_new0(ColoFragDatagram, 1);
    g_hash_table_insert(t->pending, &p->key, p);
    g_queue_push_tail_link(&t->age, &p->link);
    t->stats.pending++;
    return p;
}

static bool overlaps(const FragPending *p, uint32_t off, uint32_t len)
{
    unsigned i;

    for (i = 0; i < p->dg->npieces; i++) {
        const FragRange *r = &p->range[i];

        if (off < r->off + r->len && r->off < off + len) {
            return true;
        }
    }
    return false;
}

static void ipv4_header_fixup(uint8_t *ip, size_t ihl, size_t tot)
{
    colo_wr16(ip + 2, tot);
    colo_wr16(ip + 6, colo_rd16(ip + 6) & 0x4000);     /* keep DF only */
    colo_wr16(ip + 10, 0);
    colo_wr16(ip + 10, colo_csum_fold(colo_csum_add(0, ip, ihl)));
}

/* Builds the datagram from the pieces; false if it would be too big. */
static bool assemble(FragPending *p)
{
    ColoFragDatagram *dg = p->dg;
    const ColoPacketInfo *fi = &p->first_info;
    const uint8_t *first = dg->pieces[p->first].frame;
    size_t hdr = p->first_hdr_len;
    size_t l3len;
    unsigned i;

    if (fi->family == 4) {
        l3len = fi->l4_off - fi->l3_off + p->total;
    } else {
        l3len = hdr - fi->l3_off + p->total;
    }
    if (l3len > IP_MAX_LEN + (fi->family == 6 ? 40 : 0)) {
        return false;
    }
    dg->vnet_hdr_len = fi->vnet_hdr_len;
    dg->len = hdr + p->total;
    dg->frame = g_malloc(dg->len);
    memcpy(dg->frame, first, hdr);
    for (i = 0; i < dg->npieces; i++) {
        const FragRange *r = &p->range[i];

        memcpy(dg->frame + hdr + r->off, dg->pieces[i].frame + r->data_off,
               r->len);
    }
    if (fi->family == 4) {
        ipv4_header_fixup(dg->frame + fi->l3_off, fi->l4_off - fi->l3_off,
                          l3len);
    } else {
        dg->frame[fi->frag_nh_off] = fi->proto;
        colo_wr16(dg->frame + fi->l3_off + 4, l3len - 40);
    }
    return true;
}

static ColoFragResult drop_bad(ColoFragTable *t, FragPending *p)
{
    t->stats.dropped_bad++;
    trace_colo_frag_drop(p ? p->dg->npieces : 0);
    if (p) {
        pending_remove(t, p, false);
    }
    return COLO_FRAG_DROPPED;
}

ColoFragResult colo_frag_input(ColoFragTable *t, const uint8_t *frame,
                               size_t len, const ColoPacketInfo *info,
                               int64_t now_ns, ColoFragDatagram **out)
{
    uint32_t off = info->frag_offset;
    uint32_t dlen = info->end - info->l4_off;
    ColoConnKey key;
    FragPending *p;
    unsigned idx;

    *out = NULL;
    t->stats.fragments++;
    frag_key(&key, info);
    p = g_hash_table_lookup(t->pending, &key);
    /* every piece but the last carries a multiple of 8 bytes */
    if ((info->frag_more && (dlen == 0 || dlen % 8)) ||
        off + dlen > IP_MAX_LEN || len > t->limits.max_bytes) {
        return drop_bad(t, p);
    }
    if (p && (p->dg->npieces == COLO_FRAG_MAX_PIECES ||
              overlaps(p, off, dlen) ||
              (p->have_last && off + dlen > p->total) ||
              (!info->frag_more && p->have_last))) {
        return drop_bad(t, p);
    }
    make_room(t, len, p);
    if (t->stats.bytes + len > t->limits.max_bytes) {
        t->stats.dropped_memory++;
        if (p) {
            pending_remove(t, p, false);
        }
        return COLO_FRAG_DROPPED;
    }
    if (!p) {
        p = pending_new(t, &key, now_ns);
    }
    if (!info->frag_more) {
        p->have_last = true;
        p->total = off + dlen;
        for (idx = 0; idx < p->dg->npieces; idx++) {
            if (p->range[idx].off + p->range[idx].len > p->total) {
                return drop_bad(t, p);
            }
        }
    }
    idx = p->dg->npieces++;
    p->dg->pieces[idx].frame = g_memdup2(frame, len);
    p->dg->pieces[idx].len = len;
    p->range[idx].off = off;
    p->range[idx].len = dlen;
    p->range[idx].data_off = info->l4_off;
    p->have += dlen;
    t->stats.bytes += len;
    if (off == 0) {
        p->first = idx;
        p->first_info = *info;
        p->first_hdr_len = info->family == 4 ? info->l4_off
                                             : info->frag_hdr_off;
    }
    if (!p->have_last || p->have != p->total || p->first < 0) {
        return COLO_FRAG_PENDING;
    }
    if (!assemble(p)) {
        return drop_bad(t, p);
    }
    *out = p->dg;
    t->stats.reassembled++;
    trace_colo_frag_done(p->dg->npieces, (uint32_t)p->dg->len);
    pending_remove(t, p, true);
    return COLO_FRAG_DONE;
}

unsigned colo_frag_expire(ColoFragTable *t, int64_t now_ns)
{
    unsigned n = 0;

    while (t->age.head) {
        FragPending *p = t->age.head->data;

        if (now_ns - p->created_ns < t->limits.timeout_ns) {
            break;
        }
        t->stats.dropped_timeout++;
        pending_remove(t, p, false);
        n++;
    }
    return n;
}

void colo_frag_get_stats(const ColoFragTable *t, ColoFragStats *stats)
{
    *stats = t->stats;
}
