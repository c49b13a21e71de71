/*
 * Starting the other CPUs on x86_64 (kern/smp.h's arch_cpu_start): a
 * real-mode trampoline in a page below 1 MiB (trampoline.S), started
 * with INIT-SIPI-SIPI by the local APIC driver (lapic.c; Intel SDM Vol.
 * 3A 8.4.4.1, MultiProcessor Specification 1.4 B.4).
 *
 * The page is chosen from the firmware's memory map and kept from the
 * page allocator (arch_mm_reserved, setup.c); on the first start it gets
 * the code and its header (the temporary GDT, the far jumps, CR0/CR3/CR4
 * and EFER as the boot CPU has them) and is then mapped read-only and
 * executable at its own address (mmu.c), so it is never writable and
 * executable at once.
 *
 * Each CPU's parameters (APIC ID, stack top, per-CPU area) are an entry
 * of x86_ap_params[], indexed by logical CPU, written before its INIT and
 * never reused: the CPU finds its entry by its own APIC ID. One shared
 * block would be enough while smp_boot() starts CPUs one at a time, but
 * a CPU that arrives after its timeout would then take the next CPU's
 * stack; with an entry of its own it only finds its state is no longer
 * CPU_STARTING and halts (smp_secondary_main).
 */
#include "kern/boot.h"
#include "kern/cpu.h"
#include "kern/errno.h"
#include "kern/mm.h"
#include "kern/printf.h"
#include "kern/smp.h"
#include "kern/string.h"
#include "kern/vm.h"
#include "asm/msr.h"
#include "drivers/irqchip/apic.h"
#include "cpu.h"
#include "gdt.h"
#include "mmu.h"
#include "percpu.h"
#include "smpboot.h"
#include "trampoline.h"

void idt_load(void);
__noreturn void x86_ap_entry(struct x86_percpu *pc);

struct ap_params {
	uint32_t hwid;
	uint32_t valid;
	uint64_t stack_top;
	uint64_t percpu;
};
_Static_assert(offsetof(struct ap_params, hwid) == AP_HWID, "AP_HWID");
_Static_assert(offsetof(struct ap_params, valid) == AP_VALID, "AP_VALID");
_Static_assert(offsetof(struct ap_params, stack_top) == AP_STACK, "AP_STACK");
_Static_assert(offsetof(struct ap_params, percpu) == AP_PERCPU, "AP_PERCPU");
_Static_assert(sizeof(struct ap_params) == AP_SIZE, "AP_SIZE");
_Static_assert(AP_NR == NR_CPUS, "trampoline.h AP_NR is NR_CPUS");

/* Read by x86_ap_long_mode (trampoline.S). */
struct ap_params x86_ap_params[NR_CPUS];
unsigned int x86_ap_strays; /* CPUs that found no entry and halted */

/* The trampoline header (trampoline.h), as the page's copy holds it. */
struct tramp_hdr {
	uint64_t gdt[4];
	uint16_t gdtr_limit;
	uint32_t gdtr_base;
	uint16_t pad0;
	uint32_t jmp32_off;
	uint16_t jmp32_sel;
	uint16_t pad1;
	uint32_t jmp64_off;
	uint16_t jmp64_sel;
	uint16_t pad2;
	uint32_t cr0, cr3, cr4, efer;
} __packed;
_Static_assert(offsetof(struct tramp_hdr, gdtr_limit) == TR_GDTR, "TR_GDTR");
_Static_assert(offsetof(struct tramp_hdr, jmp32_off) == TR_JMP32, "TR_JMP32");
_Static_assert(offsetof(struct tramp_hdr, jmp64_off) == TR_JMP64, "TR_JMP64");
_Static_assert(offsetof(struct tramp_hdr, cr0) == TR_CR0, "TR_CR0");
_Static_assert(offsetof(struct tramp_hdr, cr3) == TR_CR3, "TR_CR3");
_Static_assert(offsetof(struct tramp_hdr, cr4) == TR_CR4, "TR_CR4");
_Static_assert(offsetof(struct tramp_hdr, efer) == TR_EFER, "TR_EFER");
_Static_assert(sizeof(struct tramp_hdr) == TR_HDR_SIZE, "TR_HDR_SIZE");

extern const char x86_trampoline_start[], x86_trampoline_32[];
extern const char x86_trampoline_hdr[], x86_trampoline_end[];
extern const char x86_ap_long_mode[];

/* The temporary GDT: flat 32-bit code and data, 64-bit code; accessed
 * bits set (type 0x9b / 0x93), so loading them writes nothing. */
#define TR_SEG_CODE32 0x00cf9b000000ffffull
#define TR_SEG_DATA   0x00cf93000000ffffull
#define TR_SEG_CODE64 0x00af9b000000ffffull

