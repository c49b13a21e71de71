/*
 * What the kernel's page tables (mmu.c) map, for code that is handed
 * physical addresses by firmware and must not fault on them.
 */
#ifndef ARCH_X86_64_MMU_H
#define ARCH_X86_64_MMU_H

#include <stdbool.h>
#include <stdint.h>

/*
 * True if every page of [phys, phys + len) is mapped at its identity
 * address (a len of 0 asks about the byte at phys): RAM in the direct map,
 * or what ioremap()/firmware_map() added. False for page 0, the boot
 * stack's guard page and every hole: a read there faults.
 */
bool mmu_phys_mapped(uint64_t phys, uint64_t len);

/* Map the page at pa (in RAM) read-only and executable at its identity
 * address, replacing the direct map's writable NX page: the AP
 * trampoline. 0 or a negative errno. */
int mmu_map_trampoline(uint64_t pa);

#endif
