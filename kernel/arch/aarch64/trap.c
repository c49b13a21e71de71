/*
 * Exception decode and dispatch for AArch64 (Arm ARM D17.2.37, ESR_EL1).
 *
 * Synchronous exceptions are reported by class name with ESR, ELR, FAR,
 * SPSR, every register and a backtrace. BRK is stepped over and SVC
 * returns; a fault at an instruction in the exception table is reported and
 * resumed at its fixup; anything else, and every FIQ and SError, halts.
 */
#include "kern/arch.h"
#include "kern/errno.h"
#include "kern/irq.h"
#include "kern/ksym.h"
#include "kern/panic.h"
#include "kern/printf.h"
#include "kern/irqflags.h"
#include "kern/sched.h"
#include "kern/smp.h"
#include "kern/trap.h"
#include "kern/vm.h"
#include "trap_frame.h"

/* ESR_EL1.EC values used below. */
#define EC_UNKNOWN  0x00
#define EC_SVC64    0x15
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_BRK64    0x3c

#define ESR_EC(esr)  (((esr) >> 26) & 0x3f)
#define ESR_IL	     (1u << 25)
#define ESR_ISS(esr) ((esr)&0x1ffffff)
#define ISS_DABT_WNR (1u << 6)
#define ISS_ABT_FNV  (1u << 10)

#define BRK_INSN_SIZE 4

const uintptr_t arch_unmapped_addr = VM_NEVER_MAPPED;
const unsigned long arch_read_fault_code = EC_DABT_CUR;
const unsigned long arch_undefined_code = EC_UNKNOWN;
/* Guard pages below every stack; vectors.S checks at each entry. */
const bool arch_stack_guard = true;

enum vector_kind {
	KIND_SYNC,
	KIND_IRQ,
	KIND_FIQ,
	KIND_SERROR,
};

static const char *const kind_names[] = {"Synchronous", "IRQ", "FIQ", "SError"};
static const char *const origin_names[] = {
    "current EL, SP_EL0", "current EL, SP_ELx", "lower EL, AArch64",
    "lower EL, AArch32"};

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case 0x00:
		return "Unknown reason (undefined instruction)";
	case 0x01:
		return "Trapped WFI/WFE";
	case 0x07:
		return "SIMD/FP access trap";
	case 0x0e:
		return "Illegal execution state";
	case 0x15:
		return "SVC (AArch64)";
	case 0x16:
		return "HVC (AArch64)";
	case 0x17:
		return "SMC (AArch64)";
	case 0x18:
		return "Trapped MSR/MRS/system instruction";
	case 0x20:
		return "Instruction abort (lower EL)";
	case 0x21:
		return "Instruction abort (same EL)";
	case 0x22:
		return "PC alignment fault";
	case 0x24:
		return "Data abort (lower EL)";
	case 0x25:
		return "Data abort (same EL)";
	case 0x26:
		return "SP alignment fault";
	case 0x2c:
		return "Floating-point exception";
	case 0x2f:
		return "SError";
	case 0x30:
	case 0x31:
		return "Breakpoint (hardware)";
	case 0x32:
	case 0x33:
		return "Software step";
	case 0x34:
	case 0x35:
		return "Watchpoint";
	case 0x3c:
		return "BRK (AArch64)";
	default:
		return "Reserved or unhandled class";
	}
}

/* The fault status code of an abort's ISS (DFSC/IFSC, bits 5:0). */
static void print_fault_status(uint64_t esr)
{
	unsigned fsc = esr & 0x3f, level = fsc & 3;
	const char *what;

	switch (fsc >> 2) {
	case 0:
		what = "address size fault";
		break;
	case 1:
		what = "translation fault";
		break;
	case 2:
		what = "access flag fault";
		break;
	case 3:
		what = "permission fault";
		break;
	default:
		what = fsc == 0x10   ? "synchronous external abort"
		       : fsc == 0x21 ? "alignment fault"
				     : "other fault";
		level = 0;
		break;
	}
	kprintf("FSC 0x%02x: %s, level %u%s%s\n", fsc, what, level,
		ESR_EC(esr) >= EC_DABT_LOW && (esr & ISS_DABT_WNR) ? ", write"
								   : ", read",
		esr & ISS_ABT_FNV ? ", FAR not valid" : "");
}

void trap_print_frame(const struct trap_frame *f)
{
	char sym[KSYM_FORMAT_SIZE];

	kprintf("ELR  %016lx SPSR %016lx SP   %016lx\n", f->elr, f->spsr,
		f->sp);
	for (int i = 0; i < 30; i += 3) {
		kprintf("x%-2d  %016lx x%-2d  %016lx x%-2d  %016lx\n", i,
			f->x[i], i + 1, f->x[i + 1], i + 2, f->x[i + 2]);
	}
	/* A leaf function keeps its caller only in lr: name it. */
	kprintf("x30  %016lx (lr) %s\n", f->x[30],
		ksym_format(sym, sizeof(sym), f->x[30], true));
}

