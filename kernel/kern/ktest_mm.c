/*
 * In-kernel tests of the page allocator and the heap on the real memory
 * map: mixed allocations, every byte written and checked, and after
 * freeing everything the free page count and the free blocks per order
 * are exactly what they were (full coalescing gives a unique set of free
 * blocks for the same free pages).
 */
#include "kern/ktest.h"
#include "kern/mm.h"
#include "kern/string.h"

#define MM_TEST_BLOCKS 400

static void *blocks[MM_TEST_BLOCKS];
static size_t sizes[MM_TEST_BLOCKS];

/* xorshift32: a fixed sequence, so a failure repeats. */
static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static bool same_stats(const struct mm_stats *a, const struct mm_stats *b)
{
	if (a->pages_free != b->pages_free) {
		kprintf("    # pages free %lu, was %lu\n", b->pages_free,
			a->pages_free);
		return false;
	}
	for (unsigned int i = 0; i <= MAX_ORDER; i++) {
		if (a->free_per_order[i] != b->free_per_order[i]) {
			kprintf("    # order %u: %lu free blocks, was %lu\n", i,
				b->free_per_order[i], a->free_per_order[i]);
			return false;
		}
	}
	return true;
}

/* Sizes from 1 byte to 3 pages, weighted to the small caches. */
static size_t pick_size(uint32_t *seed)
{
	uint32_t r = next_rand(seed);

	return (r & 3) ? 1 + (r >> 8) % 2048 : 1 + (r >> 8) % (3 * PAGE_SIZE);
}

static bool fill_all(uint32_t *seed)
{
	for (unsigned int i = 0; i < MM_TEST_BLOCKS; i++) {
		sizes[i] = pick_size(seed);
		blocks[i] = kmalloc(sizes[i], 0);
		KT_CHECK(blocks[i] != NULL);
		KT_CHECK(((uintptr_t)blocks[i] & 15) == 0);
		memset(blocks[i], (int)(i & 0xff), sizes[i]);
	}
	return true;
}

static bool check_and_free(uint32_t *seed)
{
	/* Free in a shuffled order, checking nobody overwrote a block. */
	for (unsigned int i = MM_TEST_BLOCKS; i > 1; i--) {
		unsigned int j = next_rand(seed) % i;
		void *p = blocks[i - 1];
		size_t s = sizes[i - 1];

		blocks[i - 1] = blocks[j];
		sizes[i - 1] = sizes[j];
		blocks[j] = p;
		sizes[j] = s;
	}
	for (unsigned int i = 0; i < MM_TEST_BLOCKS; i++) {
		const uint8_t *b = blocks[i];

		for (size_t k = 0; k < sizes[i]; k++) {
			KT_CHECK(b[k] == b[0]);
		}
		kfree(blocks[i]);
	}
	return true;
}

static bool test_heap_free_count_exact(void)
{
	struct mm_stats before, during, after;
	uint32_t seed = 0x6b697465; /* "kite" */

	mm_get_stats(&before);
	KT_CHECK(before.pages_free > 0);
	KT_CHECK(fill_all(&seed));
	mm_get_stats(&during);
	KT_CHECK(during.pages_free < before.pages_free);
	KT_CHECK(check_and_free(&seed));
	mm_get_stats(&after);
	KT_CHECK(same_stats(&before, &after));
	return true;
}

static bool test_pages_coalesce_back(void)
{
	struct mm_stats before, after;
	uintptr_t p[MAX_ORDER + 1];
	uint8_t *z;

	mm_get_stats(&before);
	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		p[o] = page_alloc(o, o == MAX_ORDER ? KM_ZERO : 0);
		KT_CHECK(p[o] != 0);
		KT_CHECK((p[o] & ((PAGE_SIZE << o) - 1)) == 0);
	}
	z = (uint8_t *)p[MAX_ORDER];
	KT_CHECK(z[0] == 0 && z[(PAGE_SIZE << MAX_ORDER) - 1] == 0);
	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		page_free(p[o], o);
	}
	mm_get_stats(&after);
	KT_CHECK(same_stats(&before, &after));
	return true;
}

static bool test_kmalloc_zero_and_realloc(void)
{
	uint8_t *p = kzalloc(100, 0), *q;

	KT_CHECK(p != NULL);
	for (int i = 0; i < 100; i++) {
		KT_CHECK(p[i] == 0);
	}
	memset(p, 0x5a, 100);
	q = krealloc(p, 5000, KM_ZERO);
	KT_CHECK(q != NULL);
	KT_CHECK(q[0] == 0x5a && q[99] == 0x5a && q[100] == 0 && q[4999] == 0);
	kfree(q);
	kfree(NULL);
	return true;
}

KTEST_CASE("heap_free_count_exact", test_heap_free_count_exact);
KTEST_CASE("pages_coalesce_back", test_pages_coalesce_back);
KTEST_CASE("kmalloc_zero_and_realloc", test_kmalloc_zero_and_realloc);
