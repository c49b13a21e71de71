/*
 * The console: one output device and one input queue.
 *
 * Output: kprintf() formats under the console lock (interrupts off), so a
 * line printed by a handler never lands inside another line, and never
 * waits for a lock the interrupted code holds: while code holds the lock,
 * interrupts are off on its CPU. The device's putc may buffer (the
 * interrupt-driven UART) or poll.
 *
 * Input: the serial receive handler and the keyboard's bottom half push
 * bytes into the input queue; a bottom half wakes the reader, which
 * sleeps in console_getc_wait() on the "console input" wait queue while
 * the queue is empty. Before any driver feeds the queue (or with a polled
 * console, or before the scheduler runs), input is polled from the device,
 * halting between looks.
 */
#ifndef KERN_CONSOLE_H
#define KERN_CONSOLE_H

#include "kern/compiler.h"

struct console {
	const char *name;
	void (*putc)(struct console *con, char c);
	/* Polled input: next byte or -1 (never blocks). Early boot only. */
	int (*getc)(struct console *con);
	/* Push out anything buffered, by polling (before halting). */
	void (*flush)(struct console *con);
	void *priv;
};

void console_register(struct console *con);

/* Extra output devices that mirror the console (the VGA screen). */
void console_add_mirror(struct console *con);

void console_putc(char c);
/* Drain buffered output synchronously: called before the CPU stops. */
void console_flush(void);
/*
 * panic() only, first thing: from now on only this CPU drains buffered
 * output (console_flush() on another CPU, as it halts, does nothing).
 */
void console_begin_panic(void);
/*
 * panic() only, after smp_stop_others(): this CPU owns console output
 * from now on, even if another CPU (one that did not stop) held it; says
 * so when it took the lock from someone.
 */
void console_take_over(void);
/* Bytes other CPUs printed after the take-over: dropped, counted here. */
unsigned long console_panic_dropped(void);
void console_write(const char *s, unsigned long len);

/* Polled read from the console device: a byte or -1. */
int console_getc(void);

/*
 * Input queue. Handlers push; false means the queue is full and the byte
 * was not taken (the caller keeps it, e.g. in the UART FIFO).
 */
bool console_input_push(uint8_t byte);
unsigned int console_input_space(void);
/* From now on input arrives by interrupt: console_getc_wait() halts. */
void console_input_set_irq_driven(void (*unthrottle)(void));
/* Whether it does (else input is polled from the device: console_getc). */
bool console_input_is_irq_driven(void);
/*
 * Wait for the next input byte from any source; from thread context
 * only. With an interrupt-driven console and the scheduler running, the
 * thread sleeps until a producer wakes it. Without an interrupt-driven
 * console the UART is polled once per timer tick, halting in between,
 * and the queue (the keyboard) is read all the same.
 */
int console_getc_wait(void);
/* As console_getc_wait(), but -1 once uptime_ms() reaches end_ms. */
int console_getc_until(uint64_t end_ms);
/* The next input byte if one is queued, else -1 (never waits). */
int console_getc_nowait(void);
/* How often the input bottom half woke the readers. */
unsigned long console_input_wakes(void);

#endif
