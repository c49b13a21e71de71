/*
 * PS/2 scancode set 1 decoder: bytes in, key events out. Set 1 is the IBM
 * PC/XT code set that the i8042 produces from the keyboard's set 2 when its
 * translation bit is on: a make code 0x01-0x58 per key, break = make | 0x80,
 * 0xE0 before the keys the 101-key keyboard added, one six-byte 0xE1
 * sequence for Pause. See scancode.h for the decisions taken on the odd
 * cases (Pause, Print Screen, fake shifts, 0xAA, controller responses).
 */
#include "lib/scancode.h"
#include "kern/compiler.h"
#include "kern/string.h"

#define SC_E0	   0xe0
#define SC_E1	   0xe1
#define SC_BREAK   0x80
#define SC_CODE(b) ((b)&0x7f)

/* Controller and keyboard replies (none is a set 1 code of a real key). */
#define KBD_ERROR     0x00 /* key detection error or buffer overrun */
#define KBD_ECHO      0xee
#define KBD_ACK	      0xfa
#define KBD_BAT_FAIL1 0xfc
#define KBD_BAT_FAIL2 0xfd
#define KBD_RESEND    0xfe
#define KBD_OVERRUN   0xff

/* The fake shifts keyboards wrap around extended keys: E0 2A, E0 36 and
 * their breaks. Not real Shift presses. */
#define SC_FAKE_LSHIFT 0x2a
#define SC_FAKE_RSHIFT 0x36

_Static_assert(KEY_COUNT <= 256, "key codes must fit the uint8_t tables");

/* Unprefixed make codes. 0x55 and 0x59-0x7f are not keys of a 105-key
 * keyboard. 0x54 is what Alt+Print Screen sends. */
static const uint8_t set1_keys[0x80] = {
    [0x01] = KEY_ESC,	     [0x02] = KEY_1,	     [0x03] = KEY_2,
    [0x04] = KEY_3,	     [0x05] = KEY_4,	     [0x06] = KEY_5,
    [0x07] = KEY_6,	     [0x08] = KEY_7,	     [0x09] = KEY_8,
    [0x0a] = KEY_9,	     [0x0b] = KEY_0,	     [0x0c] = KEY_MINUS,
    [0x0d] = KEY_EQUAL,	     [0x0e] = KEY_BACKSPACE, [0x0f] = KEY_TAB,
    [0x10] = KEY_Q,	     [0x11] = KEY_W,	     [0x12] = KEY_E,
    [0x13] = KEY_R,	     [0x14] = KEY_T,	     [0x15] = KEY_Y,
    [0x16] = KEY_U,	     [0x17] = KEY_I,	     [0x18] = KEY_O,
    [0x19] = KEY_P,	     [0x1a] = KEY_LEFTBRACE, [0x1b] = KEY_RIGHTBRACE,
    [0x1c] = KEY_ENTER,	     [0x1d] = KEY_LEFTCTRL,  [0x1e] = KEY_A,
    [0x1f] = KEY_S,	     [0x20] = KEY_D,	     [0x21] = KEY_F,
    [0x22] = KEY_G,	     [0x23] = KEY_H,	     [0x24] = KEY_J,
    [0x25] = KEY_K,	     [0x26] = KEY_L,	     [0x27] = KEY_SEMICOLON,
    [0x28] = KEY_APOSTROPHE, [0x29] = KEY_GRAVE,     [0x2a] = KEY_LEFTSHIFT,
    [0x2b] = KEY_BACKSLASH,  [0x2c] = KEY_Z,	     [0x2d] = KEY_X,
    [0x2e] = KEY_C,	     [0x2f] = KEY_V,	     [0x30] = KEY_B,
    [0x31] = KEY_N,	     [0x32] = KEY_M,	     [0x33] = KEY_COMMA,
    [0x34] = KEY_DOT,	     [0x35] = KEY_SLASH,     [0x36] = KEY_RIGHTSHIFT,
    [0x37] = KEY_KPASTERISK, [0x38] = KEY_LEFTALT,   [0x39] = KEY_SPACE,
    [0x3a] = KEY_CAPSLOCK,   [0x3b] = KEY_F1,	     [0x3c] = KEY_F2,
    [0x3d] = KEY_F3,	     [0x3e] = KEY_F4,	     [0x3f] = KEY_F5,
    [0x40] = KEY_F6,	     [0x41] = KEY_F7,	     [0x42] = KEY_F8,
    [0x43] = KEY_F9,	     [0x44] = KEY_F10,	     [0x45] = KEY_NUMLOCK,
    [0x46] = KEY_SCROLLLOCK, [0x47] = KEY_KP7,	     [0x48] = KEY_KP8,
    [0x49] = KEY_KP9,	     [0x4a] = KEY_KPMINUS,   [0x4b] = KEY_KP4,
    [0x4c] = KEY_KP5,	     [0x4d] = KEY_KP6,	     [0x4e] = KEY_KPPLUS,
    [0x4f] = KEY_KP1,	     [0x50] = KEY_KP2,	     [0x51] = KEY_KP3,
    [0x52] = KEY_KP0,	     [0x53] = KEY_KPDOT,     [0x54] = KEY_SYSRQ,
    [0x56] = KEY_102ND,	     [0x57] = KEY_F11,	     [0x58] = KEY_F12,
};

