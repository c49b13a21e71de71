/*
 * Keyboard layouts: key events (lib/scancode.h) to Unicode code
 * points. Three layouts: "us" (US 104), "uk" (UK 105), "de" (German 105,
 * T1 as in DIN 2137).
 *
 * What keymap_translate gives for a press (a release always gives 0):
 * - Printing keys: level 1, or level 2 with Shift. Caps Lock inverts Shift
 *   for letters only (a-z, and ä ö ü on "de"), never for digits or
 *   punctuation.
 * - AltGr (Right Alt, or Ctrl+Left Alt) selects level 3 where the layout
 *   has one (Shift then gives the capital of a level-3 letter, é -> É); on a
 *   key without a level 3, and on every key of "us", it is ignored.
 * - Ctrl+key gives the control character of what the key would type: the
 *   layout's letter (Ctrl+C = 3; "de" Ctrl+Z is KEY_Y), or [ \ ] ^ _ -> 27
 *   28 29 30 31. Other keys type as without Ctrl. Ctrl+@ (NUL) gives 0.
 * - Left Alt and Meta are not applied: the driver decides (ESC prefix...).
 * - Enter and keypad Enter '\n', Backspace 0x7f (DEL, as terminals send),
 *   Tab '\t', Esc 0x1b, Space ' '.
 * - Keypad / * - + always give their character. KP0-9 and KPDOT give digits
 *   and the decimal separator ('.' on us and uk, ',' on de) when Num Lock
 *   is on and Shift is not held; otherwise 0, like the navigation keys they
 *   double as (the driver maps those).
 * - 0 for everything else: modifiers, locks, function keys, arrows, Home,
 *   End, PgUp, PgDn, Insert, Delete, Pause, SysRq, Menu.
 * Dead keys (^ ´ ` on "de") give their spacing character; nothing composes.
 */
#ifndef LIB_KEYMAP_H
#define LIB_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/scancode.h"

struct keymap;

/* "us", "uk", "de"; NULL if unknown. */
const struct keymap *keymap_find(const char *name);
/* The short name ("de"), and a longer one to show ("German"). */
const char *keymap_name(const struct keymap *km);
const char *keymap_description(const struct keymap *km);

/* To list them: keymap_at(0) .. keymap_at(keymap_count() - 1); NULL past
 * the end. keymap_at(0) is "us", the default. */
size_t keymap_count(void);
const struct keymap *keymap_at(size_t i);

/* The Unicode code point this event types, 0 for none (see above). */
uint32_t keymap_translate(const struct keymap *km, const struct key_event *ev);

#endif
