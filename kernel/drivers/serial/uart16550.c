/*
 * 16550A UART (National Semiconductor PC16550D datasheet), polled mode:
 * 8N1, FIFOs on, all UART interrupts off. The port base comes from the
 * platform description; this file names no address.
 */
#include "drivers/serial/uart16550.h"
#include "arch/x86_64/cpu.h"

/* Register offsets from the base port. */
#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_SCR 7 /* scratch */

#define LCR_8N1	     0x03
#define LCR_DLAB     0x80
#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define MCR_DTR	     0x01
#define MCR_RTS	     0x02
#define MCR_OUT2     0x08
#define LSR_DR	     0x01 /* data ready */
#define LSR_THRE     0x20 /* transmit holding register empty */

#define UART_CLOCK    1843200u /* the PC's 1.8432 MHz crystal */
#define TX_WAIT_LIMIT 100000   /* polls; ~10 ms on real hardware */

bool uart16550_present(uint16_t base)
{
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a) {
		return false;
	}
	outb(base + UART_SCR, 0xa5);
	return inb(base + UART_SCR) == 0xa5;
}

static void uart_putc(struct console *con, char c)
{
	struct uart16550 *u = con->priv;

	/* Bounded: a dead UART drops output rather than hanging the kernel. */
	for (int i = 0; i < TX_WAIT_LIMIT; i++) {
		if (inb(u->base + UART_LSR) & LSR_THRE) {
			break;
		}
	}
	outb(u->base + UART_THR, (uint8_t)c);
}

static int uart_getc(struct console *con)
{
	struct uart16550 *u = con->priv;

	if (!(inb(u->base + UART_LSR) & LSR_DR)) {
		return -1;
	}
	return inb(u->base + UART_RBR);
}

void uart16550_init_polled(struct uart16550 *u)
{
	uint16_t divisor = UART_CLOCK / 16 / u->baud;

	outb(u->base + UART_IER, 0);
	outb(u->base + UART_LCR, LCR_DLAB);
	outb(u->base + UART_DLL, divisor & 0xff);
	outb(u->base + UART_DLM, divisor >> 8);
	outb(u->base + UART_LCR, LCR_8N1);
	outb(u->base + UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	outb(u->base + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	u->console = (struct console){
	    .name = "uart16550",
	    .putc = uart_putc,
	    .getc = uart_getc,
	    .priv = u,
	};
}
