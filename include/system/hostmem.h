/*
 * Host memory backends: user-creatable objects that own guest RAM.
 *
 *   -object memory-backend-ram,id=pc.ram,size=128M
 *   -object memory-backend-memfd,id=mem0,size=1G,share=on
 *   -machine memory-backend=pc.ram
 *
 * Both types allocate one RAM block (include/exec/memory.h: memfd,
 * mapped once) named after the object's id when the object is
 * completed; the machine maps windows of it into guest memory.  A
 * backend in use by the machine cannot be deleted.
 */
#ifndef SYSTEM_HOSTMEM_H
#define SYSTEM_HOSTMEM_H

#include "qom/object.h"
#include "exec/memory.h"

#define TYPE_MEMORY_BACKEND "memory-backend"
#define TYPE_MEMORY_BACKEND_RAM "memory-backend-ram"
#define TYPE_MEMORY_BACKEND_MEMFD "memory-backend-memfd"

typedef struct HostMemoryBackend HostMemoryBackend;

/**
 * host_memory_backend_find: the backend object with -object id @id;
 * NULL with @errp set when there is none or it is not a memory backend.
 */
HostMemoryBackend *host_memory_backend_find(const char *id, Error **errp);
/** host_memory_backend_get_ram_block: the backend's RAM block. */
RAMBlock *host_memory_backend_get_ram_block(HostMemoryBackend *be);
uint64_t host_memory_backend_get_size(HostMemoryBackend *be);
/** host_memory_backend_set_used: mark it owned by the machine. */
void host_memory_backend_set_used(HostMemoryBackend *be, bool used);
bool host_memory_backend_is_used(HostMemoryBackend *be);

#endif
