/*
 * A minimal machine for CPU tests: one RAM block mapped at guest physical
 * 0, identity page tables for the first 4 GiB (2 MiB pages, user
 * accessible), a Linux-like GDT, a debug console on port 0xE9 and an exit
 * port at 0xF4 (a 32-bit write stops the run with that exit code).
 *
 * Layout: GDT 0x500, TSS 0x600, PML4 0x9000, PDPT 0xa000, PDs 0xb000-
 * 0xefff, stack top 0x80000, programs at 0x100000.
 */
#ifndef TESTS_UNIT_X86_HARNESS_H
#define TESTS_UNIT_X86_HARNESS_H

#include "target/i386/cpu.h"

#define XT_GDT      0x500
#define XT_TSS      0x600
#define XT_PML4     0x9000
#define XT_STACK    0x80000
#define XT_LOAD     0x100000
#define XT_KERNEL_CS 0x10
#define XT_KERNEL_DS 0x18
#define XT_USER_DS  0x2b
#define XT_USER_CS  0x33
#define XT_TSS_SEL  0x40

typedef struct X86TestMachine {
    RAMBlock *ram;
    MemoryRegion ram_mr;
    uint8_t *host;
    uint64_t ram_size;
    CPUX86State *env;
    X86CPUHooks hooks;
    GString *console;
    bool exited;
    uint32_t exit_code;
    int64_t clock_ns;
    unsigned resets;
    int pending_vector;     /* for get_interrupt_vector, -1 none */
} X86TestMachine;

void xt_init(X86TestMachine *m, uint64_t ram_size);
void xt_cleanup(X86TestMachine *m);
/* load tests/unit/x86/<name>.bin from the build dir at @addr */
void xt_load_prog(X86TestMachine *m, const char *name, uint64_t addr);
/* run until exit port, reset or @max instructions */
X86ExecExit xt_run(X86TestMachine *m, uint64_t max);

/*
 * Register @fn twice: as @path with decoded blocks only interpreted
 * (env->jit_hot 0) and as @path/native with every block compiled to
 * native code on its first run (jit_hot 1), on machine @m.
 */
void xt_add_func_jit(X86TestMachine *m, const char *path, void (*fn)(void));

#endif
