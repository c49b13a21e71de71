/*
 * The core's opcode family (ACPI 6.5 20.3 opcode table): data objects,
 * Local/Arg, statements, named-object declarations, Store/CopyObject and
 * the synchronization, notification and table opcodes; and skipping a
 * term without running it (deferred region arguments, a module-level term
 * that failed). Custom entries parse their own operands; their args still
 * describe the encoding so that aml_skip_term can step over them.
 *
 * Every opcode of ACPI 6.5's table (20.3) is indexed (this family and the
 * ops families). What the core does not do, and why:
 * - Unload (19.6.149) fails "not supported": a table's objects are not
 *   tracked apart once loaded, and no firmware in the corpus unloads.
 * - LoadTable's RootPathString other than "\" is taken as "\" (logged).
 * - Mutex SyncLevel rules (19.6.2) and the Lock rule of fields are not
 *   enforced: the interpreter is single-threaded; Acquire never waits
 *   and Wait on an unsignalled Event times out at once.
 * - PCI_Config: the bus is the host bridge's _BBN; PCI-to-PCI bridges
 *   between it and the device are not followed (that needs config reads
 *   of each bridge's secondary bus number, ACPICA's AcpiHwDerivePciId).
 * - Fields in SMBus / IPMI / GenericSerialBus / PCC (BufferAcc protocols)
 *   and Connection() resources go to region_rw as plain integer units:
 *   no host implements those protocols.
 * - DataRegion matches a loaded table by signature and OEM table id only.
 */
#include "kern/errno.h"
#include "firmware/acpi/aml/exec.h"

#define T  AML_ARG_TERM
#define I  AML_ARG_INT
#define TG AML_ARG_TARGET
#define SN AML_ARG_SUPER
#define BY AML_ARG_BYTE
#define WD AML_ARG_WORD
#define DW AML_ARG_DWORD
#define QW AML_ARG_QWORD
#define NM AML_ARG_NAME
#define SZ AML_ARG_ASCIIZ
#define C  AML_OPF_CUSTOM
#define P  (AML_OPF_PKGLEN | AML_OPF_CUSTOM)
#define S  AML_OPF_STMT
#define X  AML_OP_EXT

#define LOCAL(n, s)                                                            \
	{                                                                      \
		0x60 + (n), s, {0}, C, aml_op_local_arg                        \
	}
#define ARG(n, s)                                                              \
	{                                                                      \
		0x68 + (n), s, {0}, C, aml_op_local_arg                        \
	}

const struct aml_opinfo aml_ops_core[] = {
    /* 20.2.3 data objects */
    {0x00, "Zero", {0}, C, aml_op_const},
    {0x01, "One", {0}, C, aml_op_const},
    {0xFF, "Ones", {0}, C, aml_op_const},
    {0x0A, "BytePrefix", {BY}, C, aml_op_literal},
    {0x0B, "WordPrefix", {WD}, C, aml_op_literal},
    {0x0C, "DWordPrefix", {DW}, C, aml_op_literal},
    {0x0E, "QWordPrefix", {QW}, C, aml_op_literal},
    {0x0D, "String", {SZ}, C, aml_op_string_lit},
    {0x11, "Buffer", {0}, P, aml_op_buffer},
    {0x12, "Package", {0}, P, aml_op_package},
    {0x13, "VarPackage", {0}, P, aml_op_package},
    {X(0x30), "Revision", {0}, C, aml_op_const},
    {X(0x31), "Debug", {0}, C, aml_op_debug},
    /* 20.2.6.1 Local and Arg */
    LOCAL(0, "Local0"),
    LOCAL(1, "Local1"),
    LOCAL(2, "Local2"),
    LOCAL(3, "Local3"),
    LOCAL(4, "Local4"),
    LOCAL(5, "Local5"),
    LOCAL(6, "Local6"),
    LOCAL(7, "Local7"),
    ARG(0, "Arg0"),
    ARG(1, "Arg1"),
    ARG(2, "Arg2"),
    ARG(3, "Arg3"),
    ARG(4, "Arg4"),
    ARG(5, "Arg5"),
    ARG(6, "Arg6"),
    /* 20.2.5.3 statements */
    {0xA0, "If", {0}, P | S, aml_op_if},
    {0xA1, "Else", {0}, P | S, aml_op_else},
    {0xA2, "While", {0}, P | S, aml_op_while},
    {0xA3, "Noop", {0}, C | S, aml_op_flow},
    {0xA5, "Break", {0}, C | S, aml_op_flow},
    {0x9F, "Continue", {0}, C | S, aml_op_flow},
    {0xCC, "BreakPoint", {0}, C | S, aml_op_flow},
    {0xA4, "Return", {T}, C | S, aml_op_return},
    {0x70, "Store", {T, SN}, 0, aml_op_store},
    {0x9D, "CopyObject", {T, SN}, 0, aml_op_copy_object},
    /* 20.2.5.2 named objects */
    {0x06, "Alias", {NM, NM}, C | S, aml_op_alias},
    {0x08, "Name", {NM, T}, C | S, aml_op_name},
    {0x10, "Scope", {0}, P | S, aml_op_scope},
    {0x14, "Method", {0}, P | S, aml_op_method},
    {0x15, "External", {NM, BY, BY}, C | S, aml_op_external},
    {X(0x01), "Mutex", {NM, BY}, C | S, aml_op_mutex},
    {X(0x02), "Event", {NM}, C | S, aml_op_event},
    {X(0x80), "OperationRegion", {NM, BY, T, T}, C | S, aml_op_region},
    {X(0x88), "DataRegion", {NM, T, T, T}, C | S, aml_op_data_region},
    {X(0x81), "Field", {0}, P | S, aml_op_field},
    {X(0x86), "IndexField", {0}, P | S, aml_op_field},
    {X(0x87), "BankField", {0}, P | S, aml_op_field},
    {X(0x82), "Device", {0}, P | S, aml_op_device},
    {X(0x83), "Processor", {0}, P | S, aml_op_device},
    {X(0x84), "PowerResource", {0}, P | S, aml_op_device},
    {X(0x85), "ThermalZone", {0}, P | S, aml_op_device},
    /* 19.6: notification, timing, synchronization, tables */
    {0x86, "Notify", {SN, I}, S, aml_op_notify},
    {X(0x21), "Stall", {I}, S, aml_op_sleep_stall},
    {X(0x22), "Sleep", {I}, S, aml_op_sleep_stall},
    {X(0x23), "Acquire", {SN, WD}, 0, aml_op_acquire},
    {X(0x27), "Release", {SN}, S, aml_op_release},
    {X(0x24), "Signal", {SN}, S, aml_op_event_ops},
    {X(0x25), "Wait", {SN, I}, 0, aml_op_event_ops},
    {X(0x26), "Reset", {SN}, S, aml_op_event_ops},
    {X(0x32), "Fatal", {BY, DW, I}, S, aml_op_fatal},
    {X(0x20), "Load", {SN, TG}, 0, aml_op_load},
    {X(0x1F), "LoadTable", {T, T, T, T, T, T}, 0, aml_op_load_table},
    {X(0x2A), "Unload", {SN}, S, aml_op_unload},
    {X(0x33), "Timer", {0}, 0, aml_op_timer},
    {0, NULL, {0}, 0, NULL},
};

