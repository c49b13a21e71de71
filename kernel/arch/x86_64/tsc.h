/* The time-stamp counter: x86's clock, measured against references. */
#ifndef X86_64_TSC_H
#define X86_64_TSC_H

#include "kern/compiler.h"
#include "kern/timer.h"

/*
 * Find the TSC's rate and, when one is trustworthy, make the TSC the
 * kernel's clocksource. refs, best first (on the PC: the ACPI PM timer,
 * then the PIT), are measured against; the first that gives a plausible,
 * self-consistent rate is used and the next one checks it; CPUID leaf
 * 0x15 is a check too, or the rate when no reference measures. Returns
 * the rate in Hz, or 0 (said aloud) when nothing is trustworthy: time is
 * then counted in ticks.
 */
uint64_t tsc_calibrate(const struct timer_reference *const *refs,
		       unsigned int nrefs);

#endif
