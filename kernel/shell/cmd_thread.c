/*
 * Shell commands that show and load the scheduler: ps, and spin (CPU-bound
 * background threads, to see preemption and fairness in `ps`).
 */
#include "kern/errno.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "shell/commands.h"

#define SPIN_MAX_THREADS 16
#define SPIN_MAX_SECONDS 3600

int cmd_ps(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sched_print_threads();
	return 0;
}

struct spinner {
	uint64_t end_ns;
	volatile unsigned long loops;
	volatile bool running;
};

/* One run's threads; a new `spin` while they run is refused. */
static struct spinner spinners[SPIN_MAX_THREADS];
static unsigned int spinner_count;

/* Never blocks, never yields: only the scheduler takes the CPU away. */
static void spin_thread(void *arg)
{
	struct spinner *s = arg;

	while (time_ns() < s->end_ns) {
		s->loops++;
	}
	s->running = false;
}

static void spin_report(void)
{
	if (spinner_count == 0) {
		kprintf("spin: no run yet\n");
	}
	for (unsigned int i = 0; i < spinner_count; i++) {
		kprintf("spin-%u: %lu loops%s\n", i, spinners[i].loops,
			spinners[i].running ? " (running)" : "");
	}
}

static bool spin_busy(void)
{
	for (unsigned int i = 0; i < spinner_count; i++) {
		if (spinners[i].running) {
			return true;
		}
	}
	return false;
}

static unsigned int spin_start(unsigned long n, unsigned long seconds)
{
	uint64_t end = time_ns() + seconds * NSEC_PER_SEC;
	unsigned int started = 0;

	spinner_count = (unsigned int)n;
	for (unsigned int i = 0; i < n; i++) {
		char name[THREAD_NAME_LEN];
		struct thread *t;

		spinners[i] = (struct spinner){end, 0, true};
		ksnprintf(name, sizeof(name), "spin-%u", i);
		t = thread_create(spin_thread, &spinners[i], name, PRIO_LOW);
		if (!t) {
			spinners[i].running =
			    false; /* thread_create said why */
			continue;
		}
		thread_detach(t);
		started++;
	}
	return started;
}

int cmd_spin(int argc, char **argv)
{
	unsigned long n, seconds;
	unsigned int started;

	if (argc == 1) {
		spin_report();
		return 0;
	}
	if (argc != 3 || !parse_count(argv[1], SPIN_MAX_THREADS, &n) ||
	    n == 0 || !parse_count(argv[2], SPIN_MAX_SECONDS, &seconds)) {
		return -EINVAL;
	}
	if (spin_busy()) {
		kprintf(
		    "spin: the last run is still going ('spin' shows it)\n");
		return -EBUSY;
	}
	started = spin_start(n, seconds);
	kprintf("spin: %u of %lu threads spinning for %lu s at priority %d\n",
		started, n, seconds, PRIO_LOW);
	return started == n ? 0 : -ENOMEM;
}
