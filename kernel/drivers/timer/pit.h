/*
 * The 8254 PIT: the tick of the 8259 path, and on every PC the reference
 * clock the TSC is measured against (its 1.193182 MHz input is fixed).
 */
#ifndef DRIVERS_TIMER_PIT_H
#define DRIVERS_TIMER_PIT_H

#include "kern/compiler.h"
#include "kern/timer.h"

struct device;

/* The PIT device's platform_data. */
struct pit_data {
	/* Is channel 0 the tick? Not when the LAPIC timer ticks. */
	bool tick;
	/* Port B (NMI status and control: channel 2's gate and output),
	 * used when the device does not list it as its second range (ACPI's
	 * PIT device does not). */
	uint16_t port_b;
};

/*
 * PIT channel 2 as a reference clock (kern/timer.h), at dev's ports,
 * usable before and whether or not the driver binds dev: the platform
 * measures the TSC with it first. NULL if dev has no counter range or no
 * port B.
 */
const struct timer_reference *pit_reference(const struct device *dev);

#endif
