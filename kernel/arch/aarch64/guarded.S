/*
 * Small routines around one instruction each (see kern/arch.h). An
 * instruction that may fault gets an __ex_table entry: the trap handler
 * reports the fault and resumes at the fixup, which returns -EFAULT.
 */
#define EFAULT 14

	.text

/* int arch_probe_read(uintptr_t addr, unsigned long *val) */
	.globl arch_probe_read
arch_probe_read:
1:	ldr	x2, [x0]
	str	x2, [x1]
	mov	w0, #0
	ret
2:	mov	w0, #-EFAULT
	ret
	.pushsection __ex_table, "a"
	.quad	1b, 2b
	.popsection

/* int arch_probe_undefined(void): UDF is permanently undefined. */
	.globl arch_probe_undefined
arch_probe_undefined:
1:	udf	#0
	mov	w0, #0
	ret
2:	mov	w0, #-EFAULT
	ret
	.pushsection __ex_table, "a"
	.quad	1b, 2b
	.popsection

/* void arch_breakpoint(void): ELR points at the brk; the handler steps. */
	.globl arch_breakpoint
arch_breakpoint:
	brk	#0
	ret

/* unsigned long arch_syscall_trap(unsigned long nr): answer in x0. */
	.globl arch_syscall_trap
arch_syscall_trap:
	svc	#0
	ret

/*
 * int semihosting_exit(unsigned long code): SYS_EXIT (0x18) with
 * ADP_Stopped_ApplicationExit (0x20026). Without -semihosting QEMU treats
 * HLT as undefined: the fixup returns -EFAULT and the caller falls back.
 */
	.globl semihosting_exit
semihosting_exit:
	sub	sp, sp, #16
	ldr	x1, =0x20026
	stp	x1, x0, [sp]
	mov	x1, sp
	mov	w0, #0x18
1:	hlt	#0xf000
	add	sp, sp, #16
	mov	w0, #0
	ret
2:	add	sp, sp, #16
	mov	w0, #-EFAULT
	ret
	.pushsection __ex_table, "a"
	.quad	1b, 2b
	.popsection

/*
 * void arch_capture_frame(struct trap_frame *f): the caller's registers
 * as a trap frame (for panic). ELR is the return address.
 */
	.globl arch_capture_frame
arch_capture_frame:
	stp	x0, x1, [x0, #0x00]
	stp	x2, x3, [x0, #0x10]
	stp	x4, x5, [x0, #0x20]
	stp	x6, x7, [x0, #0x30]
	stp	x8, x9, [x0, #0x40]
	stp	x10, x11, [x0, #0x50]
	stp	x12, x13, [x0, #0x60]
	stp	x14, x15, [x0, #0x70]
	stp	x16, x17, [x0, #0x80]
	stp	x18, x19, [x0, #0x90]
	stp	x20, x21, [x0, #0xa0]
	stp	x22, x23, [x0, #0xb0]
	stp	x24, x25, [x0, #0xc0]
	stp	x26, x27, [x0, #0xd0]
	stp	x28, x29, [x0, #0xe0]
	mov	x1, sp
	stp	x30, x1, [x0, #0xf0]
	mrs	x1, daif
	stp	x30, x1, [x0, #0x100]
	stp	xzr, xzr, [x0, #0x110]
	ldr	x1, [x0, #0x08]
	ret

/*
 * int semihosting_write0(const char *s): SYS_WRITE0 (0x04), x1 = the
 * NUL-terminated string (Arm semihosting 2.0, 6.4). The one channel left
 * when the device tree names no console; -EFAULT without -semihosting.
 */
	.globl semihosting_write0
semihosting_write0:
	mov	x1, x0
	mov	w0, #0x04
1:	hlt	#0xf000
	mov	w0, #0
	ret
2:	mov	w0, #-EFAULT
	ret
	.pushsection __ex_table, "a"
	.quad	1b, 2b
	.popsection

/*
 * int arch_probe_read32(uintptr_t addr, uint32_t *val): one 32-bit load,
 * for device registers a 64-bit access would be wrong for (GICD, GICR
 * frames take 32-bit accesses: GICv3 12.1.3).
 */
	.globl arch_probe_read32
arch_probe_read32:
1:	ldr	w2, [x0]
	str	w2, [x1]
	mov	w0, #0
	ret
2:	mov	w0, #-EFAULT
	ret
	.pushsection __ex_table, "a"
	.quad	1b, 2b
	.popsection
