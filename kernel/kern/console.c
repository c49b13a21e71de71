/*
 * Console output (locked, mirrored) and the input queue. Serial consoles
 * want "\r\n", so '\n' is expanded here once instead of in every driver.
 *
 * Input: producers push raw bytes (the UART's handler, the keyboard's
 * tasklet); waking the reader is a bottom half (input_bh), so a FIFO of
 * sixteen bytes costs one wake, not sixteen. A reader thread sleeps on
 * input_wq while the queue is empty (when the scheduler runs and input
 * is interrupt-driven); otherwise it polls as before.
 */
#include "kern/console.h"
#include "kern/arch.h"
#include "kern/deferred.h"
#include "kern/irq.h"
#include "kern/irqflags.h"
#include "kern/ktimer.h"
#include "kern/printf.h"
#include "kern/ring.h"
#include "kern/sched.h"
#include "kern/timer.h"
#include "kern/wait.h"

#define MAX_MIRRORS 2
#define INPUT_SIZE  4096

static struct console *console;
static struct console *mirrors[MAX_MIRRORS];
static unsigned int nr_mirrors;

/*
 * The output lock is a ticket lock (CPUs print in the order they asked:
 * with a plain exchange, a handler printing on every tick of another CPU
 * re-took the lock before the waiting CPU ever saw it free) that
 * tolerates re-entry on the CPU that holds it: an exception or NMI while
 * printing must still be able to report itself (its output may then land
 * mid-line). One that comes while its CPU waits for a ticket prints
 * without the lock rather than wait behind its own ticket for ever.
 */
static struct ticket_lock out_ticket;
static int out_owner; /* 0 = free, else the holder's CPU + 1 */
static bool out_waiting[NR_CPUS];
/* Set by console_take_over(): output of any other CPU is dropped
 * (counted: console_panic_dropped) so the report stays whole. */
static int taken_over;
static unsigned long panic_dropped;

static uint8_t input_storage[INPUT_SIZE];
static struct ring input = RING_INIT(input_storage);
/* The ring has no barriers of its own: producers (the UART's handler,
 * the keyboard's tasklet) and the reader may run on different CPUs. */
static struct spinlock input_lock = SPINLOCK_INIT("console-input");
static bool input_irq_driven;
static void (*input_unthrottle)(void);
static struct wait_queue input_wq = WAIT_QUEUE_INIT("console input");
static unsigned long input_wakes;

static void input_wake(void *data)
{
	(void)data;
	input_wakes++;
	wake_up_all(&input_wq);
}

static struct tasklet input_bh = {.fn = input_wake, .name = "console-input"};

void console_register(struct console *con)
{
	console = con;
}

void console_add_mirror(struct console *con)
{
	if (nr_mirrors < MAX_MIRRORS) {
		mirrors[nr_mirrors++] = con;
	}
}

/*
 * Returns whether this call took the lock (and must release it); *drop
 * when a panicking CPU owns the console and this one must print nothing.
 */
static bool out_lock(unsigned long *flags, bool *drop)
{
	unsigned int cpu = arch_cpu_id();
	int me = (int)cpu + 1, over;

	*flags = arch_irq_save();
	over = __atomic_load_n(&taken_over, __ATOMIC_ACQUIRE);
	*drop = over && over != me;
	if (*drop || __atomic_load_n(&out_owner, __ATOMIC_RELAXED) == me ||
	    out_waiting[cpu % NR_CPUS]) {
		return false;
	}
	out_waiting[cpu % NR_CPUS] = true;
	ticket_wait(&out_ticket, ticket_take(&out_ticket));
	__atomic_store_n(&out_owner, me, __ATOMIC_RELAXED);
	out_waiting[cpu % NR_CPUS] = false;
	return true;
}

