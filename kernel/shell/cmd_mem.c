/*
 * The shell's `meminfo`: the page allocator's and the heap's counters;
 * `meminfo bench`: what a kmalloc+kfree pair costs per cache size, in
 * clocksource cycles (docs/memory.md compares KMALLOC_DEBUG on and off).
 */
#include "kern/errno.h"
#include "kern/ktimer.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "shell/commands.h"
#include "shell/shell.h"

#define BENCH_BATCH  64
#define BENCH_ROUNDS 200

static void bench_size(size_t size)
{
	static void *p[BENCH_BATCH];
	uint64_t t0 = time_cycles(), t, freq = time_cycles_freq();
	unsigned long pairs = BENCH_BATCH * BENCH_ROUNDS;

	for (unsigned int r = 0; r < BENCH_ROUNDS; r++) {
		for (unsigned int i = 0; i < BENCH_BATCH; i++) {
			p[i] = kmalloc(size, 0);
		}
		for (unsigned int i = 0; i < BENCH_BATCH; i++) {
			kfree(p[i]);
		}
	}
	t = time_cycles() - t0;
	kprintf("  %5zu bytes: %llu cycles per kmalloc+kfree", size,
		(unsigned long long)(t / pairs));
	if (freq) {
		kprintf(" (%llu ns)", (unsigned long long)(t * 1000 / pairs *
							   1000000 / freq));
	}
	kprintf("\n");
}

int cmd_meminfo(int argc, char **argv)
{
	static const size_t sizes[] = {16, 64, 200, 1000, 2048, 8000};

	if (argc == 1) {
		mm_print_info();
		return 0;
	}
	if (strcmp(argv[1], "bench") != 0) {
		shell_print_usage(shell_find("meminfo"));
		return -EINVAL;
	}
	kprintf("kmalloc+kfree, %d at a time, %d rounds; clocksource %llu Hz\n",
		BENCH_BATCH, BENCH_ROUNDS,
		(unsigned long long)time_cycles_freq());
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		bench_size(sizes[i]);
	}
	return 0;
}
