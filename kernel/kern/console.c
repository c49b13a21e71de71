/*
 * Console output and input. Serial consoles want "\r\n", so '\n' is
 * expanded here once instead of in every driver.
 */
#include "kern/console.h"
#include "kern/printf.h"

static struct console *console;

void console_register(struct console *con)
{
	console = con;
}

struct console *console_get(void)
{
	return console;
}

void console_putc(char c)
{
	if (!console) {
		return;
	}
	if (c == '\n') {
		console->putc(console, '\r');
	}
	console->putc(console, c);
}

void console_write(const char *s, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++) {
		console_putc(s[i]);
	}
}

int console_getc(void)
{
	return console && console->getc ? console->getc(console) : -1;
}

static void console_sink(char c, void *ctx)
{
	(void)ctx;
	console_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
	return kvformat(console_sink, NULL, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
