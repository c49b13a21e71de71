/* Spinlocks over the compiler's atomics; see kern/spinlock.h. */
#include "kern/spinlock.h"
#include "kern/arch.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/panic.h"
#include "kern/sched.h"

/*
 * The locks each CPU holds, newest last, for might_sleep()'s message.
 * Deeper nesting than this is still counted, only not named.
 */
#define HELD_NAMES 8

static struct {
	unsigned int count;
	const char *names[HELD_NAMES];
} held[NR_CPUS];

static void note_taken(const struct spinlock *l)
{
	unsigned int cpu = arch_cpu_id() % NR_CPUS;

	if (held[cpu].count < HELD_NAMES) {
		held[cpu].names[held[cpu].count] = l->name;
	}
	held[cpu].count++;
}

/* Locks may be released out of order: drop the newest entry with l's
 * name (names identify the lock well enough for a message). */
static void note_released(const struct spinlock *l)
{
	unsigned int cpu = arch_cpu_id() % NR_CPUS;
	unsigned int n = held[cpu].count;

	if (n == 0) {
		return;
	}
	for (unsigned int i = (n < HELD_NAMES ? n : HELD_NAMES); i-- > 0;) {
		if (held[cpu].names[i] == l->name) {
			for (; i + 1 < n && i + 1 < HELD_NAMES; i++) {
				held[cpu].names[i] = held[cpu].names[i + 1];
			}
			break;
		}
	}
	held[cpu].count = n - 1;
}

void spin_held_reset(void)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		held[cpu].count = 0;
	}
}

unsigned int spin_held_count(void)
{
	return held[arch_cpu_id() % NR_CPUS].count;
}

const char *spin_held_name(void)
{
	unsigned int cpu = arch_cpu_id() % NR_CPUS;
	unsigned int n = held[cpu].count;

	if (n == 0) {
		return NULL;
	}
	return held[cpu].names[(n < HELD_NAMES ? n : HELD_NAMES) - 1];
}

void spin_lock_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->cpu = -1;
	l->name = name;
}

bool spin_is_held(const struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
	       l->cpu == (int)arch_cpu_id();
}

unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();

	if (spin_is_held(l)) {
		panic("spinlock %s: taken twice on cpu %u", l->name,
		      arch_cpu_id());
	}
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			arch_cpu_relax();
		}
	}
	l->cpu = (int)arch_cpu_id();
	note_taken(l);
	return flags;
}

void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	if (!spin_is_held(l)) {
		panic("spinlock %s: released but not held", l->name);
	}
	if (arch_irqs_enabled()) {
		panic("spinlock %s: interrupts on while held", l->name);
	}
	note_released(l);
	l->cpu = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
	/* A wake made under the lock could not switch: now it can. */
	if (spin_held_count() == 0 && arch_irqs_enabled()) {
		sched_preempt_check();
	}
}
