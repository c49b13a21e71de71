/*
 * Intel 8253/8254 Programmable Interval Timer, channel 0 (82C54
 * datasheet): mode 2 (rate generator) at HZ, the tick of the PC port
 * until the LAPIC timer takes over. Ports and IRQ come from the device.
 */
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/printf.h"
#include "kern/timer.h"
#include "arch/x86_64/cpu.h"

#define PIT_INPUT_HZ 1193182u /* the PC's 14.31818 MHz / 12 */
#define PIT_CHANNEL0 0	      /* offsets in the device's I/O range */
#define PIT_MODE     3

/* Channel 0, lobyte then hibyte, mode 2, binary. */
#define PIT_CMD_CH0_MODE2 0x34

static enum irq_return pit_interrupt(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	/* The PIT has no status to check: an interrupt on its line is it. */
	timer_tick();
	return IRQ_HANDLED;
}

static int pit_probe(struct device *dev)
{
	uint16_t base = device_io(dev, 0);
	uint32_t divisor = (PIT_INPUT_HZ + HZ / 2) / HZ;
	int irq = device_irq(dev, 0), ret;

	if (!base || irq < 0) {
		return irq < 0 ? irq : -ENODEV;
	}
	if (divisor > 0xffff) {
		return -ERANGE;
	}
	outb(base + PIT_MODE, PIT_CMD_CH0_MODE2);
	outb(base + PIT_CHANNEL0, divisor & 0xff);
	outb(base + PIT_CHANNEL0, divisor >> 8);
	ret = irq_request(irq, pit_interrupt, device_irq_flags(dev, 0), "timer",
			  dev);
	if (ret < 0) {
		return ret;
	}
	timer_set_source("pit");
	kprintf("pit: %u Hz tick (divisor %u), irq %d\n", HZ, divisor, irq);
	return 0;
}

static const char *const pit_ids[] = {"PNP0100", NULL};

struct driver pit_driver = {
    .name = "pit",
    .ids = pit_ids,
    .probe = pit_probe,
};
