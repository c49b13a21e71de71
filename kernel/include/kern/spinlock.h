/*
 * Spinlocks that turn interrupts off. Holding a spinlock implies
 * interrupts are off on this CPU, so a handler can never spin on a lock
 * the code it interrupted holds (the print deadlock: main code holding the
 *console lock when a handler prints). Taking a lock this CPU already holds, or
 *releasing one it does not, panics.
 *
 *	unsigned long flags = spin_lock_irqsave(&lock);
 *	...
 *	spin_unlock_irqrestore(&lock, flags);
 *
 * Nesting works: the inner pair restores "off", the outer one whatever was
 * there before.
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include "kern/compiler.h"

struct spinlock {
	int locked;
	int cpu;	  /* holder, for the recursion check */
	const char *name; /* for panic messages */
};

#define SPINLOCK_INIT(n)                                                       \
	{                                                                      \
		.locked = 0, .cpu = -1, .name = (n)                            \
	}

void spin_lock_init(struct spinlock *l, const char *name);
unsigned long spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);
bool spin_is_held(const struct spinlock *l);

/*
 * For might_sleep() (kern/sched.h): how many spinlocks this CPU holds,
 * and the name of the most recently taken one still held (NULL if none).
 */
unsigned int spin_held_count(void);
const char *spin_held_name(void);
/* Forget every held lock (host tests: a panic test leaves some "held"). */
void spin_held_reset(void);

#endif
