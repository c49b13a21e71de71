/*
 * kprintf for the interpreter on the host: to stderr, unless --quiet
 * (the interpreter's messages go through the host ops' log; this is for
 * anything that calls kprintf directly).
 */
#include <stdarg.h>
#include <stdio.h>
#include "amldump.h"
#include "kern/printf.h"

bool amldump_kprintf_quiet;

int kvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);

	if (!amldump_kprintf_quiet) {
		fputs(buf, stderr);
	}
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
