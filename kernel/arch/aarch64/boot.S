/*
 * AArch64 entry as an arm64 Linux "Image" (Documentation/arm64/booting
 * in Linux describes the 64-byte header): with this header QEMU's
 * `-kernel` loads us 2 MiB into RAM and passes the device tree blob's
 * address in x0 (an ELF kernel would get x0 = 0).
 *
 * Steps: if entered at EL2, configure EL2 so EL1 can run unhindered and
 * drop to EL1; set up SCTLR_EL1, the FP/SIMD enable, the stack, the
 * per-CPU area (TPIDR_EL1, percpu.h), clear BSS, install the vector
 * table, call aarch64_entry(dtb, entry_el).
 *
 * The other CPUs enter at secondary_entry (below), started by PSCI
 * CPU_ON at the same exception level with the MMU off.
 */
#include "percpu.h"

#define SPSR_EL1H_MASKED	0x3c5	/* EL1h, D A I F all masked */
#define HCR_EL2_RW		(1 << 31)	/* EL1 is AArch64 */
#define CNTHCTL_EL1PCTEN	(1 << 0)	/* EL1 may read the counter */
#define CNTHCTL_EL1PCEN		(1 << 1)	/* EL1 may use its phys timer */
#define CPTR_EL2_RES1		0x33ff		/* TFP clear: no FP trap */
#define SCTLR_EL1_RES1		0x30d00800	/* MMU, caches off */
#define CPACR_EL1_FPEN		(3 << 20)
#define ICC_SRE_EL2		s3_4_c12_c9_5
#define ICC_SRE_SRE		(1 << 0)
#define ICC_SRE_ENABLE		(1 << 3)	/* EL1 may set its own SRE */

/*
 * At EL2: let EL1 run unhindered (AArch64, the physical counter and
 * timer, no FP or system register traps, the GICv3 system registers),
 * then drop to EL1h at target with every exception masked. Clobbers x1,
 * x2. The boot CPU and every secondary go through here alike.
 */
.macro el2_to_el1 target
	mov	x1, #HCR_EL2_RW
	msr	hcr_el2, x1
	mrs	x1, cnthctl_el2
	orr	x1, x1, #(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
	msr	cnthctl_el2, x1
	msr	cntvoff_el2, xzr
	mov	x1, #CPTR_EL2_RES1
	msr	cptr_el2, x1
	msr	hstr_el2, xzr
	/* GICv3 system registers: let EL1 use them (ID_AA64PFR0_EL1.GIC). */
	mrs	x1, id_aa64pfr0_el1
	ubfx	x1, x1, #24, #4
	cbz	x1, 1f
	mrs	x1, ICC_SRE_EL2
	mov	x2, #(ICC_SRE_SRE | ICC_SRE_ENABLE)
	orr	x1, x1, x2
	msr	ICC_SRE_EL2, x1
	isb
1:	ldr	x1, =SCTLR_EL1_RES1
	msr	sctlr_el1, x1
	mov	x1, #SPSR_EL1H_MASKED
	msr	spsr_el2, x1
	adr	x1, \target
	msr	elr_el2, x1
	eret
.endm

	.section .head.text, "ax"
	.globl _start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: 2 MiB-aligned base + 0 */
	.quad	__image_size		/* image_size, BSS included */
	.quad	0x2			/* flags: little endian, 4 KiB pages */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

primary_entry:
	mov	x19, x0			/* the DTB */

	/* We are linked to run where QEMU loads us; check, or stop. */
	adr	x1, _start
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	park

	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	cmp	x20, #2
	b.eq	from_el2
	cmp	x20, #1
	b.eq	at_el1
	b	park			/* EL3: not supported */

from_el2:
	el2_to_el1 at_el1

at_el1:
	ldr	x1, =SCTLR_EL1_RES1
	msr	sctlr_el1, x1
	mov	x1, #CPACR_EL1_FPEN
	msr	cpacr_el1, x1
	isb

	ldr	x1, =boot_stack_top
	mov	sp, x1
	/* The boot CPU's per-CPU area (initialised data: no BSS clear). */
	ldr	x1, =arch_percpu
	msr	tpidr_el1, x1
	str	w20, [x1, #PERCPU_ENTRY_EL]

	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b

2:	ldr	x1, =vectors
	msr	vbar_el1, x1
	isb

	mov	x0, x19
	mov	x1, x20
	mov	x29, xzr		/* ends the backtrace */
	mov	x30, xzr
	bl	aarch64_entry
park:
	msr	daifset, #0xf
	wfi
	b	park

/*
 * A secondary CPU, from PSCI CPU_ON (DEN0022 5.6): MMU and caches off, at
 * the boot CPU's entry level (EL2 or EL1), x0 the context id: the
 * physical address of its struct cpu_boot (percpu.h; identity-mapped, so
 * the same address once the MMU is on). Drop to EL1 as the boot CPU did,
 * load the boot CPU's translation registers, invalidate this CPU's TLB
 * and instruction cache (their contents are unknown at reset: Arm ARM
 * D8.14), turn the MMU on, then the vectors, the per-CPU area and the
 * stack, and call the entry with every exception still masked.
 */
	.text
	.globl	secondary_entry
secondary_entry:
	mov	x19, x0
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	cmp	x20, #2
	b.eq	secondary_el2
	cmp	x20, #1
	b.eq	secondary_el1
	b	park
secondary_el2:
	el2_to_el1 secondary_el1
secondary_el1:
	ldr	x1, =SCTLR_EL1_RES1
	msr	sctlr_el1, x1
	mov	x1, #CPACR_EL1_FPEN
	msr	cpacr_el1, x1
	ldr	x1, [x19, #CPU_BOOT_MAIR]
	msr	mair_el1, x1
	ldr	x1, [x19, #CPU_BOOT_TCR]
	msr	tcr_el1, x1
	ldr	x1, [x19, #CPU_BOOT_TTBR0]
	msr	ttbr0_el1, x1
	isb
	tlbi	vmalle1
	ic	iallu
	dsb	nsh
	isb
	ldr	x1, [x19, #CPU_BOOT_SCTLR]
	msr	sctlr_el1, x1
	isb
	ldr	x1, [x19, #CPU_BOOT_VBAR]
	msr	vbar_el1, x1
	ldr	x1, [x19, #CPU_BOOT_TPIDR]
	msr	tpidr_el1, x1
	str	w20, [x1, #PERCPU_ENTRY_EL]
	ldr	x1, [x19, #CPU_BOOT_SP]
	mov	sp, x1
	ldr	x2, [x19, #CPU_BOOT_ENTRY]
	isb
	mov	x29, xzr		/* ends the backtrace */
	mov	x30, xzr
	blr	x2
	b	park

/*
 * The boot stack, with a guard page below it that mmu.c leaves unmapped:
 * an overflow faults there, and vectors.S sees the exception frame would
 * land in it and moves to the overflow stack to report it.
 */
	.bss
	.p2align 12
	.globl	boot_stack_guard, boot_stack_top
boot_stack_guard:
	.skip	4096
	.skip	16384
boot_stack_top:
