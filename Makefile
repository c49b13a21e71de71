# kite: one Makefile for both ports. See README.md.
#
#   make run        boot in QEMU, shell on this terminal (Ctrl-A X quits)
#   make test       every test, both ports; ends with "N passed, N failed"
#
# Variables: ARCH=x86_64|aarch64, MACHINE=pc|q35, GIC=3|2, EL=2|1 (aarch64
# entry level), SMP, MEM, KVM=1, CMDLINE, QEMU_EXTRA, HZ (the tick rate;
# a change needs `make clean`), KMALLOC_DEBUG=0|1 (the heap's red zones,
# docs/memory.md; a change needs `make clean`), ACPI_SSDT (x86_64: an
# extra ACPI table, .dsl compiled with iasl or .aml, given to QEMU with
# -acpitable).

ARCH ?= x86_64
MACHINE ?= pc
GIC ?= 3
EL ?= 2
SMP ?= 1
MEM ?= 128M
KVM ?= 0
HZ ?= 1000
KMALLOC_DEBUG ?= 1
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
NM := llvm-nm
PYTHON := python3

BUILD := build/$(ARCH)
KERNEL_ELF := $(BUILD)/kite.elf

include kernel/arch/$(ARCH)/arch.mk

WARNINGS := -Wall -Wextra -Werror
KERNEL_CFLAGS := --target=$(ARCH_TARGET) -std=c11 $(WARNINGS) -O2 -g \
	-ffreestanding -fno-stack-protector -fno-pic -fno-pie \
	-fno-omit-frame-pointer -fno-common \
	-Ikernel/include -Ikernel -Ikernel/arch/$(ARCH)/include -DHZ=$(HZ) \
	-DKMALLOC_DEBUG=$(KMALLOC_DEBUG) \
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
	$(wildcard kernel/firmware/fdt/*.c) $(wildcard kernel/firmware/acpi/*.c) \
	$(wildcard kernel/firmware/acpi/aml/*.c)
HOST_KERNEL_SRCS += kernel/kern/device.c kernel/platform/pc_irq.c
HOST_KERNEL_SRCS += kernel/kern/serial.c kernel/drivers/serial/uart16550.c
HOST_KERNEL_SRCS += kernel/kern/ksym.c kernel/kern/tasklet.c
# (The scheduler's sources are built into tests/unit/fake_sched.c, with
# the timer queue and the clock renamed to its fakes.)
HOST_KERNEL_SRCS += kernel/drivers/timer/calibrate.c
HOST_KERNEL_SRCS += kernel/kern/bench.c kernel/kern/cpu.c
HOST_KERNEL_SRCS += kernel/platform/pc_apic_check.c
HOST_KERNEL_SRCS += kernel/kern/pgtable.c
HOST_KERNEL_SRCS += kernel/kern/page.c kernel/kern/mm_init.c \
	kernel/kern/kmalloc.c
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
	fuzz-corpus \
	check-format

all: $(KERNEL_IMAGE)

# Backtraces name functions (kern/ksym.h): the kernel links once with an
# empty symbol table, scripts/ksyms.py turns that link's function symbols
# into a C table, and the kernel links again with it. The table is
# read-only data, placed after .text, so the second link moves no
# function; ksyms.py --check fails the build if one moved.
KSYMS := $(PYTHON) scripts/ksyms.py --nm $(NM)
KSYM_DEPS := scripts/ksyms.py kernel/include/kern/ksym.h
LINK_DEPS := $(KERNEL_OBJS) kernel/arch/$(ARCH)/linker.ld

$(BUILD)/ksyms0.c: $(KSYM_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(KSYMS) --empty > $@.tmp && mv $@.tmp $@

$(BUILD)/kite0.elf: $(LINK_DEPS) $(BUILD)/ksyms0.o
	@echo "  LD      $@ (no symbol table)"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms0.o

$(BUILD)/ksyms.c: $(BUILD)/kite0.elf $(KSYM_DEPS)
	@echo "  KSYMS   $@"
	$(Q)$(KSYMS) $< > $@.tmp && mv $@.tmp $@

$(BUILD)/ksyms0.o $(BUILD)/ksyms.o: $(BUILD)/%.o: $(BUILD)/%.c
	@echo "  CC      $@"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(KERNEL_ELF): $(LINK_DEPS) $(BUILD)/ksyms.o
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@.tmp $(KERNEL_OBJS) $(BUILD)/ksyms.o
	$(Q)$(KSYMS) $@.tmp --check $(BUILD)/ksyms.c
	$(Q)mv $@.tmp $@

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
UNIT_CFLAGS := $(HOST_CFLAGS) -Itests/unit/include

# Host objects, one per source with its dependency file (-MMD -MP), so a
# changed kernel header rebuilds the host binaries that include it. The
# fuzz targets' objects carry libFuzzer's coverage instrumentation, so
# they are built apart from the unit test's.
UNIT_OBJS = $(patsubst %,$(HOST_BUILD)/unit-obj/%.o,$(UNIT_SRCS) \
	$(HOST_KERNEL_SRCS))

$(HOST_BUILD)/unit-obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

# The firmware readers and their tests allocate from tests/unit/host_mm.c
# (malloc, with a knob that fails the n-th allocation), not from the real
# heap that test_kmalloc.c re-initialises: host_mm.h, forced in first,
# renames their kmalloc() & co. The fuzz targets do the same.
HOST_MM_REDIRECT := -include tests/unit/host_mm.h
HOST_MM_UNIT_USERS := $(patsubst %,$(HOST_BUILD)/unit-obj/%.o, \
	$(wildcard kernel/firmware/acpi/*.c) $(wildcard kernel/firmware/fdt/*.c) \
	$(wildcard kernel/firmware/acpi/aml/*.c) \
	tests/unit/host_mm.c tests/unit/test_aml.c tests/unit/test_acpi.c \
	tests/unit/test_fdt.c kernel/kern/cpu.c tests/unit/test_cpu.c)
$(HOST_MM_UNIT_USERS): UNIT_CFLAGS += $(HOST_MM_REDIRECT)
$(HOST_MM_UNIT_USERS): tests/unit/host_mm.h

$(UNIT_BIN): $(UNIT_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) $(HOST_CFLAGS) $(UNIT_OBJS) -pthread -o $@

# The fuzz targets take only the pure parsers.
FUZZ_KERNEL_SRCS := $(wildcard kernel/firmware/fdt/*.c) \
	$(wildcard kernel/firmware/acpi/*.c) kernel/drivers/irqchip/gic_common.c \
	$(wildcard kernel/firmware/acpi/aml/*.c)
# ... and what the parsers call: the heap over malloc (with its failure
# knob, tests/unit/host_mm.c) and a kprintf that prints nowhere.
FUZZ_KERNEL_SRCS += tests/unit/host_mm.c tests/fuzz/support/fuzz_kprintf.c \
	kernel/kern/printf.c
FUZZ_OBJ := $(HOST_BUILD)/fuzz-obj
FUZZ_KERNEL_OBJS = $(patsubst %,$(FUZZ_OBJ)/%.o,$(FUZZ_KERNEL_SRCS))

$(FUZZ_OBJ)/%.c.o: HOST_CFLAGS += $(HOST_MM_REDIRECT)
$(FUZZ_KERNEL_OBJS) $(patsubst %,$(FUZZ_OBJ)/%.o,$(wildcard tests/fuzz/*.c)): \
		tests/unit/host_mm.h
$(FUZZ_OBJ)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@ (fuzzer coverage)"
	$(Q)$(CC) $(HOST_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_TARGETS): $(HOST_BUILD)/fuzz_%: $(FUZZ_OBJ)/tests/fuzz/fuzz_%.c.o \
		$(FUZZ_KERNEL_OBJS)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(HOST_CFLAGS) -fsanitize=fuzzer $^ -o $@

# amldump (tools/amldump/README.md): the AML interpreter on the host over
# ACPI table files, one JSON line per Device. build/host/amldump is built
# without sanitizers (speed: make bench times it); amldump-asan, with the
# host tests' ASan/UBSan, is what the corpus comparison runs
# (scripts/aml_corpus.py, a step of make test and make test-unit).
AMLDUMP_SRCS := $(wildcard tools/amldump/*.c) \
	$(wildcard kernel/firmware/acpi/aml/*.c) kernel/kern/printf.c \
	tests/unit/host_mm.c
AMLDUMP_FLAGS := -std=c11 $(WARNINGS) -g -fno-omit-frame-pointer \
	-Ikernel/include -Ikernel -Itests/unit -DKITE_HOST_TEST \
	$(HOST_MM_REDIRECT)
AMLDUMP := $(HOST_BUILD)/amldump
AMLDUMP_ASAN := $(HOST_BUILD)/amldump-asan

$(HOST_BUILD)/amldump-obj/%.c.o: %.c tests/unit/host_mm.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(AMLDUMP_FLAGS) -O2 -MMD -MP -c $< -o $@

$(HOST_BUILD)/amldump-asan-obj/%.c.o: %.c tests/unit/host_mm.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(AMLDUMP_FLAGS) -O1 -fsanitize=address,undefined \
		-fno-sanitize-recover=all -MMD -MP -c $< -o $@

$(AMLDUMP): $(patsubst %,$(HOST_BUILD)/amldump-obj/%.o,$(AMLDUMP_SRCS))
	@echo "  HOSTLD  $@"
	$(Q)$(CC) $^ -o $@

$(AMLDUMP_ASAN): $(patsubst %,$(HOST_BUILD)/amldump-asan-obj/%.o,$(AMLDUMP_SRCS))
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -fsanitize=address,undefined $^ -o $@

amldump: $(AMLDUMP)
test test-unit: $(AMLDUMP_ASAN)
bench: $(AMLDUMP)
.PHONY: amldump
-include $(patsubst %,$(HOST_BUILD)/amldump-obj/%.d,$(AMLDUMP_SRCS)) \
	$(patsubst %,$(HOST_BUILD)/amldump-asan-obj/%.d,$(AMLDUMP_SRCS))

test: deps kernels $(UNIT_BIN) $(FUZZ_TARGETS)
	$(PYTHON) scripts/test.py all $(TEST_ARGS)

test-unit: deps $(UNIT_BIN) $(FUZZ_TARGETS)
	$(PYTHON) scripts/test.py unit

test-qemu: deps kernels
	$(PYTHON) scripts/test.py qemu $(TEST_ARGS)

# Numbers, not verdicts (docs/bench.md): idle CPU against a halted floor
# guest, timer interrupts at idle, the guest's latency table, serial
# receive idle and with threads spinning. Both ports unless ARCH is given.
bench: deps kernels
	$(PYTHON) scripts/bench.py $(call given,ARCH,arch) \
		$(call given,MACHINE,machine) $(call given,GIC,gic)

# Fuzz each parser for FUZZ_SECONDS from its corpus (tests/fuzz/corpus),
# its fixtures and hand-made bad inputs (scripts/fuzz.py); prints runs and
# coverage per target. fuzz-corpus minimizes what the runs found back into
# tests/fuzz/corpus (commit the result).
fuzz: deps $(FUZZ_TARGETS)
	$(Q)$(PYTHON) scripts/fuzz.py run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-corpus: deps $(FUZZ_TARGETS)
	$(Q)$(PYTHON) scripts/fuzz.py merge $(FUZZ_TARGETS)

deps:
	@sh scripts/deps.sh

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

format:
	clang-format -i $(FORMAT_FILES)

check-format:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build

-include $(KERNEL_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(FUZZ_KERNEL_OBJS:.o=.d) \
	$(patsubst %,$(FUZZ_OBJ)/%.d,$(wildcard tests/fuzz/*.c))
