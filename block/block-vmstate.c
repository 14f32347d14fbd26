/*
 * Drain the block layer when the VM stops running.  Stop handlers run
 * after the vCPUs are parked, so no new request can start; draining
 * waits for the ones in flight and runs their completions (which
 * write guest RAM and used rings) before migration or COLO touch RAM.
 */
#include "qemu/osdep.h"
#include "block/block.h"
#include "block/block-vmstate.h"
#include "system/runstate.h"
#include "trace/trace-block.h"

static VMChangeStateEntry *block_vmstate_entry;

static void block_vm_state_changed(void *opaque, bool running,
                                   RunState state)
{
    if (running) {
        return;
    }
    trace_block_vmstate_drain(RunState_str(state));
    bdrv_drain_all();
}

void block_vmstate_init(void)
{
    if (!block_vmstate_entry) {
        block_vmstate_entry =
            qemu_add_vm_change_state_handler(block_vm_state_changed, NULL);
    }
}

static void __attribute__((constructor)) block_vmstate_ctor(void)
{
    block_vmstate_init();
}
