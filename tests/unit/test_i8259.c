/*
 * The 8259A pair driver (kernel/drivers/irqchip/i8259.c) against a model
 * of the two chips' ports: the initialisation words, the masks, and the
 * EOI rules (8259A datasheet, "End of Interrupt"; the PC/AT cascade on
 * the master's IR2):
 *
 *   - a spurious IRQ 7 (master ISR bit 7 clear) gets no EOI at all;
 *   - a spurious IRQ 15 (slave ISR bit 7 clear) gets an EOI to the master
 *     only, whose cascade line really was in service;
 *   - a slave line (8-15) is EOI'd at the slave, then at the master;
 *     a master line at the master only.
 *
 * The driver's source is included here with its register accessors
 * renamed to this file's model, so its static state is visible and the
 * model's names cannot clash with other tests' register mocks.
 */
#define io_read8    i8259_model_read8
#define io_read16   i8259_model_read16
#define io_read32   i8259_model_read32
#define io_write8   i8259_model_write8
#define io_write16  i8259_model_write16
#define io_write32  i8259_model_write32
#define device_regs i8259_model_device_regs
#include "drivers/irqchip/i8259.c"

#include <string.h>

#include "fake_arch.h"
#include "unit.h"

#define MASTER_PORT 0x20
#define SLAVE_PORT  0xa0
#define DELAY_PORT  0x80

/* One 8259A as its ports show it. */
struct model_pic {
	uint8_t imr, isr, irr;
	bool read_isr;	       /* OCW3: the command port reads ISR, else IRR */
	unsigned int icw_next; /* 0: not initialising; 2-4: next ICW */
	uint8_t icw2, icw3, icw4;
	unsigned int eois;
};

static struct model_pic model_master, model_slave;
static char eoi_log[64]; /* "S" and "M" in the order the EOIs came */
static unsigned int delay_writes;

static struct model_pic *model_of(const struct io_regs *r)
{
	return r->base == MASTER_PORT  ? &model_master
	       : r->base == SLAVE_PORT ? &model_slave
				       : NULL;
}

/* A non-specific EOI clears the highest-priority (lowest) ISR bit. */
static void model_eoi(struct model_pic *p)
{
	p->eois++;
	strncat(eoi_log, p == &model_master ? "M" : "S",
		sizeof(eoi_log) - strlen(eoi_log) - 1);
	for (unsigned int b = 0; b < 8; b++) {
		if (p->isr & (1u << b)) {
			p->isr &= (uint8_t) ~(1u << b);
			return;
		}
	}
}

static void model_command(struct model_pic *p, uint8_t v)
{
	if (v & ICW1_INIT) {
		p->icw_next = 2;
		p->imr = 0;
		p->isr = 0;
		p->read_isr = false;
	} else if (v == OCW2_EOI) {
		model_eoi(p);
	} else if (v == OCW3_READ_ISR) {
		p->read_isr = true;
	} else if (v == 0x0a) { /* OCW3: read IRR */
		p->read_isr = false;
	} else {
		unit_fail(__FILE__, __LINE__, "8259: command 0x%02x", v);
	}
}

static void model_data(struct model_pic *p, uint8_t v)
{
	switch (p->icw_next) {
	case 2:
		p->icw2 = v;
		p->icw_next = 3;
		return;
	case 3:
		p->icw3 = v;
		p->icw_next = 4;
		return;
	case 4:
		p->icw4 = v;
		p->icw_next = 0;
		return;
	default:
		p->imr = v;
	}
}

uint8_t i8259_model_read8(const struct io_regs *r, unsigned int reg)
{
	struct model_pic *p = model_of(r);

	if (!p || r->space != IO_SPACE_PORT) {
		unit_fail(__FILE__, __LINE__, "8259: read of 0x%lx",
			  (unsigned long)r->base);
		return 0xff;
	}
	if (reg == PIC_DATA) {
		return p->imr;
	}
	return p->read_isr ? p->isr : p->irr;
}

void i8259_model_write8(const struct io_regs *r, unsigned int reg, uint8_t v)
{
	struct model_pic *p = model_of(r);

	if (r->base == DELAY_PORT) {
		delay_writes++;
		return;
	}
	if (!p || r->space != IO_SPACE_PORT) {
		unit_fail(__FILE__, __LINE__, "8259: write of 0x%lx",
			  (unsigned long)r->base);
		return;
	}
	if (reg == PIC_CMD) {
		model_command(p, v);
	} else {
		model_data(p, v);
	}
}

/* The 8259 is byte-wide: any other access is a driver bug. */
uint16_t i8259_model_read16(const struct io_regs *r, unsigned int reg)
{
	(void)r;
	unit_fail(__FILE__, __LINE__, "8259: 16-bit read of %u", reg);
	return 0;
}

