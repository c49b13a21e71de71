/*
 * The serial core: what every UART driver would otherwise repeat. A
 * driver embeds a struct serial_port, fills in a small ops struct for its
 * registers, and keeps its own interrupt handler; the core holds
 *
 *   - the transmit ring and the console glue (putc buffers into the ring
 *     once the port is interrupt-driven, polls before that and when an
 *     exception prints inside the port's lock);
 *   - receive into the console input queue, with throttling: when the
 *     queue is full the driver leaves bytes in its FIFO and drops RTS
 *     (ops->throttle), and the console reader restarts it;
 *   - the counters (line errors, throttles, bytes dropped) and the
 *     `serialstat` printing.
 *
 * Locking: port->lock is taken by the driver's interrupt handler and by
 * the core around everything that touches the ring or the chip; the ops
 * and the serial_rx_* / serial_tx_* helpers run with it held.
 */
#ifndef KERN_SERIAL_H
#define KERN_SERIAL_H

#include "kern/compiler.h"
#include "kern/console.h"
#include "kern/ring.h"
#include "kern/spinlock.h"

#define SERIAL_TX_RING 4096

struct serial_port;

/* Line errors, as the core counts them (drivers map their bits). */
#define SERIAL_ERR_OVERRUN (1u << 0) /* the chip's FIFO overflowed */
#define SERIAL_ERR_FRAMING (1u << 1)
#define SERIAL_ERR_PARITY  (1u << 2)
#define SERIAL_ERR_BREAK   (1u << 3)

struct serial_ops {
	/* One byte out by polling, bounded (drops it if the chip is stuck). */
	void (*put_polled)(struct serial_port *port, uint8_t c);
	/* One byte in by polling: the byte, or -1 if none is waiting. */
	int (*get_polled)(struct serial_port *port);
	/* The ring has data: make the chip take it (TX interrupt on). */
	void (*start_tx)(struct serial_port *port);
	/* Move what the receive FIFO holds into the core (serial_rx_*). */
	void (*rx_drain)(struct serial_port *port);
	/* Receive off and RTS dropped (true), or both back on (false). */
	void (*throttle)(struct serial_port *port, bool on);
	/* "port 0x3f8" or "mmio 0x9000000": where serialstat says it is. */
	void (*describe)(struct serial_port *port);
};

struct serial_stats {
	unsigned long rx, tx, interrupts;
	unsigned long overrun, framing, parity, brk;
	unsigned long throttled; /* times receive paused for a full queue */
	unsigned long dropped;	 /* bytes read with nowhere to put them */
};

struct serial_port {
	const char *name;
	const struct serial_ops *ops;
	struct console console;
	struct device *dev; /* NULL while only the early console */
	int irq;
	bool irq_mode;	   /* transmit through the ring, receive by irq */
	bool is_console;   /* feeds the console input queue */
	bool rx_throttled; /* receive paused: the input queue is full */
	struct spinlock lock;
	struct ring tx;
	uint8_t tx_storage[SERIAL_TX_RING];
	struct serial_stats stats;
	struct serial_port *next;
};

/* Set up the ring, the lock and the console ops; polled until started. */
void serial_port_init(struct serial_port *port, const char *name,
		      const struct serial_ops *ops);

/*
 * The early console: this port becomes the console now, polled. The
 * driver that later binds the same registers keeps this port (same ring,
 * same counters) and starts it.
 */
void serial_console_register(struct serial_port *port);

/*
 * Interrupt-driven from now on (the driver has its IRQ and has enabled
 * receive); listed in serialstat. A console port also feeds the console
 * input queue and takes part in its throttling.
 */
void serial_port_start(struct serial_port *port);

/* For the driver, lock held. */
/* The next byte to transmit (counted), or -1 when the ring is empty. */
int serial_tx_get(struct serial_port *port);
bool serial_tx_empty(const struct serial_port *port);
/*
 * May the driver take another byte from its FIFO? False means the queue
 * is full: the core has throttled the port (ops->throttle) and the driver
 * leaves the rest in the FIFO.
 */
bool serial_rx_room(struct serial_port *port);
/* A received byte; counted as dropped when there is nowhere to put it. */
void serial_rx_push(struct serial_port *port, uint8_t c);
/* SERIAL_ERR_* bits seen with a byte or in a line-status interrupt. */
void serial_rx_errors(struct serial_port *port, unsigned int errs);

/*
 * For a polled reference measurement: the console port's interrupt line
 * masked at its controller (on) or back (off); everything else, the tick
 * included, keeps running. -ENODEV without an interrupt-driven console.
 */
int serial_console_polled(bool on);

/* The shell's `serialstat`: every started port. */
void serial_print_stats(void);

#endif
