/*
 * The chained pair of Intel 8259A PICs (8259A datasheet; the PC/AT wiring:
 * the slave's INT on the master's IR2). Remapped to vectors 32-47, every
 * line masked until requested, edge-triggered ISA lines.
 *
 * EOI: lines 8-15 need a non-specific EOI to the slave and then to the
 * master (the master saw the cascade line), lines 0-7 to the master only.
 * Spurious interrupts: a glitch on a line makes the PIC deliver IR7 (or
 * IR15 on the slave) with its In-Service bit clear. Spurious 7 gets no EOI;
 * spurious 15 gets an EOI to the master only, whose cascade line was real.
 */
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/printf.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/vectors.h"

#define PIC_CMD	 0 /* offset of the command port in each PIC's range */
#define PIC_DATA 1 /* offset of the data (mask) port */

#define ICW1_ICW4     0x01
#define ICW1_INIT     0x10
#define ICW4_8086     0x01
#define OCW2_EOI      0x20
#define OCW3_READ_ISR 0x0b
#define CASCADE_LINE  2
#define SPURIOUS_LINE 7

struct i8259 {
	uint16_t master, slave; /* command ports, from the device */
	uint16_t delay_port;	/* an unused port for io_wait, or 0 */
	uint16_t mask;		/* cached IMR: bit n = line n masked */
	unsigned long eois;
	int irq_base;
};

static struct i8259 pic;

/* A write to an unused port (the platform names it: the POST-code port
 * on PCs) takes about 1 us: the old 8259s need that between ICWs. */
static void io_wait(void)
{
	if (pic.delay_port) {
		outb(pic.delay_port, 0);
	}
}

static void write_masks(void)
{
	outb(pic.master + PIC_DATA, pic.mask & 0xff);
	outb(pic.slave + PIC_DATA, pic.mask >> 8);
}

static void i8259_mask(struct irq_desc *desc)
{
	pic.mask |= 1u << desc->hwirq;
	write_masks();
}

static void i8259_unmask(struct irq_desc *desc)
{
	pic.mask &= ~(1u << desc->hwirq);
	/* A slave line needs the cascade line open on the master. */
	if (desc->hwirq >= 8) {
		pic.mask &= ~(1u << CASCADE_LINE);
	}
	write_masks();
}

static void i8259_eoi_line(unsigned long line)
{
	pic.eois++;
	if (line >= 8) {
		outb(pic.slave + PIC_CMD, OCW2_EOI);
	}
	outb(pic.master + PIC_CMD, OCW2_EOI);
}

/* Edge flow: EOI before the handlers, so a new edge is latched. */
static void i8259_ack(struct irq_desc *desc)
{
	i8259_eoi_line(desc->hwirq);
}

static int i8259_set_type(struct irq_desc *desc, unsigned int type)
{
	(void)desc;
	/* ISA lines are edge-triggered, active high (ELCR aside). */
	return type & ~IRQF_TRIGGER_RISING ? -EINVAL : 0;
}

static struct irq_chip i8259_chip = {
    .name = "XT-PIC",
    .mask = i8259_mask,
    .unmask = i8259_unmask,
    .ack = i8259_ack,
    .set_type = i8259_set_type,
};

static uint8_t read_isr(uint16_t cmd)
{
	outb(cmd, OCW3_READ_ISR);
	return inb(cmd);
}

static void i8259_dispatch(unsigned int vector, void *data)
{
	unsigned int line = vector - VECTOR_IRQ_BASE;

	(void)data;
	if (line == SPURIOUS_LINE &&
	    !(read_isr(pic.master) & (1u << SPURIOUS_LINE))) {
		irq_note_spurious();
		return; /* no EOI: nothing is in service */
	}
	if (line == 8 + SPURIOUS_LINE &&
	    !(read_isr(pic.slave) & (1u << SPURIOUS_LINE))) {
		irq_note_spurious();
		outb(pic.master + PIC_CMD, OCW2_EOI); /* the cascade was real */
		pic.eois++;
		return;
	}
	irq_handle(pic.irq_base + line);
}

/* With nothing in service, IRQ 7 must be recognised as spurious. */
static int i8259_spurious_selftest(void)
{
	unsigned long before = pic.eois;

	i8259_dispatch(VECTOR_IRQ_BASE + SPURIOUS_LINE, &pic);
	return (int)(pic.eois - before);
}

static int i8259_xlate(struct device *ctrl, const struct resource *res)
{
	(void)ctrl;
	return res->start < 16 ? pic.irq_base + (int)res->start : -EINVAL;
}

/* ICW1-ICW4 on both chips (8259A datasheet, "Initialization"). */
static void i8259_program(uint8_t vector_base)
{
	outb(pic.master + PIC_CMD, ICW1_INIT | ICW1_ICW4);
	io_wait();
	outb(pic.slave + PIC_CMD, ICW1_INIT | ICW1_ICW4);
	io_wait();
	outb(pic.master + PIC_DATA, vector_base);
	io_wait();
	outb(pic.slave + PIC_DATA, vector_base + 8);
	io_wait();
	outb(pic.master + PIC_DATA, 1u << CASCADE_LINE); /* slave on IR2 */
	io_wait();
	outb(pic.slave + PIC_DATA, CASCADE_LINE); /* its cascade identity */
	io_wait();
	outb(pic.master + PIC_DATA, ICW4_8086);
	io_wait();
	outb(pic.slave + PIC_DATA, ICW4_8086);
	io_wait();
	pic.mask = 0xffff;
	write_masks();
}

static int i8259_probe(struct device *dev)
{
	int base;

	pic.master = device_io(dev, 0);
	pic.slave = device_io(dev, 1);
	pic.delay_port = device_io(dev, 2);
	if (!pic.master || !pic.slave) {
		return -ENODEV;
	}
	i8259_program(VECTOR_IRQ_BASE);
	base = irq_domain_add(&i8259_chip, &pic, 0, 16, irq_flow_edge);
	if (base < 0) {
		return base;
	}
	pic.irq_base = base;
	for (unsigned int v = 0; v < 16; v++) {
		x86_vector_set(VECTOR_IRQ_BASE + v, i8259_dispatch, &pic);
	}
	dev->irq_xlate = i8259_xlate;
	dev->driver_data = &pic;
	irq_set_spurious_selftest(i8259_spurious_selftest);
	return 0;
}

static const char *const i8259_ids[] = {"PNP0000", NULL};

struct driver i8259_driver = {
    .name = "i8259",
    .ids = i8259_ids,
    .probe = i8259_probe,
};
