/*
 * Threads: creation, the first run, exit, join, pinning, and `ps`. The
 * boot flow becomes thread "main" on its boot stack; each CPU has an idle
 * thread ("idle" on CPU 0, "idle/N" on the others) that halts it whenever
 * nothing else is ready for it. See kern/sched.h.
 */
#include "kern/arch.h"
#include "kern/errno.h"
#include "kern/irqflags.h"
#include "kern/ktimer.h"
#include "kern/mm.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/sched_priv.h"
#include "kern/smp.h"
#include "kern/string.h"

/* Both ports' boot.S reserve THREAD_STACK_SIZE bytes below this. */
extern char boot_stack_top[];

#define ALIGN_DOWN_16(x) ((x) & ~(uintptr_t)15)

static struct thread main_thread;
static struct thread *all_threads; /* rq_lock */
static struct thread *zombies;	   /* detached and dead, rq_lock */
static unsigned int next_id = 1;

/* Every thread's first instructions: the switch that got here holds
 * rq_lock with interrupts off, for this thread to release. */
static void thread_start(void)
{
	struct thread *t = sched_this_cpu()->curr;

	spin_unlock_irqrestore(&rq_lock, arch_irq_save());
	/* During boot interrupts stay off until kernel_main turns them on:
	 * a thread the boot waits for (a join on an error path) runs so. */
	if (boot_done) {
		arch_irq_enable();
	}
	t->fn(t->arg);
	thread_exit(0);
}

static void thread_unlink(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);

	for (struct thread **pp = &all_threads; *pp; pp = &(*pp)->all_next) {
		if (*pp == t) {
			*pp = t->all_next;
			break;
		}
	}
	spin_unlock_irqrestore(&rq_lock, flags);
}

/* The thread lives in its stack's allocation: copy the bounds out. */
static void thread_free(struct thread *t)
{
	struct vm_stack st = t->stack;

	thread_unlink(t);
	st.top = t->stack_end;
	vm_stack_free(&st);
}

/* Free detached threads that have exited (they are off the CPU: each
 * was queued here just before its last switch, under rq_lock). */
static void reap_zombies(void)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);
	struct thread *z = zombies;

	zombies = NULL;
	spin_unlock_irqrestore(&rq_lock, flags);
	while (z) {
		struct thread *next = z->rq_next;

		thread_free(z);
		z = next;
	}
}

/* A new thread runs where its creator may (so a pinned test's threads
 * stay with it), starting from the creator's CPU. */
static void thread_setup(struct thread *t, const char *name, int priority)
{
	size_t len = strnlen(name, THREAD_NAME_LEN - 1);
	unsigned long flags;

	memcpy(t->name, name, len);
	t->name[len] = '\0';
	t->prio = t->base_prio = priority;
	completion_init(&t->exited, "join");
	flags = spin_lock_irqsave(&rq_lock);
	{
		struct thread *creator = sched_this_cpu()->curr;
		bool idle = creator && creator == sched_this_cpu()->idle;

		t->allowed =
		    creator && !idle ? creator->allowed : (uint32_t)CPUMASK_ALL;
		t->cpu = arch_cpu_id();
	}
	t->id = next_id++;
	t->all_next = all_threads;
	all_threads = t;
	spin_unlock_irqrestore(&rq_lock, flags);
}

