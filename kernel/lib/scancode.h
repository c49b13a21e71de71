/*
 * PS/2 keyboard, scancode set 1 (what the i8042 hands over with its
 * translation bit on), decoded into layout-independent key events.
 *
 * The decoder is a pure state machine: no hardware, no globals, all state in
 * a struct scancode_decoder the caller owns. Feed it the bytes read from port
 * 0x60 one at a time; a byte that completes a key yields one key_event.
 *
 * Decisions a driver must know:
 * - Pause (E1 1D 45 E1 9D C5, which has no break code) yields two events: a
 *   press of KEY_PAUSE when 0x45 arrives and a release when 0xC5 arrives.
 *   Ctrl+Pause (Break) sends E0 46 / E0 C6, also decoded as KEY_PAUSE.
 * - Print Screen (E0 2A E0 37, release E0 B7 E0 AA), Ctrl+Print Screen
 *   (E0 37) and Alt+SysRq (54) are all KEY_SYSRQ. The "fake shifts" E0 2A,
 *   E0 AA, E0 36, E0 B6 that keyboards wrap around extended keys are
 *   ignored: they never change modifiers and never make events.
 * - 0xAA is the break of LeftShift (0x2A | 0x80). The keyboard's "self-test
 *   passed" reply is the same byte; it is decoded as a LeftShift release,
 *   harmless when Shift was not down.
 * - 0x00 and 0xFF (error/overrun), 0xEE (echo), 0xFA (ACK), 0xFC and 0xFD
 *   (self-test failed) and 0xFE (resend) are controller responses: no event,
 *   counted in d->responses, and any half-read prefix is dropped. 0x00 and
 *   0xFF also count in d->overruns: the keyboard's buffer overflowed and
 *   keys were lost before they reached the controller.
 * - An unexpected byte inside an E0 or E1 sequence abandons the sequence
 *   (counted in d->unknown); a byte that does not fit the Pause sequence is
 *   then decoded afresh, so the decoder never stays stuck in a prefix.
 * - Lock keys toggle their lock on a press that is not an auto-repeat
 *   (ev->repeat: the key was already down).
 */
#ifndef LIB_SCANCODE_H
#define LIB_SCANCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Physical keys of a 105-key (ISO) keyboard, named after their US 104
 * legend, in keyboard order (rows top to bottom, then the navigation block,
 * then the keypad). KEY_102ND is the extra ISO key left of Z.
 */
enum key_code {
	KEY_NONE = 0,
	/* Function row */
	KEY_ESC,
	KEY_F1,
	KEY_F2,
	KEY_F3,
	KEY_F4,
	KEY_F5,
	KEY_F6,
	KEY_F7,
	KEY_F8,
	KEY_F9,
	KEY_F10,
	KEY_F11,
	KEY_F12,
	KEY_SYSRQ, /* Print Screen */
	KEY_SCROLLLOCK,
	KEY_PAUSE,
	/* Number row */
	KEY_GRAVE,
	KEY_1,
	KEY_2,
	KEY_3,
	KEY_4,
	KEY_5,
	KEY_6,
	KEY_7,
	KEY_8,
	KEY_9,
	KEY_0,
	KEY_MINUS,
	KEY_EQUAL,
	KEY_BACKSPACE,
	/* Top letter row */
	KEY_TAB,
	KEY_Q,
	KEY_W,
	KEY_E,
	KEY_R,
	KEY_T,
	KEY_Y,
	KEY_U,
	KEY_I,
	KEY_O,
	KEY_P,
	KEY_LEFTBRACE,
	KEY_RIGHTBRACE,
	KEY_BACKSLASH, /* scancode 0x2B: # ~ on UK, # ' on DE */
	/* Home row */
	KEY_CAPSLOCK,
	KEY_A,
	KEY_S,
	KEY_D,
	KEY_F,
	KEY_G,
	KEY_H,
	KEY_J,
	KEY_K,
	KEY_L,
	KEY_SEMICOLON,
	KEY_APOSTROPHE,
	KEY_ENTER,
	/* Bottom row */
	KEY_LEFTSHIFT,
	KEY_102ND, /* scancode 0x56, ISO only */
	KEY_Z,
	KEY_X,
	KEY_C,
	KEY_V,
	KEY_B,
	KEY_N,
	KEY_M,
	KEY_COMMA,
	KEY_DOT,
	KEY_SLASH,
	KEY_RIGHTSHIFT,
	/* Space row */
	KEY_LEFTCTRL,
	KEY_LEFTMETA,
	KEY_LEFTALT,
	KEY_SPACE,
	KEY_RIGHTALT, /* AltGr */
	KEY_RIGHTMETA,
	KEY_MENU,
	KEY_RIGHTCTRL,
	/* Navigation block */
	KEY_INSERT,
	KEY_HOME,
	KEY_PAGEUP,
	KEY_DELETE,
	KEY_END,
	KEY_PAGEDOWN,
	KEY_UP,
	KEY_LEFT,
	KEY_DOWN,
	KEY_RIGHT,
	/* Keypad */
	KEY_NUMLOCK,
	KEY_KPSLASH,
	KEY_KPASTERISK,
	KEY_KPMINUS,
	KEY_KP7,
	KEY_KP8,
	KEY_KP9,
	KEY_KPPLUS,
	KEY_KP4,
	KEY_KP5,
	KEY_KP6,
	KEY_KP1,
	KEY_KP2,
	KEY_KP3,
	KEY_KPENTER,
	KEY_KP0,
	KEY_KPDOT,
	KEY_COUNT
};

