/*
 * Tasklets (kern/tasklet.c) on the host: what irq_exit() gets from
 * tasklets_run(): each pending tasklet once, in order, interrupts on
 * while it runs and off again after, never nested, at most
 * TASKLET_BUDGET per exit with the rest handed to the work queue (faked
 * here: queue_work records the item).
 */
#include <string.h>

#include "kern/deferred.h"
#include "kern/irq.h"
#include "fake_arch.h"
#include "unit.h"

/* The work queue side, faked: tasklet.c hands its leftovers here. */
struct workqueue *system_wq;
static struct work *queued_work;
static unsigned int queue_calls;

bool queue_work(struct workqueue *wq, struct work *w)
{
	(void)wq;
	queue_calls++;
	queued_work = w;
	return true;
}

struct probe {
	struct tasklet t;
	unsigned int calls;
	bool saw_irqs_off;
	bool saw_not_in_tasklet;
	int order;		 /* position among the runs of a test */
	unsigned int reschedule; /* schedule itself again so often */
	bool nest;		 /* call tasklets_run() from inside */
};

static int run_order;
static struct probe nested_victim;

static void probe_fn(void *data)
{
	struct probe *p = data;

	p->calls++;
	p->order = run_order++;
	if (!fake_irqs_on) {
		p->saw_irqs_off = true;
	}
	if (!in_tasklet()) {
		p->saw_not_in_tasklet = true;
	}
	if (p->nest) {
		/* An interrupt during a tasklet whose exit runs tasklets:
		 * returns at once, the new one waits for the outer loop. */
		tasklet_schedule(&nested_victim.t);
		tasklets_run();
		p->nest = nested_victim.calls != 0;
	}
	if (p->reschedule) {
		p->reschedule--;
		tasklet_schedule(&p->t);
	}
}

static void probe_init(struct probe *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	tasklet_init(&p->t, probe_fn, p, name);
}

/* As irq_exit() calls it: interrupts off. */
static void exit_interrupt(void)
{
	fake_irqs_on = false;
	tasklets_run();
	CHECK(!fake_irqs_on);
	CHECK(!in_tasklet());
	fake_irqs_on = true;
}

static void deferred_setup(void)
{
	fake_arch_reset();
	queued_work = NULL;
	queue_calls = 0;
	run_order = 0;
	/* Nothing left from an earlier test. */
	exit_interrupt();
}

TEST(tasklet_runs_once_in_order_with_interrupts_on)
{
	struct probe a, b;

	deferred_setup();
	probe_init(&a, "a");
	probe_init(&b, "b");
	fake_irqs_on = false;
	tasklet_schedule(&b.t);
	tasklet_schedule(&a.t);
	tasklet_schedule(&b.t); /* pending already: nothing */
	CHECK(b.t.pending);
	CHECK_EQ_INT(b.calls, 0);
	exit_interrupt();
	CHECK_EQ_INT(a.calls, 1);
	CHECK_EQ_INT(b.calls, 1);
	CHECK_EQ_INT(b.order, 0);
	CHECK_EQ_INT(a.order, 1);
	CHECK(!a.saw_irqs_off && !b.saw_irqs_off);
	CHECK(!a.saw_not_in_tasklet);
	CHECK(!b.t.pending && !b.t.running);
	CHECK_EQ_INT(b.t.runs, 1);
	/* Nothing pending: nothing runs. */
	exit_interrupt();
	CHECK_EQ_INT(a.calls + b.calls, 2);
	CHECK_EQ_INT(queue_calls, 0);
}

TEST(tasklet_scheduled_while_running_runs_again)
{
	struct probe a;

	deferred_setup();
	probe_init(&a, "a");
	a.reschedule = 2;
	tasklet_schedule(&a.t);
	exit_interrupt();
	/* Pending is cleared before it runs: rescheduling itself counts. */
	CHECK_EQ_INT(a.calls, 3);
	CHECK(!a.t.pending);
}

TEST(tasklet_not_nested_from_an_inner_exit)
{
	struct probe outer;

	deferred_setup();
	probe_init(&outer, "outer");
	probe_init(&nested_victim, "victim");
	outer.nest = true;
	tasklet_schedule(&outer.t);
	exit_interrupt();
	/* The inner run returned without running the victim ... */
	CHECK(!outer.nest);
	/* ... which the outer loop then ran, after outer. */
	CHECK_EQ_INT(nested_victim.calls, 1);
	CHECK_EQ_INT(nested_victim.order, 1);
}

TEST(tasklet_budget_hands_the_rest_to_the_work_queue)
{
	struct probe a;
	unsigned long before = tasklets_deferred();

	deferred_setup();
	probe_init(&a, "a");
	a.reschedule = TASKLET_BUDGET + 5;
	tasklet_schedule(&a.t);
	exit_interrupt();
	/* Bounded: the budget ran, the rest is queued, none lost. */
	CHECK_EQ_INT(a.calls, TASKLET_BUDGET);
	CHECK(a.t.pending);
	CHECK_EQ_INT(queue_calls, 1);
	CHECK_EQ_INT(tasklets_deferred(), before + 1);
	REQUIRE(queued_work != NULL);
	/* The work item runs the rest (from a thread: interrupts on). */
	queued_work->fn(queued_work);
	CHECK_EQ_INT(a.calls, TASKLET_BUDGET + 6);
	CHECK(!a.t.pending);
	CHECK(fake_irqs_on);
}
