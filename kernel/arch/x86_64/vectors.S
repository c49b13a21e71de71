/*
 * The 256 interrupt entry stubs, built by one macro. Each stub is 16 bytes
 * (so idt.c finds stub n at vector_stubs + 16 * n), makes the stack look
 * the same whether or not the CPU pushed an error code, pushes the vector
 * number and jumps to trap_common.
 *
 * The vectors for which the CPU pushes an error code (Intel SDM Vol. 3A,
 * Table 6-1): 8 #DF, 10 #TS, 11 #NP, 12 #SS, 13 #GP, 14 #PF, 17 #AC,
 * 21 #CP, 29 #VC, 30 #SX. This is the only place that list is written.
 */
#define HAS_ERROR_CODE(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || \
	(n) == 17 || (n) == 21 || (n) == 29 || (n) == 30)

	.text
	.p2align 4
	.globl vector_stubs
vector_stubs:
	.set	vec, 0
	.rept	256
	.p2align 4
	.if	!HAS_ERROR_CODE(vec)
	pushq	$0
	.endif
	pushq	$vec
	jmp	trap_common
	.set	vec, vec + 1
	.endr

/*
 * Save every general register to complete a struct trap_frame
 * (trap_frame.h), call trap_dispatch(frame), restore and return. The CPU
 * aligned RSP to 16 before pushing its frame; 22 words later it is still
 * aligned at the call, as the ABI wants.
 */
trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	mov	%rsp, %rdi
	call	trap_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	add	$16, %rsp		/* vector and error code */
	iretq
