/* The shell's command history in a byte budget (shell/history.h). */
#include "shell/history.h"
#include "kern/string.h"

#define SLOT(id) ((id) % HISTORY_LINES)

/* Copy len bytes out of the circular store from free-running offset off. */
static void store_read(const struct history *h, uint32_t off, char *dst,
		       size_t len)
{
	size_t at = off % HISTORY_BYTES, first = HISTORY_BYTES - at;

	if (first > len) {
		first = len;
	}
	memcpy(dst, h->store + at, first);
	memcpy(dst + first, h->store, len - first);
}

static void store_write(struct history *h, const char *src, size_t len)
{
	size_t at = h->head % HISTORY_BYTES, first = HISTORY_BYTES - at;

	if (first > len) {
		first = len;
	}
	memcpy(h->store + at, src, first);
	memcpy(h->store, src + first, len - first);
	h->head += (uint32_t)len;
}

static bool same_as_newest(const struct history *h, const char *text,
			   size_t len)
{
	uint32_t newest = history_end(h) - 1;
	size_t at, first;

	if (!h->count || h->ent[SLOT(newest)].len != len) {
		return false;
	}
	at = h->ent[SLOT(newest)].start % HISTORY_BYTES;
	first = HISTORY_BYTES - at < len ? HISTORY_BYTES - at : len;
	return memcmp(h->store + at, text, first) == 0 &&
	       memcmp(h->store, text + first, len - first) == 0;
}

void history_add(struct history *h, const char *text, size_t len)
{
	if (!len || len > HISTORY_BYTES || same_as_newest(h, text, len)) {
		return;
	}
	/* Make room: a free entry, and len bytes after the oldest's start. */
	while (h->count &&
	       (h->count == HISTORY_LINES ||
		h->head - h->ent[SLOT(h->first)].start + len > HISTORY_BYTES)) {
		h->first++;
		h->count--;
	}
	h->ent[SLOT(history_end(h))].start = h->head;
	h->ent[SLOT(history_end(h))].len = (uint32_t)len;
	h->count++;
	store_write(h, text, len);
}

int history_get(const struct history *h, uint32_t id, char *buf, size_t size)
{
	size_t len;

	/* Unsigned distance: ids before the oldest wrap to large values. */
	if (id - h->first >= h->count || size == 0) {
		return -1;
	}
	len = h->ent[SLOT(id)].len;
	if (len > size - 1) {
		len = size - 1;
	}
	store_read(h, h->ent[SLOT(id)].start, buf, len);
	buf[len] = '\0';
	return (int)len;
}
