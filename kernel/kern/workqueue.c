/*
 * Work queues (kern/deferred.h): a FIFO of items and one kernel thread
 * that runs them, one at a time, where sleeping is allowed. queue_work()
 * may be called from anywhere (a handler, a tasklet, a thread): it takes
 * the queue's irq-safe lock and wakes the thread.
 *
 * Flushing counts: every item queued takes the next sequence number and
 * every item run advances the done count; the items run in order, so a
 * flusher waits until done reaches what was queued when it asked.
 *
 * system_wq ("events") is a static queue, so work may be queued before
 * threads exist; deferred_init() starts its thread, which then runs what
 * waited.
 */
#include "kern/deferred.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/spinlock.h"
#include "kern/wait.h"

struct workqueue {
	const char *name;
	struct spinlock lock;
	struct work *head, *tail;
	struct wait_queue more;	   /* the thread waits for work here */
	struct wait_queue flushed; /* flushers wait for done_seq here */
	unsigned long queued_seq, done_seq;
	struct thread *thread;
};

static struct workqueue events = {
    .name = "events",
    .lock = SPINLOCK_INIT("events"),
    .more = WAIT_QUEUE_INIT("work"),
    .flushed = WAIT_QUEUE_INIT("workqueue flush"),
};

struct workqueue *system_wq = &events;

void work_init(struct work *w, void (*fn)(struct work *w), void *data)
{
	*w = (struct work){.fn = fn, .data = data};
}

bool queue_work(struct workqueue *wq, struct work *w)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	if (w->queued) {
		spin_unlock_irqrestore(&wq->lock, flags);
		return false;
	}
	w->queued = true;
	w->next = NULL;
	if (wq->tail) {
		wq->tail->next = w;
	} else {
		wq->head = w;
	}
	wq->tail = w;
	wq->queued_seq++;
	spin_unlock_irqrestore(&wq->lock, flags);
	wake_up_one(&wq->more);
	return true;
}

static bool has_work(void *arg)
{
	const struct workqueue *wq = arg;

	return __atomic_load_n(&wq->head, __ATOMIC_ACQUIRE) != NULL;
}

/* The next item, no longer queued (so that it may queue itself again). */
static struct work *take(struct workqueue *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	struct work *w = wq->head;

	if (w) {
		wq->head = w->next;
		if (!wq->head) {
			wq->tail = NULL;
		}
		w->queued = false;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return w;
}

static void worker_main(void *arg)
{
	struct workqueue *wq = arg;

	for (;;) {
		struct work *w;

		wait_event_timeout(&wq->more, has_work, wq, WAIT_FOREVER);
		while ((w = take(wq)) != NULL) {
			w->fn(w);
			__atomic_fetch_add(&wq->done_seq, 1, __ATOMIC_RELEASE);
			wake_up_all(&wq->flushed);
		}
	}
}

static int start_worker(struct workqueue *wq, int priority)
{
	wq->thread = thread_create(worker_main, wq, wq->name, priority);
	if (!wq->thread) {
		kprintf("workqueue %s: no thread; its work will not run\n",
			wq->name);
		return -ENOMEM;
	}
	return 0;
}

struct workqueue *workqueue_create(const char *name, int priority)
{
	struct workqueue *wq = kzalloc(sizeof(*wq), 0);

	if (!wq) {
		kprintf("workqueue %s: no memory\n", name);
		return NULL;
	}
	wq->name = name;
	spin_lock_init(&wq->lock, name);
	wait_queue_init(&wq->more, "work");
	wait_queue_init(&wq->flushed, "workqueue flush");
	if (start_worker(wq, priority) < 0) {
		kfree(wq);
		return NULL;
	}
	return wq;
}

struct flush_arg {
	struct workqueue *wq;
	unsigned long target;
};

static bool flushed(void *arg)
{
	const struct flush_arg *f = arg;

	return (long)(__atomic_load_n(&f->wq->done_seq, __ATOMIC_ACQUIRE) -
		      f->target) >= 0;
}

void workqueue_flush(struct workqueue *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	struct flush_arg f = {wq, wq->queued_seq};

	spin_unlock_irqrestore(&wq->lock, flags);
	if (!wq->thread || thread_current() == wq->thread) {
		/* Nobody to run it yet, or we are the runner: it would never
		 * finish. */
		kprintf("workqueue %s: flush %s; not waiting\n", wq->name,
			wq->thread ? "from its own thread"
				   : "before its thread");
		return;
	}
	wait_event_timeout(&wq->flushed, flushed, &f, WAIT_FOREVER);
}

unsigned long workqueue_runs(const struct workqueue *wq)
{
	return __atomic_load_n(&wq->done_seq, __ATOMIC_RELAXED);
}

void deferred_init(void)
{
	start_worker(&events, PRIO_HIGH);
}
