/*
 * AArch64 C entry, from boot.S at EL1 with the MMU off. Everything about
 * the machine comes from the device tree QEMU (or a boot loader) passed:
 * the console UART and its clock from /chosen's stdout-path (else
 * /aliases/serial0, else the first PL011 or SBSA UART), RAM from
 * /memory, the command line from /chosen's bootargs, the PSCI conduit
 * from /psci. No address is written here.
 */
#include <stdarg.h>
#include "kern/arch.h"
#include "kern/boot.h"
#include "kern/bytes.h"
#include "kern/console.h"
#include "kern/cpu.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/smp.h"
#include "kern/string.h"
#include "drivers/serial/pl011.h"
#include "kern/device.h"
#include "platform/dt.h"
#include "firmware/fdt/fdt.h"
#include "firmware/fdt/fdt_cpus.h"
#include "firmware/fdt/fdt_irq.h"
#include "asm/sysreg.h"
#include "percpu.h"
#include "trap_frame.h"

void mmu_init(const struct boot_info *bi, uint64_t console);
extern const uint64_t mmu_null_guard_size;
void arch_capture_frame(struct trap_frame *f);
int semihosting_exit(unsigned long code);
int semihosting_write0(const char *s);

const char arch_name[] = "aarch64";

#define CONSOLE_BAUD 115200

/* PSCI 1.1 (Arm DEN 0022) function IDs: SMC32 calling convention, and
 * CPU_ON's SMC64 form (5.1.4), whose target and entry are 64 bits. */
#define PSCI_SYSTEM_OFF	  0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_CPU_ON_64	  0xc4000003u

enum psci_conduit { PSCI_NONE, PSCI_HVC, PSCI_SMC };

static struct fdt fdt;
static struct boot_info boot;
static struct pl011 uart;
static char cmdline[256];
static enum psci_conduit psci_conduit;
static uint64_t console_phys; /* mapped across the MMU switch */

/*
 * What went wrong before there was a console to say it on: the device
 * tree's damage, each console candidate refused and why. Printed once the
 * console works, or through semihosting when none does.
 */
static char notes[512];
static size_t notes_len;

static __printf_like(1, 2) void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(notes + notes_len, sizeof(notes) - notes_len, fmt, ap);
	va_end(ap);
	notes_len += strnlen(notes + notes_len, sizeof(notes) - notes_len);
}

static const char *node_name(int node)
{
	const char *name = "?";

	fdt_node_name(&fdt, node, &name);
	return name;
}

/*
 * The UART's address: reg's first entry, or, when reg is too short for
 * one whole (address, size) entry, its address cells alone. The size is
 * not needed to drive a UART whose registers are all in the first 4 KiB.
 */
static int uart_base(int node, uint64_t *base)
{
	const uint8_t *p;
	const void *val;
	uint32_t len, ac;
	int err = fdt_reg(&fdt, node, 0, base, NULL);

	if (err != -EBADMSG) {
		return err;
	}
	if (fdt_get_prop(&fdt, node, "reg", &val, &len) < 0 ||
	    fdt_address_cells(&fdt, node, &ac) < 0 || ac < 1 || ac > 2 ||
	    len < 4 * ac) {
		return -EBADMSG;
	}
	p = val;
	*base = 0;
	for (uint32_t i = 0; i < 4 * ac; i++) {
		*base = *base << 8 | p[i];
	}
	note("console: %s: reg is %u bytes, no whole entry: using its "
	     "address only\n",
	     node_name(node), len);
	return 0;
}

/* Whether node is a UART kite can drive as its console (via: who named
 * it, for the notes), and where. */
static int console_usable(int node, const char *via, uint64_t *base, bool *sbsa)
{
	if (!fdt_node_enabled(&fdt, node)) {
		note("console: %s (from %s) is disabled\n", node_name(node),
		     via);
		return -ENODEV;
	}
	/* The SBSA generic UART is a PL011 subset (SBSA, "Generic UART"). */
	*sbsa = !fdt_is_compatible(&fdt, node, "arm,pl011");
	if (*sbsa && !fdt_is_compatible(&fdt, node, "arm,sbsa-uart")) {
		note("console: %s (from %s) is no PL011 or SBSA UART\n",
		     node_name(node), via);
		return -ENODEV;
	}
	if (uart_base(node, base) < 0) {
		note("console: %s: no usable reg\n", node_name(node));
		return -ENODEV;
	}
	return 0;
}