/* Codes after 0xE0. The navigation block reuses the keypad's codes, the
 * right-hand modifiers the left-hand ones. 0x46 is Ctrl+Pause (Break). */
static const uint8_t set1_e0_keys[0x80] = {
    [0x1c] = KEY_KPENTER, [0x1d] = KEY_RIGHTCTRL, [0x35] = KEY_KPSLASH,
    [0x37] = KEY_SYSRQ,	  [0x38] = KEY_RIGHTALT,  [0x46] = KEY_PAUSE,
    [0x47] = KEY_HOME,	  [0x48] = KEY_UP,	  [0x49] = KEY_PAGEUP,
    [0x4b] = KEY_LEFT,	  [0x4d] = KEY_RIGHT,	  [0x4f] = KEY_END,
    [0x50] = KEY_DOWN,	  [0x51] = KEY_PAGEDOWN,  [0x52] = KEY_INSERT,
    [0x53] = KEY_DELETE,  [0x5b] = KEY_LEFTMETA,  [0x5c] = KEY_RIGHTMETA,
    [0x5d] = KEY_MENU,
};

/*
 * Pause: E1 1D 45 E1 9D C5, a Ctrl+NumLock make and break behind E1
 * prefixes, sent all at once on press. The press event goes out with the
 * third byte, the release with the sixth.
 */
static const uint8_t pause_seq[] = {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5};
#define PAUSE_PRESS_AT	 3
#define PAUSE_RELEASE_AT ARRAY_SIZE(pause_seq)

/* What each modifier key holds, and what each lock key toggles. */
static uint16_t key_modifier(unsigned code)
{
	switch (code) {
	case KEY_LEFTSHIFT:
		return KEYMOD_LSHIFT;
	case KEY_RIGHTSHIFT:
		return KEYMOD_RSHIFT;
	case KEY_LEFTCTRL:
		return KEYMOD_LCTRL;
	case KEY_RIGHTCTRL:
		return KEYMOD_RCTRL;
	case KEY_LEFTALT:
		return KEYMOD_LALT;
	case KEY_RIGHTALT:
		return KEYMOD_RALT;
	case KEY_LEFTMETA:
		return KEYMOD_LMETA;
	case KEY_RIGHTMETA:
		return KEYMOD_RMETA;
	default:
		return 0;
	}
}

static uint16_t key_lock(unsigned code)
{
	switch (code) {
	case KEY_CAPSLOCK:
		return KEYMOD_CAPSLOCK;
	case KEY_NUMLOCK:
		return KEYMOD_NUMLOCK;
	case KEY_SCROLLLOCK:
		return KEYMOD_SCROLLLOCK;
	default:
		return 0;
	}
}

static bool key_is_down(const struct scancode_decoder *d, unsigned code)
{
	return (d->down[code / 32] >> (code % 32)) & 1u;
}

static void key_set_down(struct scancode_decoder *d, unsigned code, bool down)
{
	uint32_t bit = 1u << (code % 32);

	if (down) {
		d->down[code / 32] |= bit;
	} else {
		d->down[code / 32] &= ~bit;
	}
}

/* Apply one press or release of a known key and describe it in *ev. */
static bool emit_key(struct scancode_decoder *d, unsigned code, bool pressed,
		     struct key_event *ev)
{
	bool repeat = pressed && key_is_down(d, code);

	key_set_down(d, code, pressed);
	if (pressed) {
		d->mods |= key_modifier(code);
		if (!repeat) {
			d->mods ^= key_lock(code);
		}
	} else {
		d->mods &= (uint16_t)~key_modifier(code);
	}
	*ev = (struct key_event){
	    .code = (uint16_t)code,
	    .pressed = pressed,
	    .repeat = repeat,
	    .mods = d->mods,
	};
	return true;
}

static bool is_response(uint8_t byte)
{
	switch (byte) {
	case KBD_ERROR:
	case KBD_ECHO:
	case KBD_ACK:
	case KBD_BAT_FAIL1:
	case KBD_BAT_FAIL2:
	case KBD_RESEND:
	case KBD_OVERRUN:
		return true;
	default:
		return false;
	}
}

