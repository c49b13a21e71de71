/*
 * The PS/2 scancode set 1 decoder (lib/scancode.c) and the
 * keyboard layouts (lib/keymap.c), against the set 1 code list
 * and the layouts' legends written out here independently of the tables
 * under test.
 */
#include <stdint.h>
#include <string.h>

#include "lib/keymap.h"
#include "lib/scancode.h"
#include "unit.h"

#define MAX_EVENTS 16

/* Feed bytes, collect the events they complete. */
static int feed(struct scancode_decoder *d, const uint8_t *bytes, size_t n,
		struct key_event *evs)
{
	int count = 0;

	for (size_t i = 0; i < n; i++) {
		struct key_event ev;

		if (scancode_feed(d, bytes[i], &ev)) {
			if (count < MAX_EVENTS) {
				evs[count] = ev;
			}
			count++;
		}
	}
	return count;
}

#define FEED(d, evs, ...)                                                      \
	feed((d), (const uint8_t[]){__VA_ARGS__},                              \
	     sizeof((const uint8_t[]){__VA_ARGS__}), (evs))

/* Set 1 make codes 0x01-0x58 as IBM's PC/AT keyboard documents them (0x54
 * is Alt+SysRq, 0x55 sends nothing on a 105-key keyboard). */
static const enum key_code set1_expected[0x59] = {
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

static const struct {
	uint8_t code;
	enum key_code key;
} e0_expected[] = {
    {0x1c, KEY_KPENTER}, {0x1d, KEY_RIGHTCTRL}, {0x35, KEY_KPSLASH},
    {0x37, KEY_SYSRQ},	 {0x38, KEY_RIGHTALT},	{0x46, KEY_PAUSE},
    {0x47, KEY_HOME},	 {0x48, KEY_UP},	{0x49, KEY_PAGEUP},
    {0x4b, KEY_LEFT},	 {0x4d, KEY_RIGHT},	{0x4f, KEY_END},
    {0x50, KEY_DOWN},	 {0x51, KEY_PAGEDOWN},	{0x52, KEY_INSERT},
    {0x53, KEY_DELETE},	 {0x5b, KEY_LEFTMETA},	{0x5c, KEY_RIGHTMETA},
    {0x5d, KEY_MENU},
};

static bool is_response_byte(uint8_t b)
{
	return b == 0x00 || b == 0xff || b == 0xfa || b == 0xfe || b == 0xee ||
	       b == 0xfc || b == 0xfd;
}

/* The scancode bytes of one key: prefix (0 or 0xe0) and make code. */
static bool key_scancode(enum key_code key, uint8_t *prefix, uint8_t *make)
{
	for (unsigned b = 1; b < 0x59; b++) {
		if (set1_expected[b] == key && key != KEY_SYSRQ) {
			*prefix = 0;
			*make = (uint8_t)b;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(e0_expected) / sizeof(e0_expected[0]);
	     i++) {
		if (e0_expected[i].key == key && key != KEY_PAUSE) {
			*prefix = 0xe0;
			*make = e0_expected[i].code;
			return true;
		}
	}
	return false;
}

/* ---- decoder ---- */

TEST(scancode_every_make_and_break)
{
	for (unsigned b = 0x01; b < 0x59; b++) {
		struct scancode_decoder d;
		struct key_event ev[MAX_EVENTS];

		scancode_init(&d);
		if (set1_expected[b] == KEY_NONE) {
			/* 0x55: no key; counted, no event. */
			CHECK_EQ_INT(
			    FEED(&d, ev, (uint8_t)b, (uint8_t)(b | 0x80)), 0);
			CHECK_EQ_INT(d.unknown, 2);
			continue;
		}
		REQUIRE_EQ_INT(FEED(&d, ev, (uint8_t)b), 1);
		CHECK_EQ_INT(ev[0].code, set1_expected[b]);
		CHECK(ev[0].pressed);
		CHECK(!ev[0].repeat);
		REQUIRE_EQ_INT(FEED(&d, ev, (uint8_t)(b | 0x80)), 1);
		CHECK_EQ_INT(ev[0].code, set1_expected[b]);
		CHECK(!ev[0].pressed);
		CHECK(!scancode_pending(&d));
		CHECK_EQ_INT(d.unknown, 0);
		/* Only modifiers held, none after the break. */
		CHECK_EQ_INT(scancode_mods(&d) & ~KEYMOD_LOCKS, 0);
	}
}

TEST(scancode_unused_codes_ignored)
{
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];
	uint32_t expect_unknown = 0;

	scancode_init(&d);
	for (unsigned b = 0x59; b < 0x80; b++) {
		uint8_t brk = (uint8_t)(b | 0x80);

		CHECK_EQ_INT(FEED(&d, ev, (uint8_t)b), 0);
		expect_unknown++;
		if (brk == 0xe0 || brk == 0xe1 || is_response_byte(brk)) {
			continue;
		}
		CHECK_EQ_INT(FEED(&d, ev, brk), 0);
		expect_unknown++;
	}
	CHECK_EQ_INT(d.unknown, expect_unknown);
	CHECK(!scancode_pending(&d));
	CHECK_EQ_INT(scancode_mods(&d), 0);
}

TEST(scancode_every_e0_key)
{
	for (size_t i = 0; i < sizeof(e0_expected) / sizeof(e0_expected[0]);
	     i++) {
		struct scancode_decoder d;
		struct key_event ev[MAX_EVENTS];
		uint8_t code = e0_expected[i].code;

		scancode_init(&d);
		CHECK_EQ_INT(FEED(&d, ev, 0xe0), 0);
		CHECK(scancode_pending(&d));
		REQUIRE_EQ_INT(FEED(&d, ev, code), 1);
		CHECK_EQ_INT(ev[0].code, e0_expected[i].key);
		CHECK(ev[0].pressed);
		REQUIRE_EQ_INT(FEED(&d, ev, 0xe0, (uint8_t)(code | 0x80)), 1);
		CHECK_EQ_INT(ev[0].code, e0_expected[i].key);
		CHECK(!ev[0].pressed);
		CHECK(!scancode_pending(&d));
		CHECK_EQ_INT(d.unknown, 0);
		CHECK_EQ_INT(scancode_mods(&d), 0);
	}
}

TEST(scancode_e0_unknown_code_counted)
{
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];

	scancode_init(&d);
	/* E0 10/E0 90 is a media key (previous track), not one of ours. */
	CHECK_EQ_INT(FEED(&d, ev, 0xe0, 0x10, 0xe0, 0x90), 0);
	CHECK_EQ_INT(d.unknown, 2);
	CHECK(!scancode_pending(&d));
	REQUIRE_EQ_INT(FEED(&d, ev, 0x10), 1);
	CHECK_EQ_INT(ev[0].code, KEY_Q);
}

