/*
 * COLO proxy chardev framing: decoder fed in arbitrary pieces, encoder,
 * bounds and error handling.
 */
#include "qemu/osdep.h"
#include "net/colo-framing.h"

typedef struct Frame {
    GByteArray *data;
    size_t vnet_hdr_len;
} Frame;

static void collect(void *opaque, const uint8_t *frame, size_t len,
                    size_t vnet_hdr_len)
{
    GArray *frames = opaque;
    Frame f = { g_byte_array_new(), vnet_hdr_len };

    g_byte_array_append(f.data, frame, len);
    g_array_append_val(frames, f);
}

static void frames_free(GArray *frames)
{
    guint i;

    for (i = 0; i < frames->len; i++) {
        g_byte_array_unref(g_array_index(frames, Frame, i).data);
    }
    g_array_free(frames, true);
}

/* Builds a stream of @n frames of varying sizes (some empty). */
static GByteArray *make_stream(bool vnet, unsigned n, GPtrArray *expect)
{
    GByteArray *s = g_byte_array_new();
    unsigned i;

    for (i = 0; i < n; i++) {
        size_t len = (i * 397) % 1600;
        size_t vlen = vnet && len >= 12 ? 12 : 0;
        GByteArray *f = g_byte_array_sized_new(len);
        size_t j;

        for (j = 0; j < len; j++) {
            uint8_t b = (uint8_t)(i * 7 + j);

            g_byte_array_append(f, &b, 1);
        }
        g_assert_true(colo_frame_encode(s, vnet, f->data, len, vlen,
                                        &error_abort));
        g_ptr_array_add(expect, f);
    }
    return s;
}

static void check_frames(GArray *got, GPtrArray *expect, bool vnet)
{
    guint i;

    g_assert_cmpuint(got->len, ==, expect->len);
    for (i = 0; i < got->len; i++) {
        Frame *f = &g_array_index(got, Frame, i);
        GByteArray *e = g_ptr_array_index(expect, i);

        g_assert_cmpmem(f->data->data, f->data->len, e->data, e->len);
        g_assert_cmpuint(f->vnet_hdr_len, ==,
                         vnet && e->len >= 12 ? 12 : 0);
    }
}

static void run_chunked(bool vnet, const size_t *chunks, size_t nchunks)
{
    g_autoptr(GPtrArray) expect =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    GByteArray *s = make_stream(vnet, 40, expect);
    GArray *got = g_array_new(false, false, sizeof(Frame));
    ColoFrameDecoder d;
    size_t off = 0, k = 0;

    colo_frame_decoder_init(&d, vnet);
    while (off < s->len) {
        size_t n = chunks[k++ % nchunks];

        n = MIN(n, s->len - off);

        g_assert_true(colo_frame_decoder_feed(&d, s->data + off, n, collect,
                                              got, &error_abort));
        off += n;
    }
    check_frames(got, expect, vnet);
    g_assert_cmpuint(d.state, ==, COLO_FRAME_STATE_LEN);
    colo_frame_decoder_destroy(&d);
    frames_free(got);
    g_byte_array_unref(s);
}

static void test_byte_by_byte(void)
{
    static const size_t one[] = { 1 };

    run_chunked(false, one, 1);
    run_chunked(true, one, 1);
}

static void test_odd_chunks(void)
{
    static const size_t odd[] = { 3, 7, 1, 4096, 5, 2, 1500, 11, 8, 9 };

    run_chunked(false, odd, G_N_ELEMENTS(odd));
    run_chunked(true, odd, G_N_ELEMENTS(odd));
}

static void test_whole_stream(void)
{
    static const size_t all[] = { 1 << 30 };

    run_chunked(false, all, 1);
    run_chunked(true, all, 1);
}

static void test_wire_format(void)
{
    static const uint8_t payload[] = { 0xaa, 0xbb, 0xcc };
    static const uint8_t want_plain[] = { 0, 0, 0, 3, 0xaa, 0xbb, 0xcc };
    static const uint8_t want_vnet[] = { 0, 0, 0, 3, 0, 0, 0, 2,
                                         0xaa, 0xbb, 0xcc };
    g_autoptr(GByteArray) a = g_byte_array_new();
    g_autoptr(GByteArray) b = g_byte_array_new();

    g_assert_true(colo_frame_encode(a, false, payload, 3, 0, &error_abort));
    g_assert_cmpmem(a->data, a->len, want_plain, sizeof(want_plain));
    g_assert_true(colo_frame_encode(b, true, payload, 3, 2, &error_abort));
    g_assert_cmpmem(b->data, b->len, want_vnet, sizeof(want_vnet));
}

static void test_zero_length(void)
{
    static const uint8_t zero[] = { 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4 };
    GArray *got = g_array_new(false, false, sizeof(Frame));
    ColoFrameDecoder d;

    colo_frame_decoder_init(&d, false);
    g_assert_true(colo_frame_decoder_feed(&d, zero, sizeof(zero), collect,
                                          got, &error_abort));
    g_assert_cmpuint(got->len, ==, 2);
    g_assert_cmpuint(g_array_index(got, Frame, 0).data->len, ==, 0);
    g_assert_cmpuint(g_array_index(got, Frame, 1).data->len, ==, 4);
    colo_frame_decoder_destroy(&d);
    frames_free(got);
}

