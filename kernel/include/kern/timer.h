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
 * A reference clock, to measure another clock against (x86_64: the ACPI
 * PM timer, PIT channel 0, for the TSC): a free-running counter of a
 * known, fixed rate that counts up and wraps at 2^bits. Reading it must
 * take a short, bounded time (a few port or MMIO accesses); the
 * calibration (drivers/timer/calibrate.h) brackets each read between two
 * reads of the clock being measured.
 */
struct timer_reference {
	const char *name;
	uint64_t freq;	   /* counts per second */
	unsigned int bits; /* 16..63: the counter wraps at 2^bits */
	/* Set the counter running; 0 or a negative errno. */
	int (*start)(const struct timer_reference *ref);
	/* The count now (only the low bits are meaningful). */
	uint64_t (*read)(const struct timer_reference *ref);
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

/*
 * After interrupts are first enabled: wait (bounded, 250 ms by the
 * clocksource) for the tick to fire once. If it never does, say so:
 * msleep then polls the clocksource instead of halting, and
 * timer_tick_alive() tells the console to poll its device too.
 */
void timer_check_tick(void);

/* Has the tick been seen since interrupts were enabled? False before
 * timer_check_tick() ran, and when it found no tick. */
bool timer_tick_alive(void);

/* Milliseconds since the tick started. */
uint64_t uptime_ms(void);

/* Optional per-tick hook (timerdemo); NULL to remove. Runs in the
 * interrupt handler. */
void timer_set_hook(void (*hook)(uint64_t jiffies));

#endif
