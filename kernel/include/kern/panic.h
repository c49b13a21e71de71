/* panic() for broken invariants, KASSERT for the checks that find them. */
#ifndef KERN_PANIC_H
#define KERN_PANIC_H

#include "kern/compiler.h"

__noreturn void panic(const char *fmt, ...) __printf_like(1, 2);

#define KASSERT(cond)                                                          \
	do {                                                                   \
		if (unlikely(!(cond))) {                                       \
			panic("assertion failed: %s at %s:%d", #cond,          \
			      __FILE__, __LINE__);                             \
		}                                                              \
	} while (0)

/*
 * Print the frame-pointer chain starting at fp (bounded, fault-safe), one
 * line a frame: "  #0 0x10690b shell_execute+0x3b" (kern/ksym.h).
 */
void backtrace_print(uintptr_t fp);

/*
 * One line for the instruction at pc (what: "faulting instruction"): its
 * address, function and offset, and its first code bytes.
 */
void backtrace_print_pc(uintptr_t pc, const char *what);

#endif