TEST(scancode_pause_sequence)
{
	static const uint8_t pause[] = {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5};
	struct scancode_decoder d;
	struct key_event ev;
	int events = 0;

	scancode_init(&d);
	for (size_t i = 0; i < sizeof(pause); i++) {
		bool got = scancode_feed(&d, pause[i], &ev);

		/* Press with the third byte, release with the sixth. */
		CHECK_EQ_INT(got, i == 2 || i == 5);
		if (got) {
			CHECK_EQ_INT(ev.code, KEY_PAUSE);
			CHECK_EQ_INT(ev.pressed, i == 2);
			CHECK(!ev.repeat);
			CHECK_EQ_INT(ev.mods, 0);
			events++;
		}
		CHECK_EQ_INT(scancode_pending(&d), i != 5);
	}
	CHECK_EQ_INT(events, 2);
	/* The 1D/45 inside are no Ctrl, no Num Lock. */
	CHECK_EQ_INT(scancode_mods(&d), 0);
	CHECK_EQ_INT(d.unknown, 0);
	/* Again: a second Pause is a new press, not a repeat. */
	for (size_t i = 0; i < sizeof(pause); i++) {
		if (scancode_feed(&d, pause[i], &ev) && ev.pressed) {
			CHECK(!ev.repeat);
		}
	}
	CHECK(!scancode_pending(&d));
}

TEST(scancode_ctrl_break)
{
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];

	scancode_init(&d);
	REQUIRE_EQ_INT(FEED(&d, ev, 0x1d, 0xe0, 0x46, 0xe0, 0xc6, 0x9d), 4);
	CHECK_EQ_INT(ev[1].code, KEY_PAUSE);
	CHECK(ev[1].pressed);
	CHECK_EQ_INT(ev[1].mods, KEYMOD_LCTRL);
	CHECK_EQ_INT(ev[2].code, KEY_PAUSE);
	CHECK(!ev[2].pressed);
	CHECK_EQ_INT(scancode_mods(&d), 0);
}

TEST(scancode_print_screen)
{
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];

	scancode_init(&d);
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe0, 0x2a, 0xe0, 0x37), 1);
	CHECK_EQ_INT(ev[0].code, KEY_SYSRQ);
	CHECK(ev[0].pressed);
	CHECK_EQ_INT(ev[0].mods, 0);
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe0, 0xb7, 0xe0, 0xaa), 1);
	CHECK_EQ_INT(ev[0].code, KEY_SYSRQ);
	CHECK(!ev[0].pressed);
	CHECK_EQ_INT(ev[0].mods, 0);
	CHECK_EQ_INT(scancode_mods(&d), 0);
	CHECK(!scancode_pending(&d));
	CHECK_EQ_INT(d.unknown, 0);

	/* With Left Shift held the keyboard "unshifts" first (E0 AA) and
	 * "reshifts" after (E0 2A): the real Shift stays down throughout. */
	REQUIRE_EQ_INT(FEED(&d, ev, 0x2a), 1);
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe0, 0xaa, 0xe0, 0x37), 1);
	CHECK_EQ_INT(ev[0].code, KEY_SYSRQ);
	CHECK_EQ_INT(ev[0].mods, KEYMOD_LSHIFT);
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe0, 0xb7, 0xe0, 0x2a), 1);
	CHECK_EQ_INT(ev[0].mods, KEYMOD_LSHIFT);
	REQUIRE_EQ_INT(FEED(&d, ev, 0xaa), 1);
	CHECK_EQ_INT(ev[0].mods, 0);

	/* Ctrl+Print Screen: E0 37 alone. Alt+SysRq: 54. */
	REQUIRE_EQ_INT(FEED(&d, ev, 0x1d, 0xe0, 0x37, 0xe0, 0xb7, 0x9d), 4);
	CHECK_EQ_INT(ev[1].code, KEY_SYSRQ);
	CHECK_EQ_INT(ev[1].mods, KEYMOD_LCTRL);
	REQUIRE_EQ_INT(FEED(&d, ev, 0x38, 0x54, 0xd4, 0xb8), 4);
	CHECK_EQ_INT(ev[1].code, KEY_SYSRQ);
	CHECK(ev[1].pressed);
	CHECK_EQ_INT(ev[1].mods, KEYMOD_LALT);
	CHECK_EQ_INT(ev[2].code, KEY_SYSRQ);
	CHECK(!ev[2].pressed);
	CHECK_EQ_INT(scancode_mods(&d), 0);
}

TEST(scancode_fake_shifts_ignored)
{
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];

	scancode_init(&d);
	/* Num Lock on: navigation keys come wrapped in fake shifts. */
	REQUIRE_EQ_INT(
	    FEED(&d, ev, 0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0xaa), 2);
	CHECK_EQ_INT(ev[0].code, KEY_UP);
	CHECK_EQ_INT(ev[1].code, KEY_UP);
	CHECK_EQ_INT(ev[0].mods, 0);
	CHECK_EQ_INT(FEED(&d, ev, 0xe0, 0x36, 0xe0, 0xb6), 0);
	CHECK_EQ_INT(scancode_mods(&d), 0);
	/* A fake Shift release does not release the real Shifts either. */
	REQUIRE_EQ_INT(FEED(&d, ev, 0x2a, 0x36), 2);
	CHECK_EQ_INT(FEED(&d, ev, 0xe0, 0xaa, 0xe0, 0xb6), 0);
	CHECK_EQ_INT(scancode_mods(&d), KEYMOD_LSHIFT | KEYMOD_RSHIFT);
	CHECK_EQ_INT(d.unknown, 0);
}

