/*
 * Kernel mappings beyond the direct map of RAM.
 *
 * ioremap(): device registers are mapped on demand, uncached (x86 PCD|PWT,
 * Arm Device-nGnRnE), never executable; nothing outside RAM is mapped
 * until a driver asks. Drivers get their register window from
 * device_regs() (kern/io.h), which calls this.
 *
 * Stacks: vm_stack_alloc() maps a thread's stack in its own virtual range
 * with an unmapped guard page below it, so an overflow faults (and is
 * reported naming the thread) instead of corrupting a neighbour.
 */
#ifndef KERN_VM_H
#define KERN_VM_H

#include "kern/boot.h"
#include "kern/compiler.h"
#include "kern/pgtable.h"

/* A pointer to [phys, phys + size) as device memory, or NULL (says why). */
void *ioremap(uint64_t phys, size_t size);
void iounmap(void *addr, size_t size);

struct vm_stack {
	uintptr_t base;	 /* lowest usable byte */
	uintptr_t top;	 /* one past the highest: the initial SP */
	uintptr_t guard; /* the unmapped page below base */
};

/* size: a multiple of PAGE_SIZE. 0 or -ENOMEM. */
int vm_stack_alloc(size_t size, struct vm_stack *st);
void vm_stack_free(struct vm_stack *st);

/* Is addr inside some stack's guard page? (the fault reports say so) */
bool vm_in_stack_guard(uintptr_t addr);

/*
 * Firmware tables (ACPI tables in E820 reserved/ACPI/NVS memory, the
 * DTB): a cached pointer to [phys, phys + size), like Linux's memremap.
 * RAM is returned only where the direct map has it (never page 0 or a
 * guard page); memory the firmware's map lists as not RAM is mapped
 * cached; an address it does not list at all (which may be a device) is
 * mapped uncached. Permanent: there is no unmap. NULL if not possible.
 */
void *firmware_map(uint64_t phys, size_t size);

/*
 * The stack area: VM_STACK_SLOTS slots of VM_STACK_SLOT bytes each; a
 * stack is mapped at the top of its slot, and everything below it in the
 * slot (at least one page) stays unmapped. The area lies above every
 * physical address either port can identity-map (ioremap refuses it).
 */
#define VM_STACK_AREA  0x7f0000000000ull
#define VM_STACK_SLOT  (128ul * 1024)
#define VM_STACK_SLOTS 4096u
#define VM_STACK_MAX   (VM_STACK_SLOT - 4096)
/* Above the stack area, below 2^47: nothing is ever mapped here (ioremap
 * refuses it), whatever the machine's RAM. arch_unmapped_addr. */
#define VM_NEVER_MAPPED 0x7fdead000000ull

/* Counters for the shell and tests. */
struct vm_stats {
	unsigned long io_pages;	    /* pages ioremapped now */
	unsigned long fw_pages;	    /* pages firmware_map added */
	unsigned long stacks;	    /* vm stacks in use */
	unsigned long tables;	    /* page-table pages allocated */
	unsigned long table_failed; /* page-table allocations refused */
};
void vm_get_stats(struct vm_stats *st);

/*
 * The port's side (arch mmu.c), used by kern/vm.c. Every mapping is the
 * identity (virtual = physical) except the stack area, so a pointer from
 * ioremap() or firmware_map() is the physical address itself.
 */
enum vm_kind {
	VM_DEVICE,   /* uncached device memory, never executable */
	VM_FIRMWARE, /* cached, never executable */
	VM_DATA,     /* cached, never executable: stacks, RAM */
};
/* The port's leaf attribute bits for a kind. */
uint64_t arch_vm_attrs(enum vm_kind kind);
/* Is this valid leaf descriptor mapped as device memory? Writable by the
 * kernel? Executable by the kernel? */
bool arch_vm_desc_device(uint64_t desc);
bool arch_vm_desc_writable(uint64_t desc);
bool arch_vm_desc_executable(uint64_t desc);
/* Where the port keeps the 4-bit ioremap count (software-use bits of a
 * leaf: x86 bits 52-55, Arm bits 55-58). */
extern const unsigned int arch_vm_sw_shift;
/* The kernel's page tables. */
struct pt *arch_vm_pt(void);

/* From the port's mmu_init: the memory map, before any mapping call. */
void vm_init(const struct boot_info *bi);
/* A zeroed page for a page table: a static boot pool, then page_alloc. */
uint64_t vm_table_alloc(void *ctx);
/* RAM in the boot memory map (any overlap)? */
bool vm_is_ram(uint64_t phys, uint64_t size);

#endif
