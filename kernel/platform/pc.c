/*
 * The legacy PC's fixed devices, at the conventional ISA addresses every
 * PC-compatible has used since the IBM PC/AT. Drivers are handed these
 * through their struct device and never spell them themselves. The IDs are
 * the ACPI/PNP ones, so the same drivers bind when ACPI describes the
 * devices instead.
 */
#include "platform/pc.h"
#include "arch/x86_64/cpu.h"
#include "drivers/irqchip/apic.h"
#include "kern/boot.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "firmware/acpi/aml.h"
#include "drivers/acpi/sci.h"

#define ISA_EDGE IRQF_TRIGGER_RISING
#define IO(first, len)                                                         \
	{                                                                      \
		.type = RES_IO, .start = (first), .size = (len)                \
	}
#define MEM(first, len)                                                        \
	{                                                                      \
		.type = RES_MEM, .start = (first), .size = (len)               \
	}
#define IRQ(line, irqf)                                                        \
	{                                                                      \
		.type = RES_IRQ, .start = (line), .size = 1, .flags = (irqf)   \
	}

static struct device pic = {
    .name = "pic",
    .path = "pc:pic",
    .ids = {"PNP0000"},
    /* master, slave, and the POST-code port the driver writes to wait */
    .res = {IO(0x20, 2), IO(0xa0, 2), IO(0x80, 1)},
    .nres = 3,
};

static struct pc_pit_data pit_data = {.tick = true, .port_b = 0x61};

static struct device pit = {
    .name = "pit",
    .path = "pc:pit",
    .ids = {"PNP0100"},
    /* counters and mode; port 0x61: channel 2 gate, speaker, output */
    .res = {IO(0x40, 4), IO(0x61, 1), IRQ(0, ISA_EDGE)},
    .nres = 3,
    .irq_parent = &pic,
    .platform_data = &pit_data,
};

static struct device i8042 = {
    .name = "i8042",
    .path = "pc:i8042",
    .ids = {"PNP0303"},
    /* data port, status/command port, keyboard IRQ, mouse IRQ */
    .res = {IO(0x60, 1), IO(0x64, 1), IRQ(1, ISA_EDGE | IRQF_SHARED),
	    IRQ(12, ISA_EDGE | IRQF_SHARED)},
    .nres = 4,
    .irq_parent = &pic,
};

/* COM1/COM3 and COM2/COM4 share their IRQs by convention. The PC's
 * 16550s run from a 1.8432 MHz crystal (115200 baud x 16). */
#define PC_UART_CLOCK 1843200
static struct device com[4] = {
    {.name = "com1",
     .path = "pc:com1",
     .ids = {"PNP0501"},
     .res = {IO(0x3f8, 8), IRQ(4, ISA_EDGE | IRQF_SHARED)},
     .nres = 2,
     .clock_hz = PC_UART_CLOCK,
     .irq_parent = &pic},
    {.name = "com2",
     .path = "pc:com2",
     .ids = {"PNP0501"},
     .res = {IO(0x2f8, 8), IRQ(3, ISA_EDGE | IRQF_SHARED)},
     .nres = 2,
     .clock_hz = PC_UART_CLOCK,
     .irq_parent = &pic},
    {.name = "com3",
     .path = "pc:com3",
     .ids = {"PNP0501"},
     .res = {IO(0x3e8, 8), IRQ(4, ISA_EDGE | IRQF_SHARED)},
     .nres = 2,
     .clock_hz = PC_UART_CLOCK,
     .irq_parent = &pic},
    {.name = "com4",
     .path = "pc:com4",
     .ids = {"PNP0501"},
     .res = {IO(0x2e8, 8), IRQ(3, ISA_EDGE | IRQF_SHARED)},
     .nres = 2,
     .clock_hz = PC_UART_CLOCK,
     .irq_parent = &pic},
};

