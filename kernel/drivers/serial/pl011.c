/*
 * ARM PrimeCell UART (PL011) Technical Reference Manual r1p5 (DDI 0183).
 *
 * Polled mode for the early console: 8N1, FIFOs on, interrupts masked.
 * After probe, interrupt-driven: receive and receive-timeout interrupts
 * (RXIM, RTIM: QEMU 7.2 has no timeout interrupt, but real hardware needs
 * it for a partly filled FIFO), the error interrupts, and the transmit
 * interrupt only while the transmit ring has data (QEMU keeps TXIM raised
 * while the FIFO has room). The handler clears what it saw first and then
 * drains the FIFO until RXFE, so a byte that lands in between raises a
 * new interrupt instead of being stranded. Base, IRQ and clock come from
 * the device tree.
 */
#include "drivers/serial/pl011.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/mmio.h"
#include "kern/printf.h"

#define UARTDR	  0x000
#define UARTRSR	  0x004
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
#define INT_RX	     (1u << 4)
#define INT_TX	     (1u << 5)
#define INT_RT	     (1u << 6)
#define INT_FE	     (1u << 7)
#define INT_PE	     (1u << 8)
#define INT_BE	     (1u << 9)
#define INT_OE	     (1u << 10)
#define INT_ERRORS   (INT_FE | INT_PE | INT_BE | INT_OE)
#define ICR_ALL	     0x7ff
#define IFLS_RX_HALF (2u << 3) /* receive interrupt at 1/2 full */

#define TX_WAIT_LIMIT  100000
#define IRQ_LOOP_LIMIT 64

static struct pl011 *console_uart;

static void put_polled(struct pl011 *u, uint8_t c)
{
	/* Bounded: a stuck FIFO drops output rather than hanging. */
	for (int i = 0; i < TX_WAIT_LIMIT; i++) {
		if (!(mmio_read32(u->base + UARTFR) & FR_TXFF)) {
			break;
		}
	}
	mmio_write32(u->base + UARTDR, c);
	u->stats.tx++;
}

static void set_imsc(struct pl011 *u, uint32_t imsc)
{
	if (imsc != u->imsc) {
		u->imsc = imsc;
		mmio_write32(u->base + UARTIMSC, imsc);
	}
}

/* Ring to FIFO while it has room; TXIM only while bytes remain. */
static void tx_fill(struct pl011 *u)
{
	while (!ring_empty(&u->tx) &&
	       !(mmio_read32(u->base + UARTFR) & FR_TXFF)) {
		mmio_write32(u->base + UARTDR, (uint8_t)ring_get(&u->tx));
		u->stats.tx++;
	}
	set_imsc(u, ring_empty(&u->tx) ? u->imsc & ~INT_TX : u->imsc | INT_TX);
}

static void pl011_putc(struct console *con, char c)
{
	struct pl011 *u = con->priv;
	unsigned long flags;

	/* Polled before interrupts, and when an exception prints while
	 * this CPU is inside the lock below. */
	if (!u->irq_mode || spin_is_held(&u->lock)) {
		put_polled(u, (uint8_t)c);
		return;
	}
	flags = spin_lock_irqsave(&u->lock);
	if (ring_full(&u->tx)) {
		/* Interrupts are off while printing: drain by polling. */
		put_polled(u, (uint8_t)ring_get(&u->tx));
	}
	ring_put(&u->tx, (uint8_t)c);
	tx_fill(u);
	spin_unlock_irqrestore(&u->lock, flags);
}

static void pl011_flush(struct console *con)
{
	struct pl011 *u = con->priv;

	while (!ring_empty(&u->tx)) {
		put_polled(u, (uint8_t)ring_get(&u->tx));
	}
}

static int pl011_getc(struct console *con)
{
	struct pl011 *u = con->priv;

	if (mmio_read32(u->base + UARTFR) & FR_RXFE) {
		return -1;
	}
	return mmio_read32(u->base + UARTDR) & 0xff;
}

void pl011_init_polled(struct pl011 *u)
{
	/* Disable, let the last character leave, then reprogram (TRM 3.3.8). */
	mmio_write32(u->base + UARTCR, 0);
	for (int i = 0; i < TX_WAIT_LIMIT; i++) {
		if (!(mmio_read32(u->base + UARTFR) & FR_BUSY)) {
			break;
		}
	}
	if (u->clock_hz && u->baud) {
		/* Divisor = UARTCLK / (16 * baud), 6 fractional bits. */
		uint32_t div64 =
		    (uint32_t)(((uint64_t)u->clock_hz * 4 + u->baud / 2) /
			       u->baud);

		mmio_write32(u->base + UARTIBRD, div64 >> 6);
		mmio_write32(u->base + UARTFBRD, div64 & 0x3f);
	}
	mmio_write32(u->base + UARTLCR_H, LCR_H_WLEN_8 | LCR_H_FEN);
	mmio_write32(u->base + UARTIMSC, 0);
	u->imsc = 0;
	mmio_write32(u->base + UARTICR, ICR_ALL);
	mmio_write32(u->base + UARTCR, CR_UARTEN | CR_TXE | CR_RXE);
	u->tx = (struct ring)RING_INIT(u->tx_storage);
	spin_lock_init(&u->lock, "pl011");
	u->console = (struct console){
	    .name = "pl011",
	    .putc = pl011_putc,
	    .getc = pl011_getc,
	    .flush = pl011_flush,
	    .priv = u,
	};
}