/* The byte after an 0xE0 prefix (already cleared). */
static bool feed_e0(struct scancode_decoder *d, uint8_t byte,
		    struct key_event *ev)
{
	unsigned code;

	if (byte == SC_E0 || byte == SC_E1) {
		/* A new prefix: the one before it led nowhere. */
		d->unknown++;
		d->e0 = byte == SC_E0;
		d->e1_pos = byte == SC_E1 ? 1 : 0;
		return false;
	}
	if (SC_CODE(byte) == SC_FAKE_LSHIFT ||
	    SC_CODE(byte) == SC_FAKE_RSHIFT) {
		return false;
	}
	code = set1_e0_keys[SC_CODE(byte)];
	if (code == KEY_NONE) {
		d->unknown++;
		return false;
	}
	return emit_key(d, code, !(byte & SC_BREAK), ev);
}

/*
 * The next byte of a Pause sequence. Returns 1 with *ev filled when it
 * completes an event, 0 when it was consumed quietly, -1 when it does not
 * belong to the sequence and must be decoded afresh.
 */
static int feed_e1(struct scancode_decoder *d, uint8_t byte,
		   struct key_event *ev)
{
	if (d->e1_pos >= ARRAY_SIZE(pause_seq) ||
	    byte != pause_seq[d->e1_pos]) {
		/* Abandoned: forget a press already reported, so the next
		 * Pause is not taken for a repeat. */
		if (d->e1_pos >= PAUSE_PRESS_AT) {
			key_set_down(d, KEY_PAUSE, false);
		}
		d->e1_pos = 0;
		d->unknown++;
		return -1;
	}
	d->e1_pos++;
	if (d->e1_pos == PAUSE_PRESS_AT) {
		return emit_key(d, KEY_PAUSE, true, ev);
	}
	if (d->e1_pos == PAUSE_RELEASE_AT) {
		d->e1_pos = 0;
		return emit_key(d, KEY_PAUSE, false, ev);
	}
	return 0;
}

void scancode_init(struct scancode_decoder *d)
{
	memset(d, 0, sizeof(*d));
	/* Not a possible LED value: the first scancode_leds_changed reports
	 * a change, whatever the firmware left the LEDs at. */
	d->leds_reported = 0xffff;
}

bool scancode_feed(struct scancode_decoder *d, uint8_t byte,
		   struct key_event *ev)
{
	unsigned code;

	if (is_response(byte)) {
		/* Replies can land between a prefix and its code (an ACK to an
		 * LED command); the half-read sequence is lost either way. */
		d->e0 = false;
		d->e1_pos = 0;
		d->responses++;
		if (byte == KBD_ERROR || byte == KBD_OVERRUN) {
			d->overruns++; /* keys were lost before they got here */
		}
		return false;
	}
	if (d->e1_pos != 0) {
		int r = feed_e1(d, byte, ev);

		if (r >= 0) {
			return r > 0;
		}
	}
	if (d->e0) {
		d->e0 = false;
		return feed_e0(d, byte, ev);
	}
	if (byte == SC_E0) {
		d->e0 = true;
		return false;
	}
	if (byte == SC_E1) {
		d->e1_pos = 1;
		return false;
	}
	/* 0xAA lands here: the LeftShift break, also the keyboard's
	 * self-test-passed reply after a reset (a harmless release). */
	code = set1_keys[SC_CODE(byte)];
	if (code == KEY_NONE) {
		d->unknown++;
		return false;
	}
	return emit_key(d, code, !(byte & SC_BREAK), ev);
}

bool scancode_pending(const struct scancode_decoder *d)
{
	return d->e0 || d->e1_pos != 0;
}

uint16_t scancode_mods(const struct scancode_decoder *d)
{
	return d->mods;
}

void scancode_set_locks(struct scancode_decoder *d, uint16_t locks)
{
	d->mods =
	    (uint16_t)((d->mods & ~KEYMOD_LOCKS) | (locks & KEYMOD_LOCKS));
}

uint8_t scancode_leds(const struct scancode_decoder *d)
{
	uint8_t leds = 0;

	if (d->mods & KEYMOD_SCROLLLOCK) {
		leds |= SCANCODE_LED_SCROLL;
	}
	if (d->mods & KEYMOD_NUMLOCK) {
		leds |= SCANCODE_LED_NUM;
	}
	if (d->mods & KEYMOD_CAPSLOCK) {
		leds |= SCANCODE_LED_CAPS;
	}
	return leds;
}

bool scancode_leds_changed(struct scancode_decoder *d, uint8_t *leds)
{
	uint8_t now = scancode_leds(d);
	bool changed = now != d->leds_reported;

	d->leds_reported = now;
	*leds = now;
	return changed;
}

