/*
 * The PC platform. The legacy board is const data: the fixed devices at
 * the conventional ISA addresses every PC/AT compatible has, with ACPI/PNP
 * IDs so the same drivers bind when ACPI describes the devices instead.
 * pc_platform_init() reads the firmware (pc_acpi.c), picks the interrupt
 * path, adds the devices (firmware's first, the board's for what it does
 * not describe), measures the TSC and registers the drivers. Every
 * interrupt line gets its wiring in one function, pc_irq_route().
 */
#include "platform/pc.h"
#include "platform/pc_acpi.h"
#include "platform/pc_apic_check.h"
#include "arch/x86_64/tsc.h"
#include "drivers/acpi/poweroff.h"
#include "drivers/acpi/sci.h"
#include "drivers/irqchip/apic.h"
#include "drivers/timer/acpi_pm.h"
#include "drivers/timer/pit.h"
#include "asm/msr.h"
#include "kern/boot.h"
#include "kern/cpu.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/vm.h"

#define IO(first, len)                                                         \
	{                                                                      \
		.type = RES_IO, .start = (first), .size = (len)                \
	}
#define MEM(first, len)                                                        \
	{                                                                      \
		.type = RES_MEM, .start = (first), .size = (len)               \
	}
/* ISA interrupts are edge-triggered, active high (the ISA bus's rule). */
#define ISA_IRQ(n)                                                             \
	{                                                                      \
		.line = (n), .isa = true                                       \
	}
#define ISA_IRQ_SHARED(n)                                                      \
	{                                                                      \
		.line = (n), .isa = true, .shared = true                       \
	}

/* What ACPI's descriptions leave out: the PC's 16550s run from a
 * 1.8432 MHz crystal (115200 baud x 16). */
#define PC_UART_CLOCK 1843200

/* ---- The legacy board, as data ----------------------------------------- */

/* A device of the board: its ranges, and its ISA IRQs to be wired. */
struct pc_legacy {
	struct device dev;
	struct pc_irq irq[2];
	unsigned int nirq;
};

static const struct device pc_pic = {
    .name = "pic",
    .path = "pc:pic",
    .ids = {"PNP0000"},
    /* master, slave, and the POST-code port the driver writes to wait */
    .res = {IO(0x20, 2), IO(0xa0, 2), IO(0x80, 1)},
    .nres = 3,
};

/* COM1/COM3 and COM2/COM4 share their IRQs by convention. */
#define COM(n, port, line)                                                     \
	{                                                                      \
		.dev = {.name = "com" #n,                                      \
			.path = "pc:com" #n,                                   \
			.ids = {"PNP0501"},                                    \
			.res = {IO(port, 8)},                                  \
			.nres = 1,                                             \
			.clock_hz = PC_UART_CLOCK},                            \
		.irq = {ISA_IRQ_SHARED(line)}, .nirq = 1                       \
	}

enum { PC_PIT, PC_I8042, PC_COM1, PC_COM2, PC_COM3, PC_COM4, PC_VGA };

static const struct pc_legacy pc_legacy[] = {
    [PC_PIT] = {.dev = {.name = "pit",
			.path = "pc:pit",
			.ids = {"PNP0100"},
			/* counters and mode; port B: channel 2 gate,
			 * speaker, output */
			.res = {IO(0x40, 4), IO(0x61, 1)},
			.nres = 2},
		.irq = {ISA_IRQ(0)},
		.nirq = 1},
    [PC_I8042] = {.dev = {.name = "i8042",
			  .path = "pc:i8042",
			  .ids = {"PNP0303"},
			  /* data port, status/command port */
			  .res = {IO(0x60, 1), IO(0x64, 1)},
			  .nres = 2},
		  /* keyboard, mouse */
		  .irq = {ISA_IRQ_SHARED(1), ISA_IRQ_SHARED(12)},
		  .nirq = 2},
    [PC_COM1] = COM(1, 0x3f8, 4),
    [PC_COM2] = COM(2, 0x2f8, 3),
    [PC_COM3] = COM(3, 0x3e8, 4),
    [PC_COM4] = COM(4, 0x2e8, 3),
    [PC_VGA] = {.dev = {.name = "vga",
			.path = "pc:vga",
			.ids = {"PNP0900"},
			/* text buffer, CRT controller index/data */
			.res = {MEM(0xb8000, 0x8000), IO(0x3d4, 2)},
			.nres = 2}},
};