uint32_t i8259_model_read32(const struct io_regs *r, unsigned int reg)
{
	(void)r;
	unit_fail(__FILE__, __LINE__, "8259: 32-bit read of %u", reg);
	return 0;
}

void i8259_model_write16(const struct io_regs *r, unsigned int reg, uint16_t v)
{
	(void)r;
	(void)v;
	unit_fail(__FILE__, __LINE__, "8259: 16-bit write of %u", reg);
}

void i8259_model_write32(const struct io_regs *r, unsigned int reg, uint32_t v)
{
	(void)r;
	(void)v;
	unit_fail(__FILE__, __LINE__, "8259: 32-bit write of %u", reg);
}

/* The index-th I/O range of the device, as kern/io.c gives it. */
int i8259_model_device_regs(const struct device *dev, unsigned int index,
			    unsigned int shift, struct io_regs *out)
{
	for (unsigned int i = 0; i < dev->nres; i++) {
		if (dev->res[i].type == RES_IO && index-- == 0) {
			*out = (struct io_regs){
			    IO_SPACE_PORT, (uintptr_t)dev->res[i].start, shift};
			return 0;
		}
	}
	return -ENOENT;
}

static struct device pic_dev = {
    .name = "pic",
    .ids = {"PNP0000"},
    .res = {{.type = RES_IO, .start = MASTER_PORT, .size = 2},
	    {.type = RES_IO, .start = SLAVE_PORT, .size = 2},
	    {.type = RES_IO, .start = DELAY_PORT, .size = 1}},
    .nres = 3,
};

static unsigned int handler_calls[16];

static enum irq_return count_handler(unsigned int irq, void *dev)
{
	(void)dev;
	handler_calls[irq % 16]++;
	return IRQ_HANDLED;
}

static unsigned int vector0; /* the first vector the driver claimed */

/* A fresh core, fresh chips, the driver probed. */
static int pic_setup(void)
{
	fake_arch_reset();
	irq_core_init();
	memset(&model_master, 0, sizeof(model_master));
	memset(&model_slave, 0, sizeof(model_slave));
	memset(handler_calls, 0, sizeof(handler_calls));
	eoi_log[0] = '\0';
	delay_writes = 0;
	if (i8259_probe(&pic_dev) < 0) {
		return -1;
	}
	vector0 = pic.vector_base;
	return 0;
}

/* The PIC raises line n: its IRR/ISR bits as the chips would set them,
 * then the CPU takes the vector. */
static void raise_line(unsigned int line, bool in_service)
{
	if (in_service) {
		if (line >= 8) {
			model_slave.isr |= (uint8_t)(1u << (line - 8));
			model_master.isr |= 1u << CASCADE_LINE;
		} else {
			model_master.isr |= (uint8_t)(1u << line);
		}
	}
	fake_entry_raise(vector0 + line);
}

TEST(i8259_probe_programs_and_masks_everything)
{
	REQUIRE_EQ_INT(pic_setup(), 0);
	/* 16 vectors from the root hook, 8-aligned (ICW2 bits 7:3). */
	CHECK_EQ_INT(vector0 % 8, 0);
	CHECK_EQ_INT(model_master.icw2, vector0);
	CHECK_EQ_INT(model_slave.icw2, vector0 + 8);
	CHECK_EQ_INT(model_master.icw3, 1u << CASCADE_LINE);
	CHECK_EQ_INT(model_slave.icw3, CASCADE_LINE);
	CHECK_EQ_INT(model_master.icw4, ICW4_8086);
	CHECK_EQ_INT(model_slave.icw4, ICW4_8086);
	CHECK_EQ_INT(model_master.imr, 0xff);
	CHECK_EQ_INT(model_slave.imr, 0xff);
	CHECK(delay_writes >= 8);
	/* The claimed vectors are the driver's; the next one is not. */
	CHECK_EQ_INT(
	    arch_irq_entry_claim(1, 1, IRQ_ENTRY_LOW, i8259_dispatch, NULL),
	    vector0 + 16);
}

TEST(i8259_slave_line_unmask_opens_the_cascade)
{
	REQUIRE_EQ_INT(pic_setup(), 0);
	REQUIRE_EQ_INT(irq_request((unsigned int)pic.irq_base + 12,
				   count_handler, IRQF_TRIGGER_RISING, "mouse",
				   &pic_dev),
		       0);
	CHECK_EQ_INT(model_slave.imr, 0xff & ~(1u << 4));
	CHECK_EQ_INT(model_master.imr, 0xff & ~(1u << CASCADE_LINE));
	/* ISA lines are edges: a level request is refused. */
	CHECK_EQ_INT(irq_request((unsigned int)pic.irq_base + 3, count_handler,
				 IRQF_TRIGGER_HIGH, "com2", &pic_dev),
		     -EINVAL);
}

