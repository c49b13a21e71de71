/*
 * The fuzz targets link only the parsers: what they print (an allocation
 * that failed, say) goes nowhere, formatted into a scratch buffer so the
 * arguments are still read (and checked by the sanitizers).
 */
#include <stdarg.h>
#include <stdio.h>
#include "kern/printf.h"

int kprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return n;
}
