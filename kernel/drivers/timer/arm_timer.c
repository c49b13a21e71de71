/*
 * The Arm generic timer (Arm ARM D11), EL1 physical timer, as the tick.
 *
 * Why the physical timer (PPI 14, INTID 30 on virt) and not the virtual
 * one (PPI 11, INTID 27): when we enter at EL2 the
 * boot code gives EL1 access to it (CNTHCTL_EL2.EL1PCEN) with CNTVOFF
 * zero, so both count the same. Its interrupt is the timer node's second
 * entry ("non-secure EL1 physical") in the device tree.
 *
 * Periodic without drift: each deadline is the previous deadline plus the
 * interval (CNTP_CVAL_EL0), never "now + interval". The counter is also
 * the clocksource, so ticks missed while interrupts were off are still
 * counted: jiffies follow the counter.
 */
#include "asm/sysreg.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/printf.h"
#include "kern/timer.h"

#define TIMER_IRQ_EL1_PHYS 1 /* index in the DT node's interrupts */
#define CNTP_CTL_ENABLE	   (1u << 0)
#define CNTP_CTL_IMASK	   (1u << 1)
#define CNTP_CTL_ISTATUS   (1u << 2)

static uint64_t interval, deadline;

static uint64_t read_counter(void)
{
	return read_sysreg(cntpct_el0);
}

static enum irq_return arm_timer_interrupt(unsigned int irq, void *dev)
{
	uint64_t now = read_counter();

	(void)irq;
	(void)dev;
	if (!(read_sysreg(cntp_ctl_el0) & CNTP_CTL_ISTATUS)) {
		return IRQ_NONE;
	}
	/* The next deadline on the grid, skipping any that already passed. */
	deadline += interval;
	if (deadline <= now) {
		deadline += ((now - deadline) / interval + 1) * interval;
	}
	/* Writing CVAL deasserts the (level) line before the EOI. */
	write_sysreg(cntp_cval_el0, deadline);
	timer_tick(); /* jiffies follow the counter (kern/timer.c) */
	return IRQ_HANDLED;
}

static int arm_timer_probe(struct device *dev)
{
	int irq = device_irq(dev, TIMER_IRQ_EL1_PHYS), ret;
	uint64_t freq = read_sysreg(cntfrq_el0);

	if (irq < 0) {
		kprintf("arm-timer: no usable interrupt (%d): no tick\n", irq);
		return irq;
	}
	/* The generic timer is a CPU's own (Arm ARM D11.1): its interrupts
	 * are PPIs. A tree that puts them on a shared line describes
	 * something that cannot fire here. */
	if (!irq_is_per_cpu((unsigned int)irq)) {
		kprintf("arm-timer: interrupt %d is not a per-CPU line (the "
			"timer's are PPIs): no tick\n",
			irq);
		return -EINVAL;
	}
	if (!freq || freq < HZ) {
		kprintf("arm-timer: CNTFRQ_EL0 is %llu: unusable\n",
			(unsigned long long)freq);
		return -ENODEV;
	}
	interval = freq / HZ;
	write_sysreg(cntp_ctl_el0, CNTP_CTL_IMASK);
	ret = irq_request(irq, arm_timer_interrupt,
			  device_irq_flags(dev, TIMER_IRQ_EL1_PHYS), "timer",
			  dev);
	if (ret < 0) {
		return ret;
	}
	deadline = read_sysreg(cntpct_el0) + interval;
	write_sysreg(cntp_cval_el0, deadline);
	write_sysreg(cntp_ctl_el0, CNTP_CTL_ENABLE);
	timer_set_source("arm-timer");
	timer_set_clocksource("cntpct", read_counter, freq);
	kprintf("arm-timer: %llu Hz counter, %u Hz tick, irq %d\n",
		(unsigned long long)freq, HZ, irq);
	return 0;
}

static const char *const arm_timer_ids[] = {"arm,armv8-timer",
					    "arm,armv7-timer", NULL};

struct driver arm_timer_driver = {
    .name = "arm-timer",
    .ids = arm_timer_ids,
    .probe = arm_timer_probe,
};
