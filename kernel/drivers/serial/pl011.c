/*
 * ARM PrimeCell UART (PL011) Technical Reference Manual r1p5 (DDI 0183).
 *
 * Polled mode for the early console: 8N1, FIFOs on, interrupts masked.
 * After probe, interrupt-driven through the serial core: the receive
 * interrupt at 7/8 of the 16-byte FIFO with the receive timeout for a
 * partly filled one (RXIM, RTIM: QEMU 7.2 raises RX on every byte and has
 * no timeout interrupt, real hardware needs it), the error interrupts,
 * and the transmit interrupt only while the transmit ring has data (QEMU
 * keeps TXIM raised while the FIFO has room). The handler clears what it
 * saw first and then drains the FIFO until RXFE, so a byte that lands in
 * between raises a new interrupt instead of being stranded. Base, IRQ and
 * clock come from the device tree.
 */
#include "drivers/serial/pl011.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/printf.h"

/* Register offsets (TRM 3.2, table 3-1). */
#define UARTDR	  0x000
#define UARTFR	  0x018
#define UARTIBRD  0x024
#define UARTFBRD  0x028
#define UARTLCR_H 0x02c
#define UARTCR	  0x030
#define UARTIFLS  0x034
#define UARTIMSC  0x038
#define UARTMIS	  0x040
#define UARTICR	  0x044

#define DR_FE	     (1u << 8)
#define DR_PE	     (1u << 9)
#define DR_BE	     (1u << 10)
#define DR_OE	     (1u << 11)
#define FR_BUSY	     (1u << 3)
#define FR_RXFE	     (1u << 4)
#define FR_TXFF	     (1u << 5)
#define LCR_H_FEN    (1u << 4)
#define LCR_H_WLEN_8 (3u << 5)
#define CR_UARTEN    (1u << 0)
#define CR_TXE	     (1u << 8)
#define CR_RXE	     (1u << 9)
#define CR_RTS	     (1u << 11) /* nUARTRTS asserted (no RTSEn) */
#define INT_RX	     (1u << 4)
#define INT_TX	     (1u << 5)
#define INT_RT	     (1u << 6)
#define INT_FE	     (1u << 7)
#define INT_PE	     (1u << 8)
#define INT_BE	     (1u << 9)
#define INT_OE	     (1u << 10)
#define INT_ERRORS   (INT_FE | INT_PE | INT_BE | INT_OE)
#define ICR_ALL	     0x7ff
#define IFLS_RX_7_8  (4u << 3) /* RXIFLSEL: receive interrupt at 7/8 full */
#define IFLS_TX_1_2  (2u << 0) /* TXIFLSEL: transmit at 1/2 empty */

#define TX_WAIT_LIMIT  100000
#define IRQ_LOOP_LIMIT 64
#define RX_DRAIN_LIMIT 256 /* bytes per drain, as on the 16550 */
#define MAX_UARTS      2
#define DEFAULT_BAUD   115200

_Static_assert(offsetof(struct pl011, port) == 0,
	       "the core's port pointer is the uart's");

static struct pl011 uart_pool[MAX_UARTS];
static unsigned int nr_uarts;
static struct pl011 *early; /* the early console, until bound */

static struct pl011 *to_uart(struct serial_port *p)
{
	return (struct pl011 *)p;
}

static uint32_t rd(const struct pl011 *u, unsigned int reg)
{
	return io_read32(&u->regs, reg);
}

static void wr(const struct pl011 *u, unsigned int reg, uint32_t v)
{
	io_write32(&u->regs, reg, v);
}

static void pl011_put_polled(struct serial_port *p, uint8_t c)
{
	struct pl011 *u = to_uart(p);

	/* Bounded: a stuck FIFO drops output rather than hanging. */
	for (int i = 0; i < TX_WAIT_LIMIT; i++) {
		if (!(rd(u, UARTFR) & FR_TXFF)) {
			break;
		}
	}
	wr(u, UARTDR, c);
}

static int pl011_get_polled(struct serial_port *p)
{
	struct pl011 *u = to_uart(p);

	if (rd(u, UARTFR) & FR_RXFE) {
		return -1;
	}
	return (int)(rd(u, UARTDR) & 0xff);
}

