/*
 * Machines: a MachineClass per board type ("none", "pc-i440fx-7.2"),
 * registered as QOM types named "<name>-machine" like QEMU's, and one
 * MachineState instance at /machine built from -machine, -m, -smp,
 * -kernel, -initrd, -append and -accel.
 */
#ifndef HW_BOARDS_H
#define HW_BOARDS_H

#include "qom/object.h"

#define TYPE_MACHINE "machine"
#define TYPE_MACHINE_SUFFIX "-machine"
#define MACHINE_TYPE_NAME(machinename) (machinename TYPE_MACHINE_SUFFIX)

OBJECT_DECLARE_TYPE(MachineState, MachineClass, MACHINE)

struct MachineClass {
    ObjectClass parent_class;

    /*
     * "pc-i440fx-7.2": derived from the type name "<name>-machine" by
     * the base class; boards do not set it.
     */
    const char *name;
    const char *alias;           /* "pc" */
    const char *desc;
    bool is_default;
    bool deprecated;
    int max_cpus;
    bool hotpluggable_cpus;
    bool numa_mem_supported;
    const char *default_cpu_type;
    const char *default_ram_id;
    uint64_t default_ram_size;
    bool no_cpus;                 /* "none": no vCPU unless -cpu given */
    /* Builds the board; called once with the big lock held. */
    bool (*init)(MachineState *ms, Error **errp);
    /* Guest power button (system_powerdown). */
    void (*powerdown)(MachineState *ms);
};

struct MachineState {
    Object parent_obj;

    char *accel;            /* "tcg", "kvm", "kvm:tcg" */
    char *cpu_type;         /* from -cpu, NULL = default */
    char *cpu_model;        /* -cpu argument as given */
    uint64_t ram_size;
    bool ram_size_explicit; /* -m was given */
    char *ram_backend_id;   /* -machine memory-backend= */
    int smp_cpus;
    char *kernel_filename;
    char *initrd_filename;
    char *kernel_cmdline;
    bool acpi;              /* -no-acpi clears it */
    GPtrArray *serials;     /* Chardev * of -serial, in port order */
    Object *cpu;            /* the vCPU object, NULL for "none" */
    int64_t cpu_thread_id;  /* host thread id of the vCPU */
    void *board;            /* the board's own state */
};

MachineState *current_machine_get(void);
void current_machine_set(MachineState *ms);
/* Finds a machine class by name or alias; NULL if none. */
MachineClass *machine_class_find(const char *name);
MachineClass *machine_class_default(void);
GSList *machine_class_list(void);

/* query-cpus-fast / query-hotpluggable-cpus over the machine's vCPUs. */
struct CpuInfoFastList *machine_query_cpus_fast(MachineState *ms);
struct HotpluggableCPUList *machine_query_hotpluggable_cpus(
    MachineState *ms);

#endif
