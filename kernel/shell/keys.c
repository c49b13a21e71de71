/*
 * Keys from the console input: bytes through the decoder (shell/keyseq.c),
 * with the short wait that tells a lone Esc from the start of a sequence.
 * The line editor and keytest both read here, so they agree on what a key
 * is.
 */
#include "shell/keys.h"
#include "kern/arch.h"
#include "kern/console.h"
#include "kern/irqflags.h"
#include "kern/timer.h"

static struct keyseq seq;	   /* zero: nothing begun */
static int again = KEYSEQ_TIMEOUT; /* a byte to feed once more, if >= 0 */

/* The next byte within ms milliseconds, else KEYSEQ_TIMEOUT. */
static int getc_within(unsigned int ms)
{
	uint64_t end = uptime_ms() + ms;
	unsigned long flags;
	int c;

	if (!console_input_is_irq_driven()) {
		while ((c = console_getc()) < 0 && uptime_ms() < end) {
			arch_cpu_relax();
		}
		return c < 0 ? KEYSEQ_TIMEOUT : c;
	}
	/* As console_getc_wait(): check and halt with interrupts off, so no
	 * wake-up is lost; the tick ends the wait. */
	flags = arch_irq_save();
	while ((c = console_getc_nowait()) < 0 && uptime_ms() < end) {
		arch_wait_for_interrupt();
	}
	arch_irq_restore(flags);
	return c < 0 ? KEYSEQ_TIMEOUT : c;
}

void shell_read_key(struct keyin *k)
{
	for (;;) {
		int c = again;
		enum keyseq_result r;

		if (c == KEYSEQ_TIMEOUT) {
			c = keyseq_waiting(&seq)
				? getc_within(KEYSEQ_TIMEOUT_MS)
				: console_getc_wait();
		}
		r = keyseq_feed(&seq, c, k);
		again = r == KEYSEQ_AGAIN ? c : KEYSEQ_TIMEOUT;
		if (r != KEYSEQ_MORE) {
			return;
		}
	}
}
