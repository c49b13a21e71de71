/*
 * ARM PrimeCell PL011 UART. Polled at first (the early console), then
 * interrupt-driven once the driver binds its device-tree node.
 */
#ifndef DRIVERS_SERIAL_PL011_H
#define DRIVERS_SERIAL_PL011_H

#include "kern/compiler.h"
#include "kern/console.h"
#include "kern/ring.h"
#include "kern/spinlock.h"

struct pl011_stats {
	unsigned long rx, tx, interrupts, throttled;
	unsigned long overrun, brk, parity, framing;
};

struct pl011 {
	uintptr_t base;	   /* from the device tree's reg */
	uint32_t clock_hz; /* UARTCLK from the DT; 0 = keep the divisor */
	uint32_t baud;
	struct console console;
	struct device *dev;
	int irq;
	bool irq_mode;
	bool rx_throttled;
	uint32_t imsc;
	uint8_t tx_storage[4096];
	struct ring tx;
	struct spinlock lock;
	struct pl011_stats stats;
};

void pl011_init_polled(struct pl011 *u);

#endif