/* Modifier and lock state, in key_event.mods. */
#define KEYMOD_LSHIFT	  (1u << 0)
#define KEYMOD_RSHIFT	  (1u << 1)
#define KEYMOD_LCTRL	  (1u << 2)
#define KEYMOD_RCTRL	  (1u << 3)
#define KEYMOD_LALT	  (1u << 4)
#define KEYMOD_RALT	  (1u << 5) /* AltGr */
#define KEYMOD_LMETA	  (1u << 6)
#define KEYMOD_RMETA	  (1u << 7)
#define KEYMOD_CAPSLOCK	  (1u << 8) /* lock states, not keys held */
#define KEYMOD_NUMLOCK	  (1u << 9)
#define KEYMOD_SCROLLLOCK (1u << 10)

#define KEYMOD_SHIFT (KEYMOD_LSHIFT | KEYMOD_RSHIFT)
#define KEYMOD_CTRL  (KEYMOD_LCTRL | KEYMOD_RCTRL)
#define KEYMOD_ALT   (KEYMOD_LALT | KEYMOD_RALT)
#define KEYMOD_META  (KEYMOD_LMETA | KEYMOD_RMETA)
#define KEYMOD_LOCKS (KEYMOD_CAPSLOCK | KEYMOD_NUMLOCK | KEYMOD_SCROLLLOCK)

/* Lock LED bits, in the order of the PS/2 Set LEDs command (0xED). */
#define SCANCODE_LED_SCROLL (1u << 0)
#define SCANCODE_LED_NUM    (1u << 1)
#define SCANCODE_LED_CAPS   (1u << 2)

struct key_event {
	uint16_t code; /* enum key_code */
	bool pressed;  /* false: released */
	bool repeat;   /* a press of a key already down (typematic repeat) */
	uint16_t mods; /* KEYMOD_* after applying this event */
};

struct scancode_decoder {
	/* Private: use the functions below. */
	bool e0;		/* an 0xE0 prefix is pending */
	uint8_t e1_pos;		/* bytes of the Pause sequence seen, 0 = none */
	uint16_t mods;		/* KEYMOD_* */
	uint16_t leds_reported; /* last LEDs scancode_leds_changed gave out */
	uint32_t down[(KEY_COUNT + 31) / 32]; /* keys held, by key code */
	/* Statistics, readable. */
	uint32_t unknown;   /* bytes or sequences not understood */
	uint32_t responses; /* controller responses (ACK, resend, overrun...) */
	uint32_t overruns;  /* of those, 0x00/0xFF: the keyboard lost keys */
};

void scancode_init(struct scancode_decoder *d);

/* Feed one byte from the keyboard; returns true and fills *ev when it
 * completes a key event. */
bool scancode_feed(struct scancode_decoder *d, uint8_t byte,
		   struct key_event *ev);

/* Is the decoder in the middle of a prefixed (E0 or E1) sequence? */
bool scancode_pending(const struct scancode_decoder *d);

/* The current KEYMOD_* state (modifiers held and locks). */
uint16_t scancode_mods(const struct scancode_decoder *d);

/* Set the lock states (KEYMOD_CAPSLOCK/NUMLOCK/SCROLLLOCK bits of `locks`,
 * others ignored), e.g. NumLock on at boot. */
void scancode_set_locks(struct scancode_decoder *d, uint16_t locks);

/* The lock LEDs wanted now, SCANCODE_LED_* (the 0xED command's argument). */
uint8_t scancode_leds(const struct scancode_decoder *d);

/*
 * Have the wanted LEDs changed since this function last returned? Stores
 * them in *leds either way. The first call after scancode_init always
 * reports a change, so the driver sets the LEDs once at start; after that
 * it sends 0xED only when this returns true.
 */
bool scancode_leds_changed(struct scancode_decoder *d, uint8_t *leds);

/* "A", "LeftShift", "KP7", "Pause"...; "None" for KEY_NONE, "?" when out of
 * range. */
const char *key_name(enum key_code code);

#endif
