/*
 * The 16550 driver (drivers/serial/uart16550.c) and the serial core
 * (kern/serial.c) against a register mock of the chip.
 *
 * The mock is a small 16550 model behind kern/io.h's io_read/io_write: a
 * receive FIFO whose bytes may carry framing/parity/break errors, a
 * sticky overrun bit, the trigger level from FCR, IIR computed from IER
 * and that state in the datasheet's priority order (line status, receive
 * data or timeout, THRE). THRE is modelled the way real chips behave:
 * pending whenever ETBEI is on and the holding register is empty (the
 * "THRE storm" QEMU hides), so a driver that leaves ETBEI on with nothing
 * to send keeps IIR busy. Transmitted bytes complete at once. Every
 * access's width and stride is recorded. The console input queue, device
 * resources and the interrupt controller are stand-ins too.
 */
#include <stdio.h>
#include <string.h>

#include "drivers/serial/uart16550.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "fake_arch.h"
#include "unit.h"

/* ---- the register mock -------------------------------------------------- */

#define M_RBR 0
#define M_IER 1
#define M_IIR 2
#define M_LCR 3
#define M_MCR 4
#define M_LSR 5
#define M_SCR 7

#define M_ERR_FE 0x08
#define M_ERR_PE 0x04
#define M_ERR_BI 0x10

static struct mock {
	enum io_space space;
	uintptr_t base;
	unsigned int shift;
	uint8_t ier, lcr, mcr, fcr, scr, dll, dlm;
	uint8_t rx[256], rx_err[256];
	unsigned int rx_head, rx_count;
	bool err_reported; /* the head byte's errors were shown in LSR */
	bool oe;	   /* overrun, until LSR is read */
	uint8_t tx[8192];
	unsigned int tx_count;
	unsigned int tx_with_thre_on; /* THR writes while ETBEI was set */
	uint8_t last_iir;
	uint8_t stuck_iir; /* if set, IIR always says this (a wedged chip) */
	unsigned int iir_reads;
	unsigned int ier_offs;	  /* writes of IER = 0 */
	unsigned int accesses[5]; /* by width in bytes */
	unsigned int stray;	  /* accesses elsewhere, or at another stride */
} m;

static void mock_reset(enum io_space space, uintptr_t base, unsigned int shift)
{
	memset(&m, 0, sizeof(m));
	m.space = space;
	m.base = base;
	m.shift = shift;
}

static void mock_rx(const char *s, uint8_t err)
{
	for (; *s; s++) {
		unsigned int slot = (m.rx_head + m.rx_count) % sizeof(m.rx);

		m.rx[slot] = (uint8_t)*s;
		m.rx_err[slot] = err;
		m.rx_count++;
	}
}

static unsigned int trigger(void)
{
	static const unsigned int levels[] = {1, 4, 8, 14};

	return levels[m.fcr >> 6];
}

static bool head_error(void)
{
	return m.rx_count && m.rx_err[m.rx_head] && !m.err_reported;
}

static uint8_t iir_now(void)
{
	if (m.stuck_iir) {
		return m.stuck_iir;
	}
	if ((m.ier & 0x04) && (m.oe || head_error())) {
		return 0x06;
	}
	if ((m.ier & 0x01) && m.rx_count >= trigger()) {
		return 0x04;
	}
	if ((m.ier & 0x01) && m.rx_count) {
		return 0x0c; /* the character timeout, taken as elapsed */
	}
	if (m.ier & 0x02) {
		return 0x02; /* THR is always empty here */
	}
	return 0x01;
}

static uint8_t lsr_read(void)
{
	uint8_t lsr = 0x60 | (m.rx_count ? 0x01 : 0) | (m.oe ? 0x02 : 0);

	if (head_error()) {
		lsr |= m.rx_err[m.rx_head];
		m.err_reported = true;
	}
	m.oe = false;
	return lsr;
}

