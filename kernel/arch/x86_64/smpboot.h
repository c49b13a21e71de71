/* What setup.c needs of smpboot.c. */
#ifndef X86_64_SMPBOOT_H
#define X86_64_SMPBOOT_H

#include "kern/boot.h"
#include "kern/mm.h"

/*
 * Choose the AP trampoline's page: RAM below 1 MiB touching none of
 * avoid[0..n) (what the port reserves already). Its address (the caller
 * reserves it from the page allocator), or 0 if none is free: then no
 * other CPU can start (said at the first try).
 */
uint64_t x86_trampoline_reserve(const struct boot_info *bi,
				const struct mm_reserved *avoid,
				unsigned int n);

#endif