/* /chosen/stdout-path, else /aliases/serial0, else the first PL011 or SBSA
 * UART in the tree (Devicetree Specification v0.4, 3.3 and 3.6). */
static int console_find(uint64_t *base, bool *sbsa)
{
	static const char *const compat[] = {"arm,pl011", "arm,sbsa-uart"};
	int chosen = fdt_path_offset(&fdt, "/chosen"), node;
	const char *path;

	if (chosen < 0 ||
	    (fdt_prop_string(&fdt, chosen, "stdout-path", &path) < 0 &&
	     fdt_prop_string(&fdt, chosen, "linux,stdout-path", &path) < 0)) {
		note("console: no /chosen/stdout-path\n");
	} else if (fdt_chosen_stdout(&fdt, &node) < 0) {
		note("console: stdout-path \"%.64s\" names no node\n", path);
	} else if (console_usable(node, "stdout-path", base, sbsa) == 0) {
		return node;
	}
	node = fdt_path_offset(&fdt, "serial0");
	if (node >= 0 &&
	    console_usable(node, "/aliases/serial0", base, sbsa) == 0) {
		note("console: %s, from /aliases/serial0\n", node_name(node));
		return node;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(compat); i++) {
		for (node = -1; (node = fdt_find_compatible(&fdt, node,
							    compat[i])) >= 0;) {
			if (console_usable(node, compat[i], base, sbsa) == 0) {
				note("console: %s, the first %s\n",
				     node_name(node), compat[i]);
				return node;
			}
		}
	}
	return -ENODEV;
}

/* UARTCLK: the first of clocks = <&uartclk &apb_pclk>. */
static uint32_t uart_clock(int node)
{
	const void *val;
	uint32_t len, hz = 0;
	int clk;

	if (fdt_get_prop(&fdt, node, "clocks", &val, &len) == 0 && len >= 4) {
		clk = fdt_node_by_phandle(&fdt, get_be32(val));
		if (clk >= 0) {
			fdt_prop_u32(&fdt, clk, "clock-frequency", &hz);
		}
	}
	return hz;
}

static int console_from_dt(void)
{
	struct fdt_irq spec;
	uint32_t clock_hz;
	uint64_t base;
	bool sbsa;
	int node = console_find(&base, &sbsa);

	if (node < 0) {
		return node;
	}
	/* An SBSA UART has no divisor registers: keep what firmware set. */
	clock_hz = sbsa ? 0 : uart_clock(node);
	if (fdt_irq_get(&fdt, node, 0, &spec) < 0) {
		note("console: %s has no usable interrupt: polled\n",
		     node_name(node));
	}
	pl011_early_console(&uart, (uintptr_t)base, clock_hz, CONSOLE_BAUD);
	console_phys = base;
	return 0;
}

/* No console: say why on the only channel left, then stop. */
static __noreturn void no_console(const char *why)
{
	note("kite: no console: %s; halted\n", why);
	/* -EFAULT without -semihosting: then nobody can be told. */
	semihosting_write0(notes);
	arch_halt();
}

/* A /memory node: device_type "memory" (Devicetree Specification v0.4,
 * 3.4), whatever its unit name. */
static bool is_memory_node(int node)
{
	const char *type;

	return fdt_prop_string(&fdt, node, "device_type", &type) == 0 &&
	       strcmp(type, "memory") == 0 && fdt_node_enabled(&fdt, node);
}

/* Every reg entry of every /memory node, in tree order: all of it is
 * the RAM mmu.c maps as Normal memory. */
static void memory_from_dt(void)
{
	uint64_t base, size;

	for (int node = fdt_first_child(&fdt, fdt_root(&fdt)); node >= 0;
	     node = fdt_next_sibling(&fdt, node)) {
		if (!is_memory_node(node)) {
			continue;
		}
		for (unsigned i = 0; fdt_reg(&fdt, node, i, &base, &size) == 0;
		     i++) {
			if (boot.memmap_count == BOOT_MEMMAP_MAX) {
				kprintf("warning: memory map truncated to %d "
					"ranges at %s\n",
					BOOT_MEMMAP_MAX, node_name(node));
				return;
			}
			boot.memmap[boot.memmap_count++] =
			    (struct boot_mem_range){base, size, BOOT_MEM_RAM};
		}
	}
	if (!boot.memmap_count) {
		panic("device tree has no /memory");
	}
}

