/*
 * The scheduler (kern/runqueue.c, sched.c, thread.c) on the host: the run
 * queue's order, who runs when, slices, preemption at the interrupt exit
 * and by a wake, idle, join. Threads switch for real (swapcontext); time
 * and the timer interrupt are the fakes' (fake_sched.h).
 */
#include <string.h>

#include "kern/errno.h"

#include "kern/ktimer.h"
#include "kern/sched.h"
#include "kern/sched_priv.h"
#include "kern/wait.h"
#include "fake_arch.h"
#include "fake_sched.h"
#include "unit.h"

/* ---- the run queue alone ------------------------------------------------ */

static struct thread fake_threads[6];

static struct thread *fake_thread(int i, int prio)
{
	struct thread *t = &fake_threads[i];

	memset(t, 0, sizeof(*t));
	t->prio = prio;
	t->name[0] = (char)('a' + i);
	return t;
}

TEST(sched_runqueue_highest_first_fifo_among_equals)
{
	struct runqueue q;
	struct thread *a = fake_thread(0, 4), *b = fake_thread(1, 8);
	struct thread *c = fake_thread(2, 4), *d = fake_thread(3, 31);
	struct thread *e = fake_thread(4, 0);

	fake_arch_reset();
	rq_init(&q);
	CHECK(rq_pop(&q) == NULL);
	CHECK_EQ_INT(rq_top_prio(&q), -1);
	rq_push_tail(&q, a);
	rq_push_tail(&q, b);
	rq_push_tail(&q, c);
	rq_push_tail(&q, d);
	rq_push_tail(&q, e);
	CHECK_EQ_INT(q.count, 5);
	CHECK_EQ_INT(rq_top_prio(&q), 31);
	CHECK(rq_has_prio(&q, 4) && !rq_has_prio(&q, 5));
	CHECK(rq_pop(&q) == d);
	CHECK(rq_pop(&q) == b);
	CHECK(rq_pop(&q) == a); /* queued before c */
	CHECK(rq_pop(&q) == c);
	CHECK(!rq_has_prio(&q, 4));
	CHECK(rq_pop(&q) == e);
	CHECK(rq_pop(&q) == NULL);
	CHECK_EQ_INT(q.count, 0);
	CHECK_EQ_INT(q.bitmap, 0);
}

TEST(sched_runqueue_head_and_remove)
{
	struct runqueue q;
	struct thread *a = fake_thread(0, 4), *b = fake_thread(1, 4);
	struct thread *c = fake_thread(2, 4);

	fake_arch_reset();
	rq_init(&q);
	rq_push_tail(&q, a);
	rq_push_tail(&q, b);
	rq_push_head(&q, c);	 /* a preempted thread keeps its turn */
	CHECK(rq_remove(&q, b)); /* the tail */
	CHECK(!rq_remove(&q, b));
	rq_push_tail(&q, b); /* the tail pointer was fixed */
	CHECK(rq_pop(&q) == c);
	CHECK(rq_pop(&q) == a);
	CHECK(rq_pop(&q) == b);
	CHECK(!rq_has_prio(&q, 4));
	rq_push_tail(&q, a);
	CHECK(rq_remove(&q, a)); /* the only one: the bit goes */
	CHECK(!rq_has_prio(&q, 4));
	CHECK(rq_pop(&q) == NULL);
}

TEST(sched_runqueue_bad_priority_panics)
{
	struct runqueue q;
	struct thread *a = fake_thread(0, NR_PRIO);

	fake_arch_reset();
	rq_init(&q);
	EXPECT_PANIC(rq_push_tail(&q, a));
	CHECK(strstr(fake_panic_message(), "priority 32") != NULL);
}

/* ---- threads ------------------------------------------------------------ */

static char order_log[256];
static size_t order_len;

static void log_char(char c)
{
	if (order_len + 1 < sizeof(order_log)) {
		order_log[order_len++] = c;
		order_log[order_len] = '\0';
	}
}

static void log_reset(void)
{
	order_len = 0;
	order_log[0] = '\0';
}

static void logger(void *arg)
{
	log_char((char)(uintptr_t)arg);
}

