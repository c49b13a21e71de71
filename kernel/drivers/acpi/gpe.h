/*
 * General-purpose events on the SCI (ACPI 6.5, 4.8.4.1 the registers,
 * 5.6.4 "General-Purpose Event Handling", 5.6.4.1 the _Lxx/_Exx
 * methods). The SCI driver (sci.c) owns them:
 *
 *   probe    acpi_gpe_init: every GPE disabled, every status cleared;
 *            then each \_GPE._Lxx / _Exx method's GPE enabled
 *   primary  acpi_gpe_pending: any status bit whose enable bit is set
 *   thread   acpi_gpe_dispatch: each pending GPE masked, then
 *              edge:  status cleared, _Exx run
 *              level: _Lxx run, status cleared
 *            and unmasked; one with no method stays disabled, said
 *
 * The methods run in the SCI's interrupt thread, with the namespace
 * locked: they may sleep (Sleep, Acquire), and their Notify operations
 * are delivered afterwards (notify.h).
 */
#ifndef DRIVERS_ACPI_GPE_H
#define DRIVERS_ACPI_GPE_H

#include "kern/compiler.h"
#include "firmware/acpi/gpe_block.h"

/* Map the blocks, quiet every GPE, enable those with methods. 0, or
 * -ENODEV (no blocks, or none mappable), -ENOMEM. */
int acpi_gpe_init(const struct acpi_gpe_blocks *blocks);

/* Hard interrupt context: is a GPE's status set while it is enabled? */
bool acpi_gpe_pending(void);

/* The SCI thread: handle what is pending (bounded); the number of GPEs
 * handled. */
unsigned int acpi_gpe_dispatch(void);

/* The shell's view: the blocks, then each GPE enabled or seen. */
void acpi_gpe_print(void);

#endif