static void cmdline_from_dt(void)
{
	const char *args;

	boot.cmdline = "";
	if (fdt_chosen_bootargs(&fdt, &args) == 0) {
		size_t len = strnlen(args, sizeof(cmdline) - 1);

		if (args[len]) {
			kprintf(
			    "warning: command line truncated to %zu bytes\n",
			    len);
		}
		memcpy(cmdline, args, len);
		boot.cmdline = cmdline;
	}
}

static void psci_from_dt(void)
{
	int node = fdt_path_offset(&fdt, "/psci");
	const void *val;
	uint32_t len;

	if (node < 0 || fdt_get_prop(&fdt, node, "method", &val, &len) < 0) {
		return;
	}
	if (len == 4 && memcmp(val, "hvc", 4) == 0) {
		psci_conduit = PSCI_HVC;
	} else if (len == 4 && memcmp(val, "smc", 4) == 0) {
		psci_conduit = PSCI_SMC;
	}
}

void aarch64_entry(const void *dtb, uint64_t entry_el)
{
	size_t size = dtb ? fdt_header_totalsize(dtb) : 0;
	struct fdt_damage dmg = {0};
	int err = size ? fdt_init_partial(&fdt, dtb, size, &dmg) : -EINVAL;

	if (err == -EBADMSG && fdt.blob) {
		note("dt: the device tree is damaged at structure offset 0x%x "
		     "(%s): only what comes before it is read\n",
		     dmg.cut, dmg.cut_what);
	} else if (err < 0) {
		note("dt: no device tree at %p (error %d)\n", dtb, err);
		no_console("no device tree to find it in");
	} else if (dmg.odd) {
		note("dt: %u fault(s) in the device tree, the first %s at "
		     "structure offset 0x%x: skipped\n",
		     dmg.odd, dmg.what, dmg.first);
	}
	if (console_from_dt() < 0) {
		no_console("the device tree names no PL011 or SBSA UART");
	}
	kprintf("%s", notes);
	memory_from_dt();
	if ((uintptr_t)dtb < mmu_null_guard_size) {
		panic("the device tree at %p is inside the NULL guard", dtb);
	}
	boot.dtb = dtb;
	boot.dtb_size = size;
	mmu_init(&boot, console_phys);
	cmdline_from_dt();
	psci_from_dt();

	boot.protocol = entry_el == 2 ? "arm64 Image, entered at EL2"
				      : "arm64 Image, entered at EL1";
	kernel_main(&boot);
}

/*
 * One PSCI call through the DT's conduit (SMC Calling Convention, Arm DEN
 * 0028: function ID in w0, arguments in x1-x3, the result in x0; x1-x3
 * may come back changed, SMCCC 1.0 allows x4-x17 to be clobbered too).
 */
static int64_t psci_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (psci_conduit == PSCI_HVC) {
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10",
				   "x11", "x12", "x13", "x14", "x15", "x16",
				   "x17", "memory");
	} else if (psci_conduit == PSCI_SMC) {
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10",
				   "x11", "x12", "x13", "x14", "x15", "x16",
				   "x17", "memory");
	}
	return (int64_t)x0;
}

extern struct driver gicv3_driver, gicv2_driver, arm_timer_driver, pl011_driver;

/* Whether an enabled node is compatible with one of ids. */
static bool dt_has_compatible(const char *const *ids)
{
	for (; *ids; ids++) {
		for (int node = -1;
		     (node = fdt_find_compatible(&fdt, node, *ids)) >= 0;) {
			if (fdt_node_enabled(&fdt, node)) {
				return true;
			}
		}
	}
	return false;
}

