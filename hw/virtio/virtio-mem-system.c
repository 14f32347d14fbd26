/*
 * VirtioMem over the system address space: what the devices use at run
 * time (the unit tests substitute a fake memory).  Accesses outside RAM
 * fail; the ring core turns that into a broken queue.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "hw/virtio/virtio.h"

static bool sys_read(void *opaque, uint64_t addr, void *buf, uint64_t len)
{
    return address_space_read(&address_space_memory, addr, buf, len) ==
           MEMTX_OK;
}

static bool sys_write(void *opaque, uint64_t addr, const void *buf,
                      uint64_t len)
{
    return address_space_write(&address_space_memory, addr, buf, len) ==
           MEMTX_OK;
}

static void *sys_map(void *opaque, uint64_t addr, uint64_t *len,
                     bool is_write)
{
    hwaddr plen = *len;
    void *p = address_space_map(&address_space_memory, addr, &plen,
                                is_write);

    *len = plen;
    return p;
}

static void sys_unmap(void *opaque, void *host, uint64_t len, bool is_write,
                      uint64_t access_len)
{
    address_space_unmap(&address_space_memory, host, len, is_write,
                        access_len);
}

const VirtioMemOps virtio_mem_system_ops = {
    .read = sys_read,
    .write = sys_write,
    .map = sys_map,
    .unmap = sys_unmap,
};
