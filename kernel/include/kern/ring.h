/*
 * A byte ring buffer: one producer (usually an interrupt handler), one
 * consumer, the size a power of two. head and tail run freely and wrap
 * at 2^32; their difference is the fill level. Callers provide locking
 * (the usual pattern: the consumer takes the driver's irq-safe lock).
 */
#ifndef KERN_RING_H
#define KERN_RING_H

#include "kern/compiler.h"

struct ring {
	uint8_t *buf;
	unsigned int size; /* power of two */
	unsigned int head; /* next write */
	unsigned int tail; /* next read */
};

#define RING_INIT(storage)                                                     \
	{                                                                      \
		(storage), sizeof(storage), 0, 0                               \
	}

static inline unsigned int ring_count(const struct ring *r)
{
	return r->head - r->tail;
}

static inline unsigned int ring_space(const struct ring *r)
{
	return r->size - ring_count(r);
}

static inline bool ring_empty(const struct ring *r)
{
	return r->head == r->tail;
}

static inline bool ring_full(const struct ring *r)
{
	return ring_count(r) == r->size;
}

/* Append a byte; false (and nothing written) when full. */
static inline bool ring_put(struct ring *r, uint8_t byte)
{
	if (ring_full(r)) {
		return false;
	}
	r->buf[r->head & (r->size - 1)] = byte;
	r->head++;
	return true;
}

/* Take the oldest byte; -1 when empty. */
static inline int ring_get(struct ring *r)
{
	int byte;

	if (ring_empty(r)) {
		return -1;
	}
	byte = r->buf[r->tail & (r->size - 1)];
	r->tail++;
	return byte;
}

#endif
