/* STUB (replaced by kern/sched.c): one flow of control, no threads. Only
 * so that callers can be built against kern/sched.h. */
#include "kern/sched.h"
#include "kern/irq.h"
#include "kern/irqflags.h"

struct thread *thread_create(thread_fn fn, void *arg, const char *name,
			     int priority)
{
	(void)fn;
	(void)arg;
	(void)name;
	(void)priority;
	return NULL;
}

struct thread *thread_current(void)
{
	return NULL;
}

const char *thread_name(const struct thread *t)
{
	(void)t;
	return "boot";
}

void sched_init(const char *name)
{
	(void)name;
}

bool sched_running(void)
{
	return false;
}

void sched_irq_exit(void)
{
}

bool can_sleep(void)
{
	return !in_irq() && arch_irqs_enabled();
}

void might_sleep(const char *what)
{
	(void)what;
}

void sched_print_threads(void)
{
}

bool thread_stack_of(const struct thread *t, uintptr_t *base, uintptr_t *top)
{
	(void)t;
	(void)base;
	(void)top;
	return false;
}

void thread_sleep_until(uint64_t deadline_ns)
{
	(void)deadline_ns; /* never called: sched_running() is false */
}
