/*
 * AArch64 C entry, from boot.S at EL1 with the MMU off. Everything about
 * the machine comes from the device tree QEMU (or a boot loader) passed:
 * the console UART and its clock from /chosen's stdout-path, RAM from
 * /memory, the command line from /chosen's bootargs, the PSCI conduit
 * from /psci. No address is written here.
 */
#include "kern/arch.h"
#include "kern/boot.h"
#include "kern/bytes.h"
#include "kern/console.h"
#include "kern/errno.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "drivers/serial/pl011.h"
#include "kern/device.h"
#include "platform/dt.h"
#include "firmware/fdt/fdt.h"
#include "asm/sysreg.h"
#include "trap_frame.h"

void mmu_init(uint64_t ram_base, uint64_t ram_size);
void arch_capture_frame(struct trap_frame *f);
int semihosting_exit(unsigned long code);

const char arch_name[] = "aarch64";

#define CONSOLE_BAUD 115200

/* PSCI 1.1 (Arm DEN 0022) function IDs, SMC32 calling convention. */
#define PSCI_SYSTEM_OFF	  0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u

enum psci_conduit { PSCI_NONE, PSCI_HVC, PSCI_SMC };

static struct fdt fdt;
static struct boot_info boot;
static struct pl011 uart;
static char cmdline[256];
static enum psci_conduit psci_conduit;

/* The pl011 that /chosen/stdout-path names, with its clock. */
static int console_from_dt(void)
{
	const void *val;
	uint32_t len, phandle;
	uint64_t base, size;
	uint32_t clock_hz = 0;
	int node, clk;

	if (fdt_chosen_stdout(&fdt, &node) < 0 ||
	    !fdt_is_compatible(&fdt, node, "arm,pl011") ||
	    fdt_reg(&fdt, node, 0, &base, &size) < 0) {
		return -ENODEV;
	}
	/* clocks = <&uartclk &apb_pclk>: the first one is UARTCLK. */
	if (fdt_get_prop(&fdt, node, "clocks", &val, &len) == 0 && len >= 4) {
		phandle = get_be32(val);
		clk = fdt_node_by_phandle(&fdt, phandle);
		if (clk >= 0) {
			fdt_prop_u32(&fdt, clk, "clock-frequency", &clock_hz);
		}
	}
	pl011_early_console(&uart, (uintptr_t)base, clock_hz, CONSOLE_BAUD);
	return 0;
}

static void memory_from_dt(void)
{
	int node = fdt_path_offset(&fdt, "/memory");
	uint64_t base, size;

	for (unsigned i = 0; node >= 0 && i < BOOT_MEMMAP_MAX; i++) {
		if (fdt_reg(&fdt, node, i, &base, &size) < 0) {
			break;
		}
		boot.memmap[boot.memmap_count++] =
		    (struct boot_mem_range){base, size, BOOT_MEM_RAM};
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

	/* Without a device tree there is no console to complain on. */
	if (!size || fdt_init(&fdt, dtb, size) < 0 || console_from_dt() < 0) {
		arch_halt();
	}
	memory_from_dt();
	mmu_init(boot.memmap[0].base, boot.memmap[0].size);
	cmdline_from_dt();
	psci_from_dt();

	boot.protocol = entry_el == 2 ? "arm64 Image, entered at EL2"
				      : "arm64 Image, entered at EL1";
	boot.dtb = dtb;
	boot.dtb_size = size;
	kernel_main(&boot);
}

const struct fdt *platform_fdt(void)
{
	return &fdt;
}

static uint64_t psci_call(uint32_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	if (psci_conduit == PSCI_HVC) {
		__asm__ volatile("hvc #0"
				 : "+r"(x0)::"x1", "x2", "x3", "memory");
	} else if (psci_conduit == PSCI_SMC) {
		__asm__ volatile("smc #0"
				 : "+r"(x0)::"x1", "x2", "x3", "memory");
	}
	return x0;
}

extern struct driver gicv3_driver, gicv2_driver, arm_timer_driver, pl011_driver;

/* Every device the device tree describes, and the drivers for them. */
void arch_devices_init(void)
{
	static struct driver *const drivers[] = {
	    &gicv3_driver, &gicv2_driver, &arm_timer_driver, &pl011_driver};

	dt_devices_add(&fdt);
	for (unsigned int i = 0; i < ARRAY_SIZE(drivers); i++) {
		driver_register(drivers[i]);
	}
}

void platform_print_firmware_tables(void)
{
	kprintf("no ACPI: this machine is described by its device tree (%zu "
		"bytes at %p)\n",
		boot.dtb_size, boot.dtb);
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
		psci_call(PSCI_SYSTEM_OFF);
		kprintf("PSCI SYSTEM_OFF returned: halting\n");
	}
	arch_halt();
}

void arch_reboot(void)
{
	if (psci_conduit != PSCI_NONE) {
		console_flush();
		psci_call(PSCI_SYSTEM_RESET);
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