/* Every device the device tree describes, and the drivers for them. */
void arch_devices_init(void)
{
	static struct driver *const drivers[] = {
	    &gicv3_driver, &gicv2_driver, &arm_timer_driver, &pl011_driver};

	dt_devices_add(&fdt);
	/* The firmware's CPUs; this one, by its MPIDR_EL1 affinity fields
	 * (Arm ARM D19.2.100), is CPU 0. Nothing starts the others yet. */
	dt_cpus_add(&fdt);
	cpu_set_boot(read_sysreg(mpidr_el1) & FDT_MPIDR_AFF_MASK);
	for (unsigned int i = 0; i < ARRAY_SIZE(drivers); i++) {
		driver_register(drivers[i]);
	}

	if (!dt_has_compatible(gicv3_driver.ids) &&
	    !dt_has_compatible(gicv2_driver.ids)) {
		kprintf("no interrupt controller in the device tree: polling, "
			"no tick\n");
	}
}

void platform_print_firmware_tables(void)
{
	kprintf("no ACPI: this machine is described by its device tree (%zu "
		"bytes at %p)\n",
		boot.dtb_size, boot.dtb);
}

void platform_print_acpi_events(void)
{
	kprintf("no ACPI: no GPEs or Notify on this machine\n");
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield");
}

void arch_halt(void)
{
	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	console_flush();
	for (;;) {
		__asm__ volatile("msr daifset, #0xf\n\twfi" ::: "memory");
	}
}

void arch_poweroff(void)
{
	if (psci_conduit == PSCI_NONE) {
		kprintf("no PSCI in the device tree: halting instead\n");
	} else {
		console_flush();
		psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
		kprintf("PSCI SYSTEM_OFF returned: halting\n");
	}
	arch_halt();
}

void arch_reboot(void)
{
	if (psci_conduit != PSCI_NONE) {
		console_flush();
		psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	}
	kprintf("no PSCI SYSTEM_RESET: halting\n");
	arch_halt();
}

void arch_emulator_exit(int code)
{
	console_flush();
	if (semihosting_exit((unsigned long)code) < 0) {
		kprintf("semihosting is off: powering off instead\n");
	}
	arch_poweroff();
}

void arch_dump_caller(void)
{
	struct trap_frame f;

	arch_capture_frame(&f);
	trap_print_frame(&f);
	backtrace_print(f.x[29]);
}

extern char __kernel_start[], __kernel_end[];

#define RESERVED_MAX 32
static struct mm_reserved reserved[RESERVED_MAX];
static unsigned int nreserved, reserved_dropped;

static void reserve(uint64_t base, uint64_t size, const char *what)
{
	if (nreserved == RESERVED_MAX) {
		reserved_dropped++;
		return;
	}
	reserved[nreserved++] = (struct mm_reserved){base, size, what};
}

/* /reserved-memory's children with a reg (Devicetree Specification v0.4,
 * 3.5): firmware's own memory (secure monitor, shared buffers). Those
 * with only a size are asks for an allocation, which kite does not make. */
static void reserve_dt_nodes(void)
{
	int parent = fdt_path_offset(&fdt, "/reserved-memory");
	uint64_t base, size;

	if (parent < 0) {
		return;
	}
	for (int node = fdt_first_child(&fdt, parent); node >= 0;
	     node = fdt_next_sibling(&fdt, node)) {
		for (unsigned int i = 0;
		     fdt_reg(&fdt, node, i, &base, &size) == 0; i++) {
			reserve(base, size, "DT /reserved-memory");
		}
	}
}

/*
 * What the page allocator must not hand out (kern/mm.h): the kernel
 * image (with .bss, so the boot stack and the page tables), the device
 * tree blob (QEMU puts it at the start of RAM, below the kernel), the
 * FDT's /memreserve/ block (spec 5.3) and /reserved-memory. Every
 * /memory range is in mmu.c's direct map as Normal memory. No ACPI here
 * (the DT describes this machine).
 */
const struct mm_reserved *arch_mm_reserved(unsigned int *n)
{
	uint64_t base, size;

	nreserved = reserved_dropped = 0;
	reserve((uintptr_t)__kernel_start,
		(uint64_t)(__kernel_end - __kernel_start), "kernel image");
	reserve((uintptr_t)boot.dtb, boot.dtb_size, "device tree blob");
	for (unsigned int i = 0; fdt_mem_rsv(&fdt, i, &base, &size) == 0; i++) {
		reserve(base, size, "DT /memreserve/");
	}
	reserve_dt_nodes();
	if (reserved_dropped) {
		panic("arch_mm_reserved: %u reservations beyond the %d kite "
		      "keeps: cannot tell what is safe to hand out",
		      reserved_dropped, RESERVED_MAX);
	}
	*n = nreserved;
	return reserved;
}

