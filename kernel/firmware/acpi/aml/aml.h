/*
 * The AML interpreter (ACPI 6.5 chapter 19 "ACPI Source Language" for the
 * meaning of each operator, chapter 20 "ACPI Machine Language" for its
 * encoding, 5.3 for the namespace): loads the DSDT and SSDTs into a
 * namespace that lives as long as the caller keeps it, runs their
 * module-level code, evaluates objects and methods on request, and calls
 * back into the host for everything outside the namespace (operation
 * region accesses, Notify, Sleep/Stall, the Timer, Fatal, Debug output).
 *
 * The files, by phase (kernel/firmware/acpi/aml/):
 *   parse.c      cursor, PkgLength, NameString, the opcode table
 *   namespace.c  nodes, the search rules (5.3), paths
 *   object.c     values: integers, strings, buffers, packages, references
 *   load.c       a table's TermList at load time (module-level code,
 *                deferred region / field / buffer-field arguments)
 *   exec.c       statements, method frames, Store and its targets
 *   op_*.c       one small function per expression opcode family
 *   convert.c    the implicit and explicit conversions (19.3.5)
 *   field.c      field units (Field, IndexField, BankField) over regions
 *   sync.c       Mutex, Event, Notify, Sleep, Stall
 *   predef.c     what the OS answers: _OSI, _OS, _REV, \_GL
 *   describe.c   a device's _HID/_CID/_UID/_STA/_CRS, for enumeration
 *   api.c        this header's entry points
 *
 * Bounded everywhere: every byte is read through a cursor whose end is the
 * enclosing PkgLength; loops and recursion are bounded by the limits in
 * struct aml_limits; a failure names the object (its path) and the opcode
 * and leaves the rest of the namespace usable.
 *
 * Not reentrant: the caller serializes all calls on one struct aml_ns (the
 * kernel holds one mutex around them). Memory comes from kmalloc/kfree.
 */
#ifndef KERNEL_FIRMWARE_ACPI_AML_AML_H
#define KERNEL_FIRMWARE_ACPI_AML_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml_ns;	 /* one interpreter instance: namespace + tables + state */
struct aml_node; /* one namespace object */

/* Object types, numbered as ObjectType() returns them (19.6.97). */
enum aml_type {
	AML_UNINIT = 0,
	AML_INTEGER = 1,
	AML_STRING = 2,
	AML_BUFFER = 3,
	AML_PACKAGE = 4,
	AML_FIELD_UNIT = 5,
	AML_DEVICE = 6,
	AML_EVENT = 7,
	AML_METHOD = 8,
	AML_MUTEX = 9,
	AML_REGION = 10,
	AML_POWER = 11,
	AML_PROCESSOR = 12,
	AML_THERMAL = 13,
	AML_BUFFER_FIELD = 14,
	AML_DDB_HANDLE = 15,
	AML_DEBUG = 16,
	/* not ObjectType values: interpreter-internal kinds */
	AML_SCOPE = 32,	    /* a Scope-only node such as \_SB on some tables */
	AML_REFERENCE = 33, /* RefOf / Index / a name reference */
};

/* Operation region address spaces (19.6.100, table 19.xx RegionSpace). */
#define AML_SPACE_MEMORY 0x00
#define AML_SPACE_IO	 0x01
#define AML_SPACE_PCI	 0x02
#define AML_SPACE_EC	 0x03
#define AML_SPACE_SMBUS	 0x04
#define AML_SPACE_CMOS	 0x05
#define AML_SPACE_PCIBAR 0x06
#define AML_SPACE_IPMI	 0x07
#define AML_SPACE_GPIO	 0x08
#define AML_SPACE_GSBUS	 0x09
#define AML_SPACE_PCC	 0x0A
#define AML_SPACE_FFIXED 0x7F
#define AML_SPACE_COUNT	 0x0B /* spaces below this have a handler slot */

/*
 * A value handed across the API: a deep copy the caller owns and frees
 * with aml_value_free(). Strings are NUL-terminated (len excludes the
 * NUL). Package elements are values themselves; an uninitialized element
 * is AML_UNINIT. A reference to a namespace object (a package element
 * naming a device, say) is AML_REFERENCE with `node` set.
 */
struct aml_value {
	enum aml_type type;
	union {
		uint64_t integer;
		struct {
			char *ptr;
			uint32_t len;
		} string;
		struct {
			uint8_t *ptr;
			uint32_t len;
		} buffer;
		struct {
			struct aml_value *elems;
			uint32_t count;
		} package;
		struct aml_node *node; /* AML_REFERENCE (and device types) */
	};
};

void aml_value_free(struct aml_value *v);

