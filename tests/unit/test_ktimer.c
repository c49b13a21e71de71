/*
 * The timer queue and clock events (kernel/kern/ktimer.c) against a fake
 * clock and fake clock event devices: expiry in deadline order (equal
 * deadlines first come, first served), cancel, re-arm, periodic timers
 * that skip and count missed periods, the one-shot device always
 * programmed for the earliest deadline and stopped with nothing queued,
 * a bounded device's early interrupt re-armed, the periodic-only device
 * checked on each tick, and the highest-rated device chosen.
 *
 * The source is included with the clock and the jiffy counter renamed to
 * this file's fakes, so its static state is visible and resettable.
 */
#define time_ns		 ktq_time_ns
#define timer_tick	 ktq_timer_tick
#define timer_set_source ktq_timer_set_source
#include "kern/ktimer.c"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "fake_arch.h"
#include "unit.h"

/* ---- The fake clock and devices ---------------------------------------- */

static uint64_t fake_now;
static unsigned int fake_ticks;
static const char *fake_source;

uint64_t ktq_time_ns(void)
{
	return fake_now;
}

void ktq_timer_tick(void)
{
	fake_ticks++;
}

void ktq_timer_set_source(const char *name)
{
	fake_source = name;
}

/* One device whose set_next and stop act on the calling CPU's local
 * timer (fake_cpu_id), as the LAPIC's and the Arm timer's do. */
struct fake_dev {
	struct clockevent ce;
	unsigned int set_next_calls, stops, periodic_calls;
	uint64_t armed; /* CPU 0's; UINT64_MAX: stopped */
	uint64_t armed_on[NR_CPUS];
	unsigned int hz;
};

static int fake_set_next(struct clockevent *ce, uint64_t deadline_ns)
{
	struct fake_dev *d = ce->priv;

	d->set_next_calls++;
	d->armed_on[fake_cpu_id] = deadline_ns;
	if (fake_cpu_id == 0) {
		d->armed = deadline_ns;
	}
	return 0;
}

static int fake_set_periodic(struct clockevent *ce, unsigned int hz)
{
	struct fake_dev *d = ce->priv;

	d->periodic_calls++;
	d->hz = hz;
	return 0;
}

static void fake_stop(struct clockevent *ce)
{
	struct fake_dev *d = ce->priv;

	d->stops++;
	d->armed_on[fake_cpu_id] = UINT64_MAX;
	if (fake_cpu_id == 0) {
		d->armed = UINT64_MAX;
	}
}

static void fake_dev_init(struct fake_dev *d, const char *name,
			  unsigned int features, unsigned int rating)
{
	memset(d, 0, sizeof(*d));
	d->ce.name = name;
	d->ce.features = features;
	d->ce.rating = rating;
	d->ce.set_next = fake_set_next;
	d->ce.set_periodic = fake_set_periodic;
	d->ce.stop = fake_stop;
	d->ce.priv = d;
	d->armed = UINT64_MAX;
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		d->armed_on[k] = UINT64_MAX;
	}
}

/* A fresh queue with a one-shot device registered. */
static struct fake_dev oneshot;

static void reset(void)
{
	fake_arch_reset();
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		ktq[k].queue = NULL;
		ktq[k].running = NULL;
		ktq[k].programmed = NOT_PROGRAMMED;
		memset(&ktq[k].stats, 0, sizeof(ktq[k].stats));
	}
	current = NULL;
	tick_cpu = 0;
	fake_now = 1000;
	fake_ticks = 0;
	fake_source = NULL;
}

static void reset_oneshot(void)
{
	reset();
	fake_dev_init(&oneshot, "fake-oneshot", CLOCKEVENT_ONESHOT, 300);
	clockevent_register(&oneshot.ce);
}

/* The device's interrupt at time t, if it was armed for then or before. */
static void fire_at(struct fake_dev *d, uint64_t t)
{
	fake_now = t;
	if (d->armed <= t) {
		d->armed = UINT64_MAX;
		clockevent_interrupt(&d->ce);
	}
}

/* CPU cpu's local timer interrupt at time t, if armed for then. */
static void fire_cpu_at(struct fake_dev *d, unsigned int cpu, uint64_t t)
{
	unsigned int was = fake_cpu_id;

	fake_now = t;
	fake_cpu_id = cpu;
	if (d->armed_on[cpu] <= t) {
		d->armed_on[cpu] = UINT64_MAX;
		if (cpu == 0) {
			d->armed = UINT64_MAX;
		}
		clockevent_interrupt(&d->ce);
	}
	fake_cpu_id = was;
}

