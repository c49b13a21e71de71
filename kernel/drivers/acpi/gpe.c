/*
 * General-purpose events (gpe.h): ACPI 6.5, 4.8.4.1 for the registers
 * (status bits clear by writing 1, enable bits are plain), 5.6.4 for
 * what the OS does with them, 5.6.4.1 for the methods.
 *
 * Only the SCI's thread and its probe write the registers, one at a
 * time; the primary handler only reads them.
 */
#include "drivers/acpi/gpe.h"
#include "drivers/acpi/notify.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/ktimer.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/vm.h"

#define DISPATCH_PASSES 8 /* rescans of the blocks per SCI, at most */
/* A method that fails this many times in a row never will work: its GPE
 * (a level one would fire on every SCI) is disabled. */
#define FAILS_IN_A_ROW 16
#define PATH_LEN       32

struct gpe_info {
	struct aml_node *method; /* _Lxx / _Exx, NULL if none */
	char name[5];		 /* its NameSeg, for the shell */
	bool level;
	bool enabled;
	bool wake;		/* named by a device's _PRW: for waking only */
	unsigned long count;	/* times it was handled */
	unsigned long failures; /* of its method */
	unsigned int fails_in_a_row;
	uint64_t last_ns, max_ns; /* its method's run time */
};

static struct acpi_gpe_blocks blocks;
static struct io_regs regs[ACPI_GPE_BLOCKS];
static unsigned int slot0[ACPI_GPE_BLOCKS]; /* first gpes[] entry per block */
static struct gpe_info *gpes;
static unsigned int ngpes;
static struct aml_node *gpe_scope;

static struct gpe_info *gpe_at(unsigned int block, unsigned int n)
{
	return &gpes[slot0[block] + n];
}

static uint8_t status_read(unsigned int b, unsigned int r)
{
	return io_read8(&regs[b], r);
}

static uint8_t enable_read(unsigned int b, unsigned int r)
{
	return io_read8(&regs[b], blocks.b[b].regs + r);
}

/* Status bits clear by writing 1; the zeros leave the others alone. */
static void status_clear(unsigned int b, unsigned int r, uint8_t mask)
{
	io_write8(&regs[b], r, mask);
}

static void enable_set(unsigned int b, unsigned int r, uint8_t mask, bool on)
{
	uint8_t en = enable_read(b, r);

	io_write8(&regs[b], blocks.b[b].regs + r,
		  on ? (uint8_t)(en | mask) : (uint8_t)(en & ~mask));
}

static int map_block(unsigned int i)
{
	const struct acpi_gpe_block *b = &blocks.b[i];
	size_t len = 2 * (size_t)b->regs;
	void *virt;

	if (!b->memory) {
		if (b->addr > 0xffff || len > 0x10000 - b->addr) {
			return -ERANGE;
		}
		regs[i] =
		    (struct io_regs){IO_SPACE_PORT, (uintptr_t)b->addr, 0};
		return 0;
	}
	virt = ioremap(b->addr, len);
	if (virt == NULL) {
		return -ENOMEM;
	}
	regs[i] = (struct io_regs){IO_SPACE_MMIO, (uintptr_t)virt, 0};
	return 0;
}

/* 5.6.4: the OS starts with every GPE disabled and its status clear. */
static void quiet_all(void)
{
	for (unsigned int b = 0; b < blocks.count; b++) {
		for (unsigned int r = 0; r < blocks.b[b].regs; r++) {
			io_write8(&regs[b], blocks.b[b].regs + r, 0);
			status_clear(b, r, 0xff);
		}
	}
}

