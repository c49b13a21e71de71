/*
 * Host stand-ins for what the scheduler needs from a port and from the
 * time code (tests/unit/fake_sched.c), so kern/sched.c, thread.c,
 * runqueue.c, wait.c and mutex.c run for real in the unit binary:
 *
 *   - the context switch is swapcontext(3); each thread gets a heap stack;
 *     the test's own flow is thread "main";
 *   - time is a counter the tests move (fake_time_advance), and ktimers
 *     are a sorted list it expires, each expiry followed by the interrupt
 *     exit's sched_irq_exit(), as a timer interrupt would be;
 *   - the idle thread's arch_wait_for_interrupt() jumps the clock to the
 *     next timer (a tickless CPU); with no timer left every thread is
 *     blocked for ever, which fails the run loudly (abort).
 *
 * The real timer queue (kern/ktimer.c) is in the unit binary too, for its
 * own tests: fake_sched.c compiles the scheduler's sources with ktimer_*
 * and the clock renamed to the fakes, and a test that arms timers of its
 * own includes this header after kern/ktimer.h to get the same renames.
 * (Threads need no heap: each one's record lives at the top of its
 * stack.)
 */
#ifndef TESTS_UNIT_FAKE_SCHED_H
#define TESTS_UNIT_FAKE_SCHED_H

#include <stdint.h>

#include "kern/ktimer.h"

#define ktimer_init	    fake_ktimer_init
#define ktimer_start	    fake_ktimer_start
#define ktimer_cancel	    fake_ktimer_cancel
#define ktimer_cancel_async fake_ktimer_cancel
#define time_ns		    fake_time_ns
#define time_cycles	    fake_time_cycles
#define time_cycles_freq    fake_time_cycles_freq

void fake_ktimer_init(struct ktimer *t, ktimer_fn fn, void *data,
		      const char *name);
void fake_ktimer_start(struct ktimer *t, uint64_t deadline_ns,
		       uint64_t period_ns);
bool fake_ktimer_cancel(struct ktimer *t);
uint64_t fake_time_ns(void);
uint64_t fake_time_cycles(void);
uint64_t fake_time_cycles_freq(void);

/* A fresh scheduler: sched_init("main") on the test's own stack, time 0,
 * no timers; what the last test left behind is freed. */
void fake_sched_reset(void);
/* After the test: the scheduler looks "not running" again for others. */
void fake_sched_teardown(void);

/* The fake clock, in ns (time_ns() and time_cycles(), at 1 GHz). */
extern uint64_t fake_now_ns;
/* Move the clock on by ns, expiring timers on the way, each expiry then
 * the interrupt exit (which may switch threads). */
void fake_time_advance(uint64_t ns);
/*
 * SMP as the scheduler sees it (kern/smp.h renamed to these fakes in its
 * sources): the online mask (CPU 0 only after a reset) and the IPIs it
 * sent, counted per CPU. The host runs one CPU's threads; the other CPUs
 * exist only as state in sched_cpus[] that a test sets up.
 */
extern uint32_t fake_online_mask;
extern unsigned int fake_ipis[8];
/* Thread stacks allocated and not yet freed. */
unsigned int fake_stacks_live(void);
/* Timers queued now. */
unsigned int fake_timers_queued(void);

#endif
