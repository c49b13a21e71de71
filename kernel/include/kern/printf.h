/*
 * Formatted output. The formatter is pure (it only calls the sink it is
 * given), so it runs both in the kernel and in the host unit tests.
 *
 * Conversions: %s %c %d %i %u %x %X %p %%; length modifiers hh h l ll z;
 * flags '-' (left align), '0' (zero pad) and '#' (0x before a
 * non-zero %x); field width and precision,
 * either as digits or '*'. %p prints "0x" and 16 hex digits. An unknown
 * conversion is printed as written, so a bad format never faults.
 */
#ifndef KERN_PRINTF_H
#define KERN_PRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include "kern/compiler.h"

/* Where formatted characters go; ctx is the caller's. */
typedef void (*printf_sink_fn)(char c, void *ctx);

/* Format into sink; returns the number of characters produced. */
int kvformat(printf_sink_fn sink, void *ctx, const char *fmt, va_list ap);

/*
 * C99 snprintf semantics: at most size-1 characters and a NUL are written,
 * the return value is the length the full output would have had.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf_like(3, 4);

/* To the console (kern/console.c). */
int kvprintf(const char *fmt, va_list ap);
int kprintf(const char *fmt, ...) __printf_like(1, 2);

#endif
