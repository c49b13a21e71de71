/*
 * The PC's ACPI tables and namespace (ACPI 6.x, chapter 5): the RSDP from
 * the PVH start_info (else the BIOS scan), the RSDT/XSDT and every table
 * with its checksum (firmware/acpi/acpi.c), the MADT and FADT decoded,
 * then the DSDT's and SSDTs' devices evaluated (firmware/acpi/aml.c: _HID,
 * _CID, _STA, _CRS) and turned into struct devices.
 */
#include "platform/pc_acpi.h"
#include "firmware/acpi/aml/aml.h"
#include "firmware/acpi/resource.h"
#include "platform/pc_aml_host.h"
#include "drivers/acpi/notify.h"
#include "kern/wait.h"
#include "kern/errno.h"
#include "kern/boot.h"
#include "kern/io.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "kern/vm.h"

static struct acpi acpi;
static struct pc_firmware fw;

/*
 * The one place the ACPI readers get memory from: firmware_map()
 * (kern/vm.h) maps tables in reserved/ACPI/NVS memory cached, RAM only
 * where the direct map has it (never page 0 or the boot stack's guard
 * page), so a table or an OperationRegion pointing at a hole is refused
 * instead of faulting the boot.
 */
static const void *phys_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	return firmware_map(phys, len);
}

static const struct acpi_mem phys_mem = {phys_map, NULL};

static void tables_decode(void)
{
	const struct acpi_table *t = acpi_find(&acpi, "APIC", 0);

	int ret = t ? acpi_parse_madt(t->data, t->length, &fw.madt) : 0;

	/* -ENOMEM: what fit is kept (the rest said); no I/O APIC array
	 * means the 8259 path. */
	if (ret < 0 && ret != -ENOMEM) {
		kprintf("acpi: MADT unusable: 8259 path\n");
		fw.madt.nioapics = 0;
	}
	t = acpi_find(&acpi, "FACP", 0);
	if (t && acpi_parse_fadt(t->data, t->length, &fw.fadt) == 0) {
		fw.have_fadt = true;
		t = acpi_find(&acpi, "DSDT", 0);
		fw.have_s5 = t && acpi_find_s5(t->data, t->length, &fw.s5_typa,
					       &fw.s5_typb) == 0;
	}
}

static const char *skip_reason(int err)
{
	switch (err) {
	case -ERANGE:
		return "not readable";
	case -ENOENT:
		return "null address";
	case -EEXIST:
		return "listed twice";
	case -EBADMSG:
		return "impossible length";
	case -EINVAL:
		return "wrong signature";
	case -ENOMEM:
		return "out of memory for the table list";
	default:
		return "refused";
	}
}

/* Every address the table reader refused, by where it came from. */
static void report_skips(void)
{
	for (unsigned int i = 0; i < acpi.nskips; i++) {
		const struct acpi_skip *k = &acpi.skips[i];

		if (strcmp(k->where, "FADT") == 0) {
			kprintf("acpi: FADT's %s at %p: %s: skipped\n",
				k->index ? "FACS" : "DSDT",
				(void *)(uintptr_t)k->phys,
				skip_reason(k->err));
		} else {
			kprintf("acpi: %s entry %u at %p: %s: skipped\n",
				k->where, k->index, (void *)(uintptr_t)k->phys,
				skip_reason(k->err));
		}
	}
	if (acpi.skipped > acpi.nskips) {
		kprintf("acpi: %u more entries skipped\n",
			acpi.skipped - acpi.nskips);
	}
}

static bool tables_read(void)
{
	uint64_t rsdp = boot_info()->rsdp;
	int ret;

	if (!rsdp && acpi_find_rsdp(&phys_mem, &rsdp) < 0) {
		kprintf("acpi: no RSDP: legacy PC\n");
		return false;
	}
	ret = acpi_init(&acpi, &phys_mem, rsdp);
	if (ret < 0) {
		kprintf("acpi: bad tables at %p (%d): legacy PC\n",
			(void *)(uintptr_t)rsdp, ret);
		return false;
	}
	kprintf("acpi: %u tables via the %s, OEM \"%s\"%s\n", acpi.count,
		acpi.xsdt ? "XSDT" : "RSDT", acpi.oem_id,
		acpi.skipped ? " (some skipped)" : "");
	report_skips();
	return true;
}

