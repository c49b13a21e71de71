/*
 * Work that leaves hard interrupt context.
 *
 * Tasklets: a handler schedules one; it runs once on the way out of the
 * interrupt (irq_exit(), with interrupts on, before any reschedule), not
 * nested, never concurrently with itself. Scheduling one already pending
 * does nothing. Tasklets may not sleep. An interrupt taken while a
 * tasklet runs neither runs tasklets nor switches threads on its way out
 * (in_tasklet()): the outer run goes on, and at most TASKLET_BUDGET run
 * per exit; what is left runs on the system work queue. Threads queue
 * work instead: a tasklet scheduled from a thread waits for the next
 * interrupt exit, which tickless idle may put off for long.
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
	bool running; /* on some CPU now (so never twice at once) */
	unsigned long runs;
	struct tasklet *next;
};

#define TASKLET_BUDGET 16 /* tasklets run per interrupt exit */

void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data,
		  const char *name);
void tasklet_schedule(struct tasklet *t);
/* From irq_exit(): run what is pending (bounded; the rest goes next time
 * or to the tasklet thread). */
void tasklets_run(void);
/* Is this CPU running a tasklet (irq_exit() must not switch)? */
bool in_tasklet(void);
/* Times the budget ran out and the rest went to the work queue. */
unsigned long tasklets_deferred(void);

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
/* Items run by wq so far. */
unsigned long workqueue_runs(const struct workqueue *wq);

/*
 * Once threads and interrupts are up (kern/main.c, after the boot's
 * arch_irq_enable()): start system_wq's thread. Work queued before runs
 * then; nothing queued is lost.
 */
void deferred_init(void);

#endif
