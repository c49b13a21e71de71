/*
 * Wait queues, and on them completions and counting semaphores (mutexes:
 * kern/mutex.c). See kern/wait.h.
 *
 * One loop (wait_core) does every wait: under the queue's lock, test the
 * condition (which may also consume: a semaphore count, a mutex); false,
 * queue an entry and block. A waker, under the same lock, removes the
 * entry and makes the thread ready. A timeout is a ktimer that, under the
 * same lock, marks the entry timed out and removes it if still queued:
 * whichever of the wake and the timer gets the lock first removes the
 * entry, so the thread is made ready once, and neither is lost (the
 * timed-out flag stays set for the waiter's next look).
 *
 * Waiters are queued by priority, FIFO among equals: wake_up_one wakes
 * the most urgent.
 */
#include "kern/errno.h"
#include "kern/ktimer.h"
#include "kern/sched_priv.h"

struct wait_entry {
	struct thread *thread;
	struct wait_queue *wq;
	struct wait_entry *next;
	bool queued;
	bool timed_out;
	struct ktimer timer;
};

void wait_queue_init(struct wait_queue *wq, const char *name)
{
	spin_lock_init(&wq->lock, name);
	wq->head = wq->tail = NULL;
	wq->name = name;
}

static void entry_insert(struct wait_queue *wq, struct wait_entry *e)
{
	struct wait_entry **pp = &wq->head;

	while (*pp && (*pp)->thread->prio >= e->thread->prio) {
		pp = &(*pp)->next;
	}
	e->next = *pp;
	*pp = e;
	if (!e->next) {
		wq->tail = e;
	}
	e->queued = true;
}

static void entry_remove(struct wait_queue *wq, struct wait_entry *e)
{
	struct wait_entry *prev = NULL;

	for (struct wait_entry **pp = &wq->head; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			if (wq->tail == e) {
				wq->tail = prev;
			}
			e->queued = false;
			return;
		}
		prev = *pp;
	}
}

static void wait_timeout(struct ktimer *t)
{
	struct wait_entry *e = t->data;
	struct wait_queue *wq = e->wq;
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	e->timed_out = true;
	if (e->queued) {
		entry_remove(wq, e);
		sched_wake(e->thread);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

uint64_t wait_deadline(uint64_t timeout_ns)
{
	uint64_t now = time_ns();

	if (timeout_ns == WAIT_FOREVER || now + timeout_ns < now) {
		return WAIT_FOREVER;
	}
	return now + timeout_ns;
}

static bool past(uint64_t deadline_ns)
{
	return deadline_ns != WAIT_FOREVER && time_ns() >= deadline_ns;
}

/* Before the scheduler runs there is nobody to switch to: poll. */
static int wait_polled(struct wait_queue *wq, const struct wait_args *a)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&wq->lock);
		bool done = a->cond && a->cond(a->arg);

		spin_unlock_irqrestore(&wq->lock, flags);
		if (done) {
			return 0;
		}
		if (past(a->deadline_ns)) {
			return -ETIMEDOUT;
		}
	}
}

int wait_core(struct wait_queue *wq, const struct wait_args *a)
{
	struct wait_entry e = {.thread = thread_current(), .wq = wq};
	unsigned long flags;
	int ret;

	if (!e.thread) {
		return wait_polled(wq, a);
	}
	if (a->deadline_ns != WAIT_FOREVER) {
		ktimer_init(&e.timer, wait_timeout, &e, wq->name);
		ktimer_start(&e.timer, a->deadline_ns, 0);
	}
	flags = spin_lock_irqsave(&wq->lock);
	for (;;) {
		if (a->cond && a->cond(a->arg)) {
			ret = 0;
			break;
		}
		if (e.timed_out || past(a->deadline_ns)) {
			ret = -ETIMEDOUT;
			break;
		}
		entry_insert(wq, &e);
		if (a->before_sleep) {
			a->before_sleep(a->arg);
		}
		sched_block(&wq->lock, flags, a->state, wq->name);
		flags = spin_lock_irqsave(&wq->lock);
		if (e.queued) {
			entry_remove(wq, &e); /* not expected: be safe */
		}
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	if (a->deadline_ns != WAIT_FOREVER) {
		ktimer_cancel(&e.timer);
	}
	return ret;
}

unsigned int wake_locked(struct wait_queue *wq, bool all)
{
	unsigned int n = 0;

	while (wq->head) {
		struct wait_entry *e = wq->head;

		entry_remove(wq, e);
		n += sched_wake(e->thread);
		if (!all) {
			break;
		}
	}
	return n;
}

struct thread *wait_first_thread(const struct wait_queue *wq)
{
	return wq->head ? wq->head->thread : NULL;
}

int wait_top_prio(const struct wait_queue *wq)
{
	int top = -1;

	for (const struct wait_entry *e = wq->head; e; e = e->next) {
		if (e->thread->prio > top) {
			top = e->thread->prio;
		}
	}
	return top;
}

int wait_event_timeout(struct wait_queue *wq, bool (*cond)(void *arg),
		       void *arg, uint64_t timeout_ns)
{
	struct wait_args a = {cond, arg, wait_deadline(timeout_ns),
			      THREAD_BLOCKED, NULL};

	might_sleep_from("wait_event_timeout",
			 (uintptr_t)__builtin_return_address(0));
	return wait_core(wq, &a);
}

static void wake_up(struct wait_queue *wq, bool all)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	wake_locked(wq, all);
	spin_unlock_irqrestore(&wq->lock, flags);
	sched_preempt_check();
}

