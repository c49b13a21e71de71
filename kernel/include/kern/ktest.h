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
 * A case in another file registers itself (after kern/ktest.c's own):
 *
 *	KTEST_CASE("two_threads_share", test_two_threads_share);
 *
 * places it in the linker section "kite_ktest" (bounds __start_/__stop_,
 * as kern/init.h's FIRST_TASK); cases run in link order.
 */
#define KTEST_CASE(cname, fn)                                                  \
	static const struct ktest_case ktest_case_##fn __used __aligned(8)     \
	    __section("kite_ktest") = {(cname), (fn)}

/* A case that cannot run on this machine says so instead of passing. */
extern const char *ktest_skip_reason;
#define KT_SKIP(why)                                                           \
	do {                                                                   \
		ktest_skip_reason = (why);                                     \
		return true;                                                   \
	} while (0)

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
