/* The time-stamp counter: x86's clock, measured against a reference. */
#ifndef X86_64_TSC_H
#define X86_64_TSC_H

#include "kern/compiler.h"
#include "kern/timer.h"

/*
 * Measure the TSC's rate against ref (on the PC: PIT channel 2) and, when
 * that worked, make the TSC the kernel's clocksource. Returns the rate in
 * Hz, 0 if the reference never ended its interval (bounded).
 */
uint64_t tsc_calibrate(const struct timer_reference *ref);

#endif
