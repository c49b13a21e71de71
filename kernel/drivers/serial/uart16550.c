/*
 * 16550A UART (National Semiconductor PC16550D datasheet).
 *
 * Registers through kern/io.h: port I/O on the PC, MMIO with the device's
 * stride (reg-shift) and access width (reg-io-width) elsewhere; the input
 * clock is the device's (the PC's 1.8432 MHz crystal is platform data).
 *
 * Polled mode for the early console; after probe, interrupt-driven
 * through the serial core: FIFOs on with a 14-byte receive trigger and
 * the character-timeout interrupt for a partly filled FIFO (datasheet
 * 8.6.3: it comes with ERBFI), line-status interrupts always, THRE only
 * while the transmit ring has data (a real 16550 raises THRE again and
 * again when it is idle and enabled). The handler reads IIR until nothing
 * is pending, which is also what a shared or level-triggered line needs,
 * and takes every byte the FIFO holds each time. When the console input
 * queue is full the receive interrupt is turned off, RTS is dropped and
 * the bytes wait in the FIFO; the reader turns both back on. Nothing is
 * lost when the sender honours RTS (QEMU's chardev simply waits); one
 * that ignores it overruns the 16-byte FIFO, and LSR.OE counts that.
 */
#include "drivers/serial/uart16550.h"
#include "kern/boot.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/printf.h"
#include "kern/string.h"

/* Register numbers (datasheet table 2); the stride comes from io_regs. */
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

#define IER_ERBFI      0x01 /* received data available (and timeout) */
#define IER_ETBEI      0x02 /* transmit holding register empty */
#define IER_ELSI       0x04 /* receiver line status */
#define IIR_NO_INT     0x01
#define IIR_ID_MASK    0x0e
#define IIR_MODEM      0x00
#define IIR_THRE       0x02
#define IIR_RDA	       0x04
#define IIR_RLS	       0x06
#define IIR_TIMEOUT    0x0c
#define LCR_8N1	       0x03
#define LCR_DLAB       0x80
#define FCR_ENABLE     0x01
#define FCR_CLEAR_RX   0x02
#define FCR_CLEAR_TX   0x04
#define FCR_TRIGGER_14 0xc0 /* receive interrupt at 14 of 16 bytes */
#define MCR_DTR	       0x01
#define MCR_RTS	       0x02
#define MCR_OUT2       0x08 /* gates the IRQ output on PCs */
#define LSR_DR	       0x01 /* data ready */
#define LSR_OE	       0x02 /* overrun error */
#define LSR_PE	       0x04 /* parity error */
#define LSR_FE	       0x08 /* framing error */
#define LSR_BI	       0x10 /* break interrupt */
#define LSR_THRE       0x20 /* transmit holding register empty */

#define UART_FIFO      16     /* bytes the transmit FIFO takes at THRE */
#define TX_WAIT_LIMIT  100000 /* polls; ~10 ms on real hardware */
#define IIR_LOOP_LIMIT 64     /* one interrupt's worth of work, bounded */
#define MAX_UARTS      4
#define RX_DRAIN_LIMIT 256 /* bytes per drain */
#define DEFAULT_BAUD   115200

_Static_assert(offsetof(struct uart16550, port) == 0,
	       "the core's port pointer is the uart's");

static struct uart16550 uart_pool[MAX_UARTS];
static unsigned int nr_uarts;
static struct uart16550 *early; /* the early console, until bound */
#define LINE_NAME 32 /* "COM3,COM1": every UART on the line, for irqstat */

/* An interrupt line the driver holds, and the UARTs on it. */
struct uart_line {
	int irq;
	struct uart16550 *first;
	char name[LINE_NAME];
};

static struct uart_line lines[MAX_UARTS];
static unsigned int nr_lines;

static struct uart16550 *to_uart(struct serial_port *p)
{
	return (struct uart16550 *)p;
}

static uint8_t reg_read(const struct uart16550 *u, unsigned int reg)
{
	switch (u->width) {
	case 4:
		return (uint8_t)io_read32(&u->regs, reg);
	case 2:
		return (uint8_t)io_read16(&u->regs, reg);
	default:
		return io_read8(&u->regs, reg);
	}
}

static void reg_write(const struct uart16550 *u, unsigned int reg, uint8_t v)
{
	switch (u->width) {
	case 4:
		io_write32(&u->regs, reg, v);
		break;
	case 2:
		io_write16(&u->regs, reg, v);
		break;
	default:
		io_write8(&u->regs, reg, v);
		break;
	}
}

/* Is a UART answering? (scratch register round trip) */
static bool present(const struct uart16550 *u)
{
	reg_write(u, UART_SCR, 0x5a);
	if (reg_read(u, UART_SCR) != 0x5a) {
		return false;
	}
	reg_write(u, UART_SCR, 0xa5);
	return reg_read(u, UART_SCR) == 0xa5;
}

