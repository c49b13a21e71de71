/* The kernel shell: a user of kernel APIs, never a back door. */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include "kern/compiler.h"

#define SHELL_MAX_ARGS 64 /* words on a line, the command's name included */

struct shell_command {
	const char *name;
	/* Arguments after the name: the dispatcher refuses a count outside
	 * [min_args, max_args] with the usage, before the command runs. */
	uint8_t min_args, max_args;
	/* The arguments are text (echo): "-h" and "--help" are not asked
	 * for help but passed on. */
	bool text;
	const char *usage;
	const char *help;
	/* Returns 0 on success, -EINVAL on bad usage (the dispatcher then
	 * prints the usage), another negative errno on failure. */
	int (*run)(int argc, char **argv);
};

extern const struct shell_command shell_commands[];
extern const size_t shell_command_count;

/* Split a line into words in place; returns the word count. */
int shell_split(char *line, char **argv, int max);

/* Run one command line; returns the command's result or -ENOENT. */
int shell_execute(char *line);

/* A command by name, or NULL. */
const struct shell_command *shell_find(const char *name);
/* "usage: NAME USAGE" and what it does, for a mistake or `help NAME`. */
void shell_print_usage(const struct shell_command *cmd);

/* The shell runs as the kernel's first task (FIRST_TASK in kern/init.h). */

#endif