static const char *const key_names[KEY_COUNT] = {
    [KEY_NONE] = "None",
    [KEY_ESC] = "Esc",
    [KEY_F1] = "F1",
    [KEY_F2] = "F2",
    [KEY_F3] = "F3",
    [KEY_F4] = "F4",
    [KEY_F5] = "F5",
    [KEY_F6] = "F6",
    [KEY_F7] = "F7",
    [KEY_F8] = "F8",
    [KEY_F9] = "F9",
    [KEY_F10] = "F10",
    [KEY_F11] = "F11",
    [KEY_F12] = "F12",
    [KEY_SYSRQ] = "SysRq",
    [KEY_SCROLLLOCK] = "ScrollLock",
    [KEY_PAUSE] = "Pause",
    [KEY_GRAVE] = "Grave",
    [KEY_1] = "1",
    [KEY_2] = "2",
    [KEY_3] = "3",
    [KEY_4] = "4",
    [KEY_5] = "5",
    [KEY_6] = "6",
    [KEY_7] = "7",
    [KEY_8] = "8",
    [KEY_9] = "9",
    [KEY_0] = "0",
    [KEY_MINUS] = "Minus",
    [KEY_EQUAL] = "Equal",
    [KEY_BACKSPACE] = "Backspace",
    [KEY_TAB] = "Tab",
    [KEY_Q] = "Q",
    [KEY_W] = "W",
    [KEY_E] = "E",
    [KEY_R] = "R",
    [KEY_T] = "T",
    [KEY_Y] = "Y",
    [KEY_U] = "U",
    [KEY_I] = "I",
    [KEY_O] = "O",
    [KEY_P] = "P",
    [KEY_LEFTBRACE] = "LeftBrace",
    [KEY_RIGHTBRACE] = "RightBrace",
    [KEY_BACKSLASH] = "Backslash",
    [KEY_CAPSLOCK] = "CapsLock",
    [KEY_A] = "A",
    [KEY_S] = "S",
    [KEY_D] = "D",
    [KEY_F] = "F",
    [KEY_G] = "G",
    [KEY_H] = "H",
    [KEY_J] = "J",
    [KEY_K] = "K",
    [KEY_L] = "L",
    [KEY_SEMICOLON] = "Semicolon",
    [KEY_APOSTROPHE] = "Apostrophe",
    [KEY_ENTER] = "Enter",
    [KEY_LEFTSHIFT] = "LeftShift",
    [KEY_102ND] = "102nd",
    [KEY_Z] = "Z",
    [KEY_X] = "X",
    [KEY_C] = "C",
    [KEY_V] = "V",
    [KEY_B] = "B",
    [KEY_N] = "N",
    [KEY_M] = "M",
    [KEY_COMMA] = "Comma",
    [KEY_DOT] = "Dot",
    [KEY_SLASH] = "Slash",
    [KEY_RIGHTSHIFT] = "RightShift",
    [KEY_LEFTCTRL] = "LeftCtrl",
    [KEY_LEFTMETA] = "LeftMeta",
    [KEY_LEFTALT] = "LeftAlt",
    [KEY_SPACE] = "Space",
    [KEY_RIGHTALT] = "RightAlt",
    [KEY_RIGHTMETA] = "RightMeta",
    [KEY_MENU] = "Menu",
    [KEY_RIGHTCTRL] = "RightCtrl",
    [KEY_INSERT] = "Insert",
    [KEY_HOME] = "Home",
    [KEY_PAGEUP] = "PageUp",
    [KEY_DELETE] = "Delete",
    [KEY_END] = "End",
    [KEY_PAGEDOWN] = "PageDown",
    [KEY_UP] = "Up",
    [KEY_LEFT] = "Left",
    [KEY_DOWN] = "Down",
    [KEY_RIGHT] = "Right",
    [KEY_NUMLOCK] = "NumLock",
    [KEY_KPSLASH] = "KPSlash",
    [KEY_KPASTERISK] = "KPAsterisk",
    [KEY_KPMINUS] = "KPMinus",
    [KEY_KP7] = "KP7",
    [KEY_KP8] = "KP8",
    [KEY_KP9] = "KP9",
    [KEY_KPPLUS] = "KPPlus",
    [KEY_KP4] = "KP4",
    [KEY_KP5] = "KP5",
    [KEY_KP6] = "KP6",
    [KEY_KP1] = "KP1",
    [KEY_KP2] = "KP2",
    [KEY_KP3] = "KP3",
    [KEY_KPENTER] = "KPEnter",
    [KEY_KP0] = "KP0",
    [KEY_KPDOT] = "KPDot",
};

const char *key_name(enum key_code code)
{
	if ((unsigned)code >= ARRAY_SIZE(key_names) ||
	    key_names[code] == NULL) {
		return "?";
	}
	return key_names[code];
}