static void set_ier(struct uart16550 *u, uint8_t ier)
{
	if (ier != u->ier) {
		u->ier = ier;
		reg_write(u, UART_IER, ier);
	}
}

static void set_mcr(struct uart16550 *u, uint8_t mcr)
{
	if (mcr != u->mcr) {
		u->mcr = mcr;
		reg_write(u, UART_MCR, mcr);
	}
}

/* Bounded: a dead UART drops output rather than hanging the kernel. */
static void uart_put_polled(struct serial_port *p, uint8_t c)
{
	struct uart16550 *u = to_uart(p);

	for (int i = 0; i < TX_WAIT_LIMIT; i++) {
		if (reg_read(u, UART_LSR) & LSR_THRE) {
			break;
		}
	}
	reg_write(u, UART_THR, c);
}

static int uart_get_polled(struct serial_port *p)
{
	struct uart16550 *u = to_uart(p);

	if (!(reg_read(u, UART_LSR) & LSR_DR)) {
		return -1;
	}
	return reg_read(u, UART_RBR);
}

/* Move up to a FIFO's worth from the ring to the chip; lock held. */
static void tx_fill(struct uart16550 *u)
{
	int c;

	/* THRE off while writing: a chip that sends at once (QEMU's) would
	 * raise it again after every byte, each a new edge on the line,
	 * which comes back as an interrupt with nothing left to do. */
	set_ier(u, u->ier & ~IER_ETBEI);
	for (int i = 0; i < UART_FIFO && (c = serial_tx_get(&u->port)) >= 0;
	     i++) {
		reg_write(u, UART_THR, (uint8_t)c);
	}
	set_ier(u, serial_tx_empty(&u->port) ? u->ier & ~IER_ETBEI
					     : u->ier | IER_ETBEI);
}

/* The ring has data: THRE fires on enable when the holder is empty. */
static void uart_start_tx(struct serial_port *p)
{
	struct uart16550 *u = to_uart(p);

	set_ier(u, u->ier | IER_ETBEI);
}

static unsigned int lsr_errors(uint8_t lsr)
{
	return (lsr & LSR_OE ? SERIAL_ERR_OVERRUN : 0) |
	       (lsr & LSR_FE ? SERIAL_ERR_FRAMING : 0) |
	       (lsr & LSR_PE ? SERIAL_ERR_PARITY : 0) |
	       (lsr & LSR_BI ? SERIAL_ERR_BREAK : 0);
}

/* Every byte the FIFO holds into the core; lock held. */
static void uart_rx_drain(struct serial_port *p)
{
	struct uart16550 *u = to_uart(p);

	/* Bounded: a vanished UART reads 0xFF, data ready forever. */
	for (int n = 0; n < RX_DRAIN_LIMIT; n++) {
		/* The error bits belong to the byte at the FIFO's head. */
		uint8_t lsr = reg_read(u, UART_LSR);

		serial_rx_errors(p, lsr_errors(lsr));
		if (!(lsr & LSR_DR) || !serial_rx_room(p)) {
			return;
		}
		serial_rx_push(p, reg_read(u, UART_RBR));
	}
}

/* Throttled: no receive interrupt, and RTS off asks the sender to pause
 * (the FIFO holds only 16 bytes). */
static void uart_throttle(struct serial_port *p, bool on)
{
	struct uart16550 *u = to_uart(p);

	set_ier(u, on ? u->ier & ~IER_ERBFI : u->ier | IER_ERBFI);
	set_mcr(u, on ? MCR_DTR | MCR_OUT2 : MCR_DTR | MCR_RTS | MCR_OUT2);
}

static void uart_describe(struct serial_port *p)
{
	struct uart16550 *u = to_uart(p);

	if (u->regs.space == IO_SPACE_PORT) {
		kprintf("port 0x%lx", (unsigned long)u->regs.base);
	} else {
		kprintf("mmio %p", (void *)u->regs.base);
	}
}

static const struct serial_ops uart_ops = {
    .put_polled = uart_put_polled,
    .get_polled = uart_get_polled,
    .start_tx = uart_start_tx,
    .rx_drain = uart_rx_drain,
    .throttle = uart_throttle,
    .describe = uart_describe,
};

/* One UART's pending work, IIR until nothing is pending. */
static enum irq_return uart_service(struct uart16550 *u)
{
	enum irq_return ret = IRQ_NONE;
	bool busy = true; /* still pending when the loop gives up */
	unsigned long flags = spin_lock_irqsave(&u->port.lock);

