/*
 * The kernel's printf engine: parse one conversion at a time into a
 * struct spec, then emit it through the caller's sink.
 */
#include "kern/printf.h"

#include <stdint.h>

struct spec {
	bool left;     /* '-': pad on the right */
	bool zero;     /* '0': pad numbers with zeros */
	bool alt;      /* '#': 0x before a non-zero %x */
	int width;     /* minimum field width, 0 = none */
	int precision; /* -1 = none */
	int length; /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t
		     */
};

struct out {
	printf_sink_fn sink;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->sink(c, o->ctx);
	o->count++;
}

static void emit_pad(struct out *o, char c, int n)
{
	while (n-- > 0) {
		emit(o, c);
	}
}

static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s) {
		s = "(null)";
	}
	while (s[len] && (sp->precision < 0 || len < sp->precision)) {
		len++;
	}
	if (!sp->left) {
		emit_pad(o, ' ', sp->width - len);
	}
	for (int i = 0; i < len; i++) {
		emit(o, s[i]);
	}
	if (sp->left) {
		emit_pad(o, ' ', sp->width - len);
	}
}

/* Digits are produced backwards into a buffer big enough for 64 bits. */
static void emit_num(struct out *o, const struct spec *sp, uint64_t v,
		     bool negative, unsigned base, bool upper,
		     const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, plen = 0, zeros = 0, total;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->precision > n) {
		zeros = sp->precision - n;
	}
	if (negative) {
		prefix = "-";
	}
	if (prefix) {
		while (prefix[plen]) {
			plen++;
		}
	}
	total = plen + zeros + n;
	if (sp->zero && !sp->left && sp->precision < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left) {
		emit_pad(o, ' ', sp->width - total);
	}
	for (int i = 0; i < plen; i++) {
		emit(o, prefix[i]);
	}
	emit_pad(o, '0', zeros);
	while (n--) {
		emit(o, buf[n]);
	}
	if (sp->left) {
		emit_pad(o, ' ', sp->width - total);
	}
}

static int parse_int(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		if (v < 100000) {
			v = v * 10 + (**p - '0');
		}
		(*p)++;
	}
	return v;
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	case 3:
		return (int64_t)va_arg(*ap, size_t);
	case -1:
		return (short)va_arg(*ap, int);
	case -2:
		return (signed char)va_arg(*ap, int);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	case 3:
		return va_arg(*ap, size_t);
	case -1:
		return (unsigned short)va_arg(*ap, unsigned int);
	case -2:
		return (unsigned char)va_arg(*ap, unsigned int);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Reads flags, width, precision and length; leaves *p at the conversion. */
static void parse_spec(const char **p, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){.precision = -1};
	for (;; (*p)++) {
		if (**p == '-') {
			sp->left = true;
		} else if (**p == '0') {
			sp->zero = true;
		} else if (**p == '#') {
			sp->alt = true;
		} else {
			break;
		}
	}
	if (**p == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		(*p)++;
	} else {
		sp->width = parse_int(p);
	}
	if (**p == '.') {
		(*p)++;
		if (**p == '*') {
			sp->precision = va_arg(*ap, int);
			(*p)++;
		} else {
			sp->precision = parse_int(p);
		}
	}
	if (**p == 'l') {
		sp->length = 1;
		if (*++(*p) == 'l') {
			sp->length = 2;
			(*p)++;
		}
	} else if (**p == 'h') {
		sp->length = -1;
		if (*++(*p) == 'h') {
			sp->length = -2;
			(*p)++;
		}
	} else if (**p == 'z') {
		sp->length = 3;
		(*p)++;
	}
}

/*
 * One conversion: *p is its letter, start the '%' that began it. Returns
 * where the format goes on (the letter, or the one before the NUL of a
 * truncated spec, as the caller's p++ expects).
 */
static const char *convert(struct out *o, struct spec *sp, const char *p,
			   const char *start, va_list *args)
{
	int64_t sv;

	switch (*p) {
	case 's':
		emit_str(o, sp, va_arg(*args, const char *));
		break;
	case 'c': {
		char c[2] = {(char)va_arg(*args, int), 0};

		sp->precision = 1;
		emit_str(o, sp, c);
		break;
	}
	case 'd':
	case 'i':
		sv = arg_signed(sp, args);
		emit_num(o, sp, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, sv < 0,
			 10, false, NULL);
		break;
	case 'u':
		emit_num(o, sp, arg_unsigned(sp, args), false, 10, false, NULL);
		break;
	case 'x':
	case 'X': {
		uint64_t v = arg_unsigned(sp, args);

		emit_num(o, sp, v, false, 16, *p == 'X',
			 sp->alt && v ? (*p == 'X' ? "0X" : "0x") : NULL);
		break;
	}
	case 'p':
		sp->zero = true;
		sp->width = sp->width ? sp->width : 18;
		emit_num(o, sp, (uintptr_t)va_arg(*args, void *), false, 16,
			 false, "0x");
		break;
	case '%':
		emit(o, '%');
		break;
	default:
		/* Unknown or truncated: print it as written. */
		while (start <= p && *start) {
			emit(o, *start++);
		}
		if (!*p) {
			p--;
		}
		break;
	}
	return p;
}

int kvformat(printf_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = {.sink = sink, .ctx = ctx};
	struct spec sp;
	va_list args;

	/* A copy, so that parse_spec and friends can take a va_list *. */
	va_copy(args, ap);
	for (const char *p = fmt; *p; p++) {
		const char *start = p;

		if (*p != '%') {
			emit(&o, *p);
			continue;
		}
		p++;
		parse_spec(&p, &sp, &args);
		p = convert(&o, &sp, p, start, &args);
	}
	va_end(args);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t size;
	size_t pos;
};

static void buf_sink(char c, void *ctx)
{
	struct buf_ctx *b = ctx;

	if (b->pos + 1 < b->size) {
		b->buf[b->pos] = c;
	}
	b->pos++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_ctx b = {.buf = buf, .size = size};
	int n = kvformat(buf_sink, &b, fmt, ap);

	if (size) {
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	}
	return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
