/*
 * VGA text mode console (80x25, colour text buffer; CRT controller for the
 * hardware cursor, IBM VGA Technical Reference). It mirrors the serial
 * console, so `make run-gui` shows the shell in a QEMU window. It
 * understands what the shell sends: printable ASCII, \r, \n, \b, \t, and
 * the escape sequences ESC [ K (erase to end of line) and ESC [ n C/D
 * (cursor right/left). Buffer and ports come from the device.
 */
#include "kern/console.h"
#include "kern/device.h"
#include "kern/errno.h"
#include "kern/io.h"

#define COLS 80
#define ROWS 25
#define ATTR 0x07 /* light grey on black */

/* The device's ranges: the text buffer (cells of character and
 * attribute, row-major), then the CRT controller's index/data pair. */
#define RANGE_TEXT 0
#define RANGE_CRTC 1
#define CRTC_INDEX 0

#define CRTC_DATA	 1
#define CRTC_CURSOR_HIGH 0x0e
#define CRTC_CURSOR_LOW	 0x0f

enum esc_state { ESC_NONE, ESC_SEEN, ESC_CSI };

struct vgacon {
	struct io_regs text, crtc; /* text: 16-bit cells, register = cell */
	unsigned int row, col;
	enum esc_state esc;
	unsigned int param;
	struct console console;
};

static struct vgacon vga;

static void put_cell(unsigned int row, unsigned int col, char c)
{
	io_write16(&vga.text, row * COLS + col,
		   (uint16_t)(ATTR << 8 | (uint8_t)c));
}

static void scroll(void)
{
	for (unsigned int i = 0; i < (ROWS - 1) * COLS; i++) {
		io_write16(&vga.text, i, io_read16(&vga.text, i + COLS));
	}
	for (unsigned int c = 0; c < COLS; c++) {
		put_cell(ROWS - 1, c, ' ');
	}
}

static void move_cursor(void)
{
	uint16_t pos = (uint16_t)(vga.row * COLS + vga.col);

	io_write8(&vga.crtc, CRTC_INDEX, CRTC_CURSOR_HIGH);
	io_write8(&vga.crtc, CRTC_DATA, (uint8_t)(pos >> 8));
	io_write8(&vga.crtc, CRTC_INDEX, CRTC_CURSOR_LOW);
	io_write8(&vga.crtc, CRTC_DATA, pos & 0xff);
}

static void newline(void)
{
	vga.col = 0;
	if (++vga.row == ROWS) {
		scroll();
		vga.row = ROWS - 1;
	}
}

/* The final byte of ESC [ n X. */
static void csi(char final)
{
	unsigned int n = vga.param ? vga.param : 1;

	switch (final) {
	case 'K':
		for (unsigned int c = vga.col; c < COLS; c++) {
			put_cell(vga.row, c, ' ');
		}
		break;
	case 'C':
		vga.col = vga.col + n < COLS ? vga.col + n : COLS - 1;
		break;
	case 'D':
		vga.col = vga.col > n ? vga.col - n : 0;
		break;
	}
}

static void put_plain(char c)
{
	switch (c) {
	case '\r':
		vga.col = 0;
		break;
	case '\n':
		newline();
		break;
	case '\b':
		if (vga.col) {
			vga.col--;
		}
		break;
	case '\t':
		vga.col = (vga.col + 8) & ~7u;
		if (vga.col >= COLS) {
			newline();
		}
		break;
	default:
		if ((uint8_t)c < 0x20) {
			break;
		}
		put_cell(vga.row, vga.col, c);
		if (++vga.col == COLS) {
			newline();
		}
	}
}

static void vga_putc(struct console *con, char c)
{
	(void)con;
	switch (vga.esc) {
	case ESC_NONE:
		if (c == 0x1b) {
			vga.esc = ESC_SEEN;
		} else {
			put_plain(c);
		}
		break;
	case ESC_SEEN:
		vga.esc = c == '[' ? ESC_CSI : ESC_NONE;
		vga.param = 0;
		break;
	case ESC_CSI:
		if (c >= '0' && c <= '9') {
			vga.param = vga.param * 10 + (unsigned int)(c - '0');
			break;
		}
		csi(c);
		vga.esc = ESC_NONE;
		break;
	}
	move_cursor();
}

static int vgacon_probe(struct device *dev)
{
	/* Cell n at text + 2n: a stride of 1 << 1. */
	if (device_regs(dev, RANGE_TEXT, 1, &vga.text) < 0 ||
	    vga.text.space != IO_SPACE_MMIO ||
	    device_regs(dev, RANGE_CRTC, 0, &vga.crtc) < 0) {
		return -ENODEV;
	}
	for (unsigned int i = 0; i < ROWS * COLS; i++) {
		put_cell(i / COLS, i % COLS, ' ');
	}
	vga.console = (struct console){.name = "vga", .putc = vga_putc};
	move_cursor();
	console_add_mirror(&vga.console);
	return 0;
}

static const char *const vgacon_ids[] = {"PNP0900", NULL};

struct driver vga_driver = {
    .name = "vgacon",
    .ids = vgacon_ids,
    .probe = vgacon_probe,
};
