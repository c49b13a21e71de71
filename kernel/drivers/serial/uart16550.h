/*
 * 16550A UART, in the x86's I/O port space or memory-mapped at any
 * register stride and access width (an ns16550a on an Arm or RISC-V
 * board). Polled at first (the early console), then interrupt-driven
 * through the serial core once the driver binds its device.
 */
#ifndef DRIVERS_SERIAL_UART16550_H
#define DRIVERS_SERIAL_UART16550_H

#include "kern/io.h"
#include "kern/irq.h"
#include "kern/serial.h"

struct device;

struct uart16550 {
	struct serial_port port; /* first: the core's ops get this pointer */
	struct io_regs regs;
	unsigned int width; /* bytes per register access: 1, 2 or 4 */
	uint32_t clock_hz;  /* input clock, from the device */
	uint32_t baud;
	uint8_t ier, mcr; /* what was last written */
	/* The next UART on the same interrupt line (see the driver). */
	struct uart16550 *line_next;
};

/*
 * The early console on dev's registers at baud, polled: programmed and
 * registered as the console. The driver keeps it and, when it binds the
 * device with the same registers, makes it interrupt-driven. Returns 0 or
 * a negative errno (no such UART, no clock).
 */
int uart16550_early_console(struct uart16550 *u, const struct device *dev,
			    uint32_t baud);

/* The interrupt handler (exposed for the host tests). */
enum irq_return uart16550_interrupt(unsigned int irq, void *dev);

#ifdef KITE_HOST_TEST
/* Forget the lines held (each host test starts a fresh interrupt core). */
void uart16550_test_reset(void);
#endif

#endif
