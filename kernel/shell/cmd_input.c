/* Shell commands for the keyboard: kbdlayout and keytest. */
#include "kern/console.h"
#include "kern/errno.h"
#include "kern/input.h"
#include "kern/irqflags.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "shell/commands.h"

#define ASCII_ESC	   0x1b
#define SCANCODE_ESC_BREAK 0x81 /* set 1: Esc released */

int cmd_kbdlayout(int argc, char **argv)
{
	if (argc == 1) {
		kprintf("layout: %s; available:\n", input_layout());
		input_print_layouts();
		return 0;
	}
	if (argc != 2) {
		return -EINVAL;
	}
	if (input_set_layout(argv[1]) < 0) {
		kprintf("kbdlayout: no layout '%s'\n", argv[1]);
		return -ENOENT;
	}
	kprintf("layout: %s\n", input_layout());
	return 0;
}

/* Wait (halting) for the next raw scan code. */
static uint8_t raw_wait(void)
{
	unsigned long flags = arch_irq_save();
	int c;

	while ((c = input_raw_get()) < 0) {
		arch_wait_for_interrupt();
	}
	arch_irq_restore(flags);
	return (uint8_t)c;
}

/*
 * keytest: the seed's echo mode. Each character typed is reported as
 * "You typed: x"; with `raw`, each scan code byte from the keyboard.
 * Esc ends it.
 */
int cmd_keytest(int argc, char **argv)
{
	bool raw = argc == 2 && strcmp(argv[1], "raw") == 0;

	if (argc > 2 || (argc == 2 && !raw)) {
		return -EINVAL;
	}
	if (raw) {
		if (!input_present()) {
			kprintf("keytest: no keyboard\n");
			return -ENODEV;
		}
		/* Raw first, then say so: a key sent on seeing the line is
		 * never one that input_set_raw() drops as stale. */
		input_set_raw(true);
		kprintf("keytest: scan codes until Esc\n");
		for (;;) {
			uint8_t code = raw_wait();

			kprintf("scan code: 0x%02x\n", code);
			if (code == SCANCODE_ESC_BREAK) {
				break;
			}
		}
		input_set_raw(false);
		return 0;
	}
	kprintf("keytest: characters until Esc\n");
	for (;;) {
		int c = console_getc_wait();

		if (c == ASCII_ESC) {
			return 0;
		}
		if (c >= 0x20 && c < 0x7f) {
			kprintf("You typed: %c\n", c);
		} else {
			kprintf("You typed: 0x%02x\n", c);
		}
	}
}
