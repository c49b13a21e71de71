/*
 * Waiting and waking (kern/wait.c, kern/mutex.c) on the host, threads
 * switching for real (fake_sched.h): the condition is checked under the
 * queue lock, a wake without the condition does not end a wait, timeouts
 * end on their deadline, a wake racing a timeout wakes once, completions,
 * semaphores, mutexes with priority inheritance, and might_sleep().
 */
#include <string.h>

#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/ktimer.h"
#include "kern/sched.h"
#include "kern/sched_priv.h"
#include "kern/wait.h"
#include "fake_arch.h"
#include "fake_sched.h"
#include "unit.h"

static struct wait_queue fake_wq;
static volatile bool cond_flag;
static volatile int wait_ret;
static volatile bool wait_done;

static bool flag_set(void *arg)
{
	(void)arg;
	return cond_flag;
}

static void fake_wait_reset(void)
{
	fake_sched_reset();
	wait_queue_init(&fake_wq, "fake-wq");
	cond_flag = false;
	wait_ret = 1;
	wait_done = false;
}

static void waiter(void *arg)
{
	uint64_t timeout = (uint64_t)(uintptr_t)arg;

	wait_ret = wait_event_timeout(&fake_wq, flag_set, NULL,
				      timeout ? timeout : WAIT_FOREVER);
	wait_done = true;
}

TEST(wait_true_condition_returns_without_sleeping)
{
	unsigned long before;

	fake_wait_reset();
	cond_flag = true;
	before = thread_switches(thread_current());
	CHECK_EQ_INT(wait_event_timeout(&fake_wq, flag_set, NULL, 0), 0);
	CHECK(thread_switches(thread_current()) == before);
	fake_sched_teardown();
}

TEST(wait_wake_without_condition_keeps_waiting)
{
	struct thread *t;

	fake_wait_reset();
	t = thread_create(waiter, NULL, "w", PRIO_HIGH);
	REQUIRE(t != NULL);
	CHECK(!wait_done);
	wake_up_one(&fake_wq); /* condition still false */
	CHECK(!wait_done);
	cond_flag = true;
	wake_up_all(&fake_wq);
	CHECK(wait_done); /* higher priority: ran at the wake */
	CHECK_EQ_INT(wait_ret, 0);
	thread_join(t);
	fake_sched_teardown();
}

TEST(wait_timeout_ends_on_deadline)
{
	struct thread *t;

	fake_wait_reset();
	t = thread_create(waiter, (void *)(uintptr_t)(10 * NSEC_PER_MSEC), "w",
			  PRIO_HIGH);
	REQUIRE(t != NULL);
	fake_time_advance(10 * NSEC_PER_MSEC - 1);
	CHECK(!wait_done);
	fake_time_advance(1);
	CHECK(wait_done);
	CHECK_EQ_INT(wait_ret, -ETIMEDOUT);
	CHECK_EQ_INT(fake_timers_queued(), 0);
	thread_join(t);
	fake_sched_teardown();
}

/* The waker's timer is due at the same instant as the wait's timeout. */
static void wake_timer(struct ktimer *k)
{
	(void)k;
	cond_flag = true;
	wake_up_one(&fake_wq);
}

static void race(bool wake_first)
{
	struct ktimer k;
	struct thread *t;
	unsigned long switches;
	const uint64_t at = 5 * NSEC_PER_MSEC;

	fake_wait_reset();
	ktimer_init(&k, wake_timer, NULL, "waker");
	if (wake_first) { /* queued first: expires first */
		ktimer_start(&k, at, 0);
	}
	t = thread_create(waiter, (void *)(uintptr_t)at, "w", PRIO_HIGH);
	REQUIRE(t != NULL);
	if (!wake_first) {
		ktimer_start(&k, at, 0);
	}
	switches = thread_switches(t);
	fake_time_advance(at);
	CHECK(wait_done);
	CHECK_EQ_INT(wait_ret, 0); /* the condition is true: success */
	CHECK(thread_switches(t) == switches + 1); /* woken once */
	CHECK_EQ_INT(rq.count, 0); /* not queued twice (idle never is) */
	thread_join(t);
	fake_sched_teardown();
}

TEST(wait_wake_racing_timeout_wakes_once)
{
	race(true);
	race(false);
}

TEST(wait_timeout_in_the_past_returns_at_once)
{
	fake_wait_reset();
	CHECK_EQ_INT(wait_event_timeout(&fake_wq, flag_set, NULL, 0),
		     -ETIMEDOUT);
	CHECK(fake_now_ns == 0);
	fake_sched_teardown();
}

/* ---- completions and semaphores --------------------------------------- */

static struct completion fake_c;
static volatile int passed;

static void completion_waiter(void *arg)
{
	(void)arg;
	if (wait_for_completion_timeout(&fake_c, WAIT_FOREVER) == 0) {
		passed++;
	}
}

