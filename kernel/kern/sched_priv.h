/*
 * The scheduler's own view of a thread, shared by kern/sched.c (threads,
 * switching), kern/runqueue.c (who runs next), kern/wait.c and
 * kern/mutex.c (blocking). Nothing outside these files looks inside.
 */
#ifndef KERN_SCHED_PRIV_H
#define KERN_SCHED_PRIV_H

#include "kern/arch_thread.h"
#include "kern/irq.h" /* NR_CPUS */
#include "kern/ktimer.h"
#include "kern/sched.h"
#include "kern/vm.h"
#include "kern/wait.h"

struct mutex;

struct thread {
	struct arch_context ctx;
	unsigned int id;
	char name[THREAD_NAME_LEN];
	enum thread_state state;
	int prio;      /* effective: base or inherited (mutexes), the higher */
	int base_prio; /* as created or set */
	struct thread *rq_next;	 /* run queue link (READY only) */
	struct thread *all_next; /* every thread, for `ps` */

	struct vm_stack stack; /* usable: top is this record's address */
	uintptr_t stack_end;   /* the allocation's top, for vm_stack_free */
	bool boot_stack;       /* "main": the boot stack, never freed */
	thread_fn fn;
	void *arg;

	uint64_t cpu_cycles;	/* time on the CPU, clocksource cycles */
	uint64_t run_start;	/* when it last got the CPU */
	unsigned long switches; /* times it was switched to */
	uint64_t slice_end_ns;	/* while running with a slice armed */
	uint64_t slice_left_ns; /* kept when a higher priority preempted */
	const char *waits_on;	/* wait queue name while BLOCKED/SLEEPING */

	struct mutex *held;	  /* mutexes it owns (PI), via held_next */
	struct mutex *blocked_on; /* the mutex it waits for (PI chains) */

	unsigned int cpu; /* runs on, or last ran on (rq_lock) */
	bool ran;	  /* has run at least once (ps: CPU '-' before) */
	uint32_t allowed; /* CPUs it may run on (cpumask_t, rq_lock) */

	int exit_code;
	bool detached; /* freed at exit, nobody joins */
	struct completion exited;
};

/* The run queue: one FIFO per priority and a bitmap of non-empty ones. */
struct runqueue {
	struct thread *head[NR_PRIO], *tail[NR_PRIO];
	uint32_t bitmap;
	unsigned int count;
};

void rq_init(struct runqueue *rq);
void rq_push_tail(struct runqueue *rq, struct thread *t);
void rq_push_head(struct runqueue *rq, struct thread *t);
/* The first thread of the highest priority, removed; NULL if empty. */
struct thread *rq_pop(struct runqueue *rq);
/* The first thread allowed on cpu of the highest priority that has one,
 * removed; NULL if none. */
struct thread *rq_pop_cpu(struct runqueue *rq, unsigned int cpu);

/*
 * Where a woken thread should run (pure; host-tested). For each CPU:
 * active (scheduling), idle (running its idle thread), kicked (its
 * need_resched already set: it will pick from the queue anyway, so it
 * counts as taken) and the priority it runs. The choice: an idle CPU of
 * allowed that is not kicked, the thread's last CPU first, then self,
 * then the lowest number; else the non-kicked allowed CPU running the
 * lowest priority below prio (last CPU, then self, on ties); else -1.
 */
struct sched_cpu_view {
	bool active, idle, kicked;
	int prio;
};
int sched_choose_cpu(const struct sched_cpu_view *v, unsigned int ncpu,
		     uint32_t allowed, int prio, unsigned int last,
		     unsigned int self);
/* Remove t (READY somewhere in rq); false if it was not there. */
bool rq_remove(struct runqueue *rq, struct thread *t);
/* The highest priority with a ready thread, or -1. */
int rq_top_prio(const struct runqueue *rq);
bool rq_has_prio(const struct runqueue *rq, int prio);

/*
 * Blocking, for wait.c. Called with held locked (taken with
 * spin_lock_irqsave, which returned flags): marks the current thread
 * state (BLOCKED/SLEEPING, waiting on what), releases held, switches
 * away; returns when woken, interrupts restored to flags.
 */
void sched_block(struct spinlock *held, unsigned long flags,
		 enum thread_state state, const char *what);
/* Make a BLOCKED/SLEEPING thread ready; false if it was not waiting.
 * Callable from interrupt handlers, with any lock held. */
bool sched_wake(struct thread *t);
/* Set t's effective priority (PI boost/unboost), requeueing it. */
void sched_set_effective_prio(struct thread *t, int prio);

/* kern/sched.c's state and steps, for kern/thread.c. Per CPU, indexed
 * by arch_cpu_id() and read with interrupts off (a thread may migrate
 * whenever they are on); every field under rq_lock but need_resched,
 * which the CPU itself also reads without it (a hint: set under the lock,
 * acted on under it). */
struct sched_cpu {
	struct thread *curr; /* running here (NULL: not scheduling yet) */
	struct thread *idle; /* "idle" (CPU 0), "idle/N" */
	bool need_resched;   /* switch at the next chance */
	bool slice_expired;  /* curr goes behind its equals */
	bool slice_armed;    /* slice_timer is set for curr */
	bool started;	     /* idle became current (sched_cpu_idle) */
	struct ktimer slice_timer;
};
extern struct spinlock rq_lock;
extern struct runqueue rq;
extern struct sched_cpu sched_cpus[NR_CPUS];
extern bool sched_started;
/* The calling CPU's entry: interrupts off (or rq_lock held). */
struct sched_cpu *sched_this_cpu(void);
void sched_slice_init(void);
/* rq_lock held: t became ready (queued): kick the CPU that should run
 * it, or arm a slice among its equals (sched_choose_cpu). */
void sched_note_ready(struct thread *t);
/* rq_lock held: CPU cpu switches at its next chance (IPI if remote). */
void sched_resched_cpu(unsigned int cpu);
/* rq_lock held: switch to the best ready thread (maybe prev again). */
void sched_switch_locked(bool preempted);
/* Put a new thread on the run queue. */
void sched_enqueue_new(struct thread *t);

/* The one wait loop (kern/wait.c) that every blocking call uses. */
struct wait_args {
	bool (*cond)(void *arg); /* NULL: wait for the deadline only */
	void *arg;
	uint64_t deadline_ns; /* absolute (time_ns()), or WAIT_FOREVER */
	enum thread_state state;
	/* Under the queue's lock, just before each sleep (mutex PI). */
	void (*before_sleep)(void *arg);
};
int wait_core(struct wait_queue *wq, const struct wait_args *a);
/* Wake the first (or every) waiter; wq->lock held. Returns how many. */
unsigned int wake_locked(struct wait_queue *wq, bool all);
/* The thread wake_locked() would wake first (wq->lock held), or NULL. */
struct thread *wait_first_thread(const struct wait_queue *wq);
/* The highest priority among wq's waiters (wq->lock held), or -1. */
int wait_top_prio(const struct wait_queue *wq);
/* The deadline timeout_ns from now, WAIT_FOREVER staying so. */
uint64_t wait_deadline(uint64_t timeout_ns);
/* The inherited priority a mutex owner gets from its waiters, or -1. */
int mutex_inherited_prio(struct thread *t);

/* kernel_main() has enabled interrupts (sched_boot_done()). Before, a
 * thread that runs (only if the boot blocks on it) keeps them off. */
extern bool boot_done;

#endif
