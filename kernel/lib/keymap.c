/*
 * Keyboard layouts, as three levels per key (plain, Shift, AltGr), and the
 * rules that pick a level and apply Caps Lock, Ctrl and Num Lock. The rules
 * are in keymap.h. The tables follow the layouts' standards: US 104 (ANSI
 * INCITS 154), UK 105 (BS 4822), German T1 (DIN 2137-1).
 */
#include "lib/keymap.h"
#include "kern/compiler.h"
#include "kern/string.h"

/* Code points of a key: level 1 (plain), 2 (Shift), 3 (AltGr); 0 = none.
 * Every character of these layouts is in the Basic Multilingual Plane. */
struct keymap_key {
	uint16_t level[3];
};

struct keymap {
	const char *name;
	const char *description;
	uint16_t kp_decimal; /* what KEY_KPDOT types with Num Lock on */
	const struct keymap_key *keys; /* KEY_COUNT entries */
};

#define L1 0
#define L2 1
#define L3 2

/* A letter key: lower case, its capital with Shift (and Caps Lock). */
#define LETTER(c)                                                              \
	{                                                                      \
		{                                                              \
			(c), (c) - 'a' + 'A', 0                                \
		}                                                              \
	}

#define POUND	  0x00a3 /* £ */
#define BROKENBAR 0x00a6 /* ¦ */
#define SECTION	  0x00a7 /* § */
#define NOTSIGN	  0x00ac /* ¬ */
#define DEGREE	  0x00b0 /* ° */
#define SUPER2	  0x00b2 /* ² */
#define SUPER3	  0x00b3 /* ³ */
#define ACUTE	  0x00b4 /* ´ */
#define MICRO	  0x00b5 /* µ */
#define A_ACUTE	  0x00e1 /* á */
#define A_UML	  0x00e4 /* ä */
#define E_ACUTE	  0x00e9 /* é */
#define I_ACUTE	  0x00ed /* í */
#define O_ACUTE	  0x00f3 /* ó */
#define O_UML	  0x00f6 /* ö */
#define U_ACUTE	  0x00fa /* ú */
#define U_UML	  0x00fc /* ü */
#define SHARP_S	  0x00df /* ß */
#define EURO	  0x20ac /* € */
/* The capital of a Latin-1 small letter (0xe0-0xfe but 0xf7) is 0x20 below. */
#define LATIN1_UPPER(c) ((c)-0x20)

static const struct keymap_key us_keys[KEY_COUNT] = {
    /* Number row */
    [KEY_GRAVE] = {{'`', '~', 0}},
    [KEY_1] = {{'1', '!', 0}},
    [KEY_2] = {{'2', '@', 0}},
    [KEY_3] = {{'3', '#', 0}},
    [KEY_4] = {{'4', '$', 0}},
    [KEY_5] = {{'5', '%', 0}},
    [KEY_6] = {{'6', '^', 0}},
    [KEY_7] = {{'7', '&', 0}},
    [KEY_8] = {{'8', '*', 0}},
    [KEY_9] = {{'9', '(', 0}},
    [KEY_0] = {{'0', ')', 0}},
    [KEY_MINUS] = {{'-', '_', 0}},
    [KEY_EQUAL] = {{'=', '+', 0}},
    /* Top letter row */
    [KEY_Q] = LETTER('q'),
    [KEY_W] = LETTER('w'),
    [KEY_E] = LETTER('e'),
    [KEY_R] = LETTER('r'),
    [KEY_T] = LETTER('t'),
    [KEY_Y] = LETTER('y'),
    [KEY_U] = LETTER('u'),
    [KEY_I] = LETTER('i'),
    [KEY_O] = LETTER('o'),
    [KEY_P] = LETTER('p'),
    [KEY_LEFTBRACE] = {{'[', '{', 0}},
    [KEY_RIGHTBRACE] = {{']', '}', 0}},
    [KEY_BACKSLASH] = {{'\\', '|', 0}},
    /* Home row */
    [KEY_A] = LETTER('a'),
    [KEY_S] = LETTER('s'),
    [KEY_D] = LETTER('d'),
    [KEY_F] = LETTER('f'),
    [KEY_G] = LETTER('g'),
    [KEY_H] = LETTER('h'),
    [KEY_J] = LETTER('j'),
    [KEY_K] = LETTER('k'),
    [KEY_L] = LETTER('l'),
    [KEY_SEMICOLON] = {{';', ':', 0}},
    [KEY_APOSTROPHE] = {{'\'', '"', 0}},
    /* Bottom row; a US layout on an ISO keyboard gives \ | on the 102nd. */
    [KEY_102ND] = {{'\\', '|', 0}},
    [KEY_Z] = LETTER('z'),
    [KEY_X] = LETTER('x'),
    [KEY_C] = LETTER('c'),
    [KEY_V] = LETTER('v'),
    [KEY_B] = LETTER('b'),
    [KEY_N] = LETTER('n'),
    [KEY_M] = LETTER('m'),
    [KEY_COMMA] = {{',', '<', 0}},
    [KEY_DOT] = {{'.', '>', 0}},
    [KEY_SLASH] = {{'/', '?', 0}},
};

