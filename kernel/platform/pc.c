/*
 * The legacy PC's fixed devices. These are the conventional ISA
 * addresses every PC-compatible has used since the IBM PC/AT; drivers are
 * handed them from here and never spell them themselves.
 */
#include "platform/pc.h"

const struct pc_platform pc_platform = {
    .name = "pc",
    .com_ports = {0x3f8, 0x2f8, 0x3e8, 0x2e8},
    .console_baud = 115200,
    /* QEMU's isa-debug-exit, placed there by scripts/qemu.py. */
    .debug_exit_port = 0xf4,
};
