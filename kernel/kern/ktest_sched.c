/*
 * In-kernel tests of threads and the scheduler (KTAP, kern/ktest.h): what
 * needs the real timer, the real interrupt exit and the real switch. The
 * run-queue and wait logic have host tests (tests/unit/test_sched.c).
 *
 * Every wait is for a condition with a deadline, never a fixed sleep.
 * Sleeping in an interrupt handler panics (might_sleep), which KTAP
 * cannot observe; pended_irq_wakes_high_prio checks instead that
 * can_sleep() is false inside a handler, which is what might_sleep tests.
 *
 * SMP: the cases about one CPU's order of events (slices between
 * equals, a wake preempting the interrupted thread, priority lending)
 * pin themselves to the CPU they start on (KTEST_PINNED); the threads
 * they create inherit that. The ones about exclusion run free, on every
 * CPU. kern/ktest_smp_sched.c has the cases across CPUs.
 */
#include "kern/arch.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ktest.h"
#include "kern/ktimer.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/wait.h"

#define TICK_NS (NSEC_PER_SEC / HZ)

/* Run fn pinned to the CPU the runner is on, then let the runner free. */
static bool run_pinned(bool (*fn)(void))
{
	struct thread *me = thread_current();
	bool ok;

	if (thread_set_cpus(me, CPUMASK_CPU(thread_cpu(me))) != 0) {
		kprintf("    # could not pin to CPU %u\n", thread_cpu(me));
		return false;
	}
	ok = fn();
	thread_set_cpus(me, CPUMASK_ALL);
	return ok;
}

