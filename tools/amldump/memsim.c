/*
 * The machine amldump pretends to be: a sparse memory per address space
 * behind every operation region, a clock, and the messages. What
 * acpiexec (ACPICA 20200925, tools/acpiexec) does and why we match it:
 *
 * - It installs its simulating region handler for every space (System
 *   Memory, SystemIO, PCI_Config and EC at the root before any _REG,
 *   SMBus, CMOS, PCI_BAR, IPMI, GPIO, GSBus, PCC and FFixedHW after), so
 *   no access fails for want of a handler; we answer every space too.
 * - Each region is a buffer filled with the -fv byte (0 by default)
 *   that writes change; overlapping regions of one space share bytes.
 *   A per-(space, address) byte memory is the same thing.
 * - A PCI_Config region's address is its offset in config space; the
 *   simulated buffer is keyed by it alone, so two devices' config
 *   regions at offset 0 share bytes. We key PCI_Config by offset only.
 *
 * Sleep and Stall do not wait: they advance the clock that Timer reads
 * (and so do Timer reads, by 1 us each, so a loop polling Timer for a
 * timeout ends), which keeps a run fast and its output reproducible.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "amldump.h"

#define PAGE_BITS 8
#define PAGE_SIZE (1u << PAGE_BITS)

struct mem_page {
	uint64_t key; /* space << 56 | address >> PAGE_BITS; 0 = free slot */
	uint8_t *bytes;
};

struct memsim {
	uint8_t fill;
	struct mem_page *slots;
	size_t cap, used; /* cap a power of two, used <= cap / 2 */
};

struct memsim *memsim_create(uint8_t fill)
{
	struct memsim *m = calloc(1, sizeof(*m));

	if (!m) {
		return NULL;
	}
	m->fill = fill;
	m->cap = 256;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void memsim_destroy(struct memsim *m)
{
	size_t i;

	if (!m) {
		return;
	}
	for (i = 0; i < m->cap; i++) {
		free(m->slots[i].bytes);
	}
	free(m->slots);
	free(m);
}

/* The key never is 0: bit 63 is set on every one. */
static uint64_t page_key(uint8_t space, uint64_t addr)
{
	return (1ull << 63) | ((uint64_t)(space & 0x7F) << 56) |
	       ((addr >> PAGE_BITS) & ((1ull << 56) - 1));
}

static size_t page_slot(const struct memsim *m, uint64_t key)
{
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (m->cap - 1);

	while (m->slots[i].key && m->slots[i].key != key) {
		i = (i + 1) & (m->cap - 1);
	}
	return i;
}

static int memsim_grow(struct memsim *m)
{
	struct memsim bigger = *m;
	size_t i;

	bigger.cap = m->cap * 2;
	bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
	if (!bigger.slots) {
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].key) {
			bigger.slots[page_slot(&bigger, m->slots[i].key)] =
			    m->slots[i];
		}
	}
	free(m->slots);
	*m = bigger;
	return 0;
}

/* The page holding addr; NULL if none (create: make it, fill-filled). */
static uint8_t *memsim_page(struct memsim *m, uint8_t space, uint64_t addr,
			    bool create)
{
	uint64_t key = page_key(space, addr);
	size_t i = page_slot(m, key);

	if (m->slots[i].key || !create) {
		return m->slots[i].bytes;
	}
	if (m->used + 1 > m->cap / 2) {
		if (memsim_grow(m) < 0) {
			return NULL;
		}
		i = page_slot(m, key);
	}
	m->slots[i].bytes = malloc(PAGE_SIZE);
	if (!m->slots[i].bytes) {
		return NULL;
	}
	memset(m->slots[i].bytes, m->fill, PAGE_SIZE);
	m->slots[i].key = key;
	m->used++;
	return m->slots[i].bytes;
}

/* Little-endian, byte by byte (an access may straddle two pages). */
static int memsim_rw(struct memsim *m, const struct aml_region_access *a,
		     bool write, uint64_t *value)
{
	unsigned int i, n = (a->width + 7) / 8;
	uint64_t v = 0;

	if (n == 0 || n > 8) {
		return -22; /* -EINVAL: no such access width */
	}
	for (i = 0; i < n; i++) {
		uint64_t at = a->addr + i;
		uint8_t *p = memsim_page(m, a->space, at, write);

		if (write && !p) {
			return -12; /* -ENOMEM */
		}
		if (write) {
			p[at & (PAGE_SIZE - 1)] = (uint8_t)(*value >> (8 * i));
		} else {
			v |= (uint64_t)(p ? p[at & (PAGE_SIZE - 1)] : m->fill)
			     << (8 * i);
		}
	}
	if (!write) {
		*value = n == 8 ? v : v & ((1ull << (8 * n)) - 1);
	}
	return 0;
}

static int host_region_rw(void *ctx, const struct aml_region_access *a,
			  bool write, uint64_t *value)
{
	struct amldump_host *h = ctx;

	return memsim_rw(h->mem, a, write, value);
}

static void host_say(struct amldump_host *h, const char *fmt, ...)
{
	va_list ap;

	h->log_lines++;
	if (h->quiet) {
		return;
	}
	va_start(ap, fmt);
	fputs("amldump: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void host_notify(void *ctx, struct aml_node *node, uint32_t value)
{
	struct amldump_host *h = ctx;
	char path[128];

	h->notifies++;
	if (h->debug) {
		aml_node_path(node, path, sizeof(path));
		host_say(h, "Notify(%s, 0x%x)", path, value);
	}
}

static void host_sleep_ms(void *ctx, uint64_t ms)
{
	struct amldump_host *h = ctx;

	h->clock_100ns += ms * 10000;
}

static void host_stall_us(void *ctx, uint64_t us)
{
	struct amldump_host *h = ctx;

	h->clock_100ns += us * 10;
}

static uint64_t host_timer(void *ctx)
{
	struct amldump_host *h = ctx;

	h->clock_100ns += 10;
	return h->clock_100ns;
}

static void host_debug(void *ctx, const char *text)
{
	struct amldump_host *h = ctx;

	if (h->debug) {
		host_say(h, "Debug: %s", text);
	}
}

static void host_fatal(void *ctx, uint8_t type, uint32_t code, uint64_t arg)
{
	struct amldump_host *h = ctx;

	h->fatals++;
	host_say(h, "Fatal(0x%x, 0x%x, 0x%llx)", type, code,
		 (unsigned long long)arg);
}

static void host_log(void *ctx, const char *text)
{
	host_say(ctx, "%s", text);
}

static const struct aml_host_ops host_ops = {
    .region_rw = host_region_rw,
    .notify = host_notify,
    .sleep_ms = host_sleep_ms,
    .stall_us = host_stall_us,
    .timer_100ns = host_timer,
    .debug = host_debug,
    .fatal = host_fatal,
    .log = host_log,
};

const struct aml_host_ops *amldump_host_ops(void)
{
	return &host_ops;
}
