/*
 * The Arm generic timer (Arm ARM D11), EL1 physical timer, as the clock
 * event device.
 *
 * Why the physical timer (PPI 14, INTID 30 on virt) and not the virtual
 * one (PPI 11, INTID 27): when we enter at EL2 the
 * boot code gives EL1 access to it (CNTHCTL_EL2.EL1PCEN) with CNTVOFF
 * zero, so both count the same. Its interrupt is the timer node's second
 * entry ("non-secure EL1 physical") in the device tree.
 *
 * One-shot (tickless): the comparator CNTP_CVAL_EL0 holds the next
 * deadline as a counter value; the timer condition is met, and its
 * (level) interrupt asserted, while CNTPCT >= CVAL (Arm ARM D11.2.4), at
 * once for a deadline already passed. The compare is 64 bits: no range
 * limit. Nothing queued: the timer is disabled (CNTP_CTL.ENABLE 0), no
 * interrupt at all. The counter is also the clocksource, so deadlines
 * (time_ns) convert to CVAL exactly.
 *
 * Many CPUs: each has its own timer (CNTP_* are per PE) behind the same
 * PPI number, so the one clockevent programs the calling CPU's timer and
 * each CPU's timer queue (kern/ktimer.c) arms its own. A CPU that comes
 * up starts with its timer off (arm_timer_cpu_init, an
 * smp_cpu_init_register hook); the GIC's hook, run before it, unmasks
 * the PPI on that CPU. The counter is system-wide (Arm ARM D11.1.2): the
 * same clocksource on every CPU, CNTVOFF zero on each (boot.S).
 */
#include "asm/sysreg.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/smp.h"
#include "kern/timer.h"

#define TIMER_IRQ_EL1_PHYS 1 /* index in the DT node's interrupts */
#define TIMER_RATING	   300
#define CNTP_CTL_ENABLE	   (1u << 0)
#define CNTP_CTL_IMASK	   (1u << 1)
#define CNTP_CTL_ISTATUS   (1u << 2)

static uint64_t read_counter(void)
{
	return read_sysreg(cntpct_el0);
}

static int arm_timer_set_next(struct clockevent *ce, uint64_t deadline_ns)
{
	(void)ce;
	write_sysreg(cntp_cval_el0, timer_raw_at_ns(deadline_ns));
	write_sysreg(cntp_ctl_el0, CNTP_CTL_ENABLE);
	__asm__ volatile("isb" ::: "memory");
	return 0;
}

static void arm_timer_stop(struct clockevent *ce)
{
	(void)ce;
	write_sysreg(cntp_ctl_el0, CNTP_CTL_IMASK);
	__asm__ volatile("isb" ::: "memory");
}

static struct clockevent arm_clockevent = {
    .name = "arm-timer",
    .features = CLOCKEVENT_ONESHOT,
    .rating = TIMER_RATING,
    .set_next = arm_timer_set_next,
    .stop = arm_timer_stop,
};

static enum irq_return arm_timer_interrupt(unsigned int irq, void *dev)
{
	(void)irq;
	(void)dev;
	if (!(read_sysreg(cntp_ctl_el0) & CNTP_CTL_ISTATUS)) {
		return IRQ_NONE;
	}
	/* Disable first: that deasserts the level line before the EOI;
	 * the queue enables it again for its next deadline, if any. */
	arm_timer_stop(&arm_clockevent);
	clockevent_interrupt(&arm_clockevent);
	return IRQ_HANDLED;
}

/* A CPU coming up: its timer off (masked) until its queue arms it, and
 * the counter frequency the same as the boot CPU's, or said. */
static uint64_t arm_timer_freq;

static void arm_timer_cpu_init(void)
{
	uint64_t freq = read_sysreg(cntfrq_el0);

	write_sysreg(cntp_ctl_el0, CNTP_CTL_IMASK);
	__asm__ volatile("isb" ::: "memory");
	if (freq != arm_timer_freq) {
		kprintf("arm-timer: this CPU's CNTFRQ_EL0 is %llu Hz, the boot "
			"CPU's %llu: firmware left them different; the boot "
			"CPU's is used\n",
			(unsigned long long)freq,
			(unsigned long long)arm_timer_freq);
	}
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
	write_sysreg(cntp_ctl_el0, CNTP_CTL_IMASK);
	ret = irq_request(irq, arm_timer_interrupt,
			  device_irq_flags(dev, TIMER_IRQ_EL1_PHYS), "timer",
			  dev);
	if (ret < 0) {
		return ret;
	}
	arm_timer_freq = freq;
	timer_set_clocksource("cntpct", read_counter, freq);
	smp_cpu_init_register("arm-timer", arm_timer_cpu_init);
	kprintf("arm-timer: %llu Hz counter, one-shot compare, irq %d\n",
		(unsigned long long)freq, irq);
	clockevent_register(&arm_clockevent);
	return 0;
}

static const char *const arm_timer_ids[] = {"arm,armv8-timer",
					    "arm,armv7-timer", NULL};

struct driver arm_timer_driver = {
    .name = "arm-timer",
    .ids = arm_timer_ids,
    .probe = arm_timer_probe,
};