/* Functions record their order. */
static const char *order[16];
static unsigned int norder;

static void record(struct ktimer *t)
{
	if (norder < 16) {
		order[norder++] = t->name;
	}
}

/* ---- Ordering, cancel, re-arm ------------------------------------------ */

TEST(ktimer_expire_in_deadline_order)
{
	struct ktimer a, b, c, d;

	reset_oneshot();
	norder = 0;
	ktimer_init(&a, record, NULL, "a");
	ktimer_init(&b, record, NULL, "b");
	ktimer_init(&c, record, NULL, "c");
	ktimer_init(&d, record, NULL, "d");
	ktimer_start(&c, 3000, 0);
	ktimer_start(&a, 1500, 0);
	ktimer_start(&b, 2000, 0);
	ktimer_start(&d, 2000, 0); /* equal to b, started later: after it */
	fire_at(&oneshot, 1499);   /* not yet armed for then */
	CHECK_EQ_INT(norder, 0);
	fire_at(&oneshot, 1500);
	CHECK_EQ_INT(norder, 1);
	fire_at(&oneshot, 5000);
	REQUIRE_EQ_INT(norder, 4);
	CHECK_EQ_STR(order[0], "a");
	CHECK_EQ_STR(order[1], "b");
	CHECK_EQ_STR(order[2], "d");
	CHECK_EQ_STR(order[3], "c");
	CHECK(!a.queued && !b.queued && !c.queued && !d.queued);
	CHECK_EQ_INT(ktq[0].stats.expired, 4);
}

TEST(ktimer_cancel_means_it_does_not_run)
{
	struct ktimer a, b;

	reset_oneshot();
	norder = 0;
	ktimer_init(&a, record, NULL, "a");
	ktimer_init(&b, record, NULL, "b");
	ktimer_start(&a, 2000, 0);
	ktimer_start(&b, 3000, 0);
	CHECK(ktimer_cancel(&a));
	CHECK(!ktimer_cancel(&a)); /* not queued any more */
	fire_at(&oneshot, 4000);
	REQUIRE_EQ_INT(norder, 1);
	CHECK_EQ_STR(order[0], "b");
	CHECK(!ktimer_cancel(&b)); /* expired: not queued */
	CHECK_EQ_INT(a.fired, 0);
}

TEST(ktimer_restart_moves_a_queued_timer)
{
	struct ktimer a, b;

	reset_oneshot();
	norder = 0;
	ktimer_init(&a, record, NULL, "a");
	ktimer_init(&b, record, NULL, "b");
	ktimer_start(&a, 2000, 0);
	ktimer_start(&b, 3000, 0);
	ktimer_start(&a, 4000, 0); /* later now: b first, a once */
	CHECK_EQ_INT(oneshot.armed, 3000);
	fire_at(&oneshot, 3000);
	fire_at(&oneshot, 4000);
	REQUIRE_EQ_INT(norder, 2);
	CHECK_EQ_STR(order[0], "b");
	CHECK_EQ_STR(order[1], "a");
	CHECK_EQ_INT(a.fired, 1);
}

/* A function that re-arms its own timer 500 ns on, three times. */
static void rearm_self(struct ktimer *t)
{
	if (t->fired < 3) {
		ktimer_start(t, t->deadline_ns + 500, 0);
	}
}

TEST(ktimer_function_may_rearm_itself)
{
	struct ktimer a;

	reset_oneshot();
	ktimer_init(&a, rearm_self, NULL, "self");
	ktimer_start(&a, 2000, 0);
	fire_at(&oneshot, 2000);
	CHECK(a.queued);
	CHECK_EQ_INT(oneshot.armed, 2500);
	fire_at(&oneshot, 2500);
	fire_at(&oneshot, 3000);
	CHECK_EQ_INT(a.fired, 3);
	CHECK(!a.queued);
	CHECK_EQ_INT(oneshot.armed, UINT64_MAX); /* nothing left: stopped */
}

/* Always due again at once: must not hold the handler for ever. */
static void rearm_in_past(struct ktimer *t)
{
	ktimer_start(t, 0, 0);
}

