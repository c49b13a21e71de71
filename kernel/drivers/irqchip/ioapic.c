/*
 * The I/O APIC (Intel 82093AA datasheet): each redirection entry turns a
 * global system interrupt (GSI) into a vector for the local APIC, one
 * vector per pin from a run it claims at the CPU's interrupt entry. Lines
 * are masked until requested; polarity and trigger come from the
 * request's flags, which the platform took from ACPI (the MADT's
 * interrupt source overrides: ISA IRQ 0 is GSI 2 on QEMU and most PCs).
 *
 * Flow: fast EOI. The local APIC's EOI ends the interrupt; for a level
 * line the LAPIC broadcasts it to the I/O APICs, which clears Remote IRR,
 * so the line can fire again only after the handler quieted the device.
 *
 * Affinity: each entry names one CPU by APIC ID in physical destination
 * mode (the boot CPU's at probe); set_affinity moves it (see there for
 * why that loses no interrupt). The vector is the same on every CPU (one
 * IDT, one owner table). Registers are reached through an index and a
 * window, a pair that two CPUs must not interleave: one lock per I/O
 * APIC, taken inside the line's desc->lock.
 */
#include "drivers/irqchip/apic.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/irq.h"
#include "kern/printf.h"
#include "kern/cpu.h"
#include "kern/smp.h"
#include "kern/spinlock.h"

/* Memory-mapped: an index register and a data window (82093AA 3.1). */
#define IOREGSEL 0x00
#define IOWIN	 0x10

/* Indirect registers (82093AA 3.2). */
#define IOAPICID    0x00
#define IOAPICVER   0x01
#define IOREDTBL(n) (0x10 + 2 * (n)) /* low word; high word at + 1 */

#define IOAPICID_SHIFT	    24 /* APIC ID, bits 27:24 */
#define IOAPICID_MASK	    0xfu
#define IOAPICVER_MRE_SHIFT 16 /* Maximum Redirection Entry, 23:16 */
#define IOAPICVER_MRE_MASK  0xffu
#define RTE_VECTOR_MASK	    0xffu /* low word, bits 7:0 */
#define RTE_POLARITY_LOW    (1u << 13)
#define RTE_REMOTE_IRR	    (1u << 14)
#define RTE_LEVEL	    (1u << 15)
#define RTE_MASKED	    (1u << 16)

#define MAX_IOAPICS 4

struct ioapic {
	struct io_regs regs;
	struct spinlock lock; /* IOREGSEL + IOWIN, one access at a time */
	uint32_t gsi_base;
	unsigned int lines;
	unsigned int vector_base; /* pin n arrives as vector_base + n */
	int irq_base;
	uint32_t rte[APIC_MAX_GSI]; /* low words as last written */
};

static struct ioapic ioapics[MAX_IOAPICS];
static unsigned int nr_ioapics;

static uint32_t ioapic_read_raw(struct ioapic *io, uint32_t reg)
{
	io_write32(&io->regs, IOREGSEL, reg);
	return io_read32(&io->regs, IOWIN);
}

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	unsigned long flags = spin_lock_irqsave(&io->lock);
	uint32_t v = ioapic_read_raw(io, reg);

	spin_unlock_irqrestore(&io->lock, flags);
	return v;
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	unsigned long flags = spin_lock_irqsave(&io->lock);

	io_write32(&io->regs, IOREGSEL, reg);
	io_write32(&io->regs, IOWIN, v);
	spin_unlock_irqrestore(&io->lock, flags);
}

static void rte_update(struct irq_desc *desc, uint32_t clear, uint32_t set)
{
	struct ioapic *io = desc->chip_data;
	unsigned int pin = desc->hwirq - io->gsi_base;

	io->rte[pin] = (io->rte[pin] & ~clear) | set;
	ioapic_write(io, IOREDTBL(pin), io->rte[pin]);
}

static void ioapic_mask(struct irq_desc *desc)
{
	rte_update(desc, 0, RTE_MASKED);
}

static void ioapic_unmask(struct irq_desc *desc)
{
	rte_update(desc, RTE_MASKED, 0);
}

static void ioapic_eoi(struct irq_desc *desc)
{
	(void)desc;
	lapic_eoi();
}

static int ioapic_set_type(struct irq_desc *desc, unsigned int type)
{
	uint32_t set = 0;

	switch (type) {
	case IRQF_TRIGGER_RISING:
		break;
	case IRQF_TRIGGER_FALLING:
		set = RTE_POLARITY_LOW;
		break;
	case IRQF_TRIGGER_HIGH:
		set = RTE_LEVEL;
		break;
	case IRQF_TRIGGER_LOW:
		set = RTE_LEVEL | RTE_POLARITY_LOW;
		break;
	default:
		return -EINVAL;
	}
	rte_update(desc, RTE_LEVEL | RTE_POLARITY_LOW, set);
	return 0;
}

/*
 * Route the pin to the lowest CPU of mask that a physical destination
 * can name (APIC ID <= 255). Only the high word is written, and only
 * once; the entry is not masked around it. Why this order loses nothing
 * (82093AA datasheet 3.2.4; SDM Vol. 3A 11.6.1, 11.8.4):
 *  - the Destination field (bits 63:56) lies wholly in the high word, so
 *    one 32-bit write changes it at once: the I/O APIC never sends a
 *    message with half an old and half a new destination, and the low
 *    word (vector, trigger, mask) is untouched;
 *  - an interrupt already delivered sits in the old CPU's IRR/ISR and is
 *    handled there (its vector is the same on every CPU); for a level
 *    line the old CPU's EOI is broadcast to the I/O APICs and clears
 *    Remote IRR by vector, whatever the destination is now; if the line
 *    is still asserted it is then delivered to the new CPU;
 *  - an edge arriving during the write is held in the pin's IRR
 *    (Delivery Status "send pending") and sent once the write is done,
 *    to the new destination: either way it arrives;
 *  - masking around the write would be the unsafe order: the 82093AA
 *    ignores an edge on a masked pin (it is neither delivered nor held
 *    pending), so an edge in that window would be lost.
 * Called with desc->lock held (kern/irq.c), interrupts off.
 */