static const struct pit_data pit_ticks = {.tick = true};
static const struct pit_data pit_reference_only = {.tick = false};

const struct pc_platform pc_platform = {
    .console = &pc_legacy[PC_COM1].dev,
    .console_baud = 115200,
    /* QEMU's isa-debug-exit, placed there by scripts/qemu.py. */
    .debug_exit_port = 0xf4,
};

extern struct driver i8259_driver, pit_driver, uart16550_driver, i8042_driver,
    vga_driver, lapic_driver, ioapic_driver, lapic_timer_driver, kbd0001_driver,
    acpi_sci_driver;

static struct driver *const pc_drivers[] = {
    &i8259_driver,	 &lapic_driver,	    &ioapic_driver, &pit_driver,
    &lapic_timer_driver, &uart16550_driver, &vga_driver,    &i8042_driver,
    &kbd0001_driver,	 &acpi_sci_driver,
};

/* ---- What boot found: the devices, built from descriptions ------------- */

/* The namespace's, the board's, and the controllers, timer and SCI: each
 * a struct device from the heap (they live as long as the kernel). */
static const struct pc_firmware *fw;
static bool apic; /* interrupts through the I/O APIC */
static struct device *pic, *lapic;

/* One per MADT I/O APIC (nioapics of them), from the heap. */
struct pc_ioapic {
	struct device *dev;
	struct apic_ioapic_data data;
	char name[12];
};
static struct pc_ioapic *ioapics;

/* Platform data that boot computes. */
static struct apic_lapic_data lapic_data;
static struct apic_timer_data lapic_timer_data;
static struct acpi_sci_data sci_data;

/* The facts ACPI does not state, by ID. */
static void add_platform_facts(struct device *dev)
{
	if (device_has_id(dev, "PNP0100") && !dev->platform_data) {
		dev->platform_data = apic ? &pit_reference_only : &pit_ticks;
	}
	if (device_has_id(dev, "PNP0501") && !dev->clock_hz) {
		dev->clock_hz = PC_UART_CLOCK;
	}
}

struct device *pc_device_add(const struct device *desc)
{
	struct device *dev = kmalloc(sizeof(*dev), 0);

	if (dev == NULL) {
		kprintf("pc: out of memory for device %s (%s): not added\n",
			desc->name, desc->path);
		return NULL;
	}
	*dev = *desc;
	add_platform_facts(dev);
	device_add(dev);
	return dev;
}

/* The I/O APIC whose range starts highest at or below gsi. */
static struct device *ioapic_for(uint32_t gsi)
{
	struct device *best = NULL;
	uint32_t best_base = 0;

	for (unsigned int i = 0; i < fw->madt.nioapics; i++) {
		uint32_t base = fw->madt.ioapics[i].gsi_base;

		if (ioapics && ioapics[i].dev && gsi >= base &&
		    (!best || base >= best_base)) {
			best = ioapics[i].dev;
			best_base = base;
		}
	}
	return best;
}

void pc_desc_add_irq(struct device *desc, const struct pc_irq *irq)
{
	if (desc->nres == DEVICE_MAX_RES) {
		kprintf("pc: %s: more than %u resources, irq %u left out\n",
			desc->path, DEVICE_MAX_RES, irq->line);
		return;
	}
	/* The one place a line gets its wiring (pc_irq.c). */
	desc->res[desc->nres] = pc_irq_route(apic ? &fw->madt : NULL, irq);
	desc->irq_parent =
	    apic ? ioapic_for((uint32_t)desc->res[desc->nres].start) : pic;
	desc->nres++;
}

/* ---- Each step of the init ---------------------------------------------- */

