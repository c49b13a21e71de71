/* Jiffies, uptime and msleep over the port's periodic tick. */
#include "kern/timer.h"
#include "kern/ktimer.h"
#include "kern/arch.h"
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

void ktimer_stub_expire(void); /* STUB: kern/stub_ktimer.c */

#define MAX_CATCH_UP (10 * HZ) /* jiffies accounted in one tick, at most */

/* How long the first tick may take once interrupts are on: a tick is
 * 1 ms; this leaves room for a vCPU descheduled on a loaded host. */
#define TICK_WAIT_MS	250
#define TICK_WAIT_POLLS 2000000L /* without a clocksource to time it */

static bool tick_checked, tick_dead;

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

uint64_t time_cycles(void)
{
	return cs_read ? cs_read() - cs_start : 0;
}

uint64_t time_cycles_freq(void)
{
	return cs_freq;
}

uint64_t time_ns(void)
{
	if (cs_read) {
		return cycles_to(cs_read() - cs_start, NSEC_PER_SEC);
	}
	return jiffies_read() * (NSEC_PER_SEC / HZ);
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
	ktimer_stub_expire();
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

/* Poll (interrupts on) until a jiffy passes or the bound does. */
static bool tick_seen_within(unsigned int ms)
{
	uint64_t before = jiffies_read();

	if (cs_read) {
		uint64_t t0 = cs_read(), wait = cs_freq / 1000 * ms;

		while (jiffies_read() == before && cs_read() - t0 < wait) {
			arch_cpu_relax();
		}
	} else {
		for (long i = 0;
		     i < TICK_WAIT_POLLS && jiffies_read() == before; i++) {
			arch_cpu_relax();
		}
	}
	return jiffies_read() != before;
}

void timer_check_tick(void)
{
	KASSERT(arch_irqs_enabled());
	tick_dead = !tick_seen_within(TICK_WAIT_MS);
	tick_checked = true;
	if (tick_dead && cs_read) {
		kprintf("timer: no tick from %s within %u ms of enabling "
			"interrupts: sleeps poll the %s; devices must poll\n",
			source, TICK_WAIT_MS, cs_name);
	} else if (tick_dead) {
		kprintf(
		    "timer: no tick from %s after %ld polls with interrupts "
		    "on, and no clock: sleeps return at once; devices must "
		    "poll\n",
		    source, TICK_WAIT_POLLS);
	}
}

bool timer_tick_alive(void)
{
	return tick_checked && !tick_dead;
}

uint64_t uptime_ms(void)
{
	if (cs_read) {
		return cycles_to(cs_read() - cs_start, 1000);
	}
	return jiffies_read() * 1000 / HZ;
}

/* No tick: wait on the clocksource, or (with none) not at all. */
static void msleep_polled(unsigned int ms)
{
	uint64_t end;

	if (!cs_read) {
		return;
	}
	end = uptime_ms() + ms;
	while (uptime_ms() < end) {
		arch_cpu_relax();
	}
}

void msleep(unsigned int ms)
{
	/* Round up, and add one: the current tick is already partly gone. */
	uint64_t end = jiffies_read() + ((uint64_t)ms * HZ + 999) / 1000 + 1;
	unsigned long flags;

	KASSERT(!in_irq());
	if (tick_dead) {
		msleep_polled(ms);
		return;
	}
	flags = arch_irq_save();
	while (jiffies_read() < end) {
		arch_wait_for_interrupt();
	}
	arch_irq_restore(flags);
}
