/*
 * The run queue: a FIFO list per priority and a bitmap with bit p set
 * while list p is non-empty, so the highest ready priority is one
 * count-leading-zeros away. Pure list logic (the caller holds the
 * scheduler's lock); host-tested in tests/unit/test_sched.c.
 */
#include "kern/panic.h"
#include "kern/sched_priv.h"

_Static_assert(NR_PRIO <= 32, "the bitmap is one 32-bit word");

void rq_init(struct runqueue *rq)
{
	for (int p = 0; p < NR_PRIO; p++) {
		rq->head[p] = rq->tail[p] = NULL;
	}
	rq->bitmap = 0;
	rq->count = 0;
}

static int checked_prio(const struct thread *t)
{
	if (t->prio < 0 || t->prio >= NR_PRIO) {
		panic("run queue: thread %s has priority %d", t->name, t->prio);
	}
	return t->prio;
}

void rq_push_tail(struct runqueue *rq, struct thread *t)
{
	int p = checked_prio(t);

	t->rq_next = NULL;
	if (rq->tail[p]) {
		rq->tail[p]->rq_next = t;
	} else {
		rq->head[p] = t;
	}
	rq->tail[p] = t;
	rq->bitmap |= 1u << p;
	rq->count++;
}

void rq_push_head(struct runqueue *rq, struct thread *t)
{
	int p = checked_prio(t);

	t->rq_next = rq->head[p];
	rq->head[p] = t;
	if (!rq->tail[p]) {
		rq->tail[p] = t;
	}
	rq->bitmap |= 1u << p;
	rq->count++;
}

int rq_top_prio(const struct runqueue *rq)
{
	return rq->bitmap ? 31 - __builtin_clz(rq->bitmap) : -1;
}

bool rq_has_prio(const struct runqueue *rq, int prio)
{
	return prio >= 0 && prio < NR_PRIO && (rq->bitmap & (1u << prio));
}

struct thread *rq_pop(struct runqueue *rq)
{
	int p = rq_top_prio(rq);
	struct thread *t;

	if (p < 0) {
		return NULL;
	}
	t = rq->head[p];
	rq->head[p] = t->rq_next;
	if (!rq->head[p]) {
		rq->tail[p] = NULL;
		rq->bitmap &= ~(1u << p);
	}
	t->rq_next = NULL;
	rq->count--;
	return t;
}

bool rq_remove(struct runqueue *rq, struct thread *t)
{
	int p = checked_prio(t);
	struct thread *prev = NULL;

	for (struct thread *c = rq->head[p]; c; prev = c, c = c->rq_next) {
		if (c != t) {
			continue;
		}
		if (prev) {
			prev->rq_next = t->rq_next;
		} else {
			rq->head[p] = t->rq_next;
		}
		if (rq->tail[p] == t) {
			rq->tail[p] = prev;
		}
		if (!rq->head[p]) {
			rq->bitmap &= ~(1u << p);
		}
		t->rq_next = NULL;
		rq->count--;
		return true;
	}
	return false;
}

struct thread *rq_pop_cpu(struct runqueue *rq, unsigned int cpu)
{
	uint32_t bits = rq->bitmap;

	while (bits) {
		int p = 31 - __builtin_clz(bits);

		for (struct thread *t = rq->head[p]; t; t = t->rq_next) {
			if (t->allowed & (1u << cpu)) {
				rq_remove(rq, t);
				return t;
			}
		}
		bits &= ~(1u << p);
	}
	return NULL;
}

/* Is a better than b as the target, on ties of what was compared? The
 * thread's last CPU (its cache), then the waker's own (no IPI). */
static bool preferred(unsigned int a, unsigned int b, unsigned int last,
		      unsigned int self)
{
	if (a == last || b == last) {
		return a == last;
	}
	if (a == self || b == self) {
		return a == self;
	}
	return a < b;
}

int sched_choose_cpu(const struct sched_cpu_view *v, unsigned int ncpu,
		     uint32_t allowed, int prio, unsigned int last,
		     unsigned int self)
{
	int idle = -1, low = -1;

	for (unsigned int c = 0; c < ncpu && c < 32; c++) {
		if (!v[c].active || v[c].kicked || !(allowed & (1u << c))) {
			continue;
		}
		if (v[c].idle) {
			if (idle < 0 ||
			    preferred(c, (unsigned int)idle, last, self)) {
				idle = (int)c;
			}
		} else if (v[c].prio < prio &&
			   (low < 0 || v[c].prio < v[low].prio ||
			    (v[c].prio == v[low].prio &&
			     preferred(c, (unsigned int)low, last, self)))) {
			low = (int)c;
		}
	}
	return idle >= 0 ? idle : low;
}