TEST(i8259_spurious_7_gets_no_eoi)
{
	REQUIRE_EQ_INT(pic_setup(), 0);
	REQUIRE_EQ_INT(irq_request((unsigned int)pic.irq_base + 7,
				   count_handler, 0, "lpt", &pic_dev),
		       0);
	raise_line(7, false); /* ISR bit 7 clear: a glitch */
	CHECK_EQ_INT(model_master.eois, 0);
	CHECK_EQ_INT(model_slave.eois, 0);
	CHECK_EQ_INT(handler_calls[7], 0);
	CHECK_EQ_INT(irq_spurious_count(), 1);
	/* The same line really in service is handled and EOI'd. */
	raise_line(7, true);
	CHECK_EQ_INT(handler_calls[7], 1);
	CHECK_EQ_STR(eoi_log, "M");
	CHECK_EQ_INT(model_master.isr, 0);
	CHECK_EQ_INT(irq_spurious_count(), 1);
}

TEST(i8259_spurious_15_eois_the_master_only)
{
	REQUIRE_EQ_INT(pic_setup(), 0);
	REQUIRE_EQ_INT(irq_request((unsigned int)pic.irq_base + 15,
				   count_handler, 0, "ide1", &pic_dev),
		       0);
	/* The cascade was raised, the slave's line 7 was not in service. */
	model_master.isr = 1u << CASCADE_LINE;
	raise_line(15, false);
	CHECK_EQ_STR(eoi_log, "M");
	CHECK_EQ_INT(model_slave.eois, 0);
	CHECK_EQ_INT(model_master.isr, 0);
	CHECK_EQ_INT(handler_calls[15], 0);
	CHECK_EQ_INT(irq_spurious_count(), 1);
}

TEST(i8259_slave_lines_eoi_slave_then_master)
{
	REQUIRE_EQ_INT(pic_setup(), 0);
	REQUIRE_EQ_INT(irq_request((unsigned int)pic.irq_base + 12,
				   count_handler, 0, "mouse", &pic_dev),
		       0);
	raise_line(12, true);
	CHECK_EQ_INT(handler_calls[12], 1);
	CHECK_EQ_STR(eoi_log, "SM");
	CHECK_EQ_INT(model_slave.isr, 0);
	CHECK_EQ_INT(model_master.isr, 0);
	/* A real line 15 (ISR bit set) is a slave line like any other. */
	REQUIRE_EQ_INT(irq_request((unsigned int)pic.irq_base + 15,
				   count_handler, 0, "ide1", &pic_dev),
		       0);
	eoi_log[0] = '\0';
	raise_line(15, true);
	CHECK_EQ_INT(handler_calls[15], 1);
	CHECK_EQ_STR(eoi_log, "SM");
	CHECK_EQ_INT(irq_spurious_count(), 0);
}

TEST(i8259_master_lines_eoi_the_master_only)
{
	REQUIRE_EQ_INT(pic_setup(), 0);
	REQUIRE_EQ_INT(irq_request((unsigned int)pic.irq_base + 1,
				   count_handler, 0, "kbd", &pic_dev),
		       0);
	raise_line(1, true);
	CHECK_EQ_INT(handler_calls[1], 1);
	CHECK_EQ_STR(eoi_log, "M");
	CHECK_EQ_INT(model_slave.eois, 0);
}

TEST(i8259_spurious_selftest_sees_no_eoi)
{
	REQUIRE_EQ_INT(pic_setup(), 0);
	CHECK_EQ_INT(irq_spurious_selftest(), 0);
	CHECK_EQ_INT(irq_spurious_count(), 1);
	CHECK_EQ_INT(model_master.eois + model_slave.eois, 0);
}

TEST(i8259_xlate_takes_decoded_isa_lines)
{
	struct resource isa4 = {.type = RES_IRQ,
				.start = 4,
				.size = 1,
				.flags = IRQF_TRIGGER_RISING | IRQF_SHARED};
	struct resource isa16 = {.type = RES_IRQ, .start = 16, .size = 1};
	struct resource raw = {.type = RES_IRQ, .ncells = 2, .cells = {4, 1}};
	unsigned int irq = 0, trigger = 0;

	REQUIRE_EQ_INT(pic_setup(), 0);
	CHECK_EQ_INT(pic_dev.irq_xlate(&pic_dev, &isa4, &irq, &trigger), 0);
	CHECK_EQ_INT(irq, pic.irq_base + 4);
	CHECK_EQ_INT(trigger, IRQF_TRIGGER_RISING);
	CHECK_EQ_INT(pic_dev.irq_xlate(&pic_dev, &isa16, &irq, &trigger),
		     -EINVAL);
	/* A device-tree specifier is not an ISA line. */
	CHECK_EQ_INT(pic_dev.irq_xlate(&pic_dev, &raw, &irq, &trigger),
		     -EINVAL);
}
