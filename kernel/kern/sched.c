/*
 * The scheduler core: who runs, switching, preemption, and the checks on
 * where a thread may sleep. Threads' creation and end are in
 * kern/thread.c, the run queue's lists in kern/runqueue.c, blocking in
 * kern/wait.c. See kern/sched.h and docs/threads.md.
 *
 * SMP: one run queue for every CPU, under one lock (rq_lock) that also
 * guards every thread's state and each CPU's entry (struct sched_cpu). A
 * switch happens with it held: the thread that resumes releases it (in
 * its own schedule call, or in thread_start() the first time). So a
 * thread that blocks on one CPU cannot be picked by another before its
 * context is saved: the waker needs rq_lock, which is only released once
 * the switch is done. Per CPU (sched_cpus[arch_cpu_id()], read with
 * interrupts off): the current thread, the idle thread, need_resched and
 * the time slice.
 */
#include "kern/deferred.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ksym.h"
#include "kern/ktimer.h"
#include "kern/panic.h"
#include "kern/sched_priv.h"
#include "kern/smp.h"
#include "kern/spinlock.h"

struct spinlock rq_lock = SPINLOCK_INIT("sched");
struct runqueue rq;
struct sched_cpu sched_cpus[NR_CPUS];
bool sched_started;

struct sched_cpu *sched_this_cpu(void)
{
	return &sched_cpus[arch_cpu_id() % NR_CPUS];
}

/*
 * Hard or soft interrupt context, or a spinlock held: no switch here.
 * Tasklets run from irq_exit() with interrupts on, on the interrupted
 * thread's stack (kern/deferred.h): no switch and no sleep in one, or the
 * CPU would stay "in a tasklet" while other threads run. Read with
 * interrupts off: each is per CPU, and a thread that migrated between
 * reading its CPU number and the state would read another CPU's.
 */
static bool in_atomic(void)
{
	unsigned long flags = arch_irq_save();
	bool atomic = in_irq() || in_tasklet() || spin_held_count();

	arch_irq_restore(flags);
	return atomic;
}

bool sched_running(void)
{
	return READ_ONCE(sched_started);
}

struct thread *thread_current(void)
{
	unsigned long flags;
	struct thread *t;

	if (!READ_ONCE(sched_started)) {
		return NULL;
	}
	flags = arch_irq_save();
	t = sched_this_cpu()->curr;
	arch_irq_restore(flags);
	return t;
}

unsigned int thread_cpu(const struct thread *t)
{
	return t ? READ_ONCE(t->cpu) : 0;
}

/* rq_lock held: make cpu switch at its next chance, by IPI if remote. */
void sched_resched_cpu(unsigned int cpu)
{
	sched_cpus[cpu].need_resched = true;
	if (cpu != arch_cpu_id()) {
		ipi_send(cpu, IPI_RESCHEDULE);
	}
}

/*
 * The slice of the thread running on CPU k (the timer's data). Started
 * by k itself, or by a CPU whose wake made k's slice matter: then it is
 * queued, and fires, on that other CPU, and an IPI tells k.
 */
static void slice_expire(struct ktimer *t)
{
	unsigned int k = (unsigned int)(uintptr_t)t->data;
	struct sched_cpu *c = &sched_cpus[k];
	unsigned long flags = spin_lock_irqsave(&rq_lock);

	/* Cancelled or restarted while this waited for the lock: stale. */
	if (c->slice_armed && c->curr && time_ns() >= c->curr->slice_end_ns) {
		c->slice_armed = false;
		if (rq_has_prio(&rq, c->curr->prio)) {
			c->slice_expired = true;
			sched_resched_cpu(k);
		}
	}
	spin_unlock_irqrestore(&rq_lock, flags);
}

void sched_slice_init(void)
{
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		ktimer_init(&sched_cpus[k].slice_timer, slice_expire,
			    (void *)(uintptr_t)k, "sched-slice");
		sched_cpus[k].slice_armed = false;
	}
}

/* rq_lock held: arm CPU c's slice for t, its running thread. */
static void slice_start(struct sched_cpu *c, struct thread *t, uint64_t len)
{
	t->slice_end_ns = time_ns() + len;
	c->slice_armed = true;
	ktimer_start(&c->slice_timer, t->slice_end_ns, 0);
}

/* rq_lock held. Not waiting for a slice_expire running elsewhere: it
 * waits for rq_lock, and finds slice_armed false. */
static void slice_stop(struct sched_cpu *c)
{
	if (c->slice_armed) {
		c->slice_armed = false;
		ktimer_cancel_async(&c->slice_timer);
	}
}

/*
 * A slice only matters while an equal is waiting: armed for the thread
 * about to run if one is (the rest of its slice if a higher priority
 * preempted it, else a fresh one), disarmed otherwise, so a lone thread
 * (or idle) costs no timer interrupts.
 */
static void slice_update(struct sched_cpu *c, struct thread *next)
{
	if (next != c->idle && rq_has_prio(&rq, next->prio)) {
		slice_start(c, next,
			    next->slice_left_ns ? next->slice_left_ns
						: SCHED_SLICE_NS);
	} else {
		slice_stop(c);
	}
	next->slice_left_ns = 0;
}

/* Preempted by a higher priority: keep the rest of the slice, so that
 * frequent wake-ups above cannot starve its equals. */
static void slice_keep(struct sched_cpu *c, struct thread *prev)
{
	uint64_t now = time_ns();

	prev->slice_left_ns = 0;
	if (c->slice_armed && prev->slice_end_ns > now) {
		prev->slice_left_ns = prev->slice_end_ns - now;
	}
}

