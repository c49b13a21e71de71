/*
 * The shell's line editor and dispatcher. Input is polled for now (the
 * interrupt-driven console comes with the interrupt core).
 *
 * Editing: printable characters insert, Backspace/DEL erases one, Ctrl-U
 * erases the line, Ctrl-C abandons it, Enter runs it. Escape sequences
 * (arrow keys) are swallowed rather than inserted.
 */
#include "shell/shell.h"

#include "kern/arch.h"
#include "kern/console.h"
#include "kern/errno.h"
#include "kern/printf.h"
#include "kern/string.h"

#define LINE_MAX 128
#define PROMPT	 "kite> "

#define CTRL(c)	      ((c)&0x1f)
#define KEY_BACKSPACE 0x08
#define KEY_DEL	      0x7f
#define KEY_ESC	      0x1b

int shell_split(char *line, char **argv, int max)
{
	int argc = 0;

	while (*line) {
		while (*line == ' ' || *line == '\t') {
			*line++ = '\0';
		}
		if (!*line) {
			break;
		}
		if (argc == max) {
			return -E2BIG;
		}
		argv[argc++] = line;
		while (*line && *line != ' ' && *line != '\t') {
			line++;
		}
	}
	return argc;
}

int shell_execute(char *line)
{
	char *argv[SHELL_MAX_ARGS];
	int argc = shell_split(line, argv, SHELL_MAX_ARGS);

	if (argc < 0) {
		kprintf("too many words (at most %d)\n", SHELL_MAX_ARGS);
		return argc;
	}
	if (argc == 0) {
		return 0;
	}
	for (size_t i = 0; i < shell_command_count; i++) {
		const struct shell_command *cmd = &shell_commands[i];

		if (strcmp(argv[0], cmd->name) == 0) {
			int ret = cmd->run(argc, argv);

			if (ret == -EINVAL) {
				kprintf("usage: %s %s\n", cmd->name,
					cmd->usage);
			}
			return ret;
		}
	}
	kprintf("%s: unknown command (try 'help')\n", argv[0]);
	return -ENOENT;
}

/* Halts until input arrives (polls before input is interrupt-driven). */
static int wait_key(void)
{
	return console_getc_wait();
}

/* Consume the rest of an escape sequence: ESC [ params final-byte. */
static void skip_escape(void)
{
	int c = wait_key();

	if (c != '[' && c != 'O') {
		return;
	}
	do {
		c = wait_key();
	} while (c >= 0x20 && c < 0x40);
}

static void erase_chars(size_t n)
{
	while (n--) {
		kprintf("\b \b");
	}
}

/* Read one line into buf (NUL-terminated); returns false on Ctrl-C. */
static bool read_line(char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		int c = wait_key();

		if (c == '\r' || c == '\n') {
			kprintf("\n");
			buf[len] = '\0';
			return true;
		} else if (c == KEY_BACKSPACE || c == KEY_DEL) {
			if (len) {
				len--;
				erase_chars(1);
			}
		} else if (c == CTRL('u')) {
			erase_chars(len);
			len = 0;
		} else if (c == CTRL('c')) {
			kprintf("^C\n");
			return false;
		} else if (c == KEY_ESC) {
			skip_escape();
		} else if (c >= 0x20 && c < 0x7f && len + 1 < size) {
			buf[len++] = (char)c;
			console_putc((char)c);
		}
	}
}

void shell_run(void)
{
	char line[LINE_MAX];

	kprintf("Type 'help' for the commands.\n");
	for (;;) {
		kprintf(PROMPT);
		if (read_line(line, sizeof(line))) {
			shell_execute(line);
		}
	}
}