static const struct keymap_key uk_keys[KEY_COUNT] = {
    /* Number row */
    [KEY_GRAVE] = {{'`', NOTSIGN, BROKENBAR}},
    [KEY_1] = {{'1', '!', 0}},
    [KEY_2] = {{'2', '"', 0}},
    [KEY_3] = {{'3', POUND, 0}},
    [KEY_4] = {{'4', '$', EURO}},
    [KEY_5] = {{'5', '%', 0}},
    [KEY_6] = {{'6', '^', 0}},
    [KEY_7] = {{'7', '&', 0}},
    [KEY_8] = {{'8', '*', 0}},
    [KEY_9] = {{'9', '(', 0}},
    [KEY_0] = {{'0', ')', 0}},
    [KEY_MINUS] = {{'-', '_', 0}},
    [KEY_EQUAL] = {{'=', '+', 0}},
    /* Top letter row: AltGr gives the acute vowels */
    [KEY_Q] = LETTER('q'),
    [KEY_W] = LETTER('w'),
    [KEY_E] = {{'e', 'E', E_ACUTE}},
    [KEY_R] = LETTER('r'),
    [KEY_T] = LETTER('t'),
    [KEY_Y] = LETTER('y'),
    [KEY_U] = {{'u', 'U', U_ACUTE}},
    [KEY_I] = {{'i', 'I', I_ACUTE}},
    [KEY_O] = {{'o', 'O', O_ACUTE}},
    [KEY_P] = LETTER('p'),
    [KEY_LEFTBRACE] = {{'[', '{', 0}},
    [KEY_RIGHTBRACE] = {{']', '}', 0}},
    /* Home row; 0x2B is the key left of Enter on ISO boards */
    [KEY_A] = {{'a', 'A', A_ACUTE}},
    [KEY_S] = LETTER('s'),
    [KEY_D] = LETTER('d'),
    [KEY_F] = LETTER('f'),
    [KEY_G] = LETTER('g'),
    [KEY_H] = LETTER('h'),
    [KEY_J] = LETTER('j'),
    [KEY_K] = LETTER('k'),
    [KEY_L] = LETTER('l'),
    [KEY_SEMICOLON] = {{';', ':', 0}},
    [KEY_APOSTROPHE] = {{'\'', '@', 0}},
    [KEY_BACKSLASH] = {{'#', '~', 0}},
    /* Bottom row */
    [KEY_102ND] = {{'\\', '|', 0}},
    [KEY_Z] = LETTER('z'),
    [KEY_X] = LETTER('x'),
    [KEY_C] = LETTER('c'),
    [KEY_V] = LETTER('v'),
    [KEY_B] = LETTER('b'),
    [KEY_N] = LETTER('n'),
    [KEY_M] = LETTER('m'),
    [KEY_COMMA] = {{',', '<', 0}},
    [KEY_DOT] = {{'.', '>', 0}},
    [KEY_SLASH] = {{'/', '?', 0}},
};

