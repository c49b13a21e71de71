/*
 * STUB (replaced by the timer queue and clock events, kern/ktimer.c): a
 * sorted list checked on every periodic tick. Only so that the scheduler
 * can be built and run against kern/ktimer.h.
 */
#include "kern/ktimer.h"
#include "kern/spinlock.h"
#include "kern/timer.h"

static struct spinlock lock = SPINLOCK_INIT("ktimer-stub");
static struct ktimer *queue;

void ktimer_stub_expire(void);

void ktimer_init(struct ktimer *t, ktimer_fn fn, void *data, const char *name)
{
	t->fn = fn;
	t->data = data;
	t->name = name;
	t->queued = false;
	t->next = NULL;
	t->deadline_ns = 0;
	t->period_ns = 0;
}

static void unlink(struct ktimer *t)
{
	for (struct ktimer **pp = &queue; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->queued = false;
			return;
		}
	}
}

static void insert(struct ktimer *t)
{
	struct ktimer **pp = &queue;

	while (*pp && (*pp)->deadline_ns <= t->deadline_ns) {
		pp = &(*pp)->next;
	}
	t->next = *pp;
	*pp = t;
	t->queued = true;
}

void ktimer_start(struct ktimer *t, uint64_t deadline_ns, uint64_t period_ns)
{
	unsigned long flags = spin_lock_irqsave(&lock);

	if (t->queued) {
		unlink(t);
	}
	t->deadline_ns = deadline_ns;
	t->period_ns = period_ns;
	insert(t);
	spin_unlock_irqrestore(&lock, flags);
}

bool ktimer_cancel(struct ktimer *t)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	bool was = t->queued;

	if (was) {
		unlink(t);
	}
	spin_unlock_irqrestore(&lock, flags);
	return was;
}

void ktimer_stub_expire(void)
{
	uint64_t now = time_ns();

	for (;;) {
		unsigned long flags = spin_lock_irqsave(&lock);
		struct ktimer *t = queue;

		if (!t || t->deadline_ns > now) {
			spin_unlock_irqrestore(&lock, flags);
			return;
		}
		unlink(t);
		if (t->period_ns) {
			t->deadline_ns += t->period_ns;
			insert(t);
		}
		spin_unlock_irqrestore(&lock, flags);
		t->fn(t);
	}
}

void usleep(unsigned int us)
{
	msleep((us + 999) / 1000);
}

void clockevent_register(struct clockevent *ce)
{
	(void)ce;
}

void clockevent_interrupt(struct clockevent *ce)
{
	ce->interrupts++;
}

const struct clockevent *clockevent_current(void)
{
	return NULL;
}