/*
 * Where a region access goes. PCI_Config: addr is the config-space offset
 * within the function given by pci (segment from _SEG, bus from _BBN,
 * device/function from the _ADR of the region's parent device, all as the
 * spec says in 6.5.6 / 19.6.100); other spaces: addr is the address.
 */
struct aml_region_access {
	uint8_t space;
	uint64_t addr;
	unsigned int width; /* bits: 8, 16, 32 or 64 */
	struct {
		uint16_t segment;
		uint8_t bus, device, function;
	} pci;
	const struct aml_node *region; /* the OperationRegion, for messages */
};

/*
 * What the interpreter asks of its host. Every pointer may be NULL (the
 * operation then fails, or does nothing for notify/debug). Return values:
 * 0 or a negative errno; -ENODEV from region_rw means "no handler for
 * this space" (the evaluation fails naming the region and its device).
 */
struct aml_host_ops {
	int (*region_rw)(void *ctx, const struct aml_region_access *a,
			 bool write, uint64_t *value);
	/* Notify (Object, Value): node is a Device, Processor or ThermalZone */
	void (*notify)(void *ctx, struct aml_node *node, uint32_t value);
	void (*sleep_ms)(void *ctx, uint64_t ms);
	void (*stall_us)(void *ctx, uint64_t us);
	uint64_t (*timer_100ns)(void *ctx); /* Timer opcode, monotonic */
	void (*debug)(void *ctx, const char *text); /* Store (x, Debug) */
	void (*fatal)(void *ctx, uint8_t type, uint32_t code, uint64_t arg);
	/* a one-line message (errors, warnings), no trailing newline */
	void (*log)(void *ctx, const char *text);
	/* LoadTable (19.6.76): the table with this signature and OEM ids
	 * (NUL-padded; an all-NUL id matches any), 0 or -ENOENT. */
	int (*find_table)(void *ctx, const char sig[4], const char oem_id[6],
			  const char oem_table_id[8], const uint8_t **table,
			  size_t *len);
};

/* Bounds; aml_limits_default() fills them with the values given. */
struct aml_limits {
	uint64_t ops_per_eval;	   /* opcodes per top-level evaluation:
				      1000000 */
	unsigned int call_depth;   /* nested method calls: 32 */
	unsigned int expr_depth;   /* nested expressions/statements: 64 */
	uint64_t while_iterations; /* per While loop: 1000000 */
	uint64_t sleep_ms_total;   /* Sleep per evaluation: 10000 */
	uint64_t max_alloc;	   /* one buffer/string/package: 16 MiB */
};

void aml_limits_default(struct aml_limits *lim);

struct aml_ns_stats {
	unsigned int tables;	    /* loaded */
	unsigned int bad_tables;    /* refused (length, checksum not checked) */
	unsigned int nodes;	    /* namespace nodes */
	unsigned int devices;	    /* Device objects */
	unsigned int methods;	    /* Method objects */
	unsigned int load_errors;   /* module-level terms that failed */
	unsigned int eval_failures; /* evaluations (any) that failed */
	unsigned int ini_run;	    /* _INI methods run by aml_ns_initialize */
	unsigned int reg_run;	    /* _REG methods run */
	unsigned int notifies;	    /* Notify operations executed */
	uint64_t ops;		    /* opcodes executed in all */
};

/* The first failure's text, kept per instance (aml_ns_last_error). */
#define AML_ERRMSG_LEN 160

/*
 * Create an empty namespace with the predefined objects (\_GPE, \_PR,
 * \_SB, \_SI, \_TZ, \_GL, \_OSI, \_OS, \_REV). ops is copied; ctx is
 * passed back to every callback; lim may be NULL (defaults). Returns 0,
 * -ENOMEM or -EINVAL; *out is NULL on failure.
 */
int aml_ns_create(const struct aml_host_ops *ops, void *ctx,
		  const struct aml_limits *lim, struct aml_ns **out);
void aml_ns_destroy(struct aml_ns *ns);

/*
 * Load one definition block (the whole table, header included; len is
 * how many bytes the caller can give: the header's length must fit in
 * it and be at least 36). The DSDT first, then the SSDTs in the order the
 * XSDT lists them. Module-level code runs as the table loads. Returns 0,
 * or a negative errno when the table was refused or its load stopped
 * early (what loaded before the failure stays; the message says where).
 * The bytes must stay valid as long as the namespace lives (methods run
 * from them).
 */
int aml_ns_load_table(struct aml_ns *ns, const uint8_t *table, size_t len);

/*
 * Bring the loaded namespace up as the spec's OS does (6.5.1, 6.5.4):
 * run _REG for every region whose space has a handler (mask of spaces
 * with handlers: bit n = space n), then _STA / _INI for \_SB and every
 * device, depth first in namespace order, children of a device that is
 * neither present nor functioning skipped; \_SB._INI first. pic_mode
 * >= 0 calls \_PIC(pic_mode) before (0 PIC, 1 APIC). Returns 0 or the
 * count of failures as a negative number never: failures are counted in
 * stats and logged; always 0 unless the arguments are bad.
 */
