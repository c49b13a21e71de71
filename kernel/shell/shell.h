/* The kernel shell: a user of kernel APIs, never a back door. */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include "kern/compiler.h"

#define SHELL_MAX_ARGS 8

struct shell_command {
	const char *name;
	const char *usage;
	const char *help;
	/* Returns 0 on success, a negative errno on bad usage. */
	int (*run)(int argc, char **argv);
};

extern const struct shell_command shell_commands[];
extern const size_t shell_command_count;

/* Split a line into words in place; returns the word count. */
int shell_split(char *line, char **argv, int max);

/* Run one command line; returns the command's result or -ENOENT. */
int shell_execute(char *line);

/* The shell runs as the kernel's first task (FIRST_TASK in kern/init.h). */

#endif
