/* Ticket spinlocks over the compiler's __atomic builtins; see
 * kern/spinlock.h. */
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

/*
 * The ticket lock. Memory order, in C11 terms:
 * - ticket_take: relaxed. The number only fixes the place in the queue;
 *   the atomic increment alone makes every ticket distinct.
 * - ticket_wait: an acquire load of owner. It reads the value the previous
 *   holder's release store in ticket_unlock wrote, so everything that
 *   holder did inside the lock happens-before what we do in it.
 * - ticket_unlock: only the holder writes owner, so a relaxed read of it
 *   is exact; the store is release, publishing the critical section to
 *   the next ticket's acquire.
 * - ticket_trylock: owner read with acquire (same pairing as the wait),
 *   then next moved from that value to one more. If the exchange works,
 *   next equalled owner at that moment (owner only grows and never passes
 *   next), so the lock was free and our ticket is the one served.
 */
unsigned int ticket_take(struct ticket_lock *t)
{
	return __atomic_fetch_add(&t->next, 1, __ATOMIC_RELAXED);
}

void ticket_wait(struct ticket_lock *t, unsigned int ticket)
{
	while (__atomic_load_n(&t->owner, __ATOMIC_ACQUIRE) != ticket) {
		arch_cpu_relax();
	}
}

bool ticket_trylock(struct ticket_lock *t)
{
	unsigned int owner = __atomic_load_n(&t->owner, __ATOMIC_ACQUIRE);

	return __atomic_compare_exchange_n(&t->next, &owner, owner + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void ticket_unlock(struct ticket_lock *t)
{
	unsigned int owner = __atomic_load_n(&t->owner, __ATOMIC_RELAXED);

	__atomic_store_n(&t->owner, owner + 1, __ATOMIC_RELEASE);
}

bool ticket_is_locked(const struct ticket_lock *t)
{
	return __atomic_load_n(&t->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&t->owner, __ATOMIC_RELAXED);
}

void spin_lock_init(struct spinlock *l, const char *name)
{
	l->ticket.next = 0;
	l->ticket.owner = 0;
	l->cpu = -1;
	l->name = name;
}

/*
 * cpu is written only by the holder, so a CPU reads back its own number
 * there only while it holds the lock; relaxed atomics keep the reads that
 * other CPUs make while it changes well-defined.
 */
bool spin_is_held(const struct spinlock *l)
{
	return ticket_is_locked(&l->ticket) &&
	       __atomic_load_n(&l->cpu, __ATOMIC_RELAXED) == (int)arch_cpu_id();
}

static void check_not_held(const struct spinlock *l)
{
	if (spin_is_held(l)) {
		panic("spinlock %s: taken twice on cpu %u", l->name,
		      arch_cpu_id());
	}
}

static void mark_taken(struct spinlock *l)
{
	__atomic_store_n(&l->cpu, (int)arch_cpu_id(), __ATOMIC_RELAXED);
	note_taken(l);
}

unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();

	check_not_held(l);
	ticket_wait(&l->ticket, ticket_take(&l->ticket));
	mark_taken(l);
	return flags;
}

bool spin_trylock_irqsave(struct spinlock *l, unsigned long *flags)
{
	unsigned long saved = arch_irq_save();

	check_not_held(l);
	if (!ticket_trylock(&l->ticket)) {
		arch_irq_restore(saved);
		return false;
	}
	mark_taken(l);
	*flags = saved;
	return true;
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
	__atomic_store_n(&l->cpu, -1, __ATOMIC_RELAXED);
	ticket_unlock(&l->ticket);
	arch_irq_restore(flags);
	/* A wake made under the lock could not switch: now it can. */
	if (spin_held_count() == 0 && arch_irqs_enabled()) {
		sched_preempt_check();
	}
}
