/*
 * Shell commands that watch interrupts and time: irqstat, devices,
 * uptime, ticks, serialstat, rxcheck, timerdemo, printstress, sleep.
 */
#include "kern/console.h"
#include "kern/crc32.h"
#include "kern/device.h"
#include "kern/arch.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/printf.h"
#include "kern/serial.h"
#include "kern/string.h"
#include "kern/timer.h"
#include "shell/commands.h"
#include "shell/keys.h"

int cmd_irqstat(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	irq_print_stats();
	return 0;
}

int cmd_devices(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	devices_print();
	return 0;
}

int cmd_uptime(int argc, char **argv)
{
	uint64_t ms = uptime_ms();

	(void)argc;
	(void)argv;
	kprintf("up %llu.%03llu s (%llu ticks at %u Hz from %s, time from "
		"%s)\n",
		(unsigned long long)(ms / 1000),
		(unsigned long long)(ms % 1000),
		(unsigned long long)jiffies_read(), HZ, timer_source(),
		timer_clocksource());
	return 0;
}

int cmd_ticks(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("%llu\n", (unsigned long long)jiffies_read());
	return 0;
}

int cmd_serialstat(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	serial_print_stats();
	return 0;
}

/* A decimal number within [0, max]; false if malformed. */
bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s) {
		return false;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > max / 10) {
			return false;
		}
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > max) {
		return false;
	}
	*out = v;
	return true;
}

/* A decimal argument within [1, max]; false if malformed. */
bool parse_count(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;

	if (!parse_uint(s, max, &v) || v == 0) {
		return false;
	}
	*out = v;
	return true;
}

#define RXCHECK_POLL_TIMEOUT_MS 10000 /* silence that ends a polled run */

/*
 * The polled reference: the same UART, set up the same way, read by
 * polling with its interrupt masked at the controller, so nothing but the
 * line's own pace (what the emulator can deliver) limits it. The tick
 * keeps running: with every interrupt off, QEMU's I/O thread can sit
 * waiting for an event that never comes and stall the line. Bounded: 10 s
 * without a byte ends the run short, and the count says so.
 */
static unsigned long rxcheck_poll(unsigned long n, uint32_t *crc)
{
	unsigned long i = 0, flags;
	uint64_t last;

	/* "send N bytes" must be out before the transmit interrupt goes. */
	flags = arch_irq_save();
	console_flush();
	arch_irq_restore(flags);
	if (serial_console_polled(true) < 0) {
		return 0;
	}
	last = uptime_ms();
	while (i < n) {
		int c = console_getc_nowait(); /* queued before we started */

		if (c < 0) {
			c = console_getc();
		}
		if (c < 0) {
			if (uptime_ms() - last > RXCHECK_POLL_TIMEOUT_MS) {
				break;
			}
			arch_cpu_relax();
			continue;
		}
		uint8_t byte = (uint8_t)c;

		*crc = crc32_update(*crc, &byte, 1);
		last = uptime_ms();
		i++;
	}
	serial_console_polled(false);
	return i;
}

/*
 * rxcheck N [poll]: take exactly N raw bytes from the console input
 * (whatever they are: no echo, no editing), then report their count and
 * CRC-32. Tests send random data and compare; benchmarks time it, by
 * interrupt and, with "poll", by polling the UART as the reference.
 */
int cmd_rxcheck(int argc, char **argv)
{
	unsigned long n, i;
	uint32_t crc = 0;
	uint64_t start;
	bool poll = argc == 3 && strcmp(argv[2], "poll") == 0;

	if ((argc != 2 && !poll) || !parse_count(argv[1], 64ul << 20, &n)) {
		return -EINVAL;
	}
	kprintf("rxcheck: send %lu bytes\n", n);
	start = uptime_ms();
	if (poll) {
		i = rxcheck_poll(n, &crc);
	} else {
		for (i = 0; i < n; i++) {
			uint8_t byte = (uint8_t)console_getc_wait();

			crc = crc32_update(crc, &byte, 1);
		}
	}
	kprintf("rxcheck: %lu bytes crc32 %08x in %llu ms%s\n", i, crc,
		(unsigned long long)(uptime_ms() - start),
		poll ? " (polled)" : "");
	return i == n ? 0 : -EIO;
}

static void timerdemo_hook(uint64_t now)
{
	/* In the timer's interrupt handler: printing from a handler must work.
	 */
	if (now % HZ == 0) {
		kprintf("Timer interrupt!\n");
	}
}

int cmd_timerdemo(int argc, char **argv)
{
	struct keyin k;

	(void)argc;
	(void)argv;
	kprintf("timerdemo: \"Timer interrupt!\" every second; any key "
		"stops\n");
	timer_set_hook(timerdemo_hook);
	shell_read_key(&k); /* a whole key: an arrow leaves nothing behind */
	timer_set_hook(NULL);
	return 0;
}

static volatile unsigned long stress_handler_lines;

static void printstress_hook(uint64_t now)
{
	if (now % 8 == 0) {
		stress_handler_lines++;
		kprintf("[handler line %lu at tick %llu]\n",
			stress_handler_lines, (unsigned long long)now);
	}
}

/*
 * printstress S: the classic print deadlock (main code holds the console
 * lock, a handler wants to print), provoked on purpose. For S seconds the shell
 * prints as fast as it can while the timer handler prints every 8 ticks.
 * With a console lock that keeps interrupts off while held, both get
 * through and nothing hangs.
 */
int cmd_printstress(int argc, char **argv)
{
	unsigned long seconds = 2, main_lines = 0;
	uint64_t end;

	if (argc > 2 || (argc == 2 && !parse_count(argv[1], 60, &seconds))) {
		return -EINVAL;
	}
	stress_handler_lines = 0;
	end = jiffies_read() + seconds * HZ;
	timer_set_hook(printstress_hook);
	while (jiffies_read() < end) {
		kprintf("main line %lu\n", ++main_lines);
	}
	timer_set_hook(NULL);
	kprintf("printstress: %lu main lines, %lu handler lines\n", main_lines,
		stress_handler_lines);
	return main_lines && stress_handler_lines ? 0 : -EIO;
}

/*
 * sleep MS: sleep MS milliseconds (msleep: blocks the shell's thread, or
 * halts) without reading input. Keys typed meanwhile wait in the console
 * input queue; more than it holds are dropped and counted (inputstat,
 * serialstat), which is how the tests fill it.
 */
int cmd_sleep(int argc, char **argv)
{
	unsigned long ms;

	if (argc != 2 || !parse_count(argv[1], 3600ul * 1000, &ms)) {
		return -EINVAL;
	}
	msleep((unsigned int)ms);
	return 0;
}