/* ---- skipping ------------------------------------------------------------ */

static int skip_super(struct aml_walk *w)
{
	struct aml_name n;
	uint8_t b;

	if (aml_peek8(&w->c, &b)) {
		return -EBADMSG;
	}
	if (b == 0x00) {
		w->c.pos++;
		return 0;
	}
	if (aml_name_start(b)) {
		return aml_name_string(&w->c, &n);
	}
	return aml_skip_term(w);
}

static int skip_asciiz(struct aml_cursor *c)
{
	uint8_t b;

	do {
		if (aml_rd8(c, &b)) {
			return -EBADMSG;
		}
	} while (b != 0);
	return 0;
}

static int skip_one(struct aml_walk *w, uint8_t kind)
{
	struct aml_name n;
	uint64_t v;

	switch (kind) {
	case AML_ARG_TARGET:
	case AML_ARG_SUPER:
	case AML_ARG_SIMPLE:
		return skip_super(w);
	case AML_ARG_BYTE:
		return aml_rdn(&w->c, 1, &v);
	case AML_ARG_WORD:
		return aml_rdn(&w->c, 2, &v);
	case AML_ARG_DWORD:
		return aml_rdn(&w->c, 4, &v);
	case AML_ARG_QWORD:
		return aml_rdn(&w->c, 8, &v);
	case AML_ARG_NAME:
		return aml_name_string(&w->c, &n);
	case AML_ARG_ASCIIZ:
		return skip_asciiz(&w->c);
	default:
		return aml_skip_term(w);
	}
}

/* A name in a term: when it resolves to a method, its arguments follow
 * (an unknown name is taken as having none, as a one-pass parser must). */
static int skip_name(struct aml_walk *w)
{
	struct aml_name name;
	struct aml_node *n;
	unsigned int i, nargs = 0;
	int rc;

	if (aml_name_string(&w->c, &name)) {
		return -EBADMSG;
	}
	n = aml_ns_resolve(w->ns, w->f->scope, &name);
	if (n != NULL && n->obj != NULL && n->obj->type == AML_METHOD) {
		nargs = n->obj->method.flags & 7;
	}
	for (i = 0; i < nargs; i++) {
		rc = aml_skip_term(w);
		if (rc) {
			return rc;
		}
	}
	return 0;
}

static int skip_op(struct aml_walk *w)
{
	const struct aml_opinfo *info;
	unsigned int i;
	uint16_t op;
	size_t end;
	int rc;

	if (aml_read_opcode(&w->c, &op)) {
		return -EBADMSG;
	}
	info = aml_opinfo_find(op);
	if (info == NULL) {
		return -ENOSYS;
	}
	if (info->flags & AML_OPF_PKGLEN) {
		if (aml_pkg_length(&w->c, &end)) {
			return -EBADMSG;
		}
		w->c.pos = end;
		return 0;
	}
	for (i = 0; i < AML_MAX_OPERANDS && info->args[i] != AML_ARG_NONE;
	     i++) {
		rc = skip_one(w, info->args[i]);
		if (rc) {
			return rc;
		}
	}
	return 0;
}

int aml_skip_term(struct aml_walk *w)
{
	uint8_t b;
	int rc;

	if (w->depth >= w->ns->lim.expr_depth || aml_peek8(&w->c, &b)) {
		return -EBADMSG;
	}
	w->depth++;
	rc = aml_name_start(b) ? skip_name(w) : skip_op(w);
	w->depth--;
	return rc;
}