TEST(sched_higher_priority_runs_at_once_lower_when_main_blocks)
{
	struct thread *hi, *lo;

	fake_sched_reset();
	log_reset();
	lo = thread_create(logger, (void *)'l', "lo", PRIO_LOW);
	REQUIRE(lo != NULL);
	CHECK_EQ_STR(order_log, ""); /* below main: waits */
	hi = thread_create(logger, (void *)'h', "hi", PRIO_HIGH);
	REQUIRE(hi != NULL);
	CHECK_EQ_STR(order_log, "h"); /* above main: ran already */
	log_char('m');
	CHECK_EQ_INT(thread_join(hi), 0);
	CHECK_EQ_INT(thread_join(lo), 0); /* main blocks: lo runs */
	CHECK_EQ_STR(order_log, "hml");
	CHECK(fake_irqs_on);
	fake_sched_teardown();
}

static void exit_with(void *arg)
{
	thread_exit((int)(uintptr_t)arg);
}

TEST(sched_join_returns_exit_code_and_frees)
{
	struct thread *t;

	fake_sched_reset();
	t = thread_create(exit_with, (void *)7, "exiter", PRIO_LOW);
	REQUIRE(t != NULL);
	CHECK(thread_id(t) > thread_id(thread_current()));
	CHECK_EQ_INT(thread_join(t), 7);
	CHECK(strcmp(thread_name(thread_current()), "main") == 0);
	fake_sched_teardown();
}

TEST(sched_detached_thread_is_freed_after_exit)
{
	struct thread *t;
	unsigned int live;

	fake_sched_reset();
	live = fake_stacks_live(); /* idle's */
	t = thread_create(logger, (void *)'d', "detached", PRIO_LOW);
	REQUIRE(t != NULL);
	thread_detach(t);
	CHECK_EQ_INT(fake_stacks_live(), live + 1);
	thread_sleep_ns(1000); /* it runs and exits; idle reaps it */
	CHECK_EQ_INT(fake_stacks_live(), live);
	fake_sched_teardown();
}

TEST(sched_stack_address_names_the_thread)
{
	struct thread *t;
	uintptr_t base, top;

	fake_sched_reset();
	t = thread_create(logger, (void *)'s', "stacky", PRIO_LOW);
	REQUIRE(t != NULL);
	REQUIRE(thread_stack_of(t, &base, &top));
	CHECK(base < top);
	CHECK(thread_by_stack_addr(base) == t);
	CHECK(thread_by_stack_addr(top - 1) == t);
	CHECK(thread_by_stack_addr(base - 1) == t); /* the guard page */
	CHECK(thread_by_stack_addr(top + (1u << 20)) != t);
	thread_join(t);
	fake_sched_teardown();
}

TEST(sched_create_rejects_bad_priorities)
{
	fake_sched_reset();
	CHECK(thread_create(logger, NULL, "x", PRIO_IDLE) == NULL);
	CHECK(thread_create(logger, NULL, "x", NR_PRIO) == NULL);
	CHECK(fake_console_count("out of range") == 2);
	fake_sched_teardown();
}

/* Sleeping alone: idle halts until the deadline, the sleeper wakes then. */
TEST(sched_sleep_wakes_at_deadline_via_idle)
{
	fake_sched_reset();
	fake_time_advance(123);
	thread_sleep_ns(5 * NSEC_PER_MSEC);
	CHECK(fake_now_ns == 123 + 5 * NSEC_PER_MSEC);
	thread_sleep_until(fake_now_ns + 1000);
	CHECK(fake_now_ns == 123 + 5 * NSEC_PER_MSEC + 1000);
	thread_sleep_ns(0); /* already due: no wait at all */
	CHECK(fake_now_ns == 123 + 5 * NSEC_PER_MSEC + 1000);
	CHECK_EQ_INT(fake_timers_queued(), 0);
	fake_sched_teardown();
}

/* ---- slices ---------------------------------------------------------------
 */

static volatile bool spin_stop;

/* A CPU-bound thread: each step is 1 ms of "work" (the clock moves, the
 * timer interrupt may come); it never yields. */