static const struct keymap_key de_keys[KEY_COUNT] = {
    /* Number row; ^ and ´ are dead keys, typed here as spacing marks */
    [KEY_GRAVE] = {{'^', DEGREE, 0}},
    [KEY_1] = {{'1', '!', 0}},
    [KEY_2] = {{'2', '"', SUPER2}},
    [KEY_3] = {{'3', SECTION, SUPER3}},
    [KEY_4] = {{'4', '$', 0}},
    [KEY_5] = {{'5', '%', 0}},
    [KEY_6] = {{'6', '&', 0}},
    [KEY_7] = {{'7', '/', '{'}},
    [KEY_8] = {{'8', '(', '['}},
    [KEY_9] = {{'9', ')', ']'}},
    [KEY_0] = {{'0', '=', '}'}},
    [KEY_MINUS] = {{SHARP_S, '?', '\\'}},
    [KEY_EQUAL] = {{ACUTE, '`', 0}},
    /* Top letter row: QWERTZ */
    [KEY_Q] = {{'q', 'Q', '@'}},
    [KEY_W] = LETTER('w'),
    [KEY_E] = {{'e', 'E', EURO}},
    [KEY_R] = LETTER('r'),
    [KEY_T] = LETTER('t'),
    [KEY_Y] = LETTER('z'),
    [KEY_U] = LETTER('u'),
    [KEY_I] = LETTER('i'),
    [KEY_O] = LETTER('o'),
    [KEY_P] = LETTER('p'),
    [KEY_LEFTBRACE] = {{U_UML, LATIN1_UPPER(U_UML), 0}},
    [KEY_RIGHTBRACE] = {{'+', '*', '~'}},
    /* Home row */
    [KEY_A] = LETTER('a'),
    [KEY_S] = LETTER('s'),
    [KEY_D] = LETTER('d'),
    [KEY_F] = LETTER('f'),
    [KEY_G] = LETTER('g'),
    [KEY_H] = LETTER('h'),
    [KEY_J] = LETTER('j'),
    [KEY_K] = LETTER('k'),
    [KEY_L] = LETTER('l'),
    [KEY_SEMICOLON] = {{O_UML, LATIN1_UPPER(O_UML), 0}},
    [KEY_APOSTROPHE] = {{A_UML, LATIN1_UPPER(A_UML), 0}},
    [KEY_BACKSLASH] = {{'#', '\'', 0}},
    /* Bottom row */
    [KEY_102ND] = {{'<', '>', '|'}},
    [KEY_Z] = LETTER('y'),
    [KEY_X] = LETTER('x'),
    [KEY_C] = LETTER('c'),
    [KEY_V] = LETTER('v'),
    [KEY_B] = LETTER('b'),
    [KEY_N] = LETTER('n'),
    [KEY_M] = {{'m', 'M', MICRO}},
    [KEY_COMMA] = {{',', ';', 0}},
    [KEY_DOT] = {{'.', ':', 0}},
    [KEY_SLASH] = {{'-', '_', 0}},
};

static const struct keymap keymaps[] = {
    {"us", "English (US)", '.', us_keys},
    {"uk", "English (UK)", '.', uk_keys},
    {"de", "German", ',', de_keys},
};

const struct keymap *keymap_find(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keymaps); i++) {
		if (strcmp(keymaps[i].name, name) == 0) {
			return &keymaps[i];
		}
	}
	return NULL;
}

const char *keymap_name(const struct keymap *km)
{
	return km != NULL ? km->name : NULL;
}

const char *keymap_description(const struct keymap *km)
{
	return km != NULL ? km->description : NULL;
}

size_t keymap_count(void)
{
	return ARRAY_SIZE(keymaps);
}

const struct keymap *keymap_at(size_t i)
{
	return i < ARRAY_SIZE(keymaps) ? &keymaps[i] : NULL;
}

