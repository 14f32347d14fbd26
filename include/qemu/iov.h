/*
 * I/O vectors: a scatter/gather list of host buffers.
 *
 * QEMUIOVector owns the iovec array (never the buffers it points at):
 *
 *   qiov.iov[0] = { base0, len0 }    qiov.niov  entries in use
 *   qiov.iov[1] = { base1, len1 }    qiov.nalloc entries allocated
 *   ...                              qiov.size  sum of all lengths
 *
 * qemu_iovec_init_buf() makes a one-element vector over a buffer without
 * allocating (nalloc == -1: nothing to free; the element lives inside
 * the struct, so such a vector must not be copied by value).
 */
#ifndef QEMU_IOV_H
#define QEMU_IOV_H

#include <sys/uio.h>

typedef struct QEMUIOVector {
    struct iovec *iov;
    int niov;
    int nalloc;
    size_t size;
    struct iovec local;
} QEMUIOVector;

/**
 * iov_size: total length of @niov elements of @iov.
 */
size_t iov_size(const struct iovec *iov, unsigned int niov);

/**
 * iov_from_buf: copy @bytes of @buf into @iov starting at @offset.
 * Returns: the number of bytes copied (less if @iov is shorter).
 */
size_t iov_from_buf(const struct iovec *iov, unsigned int niov,
                    size_t offset, const void *buf, size_t bytes);

/**
 * iov_to_buf: copy @bytes of @iov starting at @offset into @buf.
 * Returns: the number of bytes copied.
 */
size_t iov_to_buf(const struct iovec *iov, unsigned int niov,
                  size_t offset, void *buf, size_t bytes);

/**
 * iov_memset: fill @bytes of @iov from @offset with @c.
 * Returns: the number of bytes set.
 */
size_t iov_memset(const struct iovec *iov, unsigned int niov,
                  size_t offset, int c, size_t bytes);

/** qemu_iovec_init: empty vector with room for @alloc_hint elements. */
void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint);

/** qemu_iovec_init_buf: one-element vector over @buf (no allocation). */
void qemu_iovec_init_buf(QEMUIOVector *qiov, void *buf, size_t len);

/** qemu_iovec_add: append @len bytes at @base. */
void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len);

/**
 * qemu_iovec_concat: append the range [@soffset, @soffset + @sbytes) of
 * @src to @dst (the buffers are shared, not copied).
 */
void qemu_iovec_concat(QEMUIOVector *dst, QEMUIOVector *src,
                       size_t soffset, size_t sbytes);

/** qemu_iovec_reset: drop all elements (keeps the allocation). */
void qemu_iovec_reset(QEMUIOVector *qiov);

/** qemu_iovec_destroy: free the iovec array. */
void qemu_iovec_destroy(QEMUIOVector *qiov);

/** qemu_iovec_to_buf: copy @bytes from @offset of @qiov into @buf. */
size_t qemu_iovec_to_buf(QEMUIOVector *qiov, size_t offset,
                         void *buf, size_t bytes);

/** qemu_iovec_from_buf: copy @bytes of @buf into @qiov at @offset. */
size_t qemu_iovec_from_buf(QEMUIOVector *qiov, size_t offset,
                           const void *buf, size_t bytes);

/** qemu_iovec_memset: fill @bytes of @qiov from @offset with @c. */
size_t qemu_iovec_memset(QEMUIOVector *qiov, size_t offset, int c,
                         size_t bytes);

/** qemu_iovec_is_zero: true if the @bytes from @offset are all zero. */
bool qemu_iovec_is_zero(QEMUIOVector *qiov, size_t offset, size_t bytes);

#endif
