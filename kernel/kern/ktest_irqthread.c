/*
 * In-kernel tests of interrupts handing work to threads (KTAP,
 * kern/ktest.h): threaded handlers with the oneshot mask, tasklets on the
 * interrupt exit, work in the events thread. The core's bookkeeping has
 * host tests (tests/unit/test_irq.c, test_deferred.c); these use the real
 * controller, the real exit path and the real scheduler.
 *
 * Interrupts come from a line nobody uses that the controller can raise
 * from software (irq_find_pendable): a GIC SPI through GICD_ISPENDR, on
 * the PC a local APIC self-IPI. The 8259 path (noapic) has none: there
 * the cases share the keyboard's line and raise it through the 8042
 * (a Space release, harmless), as kern/ktest.c's shared-line case does.
 * Every wait is for a condition with a deadline, never a fixed sleep.
 */
#include "kern/deferred.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/input.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ktest.h"
#include "kern/ktimer.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/string.h"
#include "kern/wait.h"

#define WAIT_NS (2 * NSEC_PER_SEC) /* generous: emulation on a busy host */

/* The line a case uses, and how it raises it. */
struct test_line {
	int irq;
	unsigned int flags; /* what sharing it takes */
	bool keyboard;	    /* the keyboard's line, shared */
};

#define SCANCODE_SPACE_RELEASE 0xb9

static int keyboard_irq(void)
{
	for (struct device *d = device_first(); d; d = d->next) {
		if (d->driver && (device_has_id(d, "PNP0303") ||
				  device_has_id(d, "KBD0001"))) {
			return device_irq(d, 0);
		}
	}
	return -ENOENT;
}

/* A pendable line, else the keyboard's; false if neither (say why). */
static bool test_line_get(struct test_line *l)
{
	l->irq = irq_find_pendable(true);
	l->flags = IRQF_TRIGGER_RISING;
	l->keyboard = false;
	if (l->irq < 0 && input_present()) {
		l->irq = keyboard_irq();
		l->flags = IRQF_SHARED | IRQF_TRIGGER_RISING;
		l->keyboard = true;
	}
	return l->irq >= 0 && sched_running();
}

static int test_line_raise(const struct test_line *l)
{
	return l->keyboard ? input_inject_scancode(SCANCODE_SPACE_RELEASE)
			   : irq_set_pending((unsigned int)l->irq);
}

#define NO_LINE "no software-pendable line nor keyboard, or no scheduler"

