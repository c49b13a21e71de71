/* The device list, driver matching and resource lookup (kern/device.h). */
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/printf.h"
#include "kern/string.h"

static struct device *devices, **devices_tail = &devices;
static struct driver *drivers;

void device_add(struct device *dev)
{
	dev->next = NULL;
	*devices_tail = dev;
	devices_tail = &dev->next;
}

void driver_register(struct driver *drv)
{
	drv->next = drivers;
	drivers = drv;
}

struct device *device_first(void)
{
	return devices;
}

bool device_has_id(const struct device *dev, const char *id)
{
	for (unsigned int i = 0; i < DEVICE_MAX_IDS && dev->ids[i]; i++) {
		if (strcmp(dev->ids[i], id) == 0) {
			return true;
		}
	}
	return false;
}

static const struct driver *driver_match(const struct device *dev)
{
	for (const struct driver *drv = drivers; drv; drv = drv->next) {
		for (const char *const *id = drv->ids; *id; id++) {
			if (device_has_id(dev, *id)) {
				return drv;
			}
		}
	}
	return NULL;
}

/* One pass; returns how many devices it bound. */
static int probe_pass(void)
{
	int bound = 0;

	for (struct device *dev = devices; dev; dev = dev->next) {
		const struct driver *drv;

		if (dev->driver || dev->probe_result) {
			continue;
		}
		/* Its controller first (a controller may name itself, as
		 * the GIC does for its maintenance interrupt). */
		if (dev->irq_parent && dev->irq_parent != dev &&
		    !dev->irq_parent->driver) {
			continue;
		}
		drv = driver_match(dev);
		if (!drv) {
			continue;
		}
		dev->probe_result = drv->probe(dev);
		if (dev->probe_result == 0) {
			dev->driver = drv;
			bound++;
		}
	}
	return bound;
}

void devices_probe(void)
{
	/* Each pass binds at least one device or stops: bounded. */
	while (probe_pass() > 0) {
	}
}

const struct resource *device_resource(const struct device *dev,
				       enum resource_type type,
				       unsigned int index)
{
	for (unsigned int i = 0; i < dev->nres; i++) {
		if (dev->res[i].type == type && index-- == 0) {
			return &dev->res[i];
		}
	}
	return NULL;
}

/* The parent controller decodes its own specifier. */
static int irq_decode(const struct device *dev, unsigned int index,
		      unsigned int *irq, unsigned int *flags)
{
	const struct resource *r = device_resource(dev, RES_IRQ, index);
	struct device *parent = dev->irq_parent;
	unsigned int trigger = 0;
	int ret;

	if (!r) {
		return -ENOENT;
	}
	if (!parent || !parent->irq_xlate) {
		return -ENODEV;
	}
	ret = parent->irq_xlate(parent, r, irq, &trigger);
	if (ret < 0) {
		return ret;
	}
	*flags = (trigger & IRQF_TRIGGER_MASK) | (r->flags & IRQF_SHARED);
	return 0;
}

int device_irq(const struct device *dev, unsigned int index)
{
	unsigned int irq, flags;
	int ret = irq_decode(dev, index, &irq, &flags);

	return ret < 0 ? ret : (int)irq;
}

unsigned int device_irq_flags(const struct device *dev, unsigned int index)
{
	unsigned int irq, flags;

	return irq_decode(dev, index, &irq, &flags) < 0 ? 0 : flags;
}

uint64_t device_io(const struct device *dev, unsigned int index)
{
	const struct resource *r = device_resource(dev, RES_IO, index);

	return r ? r->start : 0;
}

uint64_t device_mem(const struct device *dev, unsigned int index)
{
	const struct resource *r = device_resource(dev, RES_MEM, index);

	return r ? r->start : 0;
}

/*
 * The line on the parent and its trigger: a raw specifier decoded by the
 * parent (its hardware line: the GIC's INTID), else shown as its cells.
 */
static void print_irq(const struct device *dev, const struct resource *r)
{
	unsigned long line = r->start;
	unsigned int flags = r->flags, irq, trigger = 0;
	struct device *parent = dev->irq_parent;

	if (r->ncells && parent && parent->irq_xlate &&
	    parent->irq_xlate(parent, r, &irq, &trigger) == 0 &&
	    irq_to_desc(irq)) {
		line = irq_to_desc(irq)->hwirq;
		flags = trigger | (r->flags & IRQF_SHARED);
	} else if (r->ncells) {
		kprintf("    irq  <");
		for (unsigned int c = 0; c < r->ncells; c++) {
			kprintf("%s0x%x", c ? " " : "", r->cells[c]);
		}
		kprintf("> (not decoded)\n");
		return;
	}
	kprintf("    irq  %lu%s%s\n", line,
		flags & IRQF_TRIGGER_LEVEL ? " level" : " edge",
		flags & IRQF_SHARED ? " shared" : "");
}

static void print_resource(const struct device *dev, const struct resource *r)
{
	switch (r->type) {
	case RES_IO:
		kprintf("    io   0x%04llx-0x%04llx\n",
			(unsigned long long)r->start,
			(unsigned long long)(r->start + r->size - 1));
		break;
	case RES_MEM:
		if (!r->size) {
			kprintf("    reg  0x%llx\n",
				(unsigned long long)r->start);
			break;
		}
		kprintf("    mem  0x%08llx-0x%08llx\n",
			(unsigned long long)r->start,
			(unsigned long long)(r->start + r->size - 1));
		break;
	case RES_IRQ:
		print_irq(dev, r);
		break;
	}
}

void devices_print(void)
{
	for (const struct device *dev = devices; dev; dev = dev->next) {
		kprintf("%-10s %s  [", dev->name, dev->path);
		for (unsigned int i = 0; i < DEVICE_MAX_IDS && dev->ids[i];
		     i++) {
			kprintf("%s%s", i ? " " : "", dev->ids[i]);
		}
		if (dev->driver) {
			kprintf("]  driver: %s\n", dev->driver->name);
		} else if (dev->probe_result) {
			kprintf("]  no driver (probe: error %d)\n",
				dev->probe_result);
		} else {
			kprintf("]  no driver\n");
		}
		for (unsigned int i = 0; i < dev->nres; i++) {
			print_resource(dev, &dev->res[i]);
		}
	}
}
