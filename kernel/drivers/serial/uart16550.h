/* 16550 UART, polled (the interrupt-driven driver comes with the IRQ core). */
#ifndef DRIVERS_SERIAL_UART16550_H
#define DRIVERS_SERIAL_UART16550_H

#include "kern/console.h"
#include "kern/compiler.h"

struct uart16550 {
	uint16_t base; /* I/O port base, from the platform */
	uint32_t baud;
	struct console console;
};

/* Is a UART answering at this base? (scratch register round trip) */
bool uart16550_present(uint16_t base);
void uart16550_init_polled(struct uart16550 *u);

#endif
