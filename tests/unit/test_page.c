/*
 * The buddy page allocator (kern/page.c, kern/mm_init.c) against a
 * model: which arena page belongs to which allocation. Random sequences
 * (seeded) check alignment, no overlap and the free count; freeing
 * everything must coalesce back to the max-order blocks there were;
 * exhaustion returns 0 and counts; bad frees panic naming the fault.
 */
#include "kern/mm.h"
#include "kern/sched.h"
#include "mm_fixture.h"
#include "unit.h"

#define NPAGES	    (MM_ARENA_BYTES / PAGE_SIZE)
#define MAX_LIVE    512
#define TEST_ORDERS 6 /* random orders 0..5 */

/* Until the scheduler links into the host tests: never sleeps here. */
__attribute__((weak)) void might_sleep_from(const char *what, uintptr_t caller)
{
	(void)what;
	(void)caller;
}

static int owner[NPAGES]; /* allocation id + 1, 0 = free in the model */

static struct {
	uintptr_t addr;
	unsigned int order;
} live[MAX_LIVE];
static unsigned int nlive;

static unsigned long page_index(uintptr_t a)
{
	return (unsigned long)((a - (uintptr_t)mm_arena()) / PAGE_SIZE);
}

/* Record a new block in the model; false if it overlaps or is odd. */
static bool model_take(uintptr_t a, unsigned int order, int id)
{
	unsigned long first = page_index(a);

	if (a < (uintptr_t)mm_arena() || first + (1ul << order) > NPAGES ||
	    (a & ((PAGE_SIZE << order) - 1))) {
		return false;
	}
	for (unsigned long i = 0; i < (1ul << order); i++) {
		if (owner[first + i]) {
			return false;
		}
		owner[first + i] = id;
	}
	return true;
}

static void model_give(uintptr_t a, unsigned int order)
{
	for (unsigned long i = 0; i < (1ul << order); i++) {
		owner[page_index(a) + i] = 0;
	}
}

static void drop_live(unsigned int i)
{
	model_give(live[i].addr, live[i].order);
	page_free(live[i].addr, live[i].order);
	live[i] = live[--nlive];
}

static void model_reset(void)
{
	memset(owner, 0, sizeof(owner));
	nlive = 0;
}

TEST(page_init_counts_the_arena)
{
	struct mm_stats st;

	mm_fixture_init(NULL, 0);
	mm_get_stats(&st);
	/* All pages but the metadata's (12 bytes a page, whole pages). */
	CHECK_EQ_INT(st.pages_total, NPAGES - (NPAGES * 12 + 4095) / 4096);
	CHECK_EQ_INT(st.pages_free, st.pages_total);
	CHECK_EQ_INT(st.free_per_order[MAX_ORDER], 2);
	CHECK_EQ_INT(st.largest_free, PAGE_SIZE << MAX_ORDER);
	CHECK(fake_console_count("page metadata 36 KiB") == 1);
}

TEST(page_random_against_model)
{
	struct mm_stats before, after;
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	mm_fixture_init(NULL, 0);
	model_reset();
	mm_get_stats(&before);
	for (int step = 0; step < 20000; step++) {
		uint64_t r = mm_rand(&seed);

		if ((r & 1) && nlive < MAX_LIVE) {
			unsigned int order =
			    (unsigned int)(r >> 8) % TEST_ORDERS;
			uintptr_t a = page_alloc(order, 0);
			struct mm_stats st;

			if (!a) {
				continue; /* full: frees will follow */
			}
			REQUIRE(model_take(a, order, (int)nlive + 1));
			live[nlive].addr = a;
			live[nlive++].order = order;
			mm_get_stats(&st);
			REQUIRE(st.pages_free <= before.pages_free);
		} else if (nlive) {
			drop_live((unsigned int)((r >> 8) % nlive));
		}
	}
	while (nlive) {
		drop_live(0);
	}
	mm_get_stats(&after);
	CHECK_EQ_INT(after.pages_free, before.pages_free);
	CHECK_EQ_INT(after.free_per_order[MAX_ORDER], 2);
	for (unsigned int o = 0; o <= MAX_ORDER; o++) {
		CHECK_EQ_INT(after.free_per_order[o], before.free_per_order[o]);
	}
}

TEST(page_exhaustion_returns_zero_and_counts)
{
	struct mm_stats before, full, after;
	static uintptr_t all[NPAGES];
	unsigned long n = 0;

	mm_fixture_init(NULL, 0);
	model_reset();
	mm_get_stats(&before);
	while (n < NPAGES && (all[n] = page_alloc(0, KM_NOSLEEP)) != 0) {
		REQUIRE(model_take(all[n], 0, 1));
		n++;
	}
	CHECK_EQ_INT(n, before.pages_free);
	CHECK(page_alloc(0, 0) == 0);
	CHECK(page_alloc(MAX_ORDER + 1, 0) == 0);
	mm_get_stats(&full);
	CHECK_EQ_INT(full.pages_free, 0);
	CHECK_EQ_INT(full.largest_free, 0);
	CHECK_EQ_INT(full.alloc_failed, 3);
	while (n) {
		page_free(all[--n], 0);
	}
	mm_get_stats(&after);
	CHECK_EQ_INT(after.pages_free, before.pages_free);
	CHECK_EQ_INT(after.free_per_order[MAX_ORDER], 2);
}