static void cpu_bound(void *arg)
{
	while (!spin_stop) {
		log_char((char)(uintptr_t)arg);
		fake_time_advance(NSEC_PER_MSEC);
	}
}

TEST(sched_equal_priorities_rotate_by_slice)
{
	const unsigned int per_slice = SCHED_SLICE_NS / NSEC_PER_MSEC;
	struct thread *a, *b;
	char want[64];

	fake_sched_reset();
	log_reset();
	spin_stop = false;
	a = thread_create(cpu_bound, (void *)'a', "a", PRIO_LOW);
	b = thread_create(cpu_bound, (void *)'b', "b", PRIO_LOW);
	REQUIRE(a && b);
	thread_sleep_ns(4 * SCHED_SLICE_NS); /* they run meanwhile */
	spin_stop = true;
	thread_join(a);
	thread_join(b);
	/* a for a slice, b for a slice, ...: 4 slices while main slept. */
	memset(want, 0, sizeof(want));
	for (unsigned int i = 0; i < 4 * per_slice; i++) {
		want[i] = (i / per_slice) % 2 ? 'b' : 'a';
	}
	CHECK(strncmp(order_log, want, 4 * per_slice) == 0);
	fake_sched_teardown();
}

static volatile int probe_timers = -1;

static void timer_probe(void *arg)
{
	(void)arg;
	probe_timers = (int)fake_timers_queued();
}

TEST(sched_lone_thread_arms_no_slice)
{
	struct thread *a, *b;

	fake_sched_reset();
	probe_timers = -1;
	a = thread_create(timer_probe, NULL, "probe", PRIO_HIGH);
	REQUIRE(a != NULL);
	CHECK_EQ_INT(probe_timers, 0); /* ran alone at its level: no slice */
	thread_join(a);
	/* Two equals ready below main: main is alone at its level. */
	a = thread_create(logger, (void *)'a', "a", PRIO_LOW);
	b = thread_create(logger, (void *)'b', "b", PRIO_LOW);
	REQUIRE(a && b);
	CHECK_EQ_INT(fake_timers_queued(), 0);
	thread_join(a);
	thread_join(b);
	fake_sched_teardown();
}

/* A higher priority waking every 3 ms must not reset the equals' slice:
 * the preempted one keeps the rest of its turn. */
static struct completion tick_c;

static void waker_tick(struct ktimer *t)
{
	complete(&tick_c);
	ktimer_start(t, fake_now_ns + 3 * NSEC_PER_MSEC, 0);
}

static void high_eater(void *arg)
{
	(void)arg;
	while (!spin_stop) {
		wait_for_completion_timeout(&tick_c, WAIT_FOREVER);
	}
}

TEST(sched_preempted_thread_keeps_rest_of_slice)
{
	struct ktimer tick;
	struct thread *a, *b, *h;
	size_t as = 0, bs = 0;

	fake_sched_reset();
	log_reset();
	spin_stop = false;
	completion_init(&tick_c, "tick");
	h = thread_create(high_eater, NULL, "h", PRIO_HIGH);
	a = thread_create(cpu_bound, (void *)'a', "a", PRIO_LOW);
	b = thread_create(cpu_bound, (void *)'b', "b", PRIO_LOW);
	REQUIRE(a && b && h);
	ktimer_init(&tick, waker_tick, NULL, "tick");
	ktimer_start(&tick, fake_now_ns + 3 * NSEC_PER_MSEC, 0);
	thread_sleep_ns(4 * SCHED_SLICE_NS);
	spin_stop = true;
	ktimer_cancel(&tick);
	complete_all(&tick_c);
	thread_join(h);
	thread_join(a);
	thread_join(b);
	for (size_t i = 0; i < order_len && i < 40; i++) {
		as += order_log[i] == 'a';
		bs += order_log[i] == 'b';
	}
	CHECK(as >= 15 && bs >= 15); /* both ran, not a alone */
	fake_sched_teardown();
}

/* ---- preemption ------------------------------------------------------------
 */

static struct completion irq_c;
static volatile bool high_ran;

static void irq_waiter(void *arg)
{
	(void)arg;
	wait_for_completion_timeout(&irq_c, WAIT_FOREVER);
	high_ran = true;
}

