/*
 * COLO failover state machine (QAPI FailoverStatus):
 *
 *   none --x-colo-lost-heartbeat--> require --> active --> completed
 *
 * x-colo-lost-heartbeat runs the whole failover under the BQL; the
 * secondary applies a checkpoint with the BQL held, so a failover never
 * interleaves with a load and "relaunch" is not needed.
 */
#include "qemu/osdep.h"
#include "migration/colo-int.h"
#include "trace/trace-migration.h"

static int failover_state = FAILOVER_STATUS_NONE;

FailoverStatus failover_get_state(void)
{
    return g_atomic_int_get(&failover_state);
}

FailoverStatus failover_set_state(FailoverStatus old,
                                  FailoverStatus new_state)
{
    int found = old;

    if (g_atomic_int_compare_and_exchange_full(&failover_state, old,
                                               new_state, &found)) {
        trace_colo_failover_set_state(FailoverStatus_str(old),
                                      FailoverStatus_str(new_state));
    }
    return found;
}

void failover_reset(void)
{
    g_atomic_int_set(&failover_state, FAILOVER_STATUS_NONE);
}
