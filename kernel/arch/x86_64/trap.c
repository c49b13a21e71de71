/*
 * The IDT and the trap dispatcher (Intel SDM Vol. 3A, chapter 6).
 *
 * Every vector has a stub (vectors.S). Exceptions are reported in full:
 * name, vector, error code, the CPU's frame, CR2 for page faults, every
 * general register and a backtrace. #BP and the 0x80 software trap return;
 * a fault at an instruction listed in the exception table is reported and
 * resumed at its fixup; anything else halts.
 */
#include "kern/arch.h"
#include "kern/ksym.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/trap.h"
#include "cpu.h"
#include "gdt.h"
#include "trap_frame.h"
#include "vectors.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/irqflags.h"
#include "kern/vm.h"

#define VEC_BREAKPOINT	   3
#define VEC_NMI		   2
#define VEC_DOUBLE_FAULT   8
#define VEC_MACHINE_CHECK  18
#define VEC_INVALID_OPCODE 6
#define VEC_PAGE_FAULT	   14
#define VEC_SYSCALL	   VECTOR_SYSCALL

const uintptr_t arch_unmapped_addr = VM_NEVER_MAPPED;
const unsigned long arch_read_fault_code = VEC_PAGE_FAULT;
const unsigned long arch_undefined_code = VEC_INVALID_OPCODE;
const bool arch_stack_guard = true;

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;	   /* bits 0-2: IST slot, 0 = none */
	uint8_t type_attr; /* P, DPL, type */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

static struct idt_gate idt[256] __aligned(16);

extern const char vector_stubs[];

static const char *const exception_names[32] = {
    "#DE Divide Error",
    "#DB Debug",
    "NMI Non-Maskable Interrupt",
    "#BP Breakpoint",
    "#OF Overflow",
    "#BR BOUND Range Exceeded",
    "#UD Invalid Opcode",
    "#NM Device Not Available",
    "#DF Double Fault",
    "Coprocessor Segment Overrun",
    "#TS Invalid TSS",
    "#NP Segment Not Present",
    "#SS Stack-Segment Fault",
    "#GP General Protection",
    "#PF Page Fault",
    "Reserved (15)",
    "#MF x87 Floating-Point Error",
    "#AC Alignment Check",
    "#MC Machine Check",
    "#XM SIMD Floating-Point",
    "#VE Virtualization Exception",
    "#CP Control Protection",
    "Reserved (22)",
    "Reserved (23)",
    "Reserved (24)",
    "Reserved (25)",
    "Reserved (26)",
    "Reserved (27)",
    "#HV Hypervisor Injection",
    "#VC VMM Communication",
    "#SX Security Exception",
    "Reserved (31)",
};

/*
 * Vectors 32-255, except the system-call trap, belong to interrupt
 * controllers, which claim them through the root hook (kern/irq.h).
 */
static struct {
	irq_entry_fn fn;
	void *data;
} vector_owner[NR_VECTORS];
static irq_entry_fn fallback_fn;
static void *fallback_data;

static bool vectors_free(unsigned int first, unsigned int count)
{
	for (unsigned int v = first; v < first + count; v++) {
		if (vector_owner[v].fn || v == VEC_SYSCALL) {
			return false;
		}
	}
	return true;
}

int arch_irq_entry_claim(unsigned int count, unsigned int align,
			 enum irq_entry_prio prio, irq_entry_fn fn, void *data)
{
	unsigned int slots;

	if (!fn || count == 0 || align == 0 ||
	    count > NR_VECTORS - VECTOR_IRQ_BASE) {
		return -EINVAL;
	}
	/* Candidates: first = k * align inside [VECTOR_IRQ_BASE, 256). */
	slots = (NR_VECTORS - count) / align + 1;
	for (unsigned int i = 0; i < slots; i++) {
		unsigned int k = prio == IRQ_ENTRY_HIGH ? slots - 1 - i : i;
		unsigned int first = k * align;

		if (first < VECTOR_IRQ_BASE || !vectors_free(first, count)) {
			continue;
		}
		for (unsigned int v = first; v < first + count; v++) {
			vector_owner[v].fn = fn;
			vector_owner[v].data = data;
		}
		return (int)first;
	}
	return -ENOSPC;
}

void arch_irq_entry_fallback(irq_entry_fn fn, void *data)
{
	fallback_fn = fn;
	fallback_data = data;
}

/* One exit per case: the owner's dispatch acknowledges its interrupt; an
 * unowned vector is counted and still ended at the local APIC. */
static void dispatch_vector(unsigned int vector)
{
	if (vector_owner[vector].fn) {
		vector_owner[vector].fn(vector, vector_owner[vector].data);
		return;
	}
	irq_note_unclaimed(vector);
	if (fallback_fn) {
		fallback_fn(vector, fallback_data);
	}
}

static void idt_set(unsigned vec, uint8_t ist)
{
	uintptr_t addr = (uintptr_t)vector_stubs + 16 * vec;

	idt[vec] = (struct idt_gate){
	    .offset_low = addr & 0xffff,
	    .selector = GDT_KERNEL_CODE,
	    .ist = ist,
	    .type_attr = GATE_INTERRUPT,
	    .offset_mid = (addr >> 16) & 0xffff,
	    .offset_high = addr >> 32,
	};
}

/* One IDT for every CPU: the IST slots it names are per CPU (each CPU's
 * own TSS, gdt.c), the vectors' owners are the same everywhere. */
void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = {sizeof(idt) - 1, (uintptr_t)idt};

	__asm__ volatile("lidt %0" ::"m"(ptr));
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		idt_set(v, 0);
	}
	idt_set(VEC_DOUBLE_FAULT, IST_DOUBLE_FAULT);
	idt_set(VEC_NMI, IST_NMI);
	idt_set(VEC_MACHINE_CHECK, IST_MACHINE_CHECK);
	idt_load();
}

