/* AArch64 system register access and barriers, one line each. */
#ifndef AARCH64_SYSREG_H
#define AARCH64_SYSREG_H

#include <stdint.h>

#define read_sysreg(reg)                                                       \
	({                                                                     \
		uint64_t _v;                                                   \
		__asm__ volatile("mrs %0, " #reg : "=r"(_v));                  \
		_v;                                                            \
	})

#define write_sysreg(reg, v)                                                   \
	__asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(v)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

static inline void dsb_ish(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}

#endif