/* A stack with the thread's record at its top, set up (not queued). */
static struct thread *thread_alloc(thread_fn fn, void *arg, const char *name,
				   int priority)
{
	struct vm_stack st;
	struct thread *t;

	reap_zombies();
	if (vm_stack_alloc(THREAD_STACK_SIZE, &st)) {
		kprintf("thread_create %s: no memory for a %u-byte stack\n",
			name, THREAD_STACK_SIZE);
		return NULL;
	}
	/*
	 * The thread's own record sits at the top of its stack, above the
	 * first frame: one allocation, and an overflow (downwards, into the
	 * guard page) never reaches it.
	 */
	t = (struct thread *)ALIGN_DOWN_16(st.top - sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->stack = st;
	t->stack_end = st.top;
	t->stack.top = (uintptr_t)t;
	t->fn = fn;
	t->arg = arg;
	arch_thread_init(&t->ctx, t->stack.top, thread_start);
	thread_setup(t, name, priority);
	return t;
}

static struct thread *thread_new(thread_fn fn, void *arg, const char *name,
				 int priority)
{
	struct thread *t = thread_alloc(fn, arg, name, priority);

	if (t) {
		sched_enqueue_new(t);
	}
	return t;
}

struct thread *thread_create(thread_fn fn, void *arg, const char *name,
			     int priority)
{
	struct thread *t;

	if (!sched_running()) {
		kprintf("thread_create %s: the scheduler is not running\n",
			name);
		return NULL;
	}
	if (priority <= PRIO_IDLE || priority >= NR_PRIO) {
		kprintf("thread_create %s: priority %d out of range\n", name,
			priority);
		return NULL;
	}
	t = thread_new(fn, arg, name, priority);
	if (t) {
		sched_preempt_check();
	}
	return t;
}

void thread_exit(int code)
{
	struct thread *cur = thread_current();

	if (cur == &main_thread || cur->prio == PRIO_IDLE) {
		panic("thread_exit: thread %s may not exit", cur->name);
	}
	cur->exit_code = code;
	/* Interrupts off until the switch: the joiner, woken here, runs
	 * (and frees this stack) only once we are off it. */
	arch_irq_disable();
	complete_all(&cur->exited);
	spin_lock_irqsave(&rq_lock);
	cur->state = THREAD_DEAD;
	if (cur->detached) {
		cur->rq_next = zombies;
		zombies = cur;
	}
	sched_switch_locked(false);
	panic("thread_exit: dead thread %s ran again", cur->name);
}

/*
 * The exit completes before the dying thread is off its CPU (it still
 * runs on its stack, interrupts off, until its last switch): on SMP the
 * joiner can get here first, on another CPU. DEAD is set under rq_lock,
 * which that switch holds until the next thread runs: seeing DEAD under
 * the lock means the stack is no longer in use. The window is a few
 * instructions with interrupts off; the wait is bounded all the same.
 */
#define OFF_CPU_SPINS 100000000ul

static void wait_off_cpu(struct thread *t)
{
	for (unsigned long i = 0; i < OFF_CPU_SPINS; i++) {
		unsigned long flags = spin_lock_irqsave(&rq_lock);
		bool dead = t->state == THREAD_DEAD;

		spin_unlock_irqrestore(&rq_lock, flags);
		if (dead) {
			return;
		}
		arch_cpu_relax();
	}
	panic("thread_join %s: exited but never left its CPU", t->name);
}

int thread_join(struct thread *t)
{
	int code;

	might_sleep_from("thread_join", (uintptr_t)__builtin_return_address(0));
	if (t == thread_current() || t->detached) {
		panic("thread_join %s: %s", t->name,
		      t->detached ? "detached" : "joining itself");
	}
	wait_for_completion_timeout(&t->exited, WAIT_FOREVER);
	wait_off_cpu(t);
	code = t->exit_code;
	thread_free(t);
	return code;
}

void thread_detach(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);

	t->detached = true;
	if (t->state == THREAD_DEAD) {
		t->rq_next = zombies;
		zombies = t;
	}
	spin_unlock_irqrestore(&rq_lock, flags);
}

/*
 * Idle, one per CPU: with interrupts off, look whether this CPU was asked
 * to switch (a wake picked it: need_resched); not, then enable and halt
 * as one step (arch_wait_for_interrupt), so a wake between the check and
 * the halt ends the halt instead of being lost: a wake from this CPU's
 * interrupt switches on that interrupt's exit; one from another CPU
 * sends IPI_RESCHEDULE, which is such an interrupt. Then schedule: with
 * one queue, a CPU that goes idle takes whatever is ready for it at once.
 */
static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned long flags;

		reap_zombies();
		arch_irq_disable();
		if (!READ_ONCE(sched_this_cpu()->need_resched)) {
			if (!boot_done) {
				/* Halting would let interrupts in before the
				 * boot set every controller up, and none could
				 * be expected. */
				panic("idle: the boot blocked with interrupts "
				      "off; nothing can wake it");
			}
			arch_wait_for_interrupt();
		}
		flags = spin_lock_irqsave(&rq_lock);
		sched_switch_locked(false);
		spin_unlock_irqrestore(&rq_lock, flags);
		arch_irq_enable();
	}
}

/* The idle thread of a CPU: off the run queue, picked when nothing is
 * ready there, allowed on that CPU only. */
static struct thread *idle_create(unsigned int cpu, const char *name)
{
	struct thread *t = thread_alloc(idle_loop, NULL, name, PRIO_IDLE);

	if (t) {
		t->allowed = CPUMASK_CPU(cpu);
		t->cpu = cpu;
		t->state = THREAD_READY;
	}
	return t;
}

