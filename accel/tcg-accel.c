/*
 * Hooks the vCPU pause/resume protocol into the run-state code (vm_stop,
 * vm_start).  Called once by the machine after creating its vCPU.
 */
#include "qemu/osdep.h"
#include "system/runstate.h"
#include "hw/core/cpu.h"

static const VMRunHooks cpu_run_hooks = {
    .pause_all = cpu_pause_all,
    .resume_all = cpu_resume_all,
};

void cpus_register_run_hooks(void)
{
    runstate_set_run_hooks(&cpu_run_hooks);
}