#define MSR_EFER    0xc0000080u
#define EFER_LME    (1u << 8)
#define EFER_NXE    (1u << 11)
#define CR4_PCIDE   (1ull << 17) /* needs IA-32e mode: set later if ever */
#define LOW_MEM_END 0x9f000ull	 /* below the EBDA and the VGA window */
#define LOW_4G	    0x100000000ull

static uint64_t tramp_pa; /* 0: no page found */
static bool tramp_ready;

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool page_is_ram(const struct boot_info *bi, uint64_t pa)
{
	for (unsigned int i = 0; i < bi->memmap_count; i++) {
		const struct boot_mem_range *r = &bi->memmap[i];

		if (r->type == BOOT_MEM_RAM && pa >= r->base &&
		    pa + PAGE_SIZE <= r->base + r->size) {
			return true;
		}
	}
	return false;
}

/*
 * The highest RAM page below the EBDA that none of avoid[] touches (page
 * 0 never: the direct map leaves it out). SIPI vectors 0xA0-0xBF are
 * reserved (SDM 8.4.4.1), and this stays below them.
 */
uint64_t x86_trampoline_reserve(const struct boot_info *bi,
				const struct mm_reserved *avoid, unsigned int n)
{
	for (uint64_t pa = LOW_MEM_END - PAGE_SIZE; pa >= PAGE_SIZE;
	     pa -= PAGE_SIZE) {
		bool free = page_is_ram(bi, pa);

		for (unsigned int i = 0; free && i < n; i++) {
			free = !overlaps(pa, PAGE_SIZE, avoid[i].base,
					 avoid[i].size);
		}
		if (free) {
			tramp_pa = pa;
			return pa;
		}
	}
	return 0;
}

static void fill_header(struct tramp_hdr *h, uint32_t page)
{
	uint32_t hdr =
	    page + (uint32_t)(x86_trampoline_hdr - x86_trampoline_start);

	h->gdt[0] = 0;
	h->gdt[TR_CODE32 / 8] = TR_SEG_CODE32;
	h->gdt[TR_DATA / 8] = TR_SEG_DATA;
	h->gdt[TR_CODE64 / 8] = TR_SEG_CODE64;
	h->gdtr_limit = sizeof(h->gdt) - 1;
	h->gdtr_base = hdr + TR_GDT;
	h->jmp32_off =
	    page + (uint32_t)(x86_trampoline_32 - x86_trampoline_start);
	h->jmp32_sel = TR_CODE32;
	h->jmp64_off = (uint32_t)(uintptr_t)x86_ap_long_mode;
	h->jmp64_sel = TR_CODE64;
	h->cr0 = (uint32_t)read_cr0();
	h->cr3 = (uint32_t)read_cr3();
	h->cr4 = (uint32_t)(read_cr4() & ~CR4_PCIDE);
	h->efer = (uint32_t)rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE);
}

/*
 * Once: the code and its header into the page, then the page read-only
 * and executable. The 32-bit code loads CR3 and jumps to the kernel's
 * text with 32-bit values: both must lie below 4 GiB (they do: the
 * kernel runs at 1 MiB, its PML4 is in .bss), checked all the same.
 */
static int trampoline_install(void)
{
	size_t size = (size_t)(x86_trampoline_end - x86_trampoline_start);
	uintptr_t page = (uintptr_t)tramp_pa;
	int ret;

	if (tramp_ready) {
		return 0;
	}
	if (size > PAGE_SIZE) {
		kprintf("smpboot: the trampoline (%zu bytes) exceeds a page\n",
			size);
		return -ENOSPC;
	}
	if (!tramp_pa) {
		kprintf("smpboot: no free RAM page below 1 MiB for the "
			"trampoline\n");
		return -ENOMEM;
	}
	if (read_cr3() >= LOW_4G || (uintptr_t)x86_ap_long_mode >= LOW_4G) {
		kprintf("smpboot: the PML4 (0x%llx) or the kernel's text lies "
			"above 4 GiB: 32-bit code cannot reach it\n",
			(unsigned long long)read_cr3());
		return -ENODEV;
	}
	if (!mmu_phys_mapped(page, PAGE_SIZE)) {
		kprintf("smpboot: trampoline page 0x%lx is not in the direct "
			"map\n",
			(unsigned long)page);
		return -ENODEV;
	}
	memcpy((void *)page, x86_trampoline_start, size);
	fill_header((struct tramp_hdr *)(page + (size_t)(x86_trampoline_hdr -
							 x86_trampoline_start)),
		    (uint32_t)page);
	ret = mmu_map_trampoline(page);
	if (ret < 0) {
		kprintf("smpboot: cannot map the trampoline executable (%d)\n",
			ret);
		return ret;
	}
	tramp_ready = true;
	return 0;
}

/* Its IST stacks (#DF, NMI, #MC), guarded like any vm stack; kept if a
 * start is tried again. */
