/*
 * Intel 8253/8254 Programmable Interval Timer (82C54 datasheet). Channel
 * 0 in mode 2 (rate generator): before the drivers probe, at its
 * largest count and read through the counter latch, the reference the
 * TSC is measured against (pit.h); then, at HZ, the periodic clock event
 * device of the 8259 path (or of the APIC path when the TSC has no
 * trustworthy rate): it can only tick, so that path is not tickless.
 * Ports and IRQ come from the device.
 */
#include "drivers/timer/pit.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/irq.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/timer.h"

#define PIT_INPUT_HZ 1193182u /* the PC's 14.31818 MHz / 12 */

/* Registers in the device's first range. */
#define PIT_CHANNEL0 0
#define PIT_CHANNEL2 2
#define PIT_MODE     3

/* Mode/command words (82C54 "Control Word Format"): channel, lobyte
 * then hibyte, mode, binary. */
#define PIT_CMD_CH0_MODE2 0x34
#define PIT_CMD_CH0_LATCH 0x00 /* channel 0, counter latch */
#define PIT_CMD_CH0_MODE0 0x30 /* interrupt on terminal count: once */

#define PIT_RATING 100 /* below any one-shot device */

static struct io_regs tick_counters;

static int pit_set_periodic(struct clockevent *ce, unsigned int hz)
{
	uint32_t divisor = (PIT_INPUT_HZ + hz / 2) / hz;

	(void)ce;
	if (divisor > 0xffff || divisor < 2) {
		return -ERANGE;
	}
	io_write8(&tick_counters, PIT_MODE, PIT_CMD_CH0_MODE2);
	io_write8(&tick_counters, PIT_CHANNEL0, divisor & 0xff);
	io_write8(&tick_counters, PIT_CHANNEL0, (uint8_t)(divisor >> 8));
	kprintf("pit: %u Hz tick (divisor %u)\n", hz, divisor);
	return 0;
}

static struct clockevent pit_clockevent = {
    .name = "pit",
    .features = CLOCKEVENT_PERIODIC,
    .rating = PIT_RATING,
    .set_periodic = pit_set_periodic,
};

static enum irq_return pit_interrupt(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	/* The PIT has no status to check: an interrupt on its line is it. */
	clockevent_interrupt(&pit_clockevent);
	return IRQ_HANDLED;
}

/* ---- Channel 0, free-running: the reference clock ---------------------- */

/*
 * Channel 0 in mode 2 with the largest count (0 means 65536) counts
 * down from 65536 to 1 and reloads, for ever: read through the counter
 * latch command (82C54 "Counter Latch Command"), it is a 16-bit clock at
 * 1.193182 MHz. Channel 0's gate is tied high on every PC; channel 2's
 * is port B's bit 0, and -M microvm has no port B (it reads 0xff, so a
 * channel 2 reference saw its interval end at once). Before the tick
 * starts nothing else uses channel 0; on the 8259 path the driver then
 * reprograms it as the tick, on the APIC path it is stopped when the
 * driver probes (stop_channel0), its IRQ 0 masked at both controllers.
 */
static struct io_regs ref_counters;

static int ref_start(const struct timer_reference *ref)
{
	(void)ref;
	io_write8(&ref_counters, PIT_MODE, PIT_CMD_CH0_MODE2);
	io_write8(&ref_counters, PIT_CHANNEL0, 0);
	io_write8(&ref_counters, PIT_CHANNEL0, 0);
	return 0;
}

/* Counts up: 65536 minus the down-counter, modulo 2^16. */
static uint64_t ref_read(const struct timer_reference *ref)
{
	uint16_t lo, hi;

	(void)ref;
	io_write8(&ref_counters, PIT_MODE, PIT_CMD_CH0_LATCH);
	lo = io_read8(&ref_counters, PIT_CHANNEL0);
	hi = io_read8(&ref_counters, PIT_CHANNEL0);
	return (0x10000u - (uint32_t)(lo | hi << 8)) & 0xffffu;
}

static const struct timer_reference pit_ref = {
    .name = "PIT",
    .freq = PIT_INPUT_HZ,
    .bits = 16,
    .start = ref_start,
    .read = ref_read,
};

const struct timer_reference *pit_reference(const struct device *dev)
{
	if (device_regs(dev, 0, 0, &ref_counters) < 0) {
		return NULL;
	}
	return &pit_ref;
}

/* ---- Channel 0: the tick ------------------------------------------------ */

/* The interrupt first, then the device (clockevent_register starts it). */
static int start_tick(struct device *dev, const struct io_regs *counters)
{
	int irq = device_irq(dev, 0), ret;

	if (irq < 0) {
		return irq;
	}
	tick_counters = *counters;
	ret = irq_request(irq, pit_interrupt, device_irq_flags(dev, 0), "timer",
			  dev);
	if (ret < 0) {
		return ret;
	}
	kprintf("pit: irq %d\n", irq);
	clockevent_register(&pit_clockevent);
	return 0;
}

/*
 * Not the tick: stop channel 0, left counting as the reference. Mode 0
 * counts down once, its output then stays high and nothing reloads
 * (82C54 "Mode 0"), so an emulator has no more periods to simulate: a
 * PIT left in mode 2 costs QEMU 18 timer events a second at idle, IRQ 0
 * masked or not.
 */
static void stop_channel0(const struct io_regs *counters)
{
	io_write8(counters, PIT_MODE, PIT_CMD_CH0_MODE0);
	io_write8(counters, PIT_CHANNEL0, 0);
	io_write8(counters, PIT_CHANNEL0, 0);
}

/*
 * The tick unless the platform has a better one (the LAPIC timer). Bound
 * either way: the device's ports are the PIT's, channel 2 included.
 */
static int pit_probe(struct device *dev)
{
	const struct pit_data *pd = dev->platform_data;
	struct io_regs counters;

	if (device_regs(dev, 0, 0, &counters) < 0) {
		return -ENODEV;
	}
	if (!pd || pd->tick) {
		return start_tick(dev, &counters);
	}
	stop_channel0(&counters);
	return 0;
}

static const char *const pit_ids[] = {"PNP0100", NULL};

struct driver pit_driver = {
    .name = "pit",
    .ids = pit_ids,
    .probe = pit_probe,
};
