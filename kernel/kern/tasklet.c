/*
 * Tasklets (kern/deferred.h): work a handler leaves for the way out of
 * the interrupt. Each CPU keeps a FIFO of pending tasklets; irq_exit()
 * runs it with interrupts on, so the next interrupt is not held off by
 * a bottom half, but a nested interrupt's exit returns at once
 * (in_tasklet()): tasklets never nest, and the interrupted thread is not
 * switched away while its CPU is inside one.
 *
 * A tasklet that keeps rescheduling itself (or a burst of many) would
 * hold the CPU in interrupt context for ever: at most TASKLET_BUDGET run
 * per exit, and the rest is handed to the system work queue, which runs
 * this same loop from a thread, so it runs even if no interrupt comes.
 *
 * Interrupts are off whenever a list is touched: one CPU's list is only
 * touched by that CPU (leftovers move through a shared, locked list).
 * pending and running are atomic, for a tasklet scheduled from two CPUs.
 */
#include "kern/deferred.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/spinlock.h"

struct tasklet_cpu {
	struct tasklet *head, *tail;
	bool running;
};

static struct tasklet_cpu cpus[NR_CPUS];
static unsigned long deferred_count;

void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data,
		  const char *name)
{
	*t = (struct tasklet){.fn = fn, .data = data, .name = name};
}

/* Interrupts off. */
static void append(struct tasklet_cpu *c, struct tasklet *t)
{
	t->next = NULL;
	if (c->tail) {
		c->tail->next = t;
	} else {
		c->head = t;
	}
	c->tail = t;
}

static struct tasklet *pop(struct tasklet_cpu *c)
{
	struct tasklet *t = c->head;

	c->head = t->next;
	if (!c->head) {
		c->tail = NULL;
	}
	return t;
}

void tasklet_schedule(struct tasklet *t)
{
	unsigned long flags;

	if (__atomic_exchange_n(&t->pending, true, __ATOMIC_ACQ_REL)) {
		return; /* it will run once for all of these */
	}
	flags = arch_irq_save();
	append(&cpus[arch_cpu_id()], t);
	arch_irq_restore(flags);
}

/* Interrupts off for the read: a thread that migrated between reading
 * its CPU number and the flag would read another CPU's. */
bool in_tasklet(void)
{
	unsigned long flags = arch_irq_save();
	bool running = cpus[arch_cpu_id()].running;

	arch_irq_restore(flags);
	return running;
}

unsigned long tasklets_deferred(void)
{
	return __atomic_load_n(&deferred_count, __ATOMIC_RELAXED);
}

/* One tasklet, interrupts on while it runs; cleared from pending first,
 * so that it may schedule itself again. */
static void run_one(struct tasklet *t)
{
	__atomic_store_n(&t->running, true, __ATOMIC_RELEASE);
	__atomic_store_n(&t->pending, false, __ATOMIC_RELEASE);
	arch_irq_enable();
	t->fn(t->data);
	arch_irq_disable();
	t->runs++;
	__atomic_store_n(&t->running, false, __ATOMIC_RELEASE);
}

/*
 * The budget's leftovers: moved from their CPU's list (only that CPU
 * touches it) to this shared one, which the events thread, on whatever
 * CPU it runs, takes onto its own CPU's list and runs. A tasklet is on
 * one list at a time (pending guards it); running keeps it from running
 * on two CPUs at once.
 */
static struct spinlock rest_lock = SPINLOCK_INIT("tasklet rest");
static struct tasklet *rest_head, *rest_tail;

static void run_rest(struct work *w)
{
	unsigned long flags = spin_lock_irqsave(&rest_lock);
	struct tasklet_cpu *c = &cpus[arch_cpu_id()];
	struct tasklet *t = rest_head;

	(void)w;
	rest_head = rest_tail = NULL;
	spin_unlock_irqrestore(&rest_lock, arch_irq_save());
	while (t) {
		struct tasklet *next = t->next;

		append(c, t);
		t = next;
	}
	tasklets_run();
	arch_irq_restore(flags);
}

/* Interrupts off: this CPU's leftovers go to the shared list. */
static void hand_over_rest(struct tasklet_cpu *c)
{
	unsigned long flags = spin_lock_irqsave(&rest_lock);

	if (rest_tail) {
		rest_tail->next = c->head;
	} else {
		rest_head = c->head;
	}
	rest_tail = c->tail;
	c->head = c->tail = NULL;
	spin_unlock_irqrestore(&rest_lock, flags);
}

static struct work rest_work = {.fn = run_rest};

void tasklets_run(void)
{
	struct tasklet_cpu *c = &cpus[arch_cpu_id()];
	unsigned int budget = TASKLET_BUDGET;

	if (c->running || !c->head) {
		return;
	}
	c->running = true;
	while (c->head && budget > 0) {
		struct tasklet *t = pop(c);

		budget--;
		if (__atomic_load_n(&t->running, __ATOMIC_ACQUIRE)) {
			append(c, t); /* running on another CPU: later */
			continue;
		}
		run_one(t);
	}
	c->running = false;
	if (c->head) {
		__atomic_fetch_add(&deferred_count, 1, __ATOMIC_RELAXED);
		hand_over_rest(c);
		queue_work(system_wq, &rest_work);
	}
}