static void fire_complete(struct ktimer *t)
{
	(void)t;
	complete(&irq_c); /* an interrupt handler's wake */
}

TEST(sched_wake_from_interrupt_runs_at_irq_exit)
{
	struct ktimer k;
	struct thread *t;

	fake_sched_reset();
	completion_init(&irq_c, "irq");
	high_ran = false;
	t = thread_create(irq_waiter, NULL, "waiter", PRIO_HIGH);
	REQUIRE(t != NULL);
	CHECK(!high_ran); /* ran, blocked */
	ktimer_init(&k, fire_complete, NULL, "irq");
	ktimer_start(&k, fake_now_ns + 1000, 0);
	fake_time_advance(2000); /* the interrupt comes and goes */
	CHECK(high_ran);	 /* before main went on */
	thread_join(t);
	fake_sched_teardown();
}

TEST(sched_wake_from_thread_switches_at_once)
{
	struct thread *t;

	fake_sched_reset();
	completion_init(&irq_c, "c");
	high_ran = false;
	t = thread_create(irq_waiter, NULL, "waiter", PRIO_HIGH);
	REQUIRE(t != NULL);
	complete(&irq_c);
	CHECK(high_ran);
	thread_join(t);
	fake_sched_teardown();
}

TEST(sched_wake_with_spinlock_held_switches_at_unlock)
{
	static struct spinlock l = SPINLOCK_INIT("outer");
	unsigned long flags;
	struct thread *t;

	fake_sched_reset();
	completion_init(&irq_c, "c");
	high_ran = false;
	t = thread_create(irq_waiter, NULL, "waiter", PRIO_HIGH);
	REQUIRE(t != NULL);
	flags = spin_lock_irqsave(&l);
	complete(&irq_c);
	CHECK(!high_ran); /* no switch inside someone's spinlock */
	spin_unlock_irqrestore(&l, flags);
	CHECK(high_ran); /* the unlock was the next chance */
	thread_join(t);
	fake_sched_teardown();
}

TEST(sched_ps_lists_threads)
{
	fake_sched_reset();
	fake_console_clear();
	sched_print_threads();
	CHECK(strstr(fake_console_text(), "main") != NULL);
	CHECK(strstr(fake_console_text(), "running") != NULL);
	CHECK(strstr(fake_console_text(), "idle") != NULL);
	CHECK(strstr(fake_console_text(), " 8/8 ") != NULL);
	fake_sched_teardown();
}

/* ---- which CPU a woken thread goes to (sched_choose_cpu) --------------- */

/* Four CPUs, all active, each running prio[k] (0 = idle). */
static void views(struct sched_cpu_view *v, const int *prio)
{
	for (int k = 0; k < 4; k++) {
		v[k] = (struct sched_cpu_view){.active = true,
					       .idle = prio[k] == 0,
					       .kicked = false,
					       .prio = prio[k]};
	}
}

TEST(sched_choose_cpu_idle_first_last_cpu_preferred)
{
	struct sched_cpu_view v[4];

	views(v, (const int[]){8, 0, 4, 0});
	/* Idle CPUs 1 and 3: the thread's last CPU wins, */
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 8, 3, 0), 3);
	/* else the lowest number (self is busy), */
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 8, 2, 0), 1);
	/* and an idle CPU beats preempting a lower priority. */
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 16, 0, 0), 1);
	/* Not allowed there: only what the mask lets in. */
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0x8, 8, 0, 0), 3);
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0x4, 8, 0, 0), 2);	/* 4 < 8 */
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0x1, 8, 0, 0), -1); /* equal */
}

TEST(sched_choose_cpu_kicked_idle_cpu_is_taken)
{
	struct sched_cpu_view v[4];

	views(v, (const int[]){8, 0, 4, 12});
	v[1].kicked = true; /* already woken for another thread */
	/* Not CPU 1 again: the lowest running priority below ours, 2. */
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 8, 1, 0), 2);
	v[2].kicked = true;
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 8, 1, 0), -1);
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 16, 1, 0), 0); /* 8 < 12 */
}