/*
 * The namespace: every DSDT/SSDT loaded into one interpreter instance
 * that lives as long as the kernel (GPE methods and Notify run in it
 * later); the devices it describes are kept with their description.
 * AML runs under aml_lock: the interpreter is not reentrant, and the
 * SCI's thread evaluates methods too.
 */
static struct aml_ns *ns;
static struct mutex aml_lock = MUTEX_INIT("aml");

struct acpi_dev {
	struct aml_node *node;
	char *path; /* from the heap */
	struct aml_devinfo info;
};

static struct acpi_dev *adevs; /* from the heap, nadevs of them */
static unsigned int nadevs, adevs_cap;

struct aml_ns *pc_acpi_namespace_lock(void)
{
	if (ns != NULL) {
		mutex_lock(&aml_lock);
	}
	return ns;
}

void pc_acpi_namespace_unlock(void)
{
	mutex_unlock(&aml_lock);
}

/* _STA's bits 5-31 are reserved and must be zero (ACPI 6.x, 6.3.7): a
 * value with them set (all-ones: a read of nothing) is not understood. */
#define STA_RESERVED 0xffffffe0u

static bool adev_usable(const struct acpi_dev *d)
{
	return !d->info.error && (d->info.sta & 1) &&
	       !(d->info.sta & STA_RESERVED) && d->info.has_hid;
}

/* Load the DSDT, then every SSDT in XSDT order. */
static unsigned int load_tables(void)
{
	const struct acpi_table *t = acpi_find(&acpi, "DSDT", 0);
	unsigned int loaded = 0, i = 0;

	for (; t != NULL; t = acpi_find(&acpi, "SSDT", i++)) {
		if (aml_ns_load_table(ns, t->data, t->length) == 0) {
			loaded++;
		} else {
			kprintf("acpi: %s (%s) did not load whole: %s\n",
				t->sig, t->oem_table_id, aml_ns_last_error(ns));
		}
	}
	return loaded;
}

static void namespace_read(void)
{
	const struct acpi_table *m;
	unsigned int n;
	int ret;

	if (!acpi_find(&acpi, "DSDT", 0)) {
		return;
	}
	ret = aml_ns_create(pc_aml_host_ops(), NULL, NULL, &ns);
	if (ret < 0) {
		kprintf("acpi: no memory for the AML namespace (%d): no "
			"devices from it\n",
			ret);
		return;
	}
	m = acpi_find(&acpi, "MCFG", 0);
	pc_aml_host_set_mcfg(m ? m->data : NULL, m ? m->length : 0);
	n = load_tables();
	kprintf("acpi: %u AML table(s) loaded\n", n);
	/* The SCI's GPE methods and Notify delivery take it from here. */
	acpi_ns_access_set(pc_acpi_namespace_lock, pc_acpi_namespace_unlock);
}

static int grow_adevs(void)
{
	unsigned int cap = adevs_cap ? adevs_cap * 2 : 32;
	struct acpi_dev *a = krealloc(adevs, cap * sizeof(*a), 0);

	if (a == NULL) {
		return -ENOMEM;
	}
	adevs = a;
	adevs_cap = cap;
	return 0;
}

