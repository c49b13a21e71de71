/*
 * Device registers, one interface whether they sit in the x86's I/O port
 * space or in memory. A driver gets a struct io_regs for a resource of
 * its device and names registers by index; the stride (reg-shift in a
 * device tree: an ns16550a on an Arm board has 4-byte registers) and the
 * space come from the device, not from the driver:
 *
 *	struct io_regs regs;
 *	device_regs(dev, 0, 0, &regs);         the first I/O or MMIO range
 *	uint8_t lsr = io_read8(&regs, 5);      port base+5, or *(base + 5<<s)
 *
 * Each access is one volatile load or store (or one in/out instruction)
 * of the named width. In host tests (KITE_HOST_TEST) the io_* functions
 * are provided by the test's register mock instead of kern/io.c.
 */
#ifndef KERN_IO_H
#define KERN_IO_H

#include "kern/compiler.h"

enum io_space {
	IO_SPACE_PORT, /* x86 I/O ports: in/out instructions */
	IO_SPACE_MMIO, /* memory-mapped: volatile loads and stores */
};

struct io_regs {
	enum io_space space;
	uintptr_t base;	    /* first port, or the mapped address */
	unsigned int shift; /* register n is at base + (n << shift) */
};

uint8_t io_read8(const struct io_regs *r, unsigned int reg);
uint16_t io_read16(const struct io_regs *r, unsigned int reg);
uint32_t io_read32(const struct io_regs *r, unsigned int reg);
void io_write8(const struct io_regs *r, unsigned int reg, uint8_t v);
void io_write16(const struct io_regs *r, unsigned int reg, uint16_t v);
void io_write32(const struct io_regs *r, unsigned int reg, uint32_t v);

/*
 * The port's I/O-space instructions (x86: in/out). A port without an I/O
 * space (AArch64) panics: a device there is always MMIO.
 */
uint8_t arch_pio_read8(uint16_t port);
uint16_t arch_pio_read16(uint16_t port);
uint32_t arch_pio_read32(uint16_t port);
void arch_pio_write8(uint16_t port, uint8_t v);
void arch_pio_write16(uint16_t port, uint16_t v);
void arch_pio_write32(uint16_t port, uint32_t v);

struct device;

/*
 * The index-th register range of a device (RES_IO and RES_MEM counted
 * together, in resource order) as registers with the given stride shift.
 * Returns 0, or -ENOENT when there is no such range.
 */
int device_regs(const struct device *dev, unsigned int index,
		unsigned int shift, struct io_regs *out);

#endif