void wake_up_one(struct wait_queue *wq)
{
	wake_up(wq, false);
}

void wake_up_all(struct wait_queue *wq)
{
	wake_up(wq, true);
}

void thread_sleep_until(uint64_t deadline_ns)
{
	struct wait_queue wq;
	struct wait_args a = {NULL, NULL, deadline_ns, THREAD_SLEEPING, NULL};

	might_sleep_from("thread_sleep",
			 (uintptr_t)__builtin_return_address(0));
	wait_queue_init(&wq, "sleep");
	wait_core(&wq, &a);
}

void thread_sleep_ns(uint64_t ns)
{
	might_sleep_from("thread_sleep_ns",
			 (uintptr_t)__builtin_return_address(0));
	thread_sleep_until(wait_deadline(ns));
}

/* --- completions ------------------------------------------------------ */

#define COMPLETION_ALL (~0u) /* complete_all: every wait succeeds */

void completion_init(struct completion *c, const char *name)
{
	wait_queue_init(&c->wq, name);
	c->done = 0;
}

void completion_reinit(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wq.lock);

	c->done = 0;
	spin_unlock_irqrestore(&c->wq.lock, flags);
}

static void complete_n(struct completion *c, bool all)
{
	unsigned long flags = spin_lock_irqsave(&c->wq.lock);

	if (all) {
		c->done = COMPLETION_ALL;
	} else if (c->done != COMPLETION_ALL) {
		c->done++;
	}
	wake_locked(&c->wq, all);
	spin_unlock_irqrestore(&c->wq.lock, flags);
	sched_preempt_check();
}

void complete(struct completion *c)
{
	complete_n(c, false);
}

void complete_all(struct completion *c)
{
	complete_n(c, true);
}

static bool completion_take(void *arg)
{
	struct completion *c = arg;

	if (c->done == COMPLETION_ALL) {
		return true;
	}
	if (c->done) {
		c->done--;
		return true;
	}
	return false;
}

int wait_for_completion_timeout(struct completion *c, uint64_t timeout_ns)
{
	struct wait_args a = {completion_take, c, wait_deadline(timeout_ns),
			      THREAD_BLOCKED, NULL};

	might_sleep_from("wait_for_completion",
			 (uintptr_t)__builtin_return_address(0));
	return wait_core(&c->wq, &a);
}

/* --- counting semaphores ---------------------------------------------- */

void sem_init(struct semaphore *s, int count, const char *name)
{
	wait_queue_init(&s->wq, name);
	s->count = count;
}

static bool sem_take(void *arg)
{
	struct semaphore *s = arg;

	if (s->count > 0) {
		s->count--;
		return true;
	}
	return false;
}

int sem_down_timeout(struct semaphore *s, uint64_t timeout_ns)
{
	struct wait_args a = {sem_take, s, wait_deadline(timeout_ns),
			      THREAD_BLOCKED, NULL};

	might_sleep_from("sem_down", (uintptr_t)__builtin_return_address(0));
	return wait_core(&s->wq, &a);
}

bool sem_trydown(struct semaphore *s)
{
	unsigned long flags = spin_lock_irqsave(&s->wq.lock);
	bool ok = sem_take(s);

	spin_unlock_irqrestore(&s->wq.lock, flags);
	return ok;
}

void sem_up(struct semaphore *s)
{
	unsigned long flags = spin_lock_irqsave(&s->wq.lock);

	s->count++;
	wake_locked(&s->wq, false);
	spin_unlock_irqrestore(&s->wq.lock, flags);
	sched_preempt_check();
}
