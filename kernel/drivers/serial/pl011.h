/* ARM PrimeCell PL011 UART, polled (interrupts come with the GIC issue). */
#ifndef DRIVERS_SERIAL_PL011_H
#define DRIVERS_SERIAL_PL011_H

#include "kern/compiler.h"
#include "kern/console.h"

struct pl011 {
	uintptr_t base;	   /* from the device tree's reg */
	uint32_t clock_hz; /* UARTCLK from the DT; 0 = keep the divisor */
	uint32_t baud;
	struct console console;
};

void pl011_init_polled(struct pl011 *u);

#endif