static const char *vector_name(uint64_t vec)
{
	if (vec < 32) {
		return exception_names[vec];
	}
	return vec == VEC_SYSCALL ? "System call trap" : "Interrupt";
}

void trap_print_frame(const struct trap_frame *f)
{
	kprintf("RIP %016lx CS %04lx RFLAGS %016lx\n", f->rip, f->cs,
		f->rflags);
	kprintf("RSP %016lx SS %04lx CR3 %016lx\n", f->rsp, f->ss, read_cr3());
	kprintf("RAX %016lx RBX %016lx RCX %016lx\n", f->rax, f->rbx, f->rcx);
	kprintf("RDX %016lx RSI %016lx RDI %016lx\n", f->rdx, f->rsi, f->rdi);
	kprintf("RBP %016lx R8  %016lx R9  %016lx\n", f->rbp, f->r8, f->r9);
	kprintf("R10 %016lx R11 %016lx R12 %016lx\n", f->r10, f->r11, f->r12);
	kprintf("R13 %016lx R14 %016lx R15 %016lx\n", f->r13, f->r14, f->r15);
}

/* The page-fault error code bits (SDM Vol. 3A, 4.7). */
static void print_page_fault(const struct trap_frame *f, uint64_t cr2)
{
	uint64_t e = f->error;

	kprintf("CR2 %016lx (%s, %s, %s mode%s%s)\n", cr2,
		e & 1 ? "protection violation" : "page not present",
		e & 2	 ? "write"
		: e & 16 ? "instruction fetch"
			 : "read",
		e & 4 ? "user" : "kernel", e & 8 ? ", reserved bit set" : "",
		e & 32 ? ", protection key" : "");
}

/*
 * At a function's first instruction nothing of it is on the stack yet: the
 * return address is at RSP, and the caller is in no frame record (a leaf
 * such as arch_probe_read faults there). Name that caller too.
 */
static void print_entry_caller(const struct trap_frame *f)
{
	char sym[KSYM_FORMAT_SIZE];
	uintptr_t off;
	unsigned long ret;

	if (ksym_lookup(f->rip, &off) == NULL || off != 0 ||
	    arch_probe_read(f->rsp, &ret) != 0) {
		return;
	}
	kprintf("  #- 0x%lx %s (return address at RSP)\n", ret,
		ksym_format(sym, sizeof(sym), ret, true));
}

/*
 * A stack overflow: RSP in a guard page (kern/vm.h), or the fault address
 * there. The #PF of the overflowing push cannot push its own frame on the
 * same stack, so the CPU raises #DF instead (SDM Vol. 3A 6.15, interrupt
 * 8), which runs on its IST stack; CR2 still holds the #PF's address.
 */
static void report_overflow(const struct trap_frame *f, uint64_t cr2)
{
	/* A #PF that could push its frame did not come from RSP running
	 * into the guard: it is a stray access there, said as such. */
	bool guard_fault =
	    f->vector == VEC_DOUBLE_FAULT && vm_in_stack_guard(cr2);

	if (f->vector == VEC_PAGE_FAULT && vm_in_stack_guard(cr2) &&
	    !vm_in_stack_guard(f->rsp)) {
		kprintf("CR2 is in a stack's guard page (RSP is not)\n");
		return;
	}
	if (!vm_in_stack_guard(f->rsp) && !guard_fault) {
		return;
	}
	kprintf("kernel stack overflow in thread %s: RSP %016lx has reached "
		"the guard page below its stack (at %016lx)\n",
		thread_name(thread_current()), f->rsp,
		guard_fault ? cr2 : f->rsp);
}

static void report(const struct trap_frame *f, uint64_t cr2)
{
	kprintf("\n*** EXCEPTION %s (vector %lu) error code 0x%lx, in thread "
		"%s\n",
		vector_name(f->vector), f->vector, f->error,
		thread_name(thread_current()));
	if (f->vector == VEC_PAGE_FAULT) {
		print_page_fault(f, cr2);
	}
	report_overflow(f, cr2);
	trap_print_frame(f);
	backtrace_print_pc(f->rip, "faulting instruction");
	print_entry_caller(f);
	backtrace_print(f->rbp);
}

void trap_dispatch(struct trap_frame *f)
{
	/* Read CR2 first: a fault while reporting would overwrite it. */
	uint64_t cr2 =
	    f->vector == VEC_PAGE_FAULT || f->vector == VEC_DOUBLE_FAULT
		? read_cr2()
		: 0;
	uintptr_t fixup;

	switch (f->vector) {
	case VEC_BREAKPOINT:
		trap_note_breakpoint();
		kprintf("breakpoint (#BP) at %016lx, continuing\n", f->rip - 1);
		return;
	case VEC_SYSCALL:
		trap_note_syscall();
		f->rax += 1;
		return;
	}

	if (f->vector >= VECTOR_IRQ_BASE && f->vector < NR_VECTORS) {
		dispatch_vector((unsigned int)f->vector);
		irq_exit();
		return;
	}

	fixup = extable_find(f->rip);
	if (!fixup && f->vector != VEC_NMI) {
		smp_stop_for_fatal();
	}
	report(f, cr2);
	if (fixup) {
		trap_note_fixup(f->vector, vector_name(f->vector), f->rip, cr2);
		kprintf("*** fixed up by the exception table: resuming at "
			"%016lx\n",
			fixup);
		f->rip = fixup;
		return;
	}
	if (f->vector == VEC_NMI) {
		kprintf("*** NMI reported, continuing\n");
		return;
	}
	kprintf("*** fatal exception: system halted\n");
	arch_halt();
}
