/*
 * The kernel heap (kern/mm.h): eight caches of 16..2048 bytes (powers of
 * two), each carving slabs of 2^order pages (kern/page.c) into equal
 * objects, and blocks above 2048 bytes taken whole from the page
 * allocator behind a header that records their size.
 *
 * A slab starts with a header (struct slab): a magic number, the partial
 * list links and a bitmap with one bit per object, set while it is given
 * out. The page allocator marks a slab's pages PG_SLAB with the cache's
 * index and a large block's PG_LARGE (kern/page_meta.h), so kfree() finds
 * any pointer's block, and refuses what is not a block start it gave out:
 * an address in no slab, between objects, or on an object whose bit is
 * clear (a double free). A slab whose objects are all free goes back to
 * the page allocator at once.
 *
 * KMALLOC_DEBUG (default on: kite is a teaching kernel; docs/memory.md
 * measures the cost) adds 16 bytes to every object: a canary word, the
 * size asked for and the caller. The bytes between the size asked for and
 * the end of the object are filled with a pattern; kfree() checks pattern
 * and canary and panics naming both callers on a write past the end.
 * Freed objects are filled with 0x6b, so a use after free reads nonsense
 * instead of plausible data.
 */
#include "kern/mm.h"
#include "kern/ksym.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/spinlock.h"
#include "kern/string.h"
#include "kern/page_meta.h"

#ifndef KMALLOC_DEBUG
#define KMALLOC_DEBUG 1
#endif

#define CACHE_MIN_SHIFT 4 /* 16 bytes */
#define NCACHES		8 /* ... 2048 bytes */
#define CACHE_MAX_SIZE	(1u << (CACHE_MIN_SHIFT + NCACHES - 1))
#define SLAB_MAX_OBJS	256 /* bits in struct slab's bitmap */
#define SLAB_MIN_OBJS	8   /* a bigger slab order until this many fit */
#define SLAB_MAX_ORDER	3
#define SLAB_MAGIC	0x62616c73u /* "slab" */
#define LARGE_MAGIC	0x656772616c6bull
#define RZ_CANARY	0x5afec0deu
#define RZ_FILL		0xcc
#define FREE_POISON	0x6b
#define KMALLOC_MAX	((size_t)PAGE_SIZE << MAX_ORDER)

struct slab {
	uint32_t magic;
	uint16_t cache;
	uint16_t inuse;
	struct slab *next, *prev; /* the cache's partial list */
	uint64_t used[SLAB_MAX_OBJS / 64];
	uint64_t pad;
};
#define SLAB_HDR 64
_Static_assert(sizeof(struct slab) <= SLAB_HDR, "slab header size");

/* After each object in a debug build; the canary first, where an
 * overflow of a full-sized object lands. */
struct trailer {
	uint32_t canary;
	uint32_t size;
	uintptr_t caller;
};
#define TRAILER (KMALLOC_DEBUG ? sizeof(struct trailer) : 0)

struct large {
	uint64_t magic;
	uint32_t size;
	uint32_t order;
	uintptr_t caller;
	uint64_t pad;
};
#define LARGE_HDR sizeof(struct large)
#define LARGE_RZ  (KMALLOC_DEBUG ? 16u : 0u)
_Static_assert(LARGE_HDR % 16 == 0, "large blocks stay 16-byte aligned");

struct kcache {
	uint32_t size, stride, order, objs;
	struct slab *partial; /* slabs with a free object */
	unsigned long objects, bytes, slabs, failed;
};

static struct spinlock heap_lock = SPINLOCK_INIT("kmalloc");
static struct kcache caches[NCACHES];
static unsigned long large_blocks, large_pages, large_bytes, large_failed;

void kmalloc_init(void)
{
	large_blocks = large_pages = large_bytes = large_failed = 0;
	for (unsigned int i = 0; i < NCACHES; i++) {
		struct kcache *c = &caches[i];
		uint32_t o = 0;

		*c = (struct kcache){.size = 1u << (CACHE_MIN_SHIFT + i)};
		c->stride = c->size + (uint32_t)TRAILER;
		for (;; o++) {
			c->objs =
			    (uint32_t)((PAGE_SIZE << o) - SLAB_HDR) / c->stride;
			if (c->objs >= SLAB_MIN_OBJS || o == SLAB_MAX_ORDER) {
				break;
			}
		}
		c->objs = c->objs > SLAB_MAX_OBJS ? SLAB_MAX_OBJS : c->objs;
		c->order = o;
	}
}

static unsigned int cache_index(size_t size)
{
	unsigned int i = 0;

	while (i < NCACHES && caches[i].size < size) {
		i++;
	}
	return i;
}

