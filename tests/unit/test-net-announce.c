/*
 * Self-announce core: the RARP frame byte for byte, the round schedule
 * (defaults, cap, overflow) and parameter bounds.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "net/announce.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static void test_frame_bytes(void)
{
    static const uint8_t want[ANNOUNCE_FRAME_LEN] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,         /* broadcast */
        0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,         /* source */
        0x80, 0x35,                                 /* RARP */
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04,         /* Ethernet/IPv4 */
        0x00, 0x03,                                 /* reverse request */
        0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,         /* sha */
        0x00, 0x00, 0x00, 0x00,                     /* spa */
        0x52, 0x54, 0x00, 0xab, 0xcd, 0xef,         /* tha */
        0x00, 0x00, 0x00, 0x00,                     /* tpa */
        /* 18 bytes of padding: zero */
    };
    uint8_t buf[ANNOUNCE_FRAME_LEN];

    memset(buf, 0x5a, sizeof(buf));
    g_assert_cmpuint(announce_rarp_frame(buf, mac), ==, 60);
    g_assert_cmpmem(buf, sizeof(buf), want, sizeof(want));
}

static void test_schedule_default(void)
{
    static const int64_t want[] = { 50, 150, 250, 350, 450 };
    const AnnounceTiming *t = &announce_timing_default;

    g_assert_cmpint(t->rounds, ==, 5);
    for (int i = 0; i < 5; i++) {
        g_assert_cmpint(announce_round_delay_ms(t, i), ==, want[i]);
    }
    /* past max (550) the gap stays at max */
    g_assert_cmpint(announce_round_delay_ms(t, 5), ==, 550);
    g_assert_cmpint(announce_round_delay_ms(t, 50), ==, 550);
}

static void test_schedule_capped(void)
{
    AnnounceTiming t = { .initial = 50, .max = 200, .rounds = 5,
                         .step = 100 };
    AnnounceTiming over = { .initial = 700, .max = 300, .rounds = 3,
                            .step = 0 };
    AnnounceTiming huge = { .initial = 1, .max = 42, .rounds = 3,
                            .step = INT64_MAX };

    g_assert_cmpint(announce_round_delay_ms(&t, 0), ==, 50);
    g_assert_cmpint(announce_round_delay_ms(&t, 1), ==, 150);
    g_assert_cmpint(announce_round_delay_ms(&t, 2), ==, 200);
    g_assert_cmpint(announce_round_delay_ms(&t, 3), ==, 200);
    /* initial above max: max, as in QEMU */
    g_assert_cmpint(announce_round_delay_ms(&over, 0), ==, 300);
    /* overflow: max */
    g_assert_cmpint(announce_round_delay_ms(&huge, 2), ==, 42);
}

static void test_timing_check(void)
{
    AnnounceTiming t = announce_timing_default;
    Error *err = NULL;

    g_assert_true(announce_timing_check(&t, &error_abort));
    t.rounds = 0;               /* cancels: valid */
    g_assert_true(announce_timing_check(&t, &error_abort));
    t.rounds = 1001;
    g_assert_false(announce_timing_check(&t, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'rounds' expects a value between 0 and 1000");
    error_free(err);
    err = NULL;
    t = announce_timing_default;
    t.initial = -1;
    g_assert_false(announce_timing_check(&t, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'initial' expects a value between 0 and "
                    "100000");
    error_free(err);
    err = NULL;
    t = announce_timing_default;
    t.step = 10001;
    g_assert_false(announce_timing_check(&t, &err));
    error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net/announce/frame-bytes", test_frame_bytes);
    g_test_add_func("/net/announce/schedule-default", test_schedule_default);
    g_test_add_func("/net/announce/schedule-capped", test_schedule_capped);
    g_test_add_func("/net/announce/timing-check", test_timing_check);
    return g_test_run();
}
