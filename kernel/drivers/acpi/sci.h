/*
 * The ACPI SCI driver. Its device (from the FADT) has the I/O ranges
 * PM1a_EVT_BLK (status, then enable, each half its length), PM1a_CNT_BLK
 * and, when the chipset has a legacy mode to leave, SMI_CMD; then the
 * SCI as its interrupt.
 */
#ifndef DRIVERS_ACPI_SCI_H
#define DRIVERS_ACPI_SCI_H

#include "kern/compiler.h"
#include "firmware/acpi/gpe_block.h"

/* The SCI device's platform_data: the value written to SMI_CMD to
 * enter ACPI mode (the FADT's ACPI_ENABLE), and the FADT's GPE blocks
 * (count 0: none; drivers/acpi/gpe.h). */
struct acpi_sci_data {
	uint8_t acpi_enable;
	struct acpi_gpe_blocks gpe;
};

unsigned long acpi_sci_power_button_presses(void);

#endif
