/*
 * Bytes to keys (shell/keyseq.c): escape sequences as xterm and the VT220
 * send them, UTF-8 as RFC 3629 defines it, and the rule that a lone Esc
 * never swallows the key after it.
 */
#include <string.h>

#include "shell/keyseq.h"
#include "unit.h"

#define T	 KEYSEQ_TIMEOUT
#define MAX_KEYS 16

struct keys {
	int n;
	struct keyin k[MAX_KEYS];
};

/* Feed bytes (or T) as the shell's reader does: a byte the decoder gives
 * back is fed again. */
static struct keys feed(const int *bytes, size_t n)
{
	struct keyseq s;
	struct keys out = {0};

	keyseq_init(&s);
	for (size_t i = 0; i < n; i++) {
		struct keyin k;
		enum keyseq_result r = keyseq_feed(&s, bytes[i], &k);

		if (r == KEYSEQ_MORE) {
			continue;
		}
		if (out.n < MAX_KEYS) {
			out.k[out.n] = k;
		}
		out.n++;
		if (r == KEYSEQ_AGAIN) {
			i--;
		}
	}
	return out;
}

#define FEED(...)                                                              \
	feed((const int[]){__VA_ARGS__},                                       \
	     sizeof((const int[]){__VA_ARGS__}) / sizeof(int))

static const char *name(const struct keyin *k)
{
	static char buf[64];

	keyin_name(k, buf, sizeof(buf));
	return buf;
}

TEST(keyseq_cursor_keys)
{
	struct keys r =
	    FEED(0x1b, '[', 'A', 0x1b, '[', 'B', 0x1b, '[', 'C', 0x1b, '[', 'D',
		 0x1b, 'O', 'H', 0x1b, 'O', 'F', 0x1b, '[', '3', '~', 0x1b, '[',
		 '1', '~', 0x1b, '[', '4', '~', 0x1b, '[', '5', '~', 0x1b, '[',
		 '6', '~', 0x1b, '[', '2', '~');
	static const enum keyin_kind want[] = {
	    KEYIN_UP,	KEYIN_DOWN, KEYIN_RIGHT,  KEYIN_LEFT,
	    KEYIN_HOME, KEYIN_END,  KEYIN_DELETE, KEYIN_HOME,
	    KEYIN_END,	KEYIN_PGUP, KEYIN_PGDN,	  KEYIN_INSERT};

	REQUIRE_EQ_INT(r.n, 12);
	for (int i = 0; i < 12; i++) {
		CHECK_EQ_INT(r.k[i].kind, want[i]);
		CHECK_EQ_INT(r.k[i].mods, 0);
	}
}

/* xterm's modifiers: ESC [ 1 ; 5 C is Ctrl+Right, not Right then "5C". */
TEST(keyseq_modifier_parameters)
{
	struct keys r = FEED(0x1b, '[', '1', ';', '5', 'C', 0x1b, '[', '1', ';',
			     '2', 'D', 0x1b, '[', '3', ';', '3', '~', 'x');

	REQUIRE_EQ_INT(r.n, 4);
	CHECK_EQ_INT(r.k[0].kind, KEYIN_RIGHT);
	CHECK_EQ_INT(r.k[0].mods, KEYIN_MOD_CTRL);
	CHECK_EQ_STR(name(&r.k[0]), "Ctrl+Right");
	CHECK_EQ_INT(r.k[1].kind, KEYIN_LEFT);
	CHECK_EQ_INT(r.k[1].mods, KEYIN_MOD_SHIFT);
	CHECK_EQ_INT(r.k[2].kind, KEYIN_DELETE);
	CHECK_EQ_INT(r.k[2].mods, KEYIN_MOD_ALT);
	CHECK_EQ_INT(r.k[3].kind, KEYIN_CHAR);
	CHECK_EQ_STR(name(&r.k[3]), "x");
}

/* The cases: Esc, then "echo" keeps its 'e'; Esc then Enter keeps
 * the Enter; Esc alone is Esc when time runs out. */