static unsigned int large_order(size_t size)
{
	unsigned int o = 0;

	while ((PAGE_SIZE << o) < size + LARGE_HDR + LARGE_RZ) {
		o++;
	}
	return o;
}

static const char *who(char *buf, uintptr_t caller)
{
	return ksym_format(buf, KSYM_FORMAT_SIZE, caller, true);
}

/* ---- red zones (KMALLOC_DEBUG) ---------------------------------------- */

/* Fill [size, cap) with the pattern; the trailer (if any) after cap. */
static void rz_arm(uint8_t *obj, size_t size, size_t cap, uintptr_t caller,
		   bool trailer)
{
	if (!KMALLOC_DEBUG) {
		return;
	}
	memset(obj + size, RZ_FILL, cap - size);
	if (trailer) {
		struct trailer *t = (struct trailer *)(obj + cap);

		t->canary = RZ_CANARY;
		t->size = (uint32_t)size;
		t->caller = caller;
	}
}

/* The offset of the first damaged red-zone byte, or -1. */
static long rz_check(const uint8_t *obj, size_t size, size_t cap, bool trailer)
{
	if (!KMALLOC_DEBUG) {
		return -1;
	}
	for (size_t i = size; i < cap; i++) {
		if (obj[i] != RZ_FILL) {
			return (long)i;
		}
	}
	if (trailer &&
	    ((const struct trailer *)(obj + cap))->canary != RZ_CANARY) {
		return (long)cap;
	}
	return -1;
}

static __noreturn void rz_panic(const void *p, long at, size_t size,
				uintptr_t alloc_caller, uintptr_t caller)
{
	char a[KSYM_FORMAT_SIZE], f[KSYM_FORMAT_SIZE];

	panic("kfree(%p) from %s: write past the end of a %zu-byte block "
	      "(red zone damaged at +%ld), allocated by %s",
	      p, who(f, caller), size, at, who(a, alloc_caller));
}

static __noreturn void bad_free(const void *p, uintptr_t caller,
				const char *why)
{
	char f[KSYM_FORMAT_SIZE];

	panic("kfree(%p) from %s: %s", p, who(f, caller), why);
}

/* ---- slabs -------------------------------------------------------------- */

static void partial_push(struct kcache *c, struct slab *s)
{
	s->prev = NULL;
	s->next = c->partial;
	if (s->next) {
		s->next->prev = s;
	}
	c->partial = s;
}

static void partial_remove(struct kcache *c, struct slab *s)
{
	if (s->prev) {
		s->prev->next = s->next;
	} else {
		c->partial = s->next;
	}
	if (s->next) {
		s->next->prev = s->prev;
	}
}

/* A slot of s marked used; s has one (it is on the partial list). */
static unsigned int slab_take(struct kcache *c, struct slab *s)
{
	for (unsigned int w = 0;; w++) {
		uint64_t freebits = ~s->used[w];

		if (freebits) {
			unsigned int bit =
			    (unsigned int)__builtin_ctzll(freebits);

			s->used[w] |= 1ull << bit;
			if (++s->inuse == c->objs) {
				partial_remove(c, s);
			}
			return w * 64 + bit;
		}
	}
}

static struct slab *slab_new(struct kcache *c)
{
	uintptr_t base = page_alloc_as(c->order, KM_NOSLEEP, PG_SLAB,
				       (unsigned int)(c - caches));
	struct slab *s = (struct slab *)base;

	if (!s) {
		return NULL;
	}
	memset(s, 0, SLAB_HDR);
	s->magic = SLAB_MAGIC;
	s->cache = (uint16_t)(c - caches);
	/* Bits past the last object read as used: never handed out. */
	for (unsigned int i = c->objs; i < SLAB_MAX_OBJS; i++) {
		s->used[i / 64] |= 1ull << (i % 64);
	}
	return s;
}

static void *slab_alloc(struct kcache *c, size_t size, uintptr_t caller)
{
	unsigned long irq = spin_lock_irqsave(&heap_lock);
	struct slab *s = c->partial;
	uint8_t *obj;

	if (!s) {
		spin_unlock_irqrestore(&heap_lock, irq);
		s = slab_new(c);
		irq = spin_lock_irqsave(&heap_lock);
		if (!s) {
			c->failed++;
			spin_unlock_irqrestore(&heap_lock, irq);
			return NULL;
		}
		c->slabs++;
		partial_push(c, s);
	}
	obj = (uint8_t *)s + SLAB_HDR + (size_t)slab_take(c, s) * c->stride;
	c->objects++;
	c->bytes += KMALLOC_DEBUG ? size : c->size;
	spin_unlock_irqrestore(&heap_lock, irq);
	rz_arm(obj, size, c->size, caller, true);
	return obj;
}

