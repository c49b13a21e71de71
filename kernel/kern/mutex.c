/*
 * Mutexes: sleeping locks with an owner, and priority inheritance (see
 * kern/wait.h). A waiter that outranks the owner raises the owner's
 * effective priority to its own, and so along the chain of owners that
 * themselves wait for a mutex (MUTEX_PI_DEPTH links); on unlock (or a
 * waiter's timeout) the owner drops back to the highest of its base
 * priority and the waiters of the mutexes it still holds.
 *
 * Unlock hands the mutex to the most urgent waiter and wakes it: the
 * waiter owns it from then on, before it runs. Without the hand-off, on
 * SMP the unlocker (still on its CPU) takes the mutex again long before
 * the woken waiter has been switched in on another: a waiter could starve.
 * The remaining waiters lend their priority to the new owner.
 */
#include "kern/errno.h"
#include "kern/panic.h"
#include "kern/sched_priv.h"

void mutex_init(struct mutex *m, const char *name)
{
	wait_queue_init(&m->wq, name);
	m->owner = NULL;
	m->held_next = NULL;
	m->handed = false;
}

/* Under m->wq.lock, the condition of the wait: free, then ours. */
static bool mutex_take(void *arg)
{
	struct mutex *m = arg;
	struct thread *cur = thread_current();

	if (m->owner == cur && cur && m->handed) {
		m->handed = false; /* unlock gave it to us */
		cur->blocked_on = NULL;
		return true;
	}
	if (m->owner == cur && cur) {
		panic("mutex %s: locked twice by %s", m->wq.name, cur->name);
	}
	if (m->owner) {
		return false;
	}
	m->owner = cur;
	if (cur) {
		m->held_next = cur->held;
		cur->held = m;
		cur->blocked_on = NULL;
	}
	return true;
}

/* Under m->wq.lock, before the caller sleeps: lend our priority. */
static void mutex_boost(void *arg)
{
	struct mutex *m = arg;
	struct thread *cur = thread_current();
	struct thread *o = m->owner;

	cur->blocked_on = m;
	for (int depth = 0; o && depth < MUTEX_PI_DEPTH; depth++) {
		if (o->prio >= cur->prio) {
			break;
		}
		sched_set_effective_prio(o, cur->prio);
		o = o->blocked_on ? o->blocked_on->owner : NULL;
	}
}

int mutex_inherited_prio(struct thread *t)
{
	int top = -1;

	for (struct mutex *m = t->held; m; m = m->held_next) {
		unsigned long flags = spin_lock_irqsave(&m->wq.lock);
		int p = wait_top_prio(&m->wq);

		spin_unlock_irqrestore(&m->wq.lock, flags);
		if (p > top) {
			top = p;
		}
	}
	return top;
}

static void mutex_unboost(struct thread *t)
{
	int inherited = mutex_inherited_prio(t);

	sched_set_effective_prio(t, inherited > t->base_prio ? inherited
							     : t->base_prio);
}

int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns)
{
	struct wait_args a = {mutex_take, m, wait_deadline(timeout_ns),
			      THREAD_BLOCKED, mutex_boost};
	struct thread *cur = thread_current();
	int ret;

	might_sleep_from("mutex_lock", (uintptr_t)__builtin_return_address(0));
	ret = wait_core(&m->wq, &a);
	if (ret && cur) {
		/* Gave up: the owner keeps only what others still lend. */
		struct thread *o = READ_ONCE(m->owner);

		cur->blocked_on = NULL;
		if (o) {
			mutex_unboost(o);
		}
	}
	return ret;
}

void mutex_lock(struct mutex *m)
{
	struct wait_args a = {mutex_take, m, WAIT_FOREVER, THREAD_BLOCKED,
			      mutex_boost};

	might_sleep_from("mutex_lock", (uintptr_t)__builtin_return_address(0));
	wait_core(&m->wq, &a);
}

bool mutex_trylock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->wq.lock);
	bool ok = mutex_take(m);

	spin_unlock_irqrestore(&m->wq.lock, flags);
	return ok;
}

/*
 * m->wq.lock held, m free: the first waiter becomes the owner (it is
 * blocked, so its held list is not changing) and is woken; what the
 * others wait with is lent to it.
 */
static void handoff_locked(struct mutex *m)
{
	struct thread *t = wait_first_thread(&m->wq);
	int top;

	if (!t) {
		return;
	}
	m->owner = t;
	m->handed = true;
	m->held_next = t->held;
	t->held = m;
	wake_locked(&m->wq, false);
	top = wait_top_prio(&m->wq);
	if (top > t->prio) {
		sched_set_effective_prio(t, top);
	}
}

static void held_unlink(struct thread *t, struct mutex *m)
{
	for (struct mutex **pp = &t->held; *pp; pp = &(*pp)->held_next) {
		if (*pp == m) {
			*pp = m->held_next;
			m->held_next = NULL;
			return;
		}
	}
}

void mutex_unlock(struct mutex *m)
{
	struct thread *cur = thread_current();
	unsigned long flags = spin_lock_irqsave(&m->wq.lock);

	if (m->owner != cur) {
		panic("mutex %s: unlocked by %s, owner %s", m->wq.name,
		      thread_name(cur),
		      m->owner ? thread_name(m->owner) : "nobody");
	}
	m->owner = NULL;
	if (cur) {
		held_unlink(cur, m);
	}
	handoff_locked(m);
	spin_unlock_irqrestore(&m->wq.lock, flags);
	if (cur) {
		mutex_unboost(cur);
	}
	sched_preempt_check();
}

bool mutex_is_held(const struct mutex *m)
{
	return READ_ONCE(m->owner) != NULL;
}
