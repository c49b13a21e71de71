/*
 * Time: the clocksource (a free-running counter: the TSC, the Arm generic
 * counter) read as jiffies (HZ per second), milliseconds of uptime and
 * nanoseconds (kern/ktimer.h: time_ns). All exact whether or not a timer
 * interrupt came: with a one-shot clock event device (kern/ktimer.h)
 * there is no periodic tick at all. Without a clocksource (no calibrated
 * TSC), time is the count of a periodic device's ticks.
 */
#ifndef KERN_TIMER_H
#define KERN_TIMER_H

#include "kern/compiler.h"

#ifndef HZ
#define HZ 1000
#endif

/* Jiffies (1/HZ s) since boot, from the clocksource. */
uint64_t jiffies_read(void);

/*
 * Called (by clockevent_interrupt) on each tick of a periodic device.
 * With a clocksource registered it does nothing: jiffies follow the
 * clocksource (a device that loses interrupts, like the PIT under
 * emulation, cannot make time run slow); without one, each call is one
 * jiffy.
 */
void timer_tick(void);

/*
 * A free-running counter to keep time with (x86_64: the TSC, calibrated
 * against the PIT; AArch64: the generic timer's counter). freq in Hz.
 */
void timer_set_clocksource(const char *name, uint64_t (*read)(void),
			   uint64_t freq);
const char *timer_clocksource(void);
bool timer_has_clocksource(void);
/* The clocksource's raw count at time_ns() == ns, rounded up: for a
 * device comparing against that same counter (TSC-deadline, CNTP_CVAL). */
uint64_t timer_raw_at_ns(uint64_t ns);

/*
 * A reference clock, to measure another clock against (x86_64: the ACPI
 * PM timer, PIT channel 0, for the TSC): a free-running counter of a
 * known, fixed rate that counts up and wraps at 2^bits. Reading it must
 * take a short, bounded time (a few port or MMIO accesses); the
 * calibration (drivers/timer/calibrate.h) brackets each read between two
 * reads of the clock being measured.
 */
struct timer_reference {
	const char *name;
	uint64_t freq;	   /* counts per second */
	unsigned int bits; /* 16..63: the counter wraps at 2^bits */
	/* Set the counter running; 0 or a negative errno. */
	int (*start)(const struct timer_reference *ref);
	/* The count now (only the low bits are meaningful). */
	uint64_t (*read)(const struct timer_reference *ref);
	void *ctx;
};

/* The name of the clock event device ("pit", "lapic-timer",
 * "arm-timer"), set by clockevent_register. */
void timer_set_source(const char *name);
const char *timer_source(void);

/*
 * Sleep at least ms milliseconds of clocksource time (kern/ktimer.h has
 * usleep too). In a thread once the scheduler runs: blocks
 * (thread_sleep_until). Before, or with interrupts off: halts, a timer
 * armed for the deadline; with no working timer interrupt: polls the
 * clocksource. Never from an interrupt handler.
 */
void msleep(unsigned int ms);

/*
 * After interrupts are first enabled: arm a timer 1 ms ahead and wait
 * (bounded, 250 ms by the clocksource) for it to fire. A tickless device
 * may not interrupt for ever otherwise, so this asks for one. If it never
 * fires, say so: msleep then polls the clocksource instead of halting.
 * When it does and the console's input has no interrupt, a 1 kHz timer is
 * started to end the console's halts between polls.
 */
void timer_check_tick(void);

/* Did the check see a timer interrupt? False before timer_check_tick()
 * ran, and when it saw none. */
bool timer_tick_alive(void);

/* Milliseconds since boot (the clocksource's start). */
uint64_t uptime_ms(void);

/* Optional per-jiffy hook (timerdemo); NULL to remove. Runs in the
 * interrupt handler of a periodic kernel timer at HZ, once for every
 * jiffy (several at once if the interrupt came late), only while set. */
void timer_set_hook(void (*hook)(uint64_t jiffies));

#endif
