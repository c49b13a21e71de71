/*
 * Kernel threads and the scheduler.
 *
 * Every flow of control is a thread with its own stack (guard page below,
 * kern/vm.h). Scheduling is preemptive and by priority: the highest
 * runnable priority runs; threads of equal priority share the CPU in time
 * slices (SCHED_SLICE_NS) driven by the timer. A thread made runnable by
 * an interrupt handler that outranks the interrupted one runs as soon as
 * the handler returns: the port calls irq_exit() (kern/irq.h) on the way
 * out of every interrupt, which calls sched_irq_exit().
 *
 * Each CPU has an idle thread (priority PRIO_IDLE; "idle" on CPU 0,
 * "idle/N" on the others) that halts it with no lost wake-up
 * (arch_wait_for_interrupt()).
 *
 * SMP (docs/threads.md "Many CPUs"): one run queue for every CPU; a wake
 * picks the CPU that should run the thread (an idle one, else the one
 * running the lowest priority below it) and sends it IPI_RESCHEDULE.
 * Threads migrate freely unless pinned (thread_set_cpus); a new thread
 * inherits its creator's allowed CPUs.
 *
 * Context rules, asserted: might_sleep() panics, naming the culprit, when
 * called in interrupt context, with a spinlock held (the lock is named) or
 * with interrupts off. Every blocking call below calls it.
 *
 * FP/SIMD: the kernel is built with -mgeneral-regs-only on both ports, so
 * no thread owns FP state and a switch saves none.
 */
#ifndef KERN_SCHED_H
#define KERN_SCHED_H

#include "kern/compiler.h"

#define PRIO_IDLE   0  /* the idle thread only */
#define PRIO_LOW    4  /* background work (spin) */
#define PRIO_NORMAL 8  /* the shell */
#define PRIO_HIGH   16 /* work queues */
#define PRIO_IRQ    24 /* threaded interrupt handlers */
#define NR_PRIO	    32

#define SCHED_SLICE_NS 10000000ull /* 10 ms */

#define THREAD_STACK_SIZE (16 * 1024)
#define THREAD_NAME_LEN	  24

enum thread_state {
	THREAD_RUNNING,	 /* on the CPU */
	THREAD_READY,	 /* on the run queue */
	THREAD_BLOCKED,	 /* waiting: see wait_what */
	THREAD_SLEEPING, /* waiting for a deadline only */
	THREAD_DEAD,	 /* exited, not yet joined */
};

typedef void (*thread_fn)(void *arg);

struct thread;

/* Create a runnable thread; NULL (and a message naming it) on failure. */
struct thread *thread_create(thread_fn fn, void *arg, const char *name,
			     int priority);
/* End the calling thread; its joiner gets code. */
__noreturn void thread_exit(int code);
/* Wait for t to exit, free it, return its code (from threads only). */
int thread_join(struct thread *t);
/* Nobody will join t: it is freed by itself once it has exited. */
void thread_detach(struct thread *t);

struct thread *thread_current(void);
const char *thread_name(const struct thread *t);
int thread_priority(const struct thread *t);
void thread_set_priority(struct thread *t, int priority);

/* Give the CPU to another ready thread of the same priority, if any. */
void thread_yield(void);
/* Block for at least ns / until the clock reaches deadline_ns. */
void thread_sleep_ns(uint64_t ns);
void thread_sleep_until(uint64_t deadline_ns);

/* The boot flow becomes the first thread (named name); creates idle. */
void sched_init(const char *name);
/* kernel_main() enabled interrupts for the first time: from now on
 * might_sleep() with interrupts off is a bug (before, it is the boot). */
void sched_boot_done(void);

/* Is the scheduler running (sched_init done)? */
bool sched_running(void);

/* From the port's interrupt exit (via irq_exit), interrupts off: switch
 * if a higher-priority thread became ready or the slice ran out. */
void sched_irq_exit(void);

/* Switch now if a wake asked for it and this context may (thread
 * context, no spinlock, interrupts on); else the next chance does. Called
 * by the wakers and by spin_unlock_irqrestore() when the last lock goes. */
void sched_preempt_check(void);

/* Panics naming the culprit if the caller may not sleep here. */
void might_sleep(const char *what);
/* The same, naming caller (a return address) as the culprit: blocking
 * functions pass (uintptr_t)__builtin_return_address(0). */
void might_sleep_from(const char *what, uintptr_t caller);
/* True where sleeping is allowed (thread context, no spinlock, irqs on). */
bool can_sleep(void);

/* The shell's `ps`. */
void sched_print_threads(void);

/* For reports (exceptions, panics): the thread's stack bounds. */
bool thread_stack_of(const struct thread *t, uintptr_t *base, uintptr_t *top);
/* The thread whose stack (or its guard page below) holds addr, or NULL:
 * to name the thread in a stack-overflow report. */
struct thread *thread_by_stack_addr(uintptr_t addr);
/* Thread id (1 = main), CPU time in clocksource cycles, switches to it. */
unsigned int thread_id(const struct thread *t);
uint64_t thread_cpu_cycles(const struct thread *t);
/* The idle thread's CPU time in clocksource cycles; 0 before sched_init.
 * sched_idle_cycles() is the boot CPU's (CPU 0); per CPU below. */
uint64_t sched_idle_cycles(void);
uint64_t sched_cpu_idle_cycles(unsigned int cpu);
/* The CPU t runs on, or last ran on (ps); its creator's if it never ran. */
unsigned int thread_cpu(const struct thread *t);

/*
 * SMP (kern/smp.h). On the boot CPU, before arch_cpu_start(cpu): create
 * CPU cpu's idle thread ("idle/N") with its guarded stack; returns the
 * stack top the new CPU starts on, or 0 (said) if there is no memory.
 * On the new CPU, at the end of smp_secondary_main(): become that idle
 * thread (interrupts go on there) and never return.
 */
uintptr_t sched_cpu_prepare(unsigned int cpu);
/*
 * Let t run only on the CPUs in mask (a cpumask_t; 0 or no online CPU in
 * it: -EINVAL). A ready thread moves at its next pick; the calling thread
 * itself is moved before this returns. Tests and benches pin threads with
 * it. 0 on success.
 */
int thread_set_cpus(struct thread *t, uint32_t mask);
__noreturn void sched_cpu_idle(void);
unsigned long thread_switches(const struct thread *t);

#endif