/* The local APIC and the I/O APICs, as the MADT describes them. */
static void add_apic_devices(void)
{
	const struct device lapic_desc = {
	    .name = "lapic",
	    .path = "acpi:MADT",
	    .ids = {"kite,lapic"},
	    .res = {MEM(fw->madt.lapic_addr, 0x1000)},
	    .nres = 1,
	    .platform_data = &lapic_data,
	};

	for (unsigned int i = 0; i < fw->madt.nlapic_nmis; i++) {
		uint8_t lint = fw->madt.lapic_nmis[i].lint & 1;

		lapic_data.lint_nmi[lint] = true;
		lapic_data.lint_nmi_low[lint] =
		    fw->madt.lapic_nmis[i].polarity == ACPI_POL_LOW;
		lapic_data.lint_nmi_level[lint] =
		    fw->madt.lapic_nmis[i].trigger == ACPI_TRIG_LEVEL;
	}
	lapic = pc_device_add(&lapic_desc);
	for (unsigned int i = 0; i < fw->madt.nioapics; i++) {
		struct pc_ioapic *io = &ioapics[i];

		ksnprintf(io->name, sizeof(io->name), "ioapic%u", i);
		io->data.gsi_base = fw->madt.ioapics[i].gsi_base;
		io->dev = pc_device_add(&(const struct device){
		    .name = io->name,
		    .path = "acpi:MADT",
		    .ids = {"kite,ioapic"},
		    .res = {MEM(fw->madt.ioapics[i].addr, 0x20)},
		    .nres = 1,
		    .platform_data = &io->data,
		});
	}
}

/*
 * This CPU's APIC ID, from CPUID (Intel SDM Vol. 2A, CPUID): leaf 0xB
 * EDX is the full 32-bit x2APIC ID where the leaf exists (EBX nonzero),
 * else leaf 1 EBX[31:24] the 8-bit initial APIC ID. CPUID, not the LAPIC
 * driver: it answers on the 8259 path too.
 */
static uint32_t boot_apic_id(void)
{
	uint32_t max, a, b, c, d;

	cpuid(0, &max, &b, &c, &d);
	if (max >= 0xb) {
		cpuid(0xb, &a, &b, &c, &d);
		if (b != 0) {
			return d;
		}
	}
	cpuid(1, &a, &b, &c, &d);
	return b >> 24;
}

/*
 * The MADT's CPUs (Local APIC and x2APIC entries, ACPI 6.5 5.2.12.2 and
 * 5.2.12.12: flags bit 0 Enabled, bit 1 Online Capable) into the CPU
 * table, this one as CPU 0. Nothing starts the others yet.
 */
static void add_cpus(void)
{
	unsigned int n = fw->madt.cpus ? fw->madt.ncpus : 0;

	for (unsigned int i = 0; i < n; i++) {
		const uint32_t id = fw->madt.cpus[i].apic_id;
		enum cpu_fw_state st = fw->madt.cpus[i].enabled ? CPU_FW_ENABLED
				       : fw->madt.cpus[i].online_capable
					   ? CPU_FW_ONLINE_CAPABLE
					   : CPU_FW_DISABLED;

		if (cpu_register(id, st, NULL, NULL) == -EEXIST) {
			kprintf("pc: MADT lists APIC ID %u twice: once kept\n",
				id);
		}
	}
	cpu_set_boot(boot_apic_id());
}

/* The board's devices that the firmware does not describe. */
static void add_legacy_devices(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(pc_legacy); i++) {
		struct device desc = pc_legacy[i].dev;

		if (pc_acpi_provides(desc.ids[0])) {
			continue;
		}
		for (unsigned int n = 0; n < pc_legacy[i].nirq; n++) {
			pc_desc_add_irq(&desc, &pc_legacy[i].irq[n]);
		}
		pc_device_add(&desc);
	}
}

static struct device *find_device(const char *id)
{
	for (struct device *d = device_first(); d; d = d->next) {
		if (device_has_id(d, id)) {
			return d;
		}
	}
	return NULL;
}

