/*
 * 16550A UART. Polled at first (the early console), then interrupt-driven
 * once the driver binds its device: receive ring (the console input
 * queue), transmit ring drained by the THRE interrupt.
 */
#ifndef DRIVERS_SERIAL_UART16550_H
#define DRIVERS_SERIAL_UART16550_H

#include "kern/compiler.h"
#include "kern/console.h"
#include "kern/ring.h"
#include "kern/spinlock.h"

#define UART_TX_RING 4096

struct serial_stats {
	unsigned long rx, tx;
	unsigned long overrun, framing, parity, brk;
	unsigned long interrupts, throttled;
};

struct uart16550 {
	uint16_t base; /* I/O port base, from the device */
	uint32_t baud;
	struct console console;
	struct device *dev;
	int irq;
	bool irq_mode;
	bool rx_throttled; /* receive interrupt off: the input queue is full */
	uint8_t ier;
	uint8_t tx_storage[UART_TX_RING];
	struct ring tx;
	struct spinlock lock;
	struct serial_stats stats;
};

/* Is a UART answering at this base? (scratch register round trip) */
bool uart16550_present(uint16_t base);
void uart16550_init_polled(struct uart16550 *u);

/* Every bound UART, for `serialstat`. */
void uart16550_print_stats(void);

#endif
