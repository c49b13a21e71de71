/*
 * Bytes to keys (shell/keyseq.h): UTF-8 (RFC 3629 section 3), VT100/xterm
 * escape sequences (ECMA-48 section 5.4 for the shape of a CSI; xterm's
 * "PC-Style Function Keys" for the codes and the modifier parameter).
 */
#include "shell/keyseq.h"
#include "kern/printf.h"

#define ESC	  0x1b
#define DEL	  0x7f
#define PARAM_CAP 9999 /* bigger numbers mean nothing here; no overflow */

enum state { GROUND, GOT_ESC, IN_CSI, IN_SS3, IN_UTF8 };

void keyseq_init(struct keyseq *s)
{
	*s = (struct keyseq){.state = GROUND};
}

bool keyseq_waiting(const struct keyseq *s)
{
	return s->state != GROUND;
}

static enum keyseq_result key(struct keyseq *s, struct keyin *k,
			      enum keyin_kind kind, enum keyseq_result r)
{
	k->kind = kind;
	k->mods = 0;
	k->len = 0;
	s->state = GROUND;
	return r;
}

/* A lead byte: how many continuation bytes, and the least code point that
 * length may encode (a smaller one is an overlong form). */
static bool utf8_start(struct keyseq *s, uint8_t b)
{
	if (b >= 0xc2 && b <= 0xdf) {
		s->need = 1, s->cp = b & 0x1f, s->min_cp = 0x80;
	} else if (b >= 0xe0 && b <= 0xef) {
		s->need = 2, s->cp = b & 0x0f, s->min_cp = 0x800;
	} else if (b >= 0xf0 && b <= 0xf4) {
		s->need = 3, s->cp = b & 0x07, s->min_cp = 0x10000;
	} else {
		return false;
	}
	s->text[0] = (char)b;
	s->len = 1;
	s->state = IN_UTF8;
	return true;
}

static enum keyseq_result utf8_more(struct keyseq *s, int byte, struct keyin *k)
{
	if (byte == KEYSEQ_TIMEOUT) {
		return key(s, k, KEYIN_INVALID, KEYSEQ_KEY);
	}
	if ((byte & 0xc0) != 0x80) {
		/* Cut short: the byte that broke it starts afresh. */
		return key(s, k, KEYIN_INVALID, KEYSEQ_AGAIN);
	}
	s->cp = s->cp << 6 | (byte & 0x3f);
	s->text[s->len++] = (char)byte;
	if (--s->need) {
		return KEYSEQ_MORE;
	}
	if (s->cp < s->min_cp || (s->cp >= 0xd800 && s->cp <= 0xdfff) ||
	    s->cp > 0x10ffff) {
		return key(s, k, KEYIN_INVALID, KEYSEQ_KEY);
	}
	key(s, k, KEYIN_CHAR, KEYSEQ_KEY);
	k->cp = s->cp;
	k->len = s->len;
	for (unsigned int i = 0; i < s->len; i++) {
		k->text[i] = s->text[i];
	}
	return KEYSEQ_KEY;
}

static enum keyseq_result ground(struct keyseq *s, int byte, struct keyin *k)
{
	if (byte == KEYSEQ_TIMEOUT) {
		return KEYSEQ_MORE;
	}
	k->cp = (uint32_t)byte;
	if (byte == ESC) {
		s->state = GOT_ESC;
		return KEYSEQ_MORE;
	}
	if (byte < 0x20 || byte == DEL) {
		return key(s, k, KEYIN_CTRL, KEYSEQ_KEY);
	}
	if (byte < 0x80) {
		key(s, k, KEYIN_CHAR, KEYSEQ_KEY);
		k->text[0] = (char)byte;
		k->len = 1;
		return KEYSEQ_KEY;
	}
	if (!utf8_start(s, (uint8_t)byte)) {
		return key(s, k, KEYIN_INVALID, KEYSEQ_KEY);
	}
	return KEYSEQ_MORE;
}

/* The modifier parameter: xterm sends 1 + (Shift 1 | Alt 2 | Ctrl 4). */
static void set_mods(const struct keyseq *s, struct keyin *k)
{
	if (s->nparams == 2 && s->params[1] >= 2 && s->params[1] <= 16) {
		k->mods = (uint8_t)((s->params[1] - 1) & 7);
	}
}

static enum keyin_kind letter_key(int final)
{
	switch (final) {
	case 'A':
		return KEYIN_UP;
	case 'B':
		return KEYIN_DOWN;
	case 'C':
		return KEYIN_RIGHT;
	case 'D':
		return KEYIN_LEFT;
	case 'H':
		return KEYIN_HOME;
	case 'F':
		return KEYIN_END;
	default:
		return KEYIN_UNKNOWN;
	}
}

