/* kern/io.h's port I/O on x86: the in and out instructions. */
#include "kern/io.h"
#include "cpu.h"

uint8_t arch_pio_read8(uint16_t port)
{
	return inb(port);
}

uint16_t arch_pio_read16(uint16_t port)
{
	return inw(port);
}

uint32_t arch_pio_read32(uint16_t port)
{
	return inl(port);
}

void arch_pio_write8(uint16_t port, uint8_t v)
{
	outb(port, v);
}

void arch_pio_write16(uint16_t port, uint16_t v)
{
	outw(port, v);
}

void arch_pio_write32(uint16_t port, uint32_t v)
{
	outl(port, v);
}
