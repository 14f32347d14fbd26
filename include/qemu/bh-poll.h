/*
 * Running a context's bottom halves from outside its main loop, for
 * code that must wait for work that completes through bottom halves
 * (the block layer's drain: request completions are bottom halves).
 */
#ifndef QEMU_BH_POLL_H
#define QEMU_BH_POLL_H

/**
 * aio_bh_poll: run the bottom halves scheduled in @ctx (NULL: the main
 * context) now, as the context's own iteration would (each at most once;
 * one scheduled while this runs waits for the next call).  The caller
 * holds the BQL.  Returns true if at least one ran.
 */
bool aio_bh_poll(GMainContext *ctx);

#endif