TEST(ktimer_expiry_per_interrupt_is_bounded)
{
	struct ktimer a;

	reset_oneshot();
	ktimer_init(&a, rearm_in_past, NULL, "storm");
	ktimer_start(&a, 2000, 0);
	fire_at(&oneshot, 2000);
	CHECK_EQ_INT(a.fired, MAX_EXPIRE_PER_INTERRUPT);
	CHECK_EQ_INT(oneshot.armed, 0); /* programmed: due at once */
	ktimer_cancel(&a);
}

/* ---- Periodic ---------------------------------------------------------- */

TEST(ktimer_periodic_rearms_from_its_deadline)
{
	struct ktimer p;

	reset_oneshot();
	ktimer_init(&p, NULL, NULL, "tick");
	ktimer_start(&p, 2000, 1000);
	fire_at(&oneshot, 2300); /* late by 300: the next is still 3000 */
	CHECK_EQ_INT(p.deadline_ns, 3000);
	CHECK_EQ_INT(oneshot.armed, 3000);
	CHECK_EQ_INT(p.overruns, 0);
	fire_at(&oneshot, 3000);
	CHECK_EQ_INT(p.deadline_ns, 4000);
	CHECK_EQ_INT(p.fired, 2);
	CHECK(ktimer_cancel(&p));
}

TEST(ktimer_periodic_skips_and_counts_missed_periods)
{
	struct ktimer p;

	reset_oneshot();
	ktimer_init(&p, NULL, NULL, "tick");
	ktimer_start(&p, 2000, 1000);
	/* 4700: 2000 is due; 3000 and 4000 passed unseen; next 5000. */
	fake_now = 4700;
	clockevent_interrupt(&oneshot.ce);
	CHECK_EQ_INT(p.fired, 1);
	CHECK_EQ_INT(p.overruns, 2);
	CHECK_EQ_INT(p.deadline_ns, 5000);
	CHECK_EQ_INT(oneshot.armed, 5000);
	/* At 8000, exactly on a deadline: the run is 5000's, late; 6000,
	 * 7000 and 8000 are skipped too (the next is always after now). */
	fake_now = 8000;
	clockevent_interrupt(&oneshot.ce);
	CHECK_EQ_INT(p.fired, 2);
	CHECK_EQ_INT(p.overruns, 5);
	CHECK_EQ_INT(p.deadline_ns, 9000);
	ktimer_cancel(&p);
}

/* ---- Programming the device --------------------------------------------- */

TEST(ktimer_device_programmed_for_the_earliest)
{
	struct ktimer a, b, c;

	reset_oneshot();
	CHECK_EQ_INT(oneshot.set_next_calls, 0); /* empty: nothing armed */
	ktimer_init(&a, NULL, NULL, "a");
	ktimer_init(&b, NULL, NULL, "b");
	ktimer_init(&c, NULL, NULL, "c");
	ktimer_start(&b, 5000, 0);
	CHECK_EQ_INT(oneshot.armed, 5000);
	ktimer_start(&c, 9000, 0); /* later: no reprogramming */
	CHECK_EQ_INT(oneshot.set_next_calls, 1);
	ktimer_start(&a, 2000, 0); /* earlier: reprogrammed */
	CHECK_EQ_INT(oneshot.armed, 2000);
	CHECK_EQ_INT(oneshot.set_next_calls, 2);
	ktimer_cancel(&a);
	CHECK_EQ_INT(oneshot.armed, 5000);
	ktimer_cancel(&c); /* not the head: nothing to do */
	CHECK_EQ_INT(oneshot.set_next_calls, 3);
	ktimer_cancel(&b);
	CHECK_EQ_INT(oneshot.armed, UINT64_MAX);
	CHECK_EQ_INT(oneshot.stops, 1);
	CHECK_EQ_INT(ktimer_next_deadline(), UINT64_MAX);
}

/* A device with a bounded range (the LAPIC's 32-bit count) interrupts
 * before a far deadline: nothing runs, it is armed again. */
TEST(ktimer_early_interrupt_rearms)
{
	struct ktimer far;

	reset_oneshot();
	ktimer_init(&far, record, NULL, "far");
	norder = 0;
	ktimer_start(&far, 100000, 0);
	unsigned int calls = oneshot.set_next_calls;

	fake_now = 60000;
	clockevent_interrupt(&oneshot.ce);
	CHECK_EQ_INT(norder, 0);
	CHECK_EQ_INT(ktq[0].stats.early, 1);
	CHECK_EQ_INT(oneshot.set_next_calls, calls + 1);
	CHECK_EQ_INT(oneshot.armed, 100000);
	fire_at(&oneshot, 100000);
	CHECK_EQ_INT(norder, 1);
	CHECK_EQ_INT(oneshot.ce.interrupts, 2);
}

