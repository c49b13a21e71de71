/*
 * The TSC's rate (Intel SDM Vol. 3B, 17.17 "Time-Stamp Counter"). Nothing
 * architectural states it on the CPUs kite meets under QEMU (CPUID leaf
 * 0x15 is absent or zero), so it is measured: TSC ticks across one
 * interval of a reference clock whose rate is fixed. The tick itself is
 * no clock: under emulation its interrupts get lost when the host is
 * busy; the TSC's count does not.
 */
#include "tsc.h"
#include "asm/msr.h"
#include "kern/printf.h"

#define CALIBRATE_MS	10
#define CALIBRATE_POLLS 10000000 /* far beyond 10 ms of port reads */

uint64_t tsc_calibrate(const struct timer_reference *ref)
{
	uint64_t start, end, hz;
	int i;

	if (!ref || ref->start(ref, CALIBRATE_MS) < 0) {
		kprintf("tsc: no reference clock; time from ticks\n");
		return 0;
	}
	start = rdtsc();
	for (i = 0; i < CALIBRATE_POLLS && !ref->elapsed(ref); i++) {
	}
	end = rdtsc();
	ref->stop(ref);
	if (i == CALIBRATE_POLLS) {
		kprintf("tsc: %s never ended %u ms; time from ticks\n",
			ref->name, CALIBRATE_MS);
		return 0;
	}
	hz = (end - start) * (1000 / CALIBRATE_MS);
	timer_set_clocksource("tsc", rdtsc, hz);
	kprintf("tsc: %llu.%03llu MHz (against %s)\n",
		(unsigned long long)(hz / 1000000),
		(unsigned long long)(hz / 1000 % 1000), ref->name);
	return hz;
}
