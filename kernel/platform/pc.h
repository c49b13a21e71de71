/* The legacy PC, described as data (until ACPI tells us more). */
#ifndef PLATFORM_PC_H
#define PLATFORM_PC_H

#include "kern/compiler.h"

struct pc_platform {
	const char *name;
	uint16_t com_ports[4]; /* COM1..COM4, probed for presence */
	uint32_t console_baud;
	uint16_t debug_exit_port; /* QEMU isa-debug-exit */
};

extern const struct pc_platform pc_platform;

#endif