TEST(keyseq_lone_esc_swallows_nothing)
{
	struct keys r =
	    FEED(0x1b, 'e', 'c', 0x1b, '\r', 0x1b, T, 0x1b, 0x1b, T);

	REQUIRE_EQ_INT(r.n, 8);
	CHECK_EQ_INT(r.k[0].kind, KEYIN_ESC);
	CHECK_EQ_INT(r.k[1].kind, KEYIN_CHAR);
	CHECK_EQ_INT(r.k[1].cp, 'e');
	CHECK_EQ_INT(r.k[2].cp, 'c');
	CHECK_EQ_INT(r.k[3].kind, KEYIN_ESC);
	CHECK_EQ_INT(r.k[4].kind, KEYIN_CTRL);
	CHECK_EQ_INT(r.k[4].cp, '\r');
	CHECK_EQ_INT(r.k[5].kind, KEYIN_ESC);
	/* Esc Esc: two of them. */
	CHECK_EQ_INT(r.k[6].kind, KEYIN_ESC);
	CHECK_EQ_INT(r.k[7].kind, KEYIN_ESC);
}

TEST(keyseq_broken_sequences_are_refused)
{
	/* ESC [ and ESC O with nothing after; a CSI cut by Enter; a private
	 * one (ESC [ ? 1 h); a final we do not use; an endless parameter. */
	struct keys r = FEED(0x1b, '[', T, 0x1b, 'O', T, 0x1b, '[', '1', '\r',
			     0x1b, '[', '?', '1', 'h', 0x1b, '[', 'Z', 'q');
	int endless[64];
	struct keys e;

	REQUIRE_EQ_INT(r.n, 7);
	CHECK_EQ_INT(r.k[0].kind, KEYIN_UNKNOWN);
	CHECK_EQ_INT(r.k[1].kind, KEYIN_UNKNOWN);
	CHECK_EQ_INT(r.k[2].kind, KEYIN_UNKNOWN);
	CHECK_EQ_INT(r.k[3].kind, KEYIN_CTRL); /* the Enter survives */
	CHECK_EQ_INT(r.k[4].kind, KEYIN_UNKNOWN);
	CHECK_EQ_INT(r.k[5].kind, KEYIN_UNKNOWN);
	CHECK_EQ_INT(r.k[6].cp, 'q');
	endless[0] = 0x1b;
	endless[1] = '[';
	for (int i = 2; i < 63; i++) {
		endless[i] = '9';
	}
	endless[63] = 'A';
	e = feed(endless, 64);
	REQUIRE_EQ_INT(e.n, 1);
	CHECK_EQ_INT(e.k[0].kind, KEYIN_UNKNOWN); /* too long: refused */
}

TEST(keyseq_utf8_whole_characters)
{
	/* é (2 bytes), € (3), 😀 (4), then ASCII. */
	struct keys r =
	    FEED(0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 'a');

	REQUIRE_EQ_INT(r.n, 4);
	CHECK_EQ_INT(r.k[0].kind, KEYIN_CHAR);
	CHECK_EQ_INT(r.k[0].cp, 0xe9);
	CHECK_EQ_INT(r.k[0].len, 2);
	CHECK(memcmp(r.k[0].text, "\xc3\xa9", 2) == 0);
	CHECK_EQ_INT(r.k[1].cp, 0x20ac);
	CHECK_EQ_INT(r.k[1].len, 3);
	CHECK_EQ_INT(r.k[2].cp, 0x1f600);
	CHECK_EQ_INT(r.k[2].len, 4);
	CHECK_EQ_STR(name(&r.k[2]), "\xf0\x9f\x98\x80");
	CHECK_EQ_INT(r.k[3].cp, 'a');
}

TEST(keyseq_utf8_invalid_forms)
{
	/* A lone continuation byte; C0 80 (overlong NUL); E0 80 80
	 * (overlong); ED A0 80 (a surrogate); F4 90 80 80 (past U+10FFFF);
	 * FF; C3 cut short by 'x'; C3 then time running out. */
	struct keys r =
	    FEED(0x80, 0xc0, 0x80, 0xe0, 0x80, 0x80, 0xed, 0xa0, 0x80, 0xf4,
		 0x90, 0x80, 0x80, 0xff, 0xc3, 'x', 0xc3, T);
	int invalid = 0, chars = 0;

	for (int i = 0; i < r.n && i < MAX_KEYS; i++) {
		invalid += r.k[i].kind == KEYIN_INVALID;
		chars += r.k[i].kind == KEYIN_CHAR;
	}
	/* 0x80; C0; 80; E0 80 80; ED A0 80; F4 90 80 80; FF; C3; C3: each
	 * refused, and 'x' is the one character. */
	CHECK_EQ_INT(chars, 1);
	CHECK_EQ_INT(invalid, 9);
	CHECK_EQ_INT(r.n, 10);
}