/* A \_GPE method: its GPE gets it, if a block has that GPE. */
static int collect(struct aml_node *n, void *arg)
{
	unsigned int gpe;
	bool level;
	struct acpi_gpe_reg reg;
	struct gpe_info *g;
	char path[PATH_LEN];

	(void)arg;
	if (aml_node_parent(n) != gpe_scope ||
	    !acpi_gpe_method_name(aml_node_name(n), &gpe, &level)) {
		return 0;
	}
	aml_node_path(n, path, sizeof(path));
	if (acpi_gpe_locate(&blocks, gpe, &reg) < 0) {
		kprintf("acpi: %s: GPE 0x%02x is in no GPE block: not "
			"enabled\n",
			path, gpe);
		return 0;
	}
	g = gpe_at(reg.block, gpe - blocks.b[reg.block].base);
	if (g->method) {
		kprintf("acpi: %s: GPE 0x%02x has a method already: the first "
			"is kept\n",
			path, gpe);
		return 0;
	}
	g->method = n;
	g->level = level;
	for (int i = 0; i < 4; i++) {
		g->name[i] = (char)(aml_node_name(n) >> (8 * i));
	}
	return 0;
}

struct device_list {
	struct aml_node **nodes;
	unsigned int n, cap;
};

static int add_device(struct aml_node *n, void *arg)
{
	struct device_list *l = arg;

	if (l->n < l->cap) {
		l->nodes[l->n++] = n;
	}
	return 0;
}

/* _PRW's first element: the GPE number, or a package naming a GPE block
 * device and an index (7.3.13); only the first form is a FADT GPE. */
static void prw_mark(struct aml_ns *ns, struct aml_node *dev,
		     unsigned int *wake)
{
	struct aml_value out = {.type = AML_UNINIT};
	struct acpi_gpe_reg reg;

	if (aml_ns_eval(ns, dev, "_PRW", NULL, 0, &out) == 0 &&
	    out.type == AML_PACKAGE && out.package.count >= 2 &&
	    out.package.elems[0].type == AML_INTEGER &&
	    out.package.elems[0].integer <= 0xffffffffu &&
	    acpi_gpe_locate(&blocks, (unsigned int)out.package.elems[0].integer,
			    &reg) == 0) {
		struct gpe_info *g = gpe_at(
		    reg.block, (unsigned int)out.package.elems[0].integer -
				   blocks.b[reg.block].base);

		*wake += !g->wake;
		g->wake = true;
	}
	aml_value_free(&out);
}

/*
 * Wake GPEs (a device's _PRW names them, 7.3.13) signal a wake event and
 * are left disabled while the machine runs, as ACPICA does: enabled,
 * some fire continuously. The devices are listed first, then evaluated:
 * no evaluation runs inside the walk.
 */
static void find_wake_gpes(struct aml_ns *ns)
{
	struct aml_ns_stats st;
	struct device_list l = {0};
	unsigned int wake = 0;

	aml_ns_get_stats(ns, &st);
	l.cap = st.devices;
	l.nodes = l.cap ? kmalloc(l.cap * sizeof(*l.nodes), 0) : NULL;
	if (l.nodes == NULL) {
		return;
	}
	aml_ns_walk(ns, NULL, AML_DEVICE, add_device, &l);
	for (unsigned int i = 0; i < l.n; i++) {
		prw_mark(ns, l.nodes[i], &wake);
	}
	kfree(l.nodes);
	if (wake) {
		kprintf("acpi: %u wake GPE(s) named by _PRW: left disabled\n",
			wake);
	}
}

static void find_methods(void)
{
	struct aml_ns *ns = acpi_ns_lock();

	if (ns == NULL) {
		kprintf("acpi: no namespace: every GPE stays disabled\n");
		return;
	}
	gpe_scope = aml_ns_lookup(ns, NULL, "\\_GPE");
	if (gpe_scope) {
		aml_ns_walk(ns, gpe_scope, AML_METHOD, collect, NULL);
	}
	find_wake_gpes(ns);
	acpi_ns_unlock();
}

/* "0x01 edge, 0x03 level": the enabled GPEs, on lines that fit. */
static void say_enabled(unsigned int gpe, bool level, char *line, size_t size,
			size_t *len)
{
	int n;

	if (*len > size - 16) {
		kprintf("acpi: GPEs enabled: %s\n", line);
		*len = 0;
	}
	n = ksnprintf(line + *len, size - *len, "%s0x%02x %s", *len ? ", " : "",
		      gpe, level ? "level" : "edge");
	*len += (size_t)n;
}