TEST(wait_completion_counts_and_all)
{
	struct thread *t[3];

	fake_wait_reset();
	completion_init(&fake_c, "c");
	passed = 0;
	complete(&fake_c); /* before anyone waits: not lost */
	CHECK_EQ_INT(wait_for_completion_timeout(&fake_c, 0), 0);
	CHECK_EQ_INT(wait_for_completion_timeout(&fake_c, 0), -ETIMEDOUT);
	for (int i = 0; i < 3; i++) {
		t[i] = thread_create(completion_waiter, NULL, "cw", PRIO_HIGH);
		REQUIRE(t[i] != NULL);
	}
	complete(&fake_c);
	CHECK_EQ_INT(passed, 1);
	complete_all(&fake_c);
	CHECK_EQ_INT(passed, 3);
	CHECK_EQ_INT(wait_for_completion_timeout(&fake_c, 0), 0); /* later */
	completion_reinit(&fake_c);
	CHECK_EQ_INT(wait_for_completion_timeout(&fake_c, 0), -ETIMEDOUT);
	for (int i = 0; i < 3; i++) {
		thread_join(t[i]);
	}
	fake_sched_teardown();
}

static struct semaphore fake_sem;

static void sem_waiter(void *arg)
{
	(void)arg;
	if (sem_down_timeout(&fake_sem, WAIT_FOREVER) == 0) {
		passed++;
	}
}

TEST(wait_semaphore_counts)
{
	struct thread *t;

	fake_wait_reset();
	sem_init(&fake_sem, 2, "sem");
	passed = 0;
	CHECK(sem_trydown(&fake_sem));
	CHECK_EQ_INT(sem_down_timeout(&fake_sem, 0), 0);
	CHECK(!sem_trydown(&fake_sem));
	CHECK_EQ_INT(sem_down_timeout(&fake_sem, NSEC_PER_MSEC), -ETIMEDOUT);
	CHECK(fake_now_ns == NSEC_PER_MSEC);
	t = thread_create(sem_waiter, NULL, "sw", PRIO_HIGH);
	REQUIRE(t != NULL);
	CHECK_EQ_INT(passed, 0);
	sem_up(&fake_sem);
	CHECK_EQ_INT(passed, 1);
	CHECK_EQ_INT(fake_sem.count, 0);
	thread_join(t);
	fake_sched_teardown();
}

/* ---- mutexes ------------------------------------------------------------- */

static struct mutex m1, m2;
static volatile unsigned long counter;

static void counting(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		unsigned long v;

		mutex_lock(&m1);
		v = counter;
		thread_yield(); /* the others run: they must wait */
		counter = v + 1;
		mutex_unlock(&m1);
	}
}

TEST(wait_mutex_keeps_counter_exact)
{
	struct thread *t[4];

	fake_wait_reset();
	mutex_init(&m1, "m1");
	counter = 0;
	for (int i = 0; i < 4; i++) {
		t[i] = thread_create(counting, NULL, "count", PRIO_LOW);
		REQUIRE(t[i] != NULL);
	}
	for (int i = 0; i < 4; i++) {
		thread_join(t[i]);
	}
	CHECK_EQ_INT(counter, 200);
	CHECK(!mutex_is_held(&m1));
	fake_sched_teardown();
}

static struct completion go_low;
static volatile int seen_prio;

static void low_holder(void *arg)
{
	(void)arg;
	mutex_lock(&m1);
	wait_for_completion_timeout(&go_low, WAIT_FOREVER);
	seen_prio = thread_priority(thread_current());
	mutex_unlock(&m1);
	seen_prio = seen_prio * 100 + thread_priority(thread_current());
}

static void high_locker(void *arg)
{
	(void)arg;
	mutex_lock(&m1);
	mutex_unlock(&m1);
}

TEST(wait_mutex_inherits_priority_until_unlock)
{
	struct thread *lo, *hi;

	fake_wait_reset();
	mutex_init(&m1, "m1");
	completion_init(&go_low, "go");
	seen_prio = -1;
	lo = thread_create(low_holder, NULL, "lo", PRIO_LOW);
	REQUIRE(lo != NULL);
	thread_sleep_ns(1000); /* lo runs, takes m1, waits for go */
	REQUIRE(mutex_is_held(&m1));
	hi = thread_create(high_locker, NULL, "hi", PRIO_IRQ);
	REQUIRE(hi != NULL);
	/* hi blocked on m1 and lent lo its priority */
	CHECK_EQ_INT(thread_priority(lo), PRIO_IRQ);
	complete(&go_low); /* lo outranks main now: runs at once */
	thread_join(hi);
	thread_join(lo);
	CHECK_EQ_INT(seen_prio, PRIO_IRQ * 100 + PRIO_LOW);
	fake_sched_teardown();
}

static void mid_chain(void *arg)
{
	(void)arg;
	mutex_lock(&m2);
	mutex_lock(&m1); /* lo has it */
	mutex_unlock(&m1);
	mutex_unlock(&m2);
}

static void high_chain(void *arg)
{
	(void)arg;
	mutex_lock(&m2); /* mid has it */
	mutex_unlock(&m2);
}