static void report(const struct trap_frame *f, unsigned kind)
{
	unsigned ec = ESR_EC(f->esr);

	kprintf("\n*** EXCEPTION %s from %s, in thread %s\n",
		kind_names[kind % 4], origin_names[kind / 4],
		thread_name(thread_current()));
	if (kind % 4 == KIND_SYNC || kind % 4 == KIND_SERROR) {
		kprintf("ESR  %016lx EC 0x%02x %s, IL %u, ISS 0x%07lx\n",
			f->esr, ec, ec_name(ec), f->esr & ESR_IL ? 32 : 16,
			ESR_ISS(f->esr));
	}
	/* FAR_EL1 is only valid for aborts and alignment faults. */
	if (kind % 4 == KIND_SYNC && ec >= EC_IABT_LOW && ec <= EC_DABT_CUR) {
		kprintf("FAR  %016lx\n", f->far);
		if (ec != EC_PC_ALIGN) {
			print_fault_status(f->esr);
		}
		if (vm_in_stack_guard(f->far)) {
			kprintf("FAR is in a stack's guard page\n");
		}
	}
	trap_print_frame(f);
	backtrace_print_pc(f->elr, "exception address");
	backtrace_print(f->x[29]);
}

/*
 * From vectors.S, on the overflow stack: the exception frame would have
 * been stored below the interrupted SP, in a guard page. The exception
 * itself is most often the data abort of the store that ran into the
 * guard. Report both and halt: the thread's stack is gone.
 */
__noreturn void trap_stack_overflow(struct trap_frame *f, unsigned kind);
__noreturn void trap_stack_overflow(struct trap_frame *f, unsigned kind)
{
	smp_stop_for_fatal();
	kprintf("\n*** kernel stack overflow in thread %s: SP %016lx has "
		"reached the guard page below its stack (%s)\n",
		thread_name(thread_current()), f->sp,
		vm_in_stack_guard(f->sp - sizeof(*f)) ? "a known guard"
						      : "an unmapped page");
	report(f, kind);
	kprintf("*** fatal exception: system halted\n");
	arch_halt();
}

static bool handle_sync(struct trap_frame *f)
{
	unsigned ec = ESR_EC(f->esr);
	uintptr_t fixup;

	switch (ec) {
	case EC_BRK64:
		/* ELR points at the brk itself: step over it. */
		trap_note_breakpoint();
		kprintf("breakpoint (BRK #%lu) at %016lx, continuing\n",
			ESR_ISS(f->esr) & 0xffff, f->elr);
		f->elr += BRK_INSN_SIZE;
		return true;
	case EC_SVC64:
		/* ELR already points past the svc. */
		trap_note_syscall();
		f->x[0] += 1;
		return true;
	}
	fixup = extable_find(f->elr);
	if (!fixup) {
		smp_stop_for_fatal();
	}
	report(f, KIND_SYNC + 4);
	if (!fixup) {
		return false;
	}
	trap_note_fixup(ec, ec_name(ec), f->elr,
			ec == EC_DABT_CUR || ec == EC_IABT_CUR ? f->far : 0);
	kprintf("*** fixed up by the exception table: resuming at %016lx\n",
		fixup);
	f->elr = fixup;
	return true;
}

/* The root hook (kern/irq.h): one entry, the IRQ exception, entry 0. */
static irq_entry_fn irq_root;
static void *irq_root_data;

int arch_irq_entry_claim(unsigned int count, unsigned int align,
			 enum irq_entry_prio prio, irq_entry_fn fn, void *data)
{
	(void)prio;
	if (!fn || count != 1 || align == 0) {
		return -EINVAL;
	}
	if (irq_root) {
		return -ENOSPC;
	}
	irq_root = fn;
	irq_root_data = data;
	return 0;
}

/* Only a controller can acknowledge an IRQ here, and it is the root. */
void arch_irq_entry_fallback(irq_entry_fn fn, void *data)
{
	(void)fn;
	(void)data;
}

void trap_dispatch(struct trap_frame *f, unsigned kind)
{
	if (kind % 4 == KIND_SYNC && kind / 4 == 1 && handle_sync(f)) {
		return;
	}
	/* IRQs taken at EL1: the interrupt controller's dispatch. */
	if (kind % 4 == KIND_IRQ && kind / 4 == 1 && irq_root) {
		irq_root(0, irq_root_data);
		irq_exit();
		return;
	}
	if (kind % 4 == KIND_IRQ && kind / 4 == 1) {
		/* Nobody can acknowledge it: it would come back at once. */
		irq_note_unclaimed(0);
	}
	if (kind % 4 != KIND_SYNC || kind / 4 != 1) {
		/* No interrupt sources exist yet; none of these is expected. */
		smp_stop_for_fatal();
		report(f, kind);
	}
	kprintf("*** fatal exception: system halted\n");
	arch_halt();
}
