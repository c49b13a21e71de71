/*
 * Threads: creation, the first run, exit, join, and `ps`. The boot flow
 * becomes thread "main" on its boot stack; the idle thread halts the CPU
 * whenever nothing else is ready. See kern/sched.h.
 */
#include "kern/errno.h"
#include "kern/irqflags.h"
#include "kern/ktimer.h"
#include "kern/mm.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/sched_priv.h"
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
	struct thread *t = current_thread;

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

static void thread_setup(struct thread *t, const char *name, int priority)
{
	size_t len = strnlen(name, THREAD_NAME_LEN - 1);
	unsigned long flags;

	memcpy(t->name, name, len);
	t->name[len] = '\0';
	t->prio = t->base_prio = priority;
	completion_init(&t->exited, "join");
	flags = spin_lock_irqsave(&rq_lock);
	t->id = next_id++;
	t->all_next = all_threads;
	all_threads = t;
	spin_unlock_irqrestore(&rq_lock, flags);
}

static struct thread *thread_new(thread_fn fn, void *arg, const char *name,
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
	sched_enqueue_new(t);
	return t;
}

struct thread *thread_create(thread_fn fn, void *arg, const char *name,
			     int priority)
{
	struct thread *t;

	if (!current_thread) {
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
	struct thread *cur = current_thread;

	if (cur == &main_thread || cur == idle_thread) {
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

int thread_join(struct thread *t)
{
	int code;

	might_sleep_from("thread_join", (uintptr_t)__builtin_return_address(0));
	if (t == current_thread || t->detached) {
		panic("thread_join %s: %s", t->name,
		      t->detached ? "detached" : "joining itself");
	}
	wait_for_completion_timeout(&t->exited, WAIT_FOREVER);
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
 * Idle: with interrupts off, look for work; none, then enable and halt
 * as one step (arch_wait_for_interrupt), so a wake-up by an interrupt
 * between the check and the halt ends the halt instead of being lost.
 * The interrupt's exit path switches to the woken thread directly.
 */
static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		reap_zombies();
		arch_irq_disable();
		if (rq.count == 0 && !boot_done) {
			/* Halting would let interrupts in before the boot set
			 * every controller up, and none could be expected. */
			panic("idle: the boot blocked with interrupts off; "
			      "nothing can wake it");
		}
		if (rq.count == 0) {
			arch_wait_for_interrupt();
		}
		arch_irq_enable();
		thread_yield();
	}
}

void sched_init(const char *name)
{
	struct thread *t = &main_thread;

	/* Once in the kernel; per test on the host (a fresh start). */
	memset(t, 0, sizeof(*t));
	all_threads = NULL;
	zombies = NULL;
	rq_init(&rq);
	sched_slice_init();
	t->boot_stack = true;
	t->stack.top = (uintptr_t)boot_stack_top;
	t->stack.base = t->stack.top - THREAD_STACK_SIZE;
	thread_setup(t, name, PRIO_NORMAL);
	t->state = THREAD_RUNNING;
	t->run_start = time_cycles();
	current_thread = t;
	idle_thread = thread_new(idle_loop, NULL, "idle", PRIO_IDLE);
	if (!idle_thread) {
		panic("sched_init: no idle thread");
	}
}

const char *thread_name(const struct thread *t)
{
	return t ? t->name : "boot";
}

uint64_t sched_idle_cycles(void)
{
	return idle_thread ? thread_cpu_cycles(idle_thread) : 0;
}

unsigned int thread_id(const struct thread *t)
{
	return t ? t->id : 0;
}

uint64_t thread_cpu_cycles(const struct thread *t)
{
	uint64_t c = t->cpu_cycles;

	if (t == current_thread) {
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
			rows[n] = (struct ps_row){
			    t->id,	 "",	       t->state,
			    t->prio,	 t->base_prio, thread_cpu_cycles(t),
			    t->switches, t->waits_on};
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

	kprintf("  ID NAME                 STATE    PRIO   CPU-MS  SWITCHES "
		"WAITS-ON\n");
	/* Oldest first: the list is newest first. */
	for (unsigned int i = n; i-- > 0;) {
		const struct ps_row *r = &rows[i];
		unsigned long long ms =
		    freq ? (unsigned long long)(r->cycles / (freq / 1000 ?: 1))
			 : 0;

		kprintf("%4u %-20s %-8s %2d/%-2d %8llu %9lu %s\n", r->id,
			r->name, state_names[r->state], r->prio, r->base_prio,
			ms, r->switches, r->waits_on ? r->waits_on : "-");
	}
	if (total > n) {
		kprintf("(%u more threads not shown)\n", total - n);
	}
	mutex_unlock(&rows_lock);
}

/* STUB (issue 11 contract): one CPU. */
uint64_t sched_cpu_idle_cycles(unsigned int cpu)
{
	return cpu == 0 ? sched_idle_cycles() : 0;
}

unsigned int thread_cpu(const struct thread *t)
{
	(void)t;
	return 0;
}

uintptr_t sched_cpu_prepare(unsigned int cpu)
{
	(void)cpu;
	return 0;
}

void sched_cpu_idle(void)
{
	panic("sched_cpu_idle: stub");
}

int thread_set_cpus(struct thread *t, uint32_t mask)
{
	(void)t;
	return mask & 1u ? 0 : -EINVAL;
}
