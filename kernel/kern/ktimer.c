/*
 * The timer queue and clock events (kern/ktimer.h).
 *
 * The queue is a singly linked list sorted by deadline, equal deadlines
 * in the order they were started: insert and cancel walk it (O(n) in the
 * timers queued), the earliest is its head (O(1)). One irq-safe spinlock
 * guards the list, the current device and what it was last programmed
 * for. Expired timers' functions run with the lock dropped, in interrupt
 * context.
 *
 * A one-shot device is programmed for the head's deadline whenever the
 * head changes, and stopped when the queue empties: with nothing due
 * there is no timer interrupt at all. A device that can only tick
 * (CLOCKEVENT_PERIODIC alone, the PIT) ticks at HZ and each tick checks
 * the head.
 */
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "kern/timer.h"

#define NOT_PROGRAMMED UINT64_MAX

/* Timers expired in one interrupt, at most: a function that keeps
 * re-arming itself in the past cannot hold the CPU in the handler; the
 * rest are due at once, so the device interrupts again right away. */
#define MAX_EXPIRE_PER_INTERRUPT 64

static struct spinlock lock = SPINLOCK_INIT("ktimer");
static struct ktimer *queue;
static struct clockevent *current;
static uint64_t programmed = NOT_PROGRAMMED; /* the one-shot's deadline */
static struct ktimer_stats stats;

static bool is_oneshot(const struct clockevent *ce)
{
	return ce && (ce->features & CLOCKEVENT_ONESHOT);
}

void ktimer_init(struct ktimer *t, ktimer_fn fn, void *data, const char *name)
{
	t->fn = fn;
	t->data = data;
	t->name = name;
	t->queued = false;
	t->next = NULL;
	t->deadline_ns = 0;
	t->period_ns = 0;
	t->overruns = 0;
	t->fired = 0;
}

static void unlink_locked(struct ktimer *t)
{
	for (struct ktimer **pp = &queue; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->next = NULL;
			t->queued = false;
			return;
		}
	}
}

/* After the last timer with a deadline <= t's: equal deadlines FIFO. */
static void insert_locked(struct ktimer *t)
{
	struct ktimer **pp = &queue;

	while (*pp && (*pp)->deadline_ns <= t->deadline_ns) {
		pp = &(*pp)->next;
	}
	t->next = *pp;
	*pp = t;
	t->queued = true;
}

/*
 * The one-shot device set for the head's deadline (stopped if none),
 * unless it already is. A device with a bounded range (the LAPIC's
 * 32-bit count) may interrupt before a far deadline; that interrupt
 * finds nothing due and comes back here to re-arm.
 */
static void program_locked(void)
{
	uint64_t want = queue ? queue->deadline_ns : NOT_PROGRAMMED;

	if (!is_oneshot(current) || want == programmed) {
		return;
	}
	if (want == NOT_PROGRAMMED) {
		current->stop(current);
		programmed = NOT_PROGRAMMED;
		return;
	}
	stats.programmed++;
	if (current->set_next(current, want) < 0) {
		stats.failed++;
		programmed = NOT_PROGRAMMED;
		return;
	}
	programmed = want;
}

void ktimer_start(struct ktimer *t, uint64_t deadline_ns, uint64_t period_ns)
{
	unsigned long flags = spin_lock_irqsave(&lock);

	if (t->queued) {
		unlink_locked(t);
	}
	t->deadline_ns = deadline_ns;
	t->period_ns = period_ns;
	insert_locked(t);
	program_locked();
	spin_unlock_irqrestore(&lock, flags);
}

bool ktimer_cancel(struct ktimer *t)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	bool was = t->queued;

	if (was) {
		unlink_locked(t);
		program_locked();
	}
	spin_unlock_irqrestore(&lock, flags);
	return was;
}

/*
 * A periodic timer's next deadline is its previous one plus the period
 * (no drift from interrupt latency). Periods that already passed are
 * skipped and counted: the function runs once, late, not in a burst.
 */
static void rearm_periodic_locked(struct ktimer *t, uint64_t now)
{
	uint64_t next = t->deadline_ns + t->period_ns;

	if (next <= now) {
		uint64_t missed = (now - next) / t->period_ns + 1;

		next += missed * t->period_ns;
		t->overruns += missed;
	}
	t->deadline_ns = next;
	insert_locked(t);
}

/* Run what is due (interrupt context); true if anything was. */
static bool expire(void)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	bool any = false;

	for (int n = 0; n < MAX_EXPIRE_PER_INTERRUPT; n++) {
		uint64_t now = time_ns();
		struct ktimer *t = queue;
		ktimer_fn fn;

		if (!t || t->deadline_ns > now) {
			break;
		}
		unlink_locked(t);
		if (t->period_ns) {
			rearm_periodic_locked(t, now);
		}
		t->fired++;
		stats.expired++;
		any = true;
		fn = t->fn;
		spin_unlock_irqrestore(&lock, flags);
		if (fn) {
			fn(t);
		}
		flags = spin_lock_irqsave(&lock);
	}
	program_locked();
	spin_unlock_irqrestore(&lock, flags);
	return any;
}

void clockevent_interrupt(struct clockevent *ce)
{
	unsigned long flags;

	ce->interrupts++;
	flags = spin_lock_irqsave(&lock);
	if (ce != current) { /* a replaced device's last interrupt */
		spin_unlock_irqrestore(&lock, flags);
		return;
	}
	if (is_oneshot(ce)) {
		programmed =
		    NOT_PROGRAMMED; /* it fired: it is set for nothing */
	}
	spin_unlock_irqrestore(&lock, flags);
	if (!is_oneshot(ce)) {
		timer_tick(); /* jiffies, when there is no clocksource */
	}
	if (!expire() && is_oneshot(ce)) {
		stats.early++;
	}
}

/* Prefer one-shot (tickless) when the device has both. */
static int start_device_locked(struct clockevent *ce)
{
	programmed = NOT_PROGRAMMED;
	if (is_oneshot(ce)) {
		program_locked();
		return 0;
	}
	return ce->set_periodic(ce, HZ);
}

void clockevent_register(struct clockevent *ce)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	struct clockevent *old = current;
	int ret;

	if (old && old->rating >= ce->rating) {
		spin_unlock_irqrestore(&lock, flags);
		kprintf("clockevent: %s (rating %u) kept, %s (%u) not used\n",
			old->name, old->rating, ce->name, ce->rating);
		return;
	}
	if (old && old->stop) {
		old->stop(old);
	}
	current = ce;
	ret = start_device_locked(ce);
	if (ret < 0) {
		current = old; /* keep what worked, if anything */
		if (old) {
			start_device_locked(old);
		}
	}
	spin_unlock_irqrestore(&lock, flags);
	if (ret < 0) {
		kprintf("clockevent: %s failed to start (%d): not used\n",
			ce->name, ret);
		return;
	}
	timer_set_source(ce->name);
	kprintf("clockevent: %s, %s, rating %u\n", ce->name,
		is_oneshot(ce) ? "one-shot (tickless)" : "periodic",
		ce->rating);
}

const struct clockevent *clockevent_current(void)
{
	return current;
}

uint64_t ktimer_next_deadline(void)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	uint64_t d = queue ? queue->deadline_ns : UINT64_MAX;

	spin_unlock_irqrestore(&lock, flags);
	return d;
}

const struct ktimer_stats *ktimer_stats(void)
{
	return &stats;
}