static struct device vga = {
    .name = "vga",
    .path = "pc:vga",
    .ids = {"PNP0900"},
    /* text buffer, CRT controller index/data */
    .res = {MEM(0xb8000, 0x8000), IO(0x3d4, 2)},
    .nres = 2,
};

const struct pc_platform pc_platform = {
    .name = "pc",
    .console = &com[0],
    .console_baud = 115200,
    /* QEMU's isa-debug-exit, placed there by scripts/qemu.py. */
    .debug_exit_port = 0xf4,
};

extern struct driver i8259_driver, pit_driver, uart16550_driver, i8042_driver,
    vga_driver, lapic_driver, ioapic_driver, lapic_timer_driver, kbd0001_driver,
    acpi_sci_driver;

/* ---- ACPI: the MADT decides the interrupt path ------------------------ */

static struct acpi acpi;
static bool have_acpi;
static struct acpi_madt_info madt;
static struct acpi_fadt_info fadt;
static bool have_s5, have_fadt;
static uint8_t s5_typa, s5_typb;

#define PAGE_SIZE     4096u
#define FOUR_GIB      (1ull << 32)
#define S5_WAIT_SPINS 200000000ul /* a second or more */

/* Physical memory is identity-mapped below 4 GiB, except page 0. */
static const void *phys_map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys < PAGE_SIZE || phys >= FOUR_GIB || len > FOUR_GIB - phys) {
		return NULL;
	}
	return (const void *)(uintptr_t)phys;
}

static const struct acpi_mem phys_mem = {phys_map, NULL};

const struct acpi *pc_acpi(void)
{
	return have_acpi ? &acpi : NULL;
}

static void acpi_read(void)
{
	const struct acpi_table *t;
	uint64_t rsdp = boot_info()->rsdp;
	int ret;

	if (!rsdp && acpi_find_rsdp(&phys_mem, &rsdp) < 0) {
		kprintf("acpi: no RSDP: legacy PC\n");
		return;
	}
	ret = acpi_init(&acpi, &phys_mem, rsdp);
	if (ret < 0) {
		kprintf("acpi: bad tables at %p (%d): legacy PC\n",
			(void *)(uintptr_t)rsdp, ret);
		return;
	}
	have_acpi = true;
	kprintf("acpi: %u tables via the %s, OEM \"%s\"%s\n", acpi.count,
		acpi.xsdt ? "XSDT" : "RSDT", acpi.oem_id,
		acpi.skipped ? " (some skipped)" : "");
	t = acpi_find(&acpi, "APIC", 0);
	if (t && acpi_parse_madt(t->data, t->length, &madt) < 0) {
		kprintf("acpi: MADT unusable: 8259 path\n");
		madt.nioapics = 0;
	}
	t = acpi_find(&acpi, "FACP", 0);
	if (t && acpi_parse_fadt(t->data, t->length, &fadt) == 0) {
		have_fadt = true;
		t = acpi_find(&acpi, "DSDT", 0);
		have_s5 = t && acpi_find_s5(t->data, t->length, &s5_typa,
					    &s5_typb) == 0;
	}
}

