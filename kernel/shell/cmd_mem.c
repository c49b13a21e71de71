/* The shell's `meminfo`: the page allocator's and the heap's counters. */
#include "kern/mm.h"
#include "shell/commands.h"

int cmd_meminfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mm_print_info();
	return 0;
}
