/*
 * The PC's side of the AML interpreter (pc_aml_host.h): region handlers
 * for SystemMemory, SystemIO and PCI_Config, a slot per other space for
 * a driver's handler, and the services AML asks of the OS (ACPI 6.5,
 * 19.6.126 Sleep, 19.6.129 Stall, 19.6.138 Timer, 19.6.47 Fatal,
 * 19.6.89 Notify).
 *
 * Every region access runs under the namespace lock (aml.h: the caller
 * serializes all calls), so the counters and the ECAM page cache need
 * no lock of their own; CF8h/CFCh does (any PCI user shares the pair).
 */
#include "platform/pc_aml_host.h"
#include "drivers/acpi/gpe.h"
#include "drivers/acpi/notify.h"
#include "firmware/acpi/mcfg.h"
#include "kern/arch.h"
#include "kern/boot.h"
#include "kern/errno.h"
#include "kern/io.h"
#include "kern/ktimer.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "kern/vm.h"

#define REFUSED_SAID 8 /* refusals said on the console; all counted */

/* Configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2). */
#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA	   0xcfc
#define PCI_CONFIG_ENABLE  (1u << 31)
#define PCI_CF8_SPACE	   256u /* bytes of config space CF8 reaches */
#define PCI_ECAM_SPACE	   4096u

#define ECAM_CACHE 8 /* mapped 4 KiB function pages kept */

struct space_handler {
	pc_aml_space_fn fn;
	void *ctx;
};

static struct space_handler handlers[AML_SPACE_COUNT];
static struct pc_aml_host_stats stats;
static struct acpi_mcfg mcfg;
static struct spinlock cf8_lock = SPINLOCK_INIT("pci-cf8");

static struct {
	uint64_t phys;
	void *virt;
} ecam_cache[ECAM_CACHE];
static unsigned int ecam_next;

static const char *const space_names[AML_SPACE_COUNT] = {
    "SystemMemory",	"SystemIO", "PCI_Config",
    "EmbeddedControl",	"SMBus",    "SystemCMOS",
    "PciBarTarget",	"IPMI",	    "GeneralPurposeIO",
    "GenericSerialBus", "PCC",
};

/* An access the handler will not do: counted, the first few said with
 * the region's path. */
static int refuse(const struct aml_region_access *a, bool write,
		  const char *why, int err)
{
	char path[64] = "?";

	stats.refused++;
	if (stats.refused <= REFUSED_SAID) {
		if (a->region) {
			aml_node_path(a->region, path, sizeof(path));
		}
		kprintf("acpi: %s: %s %s of %u bits at %p: %s: refused\n", path,
			a->space < AML_SPACE_COUNT ? space_names[a->space]
						   : "region",
			write ? "write" : "read", a->width,
			(void *)(uintptr_t)a->addr, why);
	}
	return err;
}

/* One access of width bits at a mapped pointer. */
static void mmio_rw(volatile void *p, unsigned int width, bool write,
		    uint64_t *v)
{
	switch (width) {
	case 8:
		if (write) {
			*(volatile uint8_t *)p = (uint8_t)*v;
		} else {
			*v = *(volatile uint8_t *)p;
		}
		break;
	case 16:
		if (write) {
			*(volatile uint16_t *)p = (uint16_t)*v;
		} else {
			*v = *(volatile uint16_t *)p;
		}
		break;
	case 32:
		if (write) {
			*(volatile uint32_t *)p = (uint32_t)*v;
		} else {
			*v = *(volatile uint32_t *)p;
		}
		break;
	default:
		if (write) {
			*(volatile uint64_t *)p = *v;
		} else {
			*v = *(volatile uint64_t *)p;
		}
		break;
	}
}

/* SystemMemory: only what firmware_map() gives (never page 0, never a
 * hole in the direct map). */
static int memory_rw(const struct aml_region_access *a, bool write, uint64_t *v)
{
	volatile void *p = firmware_map(a->addr, a->width / 8);

	if (p == NULL) {
		return refuse(a, write, "not mapped", -EFAULT);
	}
	mmio_rw(p, a->width, write, v);
	return 0;
}

static void port_rw(uint16_t port, unsigned int width, bool write, uint64_t *v)
{
	switch (width) {
	case 8:
		if (write) {
			arch_pio_write8(port, (uint8_t)*v);
		} else {
			*v = arch_pio_read8(port);
		}
		break;
	case 16:
		if (write) {
			arch_pio_write16(port, (uint16_t)*v);
		} else {
			*v = arch_pio_read16(port);
		}
		break;
	default:
		if (write) {
			arch_pio_write32(port, (uint32_t)*v);
		} else {
			*v = arch_pio_read32(port);
		}
		break;
	}
}

/* SystemIO: the 64 KiB port space; a 64-bit access is two 32-bit ones,
 * low first (I/O instructions are at most 32 bits wide). */