void platform_print_firmware_tables(void)
{
	if (!have_acpi) {
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
	if (madt.nioapics) {
		kprintf(
		    "MADT: %u CPU(s), %u I/O APIC(s), %u override(s), LAPIC "
		    "at %p\n",
		    madt.ncpus, madt.nioapics, madt.nisos,
		    (void *)(uintptr_t)madt.lapic_addr);
	}
	if (have_s5) {
		kprintf("S5: SLP_TYPa %u SLP_TYPb %u, PM1a_CNT 0x%x\n", s5_typa,
			s5_typb, fadt.pm1a_cnt);
	}
}

void pc_acpi_poweroff(void)
{
	/* PM1x_CNT: SLP_TYP in bits 10-12, SLP_EN bit 13 (4.8.3.2.1). */
	if (!have_s5 || !fadt.pm1a_cnt) {
		return;
	}
	outw((uint16_t)fadt.pm1a_cnt, (uint16_t)(s5_typa << 10 | 1u << 13));
	if (fadt.pm1b_cnt) {
		outw((uint16_t)fadt.pm1b_cnt,
		     (uint16_t)(s5_typb << 10 | 1u << 13));
	}
	/* The machine goes off a little later (QEMU: at its next main-loop
	 * turn); give it time before the caller's fallback. */
	for (unsigned long i = 0; i < S5_WAIT_SPINS; i++) {
		__asm__ volatile("pause");
	}
	kprintf("acpi: S5 did not power off\n");
}

/* ---- The APIC path ---------------------------------------------------- */

static struct device lapic = {
    .name = "lapic",
    .path = "acpi:MADT",
    .ids = {"kite,lapic"},
    .nres = 1,
};
static struct apic_lapic_data lapic_data;

static struct acpi_sci_data sci_data;

/* The SCI: shareable and level-triggered by definition (ACPI 5.2.9);
 * the MADT's override for its ISA IRQ gives the real polarity. */
static struct device sci = {
    .name = "sci",
    .path = "acpi:FADT",
    .ids = {"kite,acpi-sci"},
    .nres = 1,
    .platform_data = &sci_data,
};

static struct device lapic_timer = {
    .name = "lapic-timer",
    .path = "acpi:MADT",
    .ids = {"kite,lapic-timer"},
    .res = {IRQ(0, 0)},
    .nres = 1,
    .irq_parent = &lapic,
};

static struct device ioapic[ACPI_MAX_IOAPICS];
static struct apic_ioapic_data ioapic_data[ACPI_MAX_IOAPICS];
static char ioapic_names[ACPI_MAX_IOAPICS][12];

static struct device *ioapic_for(uint32_t gsi)
{
	for (unsigned int i = 0; i < madt.nioapics; i++) {
		/* The I/O APIC whose range starts highest below gsi. */
		if (gsi >= madt.ioapics[i].gsi_base &&
		    (i + 1 == madt.nioapics ||
		     gsi < madt.ioapics[i + 1].gsi_base)) {
			return &ioapic[i];
		}
	}
	return madt.nioapics ? &ioapic[0] : NULL;
}

/* ISA IRQ resources -> GSIs with the override's polarity and trigger. */
static void route_isa_irqs(struct device *dev)
{
	for (unsigned int i = 0; i < dev->nres; i++) {
		struct resource *r = &dev->res[i];
		uint32_t gsi;
		bool low, level;

		if (r->type != RES_IRQ) {
			continue;
		}
		acpi_isa_irq(&madt, (uint8_t)r->start, &gsi, &low, &level);
		r->start = gsi;
		r->flags = (r->flags & IRQF_SHARED) |
			   (level ? (low ? IRQF_TRIGGER_LOW : IRQF_TRIGGER_HIGH)
				  : (low ? IRQF_TRIGGER_FALLING
					 : IRQF_TRIGGER_RISING));
		dev->irq_parent = ioapic_for(gsi);
	}
}

static void add_apic_devices(void)
{
	lapic.res[0] = (struct resource){.type = RES_MEM,
					 .start = madt.lapic_addr,
					 .size = 0x1000,
					 .flags = 0};
	for (unsigned int i = 0; i < madt.nlapic_nmis; i++) {
		uint8_t lint = madt.lapic_nmis[i].lint & 1;

		lapic_data.lint_nmi[lint] = true;
		lapic_data.lint_nmi_low[lint] =
		    madt.lapic_nmis[i].polarity == ACPI_POL_LOW;
		lapic_data.lint_nmi_level[lint] =
		    madt.lapic_nmis[i].trigger == ACPI_TRIG_LEVEL;
	}
	lapic.platform_data = &lapic_data;
	device_add(&lapic);
	for (unsigned int i = 0; i < madt.nioapics; i++) {
		ksnprintf(ioapic_names[i], sizeof(ioapic_names[i]), "ioapic%u",
			  i);
		ioapic_data[i].gsi_base = madt.ioapics[i].gsi_base;
		ioapic[i] = (struct device){
		    .name = ioapic_names[i],
		    .path = "acpi:MADT",
		    .ids = {"kite,ioapic"},
		    .res = {{.type = RES_MEM,
			     .start = madt.ioapics[i].addr,
			     .size = 0x20}},
		    .nres = 1,
		    .platform_data = &ioapic_data[i],
		};
		device_add(&ioapic[i]);
	}
}

/* ---- Devices from the DSDT and SSDTs ----------------------------------- */

static struct aml_device aml_devs[AML_MAX_DEVICES];
static unsigned int naml;
static struct device acpi_devs[AML_MAX_DEVICES];

/* Field reads for the AML interpreter: I/O ports and mapped memory. */
static uint64_t aml_read(void *ctx, int space, uint64_t addr, int width)
{
	const void *p;

	(void)ctx;
	if (space == AML_SPACE_IO) {
		return width == 8    ? inb((uint16_t)addr)
		       : width == 16 ? inw((uint16_t)addr)
				     : inl((uint16_t)addr);
	}
	p = phys_map(NULL, addr, (size_t)width / 8);
	if (!p) {
		return ~0ull;
	}
	switch (width) {
	case 8:
		return *(const volatile uint8_t *)p;
	case 16:
		return *(const volatile uint16_t *)p;
	case 32:
		return *(const volatile uint32_t *)p;
	default:
		return *(const volatile uint64_t *)p;
	}
}

static bool aml_usable(const struct aml_device *d)
{
	return !d->error && (d->sta & 1) && d->hid[0];
}

static void acpi_namespace_read(void)
{
	static const struct aml_host host = {aml_read, NULL};
	const uint8_t *tables[AML_MAX_TABLES];
	size_t lens[AML_MAX_TABLES];
	unsigned int n = 0, usable = 0;
	const struct acpi_table *t = acpi_find(&acpi, "DSDT", 0);
	struct aml_stats st;

	if (!t) {
		return;
	}
	tables[n] = t->data;
	lens[n++] = t->length;
	for (unsigned int i = 0;
	     n < AML_MAX_TABLES && (t = acpi_find(&acpi, "SSDT", i)) != NULL;
	     i++) {
		tables[n] = t->data;
		lens[n++] = t->length;
	}
	aml_set_host(&host);
	aml_enumerate(tables, lens, n, aml_devs, AML_MAX_DEVICES, &naml, &st);
	for (unsigned int i = 0; i < naml; i++) {
		usable += aml_usable(&aml_devs[i]);
	}
	kprintf("acpi: %u AML table(s): %u devices, %u present with an ID; "
		"%u methods, %u objects skipped, %u evaluations failed\n",
		n, naml, usable, st.methods, st.skipped_ops, st.eval_failures);
}

static bool acpi_provides(const char *id)
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
 * An interrupt from _CRS. A small IRQ descriptor names an ISA IRQ, which
 * on the APIC path goes through the MADT's overrides (they describe the
 * wiring, and win over the descriptor's flags); an Extended Interrupt
 * names a GSI. Both appear as lines below 16 on the PC: those are taken
 * as ISA IRQs.
 */
static struct resource irq_resource(const struct acpi_res *r, bool apic,
				    struct device **parent)
{
	unsigned int flags = r->flags & ACPI_RES_SHARED ? IRQF_SHARED : 0;
	uint32_t line = (uint32_t)r->start;
	bool low = r->flags & ACPI_RES_ACTIVE_LOW;
	bool level = r->flags & ACPI_RES_LEVEL;

	if (apic && line < 16) {
		acpi_isa_irq(&madt, (uint8_t)line, &line, &low, &level);
	}
	flags |= level ? (low ? IRQF_TRIGGER_LOW : IRQF_TRIGGER_HIGH)
		       : (low ? IRQF_TRIGGER_FALLING : IRQF_TRIGGER_RISING);
	*parent = apic ? ioapic_for(line) : &pic;
	return (struct resource){
	    .type = RES_IRQ, .start = line, .size = 1, .flags = flags};
}

static void acpi_devices_add(bool apic)
{
	for (unsigned int i = 0; i < naml; i++) {
		const struct aml_device *a = &aml_devs[i];
		struct device *d = &acpi_devs[i];
		const char *name = strrchr(a->path, '.');

		if (!aml_usable(a)) {
			continue;
		}
		*d = (struct device){.name = name ? name + 1 : a->path,
				     .path = a->path};
		d->ids[0] = a->hid;
		for (unsigned int c = 0; c < a->ncid && c + 1 < DEVICE_MAX_IDS;
		     c++) {
			d->ids[c + 1] = a->cid[c];
		}
		for (unsigned int r = 0;
		     r < a->nres && d->nres < DEVICE_MAX_RES; r++) {
			const struct acpi_res *res = &a->res[r];

			if (res->type == ACPI_RES_IO) {
				d->res[d->nres++] =
				    (struct resource){.type = RES_IO,
						      .start = res->start,
						      .size = res->len,
						      .flags = 0};
			} else if (res->type == ACPI_RES_MEM && res->len) {
				d->res[d->nres++] =
				    (struct resource){.type = RES_MEM,
						      .start = res->start,
						      .size = res->len,
						      .flags = 0};
			} else if (res->type == ACPI_RES_IRQ) {
				d->res[d->nres++] =
				    irq_resource(res, apic, &d->irq_parent);
			}
		}
		if (device_has_id(d, "PNP0100")) {
			d->platform_data = &pit_data;
		}
		/* ACPI names a COM port's resources, not its clock. */
		if (device_has_id(d, "PNP0501")) {
			d->clock_hz = PC_UART_CLOCK;
		}
		device_add(d);
	}
}

void pc_platform_init(void)
{
	static struct driver *const drivers[] = {
	    &i8259_driver,    &lapic_driver,	   &ioapic_driver,
	    &pit_driver,      &lapic_timer_driver, &uart16550_driver,
	    &vga_driver,      &i8042_driver,	   &kbd0001_driver,
	    &acpi_sci_driver,
	};
	struct device *legacy[] = {&pit,    &i8042,  &com[0], &com[1],
				   &com[2], &com[3], &vga};
	bool apic;

	acpi_read();
	if (have_acpi) {
		acpi_namespace_read();
	}
	apic = madt.nioapics > 0 && !cmdline_has("noapic");
	if (madt.nioapics && !apic) {
		kprintf("noapic: interrupts through the 8259 pair\n");
	}
	device_add(&pic);
	if (apic) {
		add_apic_devices();
		pit_data.tick = false;
	}
	/* What the firmware describes replaces the static list. */
	acpi_devices_add(apic);
	for (unsigned int i = 0; i < ARRAY_SIZE(legacy); i++) {
		if (acpi_provides(legacy[i]->ids[0])) {
			continue;
		}
		if (apic) {
			route_isa_irqs(legacy[i]);
		}
		device_add(legacy[i]);
	}
	if (apic) {
		device_add(&lapic_timer);
	}
	/* Level-triggered: only on the APIC path (the 8259 is edge-only). */
	if (apic && have_fadt && fadt.sci_int && !fadt.hw_reduced) {
		sci_data = (struct acpi_sci_data){
		    fadt.smi_cmd, fadt.acpi_enable, fadt.pm1a_evt,
		    fadt.pm1a_cnt, fadt.pm1_evt_len};
		sci.res[0] =
		    (struct resource){.type = RES_IRQ,
				      .start = fadt.sci_int,
				      .size = 1,
				      .flags = IRQF_SHARED | IRQF_TRIGGER_LOW};
		route_isa_irqs(&sci);
		device_add(&sci);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(drivers); i++) {
		driver_register(drivers[i]);
	}
}
