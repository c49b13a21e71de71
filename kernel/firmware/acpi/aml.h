/*
 * AML namespace walker and a small evaluator (ACPI 6.x, chapter 20 "ACPI
 * Machine Language"), enough to enumerate the Devices of a DSDT and its
 * SSDTs with their _HID, _CID, _UID, _STA and _CRS.
 *
 * Loading. Each table (full table, 36-byte header included) is walked as a
 * TermList. The walker builds a namespace (from the heap, as large as the
 * tables make it) from: Scope, Device, Name, Method (body location and argument
 * count recorded, never executed while walking), Alias, Processor,
 * PowerResource, ThermalZone, OperationRegion (space, base and length
 * evaluated when they are constant expressions), Field and IndexField
 * (their named units), Mutex, Event, External (declaration only: no node).
 * Name strings with '\', '^', DualNamePrefix, MultiNamePrefix and NullName
 * are understood. Anything else at namespace level that carries a
 * PkgLength (If/Else/While blocks, BankField, ...) is skipped by it and
 * counted in stats->skipped_ops; an opcode whose length is not known stops
 * the walk of that scope (also counted): no guessing. Nesting deeper than
 * AML_MAX_SCOPES stops that scope too.
 *
 * Evaluating. _HID/_CID/_UID/_STA/_CRS may be Names or Methods. Methods
 * run in a bounded interpreter (AML_BUDGET opcodes per evaluation, call
 * depth AML_MAX_CALLS, expression depth AML_MAX_DEPTH) that knows: Return,
 * If/Else, While/Break/Continue, Noop, Local0-7, Arg0-6, Store, integer
 * and string/buffer/package constants, Revision, Add, Subtract, Multiply,
 * And, Or, XOr, Not, ShiftLeft, ShiftRight, Increment, Decrement, LEqual,
 * LLess, LGreater, LNot, LAnd, LOr, SizeOf, ToInteger, DerefOf (Index ())
 * of a package element or buffer byte, references to Names
 * (and through Aliases), calls to other Methods, and reads of Field units
 * in SystemMemory/SystemIO regions through the host callback
 * (aml_set_host). Stores go to Locals, Args or nowhere (NullName, Debug);
 * a store into a named object, any other opcode, a read with no callback
 * or of another address space (PCI_Config, EC, ...) fails the evaluation:
 * the device's `error` is set and stats->eval_failures counted.
 *
 * Integers are 64-bit, or 32-bit in a table whose revision is below 2.
 *
 * Not reentrant: the namespace (heap, 56 bytes a node, freed before
 * aml_enumerate returns), method frames and argument rows (static) are
 * the walker's own; serialize calls.
 * Stack use is bounded by the nesting limits: an evaluation nested to
 * AML_MAX_DEPTH used about 5 KiB (x86_64 host, -O2 and -Os); the walk
 * is about 250 bytes per AML_MAX_SCOPES level (under 6 KiB in all).
 */
#ifndef KERNEL_FIRMWARE_ACPI_AML_H
#define KERNEL_FIRMWARE_ACPI_AML_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "firmware/acpi/resource.h"

/* Tables per call: a node records its table in 16 bits. */
#define AML_TABLES_LIMIT 65535u
#define AML_MAX_SCOPES	 16	/* nesting of scope-opening objects */
#define AML_MAX_DEPTH	 24	/* expression + statement + call nesting */
#define AML_MAX_CALLS	 8	/* method call depth */
#define AML_BUDGET	 100000 /* opcodes per top-level evaluation */

/* Operation region address spaces passed to aml_host.read */
#define AML_SPACE_MEMORY 0
#define AML_SPACE_IO	 1

/*
 * How the evaluator reads hardware: read(ctx, space, addr, width) returns
 * the `width`-bit (8, 16, 32 or 64) value at addr in `space`
 * (AML_SPACE_MEMORY: physical address; AML_SPACE_IO: port).
 */
