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
 */
#define FRAME_SIZE 0x120

.macro ventry kind
	.p2align 7
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0x00]
	mov	x1, #\kind
	b	trap_entry
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
	add	x2, sp, #FRAME_SIZE
	stp	x30, x2, [sp, #0xf0]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #0x100]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #0x110]

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