int aml_ns_initialize(struct aml_ns *ns, uint32_t handler_spaces, int pic_mode);

/*
 * _OSI (ACPI 6.5, 5.7.2): the interface strings \_OSI answers True for.
 * A new namespace answers as Linux does: every "Windows 20xx" string
 * up to "Windows 2022", "Extended Address Space Descriptor", "Module
 * Device", "Processor Device", "3.0 _SCP Extensions" and "Processor
 * Aggregator Device"; False for "Linux", "Darwin" and anything else.
 * aml_ns_osi_set adds (supported) or removes one string (the host tool
 * uses it to answer as ACPICA's acpiexec does). -ENOMEM, -EINVAL, or 0.
 */
int aml_ns_osi_set(struct aml_ns *ns, const char *iface, bool supported);

/* Look up path ("\\_SB.PCI0", or relative "_STA") from scope (NULL:
 * root), with the 5.3 search rules for a single-segment name. */
struct aml_node *aml_ns_lookup(struct aml_ns *ns, struct aml_node *scope,
			       const char *path);

/*
 * Evaluate node (a method is run with args[0..nargs); any other object
 * gives its value; a field unit is read). path may be NULL (node itself)
 * or a child path relative to node. Returns 0, -ENOENT (no such object:
 * nothing was evaluated), or another negative errno with the reason in
 * aml_ns_last_error(). *out is AML_UNINIT on failure or when a method
 * returned nothing.
 */
int aml_ns_eval(struct aml_ns *ns, struct aml_node *node, const char *path,
		const struct aml_value *args, unsigned int nargs,
		struct aml_value *out);

/* The last failure's message ("\\_SB.PCI0.LPCB._CRS: Store to ...:
 * -EINVAL"), "" if none. Valid until the next call on ns. */
const char *aml_ns_last_error(const struct aml_ns *ns);

void aml_ns_get_stats(const struct aml_ns *ns, struct aml_ns_stats *st);

/* Nodes */
enum aml_type aml_node_type(const struct aml_node *n);
uint32_t aml_node_name(const struct aml_node *n); /* NameSeg, LE */
struct aml_node *aml_node_parent(const struct aml_node *n);
/* Absolute path, trailing '_' padding of segments trimmed; the number
 * of characters the full path has (snprintf-like; cut to size). */
size_t aml_node_path(const struct aml_node *n, char *buf, size_t size);

/*
 * Visit every node of `type` (AML_UNINIT: all) under start (NULL: root),
 * depth first in namespace (creation) order; fn returning nonzero stops
 * the walk and is returned.
 */
int aml_ns_walk(struct aml_ns *ns, struct aml_node *start, enum aml_type type,
		int (*fn)(struct aml_node *n, void *arg), void *arg);

/*
 * Per-node driver data and a Notify handler for it: the kernel binds a
 * driver to a device node and gets the Notify values aimed at it. The
 * host's ops->notify is still called for every Notify.
 */
void aml_node_set_data(struct aml_node *n, void *data);
void *aml_node_data(const struct aml_node *n);

/* ---- device description (describe.c) -------------------------------- */

#define AML_ID_LEN  16 /* "PNP0303", "ACPI0003", "INT33D5", strings cut */
#define AML_MAX_CID 8

struct aml_devinfo {
	char hid[AML_ID_LEN];
	bool has_hid;
	char cid[AML_MAX_CID][AML_ID_LEN];
	unsigned int ncid, cid_dropped;
	char uid[AML_ID_LEN * 2]; /* integer in decimal, or the string */
	bool has_uid;
	uint64_t adr;
	bool has_adr;
	uint32_t sta; /* 0x0F when there is no _STA */
	bool has_sta, sta_failed;
	uint8_t *crs; /* raw _CRS buffer (kmalloc'd, aml_devinfo_free) */
	uint32_t crs_len;
	bool has_crs; /* _CRS evaluated (present device) and a buffer */
	int error;    /* 0, or the first failure */
	char errmsg[AML_ERRMSG_LEN];
};

/*
 * Describe a Device node: evaluate _HID, _CID, _UID, _ADR, _STA and, when
 * _STA says present (bit 0) or there is none, _CRS. Never fails as a
 * whole: each part that failed sets error/errmsg (the first) and is left
 * out. Returns info->error.
 */
int aml_describe(struct aml_ns *ns, struct aml_node *dev,
		 struct aml_devinfo *info);
void aml_devinfo_free(struct aml_devinfo *info);

#endif
