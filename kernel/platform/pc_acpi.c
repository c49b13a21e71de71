/*
 * The PC's ACPI tables and namespace (ACPI 6.x, chapter 5): the RSDP from
 * the PVH start_info (else the BIOS scan), the RSDT/XSDT and every table
 * with its checksum (firmware/acpi/acpi.c), the MADT and FADT decoded,
 * then the DSDT's and SSDTs' devices evaluated (firmware/acpi/aml.c: _HID,
 * _CID, _STA, _CRS) and turned into struct devices.
 */
#include "platform/pc_acpi.h"
#include "firmware/acpi/aml.h"
#include "kern/errno.h"
#include "kern/boot.h"
#include "kern/io.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "kern/vm.h"

static struct acpi acpi;
static struct pc_firmware fw;
static struct aml_device *aml_devs; /* from the heap (aml_enumerate) */
static unsigned int naml;

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

/* A SystemMemory field the page tables do not map reads all-ones, as
 * an absent device's would; the first few are said (AML may retry). */
static uint64_t aml_refused(uint64_t addr, int width)
{
	static unsigned int said;

	if (said++ < 8) {
		kprintf("acpi: AML SystemMemory read of %d bits at %p: not "
			"readable: reads all-ones\n",
			width, (void *)(uintptr_t)addr);
	}
	return ~0ull;
}

/* Field reads for the AML interpreter: I/O ports and mapped memory. */
static uint64_t aml_read(void *ctx, int space, uint64_t addr, int width)
{
	struct io_regs regs = {IO_SPACE_PORT, (uintptr_t)addr, 0};

	(void)ctx;
	if (space != AML_SPACE_IO) {
		if (!phys_map(NULL, addr, (size_t)width / 8)) {
			return aml_refused(addr, width);
		}
		regs.space = IO_SPACE_MMIO;
	}
	switch (width) {
	case 8:
		return io_read8(&regs, 0);
	case 16:
		return io_read16(&regs, 0);
	case 32:
		return io_read32(&regs, 0);
	default:
		/* 64-bit fields are memory only: two halves, low first. */
		return regs.space == IO_SPACE_PORT
			   ? io_read32(&regs, 0)
			   : io_read32(&regs, 0) | (uint64_t)io_read32(&regs, 4)
						       << 32;
	}
}

/* _STA's bits 5-31 are reserved and must be zero (ACPI 6.x, 6.3.7): a
 * value with them set (all-ones: a read of nothing) is not understood. */
#define STA_RESERVED 0xffffffe0u

static bool aml_usable(const struct aml_device *d)
{
	return !d->error && (d->sta & 1) && !(d->sta & STA_RESERVED) &&
	       d->hid[0];
}

static void report_bad_sta(void)
{
	for (unsigned int i = 0; i < naml; i++) {
		const struct aml_device *d = &aml_devs[i];

		if (!d->error && (d->sta & STA_RESERVED)) {
			kprintf("acpi: %s: _STA 0x%x has reserved bits set: "
				"left out\n",
				d->path, d->sta);
		}
	}
}

/*
 * Say what the AML walker could not keep (out of memory: aml.c said the
 * first object it lost) and what a device's description cut: nothing is
 * dropped without a word.
 */
static void report_aml_drops(const struct aml_stats *st)
{
	if (st->nodes_dropped) {
		kprintf(
		    "acpi: namespace incomplete (out of memory): %u objects "
		    "dropped, %u of them devices\n",
		    st->nodes_dropped, st->devices_dropped);
	}
	if (st->devices_nomem) {
		kprintf("acpi: %u devices described, %u kept (out of memory); "
			"%u dropped\n",
			st->devices, naml, st->devices_nomem);
	}
	for (unsigned int i = 0; i < naml; i++) {
		const struct aml_device *d = &aml_devs[i];

		if (d->res_dropped) {
			kprintf("acpi: %s: _CRS has %u resources, %u kept; %u "
				"dropped\n",
				d->path, d->nres + d->res_dropped, d->nres,
				d->res_dropped);
		}
		if (d->cid_dropped) {
			kprintf("acpi: %s: _CID has %u IDs, %u kept; %u "
				"dropped\n",
				d->path, d->ncid + d->cid_dropped, d->ncid,
				d->cid_dropped);
		}
	}
}

