/*
 * pslater MS: the thread table (sched_print_threads, as `ps` prints it)
 * MS ms from now, printed by a thread of its own. By then the shell is
 * back at its prompt waiting for input, so what an idle shell waits on is
 * seen from outside it: a `ps` typed at the shell always shows the shell
 * running. The thread tests use it (tests/qemu/test_threads.py).
 * sched_print_threads() keeps one table: a `ps` typed while this one
 * prints may show rows of the other's snapshot (never a torn name).
 */
#include "kern/errno.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "shell/commands.h"

#define PSLATER_MAX_MS 60000

static void pslater_thread(void *arg)
{
	thread_sleep_ns((uint64_t)(uintptr_t)arg * NSEC_PER_MSEC);
	sched_print_threads();
}

int cmd_pslater(int argc, char **argv)
{
	unsigned long ms;
	struct thread *t;

	if (argc != 2 || !parse_count(argv[1], PSLATER_MAX_MS, &ms)) {
		return -EINVAL;
	}
	t = thread_create(pslater_thread, (void *)(uintptr_t)ms, "pslater",
			  PRIO_HIGH);
	if (!t) {
		return -ENOMEM; /* thread_create said why */
	}
	thread_detach(t);
	return 0;
}