/* Enable each GPE that has a method and is not for waking; say which. */
static void enable_methods(void)
{
	char line[96];
	size_t len = 0;

	for (unsigned int b = 0; b < blocks.count; b++) {
		const struct acpi_gpe_block *blk = &blocks.b[b];

		kprintf("acpi: GPE%u at %s %#llx: GPEs 0x%02x-0x%02x\n", b,
			blk->memory ? "mem" : "io",
			(unsigned long long)blk->addr, blk->base,
			blk->base + acpi_gpe_block_size(blk) - 1);
		for (unsigned int n = 0; n < acpi_gpe_block_size(blk); n++) {
			struct gpe_info *g = gpe_at(b, n);

			if (g->method && !g->wake) {
				g->enabled = true;
				enable_set(b, n / 8, (uint8_t)(1u << (n % 8)),
					   true);
				say_enabled(blk->base + n, g->level, line,
					    sizeof(line), &len);
			}
		}
	}
	if (len) {
		kprintf("acpi: GPEs enabled: %s\n", line);
	} else {
		kprintf("acpi: no runtime \\_GPE methods: every GPE "
			"disabled\n");
	}
}

int acpi_gpe_init(const struct acpi_gpe_blocks *from)
{
	blocks = *from;
	ngpes = 0;
	for (unsigned int i = 0; i < blocks.count; i++) {
		int ret = map_block(i);

		if (ret < 0) {
			kprintf("acpi: GPE%u at %p: not mappable (%d): left "
				"out\n",
				i, (void *)(uintptr_t)blocks.b[i].addr, ret);
			blocks.count = i;
			break;
		}
		slot0[i] = ngpes;
		ngpes += acpi_gpe_block_size(&blocks.b[i]);
	}
	if (blocks.dropped) {
		kprintf("acpi: GPE1 left out: %s\n", blocks.dropped);
	}
	if (ngpes == 0) {
		return -ENODEV;
	}
	gpes = kzalloc(ngpes * sizeof(*gpes), 0);
	if (gpes == NULL) {
		kprintf("acpi: no memory for %u GPEs: left disabled\n", ngpes);
		blocks.count = 0;
		return -ENOMEM;
	}
	quiet_all();
	find_methods();
	enable_methods();
	return 0;
}

bool acpi_gpe_pending(void)
{
	for (unsigned int b = 0; b < blocks.count; b++) {
		for (unsigned int r = 0; r < blocks.b[b].regs; r++) {
			if (status_read(b, r) & enable_read(b, r)) {
				return true;
			}
		}
	}
	return false;
}

/* false if the method failed */
static bool run_method(struct gpe_info *g)
{
	struct aml_value out = {.type = AML_UNINIT};
	struct aml_ns *ns = acpi_ns_lock();
	char path[PATH_LEN];
	uint64_t t0;
	int ret;

	if (ns == NULL) {
		return false;
	}
	t0 = time_ns();
	ret = aml_ns_eval(ns, g->method, NULL, NULL, 0, &out);
	g->last_ns = time_ns() - t0;
	if (g->last_ns > g->max_ns) {
		g->max_ns = g->last_ns;
	}
	if (ret < 0) {
		g->failures++;
		aml_node_path(g->method, path, sizeof(path));
		kprintf("acpi: %s failed: %s\n", path, aml_ns_last_error(ns));
	}
	aml_value_free(&out);
	acpi_ns_unlock();
	g->fails_in_a_row = ret < 0 ? g->fails_in_a_row + 1 : 0;
	return ret == 0;
}

