/*
 * Self-announce shell: the NICs that take part, one main-loop timer per
 * announcement (the default one used after migration and failover, and
 * QMP's named ones), and the "announce-self" command.  Frames and the
 * schedule come from the pure core in net/announce.c.
 *
 * Each announcement is a small state machine: idle -> round 0 (timer
 * armed for "now") -> round k sent, timer armed for the gap after k ->
 * ... -> last round sent -> idle (named ones are freed).  Restarting
 * one (same id) resets it to round 0.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-net.h"
#include "qapi/qmp/dispatch.h"
#include "qemu/timer.h"
#include "net/announce.h"
#include "trace/trace-net.h"

QMP_COMMAND_IMPLEMENTED(announce_self);

typedef struct AnnounceNic {
    NetClientState *nc;
    const uint8_t *mac;
} AnnounceNic;

typedef struct AnnounceTimer {
    char *id;                   /* NULL: the default announcement */
    AnnounceTiming timing;
    char **ifaces;              /* NULL: every NIC */
    int64_t round;              /* next round to send */
    QEMUTimer *tm;
} AnnounceTimer;

static GList *announce_nics;            /* AnnounceNic * */
static GHashTable *announce_named;      /* id -> AnnounceTimer * */
static AnnounceTimer *announce_default;
static AnnounceTiming announce_default_timing = {
    .initial = 50, .max = 550, .rounds = 5, .step = 100,
};

void qemu_announce_nic_add(NetClientState *nc, const uint8_t *mac)
{
    AnnounceNic *n = g_new0(AnnounceNic, 1);

    n->nc = nc;
    n->mac = mac;
    announce_nics = g_list_append(announce_nics, n);
}

void qemu_announce_nic_del(NetClientState *nc)
{
    for (GList *l = announce_nics; l; l = l->next) {
        AnnounceNic *n = l->data;

        if (n->nc == nc) {
            announce_nics = g_list_delete_link(announce_nics, l);
            g_free(n);
            return;
        }
    }
}

void qemu_announce_set_default_timing(const AnnounceTiming *t)
{
    announce_default_timing = *t;
}

static bool nic_selected(AnnounceTimer *at, NetClientState *nc)
{
    return !at->ifaces || g_strv_contains((const char *const *)at->ifaces,
                                          nc->name);
}

/* Sends one frame from @n, with a zero vnet header if the link uses one. */
static void nic_send(AnnounceNic *n)
{
    static const uint8_t zero_hdr[16];
    uint8_t frame[ANNOUNCE_FRAME_LEN];
    struct iovec iov[2];
    int cnt = 0;
    int hdr = n->nc->vnet_hdr_len;

    announce_rarp_frame(frame, n->mac);
    if (hdr > 0 && hdr <= (int)sizeof(zero_hdr)) {
        iov[cnt].iov_base = (void *)zero_hdr;
        iov[cnt++].iov_len = hdr;
    }
    iov[cnt].iov_base = frame;
    iov[cnt++].iov_len = sizeof(frame);
    trace_announce_self_send(n->nc->name);
    qemu_sendv_packet_async(n->nc, iov, cnt, NULL);
}

static void announce_timer_free(gpointer p)
{
    AnnounceTimer *at = p;

    timer_free(at->tm);
    g_strfreev(at->ifaces);
    g_free(at->id);
    g_free(at);
}

static void announce_round(void *opaque)
{
    AnnounceTimer *at = opaque;
    int64_t round = at->round++;

    trace_announce_self_round(at->id ? at->id : "(default)", round);
    for (GList *l = announce_nics; l; l = l->next) {
        AnnounceNic *n = l->data;

        if (nic_selected(at, n->nc)) {
            nic_send(n);
        }
    }
    if (at->round < at->timing.rounds) {
        timer_mod(at->tm, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                  announce_round_delay_ms(&at->timing, round));
    } else if (at->id) {
        g_hash_table_remove(announce_named, at->id);   /* frees @at */
    }
}

static AnnounceTimer *announce_timer_new(const char *id)
{
    AnnounceTimer *at = g_new0(AnnounceTimer, 1);

    at->id = g_strdup(id);
    at->tm = timer_new_ms(QEMU_CLOCK_REALTIME, announce_round, at);
    return at;
}

bool qemu_announce_self(const char *id, const AnnounceTiming *t,
                        const char *const *ifaces, Error **errp)
{
    AnnounceTimer *at;

    if (!announce_timing_check(t, errp)) {
        return false;
    }
    if (!announce_named) {
        announce_named = g_hash_table_new_full(g_str_hash, g_str_equal,
                                               NULL, announce_timer_free);
    }
    if (!id) {
        if (!announce_default) {
            announce_default = announce_timer_new(NULL);
        }
        at = announce_default;
    } else {
        at = g_hash_table_lookup(announce_named, id);
        if (!at && t->rounds) {
            at = announce_timer_new(id);
            g_hash_table_insert(announce_named, at->id, at);
        }
    }
    if (!at) {
        return true;
    }
    if (!t->rounds) {
        timer_del(at->tm);
        if (id) {
            g_hash_table_remove(announce_named, id);
        }
        return true;
    }
    at->timing = *t;
    at->round = 0;
    g_strfreev(at->ifaces);
    at->ifaces = ifaces ? g_strdupv((char **)ifaces) : NULL;
    timer_mod(at->tm, qemu_clock_get_ms(QEMU_CLOCK_REALTIME));
    return true;
}

void qemu_announce_self_default(void)
{
    qemu_announce_self(NULL, &announce_default_timing, NULL, &error_abort);
}

void qmp_announce_self(AnnounceParameters *p, Error **errp)
{
    AnnounceTiming t = {
        .initial = p->initial,
        .max = p->max,
        .rounds = p->rounds,
        .step = p->step,
    };
    g_autoptr(GPtrArray) names = NULL;

    if (p->has_interfaces) {
        names = g_ptr_array_new();
        for (strList *l = p->interfaces; l; l = l->next) {
            g_ptr_array_add(names, l->value);
        }
        g_ptr_array_add(names, NULL);
    }
    qemu_announce_self(p->has_id ? p->id : "", &t,
                       names ? (const char *const *)names->pdata : NULL,
                       errp);
}
