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

/*
 * Bring the namespace up (_REG, \_PIC(1) when apic else \_PIC(0),
 * _STA/_INI: ACPI 6.5, 6.5.1-6.5.4), then add a device for each present
 * namespace device with an ID (its node's data is the struct device).
 */
void pc_acpi_add_devices(bool apic);

struct aml_ns;
/*
 * The AML namespace, locked (the interpreter is not reentrant: every
 * evaluation after boot, the SCI thread's GPE methods among them, holds
 * this): NULL (and nothing locked) without one. Thread context only.
 */
struct aml_ns *pc_acpi_namespace_lock(void);
void pc_acpi_namespace_unlock(void);

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