static int io_rw(const struct aml_region_access *a, bool write, uint64_t *v)
{
	unsigned int bytes = a->width / 8;
	uint64_t lo, hi;

	if (a->addr > 0xffff || bytes - 1 > 0xffff - a->addr) {
		return refuse(a, write, "beyond the port space", -EINVAL);
	}
	if (a->width != 64) {
		port_rw((uint16_t)a->addr, a->width, write, v);
		return 0;
	}
	lo = *v & 0xffffffffu;
	hi = *v >> 32;
	port_rw((uint16_t)a->addr, 32, write, &lo);
	port_rw((uint16_t)(a->addr + 4), 32, write, &hi);
	*v = lo | hi << 32;
	return 0;
}

/* A mapped ECAM page (uncached: ioremap), kept in a small cache. */
static void *ecam_page(uint64_t page)
{
	void *virt;

	for (unsigned int i = 0; i < ECAM_CACHE; i++) {
		if (ecam_cache[i].virt && ecam_cache[i].phys == page) {
			return ecam_cache[i].virt;
		}
	}
	virt = ioremap(page, PAGE_SIZE);
	if (virt == NULL) {
		return NULL;
	}
	if (ecam_cache[ecam_next].virt) {
		iounmap(ecam_cache[ecam_next].virt, PAGE_SIZE);
	}
	ecam_cache[ecam_next].phys = page;
	ecam_cache[ecam_next].virt = virt;
	ecam_next = (ecam_next + 1) % ECAM_CACHE;
	return virt;
}

/* One naturally aligned access of up to 32 bits in a function's config
 * space: ECAM if a window covers it, else CF8/CFC on segment 0. */
static int pci_rw1(const struct aml_region_access *a, unsigned int off,
		   unsigned int width, bool write, uint64_t *v)
{
	uint64_t phys;
	unsigned long flags;

	if (acpi_mcfg_address(&mcfg, a->pci.segment, a->pci.bus, a->pci.device,
			      a->pci.function, (uint16_t)off, &phys) == 0) {
		uint8_t *page = ecam_page(phys & ~(uint64_t)(PAGE_SIZE - 1));

		if (page == NULL) {
			return refuse(a, write, "ECAM page not mappable",
				      -EFAULT);
		}
		stats.ecam++;
		mmio_rw(page + (phys & (PAGE_SIZE - 1)), width, write, v);
		return 0;
	}
	if (a->pci.segment != 0 || off >= PCI_CF8_SPACE) {
		return refuse(a, write,
			      a->pci.segment ? "no ECAM window for the segment"
					     : "extended config space without "
					       "ECAM",
			      -ENODEV);
	}
	stats.cf8++;
	flags = spin_lock_irqsave(&cf8_lock);
	arch_pio_write32(PCI_CONFIG_ADDRESS,
			 PCI_CONFIG_ENABLE | (uint32_t)a->pci.bus << 16 |
			     (uint32_t)(a->pci.device & 31) << 11 |
			     (uint32_t)(a->pci.function & 7) << 8 |
			     (off & 0xfc));
	port_rw((uint16_t)(PCI_CONFIG_DATA + (off & 3)), width, write, v);
	spin_unlock_irqrestore(&cf8_lock, flags);
	return 0;
}

/*
 * PCI_Config: addr is the offset in the function's space (aml.h). An
 * access that is not naturally aligned, or 64 bits wide, is split into
 * aligned pieces (bytes; dwords for 64), low address first.
 */
static int pci_rw(const struct aml_region_access *a, bool write, uint64_t *v)
{
	unsigned int bytes = a->width / 8, step;
	uint64_t out = 0;

	if (a->addr >= PCI_ECAM_SPACE || bytes > PCI_ECAM_SPACE - a->addr) {
		return refuse(a, write, "beyond config space", -EINVAL);
	}
	step = (a->width <= 32 && (a->addr & (bytes - 1)) == 0) ? bytes
	       : (a->width == 64 && (a->addr & 3) == 0)		? 4
								: 1;
	for (unsigned int i = 0; i < bytes; i += step) {
		uint64_t piece = write ? *v >> (8 * i) : 0;
		int ret = pci_rw1(a, (unsigned int)a->addr + i, step * 8, write,
				  &piece);

		if (ret < 0) {
			return ret;
		}
		out |= (piece & ((1ull << (8 * step)) - 1)) << (8 * i);
	}
	if (!write) {
		*v = out;
	}
	return 0;
}

static int host_region_rw(void *ctx, const struct aml_region_access *a,
			  bool write, uint64_t *value)
{
	(void)ctx;
	if (a->width != 8 && a->width != 16 && a->width != 32 &&
	    a->width != 64) {
		return refuse(a, write, "unsupported width", -EINVAL);
	}
	if (a->space < AML_SPACE_COUNT) {
		(write ? stats.writes : stats.reads)[a->space]++;
	}
	switch (a->space) {
	case AML_SPACE_MEMORY:
		return memory_rw(a, write, value);
	case AML_SPACE_IO:
		return io_rw(a, write, value);
	case AML_SPACE_PCI:
		return pci_rw(a, write, value);
	default:
		if (a->space < AML_SPACE_COUNT && handlers[a->space].fn) {
			return handlers[a->space].fn(handlers[a->space].ctx, a,
						     write, value);
		}
		/* The interpreter names the region and its device. */
		stats.no_handler++;
		return -ENODEV;
	}
}

