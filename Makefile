# kite: one Makefile for both ports. See README.md.
#
#   make run        boot in QEMU, shell on this terminal (Ctrl-A X quits)
#   make test       every test, both ports; ends with "N passed, N failed"
#
# Variables: ARCH=x86_64|aarch64, MACHINE=pc|q35, GIC=3|2, EL=2|1 (aarch64
# entry level), SMP, MEM, KVM=1, CMDLINE, QEMU_EXTRA, HZ (the tick rate;
# a change needs `make clean`), ACPI_SSDT (x86_64: an extra ACPI table,
# .dsl compiled with iasl or .aml, given to QEMU with -acpitable).

ARCH ?= x86_64
MACHINE ?= pc
GIC ?= 3
EL ?= 2
SMP ?= 1
MEM ?= 128M
KVM ?= 0
HZ ?= 1000
CMDLINE ?=
QEMU_EXTRA ?=
ACPI_SSDT ?=

ifeq ($(filter $(ARCH),x86_64 aarch64),)
$(error ARCH must be x86_64 or aarch64, not '$(ARCH)')
endif

# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

CC := clang
LD := ld.lld
OBJCOPY := llvm-objcopy
PYTHON := python3

BUILD := build/$(ARCH)
KERNEL_ELF := $(BUILD)/kite.elf

include kernel/arch/$(ARCH)/arch.mk

WARNINGS := -Wall -Wextra -Werror
KERNEL_CFLAGS := --target=$(ARCH_TARGET) -std=c11 $(WARNINGS) -O2 -g \
	-ffreestanding -fno-stack-protector -fno-pic -fno-pie \
	-fno-omit-frame-pointer -fno-common \
	-Ikernel/include -Ikernel -Ikernel/arch/$(ARCH)/include -DHZ=$(HZ) \
	$(ARCH_CFLAGS) -MMD -MP
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 \
	-T kernel/arch/$(ARCH)/linker.ld