/*
 * Clocks, said out loud: the TSC keeps time, measured now, before any
 * driver probes, against the ACPI PM timer (when the FADT has one) and
 * PIT channel 0, each checking the other. On the APIC path the LAPIC
 * timer ticks and is handed the TSC's rate; on the 8259 path, or when
 * the TSC has no trustworthy rate, the PIT's channel 0 ticks (its
 * platform_data says which).
 */
static void add_clocks(void)
{
	struct device *pit = find_device("PNP0100");
	const struct timer_reference *refs[2];
	unsigned int n = 0;
	uint64_t tsc_hz;

	if (fw->have_fadt && !fw->fadt.hw_reduced &&
	    (refs[n] =
		 acpi_pm_reference(fw->fadt.pm_tmr, fw->fadt.tmr_val_ext))) {
		n++;
	}
	if (pit && (refs[n] = pit_reference(pit))) {
		n++;
	}
	tsc_hz = tsc_calibrate(refs, n);
	if (!apic) {
		return;
	}
	if (!tsc_hz) {
		if (pit) {
			pit->platform_data = &pit_ticks;
		}
		kprintf("pc: no TSC rate for the LAPIC timer: the PIT ticks\n");
		return;
	}
	lapic_timer_data.tsc_hz = tsc_hz;
	pc_device_add(&(const struct device){
	    .name = "lapic-timer",
	    .path = "acpi:MADT",
	    .ids = {"kite,lapic-timer"},
	    .res = {{.type = RES_IRQ, .size = 1}}, /* the LAPIC's timer LVT */
	    .nres = 1,
	    .irq_parent = lapic,
	    .platform_data = &lapic_timer_data,
	});
}

/*
 * ACPI's fixed hardware: the SCI (on the APIC path only: it is level
 * triggered, and the 8259 is edge-only) and S5.
 */
static void add_acpi_hardware(void)
{
	const struct acpi_fadt_info *f = &fw->fadt;
	/* FADT SCI_INT: an ISA IRQ; without an override "sharable, level,
	 * active low" (5.2.9). */
	const struct pc_irq sci_irq = {.line = f->sci_int,
				       .isa = true,
				       .low = true,
				       .level = true,
				       .shared = true};
	struct device sci = {
	    .name = "sci",
	    .path = "acpi:FADT",
	    .ids = {"kite,acpi-sci"},
	    /* PM1a event block, PM1a control (16 bits: 4.8.3.2.1) */
	    .res = {IO(f->pm1a_evt, f->pm1_evt_len), IO(f->pm1a_cnt, 2)},
	    .nres = 2,
	    .platform_data = &sci_data,
	};

	if (fw->have_s5) {
		acpi_poweroff_init(&(const struct acpi_s5){
		    (uint16_t)f->pm1a_cnt, (uint16_t)f->pm1b_cnt, fw->s5_typa,
		    fw->s5_typb});
	}
	if (!apic || !fw->have_fadt || !f->sci_int || f->hw_reduced ||
	    !f->pm1a_evt || !f->pm1a_cnt) {
		return;
	}
	if (f->smi_cmd) {
		sci.res[sci.nres++] = (struct resource)IO(f->smi_cmd, 1);
	}
	sci_data.acpi_enable = f->acpi_enable;
	acpi_gpe_blocks_from_fadt(f, &sci_data.gpe);
	pc_desc_add_irq(&sci, &sci_irq);
	pc_device_add(&sci);
}

/* I/O APIC registers: IOREGSEL and IOWIN (82093AA 3.1). */
#define IOAPIC_WINDOW 0x20

/* Device registers are never in RAM: a MADT address there is bogus, and
 * writing IOREGSEL would corrupt memory. */
static bool in_ram(uint64_t addr, uint64_t size)
{
	const struct boot_info *bi = boot_info();

	for (unsigned int i = 0; i < bi->memmap_count; i++) {
		const struct boot_mem_range *r = &bi->memmap[i];

		if (r->type == BOOT_MEM_RAM && addr < r->base + r->size &&
		    addr + size > r->base) {
			return true;
		}
	}
	return false;
}

