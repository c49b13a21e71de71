/*
 * Spinlocks (kern/spinlock.c): holding one means interrupts are off on
 * this CPU, nesting restores what was there, and getting the nesting
 * wrong panics. The interrupt flag and the CPU number are the fakes'.
 */
#include <string.h>

#include "kern/spinlock.h"
#include "fake_arch.h"
#include "unit.h"

static struct spinlock fake_lock_a = SPINLOCK_INIT("lock-a");
static struct spinlock fake_lock_b = SPINLOCK_INIT("lock-b");

static void fake_locks_reset(void)
{
	fake_arch_reset();
	spin_lock_init(&fake_lock_a, "lock-a");
	spin_lock_init(&fake_lock_b, "lock-b");
}

TEST(spinlock_irqsave_turns_interrupts_off)
{
	unsigned long flags;

	fake_locks_reset();
	CHECK(!spin_is_held(&fake_lock_a));
	flags = spin_lock_irqsave(&fake_lock_a);
	CHECK(!fake_irqs_on);
	CHECK(flags != 0); /* "they were on" */
	CHECK(spin_is_held(&fake_lock_a));
	CHECK(!spin_is_held(&fake_lock_b));
	spin_unlock_irqrestore(&fake_lock_a, flags);
	CHECK(fake_irqs_on);
	CHECK(!spin_is_held(&fake_lock_a));

	/* Taken with interrupts already off: released, still off. */
	fake_irqs_on = false;
	flags = spin_lock_irqsave(&fake_lock_a);
	CHECK(flags == 0);
	CHECK(!fake_irqs_on);
	spin_unlock_irqrestore(&fake_lock_a, flags);
	CHECK(!fake_irqs_on);
	CHECK(!spin_is_held(&fake_lock_a));
	CHECK_EQ_INT(fake_panic_count(), 0);
}

TEST(spinlock_nesting_restores_in_order)
{
	unsigned long outer, inner;

	fake_locks_reset();
	outer = spin_lock_irqsave(&fake_lock_a);
	inner = spin_lock_irqsave(&fake_lock_b);
	CHECK(!fake_irqs_on);
	CHECK(spin_is_held(&fake_lock_a));
	CHECK(spin_is_held(&fake_lock_b));
	spin_unlock_irqrestore(&fake_lock_b, inner);
	CHECK(!fake_irqs_on); /* the outer lock is still held */
	CHECK(!spin_is_held(&fake_lock_b));
	CHECK(spin_is_held(&fake_lock_a));
	spin_unlock_irqrestore(&fake_lock_a, outer);
	CHECK(fake_irqs_on);
	CHECK_EQ_INT(fake_panic_count(), 0);
}

TEST(spinlock_held_is_per_cpu)
{
	unsigned long flags;

	fake_locks_reset();
	flags = spin_lock_irqsave(&fake_lock_a);
	fake_cpu_id = 1;
	CHECK(!spin_is_held(&fake_lock_a)); /* held, but by CPU 0 */
	/* CPU 1 may not release CPU 0's lock. */
	EXPECT_PANIC(spin_unlock_irqrestore(&fake_lock_a, flags));
	CHECK(strstr(fake_panic_message(), "lock-a") != NULL);
	fake_cpu_id = 0;
	CHECK(spin_is_held(&fake_lock_a));
	spin_unlock_irqrestore(&fake_lock_a, flags);
	CHECK(fake_irqs_on);
}

TEST(spinlock_taken_twice_panics)
{
	unsigned long flags;

	fake_locks_reset();
	flags = spin_lock_irqsave(&fake_lock_a);
	EXPECT_PANIC(spin_lock_irqsave(&fake_lock_a));
	CHECK(strstr(fake_panic_message(), "lock-a") != NULL);
	CHECK(strstr(fake_panic_message(), "taken twice") != NULL);
	CHECK_EQ_INT(fake_panic_count(), 1);
	/* The panic came before the lock was touched: still held once. */
	CHECK(spin_is_held(&fake_lock_a));
	spin_unlock_irqrestore(&fake_lock_a, flags);
	CHECK(fake_irqs_on);
}

TEST(spinlock_unlock_not_held_panics)
{
	fake_locks_reset();
	fake_irqs_on = false;
	EXPECT_PANIC(spin_unlock_irqrestore(&fake_lock_b, 1));
	CHECK(strstr(fake_panic_message(), "lock-b") != NULL);
	CHECK(strstr(fake_panic_message(), "not held") != NULL);
	/* It panicked before restoring anything. */
	CHECK(!fake_irqs_on);
}

TEST(spinlock_unlock_with_interrupts_on_panics)
{
	unsigned long flags;

	fake_locks_reset();
	flags = spin_lock_irqsave(&fake_lock_a);
	fake_irqs_on = true; /* someone turned them on while it was held */
	EXPECT_PANIC(spin_unlock_irqrestore(&fake_lock_a, flags));
	CHECK(strstr(fake_panic_message(), "lock-a") != NULL);
	CHECK(strstr(fake_panic_message(), "interrupts on") != NULL);
	fake_locks_reset();
}
