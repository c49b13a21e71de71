/*
 * A PC interrupt's wiring, as pure code (host-tested): an interrupt as
 * the board or firmware names it, and the one function that turns it
 * into a resource on the interrupt path in use.
 */
#ifndef PLATFORM_PC_IRQ_H
#define PLATFORM_PC_IRQ_H

#include "kern/compiler.h"
#include "kern/device.h"
#include "firmware/acpi/acpi.h"

/*
 * An ISA IRQ (isa) or a GSI, with the polarity and trigger that hold
 * unless the MADT overrides them: the ISA bus's edge/high, a _CRS
 * descriptor's flags, the SCI's level/low.
 */
struct pc_irq {
	uint32_t line;
	bool isa;
	bool low, level;
	bool shared;
};

/*
 * The RES_IRQ for irq. madt NULL: the 8259 path, where an ISA IRQ is the
 * 8259's line as it is. Otherwise the APIC path: an ISA IRQ goes through
 * the MADT's Interrupt Source Override for it, if there is one (ACPI
 * 5.2.12.5): the override's GSI, and its polarity and trigger unless
 * those "conform to the bus", which keeps what irq says. A GSI stays.
 */
struct resource pc_irq_route(const struct acpi_madt_info *madt,
			     const struct pc_irq *irq);

#endif
