/*
 * The port and console as the host tests see them: a simulated interrupt
 * flag, a settable CPU number, a captured console and a panic() that a
 * test can catch. See fake_arch.h.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kern/arch.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "fake_arch.h"

#define FAKE_CONSOLE_SIZE (64 * 1024)
#define FAKE_PANIC_SIZE	  512

/* Per host thread, so a test's pthreads are CPUs of their own. */
_Thread_local bool fake_irqs_on = true;
_Thread_local unsigned int fake_cpu_id;

static char console_buf[FAKE_CONSOLE_SIZE];
static size_t console_len;
static bool console_overflow;

static char panic_msg[FAKE_PANIC_SIZE];
static unsigned int panic_count;
static jmp_buf *panic_jb;

/* arch_cpu_relax() calls since the reset (or in this thread), and when
 * the first of them was; see there. */
#define FAKE_SPIN_LIMIT	  50000000ul
#define FAKE_SPIN_YIELD	  256
#define FAKE_SPIN_SECONDS 20
static _Thread_local unsigned long relax_count;
static _Thread_local time_t relax_since;

#define FAKE_ENTRIES	 256
#define FAKE_ENTRY_FIRST 32

static struct {
	irq_entry_fn fn;
	void *data;
} entries[FAKE_ENTRIES];
static irq_entry_fn fallback_fn;
static unsigned int fallbacks;

void fake_arch_reset(void)
{
	memset(entries, 0, sizeof(entries));
	fallback_fn = NULL;
	fallbacks = 0;
	fake_irqs_on = true;
	fake_cpu_id = 0;
	fake_console_clear();
	panic_msg[0] = '\0';
	panic_count = 0;
	panic_jb = NULL;
	relax_count = 0;
}

static time_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* --- kern/irqflags.h --------------------------------------------------- */

unsigned long arch_irq_save(void)
{
	unsigned long was = fake_irqs_on;

	fake_irqs_on = false;
	return was;
}

void arch_irq_restore(unsigned long flags)
{
	fake_irqs_on = flags != 0;
}

void arch_irq_enable(void)
{
	fake_irqs_on = true;
}

void arch_irq_disable(void)
{
	fake_irqs_on = false;
}

bool arch_irqs_enabled(void)
{
	return fake_irqs_on;
}

/* Nothing can arrive on the host: tests raise interrupts themselves.
 * The scheduler's fakes (fake_sched.c) make idle jump to the next timer. */
void (*fake_wfi_hook)(void);

void arch_wait_for_interrupt(void)
{
	if (fake_wfi_hook) {
		fake_wfi_hook();
	}
}

unsigned int arch_cpu_id(void)
{
	return fake_cpu_id;
}

/* --- the root hook (kern/irq.h) ----------------------------------------- */

static bool entries_free(unsigned int first, unsigned int count)
{
	for (unsigned int e = first; e < first + count; e++) {
		if (entries[e].fn) {
			return false;
		}
	}
	return true;
}

int arch_irq_entry_claim(unsigned int count, unsigned int align,
			 enum irq_entry_prio prio, irq_entry_fn fn, void *data)
{
	unsigned int slots;

	if (!fn || count == 0 || align == 0 ||
	    count > FAKE_ENTRIES - FAKE_ENTRY_FIRST) {
		return -EINVAL;
	}
	slots = (FAKE_ENTRIES - count) / align + 1;
	for (unsigned int i = 0; i < slots; i++) {
		unsigned int first =
		    (prio == IRQ_ENTRY_HIGH ? slots - 1 - i : i) * align;

		if (first < FAKE_ENTRY_FIRST || !entries_free(first, count)) {
			continue;
		}
		for (unsigned int e = first; e < first + count; e++) {
			entries[e].fn = fn;
			entries[e].data = data;
		}
		return (int)first;
	}
	return -ENOSPC;
}

void arch_irq_entry_fallback(irq_entry_fn fn, void *data)
{
	(void)data;
	fallback_fn = fn;
}