/* aml_ns_walk callback: describe one Device and keep it. */
static int keep_device(struct aml_node *node, void *arg)
{
	unsigned int *nomem = arg;
	struct acpi_dev *d;
	size_t len = aml_node_path(node, NULL, 0) + 1;

	if (nadevs == adevs_cap && grow_adevs() < 0) {
		++*nomem;
		return 0;
	}
	d = &adevs[nadevs];
	d->path = kmalloc(len, 0);
	if (d->path == NULL) {
		++*nomem;
		return 0;
	}
	aml_node_path(node, d->path, len);
	d->node = node;
	aml_describe(ns, node, &d->info);
	if (d->info.error) {
		kprintf("acpi: %s: %s\n", d->path, d->info.errmsg);
	} else if (d->info.sta & STA_RESERVED) {
		kprintf("acpi: %s: _STA 0x%x has reserved bits set: left "
			"out\n",
			d->path, d->info.sta);
	}
	nadevs++;
	return 0;
}

/*
 * Bring the namespace up as the firmware expects of an OS (6.5.1-6.5.4):
 * _REG for the spaces kite handles, \_PIC(1) when interrupts go through
 * the I/O APIC (0: the 8259 pair), then _STA/_INI; then describe every
 * Device. The boot line sums it up.
 */
static void namespace_init(bool apic)
{
	struct aml_ns_stats st;
	unsigned int usable = 0, nomem = 0;

	mutex_lock(&aml_lock);
	aml_ns_initialize(ns, pc_aml_host_spaces(), apic ? 1 : 0);
	aml_ns_walk(ns, NULL, AML_DEVICE, keep_device, &nomem);
	aml_ns_get_stats(ns, &st);
	mutex_unlock(&aml_lock);
	for (unsigned int i = 0; i < nadevs; i++) {
		usable += adev_usable(&adevs[i]);
	}
	kprintf("acpi: %u AML table(s): %u devices, %u present with an ID; "
		"%u methods, %u objects, %u _INI run, %u load errors, %u "
		"evaluations failed\n",
		st.tables, st.devices, usable, st.methods, st.nodes, st.ini_run,
		st.load_errors, st.eval_failures);
	if (nomem) {
		kprintf("acpi: %u devices described, %u kept (out of memory); "
			"%u dropped\n",
			nadevs + nomem, nadevs, nomem);
	}
}

const struct pc_firmware *pc_acpi_read(void)
{
	fw.acpi = tables_read();
	if (fw.acpi) {
		tables_decode();
		namespace_read();
	}
	return &fw;
}

bool pc_acpi_provides(const char *id)
{
	for (unsigned int i = 0; i < nadevs; i++) {
		const struct aml_devinfo *d = &adevs[i].info;

		if (!adev_usable(&adevs[i])) {
			continue;
		}
		if (strcmp(d->hid, id) == 0) {
			return true;
		}
		for (unsigned int c = 0; c < d->ncid; c++) {
			if (strcmp(d->cid[c], id) == 0) {
				return true;
			}
		}
	}
	return false;
}

/*
 * An interrupt from _CRS, with its descriptor's flags. A small IRQ
 * descriptor names an ISA IRQ, an Extended Interrupt a GSI; both appear
 * as lines below 16 on the PC, and those are taken as ISA IRQs (the
 * MADT's override, if any, wins over the descriptor: it describes the
 * wiring).
 */
static void add_crs_irq(struct device *desc, const struct acpi_res *r)
{
	const struct pc_irq irq = {
	    .line = (uint32_t)r->start,
	    .isa = r->start < 16,
	    .low = r->flags & ACPI_RES_ACTIVE_LOW,
	    .level = r->flags & ACPI_RES_LEVEL,
	    .shared = r->flags & ACPI_RES_SHARED,
	};

	pc_desc_add_irq(desc, &irq);
}

static void describe_ids(const struct acpi_dev *a, struct device *d)
{
	const char *name = strrchr(a->path, '.');
	unsigned int nids = a->info.ncid + 1;

	*d =
	    (struct device){.name = name ? name + 1 : a->path, .path = a->path};
	d->ids[0] = a->info.hid;
	for (unsigned int c = 0; c < a->info.ncid && c + 1 < DEVICE_MAX_IDS;
	     c++) {
		d->ids[c + 1] = a->info.cid[c];
	}
	if (nids > DEVICE_MAX_IDS) {
		kprintf("acpi: %s: %u IDs, %u kept: DEVICE_MAX_IDS reached; "
			"%u dropped\n",
			a->path, nids, DEVICE_MAX_IDS, nids - DEVICE_MAX_IDS);
	}
}