TEST(scancode_modifiers_independent)
{
	static const struct {
		uint8_t prefix, make;
		uint16_t mod;
	} mods[] = {
	    {0, 0x2a, KEYMOD_LSHIFT},	{0, 0x36, KEYMOD_RSHIFT},
	    {0, 0x1d, KEYMOD_LCTRL},	{0xe0, 0x1d, KEYMOD_RCTRL},
	    {0, 0x38, KEYMOD_LALT},	{0xe0, 0x38, KEYMOD_RALT},
	    {0xe0, 0x5b, KEYMOD_LMETA}, {0xe0, 0x5c, KEYMOD_RMETA},
	};
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];
	uint16_t held = 0;

	scancode_init(&d);
	/* Press all in turn, each adds its own bit. */
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		int n = mods[i].prefix ? FEED(&d, ev, 0xe0, mods[i].make)
				       : FEED(&d, ev, mods[i].make);

		REQUIRE_EQ_INT(n, 1);
		held |= mods[i].mod;
		CHECK_EQ_INT(ev[0].mods, held);
	}
	/* Release all in turn, each clears only its own. */
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		uint8_t brk = (uint8_t)(mods[i].make | 0x80);
		int n = mods[i].prefix ? FEED(&d, ev, 0xe0, brk)
				       : FEED(&d, ev, brk);

		REQUIRE_EQ_INT(n, 1);
		held &= (uint16_t)~mods[i].mod;
		CHECK_EQ_INT(ev[0].mods, held);
	}
	CHECK_EQ_INT(scancode_mods(&d), 0);

	/* Press LShift, press RShift, release LShift: still shifted. */
	FEED(&d, ev, 0x2a, 0x36, 0xaa);
	CHECK_EQ_INT(scancode_mods(&d), KEYMOD_RSHIFT);
	CHECK(scancode_mods(&d) & KEYMOD_SHIFT);
	REQUIRE_EQ_INT(FEED(&d, ev, 0x1e), 1);
	CHECK_EQ_INT(ev[0].mods, KEYMOD_RSHIFT);
	/* Right Ctrl released does not release Left Ctrl. */
	FEED(&d, ev, 0x9e, 0xb6, 0x1d, 0xe0, 0x1d, 0xe0, 0x9d);
	CHECK_EQ_INT(scancode_mods(&d), KEYMOD_LCTRL);
}

TEST(scancode_locks_toggle_on_press_only)
{
	static const struct {
		uint8_t make;
		uint16_t mod;
		uint8_t led;
	} locks[] = {
	    {0x3a, KEYMOD_CAPSLOCK, SCANCODE_LED_CAPS},
	    {0x45, KEYMOD_NUMLOCK, SCANCODE_LED_NUM},
	    {0x46, KEYMOD_SCROLLLOCK, SCANCODE_LED_SCROLL},
	};

	for (size_t i = 0; i < sizeof(locks) / sizeof(locks[0]); i++) {
		struct scancode_decoder d;
		struct key_event ev[MAX_EVENTS];
		uint8_t leds;

		scancode_init(&d);
		CHECK(scancode_leds_changed(&d, &leds));
		CHECK_EQ_INT(leds, 0);
		REQUIRE_EQ_INT(FEED(&d, ev, locks[i].make), 1);
		CHECK_EQ_INT(ev[0].mods, locks[i].mod);
		CHECK(!ev[0].repeat);
		CHECK_EQ_INT(scancode_leds(&d), locks[i].led);
		CHECK(scancode_leds_changed(&d, &leds));
		CHECK_EQ_INT(leds, locks[i].led);
		/* Typematic repeat: pressed again without a release. */
		REQUIRE_EQ_INT(
		    FEED(&d, ev, locks[i].make, locks[i].make, locks[i].make),
		    3);
		for (int r = 0; r < 3; r++) {
			CHECK(ev[r].repeat);
			CHECK_EQ_INT(ev[r].mods, locks[i].mod);
		}
		CHECK(!scancode_leds_changed(&d, &leds));
		/* The release leaves it on, the next press turns it off. */
		REQUIRE_EQ_INT(FEED(&d, ev, (uint8_t)(locks[i].make | 0x80)),
			       1);
		CHECK_EQ_INT(ev[0].mods, locks[i].mod);
		REQUIRE_EQ_INT(FEED(&d, ev, locks[i].make), 1);
		CHECK_EQ_INT(ev[0].mods, 0);
		CHECK(!ev[0].repeat);
		CHECK(scancode_leds_changed(&d, &leds));
		CHECK_EQ_INT(leds, 0);
		CHECK(!scancode_leds_changed(&d, &leds));
	}
}

TEST(scancode_leds_bits_and_set_locks)
{
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];
	uint8_t leds;

	scancode_init(&d);
	scancode_set_locks(&d, KEYMOD_NUMLOCK | KEYMOD_LSHIFT);
	CHECK_EQ_INT(scancode_mods(&d), KEYMOD_NUMLOCK);
	CHECK(scancode_leds_changed(&d, &leds));
	CHECK_EQ_INT(leds, 0x02);
	FEED(&d, ev, 0x3a, 0xba, 0x46, 0xc6);
	CHECK_EQ_INT(scancode_leds(&d), 0x07);
	CHECK(scancode_leds_changed(&d, &leds));
	CHECK_EQ_INT(leds, 0x07);
	scancode_set_locks(&d, 0);
	CHECK_EQ_INT(scancode_mods(&d), 0);
	CHECK(scancode_leds_changed(&d, &leds));
	CHECK_EQ_INT(leds, 0);
}

