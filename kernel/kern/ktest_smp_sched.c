/*
 * In-kernel tests of the scheduler and the timers across CPUs (KTAP,
 * kern/ktest.h); each skips with fewer than two CPUs online.
 *
 *   - a counter incremented under one spinlock by a thread pinned on each
 *     CPU, and by a periodic ktimer's function on each CPU (interrupts
 *     arriving all along), is exact;
 *   - a thread pinned to CPU k, blocked on a completion that a ktimer's
 *     function completes on another CPU (an interrupt there), runs on k
 *     (woken by IPI_RESCHEDULE);
 *   - over an idle second each CPU takes fewer than 10 timer interrupts
 *     (tickless per CPU);
 *   - thread_set_cpus() moves a thread that is running (never blocks).
 *
 * Every wait is for a condition with a bound, never a fixed sleep;
 * nothing is timed (QEMU TCG runs 4 CPUs on fewer host cores).
 */
#include "kern/console.h"
#include "kern/irqflags.h"
#include "kern/ktest.h"
#include "kern/ktimer.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/spinlock.h"
#include "kern/timer.h"
#include "kern/wait.h"

#define WAIT_BOUND_NS (10 * NSEC_PER_SEC)

static unsigned int this_cpu(void)
{
	unsigned long flags = arch_irq_save();
	unsigned int cpu = arch_cpu_id();

	arch_irq_restore(flags);
	return cpu;
}

/* Sleep in 1 ms steps until *flag, or the bound. */
static bool wait_for(volatile bool *flag)
{
	uint64_t end = time_ns() + WAIT_BOUND_NS;

	while (!*flag && time_ns() < end) {
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	return *flag;
}

/* An online CPU other than cpu (the lowest), or cpu if none. */
static unsigned int other_cpu(unsigned int cpu)
{
	cpumask_t m = cpu_online_mask() & ~CPUMASK_CPU(cpu);

	return m ? (unsigned int)__builtin_ctz(m) : cpu;
}

/* --- an exact counter under a spinlock, from every CPU ----------------- */

#define COUNT_OWN      2000
#define COUNT_TICKS    20
#define TICK_PERIOD_NS (5 * NSEC_PER_MSEC)
#define COUNT_BOUND_NS (30 * NSEC_PER_SEC)

static struct spinlock count_lock = SPINLOCK_INIT("ktest-smp-count");
static volatile unsigned long counter;
static volatile bool count_stop;

struct counter_cpu {
	unsigned int cpu;
	unsigned long own;	/* increments by the thread */
	unsigned long wrong;	/* times it found itself on another CPU */
	unsigned long by_timer; /* increments by the timer's function */
	struct ktimer timer;
	struct thread *thread;
};

static struct counter_cpu counters[NR_CPUS];

/* Read, dawdle, write: a lost update shows without the lock. */
static void bump(void)
{
	unsigned long v = counter;

	for (volatile int i = 0; i < 50; i++) {
	}
	counter = v + 1;
}

static void count_tick(struct ktimer *t)
{
	struct counter_cpu *c = t->data;
	unsigned long flags = spin_lock_irqsave(&count_lock);

	bump();
	c->by_timer++;
	spin_unlock_irqrestore(&count_lock, flags);
}

static void counter_thread(void *arg)
{
	struct counter_cpu *c = arg;

	/* Moved there before this returns. */
	if (thread_set_cpus(thread_current(), CPUMASK_CPU(c->cpu)) != 0) {
		return;
	}
	ktimer_init(&c->timer, count_tick, c, "ktest-smp-tick");
	/* Not much faster: under TCG on a loaded host taking the lock may
	 * take longer than a short period, and the function, due again at
	 * once, would keep the CPU in interrupt context. */
	ktimer_start(&c->timer, time_ns() + TICK_PERIOD_NS, TICK_PERIOD_NS);
	while (!count_stop) {
		unsigned long flags = spin_lock_irqsave(&count_lock);

		bump();
		c->own++;
		c->wrong += arch_cpu_id() != c->cpu;
		spin_unlock_irqrestore(&count_lock, flags);
	}
	ktimer_cancel(&c->timer);
}

static bool counts_reached(void)
{
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		const struct counter_cpu *c = &counters[k];

		if (c->thread && (READ_ONCE(c->own) < COUNT_OWN ||
				  READ_ONCE(c->by_timer) < COUNT_TICKS)) {
			return false;
		}
	}
	return true;
}