static void add_res(struct device *d, const struct acpi_res *res)
{
	if (res->type == ACPI_RES_IO) {
		d->res[d->nres++] = (struct resource){
		    .type = RES_IO, .start = res->start, .size = res->len};
	} else if (res->type == ACPI_RES_MEM && res->len) {
		d->res[d->nres++] = (struct resource){
		    .type = RES_MEM, .start = res->start, .size = res->len};
	} else if (res->type == ACPI_RES_IRQ) {
		add_crs_irq(d, res);
	}
}

/* The device's _CRS, decoded (6.4): what does not fit is said. */
static void describe_res(const struct acpi_dev *a, struct device *d)
{
	struct acpi_res res[DEVICE_MAX_RES];
	unsigned int n = 0, skipped = 0, total = 0;
	int ret;

	if (!a->info.has_crs) {
		return;
	}
	ret = acpi_res_decode(a->info.crs, a->info.crs_len, res, DEVICE_MAX_RES,
			      &n, &skipped);
	if (ret == -ENOSPC) {
		acpi_res_count(a->info.crs, a->info.crs_len, &total);
		kprintf("acpi: %s: _CRS has %u resources, %u kept; %u "
			"dropped\n",
			a->path, total, n, total - n);
	} else if (ret < 0) {
		kprintf("acpi: %s: _CRS is not a valid resource template "
			"(%d): %u resources kept\n",
			a->path, ret, n);
	}
	for (unsigned int r = 0; r < n && d->nres < DEVICE_MAX_RES; r++) {
		add_res(d, &res[r]);
	}
}

void pc_acpi_add_devices(bool apic)
{
	if (ns == NULL) {
		return;
	}
	namespace_init(apic);
	for (unsigned int i = 0; i < nadevs; i++) {
		struct device desc;

		if (adev_usable(&adevs[i])) {
			describe_ids(&adevs[i], &desc);
			describe_res(&adevs[i], &desc);
			aml_node_set_data(adevs[i].node, pc_device_add(&desc));
		}
	}
}

void platform_print_firmware_tables(void)
{
	if (!fw.acpi) {
		kprintf("no ACPI tables\n");
		return;
	}
	kprintf("RSDP at %p, revision %u, OEM \"%s\", via the %s\n",
		(void *)(uintptr_t)acpi.rsdp_phys, acpi.rsdp_revision,
		acpi.oem_id, acpi.xsdt ? "XSDT" : "RSDT");
	kprintf("SIG  OEMID  TABLEID   REV  LENGTH  ADDRESS             "
		"CHECKSUM\n");
	for (unsigned int i = 0; i < acpi.count; i++) {
		const struct acpi_table *t = &acpi.tables[i];

		kprintf("%-4s %-6s %-8s %4u %7u  %p  %s\n", t->sig, t->oem_id,
			t->oem_table_id, t->revision, t->length,
			(void *)(uintptr_t)t->phys,
			t->checksum_ok ? "ok" : "BAD");
	}
	if (acpi.skipped) {
		kprintf("%u entries skipped (unmapped or impossible)\n",
			acpi.skipped);
	}
	if (fw.madt.nioapics) {
		kprintf(
		    "MADT: %u CPU(s), %u I/O APIC(s), %u override(s), LAPIC "
		    "at %p\n",
		    fw.madt.ncpus, fw.madt.nioapics, fw.madt.nisos,
		    (void *)(uintptr_t)fw.madt.lapic_addr);
	}
	if (fw.have_s5) {
		kprintf("S5: SLP_TYPa %u SLP_TYPb %u, PM1a_CNT 0x%x\n",
			fw.s5_typa, fw.s5_typb, fw.fadt.pm1a_cnt);
	}
}
