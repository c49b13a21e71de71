/*
 * The ACPI power-management timer (ACPI 6.x, 4.8.3.3 "Power Management
 * Timer"): a free-running counter at 3.579545 MHz, 24 bits, or 32 when
 * the FADT's TMR_VAL_EXT flag is set; read as one 32-bit port access
 * from PM_TMR_BLK (whose length must be 4). It needs no programming and
 * runs from power-on, so it is the PC's second reference for the TSC.
 * Chipsets with a PM timer that returns a wrong value now and then are
 * known; the calibration's agreement between windows catches one.
 */
#include "drivers/timer/acpi_pm.h"
#include "kern/io.h"

#define ACPI_PM_TIMER_HZ 3579545u /* 4.8.3.3 */
#define PM_TMR		 0	  /* the counter, TMR_VAL */

static struct io_regs pm_regs;
static struct timer_reference pm_ref = {
    .name = "ACPI PM timer",
    .freq = ACPI_PM_TIMER_HZ,
};

static uint64_t pm_read(const struct timer_reference *ref)
{
	(void)ref;
	return io_read32(&pm_regs, PM_TMR);
}

const struct timer_reference *acpi_pm_reference(uint32_t port, bool ext32)
{
	if (port == 0) {
		return NULL;
	}
	pm_regs = (struct io_regs){IO_SPACE_PORT, port, 0};
	pm_ref.bits = ext32 ? 32 : 24;
	pm_ref.read = pm_read;
	return &pm_ref;
}
