/*
 * Time from the clocksource: time_ns, jiffies, uptime; sleeping; the
 * check that the clock event device interrupts at all; the per-jiffy
 * hook (timerdemo) as a periodic kernel timer.
 *
 * Without a clocksource (no calibrated TSC: only the PIT ticking), time
 * is counted in ticks of the periodic device (timer_tick()).
 */
#include "kern/timer.h"
#include "kern/arch.h"
#include "kern/console.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ktimer.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/sched.h"

#define NSEC_PER_JIFFY (NSEC_PER_SEC / HZ)

static volatile uint64_t jiffies; /* counted only without a clocksource */
static const char *source = "none";

static const char *cs_name = "ticks";
static uint64_t (*cs_read)(void);
static uint64_t cs_freq, cs_start;

/* Jiffies the hook sees in one interrupt, at most. A hook whose work
 * takes longer than the jiffies it covers (printing to a slow console
 * under emulation) would otherwise fall further behind with every run
 * and keep its CPU in interrupt context for ever (seen with 8 CPUs under
 * TCG): the older jiffies are skipped then, counted and said. */
#define MAX_CATCH_UP 4

/* How long the first timer interrupt may take once interrupts are on:
 * it is asked for 1 ms ahead; this leaves room for a vCPU descheduled on
 * a loaded host. */
#define TICK_WAIT_MS	250
#define TICK_WAIT_POLLS 2000000L /* without a clocksource to time it */

static bool tick_checked, tick_dead;

void timer_set_clocksource(const char *name, uint64_t (*read)(void),
			   uint64_t freq)
{
	unsigned long flags = arch_irq_save();
	uint64_t now = read();

	/* Continue from the current jiffies: start = now - jiffies worth. */
	cs_start = now - jiffies / HZ * freq - jiffies % HZ * freq / HZ;
	cs_freq = freq;
	cs_name = name;
	cs_read = read;
	arch_irq_restore(flags);
}

const char *timer_clocksource(void)
{
	return cs_name;
}

bool timer_has_clocksource(void)
{
	return cs_read != NULL;
}

/* Counter cycles to units of 1/per seconds, without 128-bit division. */
static uint64_t cycles_to(uint64_t cycles, uint64_t per)
{
	return cycles / cs_freq * per + cycles % cs_freq * per / cs_freq;
}

uint64_t time_cycles(void)
{
	return cs_read ? cs_read() - cs_start : 0;
}

uint64_t time_cycles_freq(void)
{
	return cs_freq;
}

uint64_t time_ns(void)
{
	if (cs_read) {
		return cycles_to(cs_read() - cs_start, NSEC_PER_SEC);
	}
	return __atomic_load_n(&jiffies, __ATOMIC_RELAXED) * NSEC_PER_JIFFY;
}

