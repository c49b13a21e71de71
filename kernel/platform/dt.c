/*
 * The device tree's devices as struct devices (see dt.h). Two passes: the
 * first creates a device per node, the second resolves interrupt parents
 * to those devices and keeps each specifier's raw cells, which the parent
 * controller's driver decodes (its irq_xlate): this file knows no
 * controller's format.
 */
#include "platform/dt.h"
#include "firmware/fdt/fdt_cpus.h"
#include "firmware/fdt/fdt_irq.h"
#include "kern/cpu.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"

#define DT_PATH_MAX 48

/* One per enabled node with a compatible, from the heap, in tree order. */
struct dt_device {
	struct device dev;
	int node;
	char path[DT_PATH_MAX];
	struct dt_device *next;
};

static struct dt_device *dt_list, **dt_tail = &dt_list;
static unsigned int nr_dt;

static struct dt_device *by_node(int node)
{
	for (struct dt_device *d = dt_list; d; d = d->next) {
		if (d->node == node) {
			return d;
		}
	}
	return NULL;
}

static void set_ids(const struct fdt *fdt, struct dt_device *d)
{
	const void *val;
	uint32_t len, off = 0;
	unsigned int n = 0;

	if (fdt_get_prop(fdt, d->node, "compatible", &val, &len) < 0) {
		return;
	}
	/* A list of NUL-terminated strings; fdt.c checked it is inside. */
	while (off < len && n < DEVICE_MAX_IDS) {
		const char *s = (const char *)val + off;
		size_t slen = strnlen(s, len - off);

		if (slen == len - off) {
			break; /* unterminated: ignore the rest */
		}
		d->dev.ids[n++] = s;
		off += (uint32_t)slen + 1;
	}
}

/* A resource the device has no room for: said, not lost silently. */
static void too_many(const struct dt_device *d, const char *what,
		     unsigned int i)
{
	kprintf("dt: %s: %s %u and on dropped: a device holds %d resources\n",
		d->path, what, i, DEVICE_MAX_RES);
}

static void add_regs(const struct fdt *fdt, struct dt_device *d)
{
	uint64_t addr, size;
	unsigned int i;
	int err;

	for (i = 0; (err = fdt_reg(fdt, d->node, i, &addr, &size)) == 0; i++) {
		if (d->dev.nres == DEVICE_MAX_RES) {
			too_many(d, "reg entry", i);
			return;
		}
		d->dev.res[d->dev.nres++] = (struct resource){
		    .type = RES_MEM, .start = addr, .size = size};
	}
	if (err != -ENOENT) {
		kprintf("dt: %s: reg is malformed (%d): ignored\n", d->path,
			err);
	}
}

/*
 * Register layout and input clock (Devicetree Specification v0.4, 4.2.2,
 * serial devices): reg-shift, reg-io-width, clock-frequency. Absent
 * properties leave the defaults: stride 1, the chip's own width, no clock.
 */
static void add_layout(const struct fdt *fdt, struct dt_device *d)
{
	uint32_t v;

	if (fdt_prop_u32(fdt, d->node, "reg-shift", &v) == 0 && v < 8) {
		d->dev.reg_shift = v;
	}
	if (fdt_prop_u32(fdt, d->node, "reg-io-width", &v) == 0 &&
	    (v == 1 || v == 2 || v == 4)) {
		d->dev.reg_width = v;
	}
	if (fdt_prop_u32(fdt, d->node, "clock-frequency", &v) == 0) {
		d->dev.clock_hz = v;
	}
}

/* One interrupt as a raw RES_IRQ of the controller that owns it. */
static int add_irq(struct dt_device *d, unsigned int i,
		   const struct fdt_irq *spec)
{
	struct dt_device *ctrl = by_node(spec->ctrl);
	struct resource *r;

	if (!ctrl) {
		kprintf("dt: %s: interrupt %u: its controller is no device\n",
			d->path, i);
		return -ENODEV;
	}
	/* One parent per device: interrupts-extended to a second
	 * controller is not supported yet. */
	if (d->dev.irq_parent && d->dev.irq_parent != &ctrl->dev) {
		kprintf("dt: %s: interrupt %u: a second controller\n", d->path,
			i);
		return -EBUSY;
	}
	if (spec->ncells > RES_IRQ_MAX_CELLS) {
		kprintf("dt: %s: interrupt %u: %u cells, more than %d\n",
			d->path, i, spec->ncells, RES_IRQ_MAX_CELLS);
		return -ERANGE;
	}
	d->dev.irq_parent = &ctrl->dev;
	r = &d->dev.res[d->dev.nres++];
	*r = (struct resource){
	    .type = RES_IRQ, .size = 1, .ncells = spec->ncells};
	memcpy(r->cells, spec->cells, spec->ncells * sizeof(r->cells[0]));
	return 0;
}