	for (int i = 0; i < IIR_LOOP_LIMIT; i++) {
		uint8_t iir = reg_read(u, UART_IIR);

		if (iir & IIR_NO_INT) {
			busy = false;
			break;
		}
		ret = IRQ_HANDLED;
		switch (iir & IIR_ID_MASK) {
		case IIR_RLS:
			serial_rx_errors(&u->port,
					 lsr_errors(reg_read(u, UART_LSR)));
			break;
		case IIR_RDA:
		case IIR_TIMEOUT:
			uart_rx_drain(&u->port);
			break;
		case IIR_THRE:
			tx_fill(u);
			break;
		case IIR_MODEM:
			reg_read(u, UART_MSR);
			break;
		}
		if (u->port.rx_throttled && !(u->ier & IER_ETBEI)) {
			busy = false;
			break; /* data is waiting on purpose; nothing else */
		}
		if ((iir & IIR_ID_MASK) == IIR_THRE && (u->ier & IER_ETBEI)) {
			break; /* one FIFO-load per interrupt: see below */
		}
	}
	if (busy) {
		/*
		 * Work left at the bound, or more to send: on an edge-triggered
		 * line (ISA) the output stays high and no new edge would come.
		 * Turning the interrupts off and on again drops and raises it,
		 * and re-arms THRE (datasheet 8.4: reading IIR cleared it).
		 * Sending the next FIFO-load here instead would be undone by
		 * the edge tx_fill's THRE enable already latched: it would
		 * arrive with nothing left to do (irqstat's "unhandled").
		 */
		reg_write(u, UART_IER, 0);
		reg_write(u, UART_IER, u->ier);
	}
	if (ret == IRQ_HANDLED) {
		u->port.stats.interrupts++;
	}
	spin_unlock_irqrestore(&u->port.lock, flags);
	return ret;
}

/*
 * Every UART on the line, once each. Two UARTs may share one line: the
 * PC's COM1 and COM3 both use IRQ 4 (COM2 and COM4 IRQ 3), and QEMU's
 * DSDT gives both as exclusive IRQNoFlags, so the core could give the
 * line to only one of them, maybe not the console. The driver holds the
 * line once and asks each UART's IIR, which says whether that one
 * interrupted. The line is edge-triggered: a UART still pending after
 * its turn would raise no new edge, which is why uart_service() leaves
 * each one with nothing pending, or drops and raises its output.
 */
enum irq_return uart16550_interrupt(unsigned int irq, void *dev)
{
	struct uart_line *line = dev;
	enum irq_return ret = IRQ_NONE;

	(void)irq;
	for (struct uart16550 *u = line->first; u;
	     u = __atomic_load_n(&u->line_next, __ATOMIC_ACQUIRE)) {
		if (uart_service(u) == IRQ_HANDLED) {
			ret = IRQ_HANDLED;
		}
	}
	return ret;
}

/* The line as the driver holds it, if it does. */
static struct uart_line *line_held(int irq)
{
	for (unsigned int i = 0; i < nr_lines; i++) {
		if (lines[i].irq == irq) {
			return &lines[i];
		}
	}
	return NULL;
}

/* ",name" after the line's name (none first), as far as it fits. */
static void line_name_add(struct uart_line *line, const char *name)
{
	size_t n = strlen(line->name), len = strlen(name), sep = n > 0;

	if (n + sep + len < sizeof(line->name)) {
		memcpy(line->name + n + sep, name, len + 1);
		line->name[n] = n ? ',' : line->name[n];
	}
}

#ifdef KITE_HOST_TEST
void uart16550_test_reset(void)
{
	nr_lines = 0;
	nr_uarts = 0;
	early = NULL;
}
#endif

/* Hold the line, or join the UARTs on it; see the handler. */
static int uart_take_line(struct uart16550 *u, struct device *dev, int irq)
{
	struct uart_line *line = line_held(irq);
	struct uart16550 *t;
	int ret;

	u->port.irq = irq;
	u->line_next = NULL;
	if (line) {
		for (t = line->first; t->line_next; t = t->line_next) {
		}
		/* Complete before it is seen: the handler may run now. */
		__atomic_store_n(&t->line_next, u, __ATOMIC_RELEASE);
		kprintf("uart16550: %s: irq %d shared with %s\n", dev->name,
			irq, line->name);
		line_name_add(line, dev->name);
		return 0;
	}
	if (nr_lines == MAX_UARTS) {
		return -ENOSPC;
	}
	line = &lines[nr_lines];
	*line = (struct uart_line){.irq = irq, .first = u};
	line_name_add(line, dev->name);
	ret = irq_request((unsigned int)irq, uart16550_interrupt,
			  device_irq_flags(dev, 0), line->name, line);
	if (ret < 0) {
		return ret;
	}
	nr_lines++;
	return 0;
}

