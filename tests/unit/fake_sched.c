/*
 * The scheduler's port and time on the host: swapcontext for the switch,
 * a test-driven clock and timer list. See fake_sched.h.
 *
 * The scheduler itself is compiled here, its calls to the timer queue and
 * the clock renamed (fake_sched.h) to this file's fakes, so that the real
 * queue (kern/ktimer.c, tested in test_ktimer.c) can share the binary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "fake_sched.h"

#include "kern/vm.h"
#define vm_stack_alloc fake_vm_stack_alloc
#define vm_stack_free  fake_vm_stack_free
int fake_vm_stack_alloc(size_t size, struct vm_stack *st);
void fake_vm_stack_free(struct vm_stack *st);

#include "kern/smp.h"
#define ipi_send	fake_ipi_send
#define cpu_online_mask fake_cpu_online_mask
void fake_ipi_send(unsigned int cpu, enum ipi_kind kind);
cpumask_t fake_cpu_online_mask(void);

#include "kern/mutex.c"
#include "kern/runqueue.c"
#include "kern/sched.c"
#include "kern/thread.c"
#include "kern/wait.c"

#include "kern/arch_thread.h"
#include "kern/irqflags.h"
#include "kern/sched.h"
#include "kern/spinlock.h"
#include "kern/vm.h"
#include "kern/sched_priv.h"
#include "fake_arch.h"

#define FAKE_STACK  (256 * 1024) /* ASan frames are big */
#define FAKE_ALLOCS 256

uint64_t fake_now_ns;
uint32_t fake_online_mask = 1;
unsigned int fake_ipis[8];

void fake_ipi_send(unsigned int cpu, enum ipi_kind kind)
{
	if (cpu < 8 && kind == IPI_RESCHEDULE) {
		fake_ipis[cpu]++;
	}
}

cpumask_t fake_cpu_online_mask(void)
{
	return fake_online_mask;
}
char boot_stack_top[16]; /* "main"'s stack bounds: only printed */

static struct ktimer *timers;
static void *allocs[FAKE_ALLOCS]; /* live, freed by the next reset */
static ucontext_t main_uc;

extern void (*fake_wfi_hook)(void);

static void track(void *p)
{
	for (int i = 0; i < FAKE_ALLOCS; i++) {
		if (!allocs[i]) {
			allocs[i] = p;
			return;
		}
	}
	fprintf(stderr, "fake_sched: more than %d live allocations\n",
		FAKE_ALLOCS);
	abort();
}

static void untrack(void *p)
{
	for (int i = 0; i < FAKE_ALLOCS; i++) {
		if (allocs[i] == p) {
			allocs[i] = NULL;
			return;
		}
	}
}

int vm_stack_alloc(size_t size, struct vm_stack *st)
{
	/* The stack and, at its bottom, the ucontext arch_thread_init uses. */
	uint8_t *p = malloc(FAKE_STACK + sizeof(ucontext_t));

	(void)size;
	track(p);
	st->guard = 0;
	st->base = (uintptr_t)p + sizeof(ucontext_t);
	st->top = st->base + FAKE_STACK;
	return 0;
}

void vm_stack_free(struct vm_stack *st)
{
	void *p = (void *)(st->base - sizeof(ucontext_t));

	untrack(p);
	free(p);
}

/* --- the switch --------------------------------------------------------- */

/* The ucontext sits below the stack of the allocation holding top. */
static ucontext_t *context_of(uintptr_t top)
{
	for (int i = 0; i < FAKE_ALLOCS; i++) {
		uintptr_t p = (uintptr_t)allocs[i];

		if (p && top > p &&
		    top <= p + sizeof(ucontext_t) + FAKE_STACK) {
			return (ucontext_t *)p;
		}
	}
	fprintf(stderr, "fake_sched: a thread on no fake stack\n");
	abort();
}