# The portable core: every .c under kern/ and shell/, plus the firmware
# readers, on every port.
# kernel/lib/ is library code: pure functions over caller-owned state, no
# hardware, no kernel globals (the scan-code decoder and the keymaps that
# kern/input.c uses). It is not a driver, so it does not live in drivers/;
# it is not the core's state either, so not in kern/; host tests link it.
PORTABLE_SRCS := $(wildcard kernel/kern/*.c) $(wildcard kernel/shell/*.c) \
	$(wildcard kernel/firmware/fdt/*.c) \
	kernel/lib/scancode.c kernel/lib/keymap.c
KERNEL_SRCS := $(PORTABLE_SRCS) $(ARCH_SRCS)
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS))

# Host tests: the pure parts of the kernel, compiled for this machine
# with AddressSanitizer and UndefinedBehaviorSanitizer.
HOST_BUILD := build/host
HOST_CFLAGS := -std=c11 $(WARNINGS) -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Ikernel/include -Ikernel -DKITE_HOST_TEST
# (kern/string.c is left out: it would replace the C library's own.)
HOST_KERNEL_SRCS := kernel/kern/printf.c kernel/kern/crc32.c \
	kernel/kern/irq.c kernel/kern/spinlock.c kernel/drivers/irqchip/gic_common.c \
	kernel/lib/scancode.c kernel/lib/keymap.c \
	kernel/shell/history.c kernel/shell/keyseq.c \
	$(wildcard kernel/firmware/fdt/*.c) $(wildcard kernel/firmware/acpi/*.c)
HOST_KERNEL_SRCS += kernel/kern/device.c kernel/platform/pc_irq.c
HOST_KERNEL_SRCS += kernel/drivers/timer/calibrate.c
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BIN := $(HOST_BUILD)/unit
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(HOST_BUILD)/%,$(wildcard tests/fuzz/*.c))
FUZZ_SECONDS ?= 60

# The QEMU tests take the same variables; ARCH and MACHINE only when given
# explicitly (by default make test covers both ports, and pc and q35).
given = $(if $(filter command line,$(origin $(1))),--$(2) $($(1)))
TEST_ARGS = $(call given,ARCH,arch) $(call given,MACHINE,machine) \
	$(call given,GIC,gic) --el $(EL) --smp $(SMP) --mem $(MEM) \
	--kvm $(KVM) --extra "$(QEMU_EXTRA)"

QEMU_ARGS = --arch $(ARCH) --machine $(MACHINE) --gic $(GIC) --el $(EL) \
	--smp $(SMP) --mem $(MEM) --kvm $(KVM) --cmdline "$(CMDLINE)" \
	--extra "$(QEMU_EXTRA)" --acpi-ssdt "$(ACPI_SSDT)" --image $(KERNEL_IMAGE)

.PHONY: all run run-gui debug bench test test-unit test-qemu kernels fuzz deps clean format \
	check-format

all: $(KERNEL_IMAGE)

$(KERNEL_ELF): $(KERNEL_OBJS) kernel/arch/$(ARCH)/linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)

$(BUILD)/kite.img: $(KERNEL_ELF)
	@echo "  OBJCOPY $@"
	$(Q)$(OBJCOPY) -O binary $< $@

$(BUILD)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

run: deps all
	$(PYTHON) scripts/qemu.py run $(QEMU_ARGS)

# A QEMU window: the VGA screen and the PS/2 keyboard; serial stays here.
run-gui: deps all
	$(PYTHON) scripts/qemu.py run-gui $(QEMU_ARGS)

debug: deps all
	$(PYTHON) scripts/qemu.py debug $(QEMU_ARGS) --elf $(KERNEL_ELF)

# Both kernels, whatever ARCH says: the tests boot each port.
kernels:
	$(Q)$(MAKE) --no-print-directory ARCH=x86_64 all
	$(Q)$(MAKE) --no-print-directory ARCH=aarch64 all

# Some tests include the source they test, with a register mock or a
# collector in place of what it calls (tests/unit/test_i8259.c,
# test_gic.c, test_fdt.c); tests/unit/include stands in for the
# CPU-register headers those drivers include.
UNIT_DRIVER_SRCS := kernel/drivers/irqchip/i8259.c \
	kernel/drivers/irqchip/gicv2.c kernel/platform/dt.c
UNIT_CFLAGS := $(HOST_CFLAGS) -Itests/unit/include

$(UNIT_BIN): $(UNIT_SRCS) $(HOST_KERNEL_SRCS) $(wildcard tests/unit/*.h) \
		$(UNIT_DRIVER_SRCS) $(wildcard tests/unit/include/asm/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(UNIT_CFLAGS) $(UNIT_SRCS) $(HOST_KERNEL_SRCS) -o $@

# The fuzz targets take only the pure parsers.
FUZZ_KERNEL_SRCS := $(wildcard kernel/firmware/fdt/*.c) \
	$(wildcard kernel/firmware/acpi/*.c) kernel/drivers/irqchip/gic_common.c

$(HOST_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_KERNEL_SRCS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(HOST_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_KERNEL_SRCS) -o $@

test: deps kernels $(UNIT_BIN) $(FUZZ_TARGETS)
	$(PYTHON) scripts/test.py all $(TEST_ARGS)

test-unit: deps $(UNIT_BIN) $(FUZZ_TARGETS)
	$(PYTHON) scripts/test.py unit

test-qemu: deps kernels
	$(PYTHON) scripts/test.py qemu $(TEST_ARGS)

# Numbers, not verdicts: time to prompt, idle CPU, serial throughput.
bench: deps all
	$(PYTHON) scripts/bench.py --arch $(ARCH)

# Fuzz each parser for FUZZ_SECONDS, starting from the captured fixtures.
fuzz: deps $(FUZZ_TARGETS)
	@for f in $(FUZZ_TARGETS); do \
		mkdir -p $(HOST_BUILD)/corpus/$$(basename $$f); \
		echo "== $$f for $(FUZZ_SECONDS) s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
			$(HOST_BUILD)/corpus/$$(basename $$f) tests/fixtures \
			|| exit 1; \
	done

deps:
	@sh scripts/deps.sh

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

format:
	clang-format -i $(FORMAT_FILES)

check-format:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build

-include $(KERNEL_OBJS:.o=.d)