/* The object p's slot in its slab, checked; panics if p is no object. */
static unsigned int slab_slot(const struct page_info *pi, const void *p,
			      uintptr_t caller)
{
	const struct kcache *c = &caches[pi->cache];
	uintptr_t off = (uintptr_t)p - pi->base - SLAB_HDR;

	if ((uintptr_t)p < pi->base + SLAB_HDR || off % c->stride ||
	    off / c->stride >= c->objs ||
	    ((struct slab *)pi->base)->magic != SLAB_MAGIC) {
		bad_free(p, caller, "not the start of a heap object");
	}
	return (unsigned int)(off / c->stride);
}

/* Red zone damage in a used object (-1: none); its size and caller. */
static long slab_obj_check(const struct kcache *c, const uint8_t *obj,
			   size_t *size, uintptr_t *alloc_caller)
{
	const struct trailer *t = (const struct trailer *)(obj + c->size);

	*size = c->size;
	*alloc_caller = 0;
	if (!KMALLOC_DEBUG) {
		return -1;
	}
	if (t->canary != RZ_CANARY || t->size > c->size) {
		return (long)c->size;
	}
	*size = t->size;
	*alloc_caller = t->caller;
	return rz_check(obj, t->size, c->size, true);
}

static void slab_free(const struct page_info *pi, void *p, uintptr_t caller)
{
	struct kcache *c = &caches[pi->cache];
	struct slab *s = (struct slab *)pi->base;
	unsigned int slot = slab_slot(pi, p, caller);
	unsigned long irq = spin_lock_irqsave(&heap_lock);
	uintptr_t alloc_caller;
	bool empty;
	size_t size;
	long bad;

	if (!(s->used[slot / 64] & (1ull << (slot % 64)))) {
		spin_unlock_irqrestore(&heap_lock, irq);
		bad_free(p, caller, "double free (the object is free)");
	}
	bad = slab_obj_check(c, p, &size, &alloc_caller);
	if (bad >= 0) {
		spin_unlock_irqrestore(&heap_lock, irq);
		rz_panic(p, bad, size, alloc_caller, caller);
	}
	if (KMALLOC_DEBUG) {
		memset(p, FREE_POISON, c->size);
	}
	s->used[slot / 64] &= ~(1ull << (slot % 64));
	c->objects--;
	c->bytes -= KMALLOC_DEBUG ? size : c->size;
	if (s->inuse-- == c->objs) {
		partial_push(c, s);
	}
	empty = s->inuse == 0;
	if (empty) {
		partial_remove(c, s);
		c->slabs--;
		s->magic = 0;
	}
	spin_unlock_irqrestore(&heap_lock, irq);
	if (empty && !page_free_as(pi->base, PG_SLAB)) {
		panic("kmalloc: slab %p was not the heap's", (void *)s);
	}
}

/* ---- large blocks ------------------------------------------------------- */

static void *large_alloc(size_t size, uintptr_t caller)
{
	unsigned int order = MAX_ORDER + 1;
	struct large *h = NULL;
	unsigned long irq;
	size_t room;

	if (size <= KMALLOC_MAX - LARGE_HDR - LARGE_RZ) {
		order = large_order(size);
		h = (struct large *)page_alloc_as(order, KM_NOSLEEP, PG_LARGE,
						  0);
	}
	irq = spin_lock_irqsave(&heap_lock);
	if (!h) {
		large_failed++;
		spin_unlock_irqrestore(&heap_lock, irq);
		return NULL;
	}
	large_blocks++;
	large_pages += 1ul << order;
	large_bytes += size;
	spin_unlock_irqrestore(&heap_lock, irq);
	*h = (struct large){LARGE_MAGIC, (uint32_t)size, order, caller, 0};
	room = (PAGE_SIZE << order) - LARGE_HDR - size;
	rz_arm((uint8_t *)(h + 1), size, size + (room < 16 ? room : LARGE_RZ),
	       caller, false);
	return h + 1;
}

static struct large *large_header(const struct page_info *pi, const void *p,
				  uintptr_t caller)
{
	struct large *h = (struct large *)pi->base;

	if ((uintptr_t)p != pi->base + LARGE_HDR || h->magic != LARGE_MAGIC) {
		bad_free(p, caller, "not the start of a heap block");
	}
	return h;
}

