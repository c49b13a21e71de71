/*
 * Time and deadlines.
 *
 * Time is read from the clocksource (kern/timer.h: the TSC, the Arm
 * generic counter): time_ns() is exact whether or not any tick fired.
 *
 * Kernel timers are one-shot deadlines (optionally periodic) on a timer
 * queue ordered by deadline. They expire from the timer interrupt, in
 * interrupt context: a timer's function must not sleep (it may wake).
 *
 * The timer interrupt comes from a clock event device, which the queue
 * programs for its earliest deadline (tickless: no interrupt while nothing
 * is due). A device that can only tick periodically (the PIT) ticks, and
 * the queue checks its deadlines on each tick.
 */
#ifndef KERN_KTIMER_H
#define KERN_KTIMER_H

#include "kern/compiler.h"

#define NSEC_PER_SEC  1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull

/* Nanoseconds since the clocksource started (boot). */
uint64_t time_ns(void);
/* The clocksource's raw count and rate, for cycle-exact measurements. */
uint64_t time_cycles(void);
uint64_t time_cycles_freq(void);

struct ktimer;
typedef void (*ktimer_fn)(struct ktimer *t);

struct ktimer {
	uint64_t deadline_ns;
	uint64_t period_ns; /* 0: one-shot */
	ktimer_fn fn;
	void *data;
	const char *name;
	bool queued;
	struct ktimer *next; /* the queue's link */
};

void ktimer_init(struct ktimer *t, ktimer_fn fn, void *data, const char *name);
/* (Re)arm t for deadline_ns (absolute, time_ns()); period_ns 0 = once. */
void ktimer_start(struct ktimer *t, uint64_t deadline_ns, uint64_t period_ns);
/* Disarm; true if it was queued (its function will not run). */
bool ktimer_cancel(struct ktimer *t);

/* Sleep (thread context). */
void msleep(unsigned int ms);
void usleep(unsigned int us);

/*
 * A clock event device (the LAPIC timer, the Arm generic timer, the PIT).
 * The device's interrupt handler calls clockevent_interrupt().
 */
#define CLOCKEVENT_ONESHOT  (1u << 0) /* can interrupt at a deadline */
#define CLOCKEVENT_PERIODIC (1u << 1) /* can tick at a fixed rate */

struct clockevent {
	const char *name;
	unsigned int features;
	unsigned int rating; /* the highest registered one is used */
	/* Interrupt once at (or just after) deadline_ns; 0 or -errno. */
	int (*set_next)(struct clockevent *ce, uint64_t deadline_ns);
	/* Tick at hz per second. */
	int (*set_periodic)(struct clockevent *ce, unsigned int hz);
	void (*stop)(struct clockevent *ce);
	void *priv;
	unsigned long interrupts; /* counted by clockevent_interrupt */
};

void clockevent_register(struct clockevent *ce);
void clockevent_interrupt(struct clockevent *ce);
const struct clockevent *clockevent_current(void);

#endif
