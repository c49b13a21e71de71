/*
 * The heap (kern/kmalloc.c) on the host page allocator (mm_fixture.h):
 * random kmalloc/krealloc/kfree sequences against a model (each block's
 * size and fill byte; any overlap or lost byte shows as a wrong fill),
 * the pages all coming back, exhaustion returning NULL and counted, and
 * the faults it must catch: double free, a pointer it never gave out, a
 * write past the end (red zones, KMALLOC_DEBUG).
 */
#include "kern/mm.h"
#include "mm_fixture.h"
#include "unit.h"

#define MAX_LIVE 600

struct block {
	uint8_t *p;
	size_t size;
	uint8_t fill;
};
static struct block live[MAX_LIVE];
static unsigned int nlive;

static bool intact(unsigned int i)
{
	for (size_t k = 0; k < live[i].size; k++) {
		if (live[i].p[k] != live[i].fill) {
			return false;
		}
	}
	return true;
}

/* Mostly cache sizes, sometimes several pages. */
static size_t random_size(uint64_t *seed)
{
	uint64_t r = mm_rand(seed);

	return (r & 7) ? (size_t)(r >> 8) % 2100 : (size_t)(r >> 8) % 40000;
}

static void random_step(uint64_t *seed, int step)
{
	uint64_t r = mm_rand(seed);
	unsigned int i = nlive ? (unsigned int)((r >> 16) % nlive) : 0;

	if ((r & 3) < 2 && nlive < MAX_LIVE) {
		size_t size = random_size(seed);
		uint8_t *p = kmalloc(size, (r & 4) ? KM_ZERO : 0);

		if (!p) {
			return;
		}
		CHECK(((uintptr_t)p & 15) == 0);
		for (size_t k = 0; (r & 4) && k < size; k++) {
			CHECK(p[k] == 0);
		}
		live[nlive] = (struct block){p, size, (uint8_t)step};
		memset(p, live[nlive].fill, size);
		nlive++;
	} else if ((r & 3) == 2 && nlive) {
		size_t size = random_size(seed);
		uint8_t *p;

		CHECK(intact(i));
		p = krealloc(live[i].p, size, 0);
		if (!p) {
			return;
		}
		for (size_t k = 0; k < size && k < live[i].size; k++) {
			CHECK(p[k] == live[i].fill);
		}
		live[i].p = p;
		live[i].size = size;
		memset(p, live[i].fill, size);
	} else if (nlive) {
		CHECK(intact(i));
		kfree(live[i].p);
		live[i] = live[--nlive];
	}
}

TEST(kmalloc_random_against_model)
{
	struct mm_stats before, after;
	uint64_t seed = 0x243f6a8885a308d3ull;

	mm_fixture_init(NULL, 0);
	nlive = 0;
	mm_get_stats(&before);
	for (int step = 0; step < 30000; step++) {
		random_step(&seed, step);
	}
	while (nlive) {
		CHECK(intact(nlive - 1));
		kfree(live[--nlive].p);
	}
	/* Every slab and large block gave its pages back, coalesced. */
	mm_get_stats(&after);
	CHECK_EQ_INT(after.pages_free, before.pages_free);
	CHECK_EQ_INT(after.free_per_order[MAX_ORDER], 2);
	CHECK_EQ_INT(after.alloc_failed, 0);
}

TEST(kmalloc_exhaustion_returns_null_and_counts)
{
	static void *big[64];
	struct mm_stats before, after;
	unsigned int n = 0, small = 0;
	void *p, *first = NULL;

	mm_fixture_init(NULL, 0);
	mm_get_stats(&before);
	while (n < 64 && (big[n] = kmalloc(1 << 20, 0)) != NULL) {
		n++;
	}
	CHECK(n > 0 && n < 64);
	CHECK(kmalloc(64u << 20, 0) == NULL); /* above the largest block */
	CHECK(kmalloc((size_t)-1, 0) == NULL);
	while ((p = kmalloc(32, KM_NOSLEEP)) != NULL) {
		*(void **)p = first; /* a list through the objects */
		first = p;
		small++;
	}
	CHECK(small > 0);
	CHECK(fake_console_count("failed") == 0); /* counted, not printed */
	mm_get_stats(&after);
	CHECK(after.alloc_failed >= 2);
	fake_console_clear();
	mm_print_info();
	CHECK(fake_console_count("kmalloc-32") == 1);
	CHECK(strstr(fake_console_text(), "heap: 4 failed allocations") !=
	      NULL);
	while (first) {
		p = *(void **)first;
		kfree(first);
		first = p;
	}
	while (n) {
		kfree(big[--n]);
	}
	mm_get_stats(&after);
	CHECK_EQ_INT(after.pages_free, before.pages_free);
}