TEST(scancode_repeat_flag)
{
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];

	scancode_init(&d);
	REQUIRE_EQ_INT(FEED(&d, ev, 0x1e, 0x1e, 0x1e, 0x9e, 0x1e), 5);
	CHECK(!ev[0].repeat);
	CHECK(ev[1].repeat);
	CHECK(ev[2].repeat);
	CHECK(!ev[3].repeat);
	CHECK(!ev[3].pressed);
	CHECK(!ev[4].repeat);
}

TEST(scancode_controller_responses)
{
	static const uint8_t responses[] = {0x00, 0xff, 0xfa, 0xfe,
					    0xee, 0xfc, 0xfd};
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];

	scancode_init(&d);
	for (size_t i = 0; i < sizeof(responses); i++) {
		CHECK_EQ_INT(FEED(&d, ev, responses[i]), 0);
		/* Also between a prefix and its code: the prefix is lost. */
		CHECK_EQ_INT(FEED(&d, ev, 0xe0, responses[i]), 0);
		CHECK(!scancode_pending(&d));
		CHECK_EQ_INT(FEED(&d, ev, 0xe1, 0x1d, responses[i]), 0);
		CHECK(!scancode_pending(&d));
	}
	CHECK_EQ_INT(d.responses, 3 * sizeof(responses));
	CHECK_EQ_INT(d.unknown, 0);
	CHECK_EQ_INT(d.overruns, 3 * 2); /* 0x00 and 0xff, three times each */
	CHECK_EQ_INT(scancode_mods(&d), 0);
	/* E0, ACK, then 48: the E0 was dropped, so it is keypad 8. */
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe0, 0xfa, 0x48), 1);
	CHECK_EQ_INT(ev[0].code, KEY_KP8);

	/* 0xAA is the LeftShift break (also "self-test passed"). */
	REQUIRE_EQ_INT(FEED(&d, ev, 0x2a, 0xaa), 2);
	CHECK_EQ_INT(ev[1].code, KEY_LEFTSHIFT);
	CHECK(!ev[1].pressed);
	CHECK_EQ_INT(ev[1].mods, 0);
	REQUIRE_EQ_INT(FEED(&d, ev, 0xaa), 1);
	CHECK_EQ_INT(ev[0].code, KEY_LEFTSHIFT);
	CHECK(!ev[0].pressed);
	CHECK_EQ_INT(scancode_mods(&d), 0);
}

TEST(scancode_garbage_after_prefix)
{
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];

	scancode_init(&d);
	/* E1 then a key: the sequence is dropped, the key decoded. */
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe1, 0x1e), 1);
	CHECK_EQ_INT(ev[0].code, KEY_A);
	CHECK_EQ_INT(d.unknown, 1);
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe1, 0x1d, 0x9e), 1);
	CHECK_EQ_INT(ev[0].code, KEY_A);
	CHECK(!ev[0].pressed);
	CHECK_EQ_INT(d.unknown, 2);
	CHECK_EQ_INT(scancode_mods(&d), 0);
	CHECK(!scancode_pending(&d));

	/* Broken after the Pause press: the next Pause is a fresh press. */
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe1, 0x1d, 0x45, 0x30, 0xb0), 3);
	CHECK_EQ_INT(ev[0].code, KEY_PAUSE);
	CHECK_EQ_INT(ev[1].code, KEY_B);
	CHECK(!scancode_pending(&d));
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5), 2);
	CHECK(!ev[0].repeat);
	CHECK_EQ_INT(scancode_mods(&d), 0);

	/* E1 E1 ...: the first E1 is dropped, the second starts over. */
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe1, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5),
		       2);
	CHECK_EQ_INT(ev[0].code, KEY_PAUSE);
	/* E0 E0 48 and E0 E1 ...: likewise. */
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe0, 0xe0, 0x48), 1);
	CHECK_EQ_INT(ev[0].code, KEY_UP);
	REQUIRE_EQ_INT(FEED(&d, ev, 0xe0, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5),
		       2);
	CHECK_EQ_INT(ev[0].code, KEY_PAUSE);
	CHECK(!scancode_pending(&d));
	/* Unknown E0 code: dropped, no event, no pending state. */
	CHECK_EQ_INT(FEED(&d, ev, 0xe0, 0x01), 0);
	CHECK(!scancode_pending(&d));
	CHECK_EQ_INT(scancode_mods(&d) & KEYMOD_SHIFT, 0);
}

/* A small LCG: a fixed, portable sequence. */
static uint32_t lcg_next(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 24;
}

TEST(scancode_random_bytes)
{
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];
	uint32_t seed = 0x6b697465; /* "kite" */
	int bad = 0, stuck = 0;

	scancode_init(&d);
	for (int i = 0; i < 100000; i++) {
		struct key_event e;
		uint8_t b = (uint8_t)lcg_next(&seed);

		/* Bias towards prefixes, to exercise the sequences. */
		if ((b & 0x0f) == 0) {
			b = (b & 0x10) ? 0xe0 : 0xe1;
		}
		if (scancode_feed(&d, b, &e) &&
		    (e.code == KEY_NONE || e.code >= KEY_COUNT)) {
			bad++;
		}
		if (i % 97 == 0) {
			/* After any byte, a make/break pair leaves the decoder
			 * clean, and the next pair decodes exactly. */
			FEED(&d, ev, 0x1e, 0x9e);
			if (scancode_pending(&d) ||
			    FEED(&d, ev, 0x1e, 0x9e) != 2 ||
			    ev[0].code != KEY_A || !ev[0].pressed ||
			    ev[1].code != KEY_A || ev[1].pressed) {
				stuck++;
			}
		}
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(stuck, 0);
	CHECK(d.unknown > 0);
	CHECK(d.responses > 0);
}