TEST(wait_mutex_inheritance_follows_chain)
{
	struct thread *lo, *mid, *hi;

	fake_wait_reset();
	mutex_init(&m1, "m1");
	mutex_init(&m2, "m2");
	completion_init(&go_low, "go");
	lo = thread_create(low_holder, NULL, "lo", PRIO_LOW);
	thread_sleep_ns(1000);
	mid = thread_create(mid_chain, NULL, "mid", PRIO_HIGH);
	REQUIRE(lo && mid);
	CHECK_EQ_INT(thread_priority(lo), PRIO_HIGH);
	hi = thread_create(high_chain, NULL, "hi", PRIO_IRQ);
	REQUIRE(hi != NULL);
	CHECK_EQ_INT(thread_priority(mid), PRIO_IRQ);
	CHECK_EQ_INT(thread_priority(lo), PRIO_IRQ); /* through mid */
	complete(&go_low);
	thread_join(hi);
	thread_join(mid);
	thread_join(lo);
	fake_sched_teardown();
}

static volatile int timed_lock_ret;

static void timed_locker(void *arg)
{
	(void)arg;
	timed_lock_ret = mutex_lock_timeout(&m1, NSEC_PER_MSEC);
}

TEST(wait_mutex_timeout_drops_the_loan)
{
	struct thread *t;

	fake_wait_reset();
	mutex_init(&m1, "m1");
	mutex_lock(&m1);
	timed_lock_ret = 1;
	t = thread_create(timed_locker, NULL, "timed", PRIO_HIGH);
	REQUIRE(t != NULL);
	CHECK_EQ_INT(thread_priority(thread_current()), PRIO_HIGH);
	fake_time_advance(NSEC_PER_MSEC);
	thread_yield(); /* its equal now: the timed-out waiter runs */
	CHECK_EQ_INT(timed_lock_ret, -ETIMEDOUT);
	CHECK_EQ_INT(thread_priority(thread_current()), PRIO_NORMAL);
	mutex_unlock(&m1);
	thread_join(t);
	fake_sched_teardown();
}

/* A panic inside a lock leaves it taken: start the lock afresh. */
static void fake_after_panic(struct mutex *m)
{
	mutex_init(m, "m1");
	spin_held_reset();
	fake_irqs_on = true;
}

TEST(wait_mutex_misuse_panics)
{
	fake_wait_reset();
	mutex_init(&m1, "m1");
	EXPECT_PANIC(mutex_unlock(&m1));
	CHECK(strstr(fake_panic_message(), "owner nobody") != NULL);
	fake_after_panic(&m1);
	mutex_lock(&m1);
	EXPECT_PANIC(mutex_lock(&m1));
	CHECK(strstr(fake_panic_message(), "locked twice by main") != NULL);
	fake_after_panic(&m1);
	fake_sched_teardown();
}

/* ---- might_sleep ------------------------------------------------------- */

TEST(wait_might_sleep_names_the_culprit)
{
	static struct spinlock l = SPINLOCK_INIT("fake-held");
	unsigned long flags;

	fake_wait_reset();
	CHECK(can_sleep());
	flags = spin_lock_irqsave(&l);
	CHECK(!can_sleep());
	EXPECT_PANIC(wait_event_timeout(&fake_wq, flag_set, NULL, 0));
	CHECK(strstr(fake_panic_message(),
		     "sleeping with spinlock fake-held held: "
		     "wait_event_timeout called from") != NULL);
	spin_unlock_irqrestore(&l, flags);
	fake_irqs_on = false;
	EXPECT_PANIC(thread_sleep_ns(1));
	CHECK(strstr(fake_panic_message(), "sleeping with interrupts off: "
					   "thread_sleep_ns called") != NULL);
	fake_irqs_on = true;
	fake_sched_teardown();
}

static void nop_chip_op(struct irq_desc *d)
{
	(void)d;
}

static struct irq_chip nop_chip = {
    .name = "nopic",
    .mask = nop_chip_op,
    .unmask = nop_chip_op,
    .ack = nop_chip_op,
};

static volatile bool handler_could_sleep = true;

static enum irq_return sleeping_handler(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	handler_could_sleep = can_sleep();
	EXPECT_PANIC(sem_down_timeout(&fake_sem, 0));
	return IRQ_HANDLED;
}

TEST(wait_sleep_in_handler_panics)
{
	static int cookie;
	int base;

	fake_wait_reset();
	irq_core_init();
	irq_cpus_online = 1;
	sem_init(&fake_sem, 0, "sem");
	base = irq_domain_add(&nop_chip, NULL, 0, 4, irq_flow_edge);
	REQUIRE(base >= 0);
	REQUIRE(irq_request((unsigned int)base, sleeping_handler, 0, "sleepy",
			    &cookie) == 0);
	irq_handle((unsigned int)base);
	CHECK(!handler_could_sleep);
	CHECK(strstr(fake_panic_message(),
		     "sleeping in interrupt context: sem_down called from") !=
	      NULL);
	CHECK(!in_irq());
	irq_free((unsigned int)base, &cookie);
	fake_sched_teardown();
}