/* The capital of a small letter (ASCII or Latin-1), 0 if c is none. */
static uint32_t letter_upper(uint32_t c)
{
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 'A';
	}
	if (c >= 0xe0 && c <= 0xfe && c != 0xf7) {
		return LATIN1_UPPER(c);
	}
	return 0;
}

/* A letter key is one whose Shift level is the capital of its plain
 * level; only those follow Caps Lock. (ß has no capital here: its Shift
 * level is '?'.) */
static bool key_is_letter(const struct keymap_key *k)
{
	uint32_t upper = letter_upper(k->level[L1]);

	return upper != 0 && upper == k->level[L2];
}

/* Ctrl applied to what the key types (ASCII's control column). */
static uint32_t control_char(uint32_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= '@' && c <= '_')) {
		return c & 0x1f;
	}
	return c;
}

/* Keys that type the same on every layout, whatever the modifiers. */
static uint32_t fixed_char(unsigned code)
{
	switch (code) {
	case KEY_ESC:
		return 0x1b;
	case KEY_TAB:
		return '\t';
	case KEY_BACKSPACE:
		return 0x7f;
	case KEY_ENTER:
	case KEY_KPENTER:
		return '\n';
	case KEY_SPACE:
		return ' ';
	case KEY_KPSLASH:
		return '/';
	case KEY_KPASTERISK:
		return '*';
	case KEY_KPMINUS:
		return '-';
	case KEY_KPPLUS:
		return '+';
	default:
		return 0;
	}
}

/* KP0-9 and KPDOT: digits with Num Lock on (Shift inverts that, as on a
 * PC), otherwise navigation keys that type nothing. -1: not such a key. */
static int32_t keypad_char(const struct keymap *km, unsigned code,
			   uint16_t mods)
{
	static const char digits[KEY_COUNT] = {
	    [KEY_KP0] = '0', [KEY_KP1] = '1', [KEY_KP2] = '2', [KEY_KP3] = '3',
	    [KEY_KP4] = '4', [KEY_KP5] = '5', [KEY_KP6] = '6', [KEY_KP7] = '7',
	    [KEY_KP8] = '8', [KEY_KP9] = '9',
	};
	bool numeric = (mods & KEYMOD_NUMLOCK) && !(mods & KEYMOD_SHIFT);

	if (code == KEY_KPDOT) {
		return numeric ? km->kp_decimal : 0;
	}
	if (digits[code] == 0) {
		return -1;
	}
	return numeric ? digits[code] : 0;
}

uint32_t keymap_translate(const struct keymap *km, const struct key_event *ev)
{
	const struct keymap_key *k;
	uint16_t mods;
	bool shift, altgr, ctrl;
	uint32_t c;
	int32_t kp;

	if (km == NULL || ev == NULL || !ev->pressed || ev->code >= KEY_COUNT) {
		return 0;
	}
	mods = ev->mods;
	c = fixed_char(ev->code);
	if (c != 0) {
		return c;
	}
	kp = keypad_char(km, ev->code, mods);
	if (kp >= 0) {
		return (uint32_t)kp;
	}
	k = &km->keys[ev->code];
	if (k->level[L1] == 0) {
		return 0;
	}
	shift = (mods & KEYMOD_SHIFT) != 0;
	/* Ctrl+Left Alt stands for AltGr (keyboards without one); then the
	 * Ctrl is spent on it. */
	altgr = (mods & KEYMOD_RALT) ||
		((mods & KEYMOD_CTRL) && (mods & KEYMOD_LALT));
	if (altgr && k->level[L3] != 0) {
		c = k->level[L3];
		if (shift && letter_upper(c) != 0) {
			c = letter_upper(c);
		}
		return c;
	}
	/* No level 3 here: AltGr is ignored, and a Ctrl that came with Left
	 * Alt is a plain Ctrl again. */
	ctrl = (mods & KEYMOD_CTRL) != 0;
	if ((mods & KEYMOD_CAPSLOCK) && key_is_letter(k)) {
		shift = !shift;
	}
	c = k->level[shift ? L2 : L1];
	return ctrl ? control_char(c) : c;
}
