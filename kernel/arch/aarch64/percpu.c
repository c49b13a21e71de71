/*
 * The per-CPU areas (percpu.h) and each CPU's overflow stack: vectors.S
 * moves to it when an exception's frame would land in a stack's guard
 * page. One per CPU, since two CPUs can overflow at once. Initialised
 * data, not BSS: the boot CPU's entry is usable before boot.S clears BSS
 * and before any C code runs.
 */
#include "kern/compiler.h"
#include "percpu.h"

static uint8_t overflow_stacks[NR_CPUS][OVERFLOW_STACK_SIZE] __aligned(16);

#define PERCPU(n)                                                              \
	[n] = {.cpu = n,                                                       \
	       .overflow_top =                                                 \
		   (uintptr_t)(overflow_stacks[n] + OVERFLOW_STACK_SIZE)}

/* One row per CPU: add rows when NR_CPUS grows. */
_Static_assert(NR_CPUS == 8, "arch_percpu has 8 initialisers");
struct arch_percpu arch_percpu[NR_CPUS] = {
    PERCPU(0), PERCPU(1), PERCPU(2), PERCPU(3),
    PERCPU(4), PERCPU(5), PERCPU(6), PERCPU(7),
};
