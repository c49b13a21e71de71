/*
 * Shell commands that show and load the scheduler: ps [MS] (every thread,
 * now or MS ms later from a thread of its own) and spin N S (N CPU-bound
 * threads in the background for S seconds, to see preemption and fair time
 * slices in ps, and to load the CPU while `make bench` and the tests measure
 * interrupts and input).
 */
#include "kern/errno.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "shell/commands.h"

#define SPIN_MAX_THREADS 16
#define SPIN_MAX_SECONDS 3600

#define PS_MAX_DELAY_MS 60000

/* sched_print_threads() keeps one table: one printer at a time. */
static bool ps_printing;

static int ps_print(void)
{
	if (__atomic_exchange_n(&ps_printing, true, __ATOMIC_ACQUIRE)) {
		kprintf("ps: another ps is printing\n");
		return -EBUSY;
	}
	sched_print_threads();
	__atomic_store_n(&ps_printing, false, __ATOMIC_RELEASE);
	return 0;
}

/* `ps MS`: the table from a thread of its own, MS ms from now, by which
 * time the shell is back waiting for input: what an idle shell waits on
 * is seen from outside it. */
static void ps_later(void *arg)
{
	thread_sleep_ns((uint64_t)(uintptr_t)arg * NSEC_PER_MSEC);
	ps_print();
	thread_exit(0);
}

int cmd_ps(int argc, char **argv)
{
	unsigned long ms;
	struct thread *t;

	if (argc == 1) {
		return ps_print();
	}
	if (!parse_count(argv[1], PS_MAX_DELAY_MS, &ms)) {
		return -EINVAL;
	}
	t = thread_create(ps_later, (void *)(uintptr_t)ms, "ps-later",
			  PRIO_HIGH);
	if (!t) {
		return -ENOMEM; /* thread_create said why */
	}
	thread_detach(t);
	return 0;
}

/* Burn the CPU until the deadline (arg: the time_ns() to stop at). The
 * only way off the CPU is preemption: the timer's slice or a wake-up of
 * a higher priority. */
static void spin_thread(void *arg)
{
	uint64_t end = (uint64_t)(uintptr_t)arg;
	volatile unsigned long laps = 0;

	while (time_ns() < end) {
		laps++;
	}
	thread_exit(0);
}

int cmd_spin(int argc, char **argv)
{
	unsigned long n, seconds, started = 0;
	uint64_t end;

	if (argc != 3 || !parse_count(argv[1], SPIN_MAX_THREADS, &n) ||
	    !parse_count(argv[2], SPIN_MAX_SECONDS, &seconds)) {
		return -EINVAL;
	}
	end = time_ns() + seconds * NSEC_PER_SEC;
	for (unsigned long i = 0; i < n; i++) {
		char name[THREAD_NAME_LEN];
		struct thread *t;

		ksnprintf(name, sizeof(name), "spin%lu", i);
		t = thread_create(spin_thread, (void *)(uintptr_t)end, name,
				  PRIO_LOW);
		if (!t) {
			break; /* thread_create said why */
		}
		thread_detach(t);
		started++;
	}
	kprintf("spin: %lu of %lu thread(s) at priority %d for %lu s\n",
		started, n, PRIO_LOW, seconds);
	return started == n ? 0 : -ENOMEM;
}
