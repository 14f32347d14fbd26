/*
 * vl.c: command line to running machine.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/system.h"
#include "config-host.h"

int qemu_main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-version") == 0 ||
            strcmp(argv[i], "--version") == 0) {
            printf("QEMU emulator version %s (%s)\n", TANDEM_VERSION,
                   TANDEM_PKGVERSION);
            return 0;
        }
    }
    error_report("no machine to run yet");
    return 1;
}
