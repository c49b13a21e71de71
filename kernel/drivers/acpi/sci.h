/* The ACPI SCI driver's platform data and its one counter. */
#ifndef DRIVERS_ACPI_SCI_H
#define DRIVERS_ACPI_SCI_H

#include "kern/compiler.h"

struct acpi_sci_data {
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint32_t pm1a_evt, pm1a_cnt;
	uint8_t pm1_evt_len;
};

unsigned long acpi_sci_power_button_presses(void);

#endif
