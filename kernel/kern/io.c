/* Register access through port I/O or MMIO (kern/io.h). */
#include "kern/io.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/vm.h"

static inline uintptr_t io_addr(const struct io_regs *r, unsigned int reg)
{
	return r->base + ((uintptr_t)reg << r->shift);
}

uint8_t io_read8(const struct io_regs *r, unsigned int reg)
{
	if (r->space == IO_SPACE_PORT) {
		return arch_pio_read8((uint16_t)io_addr(r, reg));
	}
	return *(volatile uint8_t *)io_addr(r, reg);
}

uint16_t io_read16(const struct io_regs *r, unsigned int reg)
{
	if (r->space == IO_SPACE_PORT) {
		return arch_pio_read16((uint16_t)io_addr(r, reg));
	}
	return *(volatile uint16_t *)io_addr(r, reg);
}

uint32_t io_read32(const struct io_regs *r, unsigned int reg)
{
	if (r->space == IO_SPACE_PORT) {
		return arch_pio_read32((uint16_t)io_addr(r, reg));
	}
	return *(volatile uint32_t *)io_addr(r, reg);
}

void io_write8(const struct io_regs *r, unsigned int reg, uint8_t v)
{
	if (r->space == IO_SPACE_PORT) {
		arch_pio_write8((uint16_t)io_addr(r, reg), v);
		return;
	}
	*(volatile uint8_t *)io_addr(r, reg) = v;
}

void io_write16(const struct io_regs *r, unsigned int reg, uint16_t v)
{
	if (r->space == IO_SPACE_PORT) {
		arch_pio_write16((uint16_t)io_addr(r, reg), v);
		return;
	}
	*(volatile uint16_t *)io_addr(r, reg) = v;
}

void io_write32(const struct io_regs *r, unsigned int reg, uint32_t v)
{
	if (r->space == IO_SPACE_PORT) {
		arch_pio_write32((uint16_t)io_addr(r, reg), v);
		return;
	}
	*(volatile uint32_t *)io_addr(r, reg) = v;
}

int device_regs(const struct device *dev, unsigned int index,
		unsigned int shift, struct io_regs *out)
{
	for (unsigned int i = 0; i < dev->nres; i++) {
		const struct resource *res = &dev->res[i];

		if (res->type != RES_IO && res->type != RES_MEM) {
			continue;
		}
		if (index--) {
			continue;
		}
		out->space =
		    res->type == RES_IO ? IO_SPACE_PORT : IO_SPACE_MMIO;
		out->base = (uintptr_t)res->start;
		out->shift = shift;
		/* Nothing but RAM is mapped until a driver asks: map the
		 * range uncached (ioremap says why when it cannot). */
		if (res->type == RES_MEM &&
		    !ioremap(res->start, res->size ? res->size : 1)) {
			return -ENOMEM;
		}
		return 0;
	}
	return -ENOENT;
}
