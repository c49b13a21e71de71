/*
 * The chained pair of Intel 8259A PICs (8259A datasheet; the PC/AT wiring:
 * the slave's INT on the master's IR2). Programmed to 16 vectors it claims
 * at the CPU's interrupt entry (the lowest free, 8-aligned: the 8259 sends
 * the upper five bits of the vector from ICW2), every line masked until
 * requested, edge-triggered ISA lines.
 *
 * EOI: lines 8-15 need a non-specific EOI to the slave and then to the
 * master (the master saw the cascade line), lines 0-7 to the master only.
 * Spurious interrupts: a glitch on a line makes the PIC deliver IR7 (or
 * IR15 on the slave) with its In-Service bit clear. Spurious 7 gets no EOI;
 * spurious 15 gets an EOI to the master only, whose cascade line was real.
 */
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/irq.h"
#include "kern/printf.h"

#define PIC_CMD	 0 /* offset of the command port in each PIC's range */
#define PIC_DATA 1 /* offset of the data (mask) port */

#define ICW1_ICW4	 0x01
#define ICW1_INIT	 0x10
#define ICW4_8086	 0x01
#define OCW2_EOI	 0x20
#define OCW3_READ_ISR	 0x0b
#define CASCADE_LINE	 2
#define SPURIOUS_LINE	 7
#define PIC_LINES	 16
#define PIC_VECTOR_ALIGN 8 /* ICW2 gives vector bits 7:3 */

struct i8259 {
	struct io_regs master, slave; /* from the device */
	struct io_regs delay;	      /* an unused port for io_wait */
	bool has_delay;
	uint16_t mask; /* cached IMR: bit n = line n masked */
	unsigned long eois;
	unsigned int vector_base;
	int irq_base;
};

static struct i8259 pic;

/* A write to an unused port (the platform names it: the POST-code port
 * on PCs) takes about 1 us: the old 8259s need that between ICWs. */
static void io_wait(void)
{
	if (pic.has_delay) {
		io_write8(&pic.delay, 0, 0);
	}
}

static void write_masks(void)
{
	io_write8(&pic.master, PIC_DATA, (uint8_t)(pic.mask & 0xff));
	io_write8(&pic.slave, PIC_DATA, (uint8_t)(pic.mask >> 8));
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
		io_write8(&pic.slave, PIC_CMD, OCW2_EOI);
	}
	io_write8(&pic.master, PIC_CMD, OCW2_EOI);
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

static uint8_t read_isr(const struct io_regs *chip)
{
	io_write8(chip, PIC_CMD, OCW3_READ_ISR);
	return io_read8(chip, PIC_CMD);
}

static void i8259_dispatch(unsigned int vector, void *data)
{
	unsigned int line = vector - pic.vector_base;

	(void)data;
	if (line == SPURIOUS_LINE &&
	    !(read_isr(&pic.master) & (1u << SPURIOUS_LINE))) {
		irq_note_spurious();
		return; /* no EOI: nothing is in service */
	}
	if (line == 8 + SPURIOUS_LINE &&
	    !(read_isr(&pic.slave) & (1u << SPURIOUS_LINE))) {
		irq_note_spurious();
		/* The cascade line was real: EOI the master only. */
		io_write8(&pic.master, PIC_CMD, OCW2_EOI);
		pic.eois++;
		return;
	}
	irq_handle((unsigned int)pic.irq_base + line);
}

/* With nothing in service, IRQ 7 must be recognised as spurious. */
static int i8259_spurious_selftest(void)
{
	unsigned long before = pic.eois;

	i8259_dispatch(pic.vector_base + SPURIOUS_LINE, &pic);
	return (int)(pic.eois - before);
}

/* ISA IRQ resources are decoded already: the line, and its trigger. */
static int i8259_xlate(struct device *ctrl, const struct resource *res,
		       unsigned int *irq, unsigned int *trigger)
{
	(void)ctrl;
	if (res->ncells || res->start >= PIC_LINES) {
		return -EINVAL;
	}
	*irq = (unsigned int)pic.irq_base + (unsigned int)res->start;
	*trigger = res->flags & IRQF_TRIGGER_MASK;
	return 0;
}

/* ICW1-ICW4 on both chips (8259A datasheet, "Initialization"). */
static void i8259_program(uint8_t vector_base)
{
	io_write8(&pic.master, PIC_CMD, ICW1_INIT | ICW1_ICW4);
	io_wait();
	io_write8(&pic.slave, PIC_CMD, ICW1_INIT | ICW1_ICW4);
	io_wait();
	io_write8(&pic.master, PIC_DATA, vector_base);
	io_wait();
	io_write8(&pic.slave, PIC_DATA, vector_base + 8);
	io_wait();
	io_write8(&pic.master, PIC_DATA, 1u << CASCADE_LINE); /* slave: IR2 */
	io_wait();
	io_write8(&pic.slave, PIC_DATA, CASCADE_LINE); /* cascade identity */
	io_wait();
	io_write8(&pic.master, PIC_DATA, ICW4_8086);
	io_wait();
	io_write8(&pic.slave, PIC_DATA, ICW4_8086);
	io_wait();
	pic.mask = 0xffff;
	write_masks();
}

static int i8259_probe(struct device *dev)
{
	int base, vector;

	if (device_regs(dev, 0, 0, &pic.master) < 0 ||
	    device_regs(dev, 1, 0, &pic.slave) < 0) {
		return -ENODEV;
	}
	pic.has_delay = device_regs(dev, 2, 0, &pic.delay) == 0;
	base = irq_domain_add(&i8259_chip, &pic, 0, PIC_LINES, irq_flow_edge);
	if (base < 0) {
		return base;
	}
	pic.irq_base = base;
	vector = arch_irq_entry_claim(PIC_LINES, PIC_VECTOR_ALIGN,
				      IRQ_ENTRY_LOW, i8259_dispatch, &pic);
	if (vector < 0) {
		kprintf("i8259: no 16 free vectors (%d)\n", vector);
		return vector;
	}
	pic.vector_base = (unsigned int)vector;
	i8259_program((uint8_t)vector);
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
