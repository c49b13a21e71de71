/*
 * ACPI soft-off (S5) through the PM1 control blocks (ACPI 6.x, 7.4.2 and
 * 4.8.3.2.1). The platform describes it once, from the FADT and \_S5.
 */
#ifndef DRIVERS_ACPI_POWEROFF_H
#define DRIVERS_ACPI_POWEROFF_H

#include "kern/compiler.h"

struct acpi_s5 {
	uint16_t pm1a_cnt, pm1b_cnt; /* ports; pm1b_cnt 0 if absent */
	uint8_t slp_typa, slp_typb;  /* \_S5's package */
};

/* Remember how to enter S5 (the platform, at boot). */
void acpi_poweroff_init(const struct acpi_s5 *s5);

/* Enter S5; returns only if the machine is still on a while later, or
 * when S5 was never described. */
void acpi_poweroff(void);

#endif
