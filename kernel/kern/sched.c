/*
 * The scheduler core: who runs, switching, preemption, and the checks on
 * where a thread may sleep. Threads' creation and end are in
 * kern/thread.c, the run queue's lists in kern/runqueue.c, blocking in
 * kern/wait.c. See kern/sched.h.
 *
 * One lock (rq_lock) guards the run queue, every thread's state and the
 * current thread. A switch happens with it held: the thread that resumes
 * releases it (in its own schedule call, or in thread_start() the first
 * time). Uniprocessor: on SMP this needs per-CPU queues and an "on CPU"
 * flag so a woken thread is not run before its context is saved.
 */
#include "kern/deferred.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ksym.h"
#include "kern/ktimer.h"
#include "kern/panic.h"
#include "kern/sched_priv.h"
#include "kern/spinlock.h"

struct spinlock rq_lock = SPINLOCK_INIT("sched");
struct runqueue rq;
struct thread *current_thread;
struct thread *idle_thread;

/*
 * Hard or soft interrupt context, or a spinlock held: no switch here.
 * Tasklets run from irq_exit() with interrupts on, on the interrupted
 * thread's stack (kern/deferred.h): no switch and no sleep in one, or the
 * CPU would stay "in a tasklet" while other threads run.
 */
static bool in_atomic(void)
{
	return in_irq() || in_tasklet() || spin_held_count();
}

/* A wake or the slice asked for a switch at the next chance. */
static bool need_resched;
/* The slice ran out: the current thread goes behind its equals. */
static bool slice_expired;
static struct ktimer slice_timer;

bool sched_running(void)
{
	return current_thread != NULL;
}

struct thread *thread_current(void)
{
	return current_thread;
}

static void slice_expire(struct ktimer *t)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);

	(void)t;
	if (current_thread && rq_has_prio(&rq, current_thread->prio)) {
		slice_expired = true;
		need_resched = true;
	}
	spin_unlock_irqrestore(&rq_lock, flags);
}

void sched_slice_init(void)
{
	ktimer_init(&slice_timer, slice_expire, NULL, "sched-slice");
}

static void slice_start(struct thread *t, uint64_t len_ns)
{
	t->slice_end_ns = time_ns() + len_ns;
	ktimer_start(&slice_timer, t->slice_end_ns, 0);
}

/*
 * A slice only matters while an equal is waiting: armed for the thread
 * about to run if one is (the rest of its slice if a higher priority
 * preempted it, else a fresh one), disarmed otherwise, so a lone thread
 * (or idle) costs no timer interrupts.
 */
static void slice_update(struct thread *next)
{
	if (next->prio != PRIO_IDLE && rq_has_prio(&rq, next->prio)) {
		slice_start(next, next->slice_left_ns ? next->slice_left_ns
						      : SCHED_SLICE_NS);
	} else if (slice_timer.queued) {
		ktimer_cancel(&slice_timer);
	}
	next->slice_left_ns = 0;
}

/* Preempted by a higher priority: keep the rest of the slice, so that
 * frequent wake-ups above cannot starve its equals. */
static void slice_keep(struct thread *prev)
{
	uint64_t now = time_ns();

	prev->slice_left_ns = 0;
	if (slice_timer.queued && prev->slice_end_ns > now) {
		prev->slice_left_ns = prev->slice_end_ns - now;
	}
}

/*
 * Pick the next thread and switch to it; rq_lock held, interrupts off.
 * A thread still RUNNING goes back on the queue: at the head of its
 * priority when preempted by a higher one (it keeps its turn), at the
 * tail when it yields or its slice ran out.
 */
void sched_switch_locked(bool preempted)
{
	struct thread *prev = current_thread, *next;
	uint64_t now;

	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_READY;
		if (preempted && !slice_expired) {
			slice_keep(prev);
			rq_push_head(&rq, prev);
		} else {
			prev->slice_left_ns = 0;
			rq_push_tail(&rq, prev);
		}
	}
	next = rq_pop(&rq);
	if (!next) {
		panic("scheduler: nothing to run (no idle thread)");
	}
	need_resched = false;
	slice_expired = false;
	next->state = THREAD_RUNNING;
	slice_update(next);
	if (next == prev) {
		return;
	}
	now = time_cycles();
	prev->cpu_cycles += now - prev->run_start;
	next->run_start = now;
	next->switches++;
	current_thread = next;
	arch_context_switch(&prev->ctx, &next->ctx);
}

void sched_irq_exit(void)
{
	unsigned long flags;

	/* A lock held here means interrupts were let in under it (a bug the
	 * lock's owner will hear of): never switch away from it. */
	if (!current_thread || !READ_ONCE(need_resched) || spin_held_count()) {
		return;
	}
	flags = spin_lock_irqsave(&rq_lock);
	if (need_resched) {
		sched_switch_locked(true);
	}
	spin_unlock_irqrestore(&rq_lock, flags);
}