static void out_unlock(bool taken, unsigned long flags)
{
	int me = (int)arch_cpu_id() + 1;

	/* Still ours (not taken over by a panicking CPU): give it on. */
	if (taken &&
	    __atomic_compare_exchange_n(&out_owner, &me, 0, false,
					__ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		ticket_unlock(&out_ticket);
	}
	arch_irq_restore(flags);
}

/*
 * panic(), once the other CPUs were told to stop: this CPU owns the output
 * lock from now on, whoever held it. A CPU that held it did not stop (a
 * stopped CPU is never inside it: the lock keeps interrupts off, and the
 * stop is an interrupt); its line may be cut short, and we say so.
 */
void console_take_over(void)
{
	int me = (int)arch_cpu_id() + 1;
	int old = __atomic_exchange_n(&out_owner, me, __ATOMIC_ACQ_REL);

	__atomic_store_n(&taken_over, me, __ATOMIC_RELEASE);
	if (old != 0 && old != me) {
		kprintf("\n[console taken over from CPU %d, which held it: its "
			"last line may be cut short]\n",
			old - 1);
	}
}

static void put_raw(char c)
{
	if (console) {
		console->putc(console, c);
	}
	for (unsigned int i = 0; i < nr_mirrors; i++) {
		mirrors[i]->putc(mirrors[i], c);
	}
}

static void put_char(char c)
{
	if (c == '\n') {
		put_raw('\r');
	}
	put_raw(c);
}

static void note_dropped(unsigned long n)
{
	__atomic_fetch_add(&panic_dropped, n, __ATOMIC_RELAXED);
}

unsigned long console_panic_dropped(void)
{
	return __atomic_load_n(&panic_dropped, __ATOMIC_RELAXED);
}

void console_putc(char c)
{
	unsigned long flags;
	bool drop, taken = out_lock(&flags, &drop);

	if (drop) {
		note_dropped(1);
	} else {
		put_char(c);
	}
	out_unlock(taken, flags);
}

void console_write(const char *s, unsigned long len)
{
	unsigned long flags;
	bool drop, taken = out_lock(&flags, &drop);

	for (unsigned long i = 0; i < len && !drop; i++) {
		put_char(s[i]);
	}
	if (drop) {
		note_dropped(len);
	}
	out_unlock(taken, flags);
}

/* The panicking CPU + 1, or 0 (console_begin_panic). */
static int panic_owner;

void console_begin_panic(void)
{
	__atomic_store_n(&panic_owner, (int)arch_cpu_id() + 1,
			 __ATOMIC_RELEASE);
}

void console_flush(void)
{
	int owner = __atomic_load_n(&panic_owner, __ATOMIC_ACQUIRE);

	/*
	 * While a CPU panics, only it drains the output: the flush takes no
	 * lock (its caller may have stopped holding one), so CPUs halting
	 * after "CPU n: stopped" (arch_halt flushes) would drain the same
	 * ring at once, reordering bytes. Theirs go out with the report.
	 */
	if (owner && owner != (int)arch_cpu_id() + 1) {
		return;
	}
	if (console && console->flush) {
		console->flush(console);
	}
}

int console_getc(void)
{
	return console && console->getc ? console->getc(console) : -1;
}

static void console_sink(char c, void *ctx)
{
	if (ctx) {
		note_dropped(1); /* a panicking CPU owns the console */
		return;
	}
	put_char(c);
}

int kvprintf(const char *fmt, va_list ap)
{
	unsigned long flags;
	bool drop, taken = out_lock(&flags, &drop);
	int n = kvformat(console_sink, drop ? &drop : NULL, fmt, ap);

	out_unlock(taken, flags);
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

/* Producers call this with interrupts off (the lock keeps them so). */
bool console_input_push(uint8_t byte)
{
	unsigned long flags = spin_lock_irqsave(&input_lock);
	bool put = ring_put(&input, byte);

	spin_unlock_irqrestore(&input_lock, flags);
	if (put) {
		tasklet_schedule(&input_bh);
	}
	return put;
}

unsigned long console_input_wakes(void)
{
	return input_wakes;
}

unsigned int console_input_space(void)
{
	unsigned long flags = spin_lock_irqsave(&input_lock);
	unsigned int space = ring_space(&input);

	spin_unlock_irqrestore(&input_lock, flags);
	return space;
}

void console_input_set_irq_driven(void (*unthrottle)(void))
{
	input_unthrottle = unthrottle;
	input_irq_driven = true;
}

bool console_input_is_irq_driven(void)
{
	return input_irq_driven;
}

int console_getc_nowait(void)
{
	unsigned long flags = arch_irq_save();
	unsigned long lock_flags = spin_lock_irqsave(&input_lock);
	int c = ring_get(&input);
	bool low = ring_count(&input) < INPUT_SIZE / 2;

	/* Released first: the unthrottle takes the UART's lock, whose
	 * holder (the receive handler) takes ours. Interrupts stay off. */
	spin_unlock_irqrestore(&input_lock, lock_flags);
	/* A producer that stopped because we were full may go on now. */
	if (c >= 0 && low && input_unthrottle) {
		input_unthrottle();
	}
	arch_irq_restore(flags);
	return c;
}

/*
 * One look at every input source: the queue (the keyboard, and the
 * serial console when it is interrupt-driven), then, when the console's
 * UART raises no interrupt, its receive register.
 */
static int getc_any(void)
{
	int c = console_getc_nowait();

	if (c < 0 && !input_irq_driven) {
		c = console_getc();
	}
	return c;
}

static bool input_ready(void *arg)
{
	unsigned long flags = spin_lock_irqsave(&input_lock);
	bool ready = !ring_empty(&input);

	(void)arg;
	spin_unlock_irqrestore(&input_lock, flags);
	return ready;
}

/* Asleep on the queue until a producer's bottom half wakes us. */
static int getc_sleeping(uint64_t end_ms)
{
	for (;;) {
		int c = console_getc_nowait();
		uint64_t now = uptime_ms(), timeout = WAIT_FOREVER;

		if (c >= 0 || now >= end_ms) {
			return c;
		}
		if (end_ms != UINT64_MAX) {
			timeout = (end_ms - now) * 1000000ull;
		}
		wait_event_timeout(&input_wq, input_ready, NULL, timeout);
	}
}

/*
 * A polled console (its UART raises no interrupt): a look at the UART
 * every POLL_NS, asleep on the queue in between (the keyboard's bottom
 * half still wakes us at once), so other threads run and the CPU idles.
 */
#define POLL_NS 1000000ull

static int getc_polled_sleeping(uint64_t end_ms)
{
	for (;;) {
		int c = getc_any();

		if (c >= 0 || uptime_ms() >= end_ms) {
			return c;
		}
		wait_event_timeout(&input_wq, input_ready, NULL, POLL_NS);
	}
}

int console_getc_until(uint64_t end_ms)
{
	unsigned long flags;
	uint64_t seen;
	struct ktimer wake; /* tickless: something must end the last halt */
	int c;

	if (input_irq_driven && sched_running() && can_sleep()) {
		return getc_sleeping(end_ms);
	}
	/* A timer seen to work ends the polled sleeps. */
	if (sched_running() && can_sleep() && timer_tick_alive()) {
		return getc_polled_sleeping(end_ms);
	}
	flags = arch_irq_save();
	seen = jiffies_read();
	ktimer_init(&wake, NULL, NULL, "getc-until");
	if (end_ms != UINT64_MAX) {
		ktimer_start(&wake, end_ms * NSEC_PER_MSEC, 0);
	}

	/* Check and wait with interrupts off: no wake-up can be lost. */
	while ((c = getc_any()) < 0 && uptime_ms() < end_ms) {
		uint64_t now = jiffies_read();

		if (input_irq_driven || now != seen) {
			/* The UART is polled once a tick: the tick wakes us. */
			seen = now;
			arch_wait_for_interrupt();
			continue;
		}
		/* No tick seen yet since the last halt: halting could be
		 * for ever; let interrupts in and poll again. */
		arch_irq_restore(flags);
		arch_cpu_relax();
		flags = arch_irq_save();
	}
	ktimer_cancel(&wake);
	arch_irq_restore(flags);
	return c;
}

int console_getc_wait(void)
{
	return console_getc_until(UINT64_MAX);
}