/* The raw counter value at time ns, rounded up (never early). */
uint64_t timer_raw_at_ns(uint64_t ns)
{
	uint64_t rem = ns % NSEC_PER_SEC;

	/* A deadline past the counter's range (centuries at GHz rates, a
	 * huge timeout) is "never", not a wrapped value in the past that
	 * would fire at once, again and again. */
	if (cs_freq &&
	    ns / NSEC_PER_SEC >= (UINT64_MAX - cs_start) / cs_freq - 1) {
		return UINT64_MAX;
	}
	return cs_start + ns / NSEC_PER_SEC * cs_freq +
	       (rem * cs_freq + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
}

uint64_t jiffies_read(void)
{
	if (cs_read) {
		return cycles_to(cs_read() - cs_start, HZ);
	}
	return __atomic_load_n(&jiffies, __ATOMIC_RELAXED);
}

void timer_tick(void)
{
	if (!cs_read) {
		__atomic_add_fetch(&jiffies, 1, __ATOMIC_RELAXED);
	}
}

void timer_set_source(const char *name)
{
	source = name;
}

const char *timer_source(void)
{
	return source;
}

uint64_t uptime_ms(void)
{
	if (cs_read) {
		return cycles_to(cs_read() - cs_start, 1000);
	}
	return jiffies_read() * 1000 / HZ;
}

/* ---- The per-jiffy hook, on a periodic timer --------------------------- */

static void (*tick_hook)(uint64_t now);
static struct ktimer hook_timer;
static uint64_t hook_seen;

static unsigned long hook_skipped, hook_skips;

/* Each jiffy is seen by the hook, even when several passed at once, up
 * to MAX_CATCH_UP per interrupt. */
static void hook_expired(struct ktimer *t)
{
	uint64_t now = jiffies_read();

	(void)t;
	if (now - hook_seen > MAX_CATCH_UP) {
		/* far behind: skip ahead, and say so (sparingly) */
		hook_skipped += now - MAX_CATCH_UP - hook_seen;
		hook_seen = now - MAX_CATCH_UP;
		hook_skips++;
		if ((hook_skips & (hook_skips - 1)) == 0) {
			kprintf("timer: the tick hook is behind: %lu jiffies "
				"skipped so far\n",
				hook_skipped);
		}
	}
	while (hook_seen < now && tick_hook) {
		tick_hook(++hook_seen);
	}
}

void timer_set_hook(void (*hook)(uint64_t now))
{
	unsigned long flags = arch_irq_save();

	tick_hook = hook;
	ktimer_cancel(&hook_timer); /* before init: it may be queued */
	if (hook) {
		hook_seen = jiffies_read();
		ktimer_init(&hook_timer, hook_expired, NULL, "tick-hook");
		ktimer_start(&hook_timer, (hook_seen + 1) * NSEC_PER_JIFFY,
			     NSEC_PER_JIFFY);
	}
	arch_irq_restore(flags);
}

/* ---- Is there a timer interrupt at all? -------------------------------- */

/*
 * A console whose UART raises no interrupt polls it between halts
 * (kern/console.c) and counts on a timer interrupt every jiffy to end
 * each halt: with a one-shot device that is this periodic timer.
 */
static struct ktimer poll_timer;

static void start_poll_tick(void)
{
	const struct clockevent *ce = clockevent_current();

	if (console_input_is_irq_driven() || !ce ||
	    !(ce->features & CLOCKEVENT_ONESHOT)) {
		return;
	}
	ktimer_init(&poll_timer, NULL, NULL, "console-poll");
	ktimer_start(&poll_timer, time_ns() + NSEC_PER_JIFFY, NSEC_PER_JIFFY);
	kprintf("timer: console input has no interrupt: a %u Hz timer "
		"wakes its polling\n",
		HZ);
}

static volatile bool check_fired;

static void check_expired(struct ktimer *t)
{
	(void)t;
	check_fired = true;
}

/* Arm a deadline 1 ms ahead and poll (interrupts on) until it fires or
 * the bound passes. */
static bool timer_fires_within(unsigned int ms)
{
	struct ktimer t;

	if (!clockevent_current()) {
		return false;
	}
	check_fired = false;
	ktimer_init(&t, check_expired, NULL, "tick-check");
	ktimer_start(&t, time_ns() + NSEC_PER_MSEC, 0);
	if (cs_read) {
		uint64_t t0 = cs_read(), wait = cs_freq / 1000 * ms;

		while (!check_fired && cs_read() - t0 < wait) {
			arch_cpu_relax();
		}
	} else {
		for (long i = 0; i < TICK_WAIT_POLLS && !check_fired; i++) {
			arch_cpu_relax();
		}
	}
	ktimer_cancel(&t);
	return check_fired;
}

void timer_check_tick(void)
{
	KASSERT(arch_irqs_enabled());
	tick_dead = !timer_fires_within(TICK_WAIT_MS);
	tick_checked = true;
	if (tick_dead && cs_read) {
		kprintf("timer: no tick from %s within %u ms of enabling "
			"interrupts: sleeps poll the %s; devices must poll\n",
			source, TICK_WAIT_MS, cs_name);
	} else if (tick_dead) {
		kprintf(
		    "timer: no tick from %s after %ld polls with interrupts "
		    "on, and no clock: sleeps return at once; devices must "
		    "poll\n",
		    source, TICK_WAIT_POLLS);
	} else {
		start_poll_tick();
	}
}

bool timer_tick_alive(void)
{
	return tick_checked && !tick_dead;
}

/* ---- Sleeping ---------------------------------------------------------- */

/* No timer interrupt: wait on the clocksource (letting equals run), or
 * (with none) not at all. */
static void sleep_polled(uint64_t deadline)
{
	bool yield = sched_running() && arch_irqs_enabled() && can_sleep();

	if (!cs_read) {
		return;
	}
	while (time_ns() < deadline) {
		if (yield) {
			thread_yield();
		}
		arch_cpu_relax();
	}
}

/* Halt until the deadline, a timer armed for it to end the last halt. */
static void sleep_halted(uint64_t deadline)
{
	struct ktimer wake;
	unsigned long flags;

	ktimer_init(&wake, NULL, NULL, "sleep");
	flags = arch_irq_save();
	ktimer_start(&wake, deadline, 0);
	while (time_ns() < deadline) {
		arch_wait_for_interrupt();
	}
	ktimer_cancel(&wake);
	arch_irq_restore(flags);
}

static void sleep_ns(uint64_t ns, const char *what, uintptr_t caller)
{
	uint64_t deadline = time_ns() + ns;

	/* In a handler, a tasklet or under a spinlock: the culprit named.
	 * (Boot, interrupts still off, is allowed: it halts below.) */
	if (sched_running()) {
		might_sleep_from(what, caller);
	}
	KASSERT(!in_irq());
	if (!cs_read) {
		/* Time is whole jiffies: the current one is partly gone. */
		deadline += NSEC_PER_JIFFY;
	}
	/* A thread's sleep ends by a timer interrupt too: without one that
	 * works, poll (the check found none, or there is no device). */
	if (tick_dead || !clockevent_current()) {
		sleep_polled(deadline);
	} else if (sched_running() && timer_tick_alive() &&
		   arch_irqs_enabled() && can_sleep()) {
		/* (can_sleep() allows interrupts off during boot, for the
		 * heap; a sleep needs them on, and a timer seen to work.) */
		thread_sleep_until(deadline);
	} else {
		sleep_halted(deadline);
	}
}

void msleep(unsigned int ms)
{
	sleep_ns((uint64_t)ms * NSEC_PER_MSEC, "msleep",
		 (uintptr_t)__builtin_return_address(0));
}

void usleep(unsigned int us)
{
	sleep_ns((uint64_t)us * NSEC_PER_USEC, "usleep",
		 (uintptr_t)__builtin_return_address(0));
}
