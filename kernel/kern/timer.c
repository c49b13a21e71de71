/* Jiffies, uptime and msleep over the port's periodic tick. */
#include "kern/timer.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/printf.h"
#include "kern/panic.h"

static volatile uint64_t jiffies;
static const char *source = "none";
static void (*tick_hook)(uint64_t now);

static const char *cs_name = "ticks";
static uint64_t (*cs_read)(void);
static uint64_t cs_freq, cs_start;

#define MAX_CATCH_UP (10 * HZ) /* jiffies accounted in one tick, at most */

void timer_set_clocksource(const char *name, uint64_t (*read)(void),
			   uint64_t freq)
{
	unsigned long flags = arch_irq_save();
	uint64_t now = read();

	/* Continue from the current jiffies: start = now - jiffies worth. */
	cs_start = now - jiffies / HZ * freq - jiffies % HZ * freq / HZ;
	cs_freq = freq;
	cs_name = name;
	cs_read = read;
	arch_irq_restore(flags);
}

const char *timer_clocksource(void)
{
	return cs_name;
}

/* Counter cycles to units of 1/per seconds, without 128-bit division. */
static uint64_t cycles_to(uint64_t cycles, uint64_t per)
{
	return cycles / cs_freq * per + cycles % cs_freq * per / cs_freq;
}

uint64_t jiffies_read(void)
{
	return __atomic_load_n(&jiffies, __ATOMIC_RELAXED);
}

void timer_tick(void)
{
	uint64_t target = jiffies + 1;

	if (cs_read) {
		target = cycles_to(cs_read() - cs_start, HZ);
	}
	if (target - jiffies > MAX_CATCH_UP && target > jiffies) {
		jiffies = target - MAX_CATCH_UP; /* far behind: skip ahead */
	}
	/* Each jiffy is seen by the hook, even when several pass at once. */
	while (jiffies < target) {
		uint64_t now =
		    __atomic_add_fetch(&jiffies, 1, __ATOMIC_RELAXED);

		if (tick_hook) {
			tick_hook(now);
		}
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
	if (cs_read) {
		return cycles_to(cs_read() - cs_start, 1000);
	}
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
