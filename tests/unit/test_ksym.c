/* The symbol lookup behind backtraces (kern/ksym.c), on a made-up table. */
#include "kern/ksym.h"
#include "unit.h"

/* Stands in for the table the kernel build generates (scripts/ksyms.py). */
const struct ksym ksym_table[] = {
    {0x1000, 0x20, "first"},	     {0x1020, 0x10, "second"},
    {0x1040, 0x08, "after_padding"}, /* 0x1030..0x103f: padding */
    {0x1048, 0x00, "label"},	     /* no size: only its own address */
    {0x1050, 0x30, "noreturn_call"}, {0x1080, 0x10, "last"},
};
const size_t ksym_count = sizeof(ksym_table) / sizeof(ksym_table[0]);

TEST(ksym_lookup_finds_the_holder)
{
	uintptr_t off = 99;

	CHECK(ksym_lookup(0xfff, &off) == NULL);
	CHECK(ksym_lookup(0x1000, &off) == &ksym_table[0]);
	CHECK_EQ_INT(off, 0);
	CHECK(ksym_lookup(0x101f, &off) == &ksym_table[0]);
	CHECK_EQ_INT(off, 0x1f);
	CHECK(ksym_lookup(0x1020, &off) == &ksym_table[1]);
	CHECK_EQ_INT(off, 0);
	CHECK(ksym_lookup(0x108f, &off) == &ksym_table[5]);
	CHECK_EQ_INT(off, 0xf);
	/* Every address of every function, so each probe of the binary
	 * search is exercised. */
	for (size_t i = 0; i < ksym_count; i++) {
		for (uintptr_t a = ksym_table[i].addr;
		     a < ksym_table[i].addr + ksym_table[i].size; a++) {
			CHECK(ksym_lookup(a, NULL) == &ksym_table[i]);
		}
	}
}

TEST(ksym_lookup_refuses_what_no_function_holds)
{
	uintptr_t off;

	CHECK(ksym_lookup(0x1030, &off) == NULL); /* padding */
	CHECK(ksym_lookup(0x103f, &off) == NULL);
	CHECK(ksym_lookup(0x1048, &off) == &ksym_table[3]);
	CHECK(ksym_lookup(0x1049, &off) == NULL); /* past a sizeless label */
	CHECK(ksym_lookup(0x1090, &off) == NULL); /* past the last */
	CHECK(ksym_lookup(UINTPTR_MAX, &off) == NULL);
	CHECK(ksym_lookup(0, &off) == NULL);
}

TEST(ksym_format_names_and_offsets)
{
	char buf[KSYM_FORMAT_SIZE];

	CHECK_EQ_STR(ksym_format(buf, sizeof(buf), 0x1024, false),
		     "second+0x4");
	CHECK_EQ_STR(ksym_format(buf, sizeof(buf), 0x1000, false), "first+0x0");
	CHECK_EQ_STR(ksym_format(buf, sizeof(buf), 0x1034, false), "?");
	/* A call that ends its function returns past it: looked up one byte
	 * earlier, it still belongs to the caller. */
	CHECK_EQ_STR(ksym_format(buf, sizeof(buf), 0x1080, true),
		     "noreturn_call+0x30");
	CHECK_EQ_STR(ksym_format(buf, sizeof(buf), 0x1080, false), "last+0x0");
	/* A small buffer truncates, still terminated. */
	CHECK_EQ_STR(ksym_format(buf, 6, 0x1024, false), "secon");
}