TEST(scancode_key_names)
{
	CHECK_EQ_STR(key_name(KEY_A), "A");
	CHECK_EQ_STR(key_name(KEY_LEFTSHIFT), "LeftShift");
	CHECK_EQ_STR(key_name(KEY_KP7), "KP7");
	CHECK_EQ_STR(key_name(KEY_PAUSE), "Pause");
	CHECK_EQ_STR(key_name(KEY_F12), "F12");
	CHECK_EQ_STR(key_name(KEY_102ND), "102nd");
	CHECK_EQ_STR(key_name(KEY_NONE), "None");
	CHECK_EQ_STR(key_name(KEY_COUNT), "?");
	CHECK_EQ_STR(key_name((enum key_code)1000), "?");
	/* Every key has its own name. */
	for (int a = 1; a < KEY_COUNT; a++) {
		const char *na = key_name((enum key_code)a);

		CHECK(strcmp(na, "?") != 0 && na[0] != '\0');
		for (int b = a + 1; b < KEY_COUNT; b++) {
			CHECK(strcmp(na, key_name((enum key_code)b)) != 0);
		}
	}
	/* 105 keys: every one reachable from some scancode. */
	CHECK_EQ_INT(KEY_COUNT - 1, 105);
	for (int k = 1; k < KEY_COUNT; k++) {
		uint8_t prefix, make;

		CHECK(key_scancode((enum key_code)k, &prefix, &make) ||
		      k == KEY_PAUSE || k == KEY_SYSRQ);
	}
}

/* ---- keymap ---- */

static uint32_t press(const struct keymap *km, enum key_code code,
		      uint16_t mods)
{
	struct key_event ev = {
	    .code = (uint16_t)code, .pressed = true, .mods = mods};

	return keymap_translate(km, &ev);
}

/* Decode one UTF-8 sequence; the test strings are valid UTF-8. */
static uint32_t utf8_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t c = p[0];
	int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

	if (extra) {
		c &= 0x3fu >> extra;
	}
	for (int i = 1; i <= extra; i++) {
		c = (c << 6) | (p[i] & 0x3f);
	}
	*s += 1 + extra;
	return c;
}

/* The 48 keys of the main block that carry characters, by row. */
static const enum key_code legend_keys[48] = {
    KEY_GRAVE,	    KEY_1,	   KEY_2, KEY_3,     KEY_4,   KEY_5,
    KEY_6,	    KEY_7,	   KEY_8, KEY_9,     KEY_0,   KEY_MINUS,
    KEY_EQUAL,	    KEY_Q,	   KEY_W, KEY_E,     KEY_R,   KEY_T,
    KEY_Y,	    KEY_U,	   KEY_I, KEY_O,     KEY_P,   KEY_LEFTBRACE,
    KEY_RIGHTBRACE, KEY_BACKSLASH, KEY_A, KEY_S,     KEY_D,   KEY_F,
    KEY_G,	    KEY_H,	   KEY_J, KEY_K,     KEY_L,   KEY_SEMICOLON,
    KEY_APOSTROPHE, KEY_102ND,	   KEY_Z, KEY_X,     KEY_C,   KEY_V,
    KEY_B,	    KEY_N,	   KEY_M, KEY_COMMA, KEY_DOT, KEY_SLASH,
};

/* What the keycaps say, in legend_keys order; ' ' in altgr: no level 3. */
struct legend {
	const char *name;
	const char *plain, *shift, *altgr;
};

static const struct legend legends[] = {
    {"us", "`1234567890-=qwertyuiop[]\\asdfghjkl;'\\zxcvbnm,./",
     "~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:\"|ZXCVBNM<>?",
     "                                                "},
    {"uk", "`1234567890-=qwertyuiop[]#asdfghjkl;'\\zxcvbnm,./",
     "¬!\"£$%^&*()_+QWERTYUIOP{}~ASDFGHJKL:@|ZXCVBNM<>?",
     "¦   €          é   úíó    á                     "},
    {"de", "^1234567890ß´qwertzuiopü+#asdfghjklöä<yxcvbnm,.-",
     "°!\"§$%&/()=?`QWERTZUIOPÜ*'ASDFGHJKLÖÄ>YXCVBNM;:_",
     "  ²³   {[]}\\ @ €        ~            |      µ   "},
};

/* The legend of one layout as code points; false if malformed. */
static bool legend_decode(const struct legend *lg, uint32_t out[3][48])
{
	const char *s[3] = {lg->plain, lg->shift, lg->altgr};

	for (int lv = 0; lv < 3; lv++) {
		for (int i = 0; i < 48; i++) {
			if (*s[lv] == '\0') {
				return false;
			}
			out[lv][i] = utf8_next(&s[lv]);
		}
		if (*s[lv] != '\0') {
			return false;
		}
	}
	return true;
}

/* Type text on a layout through the whole path: scancodes (with Shift or
 * AltGr around a key as the legend needs), decoder, keymap. */
static bool type_text(const struct legend *lg, const char *text)
{
	const struct keymap *km = keymap_find(lg->name);
	uint32_t leg[3][48];
	struct scancode_decoder d;
	bool ok = true;

	if (km == NULL || !legend_decode(lg, leg)) {
		return false;
	}
	scancode_init(&d);
	while (*text != '\0') {
		uint32_t want = utf8_next(&text), got = 0;
		enum key_code key = KEY_NONE;
		int level = 0, typed = 0;
		uint8_t bytes[16], prefix, make;
		size_t n = 0;

		if (want == ' ') {
			key = KEY_SPACE;
		}
		for (int lv = 0; lv < 3 && key == KEY_NONE; lv++) {
			for (int i = 0; i < 48; i++) {
				if (leg[lv][i] == want && want != ' ') {
					key = legend_keys[i];
					level = lv;
					break;
				}
			}
		}
		if (key == KEY_NONE || !key_scancode(key, &prefix, &make)) {
			unit_fail(__FILE__, __LINE__, "%s: no key for U+%04X",
				  lg->name, (unsigned)want);
			ok = false;
			continue;
		}
		if (level == 1) {
			bytes[n++] = 0x2a;
		} else if (level == 2) {
			bytes[n++] = 0xe0;
			bytes[n++] = 0x38;
		}
		if (prefix) {
			bytes[n++] = prefix;
		}
		bytes[n++] = make;
		if (prefix) {
			bytes[n++] = prefix;
		}
		bytes[n++] = make | 0x80;
		if (level == 1) {
			bytes[n++] = 0xaa;
		} else if (level == 2) {
			bytes[n++] = 0xe0;
			bytes[n++] = 0xb8;
		}
		for (size_t i = 0; i < n; i++) {
			struct key_event ev;
			uint32_t c;

			if (scancode_feed(&d, bytes[i], &ev) &&
			    (c = keymap_translate(km, &ev)) != 0) {
				got = c;
				typed++;
			}
		}
		if (typed != 1 || got != want) {
			unit_fail(__FILE__, __LINE__,
				  "%s: typed U+%04X, got %d chars, U+%04X",
				  lg->name, (unsigned)want, typed,
				  (unsigned)got);
			ok = false;
		}
	}
	return ok && !scancode_pending(&d) && scancode_mods(&d) == 0;
}

