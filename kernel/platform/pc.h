/* The PC platform: the legacy board as data, completed by ACPI. */
#ifndef PLATFORM_PC_H
#define PLATFORM_PC_H

#include "kern/compiler.h"
#include "kern/device.h"

struct pc_platform {
	const struct device *console; /* the UART the early console uses */
	uint32_t console_baud;
	uint16_t debug_exit_port; /* QEMU isa-debug-exit */
};

extern const struct pc_platform pc_platform;

/*
 * Read the ACPI tables, add the PC's devices and register the drivers
 * that bind them. With a MADT and without `noapic` on the command line
 * the legacy devices' interrupts go through the I/O APIC (ISA IRQs mapped
 * to GSIs by the MADT's overrides) and the local APIC timer ticks;
 * otherwise through the 8259 pair with the PIT ticking. Either way the
 * TSC keeps time, measured against the PIT before any driver probes.
 */
void pc_platform_init(void);

#endif
