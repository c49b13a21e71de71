/*
 * Small routines around one instruction each, used by the shell's `fault`
 * command, the in-kernel tests and the backtrace walker. An instruction
 * that may fault gets an __ex_table entry (kern/trap.h): the trap handler
 * reports the fault and resumes at the fixup, which returns -EFAULT.
 */
#define EFAULT 14

	.text

/* int arch_probe_read(uintptr_t addr, unsigned long *val) */
	.globl arch_probe_read
arch_probe_read:
1:	movq	(%rdi), %rax
	movq	%rax, (%rsi)
	xor	%eax, %eax
	ret
2:	mov	$-EFAULT, %eax
	ret
	.pushsection __ex_table, "a"
	.quad	1b, 2b
	.popsection

/* int arch_probe_undefined(void): ud2 is the architected invalid opcode. */
	.globl arch_probe_undefined
arch_probe_undefined:
1:	ud2
	xor	%eax, %eax
	ret
2:	mov	$-EFAULT, %eax
	ret
	.pushsection __ex_table, "a"
	.quad	1b, 2b
	.popsection

/* void arch_breakpoint(void): #BP is a trap, RIP already points past it. */
	.globl arch_breakpoint
arch_breakpoint:
	int3
	ret

/*
 * unsigned long arch_syscall_trap(unsigned long nr): vector 0x80, the
 * number in RAX; the handler answers in RAX.
 */
	.globl arch_syscall_trap
arch_syscall_trap:
	mov	%rdi, %rax
	int	$0x80
	ret

/*
 * void arch_capture_frame(struct trap_frame *f): the caller's registers
 * as a trap frame (for panic): RIP is the return address, RSP the
 * caller's stack pointer after the return. Scratch registers hold
 * whatever they held at the call.
 */
	.globl arch_capture_frame
arch_capture_frame:
	mov	%r15, 0x00(%rdi)
	mov	%r14, 0x08(%rdi)
	mov	%r13, 0x10(%rdi)
	mov	%r12, 0x18(%rdi)
	mov	%r11, 0x20(%rdi)
	mov	%r10, 0x28(%rdi)
	mov	%r9, 0x30(%rdi)
	mov	%r8, 0x38(%rdi)
	mov	%rbp, 0x40(%rdi)
	mov	%rdi, 0x48(%rdi)
	mov	%rsi, 0x50(%rdi)
	mov	%rdx, 0x58(%rdi)
	mov	%rcx, 0x60(%rdi)
	mov	%rbx, 0x68(%rdi)
	mov	%rax, 0x70(%rdi)
	movq	$0, 0x78(%rdi)
	movq	$0, 0x80(%rdi)
	mov	(%rsp), %rax
	mov	%rax, 0x88(%rdi)
	mov	%cs, %eax
	mov	%rax, 0x90(%rdi)
	pushfq
	popq	0x98(%rdi)
	lea	8(%rsp), %rax
	mov	%rax, 0xa0(%rdi)
	mov	%ss, %eax
	mov	%rax, 0xa8(%rdi)
	mov	0x70(%rdi), %rax
	ret