/* ESC [ n ~ (VT220 editing keys). */
static enum keyin_kind tilde_key(uint32_t n)
{
	switch (n) {
	case 1:
	case 7:
		return KEYIN_HOME;
	case 4:
	case 8:
		return KEYIN_END;
	case 2:
		return KEYIN_INSERT;
	case 3:
		return KEYIN_DELETE;
	case 5:
		return KEYIN_PGUP;
	case 6:
		return KEYIN_PGDN;
	default:
		return KEYIN_UNKNOWN;
	}
}

static enum keyseq_result csi_final(struct keyseq *s, int final,
				    struct keyin *k)
{
	enum keyin_kind kind =
	    final == '~' ? tilde_key(s->params[0]) : letter_key(final);

	if (s->odd) {
		kind = KEYIN_UNKNOWN;
	}
	key(s, k, kind, KEYSEQ_KEY);
	if (kind != KEYIN_UNKNOWN) {
		set_mods(s, k);
	}
	return KEYSEQ_KEY;
}

static enum keyseq_result csi(struct keyseq *s, int byte, struct keyin *k)
{
	if (byte == KEYSEQ_TIMEOUT) {
		return key(s, k, KEYIN_UNKNOWN, KEYSEQ_KEY);
	}
	if (byte >= 0x40 && byte <= 0x7e) {
		return csi_final(s, byte, k);
	}
	if (byte < 0x20 || byte > 0x7e) {
		/* Not part of any sequence: the sequence is broken, and the
		 * byte (Enter, say) is a key of its own. */
		return key(s, k, KEYIN_UNKNOWN, KEYSEQ_AGAIN);
	}
	if (++s->len > KEYSEQ_MAX) {
		s->odd = true; /* swallowed to its final, then refused */
	} else if (byte >= '0' && byte <= '9') {
		uint32_t *p = &s->params[s->nparams ? s->nparams - 1 : 0];

		s->nparams = s->nparams ? s->nparams : 1;
		*p = *p * 10 + (uint32_t)(byte - '0');
		*p = *p > PARAM_CAP ? PARAM_CAP : *p;
	} else if (byte == ';' && s->nparams < 2) {
		s->nparams = s->nparams ? s->nparams + 1 : 2;
	} else {
		s->odd = true; /* private markers, a third parameter, ... */
	}
	return KEYSEQ_MORE;
}

static enum keyseq_result got_esc(struct keyseq *s, int byte, struct keyin *k)
{
	if (byte == '[' || byte == 'O') {
		s->state = byte == '[' ? IN_CSI : IN_SS3;
		s->len = 0;
		s->nparams = 0;
		s->params[0] = s->params[1] = 0;
		s->odd = false;
		return KEYSEQ_MORE;
	}
	k->cp = ESC;
	/* Esc alone (time ran out), or Esc before a key of its own. */
	return key(s, k, KEYIN_ESC,
		   byte == KEYSEQ_TIMEOUT ? KEYSEQ_KEY : KEYSEQ_AGAIN);
}

enum keyseq_result keyseq_feed(struct keyseq *s, int byte, struct keyin *k)
{
	switch (s->state) {
	case GOT_ESC:
		return got_esc(s, byte, k);
	case IN_CSI:
		return csi(s, byte, k);
	case IN_SS3:
		if (byte >= 0x40 && byte <= 0x7e) {
			return key(s, k, letter_key(byte), KEYSEQ_KEY);
		}
		return key(s, k, KEYIN_UNKNOWN,
			   byte == KEYSEQ_TIMEOUT ? KEYSEQ_KEY : KEYSEQ_AGAIN);
	case IN_UTF8:
		return utf8_more(s, byte, k);
	default:
		return ground(s, byte, k);
	}
}

static const char *const key_names[] = {
    [KEYIN_ESC] = "Esc",
    [KEYIN_UP] = "Up",
    [KEYIN_DOWN] = "Down",
    [KEYIN_RIGHT] = "Right",
    [KEYIN_LEFT] = "Left",
    [KEYIN_HOME] = "Home",
    [KEYIN_END] = "End",
    [KEYIN_INSERT] = "Insert",
    [KEYIN_DELETE] = "Delete",
    [KEYIN_PGUP] = "PageUp",
    [KEYIN_PGDN] = "PageDown",
    [KEYIN_UNKNOWN] = "an unknown escape sequence",
    [KEYIN_INVALID] = "a byte that is not UTF-8",
};

void keyin_name(const struct keyin *k, char *buf, size_t size)
{
	if (k->kind == KEYIN_CHAR) {
		ksnprintf(buf, size, "%.*s", (int)k->len, k->text);
	} else if (k->kind == KEYIN_CTRL) {
		ksnprintf(buf, size, "0x%02x", (unsigned int)k->cp);
	} else {
		ksnprintf(buf, size, "%s%s%s%s",
			  k->mods & KEYIN_MOD_CTRL ? "Ctrl+" : "",
			  k->mods & KEYIN_MOD_ALT ? "Alt+" : "",
			  k->mods & KEYIN_MOD_SHIFT ? "Shift+" : "",
			  key_names[k->kind]);
	}
}