unsigned int fake_entry_fallbacks(void)
{
	return fallbacks;
}

bool fake_entry_raise(unsigned int entry)
{
	unsigned long flags = arch_irq_save();
	bool owned = entry < FAKE_ENTRIES && entries[entry].fn;

	if (owned) {
		entries[entry].fn(entry, entries[entry].data);
	} else {
		irq_note_unclaimed(entry);
		if (fallback_fn) {
			fallbacks++;
			fallback_fn(entry, NULL);
		}
	}
	arch_irq_restore(flags);
	return owned;
}

/* --- kern/arch.h -------------------------------------------------------- */

/*
 * In a one-thread test nothing releases a lock behind the test's back, so
 * a spin that goes on this long is a deadlock: say so rather than hang.
 * Threads of a test (test_spinlock.c) do wait for each other: now and
 * then give the host CPU away, so a waiter does not spin out its time
 * slice while the holder (or the next ticket) waits to be scheduled. The
 * count is all of a thread's spins in a test, so on a loaded machine a
 * test whose threads take turns often reaches it without any deadlock:
 * it is a deadlock only once FAKE_SPIN_SECONDS have passed as well.
 */
void arch_cpu_relax(void)
{
	if (relax_count++ == 0) {
		relax_since = now_seconds();
	}
	if (relax_count % FAKE_SPIN_YIELD == 0) {
		sched_yield();
	}
	if (relax_count >= FAKE_SPIN_LIMIT &&
	    relax_count % FAKE_SPIN_YIELD == 0 &&
	    now_seconds() - relax_since >= FAKE_SPIN_SECONDS) {
		relax_count = 0;
		panic("fake_arch: spun %lu times in %d s in arch_cpu_relax "
		      "(deadlock)",
		      FAKE_SPIN_LIMIT, FAKE_SPIN_SECONDS);
	}
}

/* --- the console -------------------------------------------------------- */

static bool verbose(void)
{
	const char *v = getenv("KITE_UNIT_VERBOSE");

	return v != NULL && v[0] != '\0';
}

const char *fake_console_text(void)
{
	return console_buf;
}

void fake_console_clear(void)
{
	console_len = 0;
	console_buf[0] = '\0';
	console_overflow = false;
}

bool fake_console_overflowed(void)
{
	return console_overflow;
}

unsigned int fake_console_count(const char *needle)
{
	unsigned int n = 0;
	size_t len = strlen(needle);

	if (len == 0) {
		return 0;
	}
	for (const char *p = strstr(console_buf, needle); p != NULL;
	     p = strstr(p + len, needle)) {
		n++;
	}
	return n;
}

/* Formats with the kernel's own printf engine, into the capture buffer. */
int kvprintf(const char *fmt, va_list ap)
{
	size_t room = sizeof(console_buf) - console_len;
	char *at = console_buf + console_len;
	int n = kvsnprintf(at, room, fmt, ap);

	if (n < 0) {
		return n;
	}
	if ((size_t)n >= room) {
		console_overflow = true;
		n = (int)(room - 1);
	}
	console_len += (size_t)n;
	if (verbose()) {
		fwrite(at, 1, (size_t)n, stdout);
	}
	return n;
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

/* --- kern/panic.h ------------------------------------------------------- */

const char *fake_panic_message(void)
{
	return panic_msg;
}

unsigned int fake_panic_count(void)
{
	return panic_count;
}

void fake_panic_arm(jmp_buf *jb)
{
	panic_jb = jb;
}

void fake_panic_disarm(void)
{
	panic_jb = NULL;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	jmp_buf *jb = panic_jb;

	va_start(ap, fmt);
	kvsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	panic_count++;
	if (verbose() || jb == NULL) {
		printf("# PANIC: %s\n", panic_msg);
	}
	if (jb == NULL) {
		fflush(stdout);
		abort();
	}
	panic_jb = NULL;
	longjmp(*jb, 1);
}