TEST(keymap_find_and_list)
{
	CHECK_EQ_INT(keymap_count(), 3);
	CHECK_EQ_STR(keymap_name(keymap_at(0)), "us");
	CHECK_EQ_STR(keymap_name(keymap_at(1)), "uk");
	CHECK_EQ_STR(keymap_name(keymap_at(2)), "de");
	CHECK(keymap_at(3) == NULL);
	for (size_t i = 0; i < keymap_count(); i++) {
		const struct keymap *km = keymap_at(i);

		CHECK(keymap_find(keymap_name(km)) == km);
		CHECK(keymap_description(km) != NULL);
	}
	CHECK(keymap_find("fr") == NULL);
	CHECK(keymap_find("") == NULL);
	CHECK(keymap_find(NULL) == NULL);
	CHECK(keymap_name(NULL) == NULL);
	CHECK_EQ_STR(keymap_description(keymap_find("de")), "German");
}

TEST(keymap_legends_all_levels)
{
	for (size_t l = 0; l < sizeof(legends) / sizeof(legends[0]); l++) {
		const struct keymap *km = keymap_find(legends[l].name);
		uint32_t leg[3][48];

		REQUIRE(km != NULL);
		REQUIRE(legend_decode(&legends[l], leg));
		for (int i = 0; i < 48; i++) {
			enum key_code k = legend_keys[i];
			uint32_t l3 = leg[2][i] == ' ' ? leg[0][i] : leg[2][i];

			CHECK_EQ_INT(press(km, k, 0), leg[0][i]);
			CHECK_EQ_INT(press(km, k, KEYMOD_LSHIFT), leg[1][i]);
			CHECK_EQ_INT(press(km, k, KEYMOD_RSHIFT), leg[1][i]);
			/* AltGr: level 3, or as if not held. */
			CHECK_EQ_INT(press(km, k, KEYMOD_RALT), l3);
			CHECK_EQ_INT(
			    press(km, k, KEYMOD_LCTRL | KEYMOD_LALT),
			    leg[2][i] == ' ' ? press(km, k, KEYMOD_LCTRL) : l3);
		}
	}
}

TEST(keymap_type_us)
{
	CHECK(type_text(&legends[0],
			"The quick brown fox jumps over the lazy dog "
			"0123456789 !@#$%^&*()-_=+[]{};:'\",.<>/?\\|`~"));
}

TEST(keymap_type_uk)
{
	CHECK(type_text(&legends[1],
			"The quick brown fox jumps over the lazy dog "
			"0123456789 !\"£$%^&*()-_=+[]{};:'@#~,.<>/?\\|`¬¦€ "
			"áéíóú"));
}

TEST(keymap_type_de)
{
	CHECK(
	    type_text(&legends[2],
		      "Zwölf Boxkämpfer jagen Viktor quer über den großen "
		      "Sylter Deich 0123456789 !\"§$%&/()=?`´^° {[]}\\~@€|<>#'"
		      "+*-_.:,;µ²³ ÄÖÜ"));
}

TEST(keymap_release_gives_nothing)
{
	const struct keymap *km = keymap_find("us");
	struct key_event ev = {.code = KEY_A, .pressed = false, .mods = 0};

	CHECK_EQ_INT(keymap_translate(km, &ev), 0);
	ev.code = KEY_ENTER;
	CHECK_EQ_INT(keymap_translate(km, &ev), 0);
	ev.pressed = true;
	CHECK_EQ_INT(keymap_translate(NULL, &ev), 0);
	CHECK_EQ_INT(keymap_translate(km, NULL), 0);
	ev.code = KEY_COUNT;
	CHECK_EQ_INT(keymap_translate(km, &ev), 0);
	ev.code = 0xffff;
	CHECK_EQ_INT(keymap_translate(km, &ev), 0);
	ev.code = KEY_NONE;
	CHECK_EQ_INT(keymap_translate(km, &ev), 0);
}

TEST(keymap_non_printing_keys)
{
	static const enum key_code silent[] = {
	    KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_LEFTCTRL, KEY_RIGHTCTRL,
	    KEY_LEFTALT,   KEY_RIGHTALT,   KEY_LEFTMETA, KEY_RIGHTMETA,
	    KEY_MENU,	   KEY_CAPSLOCK,   KEY_NUMLOCK,	 KEY_SCROLLLOCK,
	    KEY_F1,	   KEY_F10,	   KEY_F12,	 KEY_UP,
	    KEY_DOWN,	   KEY_LEFT,	   KEY_RIGHT,	 KEY_HOME,
	    KEY_END,	   KEY_PAGEUP,	   KEY_PAGEDOWN, KEY_INSERT,
	    KEY_DELETE,	   KEY_PAUSE,	   KEY_SYSRQ,
	};

	for (size_t l = 0; l < keymap_count(); l++) {
		for (size_t i = 0; i < sizeof(silent) / sizeof(silent[0]);
		     i++) {
			CHECK_EQ_INT(press(keymap_at(l), silent[i], 0), 0);
			CHECK_EQ_INT(press(keymap_at(l), silent[i],
					   KEYMOD_SHIFT | KEYMOD_NUMLOCK |
					       KEYMOD_CAPSLOCK),
				     0);
		}
	}
}

