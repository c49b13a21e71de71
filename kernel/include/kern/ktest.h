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