static uint8_t mock_read(unsigned int reg)
{
	bool dlab = m.lcr & 0x80;
	uint8_t c;

	switch (reg) {
	case M_RBR:
		if (dlab) {
			return m.dll;
		}
		if (!m.rx_count) {
			return 0;
		}
		c = m.rx[m.rx_head];
		m.rx_head = (m.rx_head + 1) % sizeof(m.rx);
		m.rx_count--;
		m.err_reported = false;
		return c;
	case M_IER:
		return dlab ? m.dlm : m.ier;
	case M_IIR:
		m.iir_reads++;
		m.last_iir = iir_now();
		return m.last_iir;
	case M_LCR:
		return m.lcr;
	case M_MCR:
		return m.mcr;
	case M_LSR:
		return lsr_read();
	case M_SCR:
		return m.scr;
	}
	return 0;
}

static void mock_write(unsigned int reg, uint8_t v)
{
	bool dlab = m.lcr & 0x80;

	switch (reg) {
	case M_RBR:
		if (dlab) {
			m.dll = v;
		} else if (m.tx_count < sizeof(m.tx)) {
			m.tx[m.tx_count++] = v;
			m.tx_with_thre_on += !!(m.ier & 0x02);
		}
		break;
	case M_IER:
		if (dlab) {
			m.dlm = v;
		} else {
			m.ier = v & 0x0f;
			m.ier_offs += !v;
		}
		break;
	case M_IIR: /* FCR */
		m.fcr = v & 0xc9;
		if (v & 0x02) {
			m.rx_count = 0;
		}
		break;
	case M_LCR:
		m.lcr = v;
		break;
	case M_MCR:
		m.mcr = v;
		break;
	case M_SCR:
		m.scr = v;
		break;
	}
}

static bool mock_is_me(const struct io_regs *r, unsigned int width)
{
	if (r->space != m.space || r->base != m.base || r->shift != m.shift) {
		m.stray++;
		return false;
	}
	m.accesses[width]++;
	return true;
}

uint8_t io_read8(const struct io_regs *r, unsigned int reg)
{
	return mock_is_me(r, 1) ? mock_read(reg) : 0xff;
}

uint16_t io_read16(const struct io_regs *r, unsigned int reg)
{
	return mock_is_me(r, 2) ? mock_read(reg) : 0xffff;
}

uint32_t io_read32(const struct io_regs *r, unsigned int reg)
{
	return mock_is_me(r, 4) ? mock_read(reg) : 0xffffffffu;
}

void io_write8(const struct io_regs *r, unsigned int reg, uint8_t v)
{
	if (mock_is_me(r, 1)) {
		mock_write(reg, v);
	}
}

void io_write16(const struct io_regs *r, unsigned int reg, uint16_t v)
{
	if (mock_is_me(r, 2)) {
		mock_write(reg, (uint8_t)v);
	}
}

void io_write32(const struct io_regs *r, unsigned int reg, uint32_t v)
{
	if (mock_is_me(r, 4)) {
		mock_write(reg, (uint8_t)v);
	}
}

/* ---- devices, the console input queue, a controller ---------------------- */

int device_regs(const struct device *dev, unsigned int index,
		unsigned int shift, struct io_regs *out)
{
	const struct resource *res = &dev->res[0];

	if (index || !dev->nres || res->type == RES_IRQ) {
		return -ENOENT;
	}
	*out = (struct io_regs){res->type == RES_IO ? IO_SPACE_PORT
						    : IO_SPACE_MMIO,
				(uintptr_t)res->start, shift};
	return 0;
}

/* The interrupt parent: the line is the kernel IRQ, as the PC's 8259 has
 * it (kern/device.c's device_irq asks the parent). */
static int identity_xlate(struct device *ctrl, const struct resource *res,
			  unsigned int *irq, unsigned int *trigger)
{
	(void)ctrl;
	*irq = (unsigned int)res->start;
	*trigger = res->flags & IRQF_TRIGGER_MASK;
	return 0;
}

static struct device com_parent = {.name = "pic", .irq_xlate = identity_xlate};

static uint8_t input[8192];
static unsigned int input_count, input_room;
static void (*input_unthrottle)(void);
static struct console *registered;

