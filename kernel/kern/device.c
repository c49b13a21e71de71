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

/*
 * Resource ownership. A bound device owns its I/O and memory ranges: a
 * device whose ranges overlap an owned range is not probed (its driver
 * never touches the hardware) and `devices` names the holder. When two
 * described devices overlap, the more specific match binds first: an
 * ACPI "PNPxxxx" ID names a class of compatible hardware, any other ID
 * (an ACPI _HID such as "KBD0001", a device-tree compatible) names one
 * product. So an SSDT's KBD0001 keyboard takes ports 0x60/0x64 ahead of
 * the DSDT's PNP0303 8042, and a second PNP0303 at the same ports finds
 * them taken and leaves the working keyboard alone.
 */
static bool ranges_overlap(const struct resource *a, const struct resource *b)
{
	if (a->type != b->type || (a->type != RES_IO && a->type != RES_MEM)) {
		return false;
	}
	/* A range of size 0 (a bare register address) is one byte. */
	uint64_t a_end = a->start + (a->size ? a->size : 1);
	uint64_t b_end = b->start + (b->size ? b->size : 1);

	return a->start < b_end && b->start < a_end;
}

static bool devices_overlap(const struct device *a, const struct device *b,
			    const struct resource **which)
{
	for (unsigned int i = 0; i < a->nres; i++) {
		for (unsigned int j = 0; j < b->nres; j++) {
			if (ranges_overlap(&a->res[i], &b->res[j])) {
				*which = &a->res[i];
				return true;
			}
		}
	}
	return false;
}

/* The bound device holding one of dev's ranges, or NULL. */
static const struct device *range_holder(const struct device *dev,
					 const struct resource **which)
{
	for (const struct device *d = devices; d; d = d->next) {
		if (d != dev && d->driver && devices_overlap(dev, d, which)) {
			return d;
		}
	}
	return NULL;
}

/* "PNP" and four hex digits: an ACPI ID for a class of compatibles. */
static bool id_is_class(const char *id)
{
	if (strncmp(id, "PNP", 3) != 0 || strlen(id) != 7) {
		return false;
	}
	for (int i = 3; i < 7; i++) {
		char c = id[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return true;
}

/* The ID a driver matched (NULL for none): device IDs in order. */
static const struct driver *driver_match_id(const struct device *dev,
					    const char **matched)
{
	for (unsigned int i = 0; i < DEVICE_MAX_IDS && dev->ids[i]; i++) {
		for (const struct driver *drv = drivers; drv; drv = drv->next) {
			for (const char *const *id = drv->ids; *id; id++) {
				if (strcmp(dev->ids[i], *id) == 0) {
					*matched = dev->ids[i];
					return drv;
				}
			}
		}
	}
	return NULL;
}

/* May dev probe now: not tried yet, and its controller bound (a
 * controller may name itself, as the GIC does for its maintenance
 * interrupt)? */
static bool probe_ready(const struct device *dev)
{
	if (dev->driver || dev->probe_result) {
		return false;
	}
	return !dev->irq_parent || dev->irq_parent == dev ||
	       dev->irq_parent->driver;
}

/* Is there a more specific device over dev's ranges that may probe now? */
static bool yields_to_specific(const struct device *dev, const char *matched)
{
	const struct resource *which;
	const char *other;

	if (!id_is_class(matched)) {
		return false;
	}
	for (const struct device *d = devices; d; d = d->next) {
		if (d != dev && probe_ready(d) && driver_match_id(d, &other) &&
		    !id_is_class(other) && devices_overlap(dev, d, &which)) {
			return true;
		}
	}
	return false;
}

/* One pass; returns how many devices it bound or refused. */
static int probe_pass(void)
{
	int done = 0;

	for (struct device *dev = devices; dev; dev = dev->next) {
		const struct resource *which;
		const struct driver *drv;
		const char *matched;

		if (!probe_ready(dev)) {
			continue;
		}
		drv = driver_match_id(dev, &matched);
		if (!drv || yields_to_specific(dev, matched)) {
			continue;
		}
		if (range_holder(dev, &which)) {
			dev->probe_result = -EADDRINUSE; /* not probed */
			done++;
			continue;
		}
		dev->probe_result = drv->probe(dev);
		if (dev->probe_result == 0) {
			dev->driver = drv;
			done++;
		}
	}
	return done;
}

void devices_probe(void)
{
	/* Each pass binds or refuses at least one device or stops:
	 * bounded. */
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

static void print_driver(const struct device *dev)
{
	const struct resource *which;
	const struct device *holder;

	if (dev->driver) {
		kprintf("]  driver: %s\n", dev->driver->name);
		return;
	}
	holder =
	    dev->probe_result == -EADDRINUSE ? range_holder(dev, &which) : NULL;
	if (holder) {
		kprintf("]  not probed: %s 0x%llx held by %s (%s)\n",
			which->type == RES_IO ? "io" : "mem",
			(unsigned long long)which->start, holder->path,
			holder->driver->name);
	} else if (dev->probe_result) {
		kprintf("]  no driver (probe: error %d)\n", dev->probe_result);
	} else {
		kprintf("]  no driver\n");
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
		print_driver(dev);
		for (unsigned int i = 0; i < dev->nres; i++) {
			print_resource(dev, &dev->res[i]);
		}
	}
}