static uint32_t ioapic_version_at(uint64_t addr)
{
	uint32_t version;

	if (in_ram(addr, IOAPIC_WINDOW) || !ioremap(addr, IOAPIC_WINDOW)) {
		return PC_IOAPIC_UNREADABLE;
	}
	version = ioapic_read_version((uintptr_t)addr);
	iounmap((void *)(uintptr_t)addr, IOAPIC_WINDOW);
	return version;
}

/*
 * The APIC path only if the I/O APICs answer and the ISA lines the board
 * needs have a pin: the console's and the keyboard's (the LAPIC timer
 * ticks on that path, so the PIT's IRQ 0 is not needed). Otherwise the
 * 8259 pair, said with the reason, rather than a console without
 * interrupts.
 */
static bool apic_path_usable(void)
{
	const uint8_t need[] = {
	    (uint8_t)pc_legacy[PC_COM1].irq[0].line,
	    (uint8_t)pc_legacy[PC_I8042].irq[0].line,
	};
	uint32_t *ver = kmalloc(fw->madt.nioapics * sizeof(*ver), 0);
	struct pc_apic_verdict v;
	bool ok;

	ioapics = kzalloc(fw->madt.nioapics * sizeof(*ioapics), 0);
	if (ver == NULL || ioapics == NULL) {
		kprintf("pc: out of memory for %u I/O APICs: interrupts "
			"through the 8259 pair\n",
			fw->madt.nioapics);
		kfree(ver);
		kfree(ioapics);
		ioapics = NULL;
		return false;
	}
	for (unsigned int i = 0; i < fw->madt.nioapics; i++) {
		ver[i] = ioapic_version_at(fw->madt.ioapics[i].addr);
	}
	ok = pc_apic_check(&fw->madt, ver, need, ARRAY_SIZE(need), &v);
	kfree(ver);
	if (ok) {
		return true;
	}
	kfree(ioapics); /* the 8259 path has no use for them */
	ioapics = NULL;
	if (v.kind == PC_APIC_BAD_IOAPIC) {
		kprintf("pc: I/O APIC %u at %p: version register 0x%x is "
			"not an I/O APIC's; ISA IRQ %u (GSI %u) needs it\n",
			v.ioapic,
			(void *)(uintptr_t)fw->madt.ioapics[v.ioapic].addr,
			v.ver, v.isa_irq, v.gsi);
	} else {
		kprintf("pc: ISA IRQ %u goes to GSI %u, which no I/O APIC "
			"has\n",
			v.isa_irq, v.gsi);
	}
	kprintf("pc: I/O APIC path unusable: interrupts through the 8259 "
		"pair\n");
	return false;
}

void pc_platform_init(void)
{
	/* 1. What the firmware says: tables, then its namespace. */
	fw = pc_acpi_read();
	add_cpus();
	/* 2. The interrupt path: the I/O APIC if the MADT has one. */
	apic = fw->madt.nioapics > 0 && !cmdline_has("noapic");
	if (fw->madt.nioapics && !apic) {
		kprintf("noapic: interrupts through the 8259 pair\n");
	}
	if (apic && !lapic_answers()) {
		kprintf(
		    "pc: no local APIC: interrupts through the 8259 pair\n");
		apic = false;
	}
	apic = apic && apic_path_usable();
	/* 3. The controllers, so that every line below can be wired. */
	pic = pc_device_add(&pc_pic);
	if (apic) {
		add_apic_devices();
	} else {
		lapic_virtual_wire(); /* the 8259's INTR through LINT0 */
	}
	/* 4. The devices: what the firmware describes, then the board's
	 * for the rest (on QEMU: the PIT and VGA). */
	pc_acpi_add_devices(apic);
	add_legacy_devices();
	/* 5. Clocks, then ACPI's fixed hardware. */
	add_clocks();
	add_acpi_hardware();
	/* 6. The drivers that bind all this (kern/device.c probes). */
	for (unsigned int i = 0; i < ARRAY_SIZE(pc_drivers); i++) {
		driver_register(pc_drivers[i]);
	}
}
