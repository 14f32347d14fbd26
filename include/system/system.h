#ifndef SYSTEM_SYSTEM_H
#define SYSTEM_SYSTEM_H

/* Parses the command line, builds the machine and runs the main loop. */
int qemu_main(int argc, char **argv);

#endif