TEST(page_zero_flag_zeroes)
{
	uint8_t *p;
	uintptr_t a;

	mm_fixture_init(NULL, 0);
	a = page_alloc(2, 0);
	memset((void *)a, 0xab, 4 * PAGE_SIZE);
	page_free(a, 2);
	p = (uint8_t *)page_alloc(2, KM_ZERO);
	REQUIRE(p == (uint8_t *)a); /* the same block comes back first */
	for (unsigned long i = 0; i < 4 * PAGE_SIZE; i++) {
		REQUIRE(p[i] == 0);
	}
}

TEST(page_reservations_never_handed_out)
{
	uintptr_t base = (uintptr_t)mm_arena() + (PAGE_SIZE << MAX_ORDER);
	struct mm_reserved res[] = {
	    {base + 5 * PAGE_SIZE + 100, 10, "odd reservation"},
	    {base + 700 * PAGE_SIZE, 3 * PAGE_SIZE, "three pages"}};
	uintptr_t a;
	struct mm_stats st;

	mm_fixture_init(res, 2);
	mm_get_stats(&st);
	CHECK_EQ_INT(st.pages_total,
		     NPAGES - (NPAGES * 12 + 4095) / 4096 - 1 - 3);
	CHECK(fake_console_count("odd reservation") == 1);
	while ((a = page_alloc(0, 0)) != 0) {
		CHECK(a != base + 5 * PAGE_SIZE);
		CHECK(a < base + 700 * PAGE_SIZE ||
		      a >= base + 703 * PAGE_SIZE);
	}
}

TEST(page_bad_map_entries_clipped_and_said)
{
	struct boot_info bi = {.protocol = "host", .cmdline = ""};
	uintptr_t a = (uintptr_t)mm_arena();
	struct mm_stats st;

	fake_arch_reset();
	mm_direct_map_end = a + 2 * (PAGE_SIZE << MAX_ORDER);
	bi.memmap[0] =
	    (struct boot_mem_range){a + 100, 64 * PAGE_SIZE, BOOT_MEM_RAM};
	bi.memmap[1] = (struct boot_mem_range){a + 32 * PAGE_SIZE,
					       64 * PAGE_SIZE, BOOT_MEM_RAM};
	bi.memmap[2] =
	    (struct boot_mem_range){a + 200 * PAGE_SIZE, 0, BOOT_MEM_RAM};
	bi.memmap[3] =
	    (struct boot_mem_range){a + (PAGE_SIZE << MAX_ORDER),
				    2 * (PAGE_SIZE << MAX_ORDER), BOOT_MEM_RAM};
	bi.memmap[4] = (struct boot_mem_range){a + 40 * PAGE_SIZE, PAGE_SIZE,
					       BOOT_MEM_ACPI};
	bi.memmap_count = 5;
	mm_init(&bi, NULL, 0);
	CHECK(fake_console_count("not page-aligned") == 1);
	CHECK(fake_console_count("overlaps") == 1);
	CHECK(fake_console_count("empty or wraps") == 1);
	CHECK(fake_console_count("above the direct map") == 1);
	CHECK(fake_console_count("(ACPI data)") == 1);
	mm_get_stats(&st);
	/* Pages 1..95 (one ACPI page out), then 1024..2047: the metadata
	 * (2048 pages * 12 bytes = 6 pages) at the start of the latter. */
	CHECK_EQ_INT(st.pages_total, 95 - 1 + 1024 - 6);
	mm_direct_map_end = ~(uint64_t)0;
}

TEST(page_bad_frees_panic)
{
	uintptr_t a, b;

	mm_fixture_init(NULL, 0);
	a = page_alloc(1, 0);
	b = page_alloc(0, 0);
	REQUIRE(a && b);
	EXPECT_PANIC(page_free(a, 0));
	CHECK(strstr(fake_panic_message(), "the block has order 1") != NULL);
	EXPECT_PANIC(page_free(a + PAGE_SIZE, 0));
	CHECK(strstr(fake_panic_message(), "inside an allocated block") !=
	      NULL);
	EXPECT_PANIC(page_free((uintptr_t)&a & ~(PAGE_SIZE - 1), 0));
	CHECK(strstr(fake_panic_message(), "not the allocator's") != NULL);
	page_free(b, 0);
	EXPECT_PANIC(page_free(b, 0));
	CHECK(strstr(fake_panic_message(), "page_free(") != NULL);
	CHECK(strstr(fake_panic_message(), "already free") != NULL ||
	      strstr(fake_panic_message(), "inside a free block") != NULL);
	page_free(a, 1);
	CHECK(fake_irqs_on); /* no lock left held by the panics */
}
