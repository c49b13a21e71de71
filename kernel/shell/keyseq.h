/*
 * Keys from the console's byte stream: what a terminal (or kern/input,
 * which sends the same) means by its bytes. Pure code (host-tested); the
 * reader that waits for bytes is in shell/keys.c.
 *
 * - A printable character: one ASCII byte or a whole UTF-8 sequence
 *   (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
 *   Anything else that starts or breaks a sequence is KEYIN_INVALID.
 * - A control byte (0x00-0x1f but ESC, and DEL 0x7f): KEYIN_CTRL.
 * - ESC [ parameters intermediates final (a CSI, ECMA-48 5.4: parameters
 *   0x30-0x3f, intermediates 0x20-0x2f, final 0x40-0x7e) and ESC O final
 *   (SS3): the cursor and editing keys; xterm's modifier parameter
 *   (ESC [ 1 ; 5 C is Ctrl+Right) is decoded into `mods`. A sequence not
 *   understood is KEYIN_UNKNOWN, never characters.
 * - ESC alone is the Esc key. Whether more follows is decided by time:
 *   while keyseq_waiting(), the reader feeds KEYSEQ_TIMEOUT when no byte
 *   came within KEYSEQ_TIMEOUT_MS. ESC followed by a byte that cannot
 *   start a sequence is Esc, and that byte is a key of its own
 *   (KEYSEQ_AGAIN): a lone Esc never swallows the next key.
 */
#ifndef SHELL_KEYSEQ_H
#define SHELL_KEYSEQ_H

#include "kern/compiler.h"

#define KEYSEQ_TIMEOUT	  (-1)
#define KEYSEQ_TIMEOUT_MS 250 /* terminals send a sequence in one go */
#define KEYSEQ_MAX	  32  /* bytes of one CSI; longer is refused */

enum keyin_kind {
	KEYIN_CHAR, /* text[0..len), code point cp */
	KEYIN_CTRL, /* cp: 0x00-0x1f or 0x7f */
	KEYIN_ESC,  /* the Esc key */
	KEYIN_UP,
	KEYIN_DOWN,
	KEYIN_RIGHT,
	KEYIN_LEFT,
	KEYIN_HOME,
	KEYIN_END,
	KEYIN_INSERT,
	KEYIN_DELETE,
	KEYIN_PGUP,
	KEYIN_PGDN,
	KEYIN_UNKNOWN, /* an escape sequence not understood */
	KEYIN_INVALID, /* a byte that is not UTF-8 here */
};

/* xterm's modifier parameter minus one (ESC [ 1 ; 5 C: 4 = Ctrl). */
#define KEYIN_MOD_SHIFT 1
#define KEYIN_MOD_ALT	2
#define KEYIN_MOD_CTRL	4

struct keyin {
	enum keyin_kind kind;
	uint32_t cp;
	char text[4];
	uint8_t len;
	uint8_t mods;
};

struct keyseq {
	/* Private. */
	uint8_t state; /* enum in keyseq.c */
	uint8_t need;  /* UTF-8 continuation bytes still to come */
	uint8_t len;   /* bytes of this sequence so far */
	uint8_t nparams;
	uint32_t params[2];  /* the first two CSI parameters */
	bool odd;	     /* private or extra parameters, intermediates */
	uint32_t cp, min_cp; /* UTF-8 so far; the least it may encode */
	char text[4];
};

enum keyseq_result {
	KEYSEQ_MORE,  /* nothing yet: feed the next byte */
	KEYSEQ_KEY,   /* *k is a key */
	KEYSEQ_AGAIN, /* *k is a key, and this byte must be fed again */
};

void keyseq_init(struct keyseq *s);
/* One byte (0-255) or KEYSEQ_TIMEOUT. */
enum keyseq_result keyseq_feed(struct keyseq *s, int byte, struct keyin *k);
/* In the middle of a key: the next byte should come soon. */
bool keyseq_waiting(const struct keyseq *s);

/* "Right", "Ctrl+Right", "Esc", "0x03"...; for keytest. */
void keyin_name(const struct keyin *k, char *buf, size_t size);

#endif
