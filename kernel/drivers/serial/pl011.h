/*
 * ARM PrimeCell PL011 UART. Polled at first (the early console), then
 * interrupt-driven through the serial core once the driver binds its
 * device-tree node.
 */
#ifndef DRIVERS_SERIAL_PL011_H
#define DRIVERS_SERIAL_PL011_H

#include "kern/io.h"
#include "kern/serial.h"

struct pl011 {
	struct serial_port port; /* first: the core's ops get this pointer */
	struct io_regs regs;	 /* registers at their byte offsets */
	uint32_t clock_hz;	 /* UARTCLK from the DT; 0 = keep the divisor */
	uint32_t baud;
	uint32_t imsc, cr; /* what was last written */
};

/*
 * The early console at MMIO base, polled: programmed and registered as
 * the console. The driver keeps it and, when it binds the device-tree
 * node with the same base, makes it interrupt-driven.
 */
void pl011_early_console(struct pl011 *u, uintptr_t base, uint32_t clock_hz,
			 uint32_t baud);

#endif