static void large_free(const struct page_info *pi, void *p, uintptr_t caller)
{
	struct large *h = large_header(pi, p, caller);
	size_t room = (PAGE_SIZE << h->order) - LARGE_HDR - h->size;
	long bad = rz_check(p, h->size, h->size + (room < 16 ? room : LARGE_RZ),
			    false);
	unsigned long irq;

	if (bad >= 0) {
		rz_panic(p, bad, h->size, h->caller, caller);
	}
	irq = spin_lock_irqsave(&heap_lock);
	large_blocks--;
	large_pages -= 1ul << h->order;
	large_bytes -= h->size;
	h->magic = 0;
	spin_unlock_irqrestore(&heap_lock, irq);
	if (!page_free_as(pi->base, PG_LARGE)) {
		bad_free(p, caller, "double free (the block is free)");
	}
}

/* ---- the interface ------------------------------------------------------ */

static void *alloc_from(size_t size, unsigned int flags, uintptr_t caller)
{
	unsigned int i = cache_index(size ? size : 1);
	void *p = i < NCACHES ? slab_alloc(&caches[i], size, caller)
			      : large_alloc(size, caller);

	if (p && (flags & KM_ZERO)) {
		memset(p, 0, size);
	}
	return p;
}

void *kmalloc(size_t size, unsigned int flags)
{
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);

	if (!(flags & KM_NOSLEEP)) {
		might_sleep_from("kmalloc", caller);
	}
	return alloc_from(size, flags, caller);
}

void *kzalloc(size_t size, unsigned int flags)
{
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);

	if (!(flags & KM_NOSLEEP)) {
		might_sleep_from("kzalloc", caller);
	}
	return alloc_from(size, flags | KM_ZERO, caller);
}

static void free_from(void *p, uintptr_t caller)
{
	struct page_info pi;

	if (!p) {
		return;
	}
	pi = page_lookup((uintptr_t)p);
	if (pi.state == PG_SLAB) {
		slab_free(&pi, p, caller);
	} else if (pi.state == PG_LARGE) {
		large_free(&pi, p, caller);
	} else if (pi.state == PG_UNMANAGED) {
		bad_free(p, caller, "not heap memory");
	} else if (pi.state == PG_USED || pi.state == PG_TAIL) {
		bad_free(p, caller, "in a page_alloc() block (use page_free)");
	} else {
		bad_free(p, caller,
			 "not allocated (double free, or never given out)");
	}
}

void kfree(void *p)
{
	free_from(p, (uintptr_t)__builtin_return_address(0));
}

/* The size p was given with (its cache's size without KMALLOC_DEBUG);
 * *fits: whether `size` would land in the same block. */
static size_t block_size(void *p, size_t size, bool *fits, uintptr_t caller)
{
	struct page_info pi = page_lookup((uintptr_t)p);

	if (pi.state == PG_SLAB) {
		const struct kcache *c = &caches[pi.cache];
		uintptr_t ac;
		size_t old;

		slab_slot(&pi, p, caller);
		slab_obj_check(c, p, &old, &ac);
		*fits = !KMALLOC_DEBUG && cache_index(size) == pi.cache;
		return old;
	}
	if (pi.state == PG_LARGE) {
		*fits = false;
		return large_header(&pi, p, caller)->size;
	}
	bad_free(p, caller, "krealloc of a pointer the heap did not give out");
}

void *krealloc(void *p, size_t size, unsigned int flags)
{
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);
	size_t old;
	bool fits;
	void *n;

	if (!(flags & KM_NOSLEEP)) {
		might_sleep_from("krealloc", caller);
	}
	if (!p) {
		return alloc_from(size, flags, caller);
	}
	old = block_size(p, size, &fits, caller);
	if (fits) {
		return p;
	}
	n = alloc_from(size, flags & ~KM_ZERO, caller);
	if (!n) {
		return NULL;
	}
	memcpy(n, p, old < size ? old : size);
	if ((flags & KM_ZERO) && size > old) {
		memset((uint8_t *)n + old, 0, size - old);
	}
	free_from(p, caller);
	return n;
}

unsigned long kmalloc_failed(void)
{
	unsigned long n = large_failed;

	for (unsigned int i = 0; i < NCACHES; i++) {
		n += caches[i].failed;
	}
	return n;
}

void kmalloc_print_info(void)
{
	kprintf("heap (%s): cache    in use  objects  slabs  "
		"(objs/slab, pages/slab)  failed\n",
		KMALLOC_DEBUG ? "red zones on" : "no red zones");
	for (unsigned int i = 0; i < NCACHES; i++) {
		const struct kcache *c = &caches[i];

		kprintf("  kmalloc-%-5u %8lu B %7lu %6lu  (%3u, %u) %13lu\n",
			c->size, c->bytes, c->objects, c->slabs, c->objs,
			1u << c->order, c->failed);
	}
	kprintf("  large         %8lu B %7lu blocks in %lu pages %10lu\n",
		large_bytes, large_blocks, large_pages, large_failed);
	kprintf("heap: %lu failed allocations\n", kmalloc_failed());
}
