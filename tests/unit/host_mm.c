/*
 * kern/mm.h's heap over the host's malloc, with a failure knob
 * (tests/unit/host_mm.h). Pages are not served: no host code asks.
 */
#include <stdlib.h>
#include <string.h>
#include "kern/mm.h"
#include "host_mm.h"

static unsigned long fail_at, calls;
static bool failed;
static long live;

void host_mm_fail_at(unsigned long n)
{
	fail_at = n;
	calls = 0;
	failed = false;
}

bool host_mm_failed(void)
{
	return failed;
}

long host_mm_live(void)
{
	return live;
}

unsigned long host_mm_calls(void)
{
	return calls;
}

/* True if this allocation is the one to fail. */
static bool inject(void)
{
	calls++;
	if (fail_at && calls == fail_at) {
		failed = true;
		return true;
	}
	return false;
}

void *kmalloc(size_t size, unsigned int flags)
{
	void *p;

	if (inject()) {
		return NULL;
	}
	p = malloc(size ? size : 1);
	if (p && (flags & KM_ZERO)) {
		memset(p, 0, size);
	}
	live += p != NULL;
	return p;
}

void *kzalloc(size_t size, unsigned int flags)
{
	return kmalloc(size, flags | KM_ZERO);
}

void *krealloc(void *ptr, size_t size, unsigned int flags)
{
	void *p;

	if (ptr == NULL) {
		return kmalloc(size, flags);
	}
	if (inject()) {
		return NULL; /* the old block stays as it was */
	}
	p = realloc(ptr, size ? size : 1);
	return p;
}

void kfree(void *ptr)
{
	live -= ptr != NULL;
	free(ptr);
}