struct aml_host {
	uint64_t (*read)(void *ctx, int space, uint64_t addr, int width);
	void *ctx;
};

/*
 * Set (or, with NULL, clear) the callback used for Field reads by later
 * aml_enumerate calls. The struct is copied. Without one, any evaluation
 * that reads a Field fails with -ENOSYS.
 */
void aml_set_host(const struct aml_host *host);

struct aml_device {
	/* Absolute path, segments separated by '.', trailing '_' padding
	 * of each segment trimmed: "\_SB.PCI0.S08.KBD" (a segment of only
	 * '_' keeps one). Paths longer than 63 chars are cut and set
	 * error = -ERANGE. */
	char path[64];
	/* "PNP0303" (an integer _HID is decoded as an EISA ID: 7 chars) or
	 * a string _HID cut to 8 chars; "" if none */
	char hid[9];
	char cid[4][9]; /* the same for _CID (integer, string, package) */
	unsigned int ncid;
	unsigned int cid_dropped; /* _CID package elements past the 4 kept */
	uint64_t uid;		  /* integer _UID, or a string _UID of decimal
				     digits / "0x" hex; has_uid false otherwise */
	bool has_uid;
	uint32_t sta;		/* _STA; 0x0F when absent; 0 when it failed */
	struct acpi_res res[8]; /* decoded _CRS (first 8 entries) */
	unsigned int nres;
	bool res_truncated;	  /* _CRS had more than 8 entries */
	unsigned int res_dropped; /* how many more: entries not kept */
	/*
	 * 0, or the first failure evaluating _HID/_CID/_UID/_STA/_CRS (or
	 * decoding _CRS, or -ERANGE for a cut path). A device with error != 0
	 * should be left out by users. _CRS is not evaluated (nres = 0) when
	 * _STA evaluated fine but says "not present" (bit 0 clear).
	 */
	int error;
};

struct aml_stats {
	unsigned int devices;	    /* Device objects in the namespace */
	unsigned int named;	    /* namespace nodes created */
	unsigned int methods;	    /* Method objects */
	unsigned int skipped_ops;   /* namespace-level objects skipped or
				       walks stopped */
	unsigned int eval_failures; /* failed evaluations */
	unsigned int bad_tables;    /* tables rejected (length, no room) */
	/*
	 * What a failed allocation dropped. The namespace grows from the
	 * heap; the first node it cannot get (said, with its path, on the
	 * console) stops its growth: these are the objects, and the Devices
	 * among them, declared from then on (the walk goes on to count
	 * them, creating nothing: the contents of a dropped Device or other
	 * scope are counted too). devices_nomem: Devices in the namespace
	 * that were not described because the device array could not grow
	 * (the last st.devices - *count of them).
	 */
	unsigned int nodes_dropped;
	unsigned int devices_dropped;
	unsigned int devices_nomem;
};

/*
 * Load tables[0..ntables) (DSDT first, then SSDTs; full tables with the
 * header: the header length must be >= 36 and <= lens[i], a table failing
 * that is skipped and counted in stats->bad_tables) into a fresh
 * namespace, then describe every Device, in namespace creation order, in
 * *out: an array from the heap (kmalloc), *count long, that the caller
 * kfree()s (NULL when there are no Devices). The namespace itself is
 * freed before the return.
 *
 * No fixed limit: the namespace and the device array double as they
 * fill. Returns 0; -ENOMEM when an allocation failed (said on the
 * console with what it cost): what was loaded before it is kept and
 * described, the rest counted in stats (nodes_dropped, devices_dropped,
 * devices_nomem); -EINVAL for bad arguments (NULL pointers, more than
 * AML_TABLES_LIMIT tables). *out, *count and *stats are written on every
 * return except -EINVAL. stats may be NULL.
 */
int aml_enumerate(const uint8_t *const *tables, const size_t *lens,
		  unsigned int ntables, struct aml_device **out,
		  unsigned int *count, struct aml_stats *stats);

#endif
