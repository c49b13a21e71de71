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
 *
 * The queue is a list sorted by deadline (kern/ktimer.c): inserting and
 * cancelling are O(n) in the timers queued, finding the earliest is O(1).
 * A small kernel has a handful queued (sleepers, the slice, timeouts).
 * One lock (irq-safe) guards it; functions run with it dropped, so a
 * function may start or cancel any timer, itself included.
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
	/* Periodic: periods that passed unseen (the interrupt came more than
	 * a period late), skipped rather than run in a burst. */
	unsigned long overruns;
	unsigned long fired; /* times fn ran (or would have: fn NULL) */
};

/*
 * fn may be NULL: the timer's interrupt is then the whole point (it ends
 * a halt, arch_wait_for_interrupt(), of code waiting for a deadline).
 */

/* Never on a queued timer (cancel it first): the queue would lose it. */
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

/*
 * Use ce if it outranks the current device. A one-shot device needs a
 * clocksource (kern/timer.h) to turn deadlines into counts; set_next must
 * interrupt at once for a deadline already passed, and may interrupt
 * early for one beyond its range (the queue re-arms). stop is called
 * with nothing queued, and when a better device replaces this one.
 * Called with the device's interrupt requested and able to fire.
 */
void clockevent_register(struct clockevent *ce);
void clockevent_interrupt(struct clockevent *ce);
const struct clockevent *clockevent_current(void);

/* The earliest queued deadline, UINT64_MAX if none (for `uptime`, tests). */
uint64_t ktimer_next_deadline(void);
struct ktimer_stats {
	unsigned long programmed; /* set_next calls */
	unsigned long failed;	  /* of which the device refused */
	unsigned long early;	  /* one-shot interrupts with nothing due */
	unsigned long expired;	  /* timers run */
};
const struct ktimer_stats *ktimer_stats(void);

#endif