TEST(kmalloc_failed_krealloc_keeps_the_block)
{
	uint8_t *p;

	mm_fixture_init(NULL, 0);
	p = kmalloc(100, 0);
	REQUIRE(p != NULL);
	memset(p, 0x77, 100);
	CHECK(krealloc(p, 64u << 20, 0) == NULL);
	for (int i = 0; i < 100; i++) {
		CHECK(p[i] == 0x77);
	}
	p = krealloc(p, 3000, KM_ZERO);
	REQUIRE(p != NULL);
	CHECK(p[99] == 0x77 && p[100] == 0 && p[2999] == 0);
	kfree(p);
}

TEST(kmalloc_double_free_panics)
{
	void *small, *large;

	mm_fixture_init(NULL, 0);
	small = kmalloc(40, 0);
	(void)kmalloc(40, 0); /* keeps the slab alive after the free */
	large = kmalloc(20000, 0);
	kfree(small);
	EXPECT_PANIC(kfree(small));
	CHECK(strstr(fake_panic_message(), "double free") != NULL);
	CHECK(strstr(fake_panic_message(), "kfree(") != NULL);
	kfree(large);
	EXPECT_PANIC(kfree(large));
	CHECK(strstr(fake_panic_message(), "not allocated") != NULL);
	CHECK(fake_irqs_on);
}

TEST(kmalloc_foreign_free_panics)
{
	static uint8_t not_heap[64];
	uint8_t *p, *q;
	uintptr_t pages;

	mm_fixture_init(NULL, 0);
	p = kmalloc(64, 0);
	q = kmalloc(10000, 0);
	pages = page_alloc(0, 0);
	EXPECT_PANIC(kfree(not_heap));
	CHECK(strstr(fake_panic_message(), "not heap memory") != NULL);
	EXPECT_PANIC(kfree(p + 16));
	CHECK(strstr(fake_panic_message(), "not the start of a heap object") !=
	      NULL);
	EXPECT_PANIC(kfree(q + 8));
	CHECK(strstr(fake_panic_message(), "not the start of a heap block") !=
	      NULL);
	EXPECT_PANIC(kfree((void *)pages));
	CHECK(strstr(fake_panic_message(), "page_alloc() block") != NULL);
	EXPECT_PANIC(page_free((uintptr_t)q & ~(PAGE_SIZE - 1), 2));
	CHECK(strstr(fake_panic_message(), "use kfree") != NULL);
	/* The real blocks are still fine. */
	kfree(p);
	kfree(q);
	page_free(pages, 0);
}

TEST(kmalloc_free_inside_a_free_block_panics)
{
	uintptr_t a;

	mm_fixture_init(NULL, 0);
	/* The arena's first range starts after the metadata's 9 pages:
	 * free blocks of orders 0, 1, 2 (pages 9-15), then 4 (16-31). An
	 * order-3 block splits the latter: a = page 16, and a + 9 pages is
	 * inside the free order-3 half. */
	a = page_alloc(3, 0);
	REQUIRE((a - (uintptr_t)mm_arena()) / PAGE_SIZE == 16);
	EXPECT_PANIC(kfree((void *)(a + 9 * PAGE_SIZE)));
	CHECK(strstr(fake_panic_message(), "not allocated") != NULL);
	page_free(a, 3);
}

TEST(kmalloc_red_zone_overwrite_panics)
{
	uint8_t *a, *b, *c;

	mm_fixture_init(NULL, 0);
	a = kmalloc(10, 0);
	b = kmalloc(16, 0);
	c = kmalloc(5000, 0);
	a[10] = 0; /* one past what was asked for, inside the 16-byte slot */
	EXPECT_PANIC(kfree(a));
	CHECK(strstr(fake_panic_message(),
		     "write past the end of a 10-byte "
		     "block (red zone damaged at +10)") != NULL);
	CHECK(strstr(fake_panic_message(), "allocated by") != NULL);
	b[16] = 0; /* the canary after a full slot */
	EXPECT_PANIC(kfree(b));
	CHECK(strstr(fake_panic_message(), "at +16") != NULL);
	c[5003] = 0;
	EXPECT_PANIC(kfree(c));
	CHECK(strstr(fake_panic_message(), "5000-byte block (red zone "
					   "damaged at +5003)") != NULL);
	CHECK(fake_irqs_on);
}

TEST(kmalloc_zero_size_and_null)
{
	void *p;

	mm_fixture_init(NULL, 0);
	kfree(NULL);
	p = kmalloc(0, 0);
	CHECK(p != NULL);
	kfree(p);
	p = krealloc(NULL, 50, KM_ZERO);
	REQUIRE(p != NULL);
	CHECK(((uint8_t *)p)[49] == 0);
	kfree(p);
}