static int ioapic_set_affinity(struct irq_desc *desc, uint32_t mask)
{
	struct ioapic *io = desc->chip_data;
	unsigned int pin = desc->hwirq - io->gsi_base;
	uint64_t hwid[NR_CPUS];
	unsigned int n = cpu_count() < NR_CPUS ? cpu_count() : NR_CPUS;
	int cpu;

	for (unsigned int i = 0; i < n; i++) {
		hwid[i] = cpu_get(i)->hwid;
	}
	cpu = apic_rte_pick(mask, hwid, n);
	if (cpu < 0) {
		return -EINVAL;
	}
	ioapic_write(io, IOREDTBL(pin) + 1, apic_rte_high((uint32_t)hwid[cpu]));
	return 0;
}

static struct irq_chip ioapic_chip = {
    .name = "IO-APIC",
    .mask = ioapic_mask,
    .unmask = ioapic_unmask,
    .eoi = ioapic_eoi,
    .set_type = ioapic_set_type,
    .set_affinity = ioapic_set_affinity,
};

/* Vector (vector_base + pin) -> the pin's kernel IRQ. */
static void ioapic_dispatch(unsigned int vector, void *data)
{
	struct ioapic *io = data;

	irq_handle((unsigned int)io->irq_base + (vector - io->vector_base));
}

/* GSI resources are decoded already (ACPI): the GSI and its trigger. */
static int ioapic_xlate(struct device *ctrl, const struct resource *res,
			unsigned int *irq, unsigned int *trigger)
{
	struct ioapic *io = ctrl->driver_data;

	if (res->ncells || res->start < io->gsi_base ||
	    res->start - io->gsi_base >= io->lines) {
		return -EINVAL;
	}
	*irq = (unsigned int)io->irq_base +
	       (unsigned int)(res->start - io->gsi_base);
	*trigger = res->flags & IRQF_TRIGGER_MASK;
	return 0;
}

/* Every pin masked, edge, active high, fixed delivery to this CPU. */
static void program_pins(struct ioapic *io)
{
	for (unsigned int pin = 0; pin < io->lines; pin++) {
		io->rte[pin] =
		    RTE_MASKED | ((io->vector_base + pin) & RTE_VECTOR_MASK);
		ioapic_write(io, IOREDTBL(pin) + 1, apic_rte_high(lapic_id()));
		ioapic_write(io, IOREDTBL(pin), io->rte[pin]);
	}
}

uint32_t ioapic_read_version(uintptr_t addr)
{
	struct ioapic io = {.regs = {IO_SPACE_MMIO, addr, 0}};

	return ioapic_read_raw(&io, IOAPICVER);
}

static int ioapic_probe(struct device *dev)
{
	const struct apic_ioapic_data *pd = dev->platform_data;
	struct ioapic *io;
	int base, vector;
	uint32_t ver;

	if (!pd || nr_ioapics == MAX_IOAPICS) {
		return -ENODEV;
	}
	io = &ioapics[nr_ioapics];
	if (device_regs(dev, 0, 0, &io->regs) < 0) {
		return -ENODEV;
	}
	io->gsi_base = pd->gsi_base;
	spin_lock_init(&io->lock, "ioapic");
	ver = ioapic_read(io, IOAPICVER);
	/* All-ones: nothing answered at that address (the platform checks
	 * the version before choosing the APIC path; this is the driver's
	 * own word if it is ever bound without that). */
	if (ver == 0xffffffffu) {
		kprintf("ioapic: %s at %p: registers read all-ones: not an "
			"I/O APIC\n",
			dev->name, (void *)io->regs.base);
		return -ENODEV;
	}
	io->lines = ((ver >> IOAPICVER_MRE_SHIFT) & IOAPICVER_MRE_MASK) + 1;
	if (io->gsi_base + io->lines > APIC_MAX_GSI) {
		kprintf("ioapic: GSIs %u-%u beyond what we route\n",
			io->gsi_base, io->gsi_base + io->lines - 1);
		return -ERANGE;
	}
	base = irq_domain_add(&ioapic_chip, io, io->gsi_base, io->lines,
			      irq_flow_fasteoi);
	if (base < 0) {
		return base;
	}
	io->irq_base = base;
	vector = arch_irq_entry_claim(io->lines, 1, IRQ_ENTRY_LOW,
				      ioapic_dispatch, io);
	if (vector < 0) {
		kprintf("ioapic: no %u free vectors (%d)\n", io->lines, vector);
		return vector;
	}
	io->vector_base = (unsigned int)vector;
	program_pins(io);
	nr_ioapics++;
	dev->driver_data = io;
	dev->irq_xlate = ioapic_xlate;
	kprintf("ioapic: id %u, GSIs %u-%u at %p, vectors 0x%x-0x%x\n",
		ioapic_read(io, IOAPICID) >> IOAPICID_SHIFT & IOAPICID_MASK,
		io->gsi_base, io->gsi_base + io->lines - 1,
		(void *)io->regs.base, io->vector_base,
		io->vector_base + io->lines - 1);
	return 0;
}

static const char *const ioapic_ids[] = {"kite,ioapic", NULL};

struct driver ioapic_driver = {
    .name = "ioapic",
    .ids = ioapic_ids,
    .probe = ioapic_probe,
};
