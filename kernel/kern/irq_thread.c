/*
 * The kernel thread of a threaded interrupt action (kern/irq.h,
 * irq_request_threaded): "irq/N-name" at PRIO_IRQ, asleep on a wait
 * queue of its own until the primary handler returns IRQ_WAKE_THREAD.
 * The bookkeeping (the run flag, the oneshot depth, the unmask) is the
 * core's, in irq_thread_handle(); this file only sleeps and wakes.
 *
 * No wake-up is lost: the primary sets the action's thread_run before it
 * calls irq_thread_wake(), and the thread tests it under the wait queue's
 * lock before each sleep (wait_event_timeout), so a wake between the test
 * and the sleep finds the thread still on the queue.
 */
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/wait.h"

struct irq_thread {
	struct irq_action *action;
	unsigned int irq;
	struct thread *thread;
	struct wait_queue wq;
	bool stop;
};

static bool woken(void *arg)
{
	const struct irq_thread *t = arg;

	return irq_thread_pending(t->action) ||
	       __atomic_load_n(&t->stop, __ATOMIC_ACQUIRE);
}

static void irq_thread_main(void *arg)
{
	struct irq_thread *t = arg;

	for (;;) {
		wait_event_timeout(&t->wq, woken, t, WAIT_FOREVER);
		if (__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
			break;
		}
		irq_thread_handle(t->irq, t->action);
	}
	thread_exit(0);
}

int irq_thread_start(unsigned int irq, struct irq_action *action)
{
	struct irq_thread *t = kzalloc(sizeof(*t), 0);

	if (!t) {
		kprintf("irq %u: no memory for thread %s\n", irq,
			action->thread_name);
		return -ENOMEM;
	}
	t->action = action;
	t->irq = irq;
	/* What `ps` says the thread waits on. */
	wait_queue_init(&t->wq, "interrupt");
	action->thread = t;
	t->thread =
	    thread_create(irq_thread_main, t, action->thread_name, PRIO_IRQ);
	if (!t->thread) {
		kprintf("irq %u: could not start thread %s\n", irq,
			action->thread_name);
		action->thread = NULL;
		kfree(t);
		return -ENOMEM;
	}
	return 0;
}

/* From the primary handler, on whatever CPU the line came: one read of
 * the pointer (irq_thread_stop clears it only after irq_free has taken
 * the action off the line, so no handler is left to read it). */
void irq_thread_wake(struct irq_action *action)
{
	struct irq_thread *t =
	    __atomic_load_n(&action->thread, __ATOMIC_ACQUIRE);

	if (t) {
		wake_up_one(&t->wq);
	}
}

void irq_thread_stop(struct irq_action *action)
{
	struct irq_thread *t = action->thread;

	if (!t) {
		return;
	}
	__atomic_store_n(&t->stop, true, __ATOMIC_RELEASE);
	wake_up_one(&t->wq);
	thread_join(t->thread);
	action->thread = NULL;
	kfree(t);
}
