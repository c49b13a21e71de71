/*
 * The host's stand-in for kernel/arch/aarch64/include/asm/sysreg.h, so
 * that a GIC driver compiles into a host test: the barriers count
 * themselves (a test checks that a DSB came before an EOI). No system
 * register is reachable here: a driver that reads one is not host-tested.
 */
#ifndef TESTS_UNIT_ASM_SYSREG_H
#define TESTS_UNIT_ASM_SYSREG_H

extern unsigned long fake_dsb_count;

static inline void isb(void)
{
}

static inline void dsb_sy(void)
{
	fake_dsb_count++;
}

static inline void dsb_ish(void)
{
	fake_dsb_count++;
}

#endif
