/*
 * qemu-system-x86_64: process entry point.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/system.h"

int main(int argc, char **argv)
{
    return qemu_main(argc, argv);
}
