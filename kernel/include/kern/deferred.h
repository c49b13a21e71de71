/*
 * Work that leaves hard interrupt context.
 *
 * Tasklets: a handler schedules one; it runs once on the way out of the
 * interrupt (irq_exit(), with interrupts on, before any reschedule), not
 * nested, never concurrently with itself. Scheduling one already pending
 * does nothing. Tasklets may not sleep.
 *
 * Work queues: items run one at a time by the queue's kernel thread,
 * which may sleep. queue_work() may be called from anywhere; an item
 * already queued is not queued twice.
 */
#ifndef KERN_DEFERRED_H
#define KERN_DEFERRED_H

#include "kern/compiler.h"

struct tasklet {
	void (*fn)(void *data);
	void *data;
	const char *name;
	bool pending;
	unsigned long runs;
	struct tasklet *next;
};

void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data,
		  const char *name);
void tasklet_schedule(struct tasklet *t);
/* From irq_exit(): run what is pending (bounded; the rest goes next time
 * or to the tasklet thread). */
void tasklets_run(void);

struct work {
	void (*fn)(struct work *w);
	void *data;
	bool queued;
	struct work *next;
};

struct workqueue;

void work_init(struct work *w, void (*fn)(struct work *w), void *data);
struct workqueue *workqueue_create(const char *name, int priority);
/* false if it was queued already. */
bool queue_work(struct workqueue *wq, struct work *w);
/* The system's work queue (kernel thread "events"). */
extern struct workqueue *system_wq;
/* Wait until everything queued before the call has run. */
void workqueue_flush(struct workqueue *wq);

#endif
