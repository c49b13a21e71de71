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

int device_irq(const struct device *dev, unsigned int index)
{
	const struct resource *r = device_resource(dev, RES_IRQ, index);
	struct device *parent = dev->irq_parent;

	if (!r) {
		return -ENOENT;
	}
	if (!parent || !parent->irq_xlate) {
		return -ENODEV;
	}
	return parent->irq_xlate(parent, r);
}

unsigned int device_irq_flags(const struct device *dev, unsigned int index)
{
	const struct resource *r = device_resource(dev, RES_IRQ, index);

	return r ? r->flags : 0;
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

static void print_resource(const struct resource *r)
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
		kprintf("    irq  %llu%s%s\n", (unsigned long long)r->start,
			r->flags & IRQF_TRIGGER_LEVEL ? " level" : " edge",
			r->flags & IRQF_SHARED ? " shared" : "");
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
			print_resource(&dev->res[i]);
		}
	}
}
