/*
 * The kernel's page tables on x86_64 (Intel SDM Vol. 3A 4.5, 4-level
 * paging), replacing boot.S's identity map of the first 4 GiB.
 *
 * The direct map: every range the memory map calls RAM, identity-mapped,
 * write-back cached, with 2 MiB pages where a whole aligned 2 MiB is RAM;
 * execute-disable (when the CPU has NX) except the kernel's code, which
 * is read-only, as are its constants (map_image). Left
 * out: page 0 (a NULL dereference faults) and the guard page below the
 * boot stack. Nothing else is mapped: device registers appear only when
 * ioremap() maps them (PCD|PWT: uncached, SDM 11.12.3 with the default
 * PAT), firmware tables when firmware_map() does (kern/vm.c), stacks in
 * the stack area (kern/vm_stack.c). Tables grow from kern/vm.c's pool.
 */
#include "arch/x86_64/mmu.h"
#include "kern/boot.h"
#include "kern/compiler.h"
#include "kern/mm.h"
#include "kern/pgtable.h"
#include "kern/printf.h"
#include "kern/vm.h"
#include "cpu.h"

#define PTE_P	 (1ull << 0)
#define PTE_W	 (1ull << 1)
#define PTE_PWT	 (1ull << 3)
#define PTE_PCD	 (1ull << 4) /* with PWT: uncached, for device memory */
#define PTE_PS	 (1ull << 7) /* a 2 MiB leaf in a page directory */
#define PTE_NX	 (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_SW	 52 /* bits 52-58 are ignored by the CPU (SDM Table 4-19) */

#define MSR_EFER 0xc0000080u
#define EFER_NXE (1ull << 11)

const unsigned int arch_vm_sw_shift = PTE_SW;

static uint64_t pml4[PT_ENTRIES] __aligned(4096);
static uint64_t nx; /* PTE_NX if EFER.NXE is on (boot.S), else 0 */

extern char boot_stack_guard[], __kernel_start[], __kernel_end[];
extern char __text_start[], __rodata_start[], __data_start[];

static uint64_t x86_table(uint64_t pa)
{
	return pa | PTE_P | PTE_W;
}

static uint64_t x86_leaf(uint64_t pa, unsigned int level, uint64_t attrs)
{
	return pa | PTE_P | attrs | (level ? PTE_PS : 0);
}

static bool x86_valid(uint64_t d)
{
	return d & PTE_P;
}

/* PS is reserved in a PML4 entry: there it is always a table. */
static bool x86_is_table(uint64_t d, unsigned int level)
{
	return (d & PTE_P) && (level == 3 || !(d & PTE_PS));
}

static uint64_t x86_addr(uint64_t d)
{
	return d & PTE_ADDR;
}

static uint64_t x86_attrs(uint64_t d, unsigned int level)
{
	(void)level;
	return d & ~(PTE_ADDR | PTE_P | PTE_PS);
}

/* INVLPG per page; a larger range (a split block) reloads CR3, which
 * flushes every non-global entry (kite sets no G bit). */