TEST(keymap_fixed_keys)
{
	static const uint16_t mods[] = {0, KEYMOD_LSHIFT, KEYMOD_LCTRL,
					KEYMOD_RALT, KEYMOD_CAPSLOCK};

	for (size_t l = 0; l < keymap_count(); l++) {
		const struct keymap *km = keymap_at(l);

		for (size_t m = 0; m < sizeof(mods) / sizeof(mods[0]); m++) {
			CHECK_EQ_INT(press(km, KEY_BACKSPACE, mods[m]), 0x7f);
			CHECK_EQ_INT(press(km, KEY_TAB, mods[m]), '\t');
			CHECK_EQ_INT(press(km, KEY_ESC, mods[m]), 0x1b);
			CHECK_EQ_INT(press(km, KEY_ENTER, mods[m]), '\n');
			CHECK_EQ_INT(press(km, KEY_KPENTER, mods[m]), '\n');
			CHECK_EQ_INT(press(km, KEY_SPACE, mods[m]), ' ');
			CHECK_EQ_INT(press(km, KEY_KPSLASH, mods[m]), '/');
			CHECK_EQ_INT(press(km, KEY_KPASTERISK, mods[m]), '*');
			CHECK_EQ_INT(press(km, KEY_KPMINUS, mods[m]), '-');
			CHECK_EQ_INT(press(km, KEY_KPPLUS, mods[m]), '+');
		}
	}
}

TEST(keymap_caps_lock_letters_only)
{
	const struct keymap *us = keymap_find("us");
	const struct keymap *de = keymap_find("de");
	const uint16_t caps = KEYMOD_CAPSLOCK;

	CHECK_EQ_INT(press(us, KEY_A, caps), 'A');
	CHECK_EQ_INT(press(us, KEY_A, caps | KEYMOD_LSHIFT), 'a');
	CHECK_EQ_INT(press(us, KEY_Z, caps | KEYMOD_RSHIFT), 'z');
	CHECK_EQ_INT(press(us, KEY_1, caps), '1');
	CHECK_EQ_INT(press(us, KEY_1, caps | KEYMOD_LSHIFT), '!');
	CHECK_EQ_INT(press(us, KEY_SEMICOLON, caps), ';');
	CHECK_EQ_INT(press(us, KEY_LEFTBRACE, caps), '[');
	CHECK_EQ_INT(press(us, KEY_GRAVE, caps), '`');
	/* German umlauts are letters; ß is not (its Shift is '?'). */
	CHECK_EQ_INT(press(de, KEY_APOSTROPHE, caps), 0xc4);
	CHECK_EQ_INT(press(de, KEY_SEMICOLON, caps), 0xd6);
	CHECK_EQ_INT(press(de, KEY_LEFTBRACE, caps), 0xdc);
	CHECK_EQ_INT(press(de, KEY_LEFTBRACE, caps | KEYMOD_LSHIFT), 0xfc);
	CHECK_EQ_INT(press(de, KEY_MINUS, caps), 0xdf);
	CHECK_EQ_INT(press(de, KEY_Y, caps), 'Z');
	CHECK_EQ_INT(press(de, KEY_7, caps), '7');
	CHECK_EQ_INT(press(de, KEY_102ND, caps), '<');

	/* Through the decoder: Caps Lock, then Shift+A gives 'a'. */
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];

	scancode_init(&d);
	REQUIRE_EQ_INT(
	    FEED(&d, ev, 0x3a, 0xba, 0x2a, 0x1e, 0x9e, 0xaa, 0x1e, 0x02), 8);
	CHECK_EQ_INT(keymap_translate(us, &ev[3]), 'a');
	CHECK_EQ_INT(keymap_translate(us, &ev[6]), 'A');
	CHECK_EQ_INT(keymap_translate(us, &ev[7]), '1');
}

TEST(keymap_ctrl_letters)
{
	const struct keymap *us = keymap_find("us");
	const struct keymap *de = keymap_find("de");
	static const enum key_code letters[26] = {
	    KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I,
	    KEY_J, KEY_K, KEY_L, KEY_M, KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R,
	    KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X, KEY_Y, KEY_Z,
	};

	for (int i = 0; i < 26; i++) {
		CHECK_EQ_INT(press(us, letters[i], KEYMOD_LCTRL), i + 1);
		CHECK_EQ_INT(press(us, letters[i], KEYMOD_RCTRL), i + 1);
		CHECK_EQ_INT(
		    press(us, letters[i], KEYMOD_LCTRL | KEYMOD_LSHIFT), i + 1);
		CHECK_EQ_INT(
		    press(us, letters[i], KEYMOD_LCTRL | KEYMOD_CAPSLOCK),
		    i + 1);
	}
	CHECK_EQ_INT(press(us, KEY_C, KEYMOD_LCTRL), 3);
	/* The letter the layout puts on the key: German Z is KEY_Y. */
	CHECK_EQ_INT(press(de, KEY_Y, KEYMOD_LCTRL), 26);
	CHECK_EQ_INT(press(de, KEY_Z, KEYMOD_LCTRL), 25);
	CHECK_EQ_INT(press(keymap_find("uk"), KEY_Z, KEYMOD_RCTRL), 26);
	/* The rest of ASCII's control column. */
	CHECK_EQ_INT(press(us, KEY_LEFTBRACE, KEYMOD_LCTRL), 27);
	CHECK_EQ_INT(press(us, KEY_BACKSLASH, KEYMOD_LCTRL), 28);
	CHECK_EQ_INT(press(us, KEY_RIGHTBRACE, KEYMOD_LCTRL), 29);
	CHECK_EQ_INT(press(us, KEY_6, KEYMOD_LCTRL | KEYMOD_LSHIFT), 30);
	CHECK_EQ_INT(press(us, KEY_MINUS, KEYMOD_LCTRL | KEYMOD_LSHIFT), 31);
	CHECK_EQ_INT(press(us, KEY_2, KEYMOD_LCTRL | KEYMOD_LSHIFT), 0);
	/* Keys outside it type as without Ctrl. */
	CHECK_EQ_INT(press(us, KEY_1, KEYMOD_LCTRL), '1');
	CHECK_EQ_INT(press(us, KEY_SLASH, KEYMOD_LCTRL), '/');
	CHECK_EQ_INT(press(de, KEY_SEMICOLON, KEYMOD_LCTRL), 0xf6);
	/* US has no AltGr: Ctrl+Left Alt+C is still Ctrl+C. */
	CHECK_EQ_INT(press(us, KEY_C, KEYMOD_LCTRL | KEYMOD_LALT), 3);
	/* Left Alt alone changes nothing (the driver's business). */
	CHECK_EQ_INT(press(us, KEY_C, KEYMOD_LALT), 'c');

	/* Through the decoder: Ctrl down, C, Ctrl up. */
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];

	scancode_init(&d);
	REQUIRE_EQ_INT(FEED(&d, ev, 0x1d, 0x2e, 0xae, 0x9d), 4);
	CHECK_EQ_INT(keymap_translate(us, &ev[1]), 3);
	CHECK_EQ_INT(keymap_translate(us, &ev[2]), 0);
}

