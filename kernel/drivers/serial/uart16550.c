/*
 * 16550A UART (National Semiconductor PC16550D datasheet).
 *
 * Polled mode for the early console; after probe, interrupt-driven:
 * FIFOs on with an 8-byte receive trigger, receive-data and line-status
 * interrupts always, THRE only while the transmit ring has data (a real
 * 16550 raises THRE again and again when it is idle and enabled). The
 * handler reads IIR until nothing is pending, which is also what a shared
 * or level-triggered line needs. When the console input queue is full the
 * receive interrupt is turned off, RTS is dropped and the bytes wait in
 * the FIFO; the reader turns both back on. Nothing is lost when the sender
 * honours RTS (QEMU's chardev simply waits); one that ignores it overruns
 * the 16-byte FIFO, and LSR.OE counts that.
 */
#include "drivers/serial/uart16550.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/printf.h"
#include "arch/x86_64/cpu.h"

/* Register offsets from the base port. */
#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */
#define UART_SCR 7 /* scratch */

#define IER_ERBFI     0x01 /* received data available */
#define IER_ETBEI     0x02 /* transmit holding register empty */
#define IER_ELSI      0x04 /* receiver line status */
#define IIR_NO_INT    0x01
#define IIR_ID_MASK   0x0e
#define IIR_MODEM     0x00
#define IIR_THRE      0x02
#define IIR_RDA	      0x04
#define IIR_RLS	      0x06
#define IIR_TIMEOUT   0x0c
#define LCR_8N1	      0x03
#define LCR_DLAB      0x80
#define FCR_ENABLE    0x01
#define FCR_CLEAR_RX  0x02
#define FCR_CLEAR_TX  0x04
#define FCR_TRIGGER_8 0x80
#define MCR_DTR	      0x01
#define MCR_RTS	      0x02
#define MCR_OUT2      0x08 /* gates the IRQ output on PCs */
#define LSR_DR	      0x01 /* data ready */
#define LSR_OE	      0x02 /* overrun error */
#define LSR_PE	      0x04 /* parity error */
#define LSR_FE	      0x08 /* framing error */
#define LSR_BI	      0x10 /* break interrupt */
#define LSR_THRE      0x20 /* transmit holding register empty */

#define UART_CLOCK     1843200u /* the PC's 1.8432 MHz crystal */
#define UART_FIFO      16	/* bytes the transmit FIFO takes at THRE */
#define TX_WAIT_LIMIT  100000	/* polls; ~10 ms on real hardware */
#define IIR_LOOP_LIMIT 64	/* one interrupt's worth of work, bounded */
#define MAX_UARTS      4
#define RX_DRAIN_LIMIT 256 /* bytes per drain */

static struct uart16550 *uarts[MAX_UARTS];
static struct uart16550 uart_pool[MAX_UARTS];
static unsigned int nr_uarts;
static struct uart16550 *console_uart; /* the one feeding console input */

bool uart16550_present(uint16_t base)
{
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a) {
		return false;
	}
	outb(base + UART_SCR, 0xa5);
	return inb(base + UART_SCR) == 0xa5;
}

/* Bounded: a dead UART drops output rather than hanging the kernel. */
static void put_polled(struct uart16550 *u, uint8_t c)
{
	for (int i = 0; i < TX_WAIT_LIMIT; i++) {
		if (inb(u->base + UART_LSR) & LSR_THRE) {
			break;
		}
	}
	outb(u->base + UART_THR, c);
	u->stats.tx++;
}

static void set_ier(struct uart16550 *u, uint8_t ier)
{
	if (ier != u->ier) {
		u->ier = ier;
		outb(u->base + UART_IER, ier);
	}
}

/* Move up to a FIFO's worth from the ring to the chip; lock held. */
static void tx_fill(struct uart16550 *u)
{
	for (int i = 0; i < UART_FIFO && !ring_empty(&u->tx); i++) {
		outb(u->base + UART_THR, (uint8_t)ring_get(&u->tx));
		u->stats.tx++;
	}
	set_ier(u,
		ring_empty(&u->tx) ? u->ier & ~IER_ETBEI : u->ier | IER_ETBEI);
}

