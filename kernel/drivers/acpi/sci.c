/*
 * The ACPI System Control Interrupt (ACPI 6.x, 4.8 "ACPI Hardware
 * Features"): a shareable, level-triggered, active-low-or-high line (the
 * FADT names it, the MADT's override gives its wiring: GSI 9, level, high
 * on QEMU). Here it carries the power button's fixed event: the handler
 * checks PM1 status against PM1 enable, clears what it saw by writing the
 * bits back, and declines an interrupt that was not its own.
 *
 * Switching the chipset to ACPI mode is the OS's job: write ACPI_ENABLE to
 * SMI_CMD, then wait (bounded) for PM1_CNT.SCI_EN.
 */
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/printf.h"
#include "arch/x86_64/cpu.h"
#include "drivers/acpi/sci.h"

#define PM1_CNT_SCI_EN (1u << 0)
#define PM1_PWRBTN     (1u << 8) /* PWRBTN_STS / PWRBTN_EN */
#define ENABLE_POLLS   1000000

static struct acpi_sci_data sci;
static unsigned long power_button_presses;

unsigned long acpi_sci_power_button_presses(void)
{
	return __atomic_load_n(&power_button_presses, __ATOMIC_RELAXED);
}

static uint16_t pm1_status(void)
{
	return inw((uint16_t)sci.pm1a_evt);
}

static uint16_t pm1_enable_port(void)
{
	return (uint16_t)(sci.pm1a_evt + sci.pm1_evt_len / 2);
}

static enum irq_return sci_interrupt(unsigned int irq, void *dev)
{
	uint16_t pending = pm1_status() & inw(pm1_enable_port());

	(void)irq;
	(void)dev;
	if (!pending) {
		return IRQ_NONE;
	}
	/* Status bits clear by writing 1: the line drops before the EOI. */
	outw((uint16_t)sci.pm1a_evt, pending);
	if (pending & PM1_PWRBTN) {
		power_button_presses++;
		kprintf("acpi: power button pressed (%lu); type poweroff to "
			"turn off\n",
			power_button_presses);
	}
	return IRQ_HANDLED;
}

static int acpi_mode_on(void)
{
	if (inw((uint16_t)sci.pm1a_cnt) & PM1_CNT_SCI_EN) {
		return 0;
	}
	if (!sci.smi_cmd || !sci.acpi_enable) {
		return -ENODEV;
	}
	outb((uint16_t)sci.smi_cmd, sci.acpi_enable);
	for (int i = 0; i < ENABLE_POLLS; i++) {
		if (inw((uint16_t)sci.pm1a_cnt) & PM1_CNT_SCI_EN) {
			return 0;
		}
	}
	return -ETIMEDOUT;
}

static int sci_probe(struct device *dev)
{
	const struct acpi_sci_data *pd = dev->platform_data;
	int irq = device_irq(dev, 0), ret;

	if (!pd || irq < 0 || !pd->pm1a_evt || pd->pm1_evt_len < 4 ||
	    !pd->pm1a_cnt) {
		return irq < 0 ? irq : -ENODEV;
	}
	sci = *pd;
	ret = acpi_mode_on();
	if (ret < 0) {
		kprintf("acpi: could not enter ACPI mode (%d)\n", ret);
		return ret;
	}
	outw((uint16_t)sci.pm1a_evt, 0xffff); /* stale status */
	ret = irq_request(irq, sci_interrupt,
			  device_irq_flags(dev, 0) | IRQF_SHARED, "acpi-sci",
			  dev);
	if (ret < 0) {
		return ret;
	}
	outw(pm1_enable_port(), PM1_PWRBTN);
	kprintf("acpi: SCI on irq %d, power button enabled\n", irq);
	return 0;
}

static const char *const sci_ids[] = {"kite,acpi-sci", NULL};

struct driver acpi_sci_driver = {
    .name = "acpi-sci",
    .ids = sci_ids,
    .probe = sci_probe,
};
