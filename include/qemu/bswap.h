/*
 * Big-endian (network order) loads and stores at unaligned addresses:
 * packet headers and firmware tables.
 */
#ifndef QEMU_BSWAP_H
#define QEMU_BSWAP_H

static inline uint16_t lduw_be_p(const void *ptr)
{
    const uint8_t *p = ptr;

    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t ldl_be_p(const void *ptr)
{
    const uint8_t *p = ptr;

    return ((uint32_t)lduw_be_p(p) << 16) | lduw_be_p(p + 2);
}

static inline void stw_be_p(void *ptr, uint16_t v)
{
    uint8_t *p = ptr;

    p[0] = v >> 8;
    p[1] = v;
}

static inline void stl_be_p(void *ptr, uint32_t v)
{
    uint8_t *p = ptr;

    stw_be_p(p, v >> 16);
    stw_be_p(p + 2, v);
}

#endif
