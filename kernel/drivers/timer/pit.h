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
};

/*
 * PIT channel 0, free-running, as a reference clock (kern/timer.h), at
 * dev's ports: for the platform, before the drivers probe (the driver
 * may then make channel 0 the tick). NULL if dev has no counter range.
 * On a machine without a PIT the counter does not count, which the
 * calibration notices.
 */
const struct timer_reference *pit_reference(const struct device *dev);

#endif
