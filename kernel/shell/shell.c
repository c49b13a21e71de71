/*
 * The shell's line editor and dispatcher, run by the boot thread ("main"
 * in `ps`: its stack is the boot stack, whose guard page catches an
 * overflow on x86_64). Input comes from the console input queue (serial
 * receive and keyboard interrupts) as keys (shell/keys.h); while it is
 * empty the thread sleeps on the queue (`ps`: blocked on "console
 * input") until a producer's bottom half wakes it.
 *
 * Editing: printable characters insert at the cursor; Backspace/DEL
 * erase before it; Left/Right move it; Home/End (or Ctrl-A/Ctrl-E) jump;
 * Up/Down walk the history; Ctrl-U erases the line; Ctrl-C abandons it;
 * Enter runs it. The line is UTF-8: the cursor moves over, and Backspace
 * and Delete erase, whole characters (one column each: no wide or
 * combining characters yet). Arrows arrive as VT100 escape sequences (the
 * keyboard driver produces the same ones a terminal sends); modifiers on them
 * (Ctrl+Right) are ignored, sequences not understood ring the bell and
 * insert nothing, and Esc alone does nothing.
 */
#include "shell/shell.h"

#include "kern/console.h"
#include "kern/errno.h"
#include "kern/init.h"
#include "kern/printf.h"
#include "kern/string.h"
#include "shell/history.h"
#include "shell/keys.h"

/* As long a line as a terminal user can paste: 4095 bytes, what Linux's
 * tty takes in canonical mode (N_TTY_BUF_SIZE 4096 with the newline). */
#define LINE_MAX 4096
#define PROMPT	 "kite> "
#define BELL	 "\a"

_Static_assert(HISTORY_BYTES >= LINE_MAX - 1, "history holds a whole line");

#define CTRL(c)	      ((c)&0x1f)
#define KEY_BACKSPACE 0x08
#define KEY_DEL	      0x7f

struct line {
	char buf[LINE_MAX];
	size_t len;
	size_t cursor;
	size_t dropped; /* keys that did not fit (the line is then not run) */
};

/* What read_line() ended with. */
enum line_end {
	LINE_RUN,      /* Enter */
	LINE_CANCEL,   /* Ctrl-C */
	LINE_TOO_LONG, /* Enter, but keys were dropped: not run */
};

static struct history history;

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

const struct shell_command *shell_find(const char *name)
{
	for (size_t i = 0; i < shell_command_count; i++) {
		if (strcmp(name, shell_commands[i].name) == 0) {
			return &shell_commands[i];
		}
	}
	return NULL;
}

void shell_print_usage(const struct shell_command *cmd)
{
	kprintf("usage: %s%s%s\n  %s\n", cmd->name, *cmd->usage ? " " : "",
		cmd->usage, cmd->help);
}

static bool asks_help(const struct shell_command *cmd, int argc, char **argv)
{
	return !cmd->text && argc == 2 &&
	       (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);
}

int shell_execute(char *line)
{
	char *argv[SHELL_MAX_ARGS];
	int argc = shell_split(line, argv, SHELL_MAX_ARGS);
	const struct shell_command *cmd;
	int ret;

	if (argc < 0) {
		kprintf("too many words (at most %d)\n", SHELL_MAX_ARGS);
		return argc;
	}
	if (argc == 0) {
		return 0;
	}
	cmd = shell_find(argv[0]);
	if (!cmd) {
		kprintf("%s: unknown command (try 'help')\n", argv[0]);
		return -ENOENT;
	}
	if (asks_help(cmd, argc, argv)) {
		shell_print_usage(cmd);
		return 0;
	}
	/* Checked before it runs: `poweroff --help` must not power off. */
	ret = argc - 1 < cmd->min_args || argc - 1 > cmd->max_args
		  ? -EINVAL
		  : cmd->run(argc, argv);
	if (ret == -EINVAL) {
		shell_print_usage(cmd);
	}
	return ret;
}

/* A UTF-8 continuation byte: never where a character starts. */
static bool is_cont(char c)
{
	return ((uint8_t)c & 0xc0) == 0x80;
}

/* Where the character before (after) pos starts; pos is a boundary. */
static size_t char_before(const struct line *l, size_t pos)
{
	do {
		pos--;
	} while (pos && is_cont(l->buf[pos]));
	return pos;
}

static size_t char_after(const struct line *l, size_t pos)
{
	do {
		pos++;
	} while (pos < l->len && is_cont(l->buf[pos]));
	return pos;
}

/* Screen columns of n bytes: one per character. */
static size_t columns(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n; i++) {
		cols += !is_cont(s[i]);
	}
	return cols;
}

/* Reprint from the cursor to the end, clear what is left, put the
 * cursor back: the one way the screen is updated after an edit. */
static void redraw_tail(const struct line *l, size_t old_len)
{
	size_t n = l->len - l->cursor;

	console_write(l->buf + l->cursor, n);
	if (old_len > l->len) {
		kprintf("\x1b[K");
	}
	if (n) {
		kprintf("\x1b[%zuD", columns(l->buf + l->cursor, n));
	}
}

static void move_to(struct line *l, size_t pos)
{
	if (pos < l->cursor) {
		kprintf("\x1b[%zuD", columns(l->buf + pos, l->cursor - pos));
	} else if (pos > l->cursor) {
		console_write(l->buf + l->cursor, pos - l->cursor);
	}
	l->cursor = pos;
}

