/*
 * Keyboard input, portable part. A keyboard driver (i8042 on the PC)
 * hands every scan-code byte (set 1) to input_scancode() from its
 * bottom half (a tasklet: never in hard interrupt context, where the
 * driver only queues the bytes); this decodes it, translates it with the
 * current layout and queues characters (or VT100 escape sequences for keys
 * without one) on the console input, and keeps the raw bytes for keytest.
 * A key that does not fit in the console input is dropped whole and
 * counted, as is a raw byte that does not fit in the raw queue.
 */
#ifndef KERN_INPUT_H
#define KERN_INPUT_H

#include "kern/compiler.h"

struct keyboard_ops {
	const char *name;
	/* Deliver `byte` as if the keyboard sent it, through a real
	 * interrupt (self-test); may be NULL. */
	int (*inject)(uint8_t byte);
};

void input_register_keyboard(const struct keyboard_ops *ops);
bool input_present(void);

/* From the keyboard's bottom half, one byte at a time. */
void input_scancode(uint8_t byte);
/* The driver had no room for a byte between its two halves (counted). */
void input_note_dropped(void);
/* Lock LEDs the keyboard should show (bit 0 Scroll, 1 Num, 2 Caps). */
uint8_t input_leds(void);
/* Bytes input_scancode() has taken. */
unsigned long input_bytes_seen(void);
/* The keyboard's counters, lost keys among them (the shell's inputstat). */
void input_print_stats(void);

/* Select a layout by name ("us", "uk", "de"); -ENOENT if unknown. */
int input_set_layout(const char *name);
const char *input_layout(void);
void input_print_layouts(void);

/* Raw scan codes: -1 when none is queued. */
int input_raw_get(void);
/* While raw mode is on, keys go only to the raw queue (keytest raw). */
void input_set_raw(bool on);

/* See keyboard_ops.inject; -ENODEV without a keyboard that can. */
int input_inject_scancode(uint8_t byte);

#endif
