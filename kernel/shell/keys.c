/*
 * Keys from the console input: bytes through the decoder (shell/keyseq.c),
 * with the short wait that tells a lone Esc from the start of a sequence.
 * The line editor and keytest both read here, so they agree on what a key
 * is.
 */
#include "shell/keys.h"
#include "kern/console.h"
#include "kern/timer.h"

static struct keyseq seq;	   /* zero: nothing begun */
static int again = KEYSEQ_TIMEOUT; /* a byte to feed once more, if >= 0 */

/* The next byte within ms milliseconds, else KEYSEQ_TIMEOUT. */
static int getc_within(unsigned int ms)
{
	int c = console_getc_until(uptime_ms() + ms);

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