TEST(ktimer_periodic_device_checks_each_tick)
{
	struct fake_dev pit;
	struct ktimer a;

	reset();
	fake_dev_init(&pit, "fake-pit", CLOCKEVENT_PERIODIC, 100);
	clockevent_register(&pit.ce);
	CHECK_EQ_INT(pit.periodic_calls, 1);
	CHECK_EQ_INT(pit.hz, HZ);
	CHECK_EQ_STR(fake_source, "fake-pit");
	ktimer_init(&a, NULL, NULL, "a");
	ktimer_start(&a, 3500, 0);
	CHECK_EQ_INT(pit.set_next_calls, 0); /* it cannot: it ticks */
	for (fake_now = 2000; fake_now <= 4000; fake_now += 1000) {
		clockevent_interrupt(&pit.ce);
		CHECK_EQ_INT(a.fired, fake_now >= 3500 ? 1 : 0);
	}
	CHECK_EQ_INT(fake_ticks, 3); /* jiffies told of every tick */
	CHECK_EQ_INT(ktq[0].stats.early, 0);
}

TEST(ktimer_highest_rated_device_wins)
{
	struct fake_dev pit, better, worse;
	struct ktimer a;

	reset();
	fake_dev_init(&pit, "fake-pit", CLOCKEVENT_PERIODIC, 100);
	fake_dev_init(&better, "fake-lapic", CLOCKEVENT_ONESHOT, 300);
	fake_dev_init(&worse, "fake-worse", CLOCKEVENT_ONESHOT, 200);
	ktimer_init(&a, NULL, NULL, "a");
	clockevent_register(&pit.ce);
	ktimer_start(&a, 7000, 0); /* queued before the one-shot came */
	clockevent_register(&better.ce);
	CHECK(clockevent_current() == &better.ce);
	CHECK_EQ_INT(pit.stops, 1);
	CHECK_EQ_INT(better.armed, 7000); /* programmed for what was queued */
	clockevent_register(&worse.ce);
	CHECK(clockevent_current() == &better.ce);
	CHECK_EQ_INT(worse.set_next_calls, 0);
	CHECK(fake_console_count("fake-worse (200) not used") == 1);
	/* A late interrupt of the replaced device runs nothing. */
	fake_now = 8000;
	clockevent_interrupt(&pit.ce);
	CHECK_EQ_INT(a.fired, 0);
	clockevent_interrupt(&better.ce);
	CHECK_EQ_INT(a.fired, 1);
}

/* ---- One queue per CPU ------------------------------------------------- */

static volatile unsigned int ran_on;

static void note_cpu(struct ktimer *t)
{
	ran_on = fake_cpu_id;
	record(t);
}

TEST(ktimer_queued_and_fired_on_the_starting_cpu)
{
	struct ktimer a, b;
	struct ktimer_stats st;

	reset_oneshot();
	norder = 0;
	ktimer_init(&a, note_cpu, NULL, "a");
	ktimer_init(&b, note_cpu, NULL, "b");
	fake_cpu_id = 1;
	ktimer_start(&a, 2000, 0);
	CHECK_EQ_INT(ktimer_next_deadline(), 2000);
	fake_cpu_id = 0;
	ktimer_start(&b, 3000, 0);
	CHECK_EQ_INT(ktimer_next_deadline(), 3000); /* CPU 0 sees its own */
	/* Each CPU programmed its own local timer for its own head. */
	CHECK_EQ_INT(oneshot.armed_on[1], 2000);
	CHECK_EQ_INT(oneshot.armed_on[0], 3000);
	fire_cpu_at(&oneshot, 0, 2500); /* not armed yet: nothing */
	CHECK_EQ_INT(norder, 0);
	fire_cpu_at(&oneshot, 1, 2500);
	CHECK_EQ_INT(norder, 1);
	CHECK_EQ_STR(order[0], "a");
	CHECK_EQ_INT(ran_on, 1);
	/* CPU 1 has nothing left: its timer stopped (tickless per CPU),
	 * CPU 0's still set for b. */
	CHECK_EQ_INT(oneshot.armed_on[1], UINT64_MAX);
	CHECK_EQ_INT(oneshot.armed_on[0], 3000);
	fire_cpu_at(&oneshot, 0, 3000);
	CHECK_EQ_INT(norder, 2);
	CHECK_EQ_INT(ran_on, 0);
	ktimer_stats_read(1, &st);
	CHECK_EQ_INT(st.expired, 1);
	CHECK_EQ_INT(st.interrupts, 1);
	ktimer_stats_read(KTIMER_ALL_CPUS, &st);
	CHECK_EQ_INT(st.expired, 2);
	CHECK_EQ_INT(st.interrupts, 2);
	fake_cpu_id = 0;
}