bool console_input_push(uint8_t byte)
{
	if (input_count == input_room || input_count == sizeof(input)) {
		return false;
	}
	input[input_count++] = byte;
	return true;
}

unsigned int console_input_space(void)
{
	return input_room - input_count;
}

void console_input_set_irq_driven(void (*unthrottle)(void))
{
	input_unthrottle = unthrottle;
}

void console_register(struct console *con)
{
	registered = con;
}

/* No command line in the host tests (kern/main.c is not linked). */
bool cmdline_has(const char *word)
{
	(void)word;
	return false;
}

static void nop_chip_op(struct irq_desc *desc)
{
	(void)desc;
}

static struct irq_chip nop_chip = {
    .name = "nop",
    .mask = nop_chip_op,
    .unmask = nop_chip_op,
    .ack = nop_chip_op,
};

extern struct driver uart16550_driver;

#define COM_PORT 0x3f8
#define COM_IRQ	 4

/* A fresh mock, input queue, interrupt core; the PC's COM1 as data. */
static void setup(struct device *dev, enum resource_type type, uint64_t base,
		  unsigned int shift)
{
	fake_arch_reset();
	irq_core_init();
	uart16550_test_reset();
	irq_cpus_online = 1;
	irq_domain_add(&nop_chip, NULL, 0, 16, irq_flow_edge);
	mock_reset(type == RES_IO ? IO_SPACE_PORT : IO_SPACE_MMIO, base, shift);
	input_count = 0;
	input_room = sizeof(input);
	input_unthrottle = NULL;
	registered = NULL;
	*dev = (struct device){
	    .name = "com1",
	    .res = {{.type = type, .start = base, .size = 8},
		    {.type = RES_IRQ, .start = COM_IRQ, .size = 1}},
	    .nres = 2,
	    .irq_parent = &com_parent,
	    .reg_shift = shift,
	    .clock_hz = 1843200,
	};
}

/* COM1 as the early console, then bound by the driver. */
static struct uart16550 *console_up(struct uart16550 *u, struct device *dev)
{
	setup(dev, RES_IO, COM_PORT, 0);
	if (uart16550_early_console(u, dev, 115200) < 0 ||
	    uart16550_driver.probe(dev) < 0) {
		return NULL;
	}
	return u;
}

/* The interrupt as the CPU takes it: flag off, through the core. */
static void take_irq(void)
{
	fake_irqs_on = false;
	irq_handle(COM_IRQ);
	fake_irqs_on = true;
}

/* ---- tests --------------------------------------------------------------- */

TEST(uart16550_probe_programs_the_device_clock)
{
	static struct uart16550 u;
	struct device dev;

	REQUIRE(console_up(&u, &dev));
	CHECK(registered == &u.port.console);
	/* 1843200 / 16 / 115200 = 1; 14-byte trigger with FIFOs on. */
	CHECK_EQ_INT(m.dll | m.dlm << 8, 1);
	CHECK_EQ_INT(m.lcr, 0x03);
	CHECK_EQ_INT(m.fcr, 0xc1);
	CHECK_EQ_INT(m.ier, 0x05); /* ERBFI | ELSI, no ETBEI: nothing to send */
	CHECK_EQ_INT(m.mcr & 0x0b, 0x0b); /* DTR, RTS, OUT2 */
	CHECK_EQ_INT(m.stray, 0);
}

TEST(uart16550_iir_loop_runs_until_nothing_pending)
{
	static struct uart16550 u;
	struct device dev;

	REQUIRE(console_up(&u, &dev));
	/* A line-status event first, then more than one trigger's worth. */
	m.oe = true;
	mock_rx("0123456789abcdefghij", 0);
	take_irq();
	CHECK_EQ_INT(m.rx_count, 0);
	CHECK_EQ_INT(input_count, 20);
	CHECK(memcmp(input, "0123456789abcdefghij", 20) == 0);
	CHECK_EQ_INT(m.last_iir, 0x01); /* it stopped on "nothing pending" */
	CHECK_EQ_INT(iir_now(), 0x01);
	CHECK_EQ_INT(u.port.stats.rx, 20);
	CHECK_EQ_INT(u.port.stats.interrupts, 1);
}

