/*
 * Whether the PC's APIC path can carry the ISA interrupts the board
 * needs, as pure code (host-tested): pc.c reads each I/O APIC's version
 * register first (or marks it unreadable), then asks this; when the
 * answer is no, interrupts go through the 8259 pair instead, and the boot
 * says why.
 */
#ifndef PLATFORM_PC_APIC_CHECK_H
#define PLATFORM_PC_APIC_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "firmware/acpi/acpi.h"

/* The version register of an I/O APIC that could not be read (an
 * address the page tables do not map, or RAM): as a bus reads nothing. */
#define PC_IOAPIC_UNREADABLE 0xffffffffu

/*
 * IOAPICVER (82093AA datasheet 3.2.2): version in bits 7:0 (0x11 on the
 * 82093AA, 0x20 on later chipsets: 0x1x-0x2x are integrated APICs),
 * Maximum Redirection Entry in 23:16, bits 31:24 reserved (zero). All-ones
 * (nothing answered) and a version outside that range are implausible.
 */
bool pc_ioapic_version_plausible(uint32_t ver);

/* The pins an I/O APIC with version register ver has: MRE + 1. */
unsigned int pc_ioapic_pins(uint32_t ver);

enum pc_apic_verdict_kind {
	PC_APIC_OK,
	PC_APIC_NO_IOAPIC,  /* the MADT lists none */
	PC_APIC_BAD_IOAPIC, /* ioapic: its version register is implausible */
	PC_APIC_NO_PIN,	    /* isa_irq's GSI is on no usable I/O APIC */
};

struct pc_apic_verdict {
	enum pc_apic_verdict_kind kind;
	unsigned int ioapic; /* PC_APIC_BAD_IOAPIC: which (MADT order) */
	uint32_t ver;	     /* PC_APIC_BAD_IOAPIC: what it read */
	uint8_t isa_irq;     /* PC_APIC_NO_PIN: the IRQ, and its GSI */
	uint32_t gsi;
};

/*
 * Judge the APIC path: madt's I/O APICs with ver[i] their version
 * registers (PC_IOAPIC_UNREADABLE when unread), and the ISA IRQs that
 * must have a pin (need, n of them: the console's, the keyboard's, ...).
 * An implausible I/O APIC is reported (the first one) only when a needed
 * IRQ is left without a pin by it; one that serves nothing needed is
 * not a reason to give up the APIC path. True if every needed IRQ lands
 * (after the MADT's overrides) on a pin of a plausible I/O APIC.
 */
bool pc_apic_check(const struct acpi_madt_info *madt, const uint32_t *ver,
		   const uint8_t *need, unsigned int n,
		   struct pc_apic_verdict *out);

#endif
