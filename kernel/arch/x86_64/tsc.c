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
#define CALIBRATE_RUNS	3
#define CALIBRATE_POLLS 10000000 /* far beyond 10 ms of port reads */

/*
 * TSC ticks across one interval of ref, 0 if it never ended. A vCPU
 * descheduled while it polls sees the interval end late and counts too
 * many ticks, never too few (the window before the first read is a few
 * instructions): the least of several runs is the one to keep.
 */
static uint64_t measure_once(const struct timer_reference *ref)
{
	uint64_t start, end;
	int i;

	if (ref->start(ref, CALIBRATE_MS) < 0) {
		return 0;
	}
	start = rdtsc();
	for (i = 0; i < CALIBRATE_POLLS && !ref->elapsed(ref); i++) {
	}
	end = rdtsc();
	ref->stop(ref);
	return i == CALIBRATE_POLLS ? 0 : end - start;
}

uint64_t tsc_calibrate(const struct timer_reference *ref)
{
	uint64_t least = 0, most = 0, hz;

	if (!ref) {
		kprintf("tsc: no reference clock; time from ticks\n");
		return 0;
	}
	for (int run = 0; run < CALIBRATE_RUNS; run++) {
		uint64_t ticks = measure_once(ref);

		if (!ticks) {
			kprintf("tsc: %s never ended %u ms; time from ticks\n",
				ref->name, CALIBRATE_MS);
			return 0;
		}
		least = run == 0 || ticks < least ? ticks : least;
		most = ticks > most ? ticks : most;
	}
	hz = least * (1000 / CALIBRATE_MS);
	timer_set_clocksource("tsc", rdtsc, hz);
	kprintf("tsc: %llu.%03llu MHz (against %s, least of %d runs, spread "
		"%llu ppm)\n",
		(unsigned long long)(hz / 1000000),
		(unsigned long long)(hz / 1000 % 1000), ref->name,
		CALIBRATE_RUNS,
		(unsigned long long)((most - least) * 1000000 / least));
	return hz;
}