static void set_imsc(struct pl011 *u, uint32_t imsc)
{
	if (imsc != u->imsc) {
		u->imsc = imsc;
		wr(u, UARTIMSC, imsc);
	}
}

static void set_cr(struct pl011 *u, uint32_t cr)
{
	if (cr != u->cr) {
		u->cr = cr;
		wr(u, UARTCR, cr);
	}
}

/* Ring to FIFO while it has room; TXIM only while bytes remain. */
static void tx_fill(struct pl011 *u)
{
	while (!serial_tx_empty(&u->port) && !(rd(u, UARTFR) & FR_TXFF)) {
		wr(u, UARTDR, (uint8_t)serial_tx_get(&u->port));
	}
	set_imsc(u, serial_tx_empty(&u->port) ? u->imsc & ~INT_TX
					      : u->imsc | INT_TX);
}

static void pl011_start_tx(struct serial_port *p)
{
	tx_fill(to_uart(p));
}

static unsigned int dr_errors(uint32_t dr)
{
	return (dr & DR_OE ? SERIAL_ERR_OVERRUN : 0) |
	       (dr & DR_FE ? SERIAL_ERR_FRAMING : 0) |
	       (dr & DR_PE ? SERIAL_ERR_PARITY : 0) |
	       (dr & DR_BE ? SERIAL_ERR_BREAK : 0);
}

/*
 * FIFO to the core until empty or the queue is full; lock held. Returns
 * true if it stopped at its bound with bytes still waiting.
 */
static bool rx_drain(struct pl011 *u)
{
	/* Bounded: a vanished UART could read "not empty" forever. */
	for (int n = 0; n < RX_DRAIN_LIMIT; n++) {
		uint32_t dr;

		if ((rd(u, UARTFR) & FR_RXFE) || !serial_rx_room(&u->port)) {
			return false;
		}
		/* Each byte carries its own error bits (TRM 3.3.1). */
		dr = rd(u, UARTDR);
		serial_rx_errors(&u->port, dr_errors(dr));
		serial_rx_push(&u->port, (uint8_t)dr);
	}
	return !(rd(u, UARTFR) & FR_RXFE);
}

/*
 * Bytes wait in the FIFO that no interrupt will announce: QEMU raises RX
 * only when the FIFO goes from empty to non-empty, and it was cleared
 * before this drain. Make the line pending from software so the handler
 * runs again, rather than leave them stranded.
 */
static void rx_kick(struct pl011 *u)
{
	if (!(rd(u, UARTFR) & FR_RXFE) && !u->port.rx_throttled) {
		irq_set_pending((unsigned int)u->port.irq);
	}
}

static void pl011_rx_drain(struct serial_port *p)
{
	rx_drain(to_uart(p));
}

/* Throttled: no receive interrupts, and RTS off asks the sender to wait. */
static void pl011_throttle(struct serial_port *p, bool on)
{
	struct pl011 *u = to_uart(p);

	set_imsc(u,
		 on ? u->imsc & ~(INT_RX | INT_RT) : u->imsc | INT_RX | INT_RT);
	set_cr(u, on ? u->cr & ~CR_RTS : u->cr | CR_RTS);
	if (!on) {
		rx_kick(u); /* what came while receive was off */
	}
}

static void pl011_describe(struct serial_port *p)
{
	kprintf("mmio %p", (void *)to_uart(p)->regs.base);
}

static const struct serial_ops pl011_ops = {
    .put_polled = pl011_put_polled,
    .get_polled = pl011_get_polled,
    .start_tx = pl011_start_tx,
    .rx_drain = pl011_rx_drain,
    .throttle = pl011_throttle,
    .describe = pl011_describe,
};

static enum irq_return pl011_interrupt(unsigned int irq, void *dev)
{
	struct pl011 *u = dev;
	enum irq_return ret = IRQ_NONE;
	unsigned long flags = spin_lock_irqsave(&u->port.lock);
	unsigned long rx = u->port.stats.rx;
	/* Look at the FIFO even with nothing in UARTMIS: after rx_kick()
	 * that is how the bytes it saw are announced. */
	bool more = !u->port.rx_throttled;

