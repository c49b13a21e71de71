/* Spinlocks over the compiler's atomics; see kern/spinlock.h. */
#include "kern/spinlock.h"
#include "kern/arch.h"
#include "kern/irqflags.h"
#include "kern/panic.h"

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
	l->cpu = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_irq_restore(flags);
}