/* The second pass: interrupts, once every controller is a device. */
static void add_irqs(const struct fdt *fdt, struct dt_device *d)
{
	struct fdt_irq spec;
	unsigned int i;
	int err;

	for (i = 0; (err = fdt_irq_get(fdt, d->node, i, &spec)) == 0; i++) {
		if (d->dev.nres == DEVICE_MAX_RES) {
			too_many(d, "interrupt", i);
			return;
		}
		if (add_irq(d, i, &spec) < 0) {
			return;
		}
	}
	/* No interrupt-parent, a bad #interrupt-cells or a short property:
	 * the device goes without its interrupts, and that is said. */
	if (err != -ENOENT) {
		kprintf("dt: %s: interrupt %u: no usable specifier (%d)\n",
			d->path, i, err);
	}
}

static void make_path(const struct fdt *fdt, int node, const char *parent,
		      char *out)
{
	const char *name = "";

	fdt_node_name(fdt, node, &name);
	ksnprintf(out, DT_PATH_MAX, "%s/%s", strcmp(parent, "/") ? parent : "",
		  name);
}

/* A device for an enabled node with a compatible; when the heap has no
 * room for one, the first one dropped is named and the rest counted. */
static void add_node(const struct fdt *fdt, int node, const char *path,
		     unsigned int *dropped)
{
	struct dt_device *d;
	const char *name = "";

	if (fdt_get_prop(fdt, node, "compatible", NULL, NULL) < 0 ||
	    !fdt_node_enabled(fdt, node)) {
		return;
	}
	d = kzalloc(sizeof(*d), 0);
	if (d == NULL) {
		if (!(*dropped)++) {
			kprintf("dt: out of memory for device %s (%u added): "
				"dropped\n",
				path, nr_dt);
		}
		return;
	}
	*dt_tail = d;
	dt_tail = &d->next;
	nr_dt++;
	d->node = node;
	memcpy(d->path, path, DT_PATH_MAX);
	fdt_node_name(fdt, node, &name);
	d->dev.name = *name ? name : "/";
	d->dev.path = d->path;
	set_ids(fdt, d);
	add_regs(fdt, d);
	add_layout(fdt, d);
}

int dt_devices_add(const struct fdt *fdt)
{
	/* Depth-first walk with an explicit stack, FDT_MAX_DEPTH deep. */
	int stack[FDT_MAX_DEPTH + 1];
	char paths[FDT_MAX_DEPTH + 1][DT_PATH_MAX];
	int depth = 0, node = fdt_root(fdt);
	unsigned int dropped = 0;

	if (node < 0) {
		return node;
	}
	stack[0] = node;
	memcpy(paths[0], "/", 2);
	while (depth >= 0) {
		node = stack[depth];
		if (node >= 0) {
			add_node(fdt, node, paths[depth], &dropped);
		}
		/* Next: the first child, else the next sibling, else up. */
		int child = node >= 0 ? fdt_first_child(fdt, node) : -1;

		if (child >= 0 && depth < FDT_MAX_DEPTH) {
			make_path(fdt, child, paths[depth], paths[depth + 1]);
			stack[++depth] = child;
			continue;
		}
		if (child >= 0) {
			kprintf("dt: %s: children nested deeper than %d "
				"skipped\n",
				paths[depth], FDT_MAX_DEPTH);
		}
		while (depth >= 0) {
			int next =
			    depth ? fdt_next_sibling(fdt, stack[depth]) : -1;

			if (next >= 0) {
				stack[depth] = next;
				make_path(fdt, next, paths[depth - 1],
					  paths[depth]);
				break;
			}
			depth--;
		}
	}
	if (dropped) {
		kprintf("dt: %u device(s) dropped (out of memory) in all\n",
			dropped);
	}
	for (struct dt_device *d = dt_list; d; d = d->next) {
		add_irqs(fdt, d);
		device_add(&d->dev);
	}
	return (int)nr_dt;
}

/* One cpu node into the CPU table, with the PSCI conduit for all. */
static int add_cpu(const struct fdt_cpu *c, void *ctx)
{
	const char *conduit = ctx;
	bool psci = c->enable_method && strcmp(c->enable_method, "psci") == 0;

	cpu_register(c->mpidr, c->enabled ? CPU_FW_ENABLED : CPU_FW_DISABLED,
		     c->enable_method, psci ? conduit : NULL);
	return 0;
}

int dt_cpus_add(const struct fdt *fdt)
{
	const char *conduit = NULL;
	unsigned int bad = 0;
	int n;

	if (fdt_psci_method(fdt, &conduit) < 0) {
		conduit = NULL;
	}
	n = fdt_cpus_walk(fdt, add_cpu, (void *)conduit, &bad);
	if (n < 0) {
		kprintf("dt: /cpus unusable (%d): only the boot CPU known\n",
			n);
	}
	if (bad) {
		kprintf("dt: %u cpu node(s) with no usable reg left out\n",
			bad);
	}
	return n;
}