/* PSCI return codes (DEN 0022 5.2.2, Table 5), the errno each becomes. */
static const struct {
	int64_t code;
	const char *name;
	int err;
} psci_errors[] = {
    {-1, "NOT_SUPPORTED", -ENOSYS},   {-2, "INVALID_PARAMETERS", -EINVAL},
    {-3, "DENIED", -EPERM},	      {-4, "ALREADY_ON", -EBUSY},
    {-5, "ON_PENDING", -EBUSY},	      {-6, "INTERNAL_FAILURE", -EIO},
    {-7, "NOT_PRESENT", -ENODEV},     {-8, "DISABLED", -ENODEV},
    {-9, "INVALID_ADDRESS", -EFAULT},
};

/* Said once per failure, naming the CPU, its MPIDR and PSCI's answer. */
static int psci_cpu_on_error(unsigned int cpu, uint64_t hwid, int64_t ret)
{
	const char *name = "an unknown code";
	int err = -EIO;

	for (unsigned int i = 0; i < ARRAY_SIZE(psci_errors); i++) {
		if (psci_errors[i].code == ret) {
			name = psci_errors[i].name;
			err = psci_errors[i].err;
		}
	}
	kprintf("psci: CPU_ON of CPU %u (MPIDR 0x%llx) failed: %s (%lld)\n",
		cpu, (unsigned long long)hwid, name, (long long)ret);
	return err;
}

/* Each CPU's block, read by secondary_entry with its MMU off. */
static struct cpu_boot cpu_boot[NR_CPUS] __aligned(CPU_BOOT_SIZE);

/* Clean [p, p + size) to the point of coherency (Arm ARM D7.5.9, DC
 * CVAC): a CPU whose MMU is off reads memory, not our cache. */
static void dcache_clean(const void *p, size_t size)
{
	uintptr_t line = 4u
			 << (read_sysreg(ctr_el0) >> 16 & 0xf); /* DminLine */

	for (uintptr_t a = (uintptr_t)p & ~(line - 1); a < (uintptr_t)p + size;
	     a += line) {
		__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
	}
	dsb_sy();
}

/*
 * Start cpu at entry on stack_top: its block, then PSCI CPU_ON (DEN 0022
 * 5.6) with the target's MPIDR (Aff3 in bits 39:32, as cpu_info.hwid
 * keeps it), secondary_entry's physical address (identity-mapped) and
 * the block's as the context id.
 */
static int cpu_start_at(unsigned int cpu, uint64_t hwid, uintptr_t stack_top,
			void (*entry)(void))
{
	const struct cpu_info *ci = cpu_get(cpu);
	struct cpu_boot *b = &cpu_boot[cpu];
	int64_t ret;

	if (cpu == 0 || cpu >= NR_CPUS || !ci) {
		return -EINVAL;
	}
	if (strcmp(ci->method, "psci") != 0) {
		kprintf("smp: CPU %u: enable-method \"%s\" is not one kite "
			"can use (psci)\n",
			cpu, ci->method);
		return -ENODEV;
	}
	if (psci_conduit == PSCI_NONE) {
		kprintf("smp: CPU %u: no /psci method in the device tree\n",
			cpu);
		return -ENODEV;
	}
	*b = (struct cpu_boot){
	    .mair = mmu_boot_regs.mair,
	    .tcr = mmu_boot_regs.tcr,
	    .ttbr0 = mmu_boot_regs.ttbr0,
	    .sctlr = mmu_boot_regs.sctlr,
	    .vbar = read_sysreg(vbar_el1),
	    .tpidr = (uintptr_t)&arch_percpu[cpu],
	    .sp = stack_top,
	    .entry = (uintptr_t)entry,
	};
	dcache_clean(b, sizeof(*b));
	ret = psci_call(PSCI_CPU_ON_64, hwid, (uintptr_t)secondary_entry,
			(uintptr_t)b);
	return ret == 0 ? 0 : psci_cpu_on_error(cpu, hwid, ret);
}

int arch_cpu_start(unsigned int cpu, uint64_t hwid, uintptr_t stack_top)
{
	return cpu_start_at(cpu, hwid, stack_top, smp_secondary_main);
}