/* rq_lock held: what the CPU choice sees of each CPU. */
static void cpu_views(struct sched_cpu_view *v)
{
	for (unsigned int k = 0; k < NR_CPUS; k++) {
		const struct sched_cpu *c = &sched_cpus[k];

		v[k].active = c->started && c->curr;
		v[k].idle = c->curr == c->idle;
		v[k].kicked = c->need_resched;
		v[k].prio = c->curr ? c->curr->prio : 0;
	}
}

/*
 * rq_lock held: t is ready (queued). Kick the CPU that should run it
 * (sched_choose_cpu); if none, and it has equals running, make sure one
 * of them has a slice armed, so that t gets its turn.
 */
void sched_note_ready(struct thread *t)
{
	struct sched_cpu_view v[NR_CPUS];
	unsigned int self = arch_cpu_id();
	int k;

	cpu_views(v);
	k = sched_choose_cpu(v, NR_CPUS, t->allowed, t->prio, t->cpu, self);
	if (k >= 0) {
		sched_resched_cpu((unsigned int)k);
		return;
	}
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		struct sched_cpu *sc = &sched_cpus[c];

		if (!v[c].active || v[c].idle || v[c].prio != t->prio ||
		    !(t->allowed & (1u << c))) {
			continue;
		}
		if (!sc->slice_armed) {
			/* Queued on this CPU if c is another: its expiry
			 * IPIs c (slice_expire). */
			slice_start(sc, sc->curr, SCHED_SLICE_NS);
		}
		return;
	}
}

/*
 * Pick the next thread for this CPU and switch to it; rq_lock held,
 * interrupts off. A thread still RUNNING goes back on the queue: at the
 * head of its priority when preempted by a higher one (it keeps its
 * turn), at the tail when it yields or its slice ran out; if this CPU
 * does not take it back, another may (note_ready).
 */
void sched_switch_locked(bool preempted)
{
	unsigned int cpu = arch_cpu_id();
	struct sched_cpu *c = &sched_cpus[cpu];
	struct thread *prev = c->curr, *next;
	bool requeued = false;
	uint64_t now;

	if (prev->state == THREAD_RUNNING) {
		prev->state = THREAD_READY;
		if (prev == c->idle) {
			/* never queued: picked when nothing else is */
		} else if (preempted && !c->slice_expired) {
			slice_keep(c, prev);
			rq_push_head(&rq, prev);
			requeued = true;
		} else {
			prev->slice_left_ns = 0;
			rq_push_tail(&rq, prev);
			requeued = true;
		}
	}
	next = rq_pop_cpu(&rq, cpu);
	if (!next) {
		next = c->idle;
	}
	c->need_resched = false;
	c->slice_expired = false;
	next->state = THREAD_RUNNING;
	next->cpu = cpu;
	next->ran = true;
	slice_update(c, next);
	c->curr = next;
	if (next == prev) {
		return;
	}
	if (requeued) {
		sched_note_ready(prev);
	}
	now = time_cycles();
	prev->cpu_cycles += now - prev->run_start;
	next->run_start = now;
	next->switches++;
	arch_context_switch(&prev->ctx, &next->ctx);
}

/* Switch if this CPU was asked to; interrupts off, rq_lock not held. */
static void resched_if_asked(void)
{
	unsigned long flags;

	if (!READ_ONCE(sched_this_cpu()->need_resched)) {
		return;
	}
	flags = spin_lock_irqsave(&rq_lock);
	if (sched_this_cpu()->need_resched) {
		sched_switch_locked(true);
	}
	spin_unlock_irqrestore(&rq_lock, flags);
}

void sched_irq_exit(void)
{
	/* A lock held here means interrupts were let in under it (a bug the
	 * lock's owner will hear of): never switch away from it. */
	if (!READ_ONCE(sched_started) || !sched_this_cpu()->curr ||
	    spin_held_count()) {
		return;
	}
	resched_if_asked();
}

void sched_preempt_check(void)
{
	unsigned long flags;

	/* Not can_sleep(): that one lets the boot (interrupts off) through;
	 * a switch there would run a new thread with interrupts on early. */
	if (!READ_ONCE(sched_started) || !arch_irqs_enabled()) {
		return;
	}
	flags = arch_irq_save();
	if (sched_this_cpu()->curr && !in_irq() && !in_tasklet() &&
	    !spin_held_count()) {
		resched_if_asked();
	}
	arch_irq_restore(flags);
}

void thread_yield(void)
{
	unsigned long flags;

	if (!READ_ONCE(sched_started)) {
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

void sched_enqueue_new(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);

	t->state = THREAD_READY;
	rq_push_tail(&rq, t);
	sched_note_ready(t);
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
		sched_note_ready(t);
		woke = true;
	}
	spin_unlock_irqrestore(&rq_lock, flags);
	return woke;
}

void sched_block(struct spinlock *held, unsigned long flags,
		 enum thread_state state, const char *what)
{
	unsigned long off = spin_lock_irqsave(&rq_lock);
	struct thread *cur = sched_this_cpu()->curr;

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
			sched_note_ready(t);
		} else if (t->state == THREAD_RUNNING &&
			   rq_top_prio(&rq) > prio) {
			sched_resched_cpu(t->cpu);
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
	struct thread *cur;
	unsigned long flags;
	bool idle;

	if (in_atomic() || (boot_done && !arch_irqs_enabled())) {
		return false;
	}
	flags = arch_irq_save();
	cur = sched_this_cpu()->curr;
	idle = cur && cur == sched_this_cpu()->idle;
	arch_irq_restore(flags);
	return !idle;
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
