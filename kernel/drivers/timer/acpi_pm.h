/* The ACPI power-management timer as a reference clock. */
#ifndef DRIVERS_TIMER_ACPI_PM_H
#define DRIVERS_TIMER_ACPI_PM_H

#include "kern/compiler.h"
#include "kern/timer.h"

/*
 * The PM timer at I/O port `port` (the FADT's PM_TMR_BLK), 32 bits wide
 * if the FADT sets TMR_VAL_EXT, else 24. NULL for port 0.
 */
const struct timer_reference *acpi_pm_reference(uint32_t port, bool ext32);

#endif
