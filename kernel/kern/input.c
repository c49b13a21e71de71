/* Scan codes to characters, layouts, the raw queue (kern/input.h). */
#include "kern/input.h"
#include "lib/keymap.h"
#include "lib/scancode.h"
#include "kern/console.h"
#include "kern/errno.h"
#include "kern/printf.h"
#include "kern/ring.h"
#include "kern/spinlock.h"
#include "kern/string.h"

static const struct keyboard_ops *keyboard;
static struct scancode_decoder decoder;
static const struct keymap *layout;
static bool raw_mode;
static uint8_t raw_storage[256];
static struct ring raw_ring = RING_INIT(raw_storage);
static struct spinlock lock = SPINLOCK_INIT("input");

/* Nothing typed is lost without a count (shown by `inputstat`). */
static struct input_stats {
	unsigned long bytes;	 /* scan-code bytes taken */
	unsigned long keys;	 /* presses that type something */
	unsigned long keys_lost; /* of those, not queued: console input full */
	unsigned long raw_lost;	 /* scan codes not queued in raw mode */
	unsigned long driver_lost; /* bytes the driver's ring could not take */
	bool losing;		   /* the last key was lost (say so once) */
} stats;

void input_register_keyboard(const struct keyboard_ops *ops)
{
	scancode_init(&decoder);
	if (!layout) {
		layout = keymap_find("us");
	}
	keyboard = ops;
}

bool input_present(void)
{
	return keyboard != NULL;
}

/*
 * All of an escape sequence or none of it: half of one is garbage. A key
 * that does not fit is counted, and the first of a run of them is
 * reported: nobody reads the console input, or not fast enough.
 */
static void push_string(const char *s)
{
	stats.keys++;
	if (console_input_space() < strlen(s)) {
		stats.keys_lost++;
		if (!stats.losing) {
			kprintf("input: console input full, keys dropped "
				"(inputstat counts them)\n");
		}
		stats.losing = true;
		return;
	}
	stats.losing = false;
	while (*s) {
		console_input_push((uint8_t)*s++);
	}
}

/* A code point to the console as UTF-8. */
static void push_codepoint(uint32_t cp)
{
	char utf8[4] = {0};

	if (cp < 0x80) {
		utf8[0] = (char)cp;
	} else if (cp < 0x800) {
		utf8[0] = (char)(0xc0 | cp >> 6);
		utf8[1] = (char)(0x80 | (cp & 0x3f));
	} else {
		utf8[0] = (char)(0xe0 | cp >> 12);
		utf8[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		utf8[2] = (char)(0x80 | (cp & 0x3f));
	}
	push_string(utf8); /* whole or not at all, like an escape */
}

/* Keys without a character: what a VT100 terminal sends for them (the
 * VT220's ESC [ n ~ for the editing keys, as xterm). */
static const char *key_escape(const struct key_event *ev)
{
	bool nav = !(ev->mods & KEYMOD_NUMLOCK); /* keypad as arrows */

	switch (ev->code) {
	case KEY_UP:
		return "\x1b[A";
	case KEY_DOWN:
		return "\x1b[B";
	case KEY_RIGHT:
		return "\x1b[C";
	case KEY_LEFT:
		return "\x1b[D";
	case KEY_HOME:
		return "\x1b[H";
	case KEY_END:
		return "\x1b[F";
	case KEY_DELETE:
		return "\x1b[3~";
	case KEY_INSERT:
		return "\x1b[2~";
	case KEY_PAGEUP:
		return "\x1b[5~";
	case KEY_PAGEDOWN:
		return "\x1b[6~";
	case KEY_KP0:
		return nav ? "\x1b[2~" : NULL;
	case KEY_KP9:
		return nav ? "\x1b[5~" : NULL;
	case KEY_KP3:
		return nav ? "\x1b[6~" : NULL;
	case KEY_KP8:
		return nav ? "\x1b[A" : NULL;
	case KEY_KP2:
		return nav ? "\x1b[B" : NULL;
	case KEY_KP6:
		return nav ? "\x1b[C" : NULL;
	case KEY_KP4:
		return nav ? "\x1b[D" : NULL;
	case KEY_KP7:
		return nav ? "\x1b[H" : NULL;
	case KEY_KP1:
		return nav ? "\x1b[F" : NULL;
	case KEY_KPDOT:
		return nav ? "\x1b[3~" : NULL;
	default:
		return NULL;
	}
}

void input_scancode(uint8_t byte)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	struct key_event ev;
	const char *esc;
	uint32_t cp;

	stats.bytes++;
	if (raw_mode && !ring_put(&raw_ring, byte)) {
		stats.raw_lost++;
	}
	if (!scancode_feed(&decoder, byte, &ev) || raw_mode || !ev.pressed) {
		goto out;
	}
	esc = key_escape(&ev);
	if (esc) {
		push_string(esc);
	} else if ((cp = keymap_translate(layout, &ev)) != 0) {
		push_codepoint(cp);
	}
out:
	spin_unlock_irqrestore(&lock, flags);
}

void input_note_dropped(void)
{
	__atomic_fetch_add(&stats.driver_lost, 1, __ATOMIC_RELAXED);
}

uint8_t input_leds(void)
{
	return scancode_leds(&decoder);
}

unsigned long input_bytes_seen(void)
{
	return __atomic_load_n(&stats.bytes, __ATOMIC_RELAXED);
}

void input_print_stats(void)
{
	unsigned long flags;
	struct scancode_decoder d;
	struct input_stats s;

	if (!keyboard) {
		kprintf("keyboard: none\n");
		return;
	}
	flags = spin_lock_irqsave(&lock);
	s = stats;
	d = decoder;
	spin_unlock_irqrestore(&lock, flags);
	kprintf("keyboard: %s, layout %s\n", keyboard->name, input_layout());
	kprintf("  scan codes %lu, keys %lu, dropped %lu (input queue full)\n",
		s.bytes, s.keys, s.keys_lost);
	kprintf("  raw dropped %lu (keytest raw queue full), overruns %lu "
		"(keyboard's buffer full), unknown %lu\n",
		s.raw_lost, (unsigned long)d.overruns,
		(unsigned long)d.unknown);
	kprintf("  driver queue full %lu (bytes lost between the handler "
		"and its tasklet)\n",
		s.driver_lost);
}

int input_set_layout(const char *name)
{
	const struct keymap *km = keymap_find(name);

	if (!km) {
		return -ENOENT;
	}
	layout = km;
	return 0;
}

const char *input_layout(void)
{
	return layout ? keymap_name(layout) : "none";
}

void input_print_layouts(void)
{
	for (size_t i = 0; i < keymap_count(); i++) {
		kprintf("  %s\n", keymap_name(keymap_at(i)));
	}
}

int input_raw_get(void)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	int c = ring_get(&raw_ring);

	spin_unlock_irqrestore(&lock, flags);
	return c;
}

void input_set_raw(bool on)
{
	unsigned long flags = spin_lock_irqsave(&lock);

	raw_mode = on;
	/* Start from what comes next, not from keys typed long ago. */
	raw_ring.tail = raw_ring.head;
	spin_unlock_irqrestore(&lock, flags);
}

int input_inject_scancode(uint8_t byte)
{
	if (!keyboard || !keyboard->inject) {
		return -ENODEV;
	}
	return keyboard->inject(byte);
}
