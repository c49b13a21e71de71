/*
 * The kernel's printf engine (kern/printf.c), checked against what C's
 * printf specifies for the same conversions, and for the edge cases a
 * kernel hits: truncation, NULL strings, extreme values, bad formats.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kern/printf.h"
#include "unit.h"

/* Format with kite and with the host's libc; both must agree. */
#define CHECK_LIKE_LIBC(...)                                                   \
	do {                                                                   \
		char ours[256], theirs[256];                                   \
		int n1 = ksnprintf(ours, sizeof(ours), __VA_ARGS__);           \
		int n2 = snprintf(theirs, sizeof(theirs), __VA_ARGS__);        \
		CHECK_EQ_STR(ours, theirs);                                    \
		CHECK_EQ_INT(n1, n2);                                          \
	} while (0)

TEST(printf_integers)
{
	CHECK_LIKE_LIBC("%d %i %u", 0, -1, 4000000000u);
	CHECK_LIKE_LIBC("%d %d", INT_MIN, INT_MAX);
	CHECK_LIKE_LIBC("%ld %lu", LONG_MIN, ULONG_MAX);
	CHECK_LIKE_LIBC("%lld %llu", LLONG_MIN, ULLONG_MAX);
	CHECK_LIKE_LIBC("%zu %zx", (size_t)123456789, SIZE_MAX);
	CHECK_LIKE_LIBC("%x %X %lx", 0xdeadbeefu, 0xcafef00du, 0x1234ul);
	CHECK_LIKE_LIBC("%hhu %hd", (unsigned char)200, (short)-3000);
}

TEST(printf_width_and_flags)
{
	CHECK_LIKE_LIBC("[%5d] [%-5d] [%05d]", 42, 42, 42);
	CHECK_LIKE_LIBC("[%05d] [%-5d] [%5d]", -42, -42, -42);
	CHECK_LIKE_LIBC("[%016lx] [%-8x] [%08X]", 0xabcul, 0x1fu, 0xbeefu);
	CHECK_LIKE_LIBC("[%*d] [%-*d]", 6, 7, 6, 7);
	CHECK_LIKE_LIBC("[%*d]", -6, 7);
	CHECK_LIKE_LIBC("[%1d] [%2d]", 12345, 12345);
	CHECK_LIKE_LIBC("[%.3d] [%5.3d]", 7, 7);
	/* '#': the compiler accepts it, so kite must consume the argument. */
	CHECK_LIKE_LIBC("[%#x] [%#llx] [%#X] [%#010x] [%#x] %s", 0x1fu,
			0x123456789abull, 0xbeefu, 0x2au, 0u, "after");
}

TEST(printf_strings_and_chars)
{
	CHECK_LIKE_LIBC("[%s] [%10s] [%-10s]", "kite", "kite", "kite");
	CHECK_LIKE_LIBC("[%.2s] [%.*s] [%5.1s]", "kite", 3, "kite", "kite");
	CHECK_LIKE_LIBC("[%c] [%3c] [%-3c]", 'k', 'i', 't');
	CHECK_LIKE_LIBC("100%% [%%] %s", "done");
}

TEST(printf_null_string)
{
	char buf[32];

	ksnprintf(buf, sizeof(buf), "[%s]", (const char *)NULL);
	CHECK_EQ_STR(buf, "[(null)]");
}

TEST(printf_pointer)
{
	char buf[64];

	ksnprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	CHECK_EQ_STR(buf, "0x0000000000001234");
	ksnprintf(buf, sizeof(buf), "%p", (void *)UINTPTR_MAX);
	CHECK_EQ_STR(buf, "0xffffffffffffffff");
	ksnprintf(buf, sizeof(buf), "%p", NULL);
	CHECK_EQ_STR(buf, "0x0000000000000000");
}

TEST(printf_truncation)
{
	char buf[8];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, sizeof(buf), "%s", "0123456789");
	CHECK_EQ_INT(n, 10);
	CHECK_EQ_STR(buf, "0123456");

	/* size 1: only the NUL; size 0: nothing written at all. */
	memset(buf, 'X', sizeof(buf));
	n = ksnprintf(buf, 1, "abc");
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_INT(buf[0], 0);
	CHECK_EQ_INT(buf[1], 'X');
	n = ksnprintf(buf, 0, "abc%d", 12);
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_INT(buf[0], 0);
	CHECK_EQ_INT(buf[1], 'X');
}

/* These formats are wrong on purpose: the compiler must not reject them. */
#pragma clang diagnostic ignored "-Wformat"
#pragma clang diagnostic ignored "-Wformat-invalid-specifier"
TEST(printf_bad_formats_are_printed_as_written)
{
	char buf[32];
	int n;

	n = ksnprintf(buf, sizeof(buf), "a%qb");
	CHECK_EQ_STR(buf, "a%qb");
	CHECK_EQ_INT(n, 4);
	n = ksnprintf(buf, sizeof(buf), "end%");
	CHECK_EQ_STR(buf, "end%");
	CHECK_EQ_INT(n, 4);
	n = ksnprintf(buf, sizeof(buf), "w%-5");
	CHECK_EQ_STR(buf, "w%-5");
	CHECK_EQ_INT(n, 4);
}

struct count_ctx {
	char text[64];
	int len;
};

static void count_sink(char c, void *ctx)
{
	struct count_ctx *cc = ctx;

	if (cc->len < (int)sizeof(cc->text) - 1) {
		cc->text[cc->len] = c;
	}
	cc->len++;
}

static int format_to(struct count_ctx *cc, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvformat(count_sink, cc, fmt, ap);
	va_end(ap);
	return n;
}

TEST(printf_sink_sees_every_character)
{
	struct count_ctx cc = {0};
	int n = format_to(&cc, "%s=%d\n", "ticks", 1000);

	CHECK_EQ_INT(n, 11);
	CHECK_EQ_INT(cc.len, 11);
	CHECK_EQ_STR(cc.text, "ticks=1000\n");
}
