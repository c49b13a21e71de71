/*
 * The serial core (kern/serial.h): transmit ring, console glue, receive
 * throttling, counters and `serialstat`, shared by the UART drivers.
 */
#include "kern/serial.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/printf.h"

static struct serial_port *ports, **ports_tail = &ports;
static struct serial_port *console_port; /* feeds the console input */

static void put_polled(struct serial_port *p, uint8_t c)
{
	p->ops->put_polled(p, c);
	p->stats.tx++;
}

static void serial_putc(struct console *con, char c)
{
	struct serial_port *p = con->priv;
	unsigned long flags;

	/* Polled before interrupts, and when an exception or NMI prints
	 * while this CPU is inside the lock below. */
	if (!p->irq_mode || spin_is_held(&p->lock)) {
		put_polled(p, (uint8_t)c);
		return;
	}
	flags = spin_lock_irqsave(&p->lock);
	/*
	 * Full ring: the console lock keeps interrupts off while printing,
	 * so the transmit interrupt cannot drain it; push the oldest byte
	 * out by polling. This is also the path of printing from a handler.
	 */
	if (ring_full(&p->tx)) {
		put_polled(p, (uint8_t)ring_get(&p->tx));
	}
	ring_put(&p->tx, (uint8_t)c);
	p->ops->start_tx(p);
	spin_unlock_irqrestore(&p->lock, flags);
}

/*
 * Before the CPU halts (panic, fatal exception) no transmit interrupt
 * will come: write out the ring by polling. No lock: the CPU may have
 * stopped while holding it, and nothing else runs any more.
 */
static void serial_flush(struct console *con)
{
	struct serial_port *p = con->priv;

	while (!ring_empty(&p->tx)) {
		put_polled(p, (uint8_t)ring_get(&p->tx));
	}
}

static int serial_getc(struct console *con)
{
	struct serial_port *p = con->priv;

	return p->ops->get_polled(p);
}

void serial_port_init(struct serial_port *port, const char *name,
		      const struct serial_ops *ops)
{
	port->name = name;
	port->ops = ops;
	port->tx = (struct ring)RING_INIT(port->tx_storage);
	spin_lock_init(&port->lock, name);
	port->console = (struct console){
	    .name = name,
	    .putc = serial_putc,
	    .getc = serial_getc,
	    .flush = serial_flush,
	    .priv = port,
	};
}

void serial_console_register(struct serial_port *port)
{
	port->is_console = true;
	console_register(&port->console);
}

/* The console reader made room: take the receive path back. */
static void serial_unthrottle(void)
{
	struct serial_port *p = console_port;
	unsigned long flags;

	if (!p || !p->rx_throttled) {
		return;
	}
	flags = spin_lock_irqsave(&p->lock);
	p->rx_throttled = false;
	/* What waited in the FIFO first; this may throttle again. */
	p->ops->rx_drain(p);
	if (!p->rx_throttled) {
		p->ops->throttle(p, false);
	}
	spin_unlock_irqrestore(&p->lock, flags);
}

void serial_port_start(struct serial_port *port)
{
	unsigned long flags = spin_lock_irqsave(&port->lock);

	port->irq_mode = true;
	port->next = NULL;
	*ports_tail = port;
	ports_tail = &port->next;
	spin_unlock_irqrestore(&port->lock, flags);
	if (port->is_console) {
		console_port = port;
		console_input_set_irq_driven(serial_unthrottle);
	}
}

int serial_tx_get(struct serial_port *port)
{
	int c = ring_get(&port->tx);

	if (c >= 0) {
		port->stats.tx++;
	}
	return c;
}

bool serial_tx_empty(const struct serial_port *port)
{
	return ring_empty(&port->tx);
}

bool serial_rx_room(struct serial_port *port)
{
	if (!port->is_console || console_input_space()) {
		return true;
	}
	/* Leave the bytes in the FIFO; the reader restarts us. */
	if (!port->rx_throttled) {
		port->rx_throttled = true;
		port->stats.throttled++;
		port->ops->throttle(port, true);
	}
	return false;
}

void serial_rx_push(struct serial_port *port, uint8_t c)
{
	port->stats.rx++;
	/* A port nobody reads, or a queue that filled anyway: say so. */
	if (!port->is_console || !console_input_push(c)) {
		port->stats.dropped++;
	}
}

void serial_rx_errors(struct serial_port *port, unsigned int errs)
{
	port->stats.overrun += !!(errs & SERIAL_ERR_OVERRUN);
	port->stats.framing += !!(errs & SERIAL_ERR_FRAMING);
	port->stats.parity += !!(errs & SERIAL_ERR_PARITY);
	port->stats.brk += !!(errs & SERIAL_ERR_BREAK);
}

int serial_console_polled(bool on)
{
	if (!console_port) {
		return -ENODEV;
	}
	if (on) {
		irq_disable((unsigned int)console_port->irq);
	} else {
		irq_enable((unsigned int)console_port->irq);
	}
	return 0;
}

void serial_print_stats(void)
{
	if (!ports) {
		kprintf("no interrupt-driven serial port\n");
	}
	for (struct serial_port *p = ports; p; p = p->next) {
		const struct serial_stats *s = &p->stats;

		kprintf("%s: ", p->name);
		p->ops->describe(p);
		kprintf(" irq %d%s\n", p->irq,
			p->is_console ? " (console)" : "");
		kprintf("  rx %lu  tx %lu  interrupts %lu\n", s->rx, s->tx,
			s->interrupts);
		kprintf("  overrun %lu  framing %lu  parity %lu  break %lu  "
			"throttled %lu  dropped %lu\n",
			s->overrun, s->framing, s->parity, s->brk, s->throttled,
			s->dropped);
	}
}
