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

/* The platform's description of the local APIC timer (platform_data):
 * the TSC's rate, measured before any driver probes; 0 if unknown. */
struct apic_timer_data {
	uint64_t tsc_hz;
};

void lapic_eoi(void);
uint32_t lapic_id(void);

/* The version register (IOAPICVER) of the I/O APIC at MMIO address addr,
 * read before its device is probed, so that the platform can judge it
 * (the caller checks that addr is mapped and not RAM). */
uint32_t ioapic_read_version(uintptr_t addr);

#endif
