/*
 * The kernel's function symbols, for backtraces that name functions.
 *
 * The table is generated at build time from the linked kernel by
 * scripts/ksyms.py (see the Makefile: link, extract, link again; the
 * second link is checked to have moved no function). Entries are sorted
 * by address, one per address.
 */
#ifndef KERN_KSYM_H
#define KERN_KSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksym {
	uintptr_t addr;
	uintptr_t size; /* bytes of code from addr; 0 = only addr itself */
	const char *name;
};

extern const struct ksym ksym_table[];
extern const size_t ksym_count;

/*
 * The symbol whose code holds addr, and addr's offset into it; NULL when
 * no function holds it (addr outside the kernel's code, or in padding).
 * offset may be NULL.
 */
const struct ksym *ksym_lookup(uintptr_t addr, uintptr_t *offset);

/*
 * "name+0xoff" into buf (always NUL-terminated), or "?" when no function
 * holds addr. A return address is looked up one byte earlier: a call that
 * ends its function (a noreturn callee) returns just past the function,
 * yet the call belongs to it. Returns buf.
 */
const char *ksym_format(char *buf, size_t size, uintptr_t addr, bool is_return);

/* Room for any ksym_format() result. */
#define KSYM_FORMAT_SIZE 96

#endif