static int alloc_ist(struct x86_percpu *pc, uintptr_t top[NR_IST])
{
	for (int i = 0; !pc->ist_allocated && i < NR_IST; i++) {
		if (vm_stack_alloc(IST_STACK_SIZE, &pc->ist[i]) < 0) {
			while (--i >= 0) {
				vm_stack_free(&pc->ist[i]);
			}
			return -ENOMEM;
		}
	}
	pc->ist_allocated = true;
	for (int i = 0; i < NR_IST; i++) {
		top[i] = pc->ist[i].top;
	}
	return 0;
}

/* Its per-CPU area and its entry, published before the INIT. */
static int prepare_cpu(unsigned int cpu, uint32_t hwid, uintptr_t stack_top)
{
	struct x86_percpu *pc = x86_percpu(cpu);
	uintptr_t top[NR_IST];

	if (alloc_ist(pc, top) < 0) {
		kprintf("smpboot: CPU %u: no memory for its IST stacks\n", cpu);
		return -ENOMEM;
	}
	pc->cpu = cpu;
	pc->hwid = hwid;
	gdt_setup(pc, top);
	x86_ap_params[cpu].hwid = hwid;
	x86_ap_params[cpu].stack_top = stack_top;
	x86_ap_params[cpu].percpu = (uintptr_t)pc;
	__atomic_store_n(&x86_ap_params[cpu].valid, 1, __ATOMIC_RELEASE);
	return 0;
}

int arch_cpu_start(unsigned int cpu, uint64_t hwid, uintptr_t stack_top)
{
	int ret;

	if (cpu == 0 || cpu >= NR_CPUS || !stack_top) {
		return -EINVAL;
	}
	ret = lapic_cpu_reachable(hwid);
	if (ret < 0) {
		return ret;
	}
	ret = trampoline_install();
	if (ret < 0) {
		return ret;
	}
	ret = prepare_cpu(cpu, (uint32_t)hwid, stack_top);
	if (ret < 0) {
		return ret;
	}
	return lapic_start_cpu((uint32_t)hwid, (unsigned int)(tramp_pa >> 12));
}

/*
 * The started CPU's first C, on its own stack, interrupts off: its GS
 * base before anything that asks arch_cpu_id(), then its GDT and TSS
 * (its own IST stacks), the shared IDT, and the portable side.
 */
void x86_ap_entry(struct x86_percpu *pc)
{
	x86_percpu_set(pc);
	gdt_load(pc);
	idt_load();
	{
		extern bool x86_harness_active;
		void x86_harness_ap(void);
		if (x86_harness_active) {
			x86_harness_ap();
		}
	}
	smp_secondary_main();
}

/* ---- TEMPORARY bring-up harness (cmdline x86smptest), removed once
 * kern/smp.c and the scheduler's sched_cpu_prepare land. ---- */
#include "kern/irqflags.h"
#include "kern/arch.h"
#include "kern/ktimer.h"
#include "drivers/irqchip/apic.h"
static volatile uint32_t harness_seen[NR_CPUS];
bool x86_harness_active;

void x86_harness_ap(void)
{
	unsigned int me = arch_cpu_id();

	kprintf("harness: CPU %u up: APIC ID %u, GS area %p, RSP %p\n", me,
		lapic_id(), (void *)x86_percpu(me), __builtin_frame_address(0));
	__atomic_store_n(&harness_seen[me], 1, __ATOMIC_RELEASE);
	for (;;) {
		cli();
		hlt();
	}
}

void x86_harness_run(void)
{
	static bool done;

	if (done || !cmdline_has("x86smptest")) {
		return;
	}
	done = true;
	x86_harness_active = true;
	__asm__ volatile("sti" ::: "memory");
	for (unsigned int cpu = 1; cpu < cpu_count() && cpu < NR_CPUS; cpu++) {
		struct vm_stack st;
		uint64_t t0;
		int ret;

		if (vm_stack_alloc(16384, &st) < 0) {
			kprintf("harness: no stack\n");
			return;
		}
		t0 = time_ns();
		ret = arch_cpu_start(cpu, cpu_get(cpu)->hwid, st.top);
		kprintf("harness: arch_cpu_start(%u, hwid %llu) = %d\n", cpu,
			(unsigned long long)cpu_get(cpu)->hwid, ret);
		while (ret == 0 && !__atomic_load_n(&harness_seen[cpu],
						    __ATOMIC_ACQUIRE) &&
		       time_ns() - t0 < 2000000000ull) {
			arch_cpu_relax();
		}
		kprintf("harness: CPU %u %s after %llu us\n", cpu,
			harness_seen[cpu] ? "arrived" : "did NOT arrive",
			(unsigned long long)((time_ns() - t0) / 1000));
	}
	kprintf("harness: strays %u\n", x86_ap_strays);
}