void sched_init(const char *name)
{
	struct thread *t = &main_thread;
	struct sched_cpu *c = &sched_cpus[0];

	/* Once in the kernel; per test on the host (a fresh start). */
	memset(t, 0, sizeof(*t));
	memset(sched_cpus, 0, sizeof(sched_cpus));
	all_threads = NULL;
	zombies = NULL;
	rq_init(&rq);
	sched_slice_init();
	t->boot_stack = true;
	t->stack.top = (uintptr_t)boot_stack_top;
	t->stack.base = t->stack.top - THREAD_STACK_SIZE;
	thread_setup(t, name, PRIO_NORMAL);
	t->allowed = (uint32_t)CPUMASK_ALL;
	t->cpu = arch_cpu_id();
	t->ran = true;
	t->state = THREAD_RUNNING;
	t->run_start = time_cycles();
	c->curr = t;
	c->started = true;
	c->idle = idle_create(0, "idle");
	if (!c->idle) {
		panic("sched_init: no idle thread");
	}
	WRITE_ONCE(sched_started, true);
}

const char *thread_name(const struct thread *t)
{
	return t ? t->name : "boot";
}

uint64_t sched_idle_cycles(void)
{
	return sched_cpu_idle_cycles(0);
}

unsigned int thread_id(const struct thread *t)
{
	return t ? t->id : 0;
}

uint64_t thread_cpu_cycles(const struct thread *t)
{
	uint64_t c = t->cpu_cycles;

	if (t->state == THREAD_RUNNING) { /* on some CPU since run_start */
		c += time_cycles() - t->run_start;
	}
	return c;
}

unsigned long thread_switches(const struct thread *t)
{
	return t->switches;
}

bool thread_stack_of(const struct thread *t, uintptr_t *base, uintptr_t *top)
{
	if (!t) {
		return false;
	}
	*base = t->stack.base;
	*top = t->stack.top;
	return true;
}

struct thread *thread_by_stack_addr(uintptr_t addr)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);
	struct thread *found = NULL;

	for (struct thread *t = all_threads; t && !found; t = t->all_next) {
		uintptr_t low =
		    t->stack.guard ? t->stack.guard : t->stack.base - PAGE_SIZE;

		if (addr >= low && addr < t->stack.top) {
			found = t;
		}
	}
	spin_unlock_irqrestore(&rq_lock, flags);
	return found;
}

static const char *const state_names[] = {
    [THREAD_RUNNING] = "running", [THREAD_READY] = "ready",
    [THREAD_BLOCKED] = "blocked", [THREAD_SLEEPING] = "sleeping",
    [THREAD_DEAD] = "dead",
};

#define PS_MAX 64

struct ps_row {
	unsigned int id;
	char name[THREAD_NAME_LEN];
	enum thread_state state;
	int prio, base_prio;
	int cpu; /* -1: never ran */
	uint64_t cycles;
	unsigned long switches;
	const char *waits_on;
};

/* Copied under the lock, printed after: printing is slow, and a thread
 * may exit (and be freed) meanwhile. */
static unsigned int ps_snapshot(struct ps_row *rows, unsigned int *total)
{
	unsigned long flags = spin_lock_irqsave(&rq_lock);
	unsigned int n = 0;

	*total = 0;
	for (struct thread *t = all_threads; t; t = t->all_next) {
		if (n < PS_MAX) {
			rows[n] = (struct ps_row){t->id,
						  "",
						  t->state,
						  t->prio,
						  t->base_prio,
						  t->ran ? (int)t->cpu : -1,
						  thread_cpu_cycles(t),
						  t->switches,
						  t->waits_on};
			memcpy(rows[n].name, t->name, THREAD_NAME_LEN);
			n++;
		}
		(*total)++;
	}
	spin_unlock_irqrestore(&rq_lock, flags);
	return n;
}

