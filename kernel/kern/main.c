/*
 * The portable kernel's entry. Each port gets the CPU into a known state,
 * starts its console and hands over what the boot protocol told it.
 */
#include "kern/arch.h"
#include "kern/boot.h"
#include "kern/deferred.h"
#include "kern/device.h"
#include "kern/init.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ktest.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/string.h"
#include "kern/timer.h"

#define KITE_VERSION "0.1"

static struct boot_info *boot;

const struct boot_info *boot_info(void)
{
	return boot;
}

bool cmdline_has(const char *word)
{
	size_t n = strlen(word);
	const char *p = boot ? boot->cmdline : "";

	while (*p) {
		while (*p == ' ') {
			p++;
		}
		if (strncmp(p, word, n) == 0 && (p[n] == ' ' || !p[n])) {
			return true;
		}
		while (*p && *p != ' ') {
			p++;
		}
	}
	return false;
}

static void print_memory(const struct boot_info *bi)
{
	uint64_t ram = 0;

	for (unsigned int i = 0; i < bi->memmap_count; i++) {
		if (bi->memmap[i].type == BOOT_MEM_RAM) {
			ram += bi->memmap[i].size;
		}
	}
	kprintf("memory: %llu MiB usable in %u ranges\n",
		(unsigned long long)(ram >> 20), bi->memmap_count);
}

/* The linker's bounds of the FIRST_TASK() section (kern/init.h); weak, so
 * that a kernel with no task links and says so instead of failing. */
extern const struct first_task __start_kite_first_task[] __attribute__((weak));
extern const struct first_task __stop_kite_first_task[] __attribute__((weak));

static __noreturn void run_first_task(void)
{
	const struct first_task *t = __start_kite_first_task;
	size_t n = (size_t)(__stop_kite_first_task - t);

	if (n != 1) {
		kprintf(
		    "kernel_main: %zu first tasks registered (FIRST_TASK in "
		    "kern/init.h), need exactly one; halting\n",
		    n);
		for (size_t i = 0; i < n; i++) {
			kprintf("  %s\n", t[i].name);
		}
		arch_halt();
	}
	t->run();
	kprintf("kernel_main: first task %s returned; halting\n", t->name);
	arch_halt();
}

void kernel_main(struct boot_info *bi)
{
	boot = bi;
	kprintf("\nkite %s on %s, booted by %s\n", KITE_VERSION, arch_name,
		bi->protocol);
	kprintf("command line: \"%s\"\n", bi->cmdline);
	if (cmdline_has("haltboot")) {
		/* The floor `make bench` measures idle against: no timer, no
		 * device, interrupts off, the CPU halted (scripts/bench.py). */
		kprintf("haltboot: halting with interrupts off\n");
		arch_halt();
	}
	print_memory(bi);
	{
		unsigned int nres = 0;
		const struct mm_reserved *res = arch_mm_reserved(&nres);

		mm_init(bi, res, nres);
	}
	/* From here the boot flow is a thread; idle exists. */
	sched_init("main");
	if (bi->rsdp) {
		kprintf("ACPI RSDP at %p\n", (void *)(uintptr_t)bi->rsdp);
	}

	/* Devices, then their interrupts: nothing fires before this. */
	irq_core_init();
	arch_devices_init();
	devices_probe();
	/* Boot done first: the first interrupt's exit may already switch to
	 * a thread (an IRQ thread outranks main), and one that starts must
	 * then turn interrupts on (thread_start). */
	sched_boot_done();
	arch_irq_enable();
	/*
	 * The events work queue's thread (work queued before waits for
	 * it). Not earlier: a new thread starts with interrupts on, and
	 * before arch_devices_init() an interrupt would find the
	 * controllers as the firmware left them (the PC's 8259 delivers
	 * IRQ 0 on vector 8, taken for a double fault).
	 */
	deferred_init();
	timer_check_tick(); /* says so if no tick ever comes */
	smp_boot();	    /* the other CPUs (kern/smp.h) */

	if (cmdline_has("ktest")) {
		int failed = ktest_run_all();

		arch_emulator_exit(failed ? 1 : 0);
	}
	run_first_task();
}
