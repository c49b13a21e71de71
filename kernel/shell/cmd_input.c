/* Shell commands for the keyboard: kbdlayout, keytest and inputstat. */
#include "kern/console.h"
#include "kern/errno.h"
#include "kern/input.h"
#include "kern/irqflags.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "shell/commands.h"
#include "shell/keys.h"

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

/* keytest raw: each scan-code byte; Esc's release (set 1: 0x81) ends. */
static int keytest_raw(void)
{
	if (!input_present()) {
		kprintf("keytest: no keyboard\n");
		return -ENODEV;
	}
	/* Raw first, then say so: a key sent on seeing the line is never one
	 * that input_set_raw() drops as stale. */
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

/*
 * keytest: each key typed is reported as "You typed: x" (a character, a
 * key's name such as "Ctrl+Right", or a control byte in hex); with `raw`,
 * each scan code byte from the keyboard. The Esc key ends it: the key,
 * not the byte 0x1b that also starts the arrows' escape sequences.
 */
int cmd_keytest(int argc, char **argv)
{
	struct keyin k;
	char name[32];

	if (argc == 2) {
		return strcmp(argv[1], "raw") == 0 ? keytest_raw() : -EINVAL;
	}
	kprintf("keytest: keys until Esc\n");
	for (shell_read_key(&k); k.kind != KEYIN_ESC; shell_read_key(&k)) {
		keyin_name(&k, name, sizeof(name));
		kprintf("You typed: %s\n", name);
	}
	return 0;
}

int cmd_inputstat(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		return -EINVAL;
	}
	input_print_stats();
	return 0;
}