/* The DSDT, then every SSDT, in a list from the heap; NULL (said) if
 * the heap has no room for it. */
static unsigned int aml_tables(const uint8_t ***tables, size_t **lens)
{
	unsigned int n = 1, i = 0;
	const struct acpi_table *t;

	while (acpi_find(&acpi, "SSDT", n - 1) != NULL) {
		n++;
	}
	*tables = kmalloc(n * sizeof(**tables), 0);
	*lens = kmalloc(n * sizeof(**lens), 0);
	if (*tables == NULL || *lens == NULL) {
		kprintf("acpi: out of memory for the list of %u AML tables: "
			"no devices from the namespace\n",
			n);
		kfree(*tables);
		kfree(*lens);
		return 0;
	}
	for (t = acpi_find(&acpi, "DSDT", 0); t;
	     t = acpi_find(&acpi, "SSDT", i++)) {
		(*tables)[i] = t->data;
		(*lens)[i] = t->length;
	}
	return n;
}

static void namespace_read(void)
{
	static const struct aml_host host = {aml_read, NULL};
	const uint8_t **tables;
	size_t *lens;
	unsigned int n, usable = 0;
	struct aml_stats st;

	if (!acpi_find(&acpi, "DSDT", 0) || !(n = aml_tables(&tables, &lens))) {
		return;
	}
	aml_set_host(&host);
	aml_enumerate(tables, lens, n, &aml_devs, &naml, &st);
	kfree(tables);
	kfree(lens);
	for (unsigned int i = 0; i < naml; i++) {
		usable += aml_usable(&aml_devs[i]);
	}
	kprintf("acpi: %u AML table(s): %u devices, %u present with an ID; "
		"%u methods, %u objects, %u skipped, %u evaluations failed\n",
		n, naml, usable, st.methods, st.named, st.skipped_ops,
		st.eval_failures);
	report_aml_drops(&st);
	report_bad_sta();
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
	for (unsigned int i = 0; i < naml; i++) {
		const struct aml_device *d = &aml_devs[i];

		if (!aml_usable(d)) {
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

static void describe(const struct aml_device *a, struct device *d)
{
	const char *name = strrchr(a->path, '.');

	*d =
	    (struct device){.name = name ? name + 1 : a->path, .path = a->path};
	d->ids[0] = a->hid;
	for (unsigned int c = 0; c < a->ncid && c + 1 < DEVICE_MAX_IDS; c++) {
		d->ids[c + 1] = a->cid[c];
	}
	if (a->ncid + 1 > DEVICE_MAX_IDS) {
		kprintf("acpi: %s: %u IDs, %u kept: DEVICE_MAX_IDS reached; "
			"%u dropped\n",
			a->path, a->ncid + 1, DEVICE_MAX_IDS,
			a->ncid + 1 - DEVICE_MAX_IDS);
	}
	for (unsigned int r = 0; r < a->nres && d->nres < DEVICE_MAX_RES; r++) {
		const struct acpi_res *res = &a->res[r];

		if (res->type == ACPI_RES_IO) {
			d->res[d->nres++] =
			    (struct resource){.type = RES_IO,
					      .start = res->start,
					      .size = res->len};
		} else if (res->type == ACPI_RES_MEM && res->len) {
			d->res[d->nres++] =
			    (struct resource){.type = RES_MEM,
					      .start = res->start,
					      .size = res->len};
		} else if (res->type == ACPI_RES_IRQ) {
			add_crs_irq(d, res);
		}
	}
}

void pc_acpi_add_devices(void)
{
	for (unsigned int i = 0; i < naml; i++) {
		struct device desc;

		if (aml_usable(&aml_devs[i])) {
			describe(&aml_devs[i], &desc);
			pc_device_add(&desc);
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
