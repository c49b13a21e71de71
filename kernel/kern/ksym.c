/*
 * Address to function name, over the generated table (kern/ksym.h). A
 * binary search: backtraces run in panics and exceptions, and must not
 * take long or need anything but the table.
 */
#include "kern/ksym.h"
#include "kern/printf.h"

const struct ksym *ksym_lookup(uintptr_t addr, uintptr_t *offset)
{
	size_t lo = 0, hi = ksym_count;
	const struct ksym *s;

	/* The last entry with s->addr <= addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ksym_table[mid].addr <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo == 0) {
		return NULL;
	}
	s = &ksym_table[lo - 1];
	if (addr - s->addr >= s->size && addr != s->addr) {
		return NULL;
	}
	if (offset != NULL) {
		*offset = addr - s->addr;
	}
	return s;
}

const char *ksym_format(char *buf, size_t size, uintptr_t addr, bool is_return)
{
	const struct ksym *s = ksym_lookup(is_return ? addr - 1 : addr, NULL);

	if (s == NULL) {
		ksnprintf(buf, size, "?");
	} else {
		ksnprintf(buf, size, "%s+0x%lx", s->name,
			  (unsigned long)(addr - s->addr));
	}
	return buf;
}
