/* The legacy PC, described as data (until ACPI tells us more). */
#ifndef PLATFORM_PC_H
#define PLATFORM_PC_H

#include "kern/compiler.h"
#include "kern/device.h"

struct pc_platform {
	const char *name;
	struct device *console; /* the UART the early console uses */
	uint32_t console_baud;
	uint16_t debug_exit_port; /* QEMU isa-debug-exit */
};

extern const struct pc_platform pc_platform;

/* Add the PC's fixed devices and register the drivers that bind them. */
void pc_platform_init(void);

#endif