#define KTEST_PINNED(cname, fn)                                                \
	static bool fn##_pinned(void)                                          \
	{                                                                      \
		return run_pinned(fn);                                         \
	}                                                                      \
	KTEST_CASE(cname, fn##_pinned)

/* Wait (sleeping in 1 ms steps) until *flag or deadline_ns from now. */
static bool wait_flag(volatile bool *flag, uint64_t timeout_ns)
{
	uint64_t end = time_ns() + timeout_ns;

	while (!*flag && time_ns() < end) {
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	return *flag;
}

/* --- preemption between equals ------------------------------------------ */

static volatile bool busy_stop;
static volatile int busy_last = -1;
static volatile unsigned long busy_flips;
static volatile unsigned long busy_loops[2];

/* Never yields: only the slice timer can make the other one run. */
static void busy_thread(void *arg)
{
	int me = (int)(uintptr_t)arg;

	while (!busy_stop) {
		busy_loops[me]++;
		if (busy_last != me) {
			busy_last = me;
			busy_flips++;
		}
	}
}

static bool test_equal_threads_share_cpu(void)
{
	struct thread *a, *b;
	uint64_t end;

	busy_stop = false;
	busy_flips = 0;
	busy_last = -1;
	busy_loops[0] = busy_loops[1] = 0;
	a = thread_create(busy_thread, (void *)0, "ktest-busy-0", PRIO_LOW);
	b = thread_create(busy_thread, (void *)1, "ktest-busy-1", PRIO_LOW);
	KT_CHECK(a && b);
	/* Ten hand-overs: far more than start-up order can explain. */
	end = time_ns() + 5 * NSEC_PER_SEC;
	while (busy_flips < 10 && time_ns() < end) {
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	busy_stop = true;
	KT_CHECK(thread_join(a) == 0);
	KT_CHECK(thread_join(b) == 0);
	KT_CHECK(busy_flips >= 10);
	KT_CHECK(busy_loops[0] > 0 && busy_loops[1] > 0);
	return true;
}
KTEST_PINNED("equal_threads_share_cpu", test_equal_threads_share_cpu);

/* --- a wake from an interrupt preempts ---------------------------------- */

static struct completion irq_done;
static volatile bool handler_ran, handler_could_sleep, high_ran;
static volatile bool high_before_handler_seen;

/* In hard interrupt context: what the woken thread must beat. */
static void note_and_wake(void)
{
	handler_could_sleep = can_sleep();
	handler_ran = true;
	complete(&irq_done);
}

static enum irq_return wake_handler(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	note_and_wake();
	return IRQ_HANDLED;
}

static void timer_wake(struct ktimer *k)
{
	(void)k;
	note_and_wake();
}

static void high_thread(void *arg)
{
	(void)arg;
	if (wait_for_completion_timeout(&irq_done, 5 * NSEC_PER_SEC) == 0) {
		high_ran = true;
	}
}

/* A high-priority thread that runs at once (it outranks us) and blocks
 * on the completion an interrupt will complete. */
static struct thread *start_high(void)
{
	completion_init(&irq_done, "ktest-irq");
	handler_ran = high_ran = false;
	handler_could_sleep = true;
	return thread_create(high_thread, NULL, "ktest-high", PRIO_HIGH);
}

/* We are the interrupted low-priority thread: by the time we see the
 * handler's mark, the woken thread must already have run. */
static void watch_handler(void)
{
	uint64_t end = time_ns() + 5 * NSEC_PER_SEC;

	while (!handler_ran && time_ns() < end) {
		arch_cpu_relax();
	}
	high_before_handler_seen = high_ran;
}

static bool check_high_ran_first(struct thread *t)
{
	KT_CHECK(thread_join(t) == 0);
	KT_CHECK(handler_ran);
	KT_CHECK(high_before_handler_seen);
	KT_CHECK(!handler_could_sleep);
	return true;
}

static bool test_pended_irq_wakes_high_prio(void)
{
	static int cookie;
	int irq = irq_find_pendable(false);
	struct thread *t;

	if (irq < 0) {
		KT_SKIP("no software-pendable line on this controller "
			"(timer_irq_wakes_high_prio covers the path)");
	}
	t = start_high();
	KT_CHECK(t);
	KT_CHECK(irq_request((unsigned int)irq, wake_handler,
			     IRQF_TRIGGER_RISING, "ktest-wake", &cookie) == 0);
	/* The interrupted thread is us: the line must come here. A per-CPU
	 * line refuses (-EINVAL), and is raised on this CPU anyway. */
	if (cpu_online_count() > 1) {
		(void)irq_set_affinity(
		    (unsigned int)irq,
		    CPUMASK_CPU(thread_cpu(thread_current())));
	}
	KT_CHECK(irq_set_pending((unsigned int)irq) == 0);
	watch_handler();
	KT_CHECK(irq_free((unsigned int)irq, &cookie) == 0);
	return check_high_ran_first(t);
}
KTEST_PINNED("pended_irq_wakes_high_prio", test_pended_irq_wakes_high_prio);

/* The same through the timer's interrupt (a device interrupt on every
 * boot path, the PIT's too): a ktimer's function is the handler. */
static bool test_timer_irq_wakes_high_prio(void)
{
	struct ktimer k;
	struct thread *t = start_high();

	KT_CHECK(t);
	ktimer_init(&k, timer_wake, NULL, "ktest-wake");
	ktimer_start(&k, time_ns() + 2 * NSEC_PER_MSEC, 0);
	watch_handler();
	ktimer_cancel(&k);
	return check_high_ran_first(t);
}
KTEST_PINNED("timer_irq_wakes_high_prio", test_timer_irq_wakes_high_prio);

/* --- a mutex under contention ------------------------------------------- */

#define MUTEX_THREADS 4

static struct mutex counter_lock;
static volatile unsigned long shared_counter;
static volatile bool contention_stop;
static unsigned long own_counts[MUTEX_THREADS];

/* Read, dawdle, write: without the mutex, a slice ending in between
 * loses the other threads' increments. */
static void counter_thread(void *arg)
{
	unsigned long *mine = arg;

	while (!contention_stop) {
		unsigned long v;

		mutex_lock(&counter_lock);
		v = shared_counter;
		for (volatile int i = 0; i < 200; i++) {
		}
		shared_counter = v + 1;
		mutex_unlock(&counter_lock);
		(*mine)++;
	}
}

static bool test_mutex_keeps_counter_exact(void)
{
	struct thread *t[MUTEX_THREADS];
	unsigned long sum = 0;
	uint64_t end;

	mutex_init(&counter_lock, "ktest-counter");
	shared_counter = 0;
	contention_stop = false;
	for (int i = 0; i < MUTEX_THREADS; i++) {
		own_counts[i] = 0;
		t[i] = thread_create(counter_thread, &own_counts[i],
				     "ktest-counter", PRIO_LOW);
		KT_CHECK(t[i]);
	}
	/* Long enough for many slices to end inside the critical section. */
	end = time_ns() + 300 * NSEC_PER_MSEC;
	while (time_ns() < end) {
		thread_sleep_ns(10 * NSEC_PER_MSEC);
	}
	for (int i = 0; i < MUTEX_THREADS; i++) {
		if (own_counts[i] == 0) {
			sched_print_threads(); /* the one left out, and why */
			break;
		}
	}
	contention_stop = true;
	for (int i = 0; i < MUTEX_THREADS; i++) {
		KT_CHECK(thread_join(t[i]) == 0);
		KT_CHECK(own_counts[i] > 0);
		sum += own_counts[i];
	}
	KT_CHECK(shared_counter == sum);
	KT_CHECK(!mutex_is_held(&counter_lock));
	return true;
}
KTEST_CASE("mutex_keeps_counter_exact", test_mutex_keeps_counter_exact);

/* --- timeouts end on time ------------------------------------------------ */

static bool never(void *arg)
{
	(void)arg;
	return false;
}

/*
 * Each wait must last at least its timeout; the best one must end within
 * a tick of it. Each kind runs at least once; more tries (up to 15) only
 * while none was on time: a loaded host may delay any one of them.
 */
static bool test_wait_timeouts_on_time(void)
{
	static struct wait_queue wq = WAIT_QUEUE_INIT("ktest-timeout");
	static struct semaphore sem;
	const uint64_t timeout = 20 * NSEC_PER_MSEC;
	uint64_t best = UINT64_MAX;

	sem_init(&sem, 0, "ktest-sem");
	for (int i = 0; i < 15 && (i < 3 || best >= TICK_NS); i++) {
		uint64_t t0 = time_ns(), late;

		switch (i % 3) {
		case 0:
			KT_CHECK(wait_event_timeout(&wq, never, NULL,
						    timeout) == -ETIMEDOUT);
			break;
		case 1:
			KT_CHECK(sem_down_timeout(&sem, timeout) == -ETIMEDOUT);
			break;
		default:
			thread_sleep_ns(timeout);
			break;
		}
		late = time_ns() - t0;
		KT_CHECK(late >= timeout);
		if (late - timeout < best) {
			best = late - timeout;
		}
	}
	KT_CHECK(best < TICK_NS);
	return true;
}
KTEST_CASE("wait_timeouts_on_time", test_wait_timeouts_on_time);

/* --- join, exit codes ----------------------------------------------------- */

static volatile bool exiter_go;

static void exiter(void *arg)
{
	wait_flag(&exiter_go, 5 * NSEC_PER_SEC);
	thread_exit((int)(uintptr_t)arg);
}

static bool test_join_returns_exit_code(void)
{
	struct thread *t;

	exiter_go = false;
	t = thread_create(exiter, (void *)42, "ktest-exit", PRIO_NORMAL);
	KT_CHECK(t);
	exiter_go = true;
	KT_CHECK(thread_join(t) == 42);
	return true;
}
KTEST_CASE("join_returns_exit_code", test_join_returns_exit_code);

/* --- priority inheritance ----------------------------------------------- */

static struct mutex pi_lock;
static struct completion pi_release;
static volatile int pi_prio_held, pi_prio_after;

static void pi_low(void *arg)
{
	(void)arg;
	mutex_lock(&pi_lock);
	wait_for_completion_timeout(&pi_release, 5 * NSEC_PER_SEC);
	pi_prio_held = thread_priority(thread_current());
	mutex_unlock(&pi_lock);
	pi_prio_after = thread_priority(thread_current());
}

static void pi_high(void *arg)
{
	(void)arg;
	mutex_lock(&pi_lock);
	mutex_unlock(&pi_lock);
}

/* A waiter above the owner lends it its priority until the unlock. */
static bool test_mutex_lends_priority(void)
{
	struct thread *lo, *hi;
	uint64_t end;

	mutex_init(&pi_lock, "ktest-pi");
	completion_init(&pi_release, "ktest-pi-go");
	pi_prio_held = pi_prio_after = -1;
	lo = thread_create(pi_low, NULL, "ktest-pi-low", PRIO_LOW);
	KT_CHECK(lo);
	end = time_ns() + 5 * NSEC_PER_SEC;
	while (!mutex_is_held(&pi_lock) && time_ns() < end) {
		thread_sleep_ns(NSEC_PER_MSEC); /* lo runs meanwhile */
	}
	KT_CHECK(mutex_is_held(&pi_lock));
	hi = thread_create(pi_high, NULL, "ktest-pi-high", PRIO_HIGH);
	KT_CHECK(hi); /* ran at once and blocked on the mutex */
	KT_CHECK(thread_priority(lo) == PRIO_HIGH);
	complete(&pi_release);
	KT_CHECK(thread_join(hi) == 0);
	KT_CHECK(thread_join(lo) == 0);
	KT_CHECK(pi_prio_held == PRIO_HIGH);
	KT_CHECK(pi_prio_after == PRIO_LOW);
	return true;
}
KTEST_PINNED("mutex_lends_priority", test_mutex_lends_priority);