void sched_print_threads(void)
{
	/* One table, not on a 16 KiB stack; the shell's ps and pslater's
	 * thread may print at once, so it is taken in turn. */
	static struct ps_row rows[PS_MAX];
	static struct mutex rows_lock = MUTEX_INIT("ps table");
	uint64_t freq = time_cycles_freq();
	unsigned int total, n;

	mutex_lock(&rows_lock);
	n = ps_snapshot(rows, &total);

	kprintf(
	    "  ID NAME                 STATE    CPU PRIO   CPU-MS  SWITCHES "
	    "WAITS-ON\n");
	/* Oldest first: the list is newest first. */
	for (unsigned int i = n; i-- > 0;) {
		const struct ps_row *r = &rows[i];
		unsigned long long ms =
		    freq ? (unsigned long long)(r->cycles / (freq / 1000 ?: 1))
			 : 0;

		char cpu[8] = "-";

		if (r->cpu >= 0) {
			ksnprintf(cpu, sizeof(cpu), "%d", r->cpu);
		}
		kprintf("%4u %-20s %-8s %3s %2d/%-2d %8llu %9lu %s\n", r->id,
			r->name, state_names[r->state], cpu, r->prio,
			r->base_prio, ms, r->switches,
			r->waits_on ? r->waits_on : "-");
	}
	if (total > n) {
		kprintf("(%u more threads not shown)\n", total - n);
	}
	mutex_unlock(&rows_lock);
}

uint64_t sched_cpu_idle_cycles(unsigned int cpu)
{
	uint64_t c = 0;
	unsigned long flags;

	if (cpu >= NR_CPUS || !sched_running()) {
		return 0;
	}
	flags = spin_lock_irqsave(&rq_lock);
	if (sched_cpus[cpu].idle) {
		c = thread_cpu_cycles(sched_cpus[cpu].idle);
	}
	spin_unlock_irqrestore(&rq_lock, flags);
	return c;
}

uintptr_t sched_cpu_prepare(unsigned int cpu)
{
	char name[THREAD_NAME_LEN];
	struct sched_cpu *c;

	if (cpu == 0 || cpu >= NR_CPUS || !sched_running()) {
		kprintf("sched: no idle thread for CPU %u (0 is the boot's, "
			"at most %u)\n",
			cpu, NR_CPUS);
		return 0;
	}
	c = &sched_cpus[cpu];
	if (c->started) {
		kprintf("sched: CPU %u is running already\n", cpu);
		return 0;
	}
	if (!c->idle) { /* a retry reuses the one made before */
		ksnprintf(name, sizeof(name), "idle/%u", cpu);
		c->idle = idle_create(cpu, name);
		if (!c->idle) {
			return 0; /* thread_create said why */
		}
	}
	return c->idle->stack.top;
}

/*
 * The new CPU's flow becomes its idle thread (as the boot's became
 * "main"): on the stack sched_cpu_prepare() gave, so no first frame is
 * needed; its context is saved by its first switch away.
 */
void sched_cpu_idle(void)
{
	unsigned int cpu = arch_cpu_id();
	struct sched_cpu *c = &sched_cpus[cpu % NR_CPUS];
	unsigned long flags;

	arch_irq_disable();
	if (cpu >= NR_CPUS || !c->idle || c->started) {
		panic("sched_cpu_idle: CPU %u has no idle thread to become",
		      cpu);
	}
	flags = spin_lock_irqsave(&rq_lock);
	c->idle->state = THREAD_RUNNING;
	c->idle->ran = true;
	c->idle->run_start = time_cycles();
	c->curr = c->idle;
	c->started = true;
	c->need_resched = true; /* look at the queue at once */
	spin_unlock_irqrestore(&rq_lock, flags);
	(void)flags;
	arch_irq_enable();
	idle_loop(NULL);
	panic("sched_cpu_idle: idle returned");
}

/* rq_lock held: t may no longer run where it is, or may run elsewhere. */
static void set_cpus_locked(struct thread *t, uint32_t mask)
{
	t->allowed = mask;
	if (t->state == THREAD_READY && t != sched_cpus[t->cpu].idle) {
		/* Queued: its next pick honours the mask; kick a CPU that
		 * may take it now (an idle one of the new set). */
		sched_note_ready(t);
	} else if (t->state == THREAD_RUNNING && !(mask & (1u << t->cpu))) {
		sched_resched_cpu(t->cpu);
	}
}

int thread_set_cpus(struct thread *t, uint32_t mask)
{
	unsigned long flags;

	if (!t || !(mask & cpu_online_mask()) || t->prio == PRIO_IDLE) {
		return -EINVAL;
	}
	if (t == thread_current()) {
		might_sleep_from("thread_set_cpus",
				 (uintptr_t)__builtin_return_address(0));
	}
	flags = spin_lock_irqsave(&rq_lock);
	set_cpus_locked(t, mask & (uint32_t)CPUMASK_ALL);
	spin_unlock_irqrestore(&rq_lock, flags);
	/* Ourselves: need_resched was set, and the unlock switched away (we
	 * continue on a CPU of mask); this is for a wake that raced it. */
	if (t == thread_current()) {
		sched_preempt_check();
	}
	return 0;
}
