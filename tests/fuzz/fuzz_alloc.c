/*
 * libFuzzer target for the page allocator and the heap (kern/page.c,
 * kern/mm_init.c, kern/kmalloc.c), included here with stand-ins for the
 * spinlock and panic(): an input is a memory map over an
 * arena, reservations, then a sequence of operations, run against a
 * model of what is live and what each block holds.
 *
 *   byte 0:        memory map entries (0..7), each 5 bytes: first page
 *                  (2), pages (2), type | unaligned offset << 3 (1)
 *   next byte:     reservations (0..3), each 4 bytes: first page (2),
 *                  bytes (2)
 *   then 3 bytes an operation: op, argument (2); op's top bit picks
 *                  the big sizes (up to 512 KiB, orders MAX_ORDER and
 *                  MAX_ORDER + 1), rarer to keep runs quick
 *
 * Checked: every block is aligned, inside the arena and keeps its bytes
 * until freed (so no two overlap); KM_ZERO zeroes; krealloc keeps the
 * common prefix; after freeing everything the free pages and the free
 * blocks per order are exactly what they were after mm_init. The only
 * panic allowed is mm_init's "no room for the metadata".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/ksym.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/spinlock.h"

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)

/* ---- what the allocator calls ------------------------------------------ */

static jmp_buf *panic_jb;
static char panic_msg[256];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	if (!panic_jb) {
		fprintf(stderr, "PANIC: %s\n", panic_msg);
		__builtin_trap();
	}
	longjmp(*panic_jb, 1);
}

void spin_lock_init(struct spinlock *l, const char *name)
{
	l->cpu = -1; /* this fake's "held" flag: 0 while held */
	l->name = name;
}

unsigned long spin_lock_irqsave(struct spinlock *l)
{
	ASSERT(l->cpu < 0);
	l->cpu = 0;
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	(void)flags;
	ASSERT(l->cpu == 0);
	l->cpu = -1;
}

void might_sleep_from(const char *what, uintptr_t caller)
{
	(void)what;
	(void)caller;
}

const char *ksym_format(char *buf, size_t size, uintptr_t addr, bool is_ret)
{
	(void)addr;
	(void)is_ret;
	snprintf(buf, size, "?");
	return buf;
}

/* The fuzz targets are built with tests/unit/host_mm.h forced in, which
 * renames kmalloc() & co. for the parsers' malloc-backed heap; this target
 * is the real heap's, so it takes the names back. kprintf() is
 * tests/fuzz/support/fuzz_kprintf.c's. */
#undef kmalloc
#undef kzalloc
#undef krealloc
#undef kfree

#include "../../kernel/kern/kmalloc.c"
#include "../../kernel/kern/mm_init.c"
#include "../../kernel/kern/page.c"

/* ---- the harness ----------------------------------------------------------
 */

#define ARENA_PAGES (3u << MAX_ORDER)
#define MAX_LIVE    128

struct block {
	uint8_t *p;
	size_t size;
	uint8_t fill;
	int order; /* page_alloc block; -1: kmalloc */
};

static uint8_t *arena;
static struct block live[MAX_LIVE];
static unsigned int nlive;

struct input {
	const uint8_t *d;
	size_t n;
};

static unsigned int take(struct input *in, unsigned int bytes)
{
	unsigned int v = 0;

	while (bytes--) {
		v = v << 8 | (in->n ? (in->n--, *in->d++) : 0);
	}
	return v;
}

/* Reads the map and reservations; false if mm_init ran out of room. */
static bool setup(struct input *in)
{
	static struct boot_info bi;
	static struct mm_reserved res[3];
	unsigned int nmap = take(in, 1) % 8, nres;
	jmp_buf jb;

	memset(&bi, 0, sizeof(bi));
	for (unsigned int i = 0; i < nmap; i++) {
		unsigned int first = take(in, 2) % ARENA_PAGES;
		unsigned int pages = take(in, 2) % (ARENA_PAGES - first + 1);
		unsigned int t = take(in, 1);
		uint64_t off = (t >> 3) % 64;

		bi.memmap[i] = (struct boot_mem_range){
		    (uintptr_t)arena + first * PAGE_SIZE + off,
		    pages * PAGE_SIZE - (pages ? off : 0), t % 6};
	}
	bi.memmap_count = nmap;
	nres = take(in, 1) % 4;
	for (unsigned int i = 0; i < nres; i++) {
		unsigned int first = take(in, 2) % ARENA_PAGES;

		res[i] = (struct mm_reserved){
		    (uintptr_t)arena + first * PAGE_SIZE, take(in, 2), "fuzz"};
	}
	mm_direct_map_end = ~(uint64_t)0;
	panic_jb = &jb;
	if (setjmp(jb)) {
		panic_jb = NULL;
		ASSERT(strstr(panic_msg, "page metadata") != NULL);
		return false;
	}
	mm_init(&bi, res, nres);
	panic_jb = NULL;
	return true;
}