TEST(uart16550_thre_only_while_the_ring_has_data)
{
	static struct uart16550 u;
	static const char msg[] = "forty bytes of text for the THRE test..";
	struct device dev;
	unsigned int offs;

	REQUIRE(console_up(&u, &dev));
	CHECK(!(m.ier & 0x02));
	for (const char *p = msg; *p; p++) {
		u.port.console.putc(&u.port.console, *p);
	}
	/* Buffered, with THRE on to take it. */
	CHECK_EQ_INT(m.tx_count, 0);
	CHECK(m.ier & 0x02);
	/* One FIFO-load per interrupt, THRE re-armed for the next (an
	 * IER toggle: a new edge), so that none comes with nothing to do. */
	offs = m.ier_offs;
	take_irq();
	CHECK_EQ_INT(m.tx_count, 16);
	CHECK_EQ_INT(iir_now(), 0x02);
	CHECK_EQ_INT(m.ier_offs, offs + 1);
	take_irq();
	take_irq();
	CHECK_EQ_INT(u.port.stats.interrupts, 3);
	/* THRE off while writing: QEMU's chip would raise it per byte. */
	CHECK_EQ_INT(m.tx_with_thre_on, 0);
	CHECK_EQ_INT(m.tx_count, sizeof(msg) - 1);
	CHECK(memcmp(m.tx, msg, sizeof(msg) - 1) == 0);
	/* Ring empty: THRE off, and IIR quiet (no storm). */
	CHECK(!(m.ier & 0x02));
	CHECK_EQ_INT(iir_now(), 0x01);
	CHECK_EQ_INT(m.last_iir, 0x01);
	CHECK_EQ_INT(u.port.stats.tx, sizeof(msg) - 1);
}

TEST(uart16550_line_errors_are_counted)
{
	static struct uart16550 u;
	struct device dev;

	REQUIRE(console_up(&u, &dev));
	mock_rx("ok", 0);
	mock_rx("f", M_ERR_FE);
	mock_rx("p", M_ERR_PE);
	mock_rx("b", M_ERR_BI);
	m.oe = true;
	take_irq();
	CHECK_EQ_INT(u.port.stats.overrun, 1);
	CHECK_EQ_INT(u.port.stats.framing, 1);
	CHECK_EQ_INT(u.port.stats.parity, 1);
	CHECK_EQ_INT(u.port.stats.brk, 1);
	CHECK_EQ_INT(input_count, 5);
	fake_console_clear();
	serial_print_stats();
	CHECK(strstr(fake_console_text(), "overrun 1  framing 1  parity 1  "
					  "break 1  throttled 0  dropped 0"));
}

TEST(uart16550_full_queue_throttles_and_loses_nothing)
{
	static struct uart16550 u;
	struct device dev;

	REQUIRE(console_up(&u, &dev));
	input_room = 4;
	mock_rx("0123456789abcdef", 0);
	take_irq();
	/* Four taken, the rest waits in the FIFO with receive off, RTS off. */
	CHECK_EQ_INT(input_count, 4);
	CHECK_EQ_INT(m.rx_count, 12);
	CHECK(!(m.ier & 0x01));
	CHECK(!(m.mcr & 0x02));
	CHECK_EQ_INT(u.port.stats.throttled, 1);
	CHECK_EQ_INT(iir_now(), 0x01);
	/* The reader made room: the rest comes in, receive and RTS back. */
	input_room = 64;
	REQUIRE(input_unthrottle);
	input_unthrottle();
	CHECK_EQ_INT(input_count, 16);
	CHECK(memcmp(input, "0123456789abcdef", 16) == 0);
	CHECK(m.ier & 0x01);
	CHECK(m.mcr & 0x02);
	CHECK_EQ_INT(u.port.stats.dropped, 0);
}