static bool test_counter_exact_on_all_cpus(void)
{
	cpumask_t online = cpu_online_mask();
	unsigned long sum = 0;
	uint64_t end;

	if (cpu_online_count() < 2) {
		KT_SKIP("one CPU online");
	}
	counter = 0;
	count_stop = false;
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		counters[k] = (struct counter_cpu){.cpu = k};
		if (online & CPUMASK_CPU(k)) {
			counters[k].thread =
			    thread_create(counter_thread, &counters[k],
					  "ktest-smp-count", PRIO_LOW);
			KT_CHECK(counters[k].thread);
		}
	}
	/* Until every thread and every timer has done its share (a loaded
	 * host may leave a virtual CPU unscheduled for a while), bounded. */
	end = time_ns() + COUNT_BOUND_NS;
	while (!counts_reached() && time_ns() < end) {
		thread_sleep_ns(10 * NSEC_PER_MSEC);
	}
	if (!counts_reached()) {
		sched_print_threads(); /* who did not get its share, and why */
	}
	count_stop = true;
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		struct counter_cpu *c = &counters[k];

		if (!c->thread) {
			continue;
		}
		KT_CHECK(thread_join(c->thread) == 0);
		kprintf("    # CPU %u: %lu by the thread, %lu by its timer\n",
			k, c->own, c->by_timer);
		/* The targets are for a host that runs every virtual CPU;
		 * what must hold is that each took part, interrupts too. */
		KT_CHECK(c->own > 0);
		KT_CHECK(c->by_timer > 0);
		KT_CHECK(c->wrong == 0);
		sum += c->own + c->by_timer;
	}
	KT_CHECK(counter == sum);
	return true;
}
KTEST_CASE("smp_counter_exact_on_all_cpus", test_counter_exact_on_all_cpus);

/* --- a wake from another CPU's interrupt -------------------------------- */

static struct completion cross_done;
static volatile bool cross_waiting, cross_ran;
static volatile unsigned int cross_woke_on, cross_fired_on;
static unsigned int cross_target;

static void cross_waiter(void *arg)
{
	(void)arg;
	if (thread_set_cpus(thread_current(), CPUMASK_CPU(cross_target))) {
		return;
	}
	cross_waiting = true;
	if (wait_for_completion_timeout(&cross_done, WAIT_BOUND_NS) == 0) {
		cross_woke_on = this_cpu();
		cross_ran = true;
	}
}

static void cross_fire(struct ktimer *t)
{
	(void)t;
	cross_fired_on = arch_cpu_id();
	complete(&cross_done);
}

