/*
 * The block layer and the VM's run state: when the VM stops (pause,
 * migration's stop-and-copy, a COLO checkpoint), every request in
 * flight is completed first, so no read can land in guest RAM after
 * the RAM was saved or loaded.
 */
#ifndef BLOCK_BLOCK_VMSTATE_H
#define BLOCK_BLOCK_VMSTATE_H

/**
 * block_vmstate_init: register the block layer's VM change state
 * handler (bdrv_drain_all() when the VM stops running).  Idempotent;
 * runs at start-up in the binary.
 */
void block_vmstate_init(void);

#endif
