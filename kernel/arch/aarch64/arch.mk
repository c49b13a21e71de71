# aarch64: the files this port adds to the portable kernel.
ARCH_TARGET := aarch64-unknown-none-elf
ARCH_CFLAGS := -mgeneral-regs-only -mstrict-align
ARCH_SRCS := \
	kernel/arch/aarch64/boot.S \
	kernel/arch/aarch64/vectors.S \
	kernel/arch/aarch64/guarded.S \
	kernel/arch/aarch64/switch.S \
	kernel/arch/aarch64/setup.c \
	kernel/arch/aarch64/trap.c \
	kernel/arch/aarch64/mmu.c \
	kernel/arch/aarch64/irqflags.c \
	kernel/arch/aarch64/percpu.c \
	kernel/arch/aarch64/pio.c \
	kernel/drivers/serial/pl011.c \
	kernel/drivers/irqchip/gicv3.c \
	kernel/drivers/irqchip/gicv2.c \
	kernel/drivers/irqchip/gic_common.c \
	kernel/drivers/irqchip/gic_smp.c \
	kernel/drivers/timer/arm_timer.c \
	kernel/platform/dt.c
# An arm64 Image (raw binary with the 64-byte header) so that QEMU
# passes the device tree in x0.
KERNEL_IMAGE = $(BUILD)/kite.img
