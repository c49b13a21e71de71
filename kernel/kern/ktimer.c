/*
 * The timer queues and clock events (kern/ktimer.h).
 *
 * One queue per CPU, each a singly linked list sorted by deadline, equal
 * deadlines in the order they were started: insert and cancel walk it
 * (O(n) in the timers queued), the earliest is its head (O(1)). Each
 * queue has its own irq-safe spinlock, guarding its list, what its CPU's
 * device was last programmed for, the timer whose function it runs now,
 * and its counts. Expired timers' functions run with the lock dropped,
 * in interrupt context, on the queue's CPU.
 *
 * A timer is queued on the CPU that starts it (moved there if it was
 * queued elsewhere), except while its function runs on another CPU: then
 * it stays on that CPU's queue, so that a cancel finds the running
 * function and can wait for it. t->cpu names its queue; lock_queue()
 * takes that queue's lock and rechecks (it may move meanwhile).
 *
 * A one-shot device (one struct clockevent whose set_next programs the
 * calling CPU's local timer) is programmed by each CPU for its own
 * queue's head whenever that changes, and stopped when its queue empties:
 * a CPU with nothing due takes no timer interrupt at all. A timer moved
 * off another CPU's queue leaves that CPU's device as it was: it may
 * interrupt early, find nothing due, and re-arm. A device that can only
 * tick (CLOCKEVENT_PERIODIC alone, the PIT) ticks on the CPU that
 * registered it, at HZ, and every timer is queued there.
 */
#include "kern/ktimer.h"
#include "kern/arch.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "kern/timer.h"

#define NOT_PROGRAMMED UINT64_MAX

/* Timers expired in one interrupt, at most: a function that keeps
 * re-arming itself in the past cannot hold the CPU in the handler; the
 * rest are due at once, so the device interrupts again right away. */
#define MAX_EXPIRE_PER_INTERRUPT 64

/* How long ktimer_cancel() waits for a function running on another CPU
 * before it calls that a hang (functions run in interrupt context). */
#define CANCEL_WAIT_NS (10 * NSEC_PER_SEC)

struct ktimer_cpu {
	struct spinlock lock;
	struct ktimer *queue;
	struct ktimer *running; /* its function runs now, lock dropped */
	uint64_t programmed;	/* the one-shot's deadline here */
	struct ktimer_stats stats;
};

static struct ktimer_cpu ktq[NR_CPUS] = {
    [0 ... NR_CPUS - 1] = {.lock = SPINLOCK_INIT("ktimer"),
			   .programmed = NOT_PROGRAMMED},
};
static struct spinlock dev_lock = SPINLOCK_INIT("clockevent");
static struct clockevent *current;
static unsigned int tick_cpu; /* a periodic device's ticks come here */

static unsigned int this_cpu(void)
{
	return arch_cpu_id() % NR_CPUS;
}

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
	t->cpu = 0;
}

static void unlink_locked(struct ktimer_cpu *q, struct ktimer *t)
{
	for (struct ktimer **pp = &q->queue; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->next = NULL;
			t->queued = false;
			return;
		}
	}
}

/* After the last timer with a deadline <= t's: equal deadlines FIFO. */
static void insert_locked(struct ktimer_cpu *q, struct ktimer *t)
{
	struct ktimer **pp = &q->queue;

	while (*pp && (*pp)->deadline_ns <= t->deadline_ns) {
		pp = &(*pp)->next;
	}
	t->next = *pp;
	*pp = t;
	t->queued = true;
}

/*
 * This CPU's one-shot device set for its queue's head (stopped if none),
 * unless it already is. A device with a bounded range (the LAPIC's
 * 32-bit count) may interrupt before a far deadline; that interrupt
 * finds nothing due and comes back here to re-arm. Only for the calling
 * CPU's own queue: the device is its local timer.
 */
static void program_locked(struct ktimer_cpu *q)
{
	struct clockevent *ce = READ_ONCE(current);
	uint64_t want = q->queue ? q->queue->deadline_ns : NOT_PROGRAMMED;

	if (!is_oneshot(ce) || want == q->programmed) {
		return;
	}
	if (want == NOT_PROGRAMMED) {
		ce->stop(ce);
		q->programmed = NOT_PROGRAMMED;
		return;
	}
	q->stats.programmed++;
	if (ce->set_next(ce, want) < 0) {
		q->stats.failed++;
		q->programmed = NOT_PROGRAMMED;
		return;
	}
	q->programmed = want;
}

