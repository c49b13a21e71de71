# x86_64: the files this port adds to the portable kernel.
ARCH_TARGET := x86_64-unknown-none-elf
ARCH_CFLAGS := -mno-red-zone -mgeneral-regs-only -mcmodel=small
ARCH_SRCS := \
	kernel/arch/x86_64/boot.S \
	kernel/arch/x86_64/vectors.S \
	kernel/arch/x86_64/guarded.S \
	kernel/arch/x86_64/switch.S \
	kernel/arch/x86_64/setup.c \
	kernel/arch/x86_64/gdt.c \
	kernel/arch/x86_64/percpu.c \
	kernel/arch/x86_64/trampoline.S \
	kernel/arch/x86_64/smpboot.c \
	kernel/arch/x86_64/trap.c \
	kernel/arch/x86_64/mmu.c \
	kernel/arch/x86_64/irqflags.c \
	kernel/arch/x86_64/pio.c \
	kernel/drivers/serial/uart16550.c \
	kernel/drivers/irqchip/i8259.c \
	kernel/drivers/irqchip/lapic.c \
	kernel/drivers/irqchip/ioapic.c \
	kernel/firmware/acpi/acpi.c \
	$(wildcard kernel/firmware/acpi/aml/*.c) \
	kernel/firmware/acpi/resource.c \
	kernel/firmware/acpi/mcfg.c \
	kernel/firmware/acpi/gpe_block.c \
	kernel/drivers/timer/pit.c \
	kernel/drivers/timer/calibrate.c \
	kernel/drivers/timer/acpi_pm.c \
	kernel/drivers/video/vgacon.c \
	kernel/drivers/input/i8042.c \
	kernel/drivers/input/kbd0001.c \
	kernel/drivers/acpi/sci.c \
	kernel/drivers/acpi/poweroff.c \
	kernel/drivers/acpi/gpe.c \
	kernel/drivers/acpi/notify.c \
	kernel/arch/x86_64/tsc.c \
	kernel/platform/pc_acpi.c \
	kernel/platform/pc_aml_host.c \
	kernel/platform/pc_irq.c \
	kernel/platform/pc_apic_check.c \
	kernel/platform/pc.c
# QEMU boots the ELF itself through its PVH note.
KERNEL_IMAGE = $(KERNEL_ELF)