static void uart_putc(struct console *con, char c)
{
	struct uart16550 *u = con->priv;
	unsigned long flags;

	/* Polled before interrupts, and when an exception or NMI prints
	 * while this CPU is inside the lock below. */
	if (!u->irq_mode || spin_is_held(&u->lock)) {
		put_polled(u, (uint8_t)c);
		return;
	}
	flags = spin_lock_irqsave(&u->lock);
	/*
	 * Full ring: the console lock keeps interrupts off while printing,
	 * so the THRE interrupt cannot drain it; push the oldest byte out
	 * by polling. This is also the path of printing from a handler.
	 */
	if (ring_full(&u->tx)) {
		put_polled(u, (uint8_t)ring_get(&u->tx));
	}
	ring_put(&u->tx, (uint8_t)c);
	if (!(u->ier & IER_ETBEI)) {
		/* THRE fires on enable when the holder is already empty. */
		set_ier(u, u->ier | IER_ETBEI);
	}
	spin_unlock_irqrestore(&u->lock, flags);
}

/*
 * Before the CPU halts (panic, fatal exception) no THRE interrupt will
 * come: write out the ring by polling. No lock: the CPU may have stopped
 * while holding it, and nothing else runs any more.
 */
static void uart_flush(struct console *con)
{
	struct uart16550 *u = con->priv;

	while (!ring_empty(&u->tx)) {
		put_polled(u, (uint8_t)ring_get(&u->tx));
	}
}

static int uart_getc(struct console *con)
{
	struct uart16550 *u = con->priv;

	if (!(inb(u->base + UART_LSR) & LSR_DR)) {
		return -1;
	}
	return inb(u->base + UART_RBR);
}