TEST(uart16550_mmio_at_a_stride_with_32_bit_access)
{
	struct device dev;
	struct uart16550 *u;

	/* An ns16550a as a device tree gives it: reg-shift 2,
	 * reg-io-width 4, clock-frequency 24 MHz. */
	setup(&dev, RES_MEM, 0x9000000, 2);
	dev.name = "serial@9000000";
	dev.reg_width = 4;
	dev.clock_hz = 24000000;
	REQUIRE_EQ_INT(uart16550_driver.probe(&dev), 0);
	u = dev.driver_data;
	REQUIRE(u);
	CHECK_EQ_INT(m.stray, 0);
	CHECK_EQ_INT(m.accesses[1] + m.accesses[2], 0);
	CHECK(m.accesses[4] > 0);
	CHECK_EQ_INT(m.dll | m.dlm << 8, 13); /* 24e6 / 16 / 115200 */
	CHECK_EQ_INT(m.fcr, 0xc1);
	/* Not the console: what it receives has no reader, and says so. */
	mock_rx("xyz", 0);
	take_irq();
	CHECK_EQ_INT(input_count, 0);
	CHECK_EQ_INT(u->port.stats.rx, 3);
	CHECK_EQ_INT(u->port.stats.dropped, 3);
	CHECK_EQ_INT(m.accesses[1] + m.accesses[2], 0);
}

TEST(uart16550_device_without_clock_is_refused)
{
	struct device dev;

	setup(&dev, RES_MEM, 0xa000000, 0);
	dev.name = "serial@a000000";
	dev.clock_hz = 0;
	fake_console_clear();
	CHECK_EQ_INT(uart16550_driver.probe(&dev), -EINVAL);
	CHECK(strstr(fake_console_text(), "serial@a000000: no usable input "
					  "clock"));
	CHECK_EQ_INT(m.ier, 0); /* never enabled */
}

TEST(uart16550_bounded_handler_rearms_the_edge)
{
	static struct uart16550 u;
	struct device dev;
	unsigned int offs;

	REQUIRE(console_up(&u, &dev));
	offs = m.ier_offs;
	/* A chip that never says "nothing pending": the handler gives up
	 * at its bound, and drops and raises its output so that an edge-
	 * triggered line brings it back. */
	m.stuck_iir = 0x06;
	take_irq();
	CHECK(m.iir_reads < 100);
	CHECK_EQ_INT(m.ier_offs, offs + 1);
	CHECK_EQ_INT(m.ier, 0x05);
	/* Quiet when done: no such toggle. */
	m.stuck_iir = 0;
	mock_rx("q", 0);
	take_irq();
	CHECK_EQ_INT(m.ier_offs, offs + 1);
}

/* A line its controller cannot route (issue 9, item 2). */
static int unroutable_xlate(struct device *ctrl, const struct resource *res,
			    unsigned int *irq, unsigned int *trigger)
{
	(void)ctrl;
	(void)res;
	(void)irq;
	(void)trigger;
	return -EINVAL;
}

TEST(uart16550_console_without_a_line_stays_polled)
{
	static struct device bad_parent = {.name = "nowhere",
					   .irq_xlate = unroutable_xlate};
	static struct uart16550 u;
	struct device dev, other;

	setup(&dev, RES_IO, COM_PORT, 0);
	dev.irq_parent = &bad_parent;
	REQUIRE(uart16550_early_console(&u, &dev, 115200) == 0);
	/* Bound, polled: no interrupt asked of the chip or the core. */
	CHECK_EQ_INT(uart16550_driver.probe(&dev), 0);
	CHECK(dev.driver_data == &u);
	CHECK(!u.port.irq_mode);
	CHECK_EQ_INT(m.ier, 0);
	CHECK(registered == &u.port.console);
	/* Another UART without its line is refused and left untouched. */
	other = dev;
	other.res[0].start = 0x2f8;
	other.driver_data = NULL;
	CHECK(uart16550_driver.probe(&other) < 0);
	CHECK(other.driver_data == NULL);
	CHECK_EQ_INT(m.stray, 0);
}
