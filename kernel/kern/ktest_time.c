/*
 * In-kernel tests of time (kern/timer.c, kern/ktimer.c) on the real
 * clock event device, measured against the clocksource:
 *
 *   - a one-shot timer runs at its deadline, never before, within a tick;
 *   - a periodic timer stays on its grid (no drift from latency);
 *   - msleep(100) takes 100 ms, within a tick;
 *   - jiffies are the clocksource's, and over an idle second a one-shot
 *     device interrupts fewer than 10 times (tickless).
 *
 * Lateness on a loaded host is the host's, not ours: a bound on lateness
 * is checked on the best of a few tries; earliness on every one.
 */
#include "kern/console.h"
#include "kern/irqflags.h"
#include "kern/ktest.h"
#include "kern/ktimer.h"
#include "kern/timer.h"

#define NSEC_PER_TICK (NSEC_PER_SEC / HZ)
#define TRIES	      5

static const char *why_no_timer(void)
{
	if (!arch_irqs_enabled()) {
		return "interrupts are off";
	}
	if (!clockevent_current()) {
		return "no clock event device";
	}
	if (!timer_tick_alive()) {
		return "the clock event device never interrupted";
	}
	if (!timer_has_clocksource()) {
		return "no clocksource to measure against";
	}
	return NULL;
}

/* Halt until *flag is set or the clocksource passes end (a timer armed
 * for end ends the last halt). */
static void wait_flag_until(volatile bool *flag, uint64_t end)
{
	struct ktimer bound;
	unsigned long flags;

	ktimer_init(&bound, NULL, NULL, "ktest-bound");
	flags = arch_irq_save();
	ktimer_start(&bound, end, 0);
	while (!*flag && time_ns() < end) {
		arch_wait_for_interrupt();
	}
	ktimer_cancel(&bound);
	arch_irq_restore(flags);
}

static volatile bool fired;
static uint64_t fired_at;

static void note_time(struct ktimer *t)
{
	(void)t;
	fired_at = time_ns();
	fired = true;
}

/* One shot 20 ms ahead; its lateness in ns, or UINT64_MAX if it ran
 * early or not at all. */
static uint64_t oneshot_lateness(void)
{
	struct ktimer t;
	uint64_t deadline = time_ns() + 20 * NSEC_PER_MSEC;

	fired = false;
	ktimer_init(&t, note_time, NULL, "ktest-oneshot");
	ktimer_start(&t, deadline, 0);
	wait_flag_until(&fired, deadline + NSEC_PER_SEC);
	if (ktimer_cancel(&t) || !fired || fired_at < deadline) {
		kprintf("    # fired %d at %llu, deadline %llu\n", fired,
			(unsigned long long)fired_at,
			(unsigned long long)deadline);
		return UINT64_MAX;
	}
	return fired_at - deadline;
}

static bool test_oneshot_on_time(void)
{
	uint64_t best = UINT64_MAX;
	const char *why = why_no_timer();

	if (why) {
		KT_SKIP(why);
	}
	for (int i = 0; i < TRIES && best >= NSEC_PER_TICK; i++) {
		uint64_t late = oneshot_lateness();

		KT_CHECK(late != UINT64_MAX); /* never early, never lost */
		best = late < best ? late : best;
	}
	kprintf("    # one-shot: %llu ns late at best\n",
		(unsigned long long)best);
	KT_CHECK(best < NSEC_PER_TICK);
	return true;
}

static volatile unsigned long periodic_runs;

static void count_run(struct ktimer *t)
{
	(void)t;
	periodic_runs++;
}

/* Every run and every skipped period accounted for, on the exact grid. */
static bool test_periodic_on_grid(void)
{
	const uint64_t period = 5 * NSEC_PER_MSEC;
	struct ktimer t;
	uint64_t start;
	const char *why = why_no_timer();
	volatile bool never = false;

	if (why) {
		KT_SKIP(why);
	}
	periodic_runs = 0;
	ktimer_init(&t, count_run, NULL, "ktest-periodic");
	start = time_ns() + period;
	ktimer_start(&t, start, period);
	for (int i = 0; i < 200 && periodic_runs < 10; i++) {
		wait_flag_until(&never, time_ns() + period);
	}
	KT_CHECK(ktimer_cancel(&t));
	KT_CHECK(periodic_runs >= 10);
	KT_CHECK(t.fired == periodic_runs);
	/* The next deadline is a whole number of periods on: each one run
	 * or counted as skipped, none lost, no drift. */
	KT_CHECK(t.deadline_ns == start + (t.fired + t.overruns) * period);
	KT_CHECK(time_ns() >= start + (t.fired + t.overruns - 1) * period);
	return true;
}

static bool test_msleep_100ms(void)
{
	uint64_t best = UINT64_MAX;
	const char *why = why_no_timer();

	if (why) {
		KT_SKIP(why);
	}
	for (int i = 0; i < 2 * TRIES && best >= NSEC_PER_TICK; i++) {
		uint64_t t0 = time_ns(), slept;

		msleep(100);
		slept = time_ns() - t0;
		KT_CHECK(slept >= 100 * NSEC_PER_MSEC);
		if (slept - 100 * NSEC_PER_MSEC < best) {
			best = slept - 100 * NSEC_PER_MSEC;
		}
	}
	kprintf("    # msleep(100): %llu ns over at best\n",
		(unsigned long long)best);
	KT_CHECK(best < NSEC_PER_TICK);
	return true;
}

/* jiffies and uptime are the clocksource's: read between two time_ns()
 * readings, each lies between theirs. */
static bool test_jiffies_from_clocksource(void)
{
	uint64_t a, j, ms, b;

	if (!timer_has_clocksource()) {
		KT_SKIP("no clocksource: jiffies count the periodic tick");
	}
	a = time_ns();
	j = jiffies_read();
	ms = uptime_ms();
	b = time_ns();
	KT_CHECK(a / NSEC_PER_TICK <= j && j <= b / NSEC_PER_TICK);
	KT_CHECK(a / NSEC_PER_MSEC <= ms && ms <= b / NSEC_PER_MSEC);
	return true;
}

/*
 * Tickless: over an idle second (one msleep, nothing else to do) a
 * one-shot device interrupts for the sleep's deadline, not HZ times.
 * Time still runs: jiffies advance by the second all the same.
 */
static bool test_idle_second_few_interrupts(void)
{
	const struct clockevent *ce = clockevent_current();
	const char *why = why_no_timer();
	unsigned long before;
	uint64_t j0;

	if (why) {
		KT_SKIP(why);
	}
	if (!(ce->features & CLOCKEVENT_ONESHOT)) {
		KT_SKIP(
		    "periodic-only clock event device (the PIT ticks at HZ)");
	}
	if (!console_input_is_irq_driven()) {
		KT_SKIP("the console is polled: a 1 kHz timer wakes it");
	}
	before = ce->interrupts;
	j0 = jiffies_read();
	msleep(1000);
	kprintf("    # %lu timer interrupts over an idle second (%s)\n",
		ce->interrupts - before, ce->name);
	KT_CHECK(ce->interrupts - before < 10);
	KT_CHECK(jiffies_read() - j0 >= HZ);
	return true;
}

KTEST_CASE("time_oneshot_on_time", test_oneshot_on_time);
KTEST_CASE("time_periodic_on_grid", test_periodic_on_grid);
KTEST_CASE("time_msleep_100ms", test_msleep_100ms);
KTEST_CASE("time_jiffies_from_clocksource", test_jiffies_from_clocksource);
KTEST_CASE("time_idle_second_few_interrupts", test_idle_second_few_interrupts);
