/*
 * The register frame built on the stack by vectors.S: general registers
 * pushed by trap_common, vector and error code pushed by the stub, and the
 * five words the CPU pushes on every interrupt in long mode.
 */
#ifndef X86_64_TRAP_FRAME_H
#define X86_64_TRAP_FRAME_H

#include <stddef.h>
#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector; /* 0x78: pushed by the stub */
	uint64_t error;	 /* 0x80: by the CPU, or 0 by the stub */
	uint64_t rip;	 /* 0x88: from here on, by the CPU */
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

/* vectors.S and capture.S hard-code these offsets. */
_Static_assert(offsetof(struct trap_frame, rax) == 0x70, "frame layout");
_Static_assert(offsetof(struct trap_frame, vector) == 0x78, "frame layout");
_Static_assert(offsetof(struct trap_frame, rip) == 0x88, "frame layout");
_Static_assert(sizeof(struct trap_frame) == 0xb0, "frame layout");

void trap_print_frame(const struct trap_frame *f);

#endif