static void program(struct uart16550 *u, uint8_t fcr)
{
	uint16_t divisor = UART_CLOCK / 16 / u->baud;

	outb(u->base + UART_IER, 0);
	u->ier = 0;
	outb(u->base + UART_LCR, LCR_DLAB);
	outb(u->base + UART_DLL, divisor & 0xff);
	outb(u->base + UART_DLM, divisor >> 8);
	outb(u->base + UART_LCR, LCR_8N1);
	outb(u->base + UART_FCR, fcr);
	outb(u->base + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
}

void uart16550_init_polled(struct uart16550 *u)
{
	program(u, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	u->tx = (struct ring)RING_INIT(u->tx_storage);
	spin_lock_init(&u->lock, "uart16550");
	u->console = (struct console){
	    .name = "uart16550",
	    .putc = uart_putc,
	    .getc = uart_getc,
	    .flush = uart_flush,
	    .priv = u,
	};
}

static void note_line_status(struct uart16550 *u, uint8_t lsr)
{
	u->stats.overrun += !!(lsr & LSR_OE);
	u->stats.parity += !!(lsr & LSR_PE);
	u->stats.framing += !!(lsr & LSR_FE);
	u->stats.brk += !!(lsr & LSR_BI);
}

/* Drain the receive FIFO into the console input queue; lock held. */
static void rx_drain(struct uart16550 *u)
{
	/* Bounded: a vanished UART reads 0xFF, data ready forever. */
	for (int n = 0; n < RX_DRAIN_LIMIT; n++) {
		uint8_t lsr = inb(u->base + UART_LSR);

		note_line_status(u, lsr);
		if (!(lsr & LSR_DR)) {
			return;
		}
		if (u == console_uart && !console_input_space()) {
			/* Leave the bytes in the FIFO; the reader restarts us.
			 */
			u->rx_throttled = true;
			u->stats.throttled++;
			set_ier(u, u->ier & ~IER_ERBFI);
			/* And ask the sender to pause (RTS off): the FIFO
			 * holds only 16 bytes. */
			outb(u->base + UART_MCR, MCR_DTR | MCR_OUT2);
			return;
		}
		uint8_t c = inb(u->base + UART_RBR);

		u->stats.rx++;
		if (u == console_uart) {
			console_input_push(c);
		}
	}
}

static enum irq_return uart_interrupt(unsigned int irq, void *dev)
{
	struct uart16550 *u = dev;
	enum irq_return ret = IRQ_NONE;
	unsigned long flags = spin_lock_irqsave(&u->lock);

	(void)irq;
	for (int i = 0; i < IIR_LOOP_LIMIT; i++) {
		uint8_t iir = inb(u->base + UART_IIR);

		if (iir & IIR_NO_INT) {
			break;
		}
		ret = IRQ_HANDLED;
		switch (iir & IIR_ID_MASK) {
		case IIR_RLS:
			note_line_status(u, inb(u->base + UART_LSR));
			break;
		case IIR_RDA:
		case IIR_TIMEOUT:
			rx_drain(u);
			break;
		case IIR_THRE:
			tx_fill(u);
			break;
		case IIR_MODEM:
			inb(u->base + UART_MSR);
			break;
		}
		if (u->rx_throttled && !(u->ier & IER_ETBEI)) {
			break; /* data is waiting on purpose; nothing else */
		}
	}
	if (ret == IRQ_HANDLED) {
		u->stats.interrupts++;
	}
	spin_unlock_irqrestore(&u->lock, flags);
	return ret;
}

/* The console reader made room: take the receive interrupt back. */
static void uart_unthrottle(void)
{
	struct uart16550 *u = console_uart;
	unsigned long flags;

	if (!u || !u->rx_throttled) {
		return;
	}
	flags = spin_lock_irqsave(&u->lock);
	u->rx_throttled = false;
	rx_drain(u);
	if (!u->rx_throttled) {
		set_ier(u, u->ier | IER_ERBFI);
		outb(u->base + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	}
	spin_unlock_irqrestore(&u->lock, flags);
}

static struct uart16550 *uart_for(uint16_t base)
{
	struct console *con = console_get();

	/* The early console's UART carries on, same struct, same rings. */
	if (con && con->putc == uart_putc &&
	    ((struct uart16550 *)con->priv)->base == base) {
		return con->priv;
	}
	if (nr_uarts == MAX_UARTS) {
		return NULL;
	}
	return &uart_pool[nr_uarts];
}

static int uart16550_probe(struct device *dev)
{
	uint16_t base = device_io(dev, 0);
	int irq = device_irq(dev, 0), ret;
	struct uart16550 *u;
	unsigned long flags;
	bool is_console;

	if (!base || irq < 0) {
		return irq < 0 ? irq : -ENODEV;
	}
	if (!uart16550_present(base)) {
		return -ENODEV;
	}
	u = uart_for(base);
	if (!u || nr_uarts == MAX_UARTS) {
		return -ENOSPC;
	}
	is_console = console_get() == &u->console;
	if (!is_console) {
		u->base = base;
		u->baud = 115200;
		uart16550_init_polled(u);
	}
	u->dev = dev;
	u->irq = irq;
	ret = irq_request(irq, uart_interrupt, device_irq_flags(dev, 0),
			  dev->name, u);
	if (ret < 0) {
		return ret;
	}
	flags = spin_lock_irqsave(&u->lock);
	outb(u->base + UART_FCR, FCR_ENABLE | FCR_TRIGGER_8);
	u->irq_mode = true;
	set_ier(u, IER_ERBFI | IER_ELSI);
	spin_unlock_irqrestore(&u->lock, flags);
	if (is_console) {
		console_uart = u;
		console_input_set_irq_driven(uart_unthrottle);
	}
	uarts[nr_uarts++] = u;
	dev->driver_data = u;
	serial_register_stats(uart16550_print_stats);
	return 0;
}

void uart16550_print_stats(void)
{
	for (unsigned int i = 0; i < nr_uarts; i++) {
		const struct uart16550 *u = uarts[i];
		const struct serial_stats *s = &u->stats;

		kprintf("%s: port 0x%x irq %d%s\n", u->dev->name, u->base,
			u->irq, u == console_uart ? " (console)" : "");
		kprintf("  rx %lu  tx %lu  interrupts %lu\n", s->rx, s->tx,
			s->interrupts);
		kprintf("  overrun %lu  framing %lu  parity %lu  break %lu  "
			"throttled %lu\n",
			s->overrun, s->framing, s->parity, s->brk,
			s->throttled);
	}
}

static const char *const uart16550_ids[] = {"PNP0501", NULL};

struct driver uart16550_driver = {
    .name = "uart16550",
    .ids = uart16550_ids,
    .probe = uart16550_probe,
};
