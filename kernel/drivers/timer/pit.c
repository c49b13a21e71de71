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
#include "platform/pc.h"
#include "arch/x86_64/cpu.h"
#include "asm/msr.h"

#define PIT_INPUT_HZ 1193182u /* the PC's 14.31818 MHz / 12 */
#define PIT_CHANNEL0 0	      /* offsets in the device's I/O range */
#define PIT_MODE     3

#define PIT_CHANNEL2 2

/* Channel 2, lobyte then hibyte, mode 0 (interrupt on terminal count). */
#define PIT_CMD_CH2_MODE0 0xb0
/* Port 0x61 (the device's second I/O range): channel 2 gate and output. */
#define GATE2	0x01
#define SPEAKER 0x02
#define OUT2	0x20

#define CALIBRATE_MS	10
#define CALIBRATE_POLLS 10000000

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

/*
 * The TSC's rate, measured against PIT channel 2 counting down
 * CALIBRATE_MS with its gate open and the speaker off; 0 if channel 2
 * never finished (bounded). The tick itself is no clock: under emulation
 * PIT interrupts get lost when the host is busy, the TSC does not.
 */
static uint64_t calibrate_tsc(uint16_t base, uint16_t ctrl)
{
	uint32_t count = PIT_INPUT_HZ / 1000 * CALIBRATE_MS;
	uint8_t saved = inb(ctrl);
	uint64_t start, end;
	int i;

	outb(ctrl, (uint8_t)((saved & ~SPEAKER) & ~GATE2));
	outb(base + PIT_MODE, PIT_CMD_CH2_MODE0);
	outb(base + PIT_CHANNEL2, count & 0xff);
	outb(base + PIT_CHANNEL2, count >> 8);
	outb(ctrl, (uint8_t)((saved & ~SPEAKER) | GATE2)); /* go */
	start = rdtsc();
	for (i = 0; i < CALIBRATE_POLLS && !(inb(ctrl) & OUT2); i++) {
	}
	end = rdtsc();
	outb(ctrl, saved);
	if (i == CALIBRATE_POLLS) {
		return 0;
	}
	return (end - start) * (1000 / CALIBRATE_MS);
}

/* Channel 0 as the periodic tick on the device's interrupt. */
static int start_tick(struct device *dev, uint16_t base)
{
	uint32_t divisor = (PIT_INPUT_HZ + HZ / 2) / HZ;
	int irq = device_irq(dev, 0), ret;

	if (irq < 0) {
		return irq;
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

/*
 * The PIT is always the reference the TSC is calibrated against; it is
 * the tick too unless the platform has a better one (the LAPIC timer).
 */
static int pit_probe(struct device *dev)
{
	const struct pc_pit_data *pd = dev->platform_data;
	uint16_t base = device_io(dev, 0), ctrl = device_io(dev, 1);

	if (!ctrl && pd) {
		ctrl = pd->port_b;
	}
	int ret;

	if (!base) {
		return -ENODEV;
	}
	if (!pd || pd->tick) {
		ret = start_tick(dev, base);
		if (ret < 0) {
			return ret;
		}
	}
	if (ctrl) {
		uint64_t tsc_hz = calibrate_tsc(base, ctrl);

		if (tsc_hz) {
			timer_set_clocksource("tsc", rdtsc, tsc_hz);
			kprintf(
			    "tsc: %llu.%03llu MHz (against PIT channel 2)\n",
			    (unsigned long long)(tsc_hz / 1000000),
			    (unsigned long long)(tsc_hz / 1000 % 1000));
		} else {
			kprintf("tsc: calibration failed; time from ticks\n");
		}
	}
	return 0;
}

static const char *const pit_ids[] = {"PNP0100", NULL};

struct driver pit_driver = {
    .name = "pit",
    .ids = pit_ids,
    .probe = pit_probe,
};