static void x86_flush(void *ctx, uint64_t va, uint64_t size)
{
	(void)ctx;
	if (size > PT_PAGE) {
		write_cr3(read_cr3());
		return;
	}
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

static void x86_sync(void *ctx)
{
	(void)ctx;
	__asm__ volatile("" ::: "memory");
}

static const struct pt_ops x86_ops = {
    .table = x86_table,
    .leaf = x86_leaf,
    .valid = x86_valid,
    .is_table = x86_is_table,
    .addr = x86_addr,
    .attrs = x86_attrs,
    .alloc = vm_table_alloc,
    .flush = x86_flush,
    .sync = x86_sync,
};

static struct pt kernel_pt = {.ops = &x86_ops, .root = pml4};

struct pt *arch_vm_pt(void)
{
	return &kernel_pt;
}

uint64_t arch_vm_attrs(enum vm_kind kind)
{
	return kind == VM_DEVICE ? PTE_W | PTE_PCD | PTE_PWT | nx : PTE_W | nx;
}

bool arch_vm_desc_device(uint64_t desc)
{
	return (desc & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT);
}

bool arch_vm_desc_writable(uint64_t desc)
{
	return desc & PTE_W;
}

/* Without EFER.NXE every present page executes. */
bool arch_vm_desc_executable(uint64_t desc)
{
	return !(desc & PTE_NX);
}

static uint64_t rdmsr64(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

/* Every RAM range below the stack area; mm_direct_map_end tells the page
 * allocator where the map stops (at a range that could not be mapped). */
static void map_ram(const struct boot_info *bi)
{
	uint64_t limit = VM_STACK_AREA;

	for (unsigned int i = 0; i < bi->memmap_count; i++) {
		const struct boot_mem_range *r = &bi->memmap[i];
		uint64_t start = (r->base + PT_PAGE - 1) & ~(PT_PAGE - 1);
		uint64_t end = (r->base + r->size) & ~(PT_PAGE - 1);

		if (end > VM_STACK_AREA) {
			end = VM_STACK_AREA;
		}
		if (r->type != BOOT_MEM_RAM || end <= start) {
			continue;
		}
		if (pt_map(&kernel_pt, start, start, end - start, PTE_W | nx,
			   true) < 0) {
			kprintf("mmu: out of page tables: RAM from 0x%llx on "
				"is not mapped\n",
				(unsigned long long)start);
			limit = start < limit ? start : limit;
		}
	}
	mm_direct_map_end = limit;
}

static void map_section(const char *start, const char *end, uint64_t attrs)
{
	uintptr_t s = (uintptr_t)start & ~(PT_PAGE - 1);
	uintptr_t e = ((uintptr_t)end + PT_PAGE - 1) & ~(PT_PAGE - 1);

	pt_map(&kernel_pt, s, s, e - s, attrs, false);
}

/*
 * The image (RAM, so mapped already; again in case the memory map missed
 * it) by section: the PVH entry code and data writable and executable
 * (used once), .text read-only and executable, .rodata and the exception
 * table read-only and never executed, .data and .bss writable and never
 * executed (CR0.WP makes read-only hold for the kernel too, SDM 4.6.1).
 */
static void map_image(void)
{
	map_section(__kernel_start, __text_start, PTE_W);
	map_section(__text_start, __rodata_start, 0);
	map_section(__rodata_start, __data_start, nx);
	map_section(__data_start, __kernel_end, PTE_W | nx);
}

void mmu_init(const struct boot_info *bi)
{
	nx = rdmsr64(MSR_EFER) & EFER_NXE ? PTE_NX : 0;
	vm_init(bi);
	map_ram(bi);
	map_image();
	pt_unmap(&kernel_pt, 0, PT_PAGE);
	pt_unmap(&kernel_pt, (uintptr_t)boot_stack_guard, PT_PAGE);
	write_cr3((uintptr_t)pml4);
}

/*
 * Walk the tables rather than repeat which pages were left out: the
 * answer stays right whatever mmu_init, ioremap or firmware_map did.
 */
bool mmu_phys_mapped(uint64_t phys, uint64_t len)
{
	uint64_t desc, end;
	unsigned int level;

	if (len == 0) {
		len = 1;
	}
	if (phys + len < phys) {
		return false;
	}
	end = phys + len;
	for (uint64_t a = phys & ~(PT_PAGE - 1); a < end; a += PT_PAGE) {
		if (!pt_lookup(&kernel_pt, a, &desc, &level)) {
			return false;
		}
	}
	return true;
}

/*
 * The AP trampoline's page (smpboot.c): read-only and executable at its
 * own address, so that a started CPU can run its next instructions from
 * it when it turns paging on (the direct map has it writable and, with
 * NX, never executable).
 */
int mmu_map_trampoline(uint64_t pa)
{
	return pt_map(&kernel_pt, pa, pa, PT_PAGE, 0, false);
}