	(void)irq;
	for (int i = 0; i < IRQ_LOOP_LIMIT; i++) {
		uint32_t mis = rd(u, UARTMIS);

		if (!mis && !more) {
			break;
		}
		if (mis) {
			ret = IRQ_HANDLED;
			/* Clear first, then drain (see the file header). */
			wr(u, UARTICR, mis);
		}
		if (more || (mis & (INT_RX | INT_RT | INT_ERRORS))) {
			more = rx_drain(u);
		}
		if (mis & INT_TX) {
			tx_fill(u);
		}
	}
	if (more) {
		rx_kick(u);
	}
	if (u->port.stats.rx != rx) {
		ret = IRQ_HANDLED;
	}
	if (ret == IRQ_HANDLED) {
		u->port.stats.interrupts++;
	}
	spin_unlock_irqrestore(&u->port.lock, flags);
	return ret;
}

static void pl011_setup(struct pl011 *u, const char *name, uint32_t clock_hz,
			uint32_t baud)
{
	u->clock_hz = clock_hz;
	u->baud = baud;
	/* Disable, let the last character leave, then reprogram (TRM 3.3.8). */
	wr(u, UARTCR, 0);
	for (int i = 0; i < TX_WAIT_LIMIT; i++) {
		if (!(rd(u, UARTFR) & FR_BUSY)) {
			break;
		}
	}
	if (u->clock_hz && u->baud) {
		/* Divisor = UARTCLK / (16 * baud), 6 fractional bits. */
		uint32_t div64 =
		    (uint32_t)(((uint64_t)u->clock_hz * 4 + u->baud / 2) /
			       u->baud);

		wr(u, UARTIBRD, div64 >> 6);
		wr(u, UARTFBRD, div64 & 0x3f);
	}
	wr(u, UARTLCR_H, LCR_H_WLEN_8 | LCR_H_FEN);
	wr(u, UARTIMSC, 0);
	u->imsc = 0;
	wr(u, UARTICR, ICR_ALL);
	u->cr = CR_UARTEN | CR_TXE | CR_RXE | CR_RTS;
	wr(u, UARTCR, u->cr);
	serial_port_init(&u->port, name, &pl011_ops);
}

void pl011_early_console(struct pl011 *u, uintptr_t base, uint32_t clock_hz,
			 uint32_t baud)
{
	u->regs = (struct io_regs){IO_SPACE_MMIO, base, 0};
	pl011_setup(u, "pl011", clock_hz, baud);
	early = u;
	serial_console_register(&u->port);
}

/* The early console's UART carries on (same rings); others get a slot. */
static struct pl011 *uart_for(struct device *dev)
{
	struct io_regs regs;
	struct pl011 *u;

	if (device_regs(dev, 0, 0, &regs) < 0 || regs.space != IO_SPACE_MMIO) {
		return NULL;
	}
	if (early && early->regs.base == regs.base) {
		return early;
	}
	if (nr_uarts == MAX_UARTS) {
		kprintf("pl011: %s: more than %d UARTs\n", dev->name,
			MAX_UARTS);
		return NULL;
	}
	u = &uart_pool[nr_uarts];
	u->regs = regs;
	pl011_setup(u, dev->name, dev->clock_hz, DEFAULT_BAUD);
	return u;
}

static int pl011_probe(struct device *dev)
{
	int irq = device_irq(dev, 0), ret;
	struct pl011 *u;
	unsigned long flags;

	if (irq < 0) {
		return irq;
	}
	u = uart_for(dev);
	if (!u) {
		return -ENODEV;
	}
	ret = irq_request((unsigned int)irq, pl011_interrupt,
			  device_irq_flags(dev, 0), dev->name, u);
	if (ret < 0) {
		return ret;
	}
	if (u == early) {
		early = NULL;
	} else {
		nr_uarts++;
	}
	u->port.name = dev->name;
	u->port.dev = dev;
	u->port.irq = irq;
	serial_port_start(&u->port);
	flags = spin_lock_irqsave(&u->port.lock);
	wr(u, UARTIFLS, IFLS_RX_7_8 | IFLS_TX_1_2);
	set_imsc(u, INT_RX | INT_RT | INT_ERRORS);
	spin_unlock_irqrestore(&u->port.lock, flags);
	dev->driver_data = u;
	return 0;
}

static const char *const pl011_ids[] = {"arm,pl011", NULL};

struct driver pl011_driver = {
    .name = "pl011",
    .ids = pl011_ids,
    .probe = pl011_probe,
};
