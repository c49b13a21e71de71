/*
 * The tick: a periodic interrupt at HZ per second from whichever timer a
 * port has (PIT, LAPIC timer, ARM generic timer), counted in jiffies.
 */
#ifndef KERN_TIMER_H
#define KERN_TIMER_H

#include "kern/compiler.h"

#ifndef HZ
#define HZ 1000
#endif

/* Ticks since the tick source started. */
uint64_t jiffies_read(void);

/*
 * Called by the tick source's interrupt handler. With a clocksource
 * registered, jiffies follow the clocksource (a tick source that loses
 * interrupts, like the PIT under emulation, cannot make time run slow);
 * without one, each call is one jiffy.
 */
void timer_tick(void);

/*
 * A free-running counter to keep time with (x86_64: the TSC, calibrated
 * against the PIT; AArch64: the generic timer's counter). freq in Hz.
 */
void timer_set_clocksource(const char *name, uint64_t (*read)(void),
			   uint64_t freq);
const char *timer_clocksource(void);

/*
 * A reference clock, to measure another clock against (x86_64: PIT
 * channel 2 for the TSC): it times one interval of a given length,
 * which the caller polls for its end, a bounded number of times.
 */
struct timer_reference {
	const char *name;
	/* Start an interval of ms milliseconds; 0 or a negative errno. */
	int (*start)(const struct timer_reference *ref, unsigned int ms);
	/* Has the interval ended? */
	bool (*elapsed)(const struct timer_reference *ref);
	/* Leave the reference as it was before start. */
	void (*stop)(const struct timer_reference *ref);
	void *ctx;
};

/* The name of the device driving the tick ("pit", "arm-timer"). */
void timer_set_source(const char *name);
const char *timer_source(void);

/*
 * Sleep at least ms milliseconds, halting between ticks. Must be called
 * with interrupts enabled and outside interrupt handlers.
 */
void msleep(unsigned int ms);

/* Milliseconds since the tick started. */
uint64_t uptime_ms(void);

/* Optional per-tick hook (timerdemo); NULL to remove. Runs in the
 * interrupt handler. */
void timer_set_hook(void (*hook)(uint64_t jiffies));

#endif
