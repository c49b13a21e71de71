/*
 * ARM PrimeCell UART (PL011) Technical Reference Manual r1p5 (DDI 0183),
 * polled mode: 8N1, FIFOs on, all interrupts masked. Base and clock are
 * handed in from the device tree.
 */
#include "drivers/serial/pl011.h"
#include "kern/mmio.h"

#define UARTDR	  0x000
#define UARTFR	  0x018
#define UARTIBRD  0x024
#define UARTFBRD  0x028
#define UARTLCR_H 0x02c
#define UARTCR	  0x030
#define UARTIMSC  0x038
#define UARTICR	  0x044

#define FR_BUSY	     (1u << 3)
#define FR_RXFE	     (1u << 4)
#define FR_TXFF	     (1u << 5)
#define LCR_H_FEN    (1u << 4)
#define LCR_H_WLEN_8 (3u << 5)
#define CR_UARTEN    (1u << 0)
#define CR_TXE	     (1u << 8)
#define CR_RXE	     (1u << 9)
#define ICR_ALL	     0x7ff

#define TX_WAIT_LIMIT 100000

static void pl011_putc(struct console *con, char c)
{
	struct pl011 *u = con->priv;

	/* Bounded: a stuck FIFO drops output rather than hanging. */
	for (int i = 0; i < TX_WAIT_LIMIT; i++) {
		if (!(mmio_read32(u->base + UARTFR) & FR_TXFF)) {
			break;
		}
	}
	mmio_write32(u->base + UARTDR, (uint8_t)c);
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
	mmio_write32(u->base + UARTICR, ICR_ALL);
	mmio_write32(u->base + UARTCR, CR_UARTEN | CR_TXE | CR_RXE);
	u->console = (struct console){
	    .name = "pl011",
	    .putc = pl011_putc,
	    .getc = pl011_getc,
	    .priv = u,
	};
}
