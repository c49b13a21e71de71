/*
 * The VBAR_EL1 vector table (Arm ARM D1.10.2): 16 entries of 0x80 bytes,
 * 2 KiB aligned. Each entry saves a struct trap_frame (trap_frame.h) and
 * calls trap_dispatch(frame, kind) with its index:
 *
 *   offset  kind  taken from              type
 *   0x000   0-3   current EL, SP_EL0      sync, IRQ, FIQ, SError
 *   0x200   4-7   current EL, SP_ELx      sync, IRQ, FIQ, SError  <- ours
 *   0x400   8-11  lower EL, AArch64       sync, IRQ, FIQ, SError
 *   0x600  12-15  lower EL, AArch32       sync, IRQ, FIQ, SError
 *
 * Stack overflow: before storing anything, each entry asks the MMU (AT
 * S1E1W, Arm ARM C5.5) whether the frame's lowest byte is writable. If
 * not, SP has run into a guard page (kern/vm.h), the store would fault,
 * and so would every entry after it; instead the entry moves to the
 * overflow stack and calls trap_stack_overflow(), which reports and
 * halts. Linux's arm64 entry tests one bit of SP instead, which needs
 * every stack THREAD_SIZE-aligned and THREAD_SIZE long; kite's stacks
 * come in any size (vm_stack_alloc) and the boot stack sits in BSS, so
 * the translation is asked, at the cost of an AT and an ISB per entry.
 *
 * Each CPU has its own overflow stack, found through its per-CPU area
 * (TPIDR_EL1 -> struct arch_percpu, percpu.h): two CPUs may overflow at
 * once.
 *
 * Scratch: TPIDRRO_EL0 holds x0 and TPIDR_EL0 the overflowing SP while
 * no register is free. Both are per-PE registers, so every CPU has its
 * own pair; kite runs nothing at EL0, so nobody else reads them.
 */
#include "percpu.h"

#define FRAME_SIZE  0x120
#define PAR_F	    0 /* PAR_EL1.F: the AT translation faulted */

.macro ventry kind
	.p2align 7
	sub	sp, sp, #FRAME_SIZE
	msr	tpidrro_el0, x0
	mov	x0, sp
	at	s1e1w, x0
	isb
	mrs	x0, par_el1
	tbnz	x0, #PAR_F, 1f
	mrs	x0, tpidrro_el0
	stp	x0, x1, [sp, #0x00]
	mov	x1, #\kind
	b	trap_entry
1:	mov	x0, sp
	msr	tpidr_el0, x0
	mrs	x0, tpidr_el1
	ldr	x0, [x0, #PERCPU_OVERFLOW_TOP]
	mov	sp, x0
	sub	sp, sp, #FRAME_SIZE
	mrs	x0, tpidrro_el0
	stp	x0, x1, [sp, #0x00]
	mov	x1, #\kind
	b	overflow_entry
.endm

/* x2-x29 into the frame at sp. */
.macro save_x2_x29
	stp	x2, x3, [sp, #0x10]
	stp	x4, x5, [sp, #0x20]
	stp	x6, x7, [sp, #0x30]
	stp	x8, x9, [sp, #0x40]
	stp	x10, x11, [sp, #0x50]
	stp	x12, x13, [sp, #0x60]
	stp	x14, x15, [sp, #0x70]
	stp	x16, x17, [sp, #0x80]
	stp	x18, x19, [sp, #0x90]
	stp	x20, x21, [sp, #0xa0]
	stp	x22, x23, [sp, #0xb0]
	stp	x24, x25, [sp, #0xc0]
	stp	x26, x27, [sp, #0xd0]
	stp	x28, x29, [sp, #0xe0]
.endm

/* ELR, SPSR, ESR, FAR into the frame at sp (x2, x3 clobbered). */
.macro save_sysregs
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #0x100]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #0x110]
.endm

	.text
	.p2align 11
	.globl vectors
vectors:
	ventry 0
	ventry 1
	ventry 2
	ventry 3
	ventry 4
	ventry 5
	ventry 6
	ventry 7
	ventry 8
	ventry 9
	ventry 10
	ventry 11
	ventry 12
	ventry 13
	ventry 14
	ventry 15

/* x0 and x1 are saved; x1 holds the kind. */
trap_entry:
	save_x2_x29
	add	x2, sp, #FRAME_SIZE
	stp	x30, x2, [sp, #0xf0]
	save_sysregs

	mov	x0, sp
	bl	trap_dispatch

	/* The handler may have changed ELR (fixups, stepping over brk). */
	ldp	x2, x3, [sp, #0x100]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x0, x1, [sp, #0x00]
	ldp	x2, x3, [sp, #0x10]
	ldp	x4, x5, [sp, #0x20]
	ldp	x6, x7, [sp, #0x30]
	ldp	x8, x9, [sp, #0x40]
	ldp	x10, x11, [sp, #0x50]
	ldp	x12, x13, [sp, #0x60]
	ldp	x14, x15, [sp, #0x70]
	ldp	x16, x17, [sp, #0x80]
	ldp	x18, x19, [sp, #0x90]
	ldp	x20, x21, [sp, #0xa0]
	ldp	x22, x23, [sp, #0xb0]
	ldp	x24, x25, [sp, #0xc0]
	ldp	x26, x27, [sp, #0xd0]
	ldp	x28, x29, [sp, #0xe0]
	ldr	x30, [sp, #0xf0]
	add	sp, sp, #FRAME_SIZE
	eret

/*
 * On the overflow stack, x0 and x1 saved, x1 the kind, TPIDR_EL0 the
 * overflowing SP less FRAME_SIZE. The frame records the SP the exception
 * interrupted, as trap_entry's does. trap_stack_overflow() does not
 * return.
 */
overflow_entry:
	save_x2_x29
	mrs	x2, tpidr_el0
	add	x2, x2, #FRAME_SIZE
	stp	x30, x2, [sp, #0xf0]
	save_sysregs
	mov	x0, sp
	bl	trap_stack_overflow
1:	wfi
	b	1b
