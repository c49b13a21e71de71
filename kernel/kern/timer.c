/* Jiffies, uptime and msleep over the port's periodic tick. */
#include "kern/timer.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/panic.h"

static volatile uint64_t jiffies;
static const char *source = "none";
static void (*tick_hook)(uint64_t now);

uint64_t jiffies_read(void)
{
	return __atomic_load_n(&jiffies, __ATOMIC_RELAXED);
}

void timer_tick(void)
{
	uint64_t now = __atomic_add_fetch(&jiffies, 1, __ATOMIC_RELAXED);

	if (tick_hook) {
		tick_hook(now);
	}
}

void timer_set_source(const char *name)
{
	source = name;
}

const char *timer_source(void)
{
	return source;
}

void timer_set_hook(void (*hook)(uint64_t now))
{
	tick_hook = hook;
}

uint64_t uptime_ms(void)
{
	return jiffies_read() * 1000 / HZ;
}

void msleep(unsigned int ms)
{
	/* Round up, and add one: the current tick is already partly gone. */
	uint64_t end = jiffies_read() + ((uint64_t)ms * HZ + 999) / 1000 + 1;
	unsigned long flags;

	KASSERT(!in_irq());
	flags = arch_irq_save();
	while (jiffies_read() < end) {
		arch_wait_for_interrupt();
	}
	arch_irq_restore(flags);
}