static void expect_error(bool vnet, const uint8_t *bytes, size_t n)
{
    GArray *got = g_array_new(false, false, sizeof(Frame));
    Error *err = NULL;
    ColoFrameDecoder d;
    size_t i;
    bool ok = true;

    colo_frame_decoder_init(&d, vnet);
    for (i = 0; i < n && ok; i++) {
        ok = colo_frame_decoder_feed(&d, bytes + i, 1, collect, got, &err);
    }
    g_assert_false(ok);
    error_free_or_abort(&err);
    g_assert_cmpuint(got->len, ==, 0);
    /* stays in error until reset */
    g_assert_false(colo_frame_decoder_feed(&d, bytes, 1, collect, got,
                                           NULL));
    colo_frame_decoder_reset(&d);
    g_assert_true(colo_frame_decoder_feed(&d, (const uint8_t *)"\0\0\0\0",
                                          vnet ? 4 : 4, collect, got,
                                          &error_abort));
    colo_frame_decoder_destroy(&d);
    frames_free(got);
}

static void test_bounds(void)
{
    uint8_t too_long[4], ok_len[8], vnet_big[8], vnet_over[8];
    g_autoptr(GByteArray) s = g_byte_array_new();
    Error *err = NULL;
    uint8_t *big = g_malloc0(COLO_FRAME_MAX_LEN + 1);
    GArray *got = g_array_new(false, false, sizeof(Frame));
    ColoFrameDecoder d;

    colo_wr32(too_long, COLO_FRAME_MAX_LEN + 1);
    expect_error(false, too_long, 4);
    colo_wr32(too_long, 0xffffffff);
    expect_error(false, too_long, 4);

    colo_wr32(vnet_big, 100);
    colo_wr32(vnet_big + 4, COLO_VNET_HDR_MAX + 1);
    expect_error(true, vnet_big, 8);
    colo_wr32(vnet_over, 10);
    colo_wr32(vnet_over + 4, 12);       /* vnet header longer than frame */
    expect_error(true, vnet_over, 8);

    /* exactly the maximum is accepted */
    colo_wr32(ok_len, COLO_FRAME_MAX_LEN);
    colo_frame_decoder_init(&d, false);
    g_assert_true(colo_frame_decoder_feed(&d, ok_len, 4, collect, got,
                                          &error_abort));
    g_assert_true(colo_frame_decoder_feed(&d, big, COLO_FRAME_MAX_LEN,
                                          collect, got, &error_abort));
    g_assert_cmpuint(got->len, ==, 1);
    colo_frame_decoder_destroy(&d);

    /* the encoder refuses what the decoder would refuse */
    g_assert_false(colo_frame_encode(s, false, big, COLO_FRAME_MAX_LEN + 1,
                                     0, &err));
    error_free_or_abort(&err);
    g_assert_false(colo_frame_encode(s, false, big, 10, 4, &err));
    error_free_or_abort(&err);
    g_assert_cmpuint(s->len, ==, 0);
    g_free(big);
    frames_free(got);
}

static void count_frame(void *opaque, const uint8_t *frame, size_t len,
                        size_t vnet_hdr_len)
{
    unsigned *n = opaque;

    g_assert_cmpuint(len, <=, COLO_FRAME_MAX_LEN);
    g_assert_cmpuint(vnet_hdr_len, <=, len);
    if (len) {
        /* touch both ends: ASan builds catch an overrun */
        g_assert_cmpuint(frame[0] | frame[len - 1], <=, 255);
    }
    (*n)++;
}

static void test_fuzz(void)
{
    GRand *r = g_rand_new_with_seed(42);
    uint8_t data[512];
    unsigned frames = 0, errors = 0, i, k;
    ColoFrameDecoder d;

    colo_frame_decoder_init(&d, true);
    for (i = 0; i < 20000; i++) {
        size_t n = g_rand_int_range(r, 0, sizeof(data));

        for (k = 0; k < n; k++) {
            /* mostly small values so that lengths are often plausible */
            data[k] = g_rand_int_range(r, 0, 8) ? g_rand_int_range(r, 0, 4)
                                                : g_rand_int(r);
        }
        if (!colo_frame_decoder_feed(&d, data, n, count_frame, &frames,
                                     NULL)) {
            errors++;
            colo_frame_decoder_reset(&d);
            d.vnet_hdr = g_rand_boolean(r);
        }
    }
    g_assert_cmpuint(frames, >, 0);
    g_assert_cmpuint(errors, >, 0);
    colo_frame_decoder_destroy(&d);
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/colo/framing/byte-by-byte", test_byte_by_byte);
    g_test_add_func("/colo/framing/odd-chunks", test_odd_chunks);
    g_test_add_func("/colo/framing/whole-stream", test_whole_stream);
    g_test_add_func("/colo/framing/wire-format", test_wire_format);
    g_test_add_func("/colo/framing/zero-length", test_zero_length);
    g_test_add_func("/colo/framing/bounds", test_bounds);
    g_test_add_func("/colo/framing/fuzz", test_fuzz);
    return g_test_run();
}
