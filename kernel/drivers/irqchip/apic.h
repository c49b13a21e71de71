/* What the local APIC, the I/O APICs and the PC platform share. */
#ifndef DRIVERS_IRQCHIP_APIC_H
#define DRIVERS_IRQCHIP_APIC_H

#include "kern/compiler.h"

#define APIC_MAX_GSI 64 /* GSIs the I/O APIC driver routes */

/* The platform's description of an I/O APIC (device platform_data). */
struct apic_ioapic_data {
	uint32_t gsi_base;
};

/* The platform's description of the local APIC (device platform_data). */
struct apic_lapic_data {
	/* LINT0/LINT1 wired as NMI (from the MADT's Local APIC NMI). */
	bool lint_nmi[2];
	bool lint_nmi_low[2];
	bool lint_nmi_level[2];
};

void lapic_eoi(void);
uint32_t lapic_id(void);

#endif
