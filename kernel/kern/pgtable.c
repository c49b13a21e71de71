/*
 * The page-table walker both ports share (kern/pgtable.h). Changing a
 * valid descriptor follows break-before-make (Arm ARM D8.14.1; harmless
 * and sufficient on x86, SDM Vol. 3A 4.10.4): the old entry is cleared
 * and its TLB entries invalidated before the new one is written. New
 * entries over invalid ones need no invalidation (neither architecture
 * caches a translation that faulted), only publishing (ops->sync).
 */
#include "kern/pgtable.h"
#include "kern/errno.h"

static unsigned int pt_index(uint64_t va, unsigned int level)
{
	return (unsigned int)(va >> (12 + 9 * level)) & (PT_ENTRIES - 1);
}

static uint64_t block_size(unsigned int level)
{
	return PT_PAGE << (9 * level);
}

static uint64_t *table_of(const struct pt *pt, uint64_t desc)
{
	return (uint64_t *)(uintptr_t)pt->ops->addr(desc);
}

static uint64_t *new_table(struct pt *pt)
{
	uint64_t pa = pt->ops->alloc(pt->ctx);

	if (!pa) {
		pt->alloc_failed++;
		return NULL;
	}
	pt->tables++;
	return (uint64_t *)(uintptr_t)pa;
}

/* Replace *slot, a valid or invalid entry mapping [va, va + size). */
static void set_entry(struct pt *pt, uint64_t *slot, uint64_t desc, uint64_t va,
		      uint64_t size)
{
	if (pt->ops->valid(*slot) && *slot != desc) {
		*slot = 0;
		pt->ops->flush(pt->ctx, va, size);
	}
	*slot = desc;
}

/* Turn the block leaf in *slot (level > 0, mapping va) into a table of
 * 512 leaves one level down with the same output and attributes. */
static int split(struct pt *pt, uint64_t *slot, unsigned int level, uint64_t va)
{
	uint64_t *t = new_table(pt);
	uint64_t pa = pt->ops->addr(*slot);
	uint64_t attrs = pt->ops->attrs(*slot, level);
	uint64_t sub = block_size(level - 1);

	if (!t) {
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		t[i] = pt->ops->leaf(pa + i * sub, level - 1, attrs);
	}
	va &= ~(block_size(level) - 1);
	set_entry(pt, slot, pt->ops->table((uintptr_t)t), va,
		  block_size(level));
	return 0;
}

/* The slot at `level` for va, growing tables and splitting blocks above
 * it; NULL when a table cannot be had. */
static uint64_t *walk(struct pt *pt, uint64_t va, unsigned int level)
{
	uint64_t *t = pt->root;

	for (unsigned int l = PT_LEVELS - 1; l > level; l--) {
		uint64_t *e = &t[pt_index(va, l)];

		if (!pt->ops->valid(*e)) {
			uint64_t *n = new_table(pt);

			if (!n) {
				return NULL;
			}
			*e = pt->ops->table((uintptr_t)n);
		} else if (!pt->ops->is_table(*e, l) &&
			   split(pt, e, l, va) < 0) {
			return NULL;
		}
		t = table_of(pt, *e);
	}
	return &t[pt_index(va, level)];
}

static bool aligned(uint64_t v, uint64_t a)
{
	return (v & (a - 1)) == 0;
}

int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size,
	   uint64_t attrs, bool large)
{
	uint64_t end = va + size;
	int err = 0;

	if (!aligned(va | pa | size, PT_PAGE) || end < va ||
	    end > (1ull << PT_VA_BITS)) {
		return -EINVAL;
	}
	while (va < end) {
		bool big =
		    large && aligned(va | pa, PT_LARGE) && end - va >= PT_LARGE;
		unsigned int level = big ? 1 : 0;
		uint64_t *e = walk(pt, va, level);

		/* A table already there keeps its pages: map them one by one
		 * rather than lose the table. */
		if (big && e && pt->ops->is_table(*e, 1)) {
			big = false;
			level = 0;
			e = walk(pt, va, 0);
		}
		if (!e) {
			err = -ENOMEM;
			break;
		}
		set_entry(pt, e, pt->ops->leaf(pa, level, attrs), va,
			  block_size(level));
		va += block_size(level);
		pa += block_size(level);
	}
	pt->ops->sync(pt->ctx);
	return err;
}

int pt_unmap(struct pt *pt, uint64_t va, uint64_t size)
{
	uint64_t end = va + size;

	if (!aligned(va | size, PT_PAGE) || end < va) {
		return -EINVAL;
	}
	while (va < end) {
		uint64_t *t = pt->root, *e;
		unsigned int l = PT_LEVELS - 1;

		for (;;) {
			uint64_t bs = block_size(l);

			e = &t[pt_index(va, l)];
			if (!pt->ops->valid(*e)) {
				va = (va & ~(bs - 1)) + bs;
				break;
			}
			if (l > 0 && pt->ops->is_table(*e, l)) {
				t = table_of(pt, *e);
				l--;
				continue;
			}
			if (aligned(va, bs) && end - va >= bs) {
				set_entry(pt, e, 0, va, bs);
				va += bs;
				break;
			}
			if (split(pt, e, l, va) < 0) {
				pt->ops->sync(pt->ctx);
				return -ENOMEM;
			}
		}
	}
	pt->ops->sync(pt->ctx);
	return 0;
}

bool pt_lookup(const struct pt *pt, uint64_t va, uint64_t *desc,
	       unsigned int *level)
{
	const uint64_t *t = pt->root;

	if (va >= (1ull << PT_VA_BITS)) {
		return false;
	}
	for (unsigned int l = PT_LEVELS - 1;; l--) {
		uint64_t e = t[pt_index(va, l)];

		if (!pt->ops->valid(e)) {
			return false;
		}
		if (l == 0 || !pt->ops->is_table(e, l)) {
			*desc = e;
			*level = l;
			return true;
		}
		t = table_of(pt, e);
	}
}

uint64_t *pt_pte(struct pt *pt, uint64_t va)
{
	return va < (1ull << PT_VA_BITS) ? walk(pt, va, 0) : NULL;
}
