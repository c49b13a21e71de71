/*
 * The register frame vectors.S saves on every exception: x0-x30, the
 * interrupted SP, and the exception registers.
 */
#ifndef AARCH64_TRAP_FRAME_H
#define AARCH64_TRAP_FRAME_H

#include <stddef.h>
#include <stdint.h>

struct trap_frame {
	uint64_t x[31]; /* 0x000: x0..x30 (x29 = fp, x30 = lr) */
	uint64_t sp;	/* 0x0f8: SP before the exception */
	uint64_t elr;	/* 0x100: ELR_EL1, where to return */
	uint64_t spsr;	/* 0x108: SPSR_EL1 */
	uint64_t esr;	/* 0x110: ESR_EL1 */
	uint64_t far;	/* 0x118: FAR_EL1 */
};

/* vectors.S and guarded.S hard-code these offsets. */
_Static_assert(offsetof(struct trap_frame, sp) == 0xf8, "frame layout");
_Static_assert(offsetof(struct trap_frame, elr) == 0x100, "frame layout");
_Static_assert(offsetof(struct trap_frame, far) == 0x118, "frame layout");
_Static_assert(sizeof(struct trap_frame) == 0x120, "frame layout");

void trap_print_frame(const struct trap_frame *f);

#endif