/* Sleep in 1 ms steps until *counter reaches want, or time runs out. */
static bool wait_count(volatile unsigned long *counter, unsigned long want)
{
	uint64_t end = time_ns() + WAIT_NS;

	while (*counter < want && time_ns() < end) {
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	return *counter >= want;
}

/* What the thread function saw, for the case to check. */
static struct {
	struct test_line line;
	struct irq_desc *desc;
	volatile unsigned long primary_calls, thread_calls, thread_done;
	bool masked_in_thread, in_irq_in_thread, could_sleep;
	unsigned int depth_in_thread;
	unsigned long primary_while_held; /* primaries during the thread */
	bool raise_again;		  /* pend the line from the thread */
	char name[THREAD_NAME_LEN];
} th;

static enum irq_return th_primary(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	th.primary_calls++;
	return IRQ_WAKE_THREAD;
}

static enum irq_return th_thread(unsigned int irq, void *dev)
{
	unsigned long primaries = th.primary_calls;

	(void)irq;
	(void)dev;
	th.thread_calls++;
	if (th.thread_calls == 1) {
		th.masked_in_thread = th.desc->masked;
		th.depth_in_thread = th.desc->depth;
		th.in_irq_in_thread = in_irq();
		th.could_sleep = can_sleep();
		ksnprintf(th.name, sizeof(th.name), "%s",
			  thread_name(thread_current()));
		if (th.raise_again) {
			test_line_raise(&th.line); /* an edge while masked */
		}
		/* Sleep a little: the line must stay masked meanwhile. */
		thread_sleep_ns(2 * NSEC_PER_MSEC);
		th.primary_while_held = th.primary_calls - primaries;
	}
	th.thread_done++;
	return IRQ_HANDLED;
}

static int th_cookie;

static int th_request(const struct test_line *l, unsigned int flags)
{
	memset(&th, 0, sizeof(th));
	th.line = *l;
	th.desc = irq_to_desc((unsigned int)l->irq);
	return irq_request_threaded((unsigned int)l->irq, th_primary, th_thread,
				    flags | IRQF_ONESHOT, "ktest", &th_cookie);
}

static struct irq_action *th_action(void)
{
	for (struct irq_action *a = th.desc->actions; a; a = a->next) {
		if (a->dev == &th_cookie) {
			return a;
		}
	}
	return NULL;
}

static bool th_free(void)
{
	return irq_free((unsigned int)th.line.irq, &th_cookie) == 0;
}

/*
 * A threaded oneshot handler: the primary wakes the thread "irq/N-ktest",
 * which runs in thread context (may sleep) with the line masked (depth
 * held); once thread_fn has returned the line is unmasked again. Level
 * where the controller can make its pendable line level (the GIC's
 * SPIs); the PC's self-IPIs are edges only, and the oneshot mask is the
 * same there.
 */
static bool test_threaded_oneshot_masks_until_done(void)
{
	struct test_line l;
	char want[THREAD_NAME_LEN];
	int ret = -EINVAL;

	if (!test_line_get(&l)) {
		KT_SKIP(NO_LINE);
	}
	if (!l.keyboard) {
		ret = th_request(&l, IRQF_TRIGGER_HIGH);
	}
	if (ret == -EINVAL) {
		kprintf("    # irq %d: oneshot on an edge (%s)\n", l.irq,
			l.keyboard ? "the keyboard's line"
				   : "the controller's pendable lines are "
				     "edges only");
		ret = th_request(&l, l.flags);
	}
	KT_CHECK(ret == 0);
	KT_CHECK(test_line_raise(&l) == 0);
	KT_CHECK(wait_count(&th.thread_done, 1));
	KT_CHECK(th.primary_calls == 1 && th.thread_calls == 1);
	/* In the thread: masked, one depth held, not interrupt context. */
	KT_CHECK(th.masked_in_thread);
	KT_CHECK(th.depth_in_thread == 1);
	KT_CHECK(!th.in_irq_in_thread && th.could_sleep);
	ksnprintf(want, sizeof(want), "irq/%d-ktest", l.irq);
	KT_CHECK(strcmp(th.name, want) == 0);
	/* thread_fn returned; the unmask follows in the same thread, which
	 * with several CPUs runs on another one: wait for both the depth and
	 * the mask flag (cleared after it), bounded at 2 s. */
	for (int i = 0; i < 2000 && (READ_ONCE(th.desc->depth) ||
				     READ_ONCE(th.desc->masked));
	     i++) {
		thread_sleep_ns(NSEC_PER_MSEC);
	}
	KT_CHECK(th.desc->depth == 0 && !th.desc->masked);
	KT_CHECK(th_action() && th_action()->thread_runs == 1);
	KT_CHECK(th_free());
	return true;
}
KTEST_CASE("threaded_oneshot_masks_until_done",
	   test_threaded_oneshot_masks_until_done);

/*
 * An edge while the thread runs (the line raised again from thread_fn,
 * oneshot-masked): it is held off (no primary while the thread sleeps),
 * not lost: after the unmask the primary runs and the thread runs again.
 */
static bool test_threaded_edge_during_thread_runs_again(void)
{
	struct test_line l;
	unsigned long unhandled;

	if (!test_line_get(&l)) {
		KT_SKIP(NO_LINE);
	}
	KT_CHECK(th_request(&l, l.flags) == 0);
	unhandled = th.desc->unhandled;
	th.raise_again = true;
	KT_CHECK(test_line_raise(&l) == 0);
	KT_CHECK(wait_count(&th.thread_done, 2));
	KT_CHECK(th.primary_while_held == 0);
	KT_CHECK(th.primary_calls == 2 && th.thread_calls == 2);
	KT_CHECK(th.desc->unhandled == unhandled);
	KT_CHECK(th_free());
	return true;
}
KTEST_CASE("threaded_edge_during_thread_runs_again",
	   test_threaded_edge_during_thread_runs_again);

/* --- tasklets ------------------------------------------------------------ */

static struct {
	volatile unsigned long seq, handler_calls;
	unsigned long tasklet_at, thread_at; /* seq when each ran */
	bool tasklet_irqs_on, tasklet_in_irq, tasklet_in_tasklet;
	struct tasklet t;
	struct completion woken;
	volatile bool thread_ran;
} tk;

static void tk_tasklet(void *data)
{
	(void)data;
	tk.tasklet_at = ++tk.seq;
	tk.tasklet_irqs_on = arch_irqs_enabled();
	tk.tasklet_in_irq = in_irq();
	tk.tasklet_in_tasklet = in_tasklet();
}

static enum irq_return tk_handler(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	tk.handler_calls++;
	tasklet_schedule(&tk.t);
	complete(&tk.woken); /* a higher-priority thread becomes ready */
	return IRQ_HANDLED;
}

static void tk_thread(void *arg)
{
	(void)arg;
	if (wait_for_completion_timeout(&tk.woken, WAIT_NS) == 0) {
		tk.thread_at = ++tk.seq;
		tk.thread_ran = true;
	}
}

/*
 * A handler schedules a tasklet and wakes a thread that outranks the
 * one it interrupted: the tasklet runs first (on the interrupt exit,
 * interrupts on, not in hard IRQ context), then the woken thread.
 */
static bool test_tasklet_runs_before_next_thread(void)
{
	static int cookie;
	struct test_line l;
	struct thread *t;

	if (!test_line_get(&l)) {
		KT_SKIP(NO_LINE);
	}
	memset(&tk, 0, sizeof(tk));
	tasklet_init(&tk.t, tk_tasklet, NULL, "ktest");
	completion_init(&tk.woken, "ktest tasklet");
	t = thread_create(tk_thread, NULL, "ktest-woken", PRIO_IRQ - 1);
	KT_CHECK(t != NULL);
	KT_CHECK(irq_request((unsigned int)l.irq, tk_handler, l.flags,
			     "ktest-tasklet", &cookie) == 0);
	KT_CHECK(test_line_raise(&l) == 0);
	KT_CHECK(thread_join(t) == 0);
	KT_CHECK(irq_free((unsigned int)l.irq, &cookie) == 0);
	KT_CHECK(tk.handler_calls == 1 && tk.thread_ran);
	KT_CHECK(tk.tasklet_at == 1 && tk.thread_at == 2);
	KT_CHECK(tk.tasklet_irqs_on && !tk.tasklet_in_irq);
	KT_CHECK(tk.tasklet_in_tasklet);
	KT_CHECK(tk.t.runs == 1 && !tk.t.pending);
	return true;
}

/* The order is one CPU's: pinned to its CPU, the woken thread (which
 * inherits the pin) cannot start on an idle CPU before this CPU's
 * interrupt exit ran the tasklet. */
static bool test_tasklet_runs_before_next_thread_pinned(void)
{
	struct thread *me = thread_current();
	bool ok;

	if (thread_set_cpus(me, CPUMASK_CPU(thread_cpu(me))) != 0) {
		KT_SKIP("could not pin the test to its CPU");
	}
	ok = test_tasklet_runs_before_next_thread();
	thread_set_cpus(me, CPUMASK_ALL);
	return ok;
}
KTEST_CASE("tasklet_runs_before_next_thread",
	   test_tasklet_runs_before_next_thread_pinned);

/* --- work queues --------------------------------------------------------- */

static struct {
	struct work w;
	volatile unsigned long runs, handler_calls;
	bool in_events, could_sleep;
} wk;

static void wk_fn(struct work *w)
{
	(void)w;
	wk.in_events = strcmp(thread_name(thread_current()), "events") == 0;
	wk.could_sleep = can_sleep();
	thread_sleep_ns(NSEC_PER_MSEC); /* work may sleep */
	wk.runs++;
}

static enum irq_return wk_handler(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	wk.handler_calls++;
	queue_work(system_wq, &wk.w);
	return IRQ_HANDLED;
}

/*
 * Work queued from a handler runs in the "events" thread, where it may
 * sleep; a flush waits for it; queued twice before it runs, it runs once.
 */
static bool test_work_runs_in_events_thread(void)
{
	static int cookie;
	struct test_line l;
	unsigned long flags;
	bool first, second;

	if (!test_line_get(&l)) {
		KT_SKIP(NO_LINE);
	}
	memset(&wk, 0, sizeof(wk));
	work_init(&wk.w, wk_fn, NULL);
	KT_CHECK(irq_request((unsigned int)l.irq, wk_handler, l.flags,
			     "ktest-work", &cookie) == 0);
	KT_CHECK(test_line_raise(&l) == 0);
	KT_CHECK(wait_count(&wk.handler_calls, 1));
	workqueue_flush(system_wq);
	KT_CHECK(wk.runs == 1);
	KT_CHECK(wk.in_events && wk.could_sleep);
	/* Twice before the thread can run: once. */
	flags = arch_irq_save();
	first = queue_work(system_wq, &wk.w);
	second = queue_work(system_wq, &wk.w);
	arch_irq_restore(flags);
	KT_CHECK(first && !second);
	workqueue_flush(system_wq);
	KT_CHECK(wk.runs == 2);
	KT_CHECK(irq_free((unsigned int)l.irq, &cookie) == 0);
	return true;
}
KTEST_CASE("work_runs_in_events_thread", test_work_runs_in_events_thread);
