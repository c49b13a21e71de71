/*
 * x86_64 C entry, from boot.S in long mode on the boot stack. Brings up
 * the GDT/TSS and the IDT, starts the console on COM1, copies the PVH
 * start_info into a struct boot_info, switches to the final page tables
 * and enters the portable kernel.
 */
#include "kern/arch.h"
#include "kern/boot.h"
#include "kern/console.h"
#include "kern/mm.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "drivers/acpi/poweroff.h"
#include "drivers/serial/uart16550.h"
#include "platform/pc.h"
#include "cpu.h"
#include "gdt.h"
#include "percpu.h"
#include "smpboot.h"
#include "trap_frame.h"

void idt_init(void);
void mmu_init(const struct boot_info *bi);
void arch_capture_frame(struct trap_frame *f);

const char arch_name[] = "x86_64";

/* Xen's hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h). */
#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	/* version >= 1 */
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
} __packed;

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820 types: 1 RAM, 2 reserved, 3 ACPI, 4 NVS */
	uint32_t reserved;
} __packed;

static struct boot_info boot;
static struct uart16550 com1;
static char cmdline[256];
/* Where the PVH structures were, for arch_mm_reserved() (read before
 * mmu_init(), which may unmap low pages). */
static uint64_t si_addr, si_memmap, si_memmap_bytes;

static void parse_start_info(const struct hvm_start_info *si)
{
	boot.protocol = "PVH";
	boot.cmdline = "";
	if (!si || si->magic != HVM_START_MAGIC) {
		kprintf("warning: no PVH start_info (magic %x)\n",
			si ? si->magic : 0);
		return;
	}
	si_addr = (uintptr_t)si;
	if (si->version >= 1 && si->memmap_paddr) {
		si_memmap = si->memmap_paddr;
		si_memmap_bytes =
		    si->memmap_entries * sizeof(struct hvm_memmap_entry);
	}
	if (si->cmdline_paddr) {
		const char *src = (const char *)(uintptr_t)si->cmdline_paddr;
		size_t len = strnlen(src, sizeof(cmdline) - 1);

		if (src[len]) {
			kprintf(
			    "warning: command line truncated to %zu bytes\n",
			    len);
		}
		memcpy(cmdline, src, len);
		boot.cmdline = cmdline;
	}
	boot.rsdp = si->rsdp_paddr;
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_entry *e =
		    (const void *)(uintptr_t)si->memmap_paddr;

		for (uint32_t i = 0; i < si->memmap_entries; i++) {
			if (boot.memmap_count == BOOT_MEMMAP_MAX) {
				kprintf("warning: memory map truncated to %d "
					"ranges\n",
					BOOT_MEMMAP_MAX);
				break;
			}
			boot.memmap[boot.memmap_count++] =
			    (struct boot_mem_range){e[i].addr, e[i].size,
						    e[i].type};
		}
	}
}

/*
 * The start_info and what it points to live in low memory, which the
 * final page tables leave partly unmapped (page 0): copy what we keep
 * before switching to them.
 */
void x86_64_entry(const struct hvm_start_info *si)
{
	/* First: kprintf and every spinlock ask arch_cpu_id() (percpu.h). */
	x86_percpu_init_boot();
	gdt_init();
	idt_init();

	/* No console to say so on if this fails; the boot carries on. */
	uart16550_early_console(&com1, pc_platform.console,
				pc_platform.console_baud);

	parse_start_info(si);
	mmu_init(&boot);
	kernel_main(&boot);
}

void arch_devices_init(void)
{
	pc_platform_init();
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause");
}

void arch_halt(void)
{
	cli();
	console_flush();
	for (;;) {
		cli();
		hlt();
	}
}

void arch_emulator_exit(int code)
{
	/*
	 * isa-debug-exit: QEMU exits with status (value << 1) | 1. Writing
	 * code + 1 keeps status 1 for QEMU's own failures (scripts/qemu.py's
	 * exit_status() decodes it).
	 */
	console_flush();
	outl(pc_platform.debug_exit_port, (uint32_t)code + 1);
	kprintf("emulator exit device did not respond; halting\n");
	arch_halt();
}

/*
 * S5 through the FADT's PM1 control blocks when ACPI gave us \_S5;
 * else QEMU's isa-debug-exit with code 0.
 */
void arch_poweroff(void)
{
	console_flush();
	acpi_poweroff();
	arch_emulator_exit(0);
}

/*
 * A triple fault resets every PC: an empty IDT makes the breakpoint
 * undeliverable, and so the double fault and the fault after it.
 */
void arch_reboot(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty = {0, 0};

	console_flush();
	cli();
	__asm__ volatile("lidt %0\n\tint3" ::"m"(empty));
	arch_halt();
}

void arch_dump_caller(void)
{
	struct trap_frame f;

	arch_capture_frame(&f);
	trap_print_frame(&f);
	backtrace_print(f.rbp);
}

extern char __kernel_start[], __kernel_end[];

/*
 * What the page allocator must not hand out (kern/mm.h). The kernel
 * image holds .bss, and with it the boot stack and its guard page
 * (boot.S), the IST stacks and the page tables (mmu.c). The PVH
 * start_info and its memory map have been copied into `boot` already;
 * they are kept anyway (they are small, and a later reader of the PVH
 * modules list would want them). The AP trampoline's page below 1 MiB
 * (smpboot.c) is chosen here, clear of those. The ACPI tables need nothing
 * here: the firmware puts them, and the RSDP, in E820 ranges that are not RAM
 * (reserved, ACPI data, NVS), which mm_init() never hands out.
 */
const struct mm_reserved *arch_mm_reserved(unsigned int *n)
{
	static struct mm_reserved res[4];
	unsigned int i = 0;
	uint64_t tramp;

	res[i++] = (struct mm_reserved){
	    (uintptr_t)__kernel_start,
	    (uint64_t)(__kernel_end - __kernel_start), "kernel image"};
	if (si_addr) {
		res[i++] = (struct mm_reserved){
		    si_addr, sizeof(struct hvm_start_info), "PVH start_info"};
	}
	if (si_memmap) {
		res[i++] = (struct mm_reserved){si_memmap, si_memmap_bytes,
						"PVH memory map"};
	}
	/* The page the other CPUs start in (smpboot.c). */
	tramp = x86_trampoline_reserve(&boot, res, i);
	if (tramp) {
		res[i++] =
		    (struct mm_reserved){tramp, PAGE_SIZE, "AP trampoline"};
	}
	*n = i;
	return res;
}