static void count_errors(struct pl011 *u, uint32_t dr)
{
	u->stats.framing += !!(dr & DR_FE);
	u->stats.parity += !!(dr & DR_PE);
	u->stats.brk += !!(dr & DR_BE);
	u->stats.overrun += !!(dr & DR_OE);
}

/* FIFO to the console input until empty or the queue is full. */
static void rx_drain(struct pl011 *u)
{
	while (!(mmio_read32(u->base + UARTFR) & FR_RXFE)) {
		uint32_t dr;

		if (u == console_uart && !console_input_space()) {
			/* Stop taking bytes; the reader restarts us. */
			u->rx_throttled = true;
			u->stats.throttled++;
			set_imsc(u, u->imsc & ~(INT_RX | INT_RT));
			return;
		}
		dr = mmio_read32(u->base + UARTDR);
		count_errors(u, dr);
		u->stats.rx++;
		if (u == console_uart) {
			console_input_push((uint8_t)dr);
		}
	}
}

static enum irq_return pl011_interrupt(unsigned int irq, void *dev)
{
	struct pl011 *u = dev;
	enum irq_return ret = IRQ_NONE;
	unsigned long flags = spin_lock_irqsave(&u->lock);

	(void)irq;
	for (int i = 0; i < IRQ_LOOP_LIMIT; i++) {
		uint32_t mis = mmio_read32(u->base + UARTMIS);

		if (!mis) {
			break;
		}
		ret = IRQ_HANDLED;
		/* Clear first, then drain (see the file header). */
		mmio_write32(u->base + UARTICR, mis);
		if (mis & (INT_RX | INT_RT | INT_ERRORS)) {
			rx_drain(u);
		}
		if (mis & INT_TX) {
			tx_fill(u);
		}
	}
	if (ret == IRQ_HANDLED) {
		u->stats.interrupts++;
	}
	spin_unlock_irqrestore(&u->lock, flags);
	return ret;
}

static void pl011_unthrottle(void)
{
	struct pl011 *u = console_uart;
	unsigned long flags;

	if (!u || !u->rx_throttled) {
		return;
	}
	flags = spin_lock_irqsave(&u->lock);
	u->rx_throttled = false;
	rx_drain(u);
	if (!u->rx_throttled) {
		set_imsc(u, u->imsc | INT_RX | INT_RT);
	}
	spin_unlock_irqrestore(&u->lock, flags);
}

static void pl011_print_stats(void)
{
	const struct pl011 *u = console_uart;

	if (!u) {
		return;
	}
	kprintf("%s: mmio %p irq %d (console)\n", u->dev->name, (void *)u->base,
		u->irq);
	kprintf("  rx %lu  tx %lu  interrupts %lu\n", u->stats.rx, u->stats.tx,
		u->stats.interrupts);
	kprintf("  overrun %lu  framing %lu  parity %lu  break %lu  "
		"throttled %lu\n",
		u->stats.overrun, u->stats.framing, u->stats.parity,
		u->stats.brk, u->stats.throttled);
}

/* Only the console UART (the early console's) is driven for now. */
static int pl011_probe(struct device *dev)
{
	struct console *con = console_get();
	struct pl011 *u;
	unsigned long flags;
	int irq = device_irq(dev, 0), ret;

	if (irq < 0) {
		return irq;
	}
	if (!con || con->putc != pl011_putc ||
	    ((struct pl011 *)con->priv)->base != device_mem(dev, 0)) {
		return -ENODEV;
	}
	u = con->priv;
	u->dev = dev;
	u->irq = irq;
	ret = irq_request(irq, pl011_interrupt, device_irq_flags(dev, 0),
			  dev->name, u);
	if (ret < 0) {
		return ret;
	}
	flags = spin_lock_irqsave(&u->lock);
	mmio_write32(u->base + UARTIFLS, IFLS_RX_HALF);
	console_uart = u;
	u->irq_mode = true;
	set_imsc(u, INT_RX | INT_RT | INT_ERRORS);
	spin_unlock_irqrestore(&u->lock, flags);
	console_input_set_irq_driven(pl011_unthrottle);
	serial_register_stats(pl011_print_stats);
	return 0;
}

static const char *const pl011_ids[] = {"arm,pl011", NULL};

struct driver pl011_driver = {
    .name = "pl011",
    .ids = pl011_ids,
    .probe = pl011_probe,
};