TEST(keymap_numlock_keypad)
{
	static const struct {
		enum key_code key;
		char c;
	} kp[] = {
	    {KEY_KP0, '0'}, {KEY_KP1, '1'}, {KEY_KP2, '2'}, {KEY_KP3, '3'},
	    {KEY_KP4, '4'}, {KEY_KP5, '5'}, {KEY_KP6, '6'}, {KEY_KP7, '7'},
	    {KEY_KP8, '8'}, {KEY_KP9, '9'},
	};

	for (size_t l = 0; l < keymap_count(); l++) {
		const struct keymap *km = keymap_at(l);
		uint32_t dec = strcmp(keymap_name(km), "de") == 0 ? ',' : '.';

		for (size_t i = 0; i < sizeof(kp) / sizeof(kp[0]); i++) {
			CHECK_EQ_INT(press(km, kp[i].key, KEYMOD_NUMLOCK),
				     kp[i].c);
			CHECK_EQ_INT(press(km, kp[i].key, 0), 0);
			CHECK_EQ_INT(press(km, kp[i].key,
					   KEYMOD_NUMLOCK | KEYMOD_LSHIFT),
				     0);
			CHECK_EQ_INT(
			    press(km, kp[i].key, KEYMOD_NUMLOCK | KEYMOD_LCTRL),
			    kp[i].c);
		}
		CHECK_EQ_INT(press(km, KEY_KPDOT, KEYMOD_NUMLOCK), dec);
		CHECK_EQ_INT(press(km, KEY_KPDOT, 0), 0);
	}

	/* Through the decoder: Num Lock, KP7, Num Lock, KP7. */
	struct scancode_decoder d;
	struct key_event ev[MAX_EVENTS];
	const struct keymap *us = keymap_find("us");

	scancode_init(&d);
	REQUIRE_EQ_INT(FEED(&d, ev, 0x45, 0xc5, 0x47, 0xc7, 0x45, 0xc5, 0x47),
		       7);
	CHECK_EQ_INT(keymap_translate(us, &ev[2]), '7');
	CHECK_EQ_INT(keymap_translate(us, &ev[6]), 0);
}

TEST(keymap_altgr_levels)
{
	const struct keymap *de = keymap_find("de");
	const struct keymap *uk = keymap_find("uk");
	const struct keymap *us = keymap_find("us");
	const uint16_t altgr = KEYMOD_RALT;
	const uint16_t ctrl_alt = KEYMOD_LCTRL | KEYMOD_LALT;

	CHECK_EQ_INT(press(de, KEY_Q, altgr), '@');
	CHECK_EQ_INT(press(de, KEY_E, altgr), 0x20ac);
	CHECK_EQ_INT(press(de, KEY_7, altgr), '{');
	CHECK_EQ_INT(press(de, KEY_8, altgr), '[');
	CHECK_EQ_INT(press(de, KEY_9, altgr), ']');
	CHECK_EQ_INT(press(de, KEY_0, altgr), '}');
	CHECK_EQ_INT(press(de, KEY_MINUS, altgr), '\\');
	CHECK_EQ_INT(press(de, KEY_RIGHTBRACE, altgr), '~');
	CHECK_EQ_INT(press(de, KEY_102ND, altgr), '|');
	CHECK_EQ_INT(press(de, KEY_M, altgr), 0xb5);
	CHECK_EQ_INT(press(de, KEY_2, altgr), 0xb2);
	CHECK_EQ_INT(press(de, KEY_3, altgr), 0xb3);
	CHECK_EQ_INT(press(de, KEY_Q, ctrl_alt), '@');
	CHECK_EQ_INT(press(de, KEY_Q, altgr | KEYMOD_CAPSLOCK), '@');
	/* No level 3 on A: AltGr is ignored. */
	CHECK_EQ_INT(press(de, KEY_A, altgr), 'a');
	CHECK_EQ_INT(press(uk, KEY_4, altgr), 0x20ac);
	CHECK_EQ_INT(press(uk, KEY_GRAVE, altgr), 0xa6);
	CHECK_EQ_INT(press(uk, KEY_E, altgr), 0xe9);
	/* Shift with AltGr capitalises a level-3 letter. */
	CHECK_EQ_INT(press(uk, KEY_E, altgr | KEYMOD_LSHIFT), 0xc9);
	CHECK_EQ_INT(press(uk, KEY_4, altgr | KEYMOD_LSHIFT), 0x20ac);
	/* US: AltGr is dead. */
	CHECK_EQ_INT(press(us, KEY_Q, altgr), 'q');
	CHECK_EQ_INT(press(us, KEY_2, altgr | KEYMOD_LSHIFT), '@');
	CHECK_EQ_INT(press(us, KEY_4, altgr), '4');
}