/* Registers, width and clock from the device; then program 8N1 at baud. */
static int uart_setup(struct uart16550 *u, const struct device *dev,
		      uint32_t baud)
{
	uint32_t divisor;

	if (device_regs(dev, 0, dev->reg_shift, &u->regs) < 0) {
		return -ENODEV;
	}
	u->width = dev->reg_width ? dev->reg_width : 1;
	if (u->width != 1 && u->width != 2 && u->width != 4) {
		kprintf("uart16550: %s: %u-byte registers not supported\n",
			dev->name, u->width);
		return -EINVAL;
	}
	u->clock_hz = dev->clock_hz;
	u->baud = baud;
	divisor = baud ? u->clock_hz / 16 / baud : 0;
	if (!divisor || divisor > 0xffff) {
		kprintf("uart16550: %s: no usable input clock (%u Hz for %u "
			"baud); firmware must give clock-frequency\n",
			dev->name, u->clock_hz, baud);
		return -EINVAL;
	}
	if (!present(u)) {
		return -ENODEV;
	}
	reg_write(u, UART_IER, 0);
	u->ier = 0;
	reg_write(u, UART_LCR, LCR_DLAB);
	reg_write(u, UART_DLL, divisor & 0xff);
	reg_write(u, UART_DLM, (uint8_t)(divisor >> 8));
	reg_write(u, UART_LCR, LCR_8N1);
	reg_write(u, UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	u->mcr = MCR_DTR | MCR_RTS | MCR_OUT2;
	reg_write(u, UART_MCR, u->mcr);
	serial_port_init(&u->port, dev->name, &uart_ops);
	return 0;
}

int uart16550_early_console(struct uart16550 *u, const struct device *dev,
			    uint32_t baud)
{
	int ret = uart_setup(u, dev, baud);

	if (ret < 0) {
		return ret;
	}
	early = u;
	serial_console_register(&u->port);
	return 0;
}

/* Is dev the early console's UART? */
static bool is_early(const struct device *dev)
{
	struct io_regs regs;

	return early && device_regs(dev, 0, dev->reg_shift, &regs) == 0 &&
	       early->regs.space == regs.space && early->regs.base == regs.base;
}

/* The early console's UART carries on (same rings); others get a slot. */
static int uart_for(struct device *dev, struct uart16550 **out)
{
	struct io_regs regs;
	int ret;

	if (device_regs(dev, 0, dev->reg_shift, &regs) < 0) {
		return -ENODEV;
	}
	if (is_early(dev)) {
		*out = early;
		return 0;
	}
	if (nr_uarts == MAX_UARTS) {
		kprintf("uart16550: %s: more than %d UARTs\n", dev->name,
			MAX_UARTS);
		return -ENOSPC;
	}
	ret = uart_setup(&uart_pool[nr_uarts], dev, DEFAULT_BAUD);
	*out = &uart_pool[nr_uarts];
	return ret;
}

/*
 * The console without its interrupt stays polled: console_getc_wait()
 * then reads the UART once a tick and the keyboard's queue as well.
 * `console=polled` asks for this (to test it, or for a line that fires
 * wrongly); a line the core refuses gets it too, said at boot.
 */
static int uart_console_polled(struct uart16550 *u, struct device *dev, int err)
{
	if (err) {
		kprintf("uart16550: %s: no interrupt (error %d); console "
			"polled\n",
			dev->name, err);
	} else {
		kprintf("uart16550: %s: console=polled: console polled\n",
			dev->name);
	}
	early = NULL;
	u->port.name = dev->name;
	u->port.dev = dev;
	dev->driver_data = u;
	return 0;
}

static int uart16550_probe(struct device *dev)
{
	int irq = device_irq(dev, 0), ret;
	struct uart16550 *u;
	unsigned long flags;

	if (irq < 0) {
		/* No line to be had (say, unroutable): the console goes on
		 * polled, and says so; another UART is left untouched. */
		return is_early(dev) ? uart_console_polled(early, dev, irq)
				     : irq;
	}
	ret = uart_for(dev, &u);
	if (ret < 0) {
		return ret;
	}
	if (u == early && cmdline_has("console=polled")) {
		return uart_console_polled(u, dev, 0);
	}
	ret = uart_take_line(u, dev, irq);
	if (ret < 0) {
		return u == early ? uart_console_polled(u, dev, ret) : ret;
	}
	if (u == early) {
		early = NULL;
	} else {
		nr_uarts++;
	}
	u->port.name = dev->name;
	u->port.dev = dev;
	serial_port_start(&u->port);
	flags = spin_lock_irqsave(&u->port.lock);
	reg_write(u, UART_FCR, FCR_ENABLE | FCR_TRIGGER_14);
	set_ier(u, IER_ERBFI | IER_ELSI);
	spin_unlock_irqrestore(&u->port.lock, flags);
	dev->driver_data = u;
	return 0;
}

static const char *const uart16550_ids[] = {"PNP0501", "ns16550a", "ns16550",
					    NULL};

struct driver uart16550_driver = {
    .name = "uart16550",
    .ids = uart16550_ids,
    .probe = uart16550_probe,
};