/* The queue t is on (or was last on), locked; interrupts off. */
static struct ktimer_cpu *lock_queue(struct ktimer *t, unsigned long *flags)
{
	for (;;) {
		unsigned int k = READ_ONCE(t->cpu) % NR_CPUS;
		struct ktimer_cpu *q = &ktq[k];

		*flags = spin_lock_irqsave(&q->lock);
		if (READ_ONCE(t->cpu) == k) {
			return q;
		}
		spin_unlock_irqrestore(&q->lock, *flags);
	}
}

/* Where a timer started now goes: here, or where a periodic device
 * ticks. Interrupts off. */
static unsigned int start_cpu(void)
{
	return is_oneshot(READ_ONCE(current)) ? this_cpu() : tick_cpu;
}

void ktimer_start(struct ktimer *t, uint64_t deadline_ns, uint64_t period_ns)
{
	unsigned long flags, irq = arch_irq_save();
	struct ktimer_cpu *q = lock_queue(t, &flags);
	unsigned int me = this_cpu(), to = start_cpu();

	if (t->queued) {
		unlink_locked(q, t);
	}
	if (q->running == t) {
		to = (unsigned int)(q - ktq); /* stays where its fn runs */
	}
	if (&ktq[to] != q) {
		spin_unlock_irqrestore(&q->lock, flags);
		q = &ktq[to];
		flags = spin_lock_irqsave(&q->lock);
	}
	t->deadline_ns = deadline_ns;
	t->period_ns = period_ns;
	WRITE_ONCE(t->cpu, to);
	insert_locked(q, t);
	if (to == me) {
		program_locked(q);
	}
	spin_unlock_irqrestore(&q->lock, flags);
	arch_irq_restore(irq);
}

