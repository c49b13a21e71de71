/* STUB (replaced by kern/tasklet.c and kern/workqueue.c): tasklets run
 * at once, inline; no work queues. Only so that callers build. */
#include "kern/deferred.h"

struct workqueue *system_wq;

void tasklet_init(struct tasklet *t, void (*fn)(void *data), void *data,
		  const char *name)
{
	t->fn = fn;
	t->data = data;
	t->name = name;
	t->pending = false;
	t->runs = 0;
	t->next = NULL;
}

void tasklet_schedule(struct tasklet *t)
{
	t->runs++;
	t->fn(t->data);
}

void tasklets_run(void)
{
}
