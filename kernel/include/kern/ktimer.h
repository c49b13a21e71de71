/*
 * Time and deadlines.
 *
 * Time is read from the clocksource (kern/timer.h: the TSC, the Arm
 * generic counter): time_ns() is exact whether or not any tick fired.
 *
 * Kernel timers are one-shot deadlines (optionally periodic) on a timer
 * queue ordered by deadline, one queue per CPU: a timer is queued on the
 * CPU that starts it and expires there, from that CPU's timer interrupt,
 * in interrupt context: a timer's function must not sleep (it may wake).
 *
 * The timer interrupt comes from a clock event device, which each CPU
 * programs (its local timer) for its queue's earliest deadline (tickless
 * per CPU: no interrupt on a CPU while nothing is due there). A device
 * that can only tick periodically (the PIT) ticks on the CPU that
 * registered it; every timer is then queued there.
 *
 * The queue is a list sorted by deadline (kern/ktimer.c): inserting and
 * cancelling are O(n) in the timers queued, finding the earliest is O(1).
 * A small kernel has a handful queued (sleepers, the slice, timeouts).
 * One irq-safe lock per queue guards it; functions run with it dropped,
 * so a function may start or cancel any timer, itself included.
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
	unsigned int cpu;    /* the CPU whose queue has it (or last had) */
};

/*
 * fn may be NULL: the timer's interrupt is then the whole point (it ends
 * a halt, arch_wait_for_interrupt(), of code waiting for a deadline).
 */

/* Never on a queued timer (cancel it first): the queue would lose it. */
void ktimer_init(struct ktimer *t, ktimer_fn fn, void *data, const char *name);
/* (Re)arm t for deadline_ns (absolute, time_ns()); period_ns 0 = once. */
void ktimer_start(struct ktimer *t, uint64_t deadline_ns, uint64_t period_ns);
/*
 * Disarm; true if it was queued (its function will not run again). If
 * its function is running on another CPU right now, wait until it has
 * returned: after ktimer_cancel() the timer's memory may go. So never
 * call it holding a lock the function takes, nor for a timer whose
 * function cancels the caller's timer on the other CPU (each would wait
 * for the other); from the function itself it does not wait.
 */
bool ktimer_cancel(struct ktimer *t);
/* Disarm without waiting: the function may still be running on another
 * CPU when this returns (the scheduler's slice timer, cancelled under the
 * lock its function takes, copes with that). */
bool ktimer_cancel_async(struct ktimer *t);

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

/* The earliest deadline queued on this CPU, UINT64_MAX if none (tests). */
uint64_t ktimer_next_deadline(void);
struct ktimer_stats {
	unsigned long programmed; /* set_next calls */
	unsigned long failed;	  /* of which the device refused */
	unsigned long early;	  /* one-shot interrupts with nothing due */
	unsigned long expired;	  /* timers run */
	unsigned long interrupts; /* clock event interrupts taken */
};
/* CPU cpu's counts, or with KTIMER_ALL_CPUS every CPU's summed. */
#define KTIMER_ALL_CPUS (~0u)
void ktimer_stats_read(unsigned int cpu, struct ktimer_stats *out);

#endif
