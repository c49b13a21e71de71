/* The shell's command handlers, grouped by file. */
#ifndef SHELL_COMMANDS_H
#define SHELL_COMMANDS_H

#include "kern/compiler.h"

/* Decimal arguments: within [0, max] / [1, max]; false if malformed. */
bool parse_uint(const char *s, unsigned long max, unsigned long *out);
bool parse_count(const char *s, unsigned long max, unsigned long *out);

int cmd_irqstat(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_uptime(int argc, char **argv);
int cmd_ticks(int argc, char **argv);
int cmd_serialstat(int argc, char **argv);
int cmd_rxcheck(int argc, char **argv);
int cmd_timerdemo(int argc, char **argv);
int cmd_printstress(int argc, char **argv);
int cmd_kbdlayout(int argc, char **argv);
int cmd_keytest(int argc, char **argv);
int cmd_inputstat(int argc, char **argv);
int cmd_sleep(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_spin(int argc, char **argv);
int cmd_meminfo(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_pslater(int argc, char **argv);
int cmd_cpus(int argc, char **argv);
int cmd_irqaffinity(int argc, char **argv);

#endif