static void host_notify(void *ctx, struct aml_node *node, uint32_t value)
{
	(void)ctx;
	acpi_notify_queue(node, value);
}

static void host_sleep_ms(void *ctx, uint64_t ms)
{
	(void)ctx;
	msleep(ms > 0xffffffffu ? 0xffffffffu : (unsigned int)ms);
}

/* Stall (19.6.129) busy-waits: the caller may hold a lock or expect no
 * reschedule. The spec allows at most 100 us; the interpreter bounds it,
 * and so does the loop, in case the clock does not move. */
static void host_stall_us(void *ctx, uint64_t us)
{
	uint64_t end = time_ns() + us * NSEC_PER_USEC;

	(void)ctx;
	for (unsigned long spins = 0; time_ns() < end && spins < 10000000ul;
	     spins++) {
		arch_cpu_relax();
	}
}

/* Timer (19.6.138): 100 ns units, monotonic, from the clocksource. */
static uint64_t host_timer_100ns(void *ctx)
{
	(void)ctx;
	return time_ns() / 100;
}

static void host_debug(void *ctx, const char *text)
{
	(void)ctx;
	kprintf("acpi: Debug: %s\n", text);
}

/* Fatal (19.6.47): the firmware says the machine is in a state it cannot
 * recover from. kite says so as loudly as it can and keeps running: the
 * OS "may choose" to shut down, and a console that stays is worth more. */
static void host_fatal(void *ctx, uint8_t type, uint32_t code, uint64_t arg)
{
	(void)ctx;
	kprintf("acpi: *** AML Fatal: type 0x%02x code 0x%08x argument 0x%llx "
		"***\n"
		"acpi: *** the firmware reports a fatal error; kite goes on, "
		"the machine may not ***\n",
		type, code, (unsigned long long)arg);
}

static void host_log(void *ctx, const char *text)
{
	(void)ctx;
	kprintf("acpi: %s\n", text);
}

static const struct aml_host_ops host_ops = {
    .region_rw = host_region_rw,
    .notify = host_notify,
    .sleep_ms = host_sleep_ms,
    .stall_us = host_stall_us,
    .timer_100ns = host_timer_100ns,
    .debug = host_debug,
    .fatal = host_fatal,
    .log = host_log,
};

const struct aml_host_ops *pc_aml_host_ops(void)
{
	return &host_ops;
}

uint32_t pc_aml_host_spaces(void)
{
	uint32_t mask =
	    1u << AML_SPACE_MEMORY | 1u << AML_SPACE_IO | 1u << AML_SPACE_PCI;

	for (unsigned int s = 0; s < AML_SPACE_COUNT; s++) {
		if (handlers[s].fn) {
			mask |= 1u << s;
		}
	}
	return mask;
}

void pc_aml_host_set_mcfg(const uint8_t *table, size_t len)
{
	int ret;

	if (table == NULL) {
		return;
	}
	ret = acpi_parse_mcfg(table, len, &mcfg);
	if (ret < 0) {
		kprintf("acpi: MCFG unusable (%d): PCI config through CF8/CFC "
			"only\n",
			ret);
		return;
	}
	for (unsigned int i = 0; i < mcfg.count; i++) {
		kprintf("acpi: ECAM segment %u buses %u-%u at %p\n",
			mcfg.w[i].segment, mcfg.w[i].bus_start,
			mcfg.w[i].bus_end, (void *)(uintptr_t)mcfg.w[i].base);
	}
	if (mcfg.bad || mcfg.dropped || mcfg.trailing) {
		kprintf("acpi: MCFG: %u bad entries, %u past %u kept, %u "
			"trailing bytes: skipped\n",
			mcfg.bad, mcfg.dropped, ACPI_MCFG_MAX, mcfg.trailing);
	}
}

int pc_aml_set_space_handler(uint8_t space, pc_aml_space_fn fn, void *ctx)
{
	if (space >= AML_SPACE_COUNT) {
		return -EINVAL;
	}
	if (space <= AML_SPACE_PCI || (fn && handlers[space].fn)) {
		return -EBUSY;
	}
	handlers[space] = (struct space_handler){fn, fn ? ctx : NULL};
	return 0;
}

void pc_aml_host_get_stats(struct pc_aml_host_stats *st)
{
	*st = stats;
}

void platform_print_acpi_events(void)
{
	static const char *const short_names[AML_SPACE_COUNT] = {
	    "mem",    "io",   "pci",  "ec",    "smbus", "cmos",
	    "pcibar", "ipmi", "gpio", "gsbus", "pcc",
	};

	acpi_gpe_print();
	acpi_notify_print();
	kprintf("regions (reads/writes):");
	for (unsigned int s = 0; s < AML_SPACE_COUNT; s++) {
		if (stats.reads[s] || stats.writes[s] || s <= AML_SPACE_PCI) {
			kprintf(" %s %lu/%lu", short_names[s], stats.reads[s],
				stats.writes[s]);
		}
	}
	kprintf("; pci by ECAM %lu, by CF8 %lu; %lu refused, %lu with no "
		"handler\n",
		stats.ecam, stats.cf8, stats.refused, stats.no_handler);
}