TEST(sched_choose_cpu_lowest_priority_ties_and_inactive)
{
	struct sched_cpu_view v[4];

	views(v, (const int[]){4, 4, 8, 4});
	/* Ties at the lowest: last CPU, then self, then the lowest number. */
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 16, 3, 1), 3);
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 16, 2, 1), 1);
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 16, 2, 2), 0);
	/* A CPU not scheduling yet (not started) is never chosen. */
	views(v, (const int[]){8, 0, 0, 0});
	v[1].active = v[2].active = v[3].active = false;
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 4, 1, 0), -1);
	CHECK_EQ_INT(sched_choose_cpu(v, 4, 0xf, 16, 1, 0), 0);
}

/* ---- the wake path with another CPU present ---------------------------- */

/* CPU 1 "exists": active, running its idle thread (a record only: the
 * host runs CPU 0's threads). */
static struct thread fake_idle1;

static void fake_cpu1_idle(void)
{
	memset(&fake_idle1, 0, sizeof(fake_idle1));
	fake_idle1.prio = PRIO_IDLE;
	fake_idle1.state = THREAD_RUNNING;
	fake_idle1.cpu = 1;
	fake_idle1.allowed = 2;
	sched_cpus[1].curr = sched_cpus[1].idle = &fake_idle1;
	sched_cpus[1].started = true;
	fake_online_mask = 3;
}

TEST(sched_wake_kicks_an_idle_cpu_with_an_ipi)
{
	struct thread *t;

	fake_sched_reset();
	fake_cpu1_idle();
	log_reset();
	t = thread_create(logger, (void *)'t', "t", PRIO_HIGH);
	REQUIRE(t != NULL);
	/* CPU 1 idles: the new thread goes there (IPI), main runs on. */
	CHECK_EQ_INT(fake_ipis[1], 1);
	CHECK(sched_cpus[1].need_resched);
	CHECK(!sched_cpus[0].need_resched);
	CHECK_EQ_STR(order_log, "");
	/* A second wake does not pick the kicked CPU again: CPU 0 runs
	 * main (8) below 16, so it preempts here, no IPI. */
	CHECK(thread_create(logger, (void *)'u', "u", PRIO_HIGH) != NULL);
	CHECK_EQ_INT(fake_ipis[1], 1);
	CHECK_EQ_INT(fake_ipis[0], 0);
	/* CPU 0 switched at once, and took the first of its priority: "t"
	 * (still queued: CPU 1 is only a record here), then "u". */
	CHECK_EQ_STR(order_log, "tu");
	CHECK_EQ_INT(thread_join(t), 0);
	fake_sched_teardown();
}

TEST(sched_pinned_thread_runs_only_where_allowed)
{
	struct thread *t;

	fake_sched_reset();
	fake_cpu1_idle();
	log_reset();
	t = thread_create(logger, (void *)'p', "p", PRIO_LOW);
	REQUIRE(t != NULL);
	CHECK_EQ_INT(thread_set_cpus(t, 2), 0);	      /* CPU 1 only */
	CHECK_EQ_INT(thread_set_cpus(t, 4), -EINVAL); /* CPU 2 offline */
	CHECK_EQ_INT(thread_set_cpus(t, 0), -EINVAL);
	fake_time_advance(1000);
	thread_yield();
	/* main's sleep leaves CPU 0 to idle: p may not run here. */
	thread_sleep_ns(2000);
	CHECK_EQ_STR(order_log, "");
	CHECK(t->state == THREAD_READY); /* still queued, for CPU 1 */
	CHECK_EQ_INT(thread_set_cpus(t, 1), 0);
	CHECK_EQ_INT(thread_join(t), 0);
	CHECK_EQ_STR(order_log, "p");
	fake_sched_teardown();
}

TEST(sched_set_cpus_moves_the_calling_thread)
{
	struct thread *me;

	fake_sched_reset();
	me = thread_current();
	CHECK_EQ_INT(thread_set_cpus(me, 1), 0);
	CHECK_EQ_INT(thread_cpu(me), 0);
	CHECK_EQ_INT(thread_set_cpus(me, 3), 0); /* only online bits count */
	fake_sched_teardown();
}