void arch_thread_init(struct arch_context *ctx, uintptr_t top,
		      void (*entry)(void))
{
	ucontext_t *uc = context_of(top);
	uintptr_t base = (uintptr_t)uc + sizeof(ucontext_t);

	getcontext(uc);
	uc->uc_stack.ss_sp = (void *)base;
	uc->uc_stack.ss_size = top - base;
	uc->uc_link = NULL;
	makecontext(uc, entry, 0);
	ctx->sp = (uintptr_t)uc;
}

void arch_context_switch(struct arch_context *from, struct arch_context *to)
{
	if (!from->sp) {
		from->sp = (uintptr_t)&main_uc; /* the test's own flow */
	}
	swapcontext((ucontext_t *)from->sp, (ucontext_t *)to->sp);
}

/* --- time and timers ---------------------------------------------------- */

uint64_t time_ns(void)
{
	return fake_now_ns;
}

uint64_t time_cycles(void)
{
	return fake_now_ns;
}

uint64_t time_cycles_freq(void)
{
	return NSEC_PER_SEC;
}

void ktimer_init(struct ktimer *t, ktimer_fn fn, void *data, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->data = data;
	t->name = name;
}

static void unlink_timer(struct ktimer *t)
{
	for (struct ktimer **pp = &timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->queued = false;
			return;
		}
	}
}

bool ktimer_cancel(struct ktimer *t)
{
	bool was = t->queued;

	unlink_timer(t);
	return was;
}

void ktimer_start(struct ktimer *t, uint64_t deadline, uint64_t period)
{
	struct ktimer **pp = &timers;

	unlink_timer(t);
	t->deadline_ns = deadline;
	t->period_ns = period;
	while (*pp && (*pp)->deadline_ns <= deadline) {
		pp = &(*pp)->next;
	}
	t->next = *pp;
	*pp = t;
	t->queued = true;
}

unsigned int fake_stacks_live(void)
{
	unsigned int n = 0;

	for (int i = 0; i < FAKE_ALLOCS; i++) {
		n += allocs[i] != NULL;
	}
	return n;
}

unsigned int fake_timers_queued(void)
{
	unsigned int n = 0;

	for (struct ktimer *t = timers; t; t = t->next) {
		n++;
	}
	return n;
}

/* One timer "interrupt": every timer due, then the interrupt's exit. */
static void timer_interrupt(void)
{
	unsigned long flags = arch_irq_save();

	while (timers && timers->deadline_ns <= fake_now_ns) {
		struct ktimer *t = timers;

		unlink_timer(t);
		t->fn(t);
	}
	sched_irq_exit();
	arch_irq_restore(flags);
}

void fake_time_advance(uint64_t ns)
{
	uint64_t end = fake_now_ns + ns;

	while (timers && timers->deadline_ns <= end) {
		if (timers->deadline_ns > fake_now_ns) {
			fake_now_ns = timers->deadline_ns;
		}
		timer_interrupt();
	}
	if (fake_now_ns < end) {
		fake_now_ns = end;
	}
}

/* The idle thread halts: a tickless CPU sleeps until the next timer. */
static void idle_wait(void)
{
	if (!timers) {
		fprintf(stderr, "fake_sched: every thread blocked, no timer "
				"left: deadlock\n");
		abort();
	}
	if (timers->deadline_ns > fake_now_ns) {
		fake_now_ns = timers->deadline_ns;
	}
	timer_interrupt();
}

void fake_sched_reset(void)
{
	fake_arch_reset();
	spin_held_reset();
	for (int i = 0; i < FAKE_ALLOCS; i++) {
		free(allocs[i]);
		allocs[i] = NULL;
	}
	timers = NULL;
	fake_now_ns = 0;
	memset(&main_uc, 0, sizeof(main_uc));
	fake_wfi_hook = idle_wait;
	fake_online_mask = 1;
	memset(fake_ipis, 0, sizeof(fake_ipis));
	sched_init("main");
	sched_boot_done();
}

void fake_sched_teardown(void)
{
	sched_started = false;
	memset(sched_cpus, 0, sizeof(sched_cpus));
	fake_wfi_hook = NULL;
	timers = NULL;
}
