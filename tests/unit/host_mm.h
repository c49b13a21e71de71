/*
 * The kernel heap API (kern/mm.h) on the host, over malloc, for the
 * firmware readers' unit tests and the fuzz targets (tests/unit/host_mm.c).
 * Blocks are malloc'd to their exact size, so ASan sees a read past one,
 * and a leak is LeakSanitizer's to report.
 *
 * The unit binary also links the real heap (kern/kmalloc.c, tested over
 * its own arena by test_kmalloc.c, which re-initialises it): the readers
 * and their tests are compiled with this header forced in first
 * (-include, see the Makefile), which renames their kmalloc() & co. to
 * host_kmalloc() & co., so they never share the arena's state.
 *
 * Failure injection: host_mm_fail_at(n) makes the n-th allocation from
 * now (1 = the next one) return NULL, once; 0 turns it off. A test loops
 * n = 1, 2, ... until a run sees no injected failure, so every allocation
 * point fails in turn.
 */
#ifndef TESTS_UNIT_HOST_MM_H
#define TESTS_UNIT_HOST_MM_H

#include <stdbool.h>

#define kmalloc	 host_kmalloc
#define kzalloc	 host_kzalloc
#define krealloc host_krealloc
#define kfree	 host_kfree

void host_mm_fail_at(unsigned long n);
/* Whether the armed failure was taken (since the last host_mm_fail_at). */
bool host_mm_failed(void);
/* Blocks handed out and not yet freed (kmalloc/krealloc minus kfree). */
long host_mm_live(void);
/* Allocations attempted since the last host_mm_fail_at. */
unsigned long host_mm_calls(void);

#endif
