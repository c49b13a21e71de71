/*
 * Intel 8253/8254 Programmable Interval Timer (82C54 datasheet). Channel
 * 0 in mode 2 (rate generator) at HZ is the tick of the 8259 path;
 * channel 2 in mode 0 (interrupt on terminal count), read through port
 * B, is the reference the TSC is measured against (pit.h). Ports and IRQ
 * come from the device.
 */
#include "drivers/timer/pit.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/irq.h"
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
#define PIT_CMD_CH2_MODE0 0xb0

/* Port B bits: channel 2 gate and output, speaker enable. */
#define PORTB_GATE2   0x01
#define PORTB_SPEAKER 0x02
#define PORTB_OUT2    0x20

/* Channel 2 counts 16 bits: at most 54 ms per interval. */
#define PIT_MAX_MS (0xffffu / (PIT_INPUT_HZ / 1000))

static enum irq_return pit_interrupt(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	/* The PIT has no status to check: an interrupt on its line is it. */
	timer_tick();
	return IRQ_HANDLED;
}

/* ---- Channel 2: the reference clock ------------------------------------ */

struct pit_ref {
	struct io_regs counters, port_b;
	uint8_t saved_port_b;
};

static struct pit_ref ref_state;

/* Count ms down with the gate open and the speaker off; OUT2 rises at
 * terminal count. */
static int ref_start(const struct timer_reference *ref, unsigned int ms)
{
	struct pit_ref *p = ref->ctx;
	uint32_t count = PIT_INPUT_HZ / 1000 * ms;
	uint8_t quiet;

	if (ms == 0 || ms > PIT_MAX_MS) {
		return -ERANGE;
	}
	p->saved_port_b = io_read8(&p->port_b, 0);
	quiet = (uint8_t)(p->saved_port_b & ~(PORTB_SPEAKER | PORTB_GATE2));
	io_write8(&p->port_b, 0, quiet);
	io_write8(&p->counters, PIT_MODE, PIT_CMD_CH2_MODE0);
	io_write8(&p->counters, PIT_CHANNEL2, count & 0xff);
	io_write8(&p->counters, PIT_CHANNEL2, (uint8_t)(count >> 8));
	io_write8(&p->port_b, 0, quiet | PORTB_GATE2); /* go */
	return 0;
}

static bool ref_elapsed(const struct timer_reference *ref)
{
	struct pit_ref *p = ref->ctx;

	return io_read8(&p->port_b, 0) & PORTB_OUT2;
}

static void ref_stop(const struct timer_reference *ref)
{
	struct pit_ref *p = ref->ctx;

	io_write8(&p->port_b, 0, p->saved_port_b);
}

static const struct timer_reference pit_ref = {
    .name = "PIT channel 2",
    .start = ref_start,
    .elapsed = ref_elapsed,
    .stop = ref_stop,
    .ctx = &ref_state,
};

const struct timer_reference *pit_reference(const struct device *dev)
{
	const struct pit_data *pd = dev->platform_data;

	if (device_regs(dev, 0, 0, &ref_state.counters) < 0) {
		return NULL;
	}
	if (device_regs(dev, 1, 0, &ref_state.port_b) < 0) {
		if (!pd || !pd->port_b) {
			return NULL;
		}
		ref_state.port_b =
		    (struct io_regs){IO_SPACE_PORT, pd->port_b, 0};
	}
	return &pit_ref;
}

/* ---- Channel 0: the tick ------------------------------------------------ */

static int start_tick(struct device *dev, const struct io_regs *counters)
{
	uint32_t divisor = (PIT_INPUT_HZ + HZ / 2) / HZ;
	int irq = device_irq(dev, 0), ret;

	if (irq < 0) {
		return irq;
	}
	if (divisor > 0xffff) {
		return -ERANGE;
	}
	io_write8(counters, PIT_MODE, PIT_CMD_CH0_MODE2);
	io_write8(counters, PIT_CHANNEL0, divisor & 0xff);
	io_write8(counters, PIT_CHANNEL0, (uint8_t)(divisor >> 8));
	ret = irq_request(irq, pit_interrupt, device_irq_flags(dev, 0), "timer",
			  dev);
	if (ret < 0) {
		return ret;
	}
	timer_set_source("pit");
	kprintf("pit: %u Hz tick (divisor %u), irq %d\n", HZ, divisor, irq);
	return 0;
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
	return 0;
}

static const char *const pit_ids[] = {"PNP0100", NULL};

struct driver pit_driver = {
    .name = "pit",
    .ids = pit_ids,
    .probe = pit_probe,
};