/* One pending GPE, masked while it is handled (5.6.4). */
static void handle(unsigned int b, unsigned int r, unsigned int bit)
{
	uint8_t mask = (uint8_t)(1u << bit);
	unsigned int n = r * 8 + bit;
	struct gpe_info *g = gpe_at(b, n);

	g->count++;
	enable_set(b, r, mask, false);
	if (g->method == NULL) {
		/* Enabled by someone else (AML writing the enable register);
		 * nothing would ever clear its cause. */
		status_clear(b, r, mask);
		g->enabled = false;
		kprintf("acpi: GPE 0x%02x fired with no _Lxx/_Exx method: "
			"disabled\n",
			blocks.b[b].base + n);
		return;
	}
	/* Edge: clear first, so an edge during the method is not lost.
	 * Level: the method removes the cause; only then does clearing
	 * stick. */
	if (!g->level) {
		status_clear(b, r, mask);
	}
	if (!run_method(g) && g->fails_in_a_row >= FAILS_IN_A_ROW) {
		status_clear(b, r, mask);
		g->enabled = false;
		kprintf("acpi: \\_GPE.%s failed %u times in a row: GPE 0x%02x "
			"disabled\n",
			g->name, FAILS_IN_A_ROW, blocks.b[b].base + n);
		return;
	}
	if (g->level) {
		status_clear(b, r, mask);
	}
	enable_set(b, r, mask, true);
}

static unsigned int dispatch_pass(void)
{
	unsigned int handled = 0;

	for (unsigned int b = 0; b < blocks.count; b++) {
		for (unsigned int r = 0; r < blocks.b[b].regs; r++) {
			uint8_t pending = status_read(b, r) & enable_read(b, r);

			for (unsigned int bit = 0; pending; bit++) {
				if (pending & (1u << bit)) {
					pending &= (uint8_t) ~(1u << bit);
					handle(b, r, bit);
					handled++;
				}
			}
		}
	}
	return handled;
}

unsigned int acpi_gpe_dispatch(void)
{
	unsigned int handled = 0, n;

	for (int pass = 0; pass < DISPATCH_PASSES; pass++) {
		n = dispatch_pass();
		if (n == 0) {
			break;
		}
		handled += n;
	}
	return handled;
}

static void print_row(unsigned int b, unsigned int n)
{
	const struct gpe_info *g = gpe_at(b, n);
	char path[PATH_LEN];

	ksnprintf(path, sizeof(path), "\\_GPE.%s", g->name);
	kprintf("0x%02x  %-7s  %-15s  %-10s  %5lu  %6lu  %7llu  %7llu\n",
		blocks.b[b].base + n,
		g->method ? (g->level ? "level" : "edge") : "-",
		g->method ? path : "(none)",
		g->enabled ? "enabled"
		: g->wake  ? "wake-only"
			   : "disabled",
		g->count, g->failures, (unsigned long long)(g->last_ns / 1000),
		(unsigned long long)(g->max_ns / 1000));
}

void acpi_gpe_print(void)
{
	if (blocks.count == 0) {
		kprintf("no GPEs in use (no GPE blocks, or no SCI: it is set "
			"up on the I/O APIC path only)\n");
		return;
	}
	for (unsigned int b = 0; b < blocks.count; b++) {
		kprintf(
		    "GPE%u at %s %#llx, %u+%u registers, GPEs 0x%02x-0x%02x\n",
		    b, blocks.b[b].memory ? "mem" : "io",
		    (unsigned long long)blocks.b[b].addr, blocks.b[b].regs,
		    blocks.b[b].regs, blocks.b[b].base,
		    blocks.b[b].base + acpi_gpe_block_size(&blocks.b[b]) - 1);
	}
	kprintf(" GPE  TRIGGER  METHOD           STATE       COUNT  FAILED  "
		"LAST_US   MAX_US\n");
	for (unsigned int b = 0; b < blocks.count; b++) {
		for (unsigned int n = 0; n < acpi_gpe_block_size(&blocks.b[b]);
		     n++) {
			if (gpe_at(b, n)->method || gpe_at(b, n)->count) {
				print_row(b, n);
			}
		}
	}
}
