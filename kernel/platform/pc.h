/* The legacy PC, described as data (until ACPI tells us more). */
#ifndef PLATFORM_PC_H
#define PLATFORM_PC_H

#include "kern/compiler.h"
#include "kern/device.h"
#include "firmware/acpi/acpi.h"

struct pc_platform {
	const char *name;
	struct device *console; /* the UART the early console uses */
	uint32_t console_baud;
	uint16_t debug_exit_port; /* QEMU isa-debug-exit */
};

extern const struct pc_platform pc_platform;

/* The PIT device's platform_data: is it the tick, or only a reference
 * clock for calibrating the TSC (the LAPIC timer ticks)? */
struct pc_pit_data {
	bool tick;
	/* Port B (NMI status and control: channel 2 gate and output), which
	 * ACPI's PIT device does not list. */
	uint16_t port_b;
};

/*
 * Read the ACPI tables (MADT, FADT), add the PC's devices and register
 * the drivers that bind them. With a MADT and without `noapic` on the
 * command line the legacy devices' interrupts go through the I/O APIC
 * (ISA IRQs mapped to GSIs by the MADT's overrides) and the local APIC
 * timer ticks; otherwise through the 8259 pair with the PIT ticking.
 */
void pc_platform_init(void);

/* The ACPI tables found at boot, NULL without ACPI. */
const struct acpi *pc_acpi(void);

/* S5 through the FADT's PM1 control blocks; returns only on failure. */
void pc_acpi_poweroff(void);

#endif