/* Replace the line with history entry `id` (an empty line if none). */
static void replace_line(struct line *l, uint32_t id)
{
	size_t old = l->len;
	int len;

	move_to(l, 0);
	len = history_get(&history, id, l->buf, LINE_MAX);
	l->len = len < 0 ? 0 : (size_t)len;
	l->cursor = 0;
	redraw_tail(l, old);
	move_to(l, l->len);
}

/*
 * A key that does not fit: ring the bell every time (Linux's tty does,
 * IMAXBEL) and say why once per line, then show the line again.
 */
static void line_full(struct line *l)
{
	size_t cursor = l->cursor;

	if (l->dropped++) {
		kprintf(BELL);
		return;
	}
	kprintf(BELL "\nline full (%d bytes at most): further keys are "
		     "dropped\n" PROMPT,
		LINE_MAX - 1);
	console_write(l->buf, l->len);
	l->cursor = l->len;
	move_to(l, cursor);
}

static void insert_key(struct line *l, const struct keyin *k)
{
	/* A character goes in whole or not at all. */
	if (l->len + k->len >= LINE_MAX) {
		line_full(l);
		return;
	}
	memmove(l->buf + l->cursor + k->len, l->buf + l->cursor,
		l->len - l->cursor);
	memcpy(l->buf + l->cursor, k->text, k->len);
	l->len += k->len;
	console_write(k->text, k->len);
	l->cursor += k->len;
	redraw_tail(l, l->len);
}

/* Erase the character at pos (the cursor is there). */
static void delete_at(struct line *l, size_t pos)
{
	size_t end = char_after(l, pos), old = l->len;

	memmove(l->buf + pos, l->buf + end, l->len - end);
	l->len -= end - pos;
	redraw_tail(l, old);
}

static void edit_key(struct line *l, enum keyin_kind k, uint32_t *hist)
{
	switch (k) {
	case KEYIN_LEFT:
		if (l->cursor) {
			move_to(l, char_before(l, l->cursor));
		}
		break;
	case KEYIN_RIGHT:
		if (l->cursor < l->len) {
			move_to(l, char_after(l, l->cursor));
		}
		break;
	case KEYIN_HOME:
		move_to(l, 0);
		break;
	case KEYIN_END:
		move_to(l, l->len);
		break;
	case KEYIN_DELETE:
		if (l->cursor < l->len) {
			delete_at(l, l->cursor);
		}
		break;
	case KEYIN_UP:
		if (*hist != history_oldest(&history)) {
			(*hist)--;
			replace_line(l, *hist);
		}
		break;
	case KEYIN_DOWN:
		/* history_end() itself is the new, empty line. */
		if (*hist != history_end(&history)) {
			(*hist)++;
			replace_line(l, *hist);
		}
		break;
	case KEYIN_UNKNOWN:
	case KEYIN_INVALID:
		kprintf(BELL); /* refused, and nothing inserted */
		break;
	default:
		break; /* Esc, Insert, PageUp/Down: nothing to do */
	}
}

/* A control key; true when it ends the line (*end says how). */
static bool ctrl_key(struct line *l, uint32_t c, uint32_t *hist,
		     enum line_end *end)
{
	if (c == '\r' || c == '\n') {
		move_to(l, l->len);
		kprintf("\n");
		l->buf[l->len] = '\0';
		*end = l->dropped ? LINE_TOO_LONG : LINE_RUN;
		return true;
	} else if (c == KEY_BACKSPACE || c == KEY_DEL) {
		if (l->cursor) {
			kprintf("\b");
			l->cursor = char_before(l, l->cursor);
			delete_at(l, l->cursor);
		}
	} else if (c == CTRL('u')) {
		replace_line(l, history_end(&history));
	} else if (c == CTRL('c')) {
		kprintf("^C\n");
		*end = LINE_CANCEL;
		return true;
	} else if (c == CTRL('a')) {
		edit_key(l, KEYIN_HOME, hist);
	} else if (c == CTRL('e')) {
		edit_key(l, KEYIN_END, hist);
	}
	return false;
}

/* Read one line into l->buf (NUL-terminated). */
static enum line_end read_line(struct line *l)
{
	uint32_t hist = history_end(&history);
	enum line_end end;

	l->len = l->cursor = l->dropped = 0;
	for (;;) {
		struct keyin k;

		shell_read_key(&k);
		if (k.kind == KEYIN_CHAR) {
			insert_key(l, &k);
		} else if (k.kind == KEYIN_CTRL) {
			if (ctrl_key(l, k.cp, &hist, &end)) {
				return end;
			}
		} else {
			edit_key(l, k.kind, &hist);
		}
	}
}

static __noreturn void shell_run(void)
{
	static struct line line;

	kprintf("Type 'help' for the commands.\n");
	for (;;) {
		kprintf(PROMPT);
		switch (read_line(&line)) {
		case LINE_RUN:
			history_add(&history, line.buf, line.len);
			shell_execute(line.buf);
			break;
		case LINE_TOO_LONG:
			/* Running what is left of a cut-off paste could do
			 * something nobody asked for. */
			history_add(&history, line.buf, line.len);
			kprintf("line too long: %zu key(s) past %d bytes were "
				"dropped; not run (Up recalls the rest)\n",
				line.dropped, LINE_MAX - 1);
			break;
		case LINE_CANCEL:
			break;
		}
	}
}

FIRST_TASK("shell", shell_run);