void sched_preempt_check(void)
{
	unsigned long flags;

	/* Not can_sleep(): that one lets the boot (interrupts off) through;
	 * a switch there would run a new thread with interrupts on early. */
	if (!current_thread || !READ_ONCE(need_resched) || in_atomic() ||
	    !arch_irqs_enabled()) {
		return;
	}
	flags = spin_lock_irqsave(&rq_lock);
	if (need_resched) {
		sched_switch_locked(true);
	}
	spin_unlock_irqrestore(&rq_lock, flags);
}

void thread_yield(void)
{
	unsigned long flags;

	if (!current_thread) {
		return;
	}
	/* From a handler, a tasklet or under a lock the next thread would
	 * inherit that context: the same rule as sleeping. */
	if (in_atomic()) {
		might_sleep_from("thread_yield",
				 (uintptr_t)__builtin_return_address(0));
	}
	flags = spin_lock_irqsave(&rq_lock);
	sched_switch_locked(false);
	spin_unlock_irqrestore(&rq_lock, flags);
}

/* rq_lock held: a thread of prio just became ready. */
static void note_ready(int prio)
{
	if (prio > current_thread->prio) {
		need_resched = true;
	} else if (prio == current_thread->prio && !slice_timer.queued &&
		   prio != PRIO_IDLE) {
		slice_start(current_thread, SCHED_SLICE_NS);
	}
}

void sched_enqueue_new(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);

	t->state = THREAD_READY;
	rq_push_tail(&rq, t);
	note_ready(t->prio);
	spin_unlock_irqrestore(&rq_lock, flags);
}

bool sched_wake(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);
	bool woke = false;

	if (t->state == THREAD_BLOCKED || t->state == THREAD_SLEEPING) {
		t->state = THREAD_READY;
		t->waits_on = NULL;
		rq_push_tail(&rq, t);
		note_ready(t->prio);
		woke = true;
	}
	spin_unlock_irqrestore(&rq_lock, flags);
	return woke;
}

void sched_block(struct spinlock *held, unsigned long flags,
		 enum thread_state state, const char *what)
{
	unsigned long off = spin_lock_irqsave(&rq_lock);
	struct thread *cur = current_thread;

	cur->state = state;
	cur->waits_on = what;
	/* Interrupts stay off: nobody can wake us before we are off the
	 * CPU, and the waker needs rq_lock anyway. */
	spin_unlock_irqrestore(held, off);
	sched_switch_locked(false);
	spin_unlock_irqrestore(&rq_lock, flags);
}

void sched_set_effective_prio(struct thread *t, int prio)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);

	if (t->prio != prio) {
		bool ready = t->state == THREAD_READY && rq_remove(&rq, t);

		t->prio = prio;
		if (ready) {
			rq_push_tail(&rq, t);
			note_ready(prio);
		} else if (t == current_thread && rq_top_prio(&rq) > prio) {
			need_resched = true;
		}
	}
	spin_unlock_irqrestore(&rq_lock, flags);
}

int thread_priority(const struct thread *t)
{
	return t ? t->prio : PRIO_NORMAL;
}

void thread_set_priority(struct thread *t, int priority)
{
	int inherited;

	if (priority <= PRIO_IDLE || priority >= NR_PRIO) {
		panic("thread_set_priority %s: priority %d out of range",
		      t->name, priority);
	}
	t->base_prio = priority;
	inherited = mutex_inherited_prio(t);
	sched_set_effective_prio(t,
				 inherited > priority ? inherited : priority);
	sched_preempt_check();
}

/*
 * Boot runs with interrupts off until kernel_main() first enables them
 * (sched_boot_done()); the heap is used long before. Until then
 * interrupts being off is the boot's state, not a bug of the caller.
 */
bool boot_done;

void sched_boot_done(void)
{
	boot_done = true;
}

bool can_sleep(void)
{
	if (in_atomic() || (boot_done && !arch_irqs_enabled())) {
		return false;
	}
	return !current_thread || current_thread != idle_thread;
}

/* The culprit is whoever called the blocking function. */
void might_sleep_from(const char *what, uintptr_t caller)
{
	char sym[KSYM_FORMAT_SIZE];
	const char *who;

	if (can_sleep()) {
		return;
	}
	who = ksym_format(sym, sizeof(sym), caller, true);
	if (in_irq()) {
		panic("sleeping in interrupt context: %s called from %s "
		      "(in an interrupt handler)",
		      what, who);
	}
	if (in_tasklet()) {
		panic("sleeping in a tasklet: %s called from %s", what, who);
	}
	if (spin_held_count()) {
		panic("sleeping with spinlock %s held: %s called from %s",
		      spin_held_name() ? spin_held_name() : "?", what, who);
	}
	if (!arch_irqs_enabled()) {
		panic("sleeping with interrupts off: %s called from %s", what,
		      who);
	}
	panic("sleeping in the idle thread: %s called from %s", what, who);
}

void might_sleep(const char *what)
{
	might_sleep_from(what, (uintptr_t)__builtin_return_address(0));
}
