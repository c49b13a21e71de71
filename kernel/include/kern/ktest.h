/*
 * In-kernel tests, reported in KTAP (the format of Linux's KUnit), run
 * when the command line has "ktest" or from the shell's `ktest` command.
 */
#ifndef KERN_KTEST_H
#define KERN_KTEST_H

#include "kern/compiler.h"
#include "kern/printf.h"

struct ktest_case {
	const char *name;
	/* Returns true on success; reports failures with KT_CHECK. */
	bool (*run)(void);
};

/*
 * A case in its own file, registered through the linker section
 * "kite_ktest" (the FIRST_TASK pattern of kern/init.h): such cases run
 * after kern/ktest.c's own.
 *
 *	KTEST_CASE("page_free_count_exact", test_page_free_count_exact);
 */
#define KTEST_CASE(case_name, fn)                                              \
	static const struct ktest_case ktest_case_##fn __used __aligned(8)     \
	    __section("kite_ktest") = {(case_name), (fn)}

/* Runs every case; returns the number that failed. */
int ktest_run_all(void);

#define KT_CHECK(cond)                                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			kprintf("    # %s:%d: check failed: %s\n", __FILE__,   \
				__LINE__, #cond);                              \
			return false;                                          \
		}                                                              \
	} while (0)

#endif
