/*
 * kern/io.h's port I/O on AArch64, which has no I/O space: every device
 * is memory-mapped, so reaching here means a device was described with
 * an I/O resource it cannot have. Say which port, and stop.
 */
#include "kern/io.h"
#include "kern/panic.h"

static __noreturn void no_io_space(uint16_t port)
{
	panic("port I/O at 0x%x: AArch64 has no I/O space", port);
}

uint8_t arch_pio_read8(uint16_t port)
{
	no_io_space(port);
}

uint16_t arch_pio_read16(uint16_t port)
{
	no_io_space(port);
}

uint32_t arch_pio_read32(uint16_t port)
{
	no_io_space(port);
}

void arch_pio_write8(uint16_t port, uint8_t v)
{
	(void)v;
	no_io_space(port);
}

void arch_pio_write16(uint16_t port, uint16_t v)
{
	(void)v;
	no_io_space(port);
}

void arch_pio_write32(uint16_t port, uint32_t v)
{
	(void)v;
	no_io_space(port);
}
