/*
 * Inside the PC platform: what pc.c (the board and the interrupt wiring)
 * and pc_acpi.c (the ACPI tables and namespace) hand each other.
 */
#ifndef PLATFORM_PC_ACPI_H
#define PLATFORM_PC_ACPI_H

#include "kern/compiler.h"
#include "kern/device.h"
#include "firmware/acpi/acpi.h"
#include "platform/pc_irq.h"

/* What the ACPI tables say; all zero/false without ACPI. */
struct pc_firmware {
	bool acpi;
	struct acpi_madt_info madt; /* nioapics 0: no usable MADT */
	bool have_fadt;
	struct acpi_fadt_info fadt;
	bool have_s5;
	uint8_t s5_typa, s5_typb;
};

/* Read the tables (RSDP, RSDT/XSDT, MADT, FADT, \_S5), then evaluate the
 * DSDT's and SSDTs' devices. */
const struct pc_firmware *pc_acpi_read(void);

/* Add a device for each present namespace device with an ID. */
void pc_acpi_add_devices(void);

/* Does the namespace describe a present device with this ID? */
bool pc_acpi_provides(const char *id);

/* Append irq, wired for the interrupt path in use, to a device being
 * described (its interrupt parent is set with it). */
void pc_desc_add_irq(struct device *desc, const struct pc_irq *irq);

/* Add a device described by desc (copied: descriptions stay const);
 * the platform's own facts (a COM port's clock, the PIT's role) are
 * added to it. NULL, said aloud, when there is no room. */
struct device *pc_device_add(const struct device *desc);

#endif
