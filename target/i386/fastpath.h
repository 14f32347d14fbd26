/*
 * Decoded-instruction cache (fastpath.c).
 */
#ifndef TARGET_I386_FASTPATH_H
#define TARGET_I386_FASTPATH_H

#include "internal.h"

/*
 * x86_fast_exec (fastpath.c.inc, included by exec.c): execute the
 * instruction whose first byte is at @host (@avail bytes to the end of its
 * page) if it is a cached fast-path form; returns false otherwise.
 */
/*
 * Protect the page holding @host against unnoticed writes (SMC); false
 * if its instructions must not be cached (not RAM, or written recently).
 */
bool x86_mark_code_page(CPUX86State *env, const uint8_t *host);

/* epoch slot of the guest-physical (ram address) page holding @ram */
static inline unsigned x86_code_slot(ram_addr_t ram)
{
    return (ram >> TARGET_PAGE_BITS) % CODE_SLOTS;
}

/*
 * The epoch slot of the code page holding @host; false (slot 0) if @host
 * is not guest RAM.
 */
bool x86_code_page_slot(const uint8_t *host, unsigned *slot);

#endif