TEST(ktimer_restart_moves_to_the_calling_cpu)
{
	struct ktimer a;
	struct ktimer_stats st;

	reset_oneshot();
	norder = 0;
	ktimer_init(&a, note_cpu, NULL, "a");
	fake_cpu_id = 2;
	ktimer_start(&a, 2000, 0);
	fake_cpu_id = 0;
	ktimer_start(&a, 2500, 0);
	CHECK_EQ_INT(a.cpu, 0);
	CHECK(ktq[2].queue == NULL);
	CHECK(ktq[0].queue == &a);
	/* CPU 2's device was left set (only CPU 2 can reprogram it): its
	 * interrupt finds nothing due, counts early, and stops it. */
	fire_cpu_at(&oneshot, 2, 2000);
	CHECK_EQ_INT(norder, 0);
	ktimer_stats_read(2, &st);
	CHECK_EQ_INT(st.early, 1);
	CHECK_EQ_INT(oneshot.armed_on[2], UINT64_MAX);
	fire_cpu_at(&oneshot, 0, 2500);
	CHECK_EQ_INT(norder, 1);
	CHECK_EQ_INT(ran_on, 0);
}

TEST(ktimer_cancel_finds_a_timer_on_another_cpu)
{
	struct ktimer a;

	reset_oneshot();
	norder = 0;
	ktimer_init(&a, note_cpu, NULL, "a");
	fake_cpu_id = 3;
	ktimer_start(&a, 2000, 0);
	fake_cpu_id = 0;
	CHECK(ktimer_cancel(&a));
	CHECK(!a.queued);
	CHECK(ktq[3].queue == NULL);
	CHECK(!ktimer_cancel(&a));
	fire_cpu_at(&oneshot, 3, 2000);
	CHECK_EQ_INT(norder, 0);
}

/* A function running on CPU 1 (a pthread) while CPU 0 cancels it. */
static volatile int slow_in, slow_done, slow_release;

static void slow_fn(struct ktimer *t)
{
	(void)t;
	__atomic_store_n(&slow_in, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&slow_release, __ATOMIC_SEQ_CST)) {
	}
	__atomic_store_n(&slow_done, 1, __ATOMIC_SEQ_CST);
}

static void *cpu1_fires(void *arg)
{
	fire_cpu_at(arg, 1, 2000);
	return NULL;
}

static void *release_later(void *arg)
{
	(void)arg;
	usleep(50000); /* gives a cancel that did not wait time to return */
	__atomic_store_n(&slow_release, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

TEST(ktimer_cancel_waits_for_a_function_running_elsewhere)
{
	static struct ktimer a;
	pthread_t cpu1, releaser;

	reset_oneshot();
	slow_in = slow_done = slow_release = 0;
	ktimer_init(&a, slow_fn, NULL, "slow");
	fake_cpu_id = 1;
	ktimer_start(&a, 2000, 0);
	fake_cpu_id = 0;
	REQUIRE(pthread_create(&cpu1, NULL, cpu1_fires, &oneshot) == 0);
	while (!__atomic_load_n(&slow_in, __ATOMIC_SEQ_CST)) {
	}
	/* Restarted while its function runs on CPU 1: stays on CPU 1. */
	ktimer_start(&a, 9000, 0);
	CHECK_EQ_INT(a.cpu, 1);
	REQUIRE(pthread_create(&releaser, NULL, release_later, NULL) == 0);
	CHECK(ktimer_cancel(&a));
	CHECK_EQ_INT(slow_done, 1); /* returned only after the function */
	pthread_join(cpu1, NULL);
	pthread_join(releaser, NULL);
	CHECK(!a.queued);
}
