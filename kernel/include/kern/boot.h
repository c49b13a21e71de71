/*
 * What a port learned from its boot protocol, handed to kernel_main().
 * x86_64: the PVH start_info (command line, memory map, RSDP).
 * AArch64: the device tree blob (bootargs, memory).
 */
#ifndef KERN_BOOT_H
#define KERN_BOOT_H

#include "kern/compiler.h"

#define BOOT_MEMMAP_MAX 32

enum boot_mem_type {
	BOOT_MEM_RAM = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_UNUSABLE = 5,
};

struct boot_mem_range {
	uint64_t base;
	uint64_t size;
	uint32_t type;
};

struct boot_info {
	const char *protocol; /* "PVH", "arm64 Image" */
	const char *cmdline;  /* never NULL; "" when none */
	uint64_t rsdp;	      /* ACPI RSDP physical address, 0 if unknown */
	const void *dtb;      /* flattened device tree, NULL if none */
	size_t dtb_size;
	unsigned int memmap_count;
	struct boot_mem_range memmap[BOOT_MEMMAP_MAX];
};

/* The portable kernel, entered by each port once its console works. */
__noreturn void kernel_main(struct boot_info *bi);

/* The boot information kernel_main() was given. */
const struct boot_info *boot_info(void);

/* The shell's `acpi`: the firmware tables this machine booted with. */
void platform_print_firmware_tables(void);
/* The shell's `gpe`: ACPI's general-purpose events, Notify operations
 * and operation-region accesses, with their counts. */
void platform_print_acpi_events(void);

/* Is `word` one of the space-separated words of the command line? */
bool cmdline_has(const char *word);

#endif
