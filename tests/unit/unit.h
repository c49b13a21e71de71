/*
 * kite's host unit test harness: every test file in tests/unit is linked with
 * tests/unit/main.c into one binary.
 *
 *   TEST(fdt_root_is_first) { CHECK_EQ_INT(fdt_root(&f), 0); }
 *
 * TEST registers the function through a constructor, so a test file needs
 * no table and no main. Name tests "<subsystem>_<what>" so that a prefix
 * given as argv[1] picks a subsystem's tests. The runner prints one
 * "ok N - name" or "not ok N - name" line per test (failed checks above
 * it, as "# file:line: ..."), then "unit: N passed, N failed", and exits
 * 1 if any test failed.
 *
 * CHECK* record a failure and carry on; REQUIRE* also return from the
 * test, for when the rest of it cannot run (a fixture that did not load).
 */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

#include <stddef.h>
#include <stdint.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	const char *file;
	int line;
	struct unit_test *next;
};

/* Called by TEST's constructor; tests run sorted by file, then line. */
void unit_register(struct unit_test *t);

/* Record a failure of the running test and print where it was. */
void unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Counts every check evaluated, for the summary. */
extern unsigned long unit_checks;

/*
 * The contents of fixture `name` from $KITE_FIXTURES (default
 * "tests/fixtures"), malloc'd; NULL (with a message) if it cannot be read.
 * The caller frees it.
 */
void *unit_load_fixture(const char *name, size_t *len);

/*
 * Call fn for every machine directory of the real-firmware corpus
 * ($KITE_FIXTURES/acpi/corpus/<machine>/), in directory order; returns
 * how many (0, said, when the corpus is not there).
 */
unsigned int unit_corpus_each(void (*fn)(const char *machine, void *arg),
			      void *arg);

/* Little-endian stores, for tables built by tests. */
void unit_put16(uint8_t *p, uint16_t v);
void unit_put32(uint8_t *p, uint32_t v);
void unit_put64(uint8_t *p, uint64_t v);

#define TEST(tname)                                                            \
	static void unit_fn_##tname(void);                                     \
	static struct unit_test unit_test_##tname = {                          \
	    #tname, unit_fn_##tname, __FILE__, __LINE__, NULL};                \
	__attribute__((constructor)) static void unit_reg_##tname(void)        \
	{                                                                      \
		unit_register(&unit_test_##tname);                             \
	}                                                                      \
	static void unit_fn_##tname(void)

#define UNIT_CHECK_(cond, on_fail)                                             \
	do {                                                                   \
		unit_checks++;                                                 \
		if (!(cond)) {                                                 \
			unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);     \
			on_fail;                                               \
		}                                                              \
	} while (0)

#define UNIT_CHECK_EQ_INT_(a, b, on_fail)                                      \
	do {                                                                   \
		long long unit_a_ = (long long)(a);                            \
		long long unit_b_ = (long long)(b);                            \
		unit_checks++;                                                 \
		if (unit_a_ != unit_b_) {                                      \
			unit_fail(__FILE__, __LINE__,                          \
				  "%s == %s: %lld (0x%llx) != %lld (0x%llx)",  \
				  #a, #b, unit_a_,                             \
				  (unsigned long long)unit_a_, unit_b_,        \
				  (unsigned long long)unit_b_);                \
			on_fail;                                               \
		}                                                              \
	} while (0)

#define UNIT_CHECK_EQ_STR_(a, b, on_fail)                                      \
	do {                                                                   \
		const char *unit_a_ = (a);                                     \
		const char *unit_b_ = (b);                                     \
		unit_checks++;                                                 \
		if (!unit_str_eq(unit_a_, unit_b_)) {                          \
			unit_fail(__FILE__, __LINE__,                          \
				  "%s == %s: \"%s\" != \"%s\"", #a, #b,        \
				  unit_a_ ? unit_a_ : "(null)",                \
				  unit_b_ ? unit_b_ : "(null)");               \
			on_fail;                                               \
		}                                                              \
	} while (0)

#define CHECK(cond)	     UNIT_CHECK_(cond, (void)0)
#define CHECK_EQ_INT(a, b)   UNIT_CHECK_EQ_INT_(a, b, (void)0)
#define CHECK_EQ_STR(a, b)   UNIT_CHECK_EQ_STR_(a, b, (void)0)
#define REQUIRE(cond)	     UNIT_CHECK_(cond, return )
#define REQUIRE_EQ_INT(a, b) UNIT_CHECK_EQ_INT_(a, b, return )

/* Both NULL, or equal strings. */
int unit_str_eq(const char *a, const char *b);

#endif