static bool test_wake_from_other_cpu_irq(void)
{
	struct thread *me = thread_current(), *w;
	unsigned long ipis;
	unsigned int here;
	struct ktimer k;
	bool ok;

	if (cpu_online_count() < 2) {
		KT_SKIP("one CPU online");
	}
	/* The timer is queued, and fires, on the CPU that starts it: us. */
	KT_CHECK(thread_set_cpus(me, CPUMASK_CPU(this_cpu())) == 0);
	here = this_cpu();
	cross_target = other_cpu(here);
	completion_init(&cross_done, "ktest-smp-cross");
	cross_waiting = cross_ran = false;
	cross_woke_on = cross_fired_on = NR_CPUS;
	w = thread_create(cross_waiter, NULL, "ktest-smp-cross", PRIO_HIGH);
	ok = w && wait_for(&cross_waiting);
	ipis = ipi_received(cross_target, IPI_RESCHEDULE);
	if (ok) {
		ktimer_init(&k, cross_fire, NULL, "ktest-smp-cross");
		ktimer_start(&k, time_ns() + 5 * NSEC_PER_MSEC, 0);
		ok = wait_for(&cross_ran);
		ktimer_cancel(&k);
	}
	thread_set_cpus(me, CPUMASK_ALL);
	KT_CHECK(ok);
	KT_CHECK(thread_join(w) == 0);
	kprintf("    # fired on CPU %u, the waiter ran on CPU %u\n",
		cross_fired_on, cross_woke_on);
	KT_CHECK(cross_fired_on == here);
	KT_CHECK(cross_woke_on == cross_target);
	if (ipi_available()) {
		KT_CHECK(ipi_received(cross_target, IPI_RESCHEDULE) > ipis);
	}
	return true;
}
KTEST_CASE("smp_wake_from_other_cpu_irq", test_wake_from_other_cpu_irq);

/* --- tickless per CPU ---------------------------------------------------- */

static bool test_idle_cpus_tickless(void)
{
	const struct clockevent *ce = clockevent_current();
	struct ktimer_stats before[NR_CPUS], after;
	cpumask_t online = cpu_online_mask();
	bool ok = true;

	if (cpu_online_count() < 2) {
		KT_SKIP("one CPU online");
	}
	if (!ce || !(ce->features & CLOCKEVENT_ONESHOT) ||
	    !timer_tick_alive()) {
		KT_SKIP("no working one-shot clock event device");
	}
	if (!console_input_is_irq_driven()) {
		KT_SKIP("the console is polled: a 1 kHz timer wakes it");
	}
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		ktimer_stats_read(k, &before[k]);
	}
	msleep(1000);
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		unsigned long n;

		if (!(online & CPUMASK_CPU(k))) {
			continue;
		}
		ktimer_stats_read(k, &after);
		n = after.interrupts - before[k].interrupts;
		kprintf(
		    "    # CPU %u: %lu timer interrupts in an idle second\n", k,
		    n);
		ok = ok && n < 10;
	}
	KT_CHECK(ok);
	return true;
}
KTEST_CASE("smp_idle_cpus_tickless", test_idle_cpus_tickless);

/* --- thread_set_cpus moves a running thread ------------------------------ */

static volatile bool mover_stop;
static volatile unsigned int mover_on = NR_CPUS;

/* Never blocks: only the IPI that thread_set_cpus sends moves it. */
static void mover(void *arg)
{
	(void)arg;
	while (!mover_stop) {
		mover_on = this_cpu();
	}
}

static bool wait_on_cpu(unsigned int cpu)
{
	uint64_t end = time_ns() + WAIT_BOUND_NS;

	while (mover_on != cpu && time_ns() < end) {
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	return mover_on == cpu;
}

static bool test_set_cpus_moves_running(void)
{
	unsigned int a, b;
	struct thread *t;
	bool first, second;

	if (cpu_online_count() < 2) {
		KT_SKIP("one CPU online");
	}
	a = this_cpu();
	b = other_cpu(a);
	mover_stop = false;
	mover_on = NR_CPUS;
	t = thread_create(mover, NULL, "ktest-smp-mover", PRIO_LOW);
	KT_CHECK(t);
	KT_CHECK(thread_set_cpus(t, CPUMASK_CPU(a)) == 0);
	first = wait_on_cpu(a);
	KT_CHECK(thread_set_cpus(t, CPUMASK_CPU(b)) == 0);
	second = wait_on_cpu(b);
	mover_stop = true;
	KT_CHECK(thread_join(t) == 0);
	KT_CHECK(first);
	KT_CHECK(second);
	return true;
}
KTEST_CASE("smp_set_cpus_moves_running", test_set_cpus_moves_running);
