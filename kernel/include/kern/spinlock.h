/*
 * Spinlocks that turn interrupts off. Holding a spinlock implies
 * interrupts are off on this CPU, so a handler can never spin on a lock
 * the code it interrupted holds (the print deadlock: main code holding the
 * console lock when a handler prints). Taking a lock this CPU already
 * holds, or releasing one it does not, panics.
 *
 *	unsigned long flags = spin_lock_irqsave(&lock);
 *	...
 *	spin_unlock_irqrestore(&lock, flags);
 *
 * Nesting works: the inner pair restores "off", the outer one whatever was
 * there before.
 *
 * Underneath is a ticket lock, so CPUs get the lock in the order they
 * asked for it (no CPU starves while others keep winning the cache line).
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include "kern/compiler.h"

/*
 * A ticket lock: an arrival takes the number in next (and increments it)
 * and waits until owner shows that number; release increments owner.
 * Free when next == owner; next - owner is holder plus waiters. Both wrap:
 * only equality is ever compared.
 */
struct ticket_lock {
	unsigned int next;  /* the ticket the next arrival takes */
	unsigned int owner; /* the ticket now allowed in */
};

struct spinlock {
	struct ticket_lock ticket;
	int cpu;	  /* holder, for the recursion check; -1 if none */
	const char *name; /* for panic messages */
};

#define SPINLOCK_INIT(n)                                                       \
	{                                                                      \
		.ticket = {0, 0}, .cpu = -1, .name = (n)                       \
	}

void spin_lock_init(struct spinlock *l, const char *name);
unsigned long spin_lock_irqsave(struct spinlock *l);
/* Takes l only if nobody holds it (true, *flags to restore); else false
 * with interrupts as they were. Panics like spin_lock_irqsave() if this
 * CPU already holds l. */
bool spin_trylock_irqsave(struct spinlock *l, unsigned long *flags);
void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);
bool spin_is_held(const struct spinlock *l);

/*
 * The bare ticket lock under struct spinlock: no interrupt handling, no
 * checks, no bookkeeping. For the spinlock code and its tests (which take
 * tickets by hand to see the order they are served in).
 */
unsigned int ticket_take(struct ticket_lock *t);
void ticket_wait(struct ticket_lock *t, unsigned int ticket);
bool ticket_trylock(struct ticket_lock *t);
void ticket_unlock(struct ticket_lock *t);
bool ticket_is_locked(const struct ticket_lock *t);

/*
 * For might_sleep() (kern/sched.h): how many spinlocks this CPU holds,
 * and the name of the most recently taken one still held (NULL if none).
 */
unsigned int spin_held_count(void);
const char *spin_held_name(void);
/* Forget every held lock (host tests: a panic test leaves some "held"). */
void spin_held_reset(void);

#endif