bool ktimer_cancel_async(struct ktimer *t)
{
	unsigned long flags, irq = arch_irq_save();
	struct ktimer_cpu *q = lock_queue(t, &flags);
	bool was = t->queued;

	if (was) {
		unlink_locked(q, t);
		if (q == &ktq[this_cpu()]) {
			program_locked(q);
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
	arch_irq_restore(irq);
	return was;
}

/* Is t's function running on a CPU other than this one? */
static bool running_elsewhere(struct ktimer *t)
{
	unsigned long flags, irq = arch_irq_save();
	struct ktimer_cpu *q = lock_queue(t, &flags);
	bool running = q->running == t && q != &ktq[this_cpu()];

	spin_unlock_irqrestore(&q->lock, flags);
	arch_irq_restore(irq);
	return running;
}

bool ktimer_cancel(struct ktimer *t)
{
	bool was = ktimer_cancel_async(t);
	uint64_t end = time_ns() + CANCEL_WAIT_NS;

	while (running_elsewhere(t)) {
		if (time_ns() > end) {
			panic("ktimer_cancel %s: its function has run on "
			      "another CPU for 10 s",
			      t->name ? t->name : "?");
		}
		arch_cpu_relax();
	}
	return was;
}

/*
 * A periodic timer's next deadline is its previous one plus the period
 * (no drift from interrupt latency). Periods that already passed are
 * skipped and counted: the function runs once, late, not in a burst.
 */
static void rearm_periodic_locked(struct ktimer_cpu *q, struct ktimer *t,
				  uint64_t now)
{
	uint64_t next = t->deadline_ns + t->period_ns;

	if (next <= now) {
		uint64_t missed = (now - next) / t->period_ns + 1;

		next += missed * t->period_ns;
		t->overruns += missed;
	}
	t->deadline_ns = next;
	insert_locked(q, t);
}

/* Run what is due on this CPU (interrupt context); true if anything was. */
static bool expire(struct ktimer_cpu *q)
{
	unsigned long flags = spin_lock_irqsave(&q->lock);
	bool any = false;

	for (int n = 0; n < MAX_EXPIRE_PER_INTERRUPT; n++) {
		uint64_t now = time_ns();
		struct ktimer *t = q->queue;
		ktimer_fn fn;

		if (!t || t->deadline_ns > now) {
			break;
		}
		unlink_locked(q, t);
		if (t->period_ns) {
			rearm_periodic_locked(q, t, now);
		}
		t->fired++;
		q->stats.expired++;
		any = true;
		fn = t->fn;
		q->running = t;
		spin_unlock_irqrestore(&q->lock, flags);
		if (fn) {
			fn(t);
		}
		flags = spin_lock_irqsave(&q->lock);
		q->running = NULL;
	}
	program_locked(q);
	spin_unlock_irqrestore(&q->lock, flags);
	return any;
}

void clockevent_interrupt(struct clockevent *ce)
{
	struct ktimer_cpu *q = &ktq[this_cpu()];
	unsigned long flags;

	__atomic_fetch_add(&ce->interrupts, 1, __ATOMIC_RELAXED);
	flags = spin_lock_irqsave(&q->lock);
	q->stats.interrupts++;
	if (ce != READ_ONCE(current)) { /* a replaced device's last one */
		spin_unlock_irqrestore(&q->lock, flags);
		return;
	}
	if (is_oneshot(ce)) {
		/* It fired: it is set for nothing. */
		q->programmed = NOT_PROGRAMMED;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	if (!is_oneshot(ce)) {
		timer_tick(); /* jiffies, when there is no clocksource */
	}
	if (!expire(q) && is_oneshot(ce)) {
		flags = spin_lock_irqsave(&q->lock);
		q->stats.early++;
		spin_unlock_irqrestore(&q->lock, flags);
	}
}

/* Prefer one-shot (tickless) when the device has both. This CPU's
 * queue locked; the others reprogram on their next start or interrupt. */
static int start_device_locked(struct ktimer_cpu *q, struct clockevent *ce)
{
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		ktq[k].programmed = NOT_PROGRAMMED;
	}
	if (is_oneshot(ce)) {
		program_locked(q);
		return 0;
	}
	return ce->set_periodic(ce, HZ);
}

/* Registered on the boot CPU before the others start (their per-CPU
 * hooks set up their local timers; their queues program them). */
void clockevent_register(struct clockevent *ce)
{
	unsigned long dflags = spin_lock_irqsave(&dev_lock), flags;
	struct ktimer_cpu *q = &ktq[this_cpu()];
	struct clockevent *old = current;
	int ret;

	if (old && old->rating >= ce->rating) {
		spin_unlock_irqrestore(&dev_lock, dflags);
		kprintf("clockevent: %s (rating %u) kept, %s (%u) not used\n",
			old->name, old->rating, ce->name, ce->rating);
		return;
	}
	flags = spin_lock_irqsave(&q->lock);
	if (old && old->stop) {
		old->stop(old);
	}
	WRITE_ONCE(current, ce);
	tick_cpu = this_cpu();
	ret = start_device_locked(q, ce);
	if (ret < 0) {
		WRITE_ONCE(current, old); /* keep what worked, if anything */
		if (old) {
			start_device_locked(q, old);
		}
	}
	spin_unlock_irqrestore(&q->lock, flags);
	spin_unlock_irqrestore(&dev_lock, dflags);
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
	return READ_ONCE(current);
}

uint64_t ktimer_next_deadline(void)
{
	unsigned long irq = arch_irq_save();
	struct ktimer_cpu *q = &ktq[this_cpu()];
	unsigned long flags = spin_lock_irqsave(&q->lock);
	uint64_t d = q->queue ? q->queue->deadline_ns : UINT64_MAX;

	spin_unlock_irqrestore(&q->lock, flags);
	arch_irq_restore(irq);
	return d;
}

static void stats_add(struct ktimer_stats *sum, const struct ktimer_stats *s)
{
	sum->programmed += s->programmed;
	sum->failed += s->failed;
	sum->early += s->early;
	sum->expired += s->expired;
	sum->interrupts += s->interrupts;
}

void ktimer_stats_read(unsigned int cpu, struct ktimer_stats *out)
{
	*out = (struct ktimer_stats){0};
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		if (cpu == KTIMER_ALL_CPUS || cpu == k) {
			unsigned long flags = spin_lock_irqsave(&ktq[k].lock);

			stats_add(out, &ktq[k].stats);
			spin_unlock_irqrestore(&ktq[k].lock, flags);
		}
	}
}
