/*
 * Memory-mapped register access. Each access is one volatile load or
 * store of the named width, so the compiler neither merges, splits nor
 * drops it; device memory attributes in the page tables order them.
 */
#ifndef KERN_MMIO_H
#define KERN_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint8_t mmio_read8(uintptr_t addr)
{
	return *(volatile uint8_t *)addr;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	*(volatile uint8_t *)addr = v;
}

#endif