/* Edges whole, the middle sampled: an overlap or a lost byte shows
 * (fills differ per block) while a run stays quick. */
static void check_block(const struct block *b)
{
	for (size_t i = 0; i < b->size;
	     i += i < 64 || b->size - i < 64 ? 1 : 61) {
		ASSERT(b->p[i] == b->fill);
	}
}

static void release(unsigned int i)
{
	check_block(&live[i]);
	if (live[i].order < 0) {
		kfree(live[i].p);
	} else {
		page_free((uintptr_t)live[i].p, (unsigned int)live[i].order);
	}
	live[i] = live[--nlive];
}

static void add(uint8_t *p, size_t size, int order, bool zeroed, uint8_t fill)
{
	ASSERT(p >= arena && p + size <= arena + ARENA_PAGES * PAGE_SIZE);
	ASSERT(((uintptr_t)p & 15) == 0);
	for (size_t i = 0; zeroed && i < size; i++) {
		ASSERT(p[i] == 0);
	}
	memset(p, fill, size);
	live[nlive++] = (struct block){p, size, fill, order};
}

static void resize(unsigned int i, size_t size)
{
	struct block *b = &live[i];
	uint8_t *p;

	check_block(b);
	p = krealloc(b->p, size, KM_ZERO);
	if (!p) {
		check_block(b); /* a failed krealloc leaves the block alone */
		return;
	}
	for (size_t k = 0; k < size; k++) {
		ASSERT(p[k] == (k < b->size ? b->fill : 0));
	}
	b->p = p;
	b->size = size;
	memset(p, b->fill, size);
}

static void step(unsigned int op, unsigned int arg, uint8_t fill)
{
	unsigned int i = nlive ? arg % nlive : 0;
	size_t size = (op & 0x80) ? arg * 8u : arg % 4096u;
	unsigned int order;
	void *p;

	switch (op % 5) {
	case 0:
	case 1:
		if (nlive < MAX_LIVE &&
		    (p = kmalloc(size, (op % 5) ? KM_ZERO : 0)) != NULL) {
			add(p, size, -1, op % 5, fill);
		}
		break;
	case 2:
		if (nlive && live[i].order < 0) {
			resize(i, size);
		}
		break;
	case 3: /* MAX_ORDER + 1 must fail */
		order = (op & 0x80) ? MAX_ORDER + (arg & 1) : arg % 6;
		if (nlive < MAX_LIVE &&
		    (p = (void *)page_alloc(order, 0)) != NULL) {
			ASSERT(order <= MAX_ORDER);
			ASSERT(((uintptr_t)p & ((PAGE_SIZE << order) - 1)) ==
			       0);
			add(p, PAGE_SIZE << order, (int)order, false, fill);
		}
		break;
	default:
		if (nlive) {
			release(i);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct mm_stats before, after;
	uint8_t fill = 1;

	if (!arena) {
		arena = aligned_alloc(PAGE_SIZE << MAX_ORDER,
				      ARENA_PAGES * PAGE_SIZE);
	}
	nlive = 0;
	if (!setup(&in)) {
		return 0;
	}
	mm_get_stats(&before);
	while (in.n >= 3) {
		unsigned int op = take(&in, 1);

		step(op, take(&in, 2), fill++);
	}
	while (nlive) {
		release(nlive - 1);
	}
	mm_get_stats(&after);
	ASSERT(after.pages_free == before.pages_free);
	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		ASSERT(after.free_per_order[o] == before.free_per_order[o]);
	}
	return 0;
}
