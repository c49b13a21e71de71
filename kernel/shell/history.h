/*
 * The shell's command history: the most recent lines within a fixed byte
 * budget. Lines are kept back to back in a circular store; adding one
 * drops the oldest until it fits, so a few long pasted lines or many
 * short ones fit in the same memory. Pure code (host-tested).
 *
 * Entries are named by a free-running id: history_oldest() up to, not
 * including, history_end(). Ids stay valid until the next history_add().
 */
#ifndef SHELL_HISTORY_H
#define SHELL_HISTORY_H

#include "kern/compiler.h"

#define HISTORY_LINES 32
#define HISTORY_BYTES 8192 /* at least the longest line (shell.c) */

struct history {
	char store[HISTORY_BYTES]; /* circular, no NULs between lines */
	struct {
		uint32_t start; /* free-running offset into store */
		uint32_t len;
	} ent[HISTORY_LINES]; /* circular, by id */
	uint32_t first;	      /* id of the oldest entry */
	uint32_t count;	      /* entries held */
	uint32_t head;	      /* free-running offset of the next byte */
};

/* Remember a line (len bytes, no NUL); empty lines, lines longer than
 * HISTORY_BYTES and repeats of the newest entry are not added. */
void history_add(struct history *h, const char *text, size_t len);

static inline uint32_t history_oldest(const struct history *h)
{
	return h->first;
}

static inline uint32_t history_end(const struct history *h)
{
	return h->first + h->count;
}

/* Copy entry `id` into buf (at most size - 1 bytes, NUL-terminated);
 * returns its length, or -1 when no such entry is held. */
int history_get(const struct history *h, uint32_t id, char *buf, size_t size);

#endif
