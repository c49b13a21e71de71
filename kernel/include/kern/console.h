/*
 * The console: one output device, polled for now. kprintf() writes here.
 * A port registers its UART early in boot; before that, output is dropped.
 */
#ifndef KERN_CONSOLE_H
#define KERN_CONSOLE_H

struct console {
	const char *name;
	void (*putc)(struct console *con, char c);
	/* Next received byte, or -1 when none is waiting (never blocks). */
	int (*getc)(struct console *con);
	void *priv;
};

void console_register(struct console *con);
struct console *console_get(void);
void console_putc(char c);
void console_write(const char *s, unsigned long len);
int console_getc(void);

#endif
