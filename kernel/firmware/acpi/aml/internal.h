/*
 * The interpreter's own contract between its phases (see aml.h for the
 * file list). Nothing outside kernel/firmware/acpi/aml/ includes this.
 *
 * Objects are reference counted (aml_obj_get/aml_obj_put). A namespace
 * node holds one reference to its object; a Local/Arg slot holds one; an
 * operand being evaluated holds one. Store copies (19.3.5.8: the value,
 * converted to the target's type when the target is a named object of a
 * fixed type), so two names never share a mutable integer/string/buffer;
 * packages share their element objects only through Index references.
 */
#ifndef KERNEL_FIRMWARE_ACPI_AML_INTERNAL_H
#define KERNEL_FIRMWARE_ACPI_AML_INTERNAL_H

#include "firmware/acpi/aml/aml.h"

#define AML_HDR_LEN	 36
#define AML_NARGS	 7
#define AML_NLOCALS	 8
#define AML_MAX_OPERANDS 6

#define AML_NAME4(a, b, c, d)                                                  \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) |        \
	 ((uint32_t)(d) << 24))

/* ---- tables and the cursor (parse.c) ---------------------------------- */

struct aml_table {
	const uint8_t *aml; /* whole table, header included */
	size_t len;	    /* header Length */
	uint8_t
	    revision; /* < 2: integers are 32-bit (19.6.x DefinitionBlock) */
	uint16_t id;  /* load order */
	char sig[5], oem_table_id[9];
	bool
	    owned; /* aml is kmalloc'd (Load from a region): freed at destroy */
};

/* A window [pos, end) of a table: every read is checked against end. */
struct aml_cursor {
	const struct aml_table *t;
	size_t pos, end;
};

int aml_rd8(struct aml_cursor *c, uint8_t *v);
int aml_peek8(const struct aml_cursor *c, uint8_t *v);
int aml_rdn(struct aml_cursor *c, unsigned int n, uint64_t *v); /* LE */
/* PkgLength (20.2.4): *end = absolute end offset, checked <= c->end */
int aml_pkg_length(struct aml_cursor *c, size_t *end);
/* The same encoding as a plain number (FieldList bit widths, 20.2.5.2) */
int aml_pkg_value(struct aml_cursor *c, size_t *v);

/* A parsed NameString (20.2.2): prefix, then nseg 4-byte segments. */
struct aml_name {
	bool root;	 /* leading '\' */
	unsigned int up; /* number of '^' */
	unsigned int nseg;
	const uint8_t *segs; /* nseg * 4 bytes inside the table */
};
int aml_name_string(struct aml_cursor *c, struct aml_name *n);
bool aml_name_start(uint8_t byte); /* may this byte begin a NameString */

/* ---- objects (object.c) ---------------------------------------------- */

struct aml_ns;
struct aml_node;
struct aml_obj;
struct aml_walk;
struct aml_opblock;

enum aml_ref_kind {
	AML_REF_NAME,  /* a namespace node (RefOf(Name), a name in a package) */
	AML_REF_INDEX, /* Index(pkg|buffer|string, i): element i of target */
	AML_REF_LOCAL, /* a method Local, by frame slot */
	AML_REF_ARG,   /* a method Arg */
	AML_REF_DEBUG,
};

struct aml_method {
	const struct aml_table *t;
	size_t start, end; /* body: TermList */
	uint8_t flags;	   /* MethodFlags: 2:0 args, 3 serialized, 7:4 sync */
	/* a host-native method (\_OSI): */
	int (*native)(struct aml_ns *ns, struct aml_obj **args,
		      unsigned int nargs, struct aml_obj **ret);
	struct aml_obj *mutex; /* implicit mutex of a Serialized method */
};

/* A region's arguments are evaluated on first use (deferred, as ACPICA
 * does: 19.6.100 allows any TermArg, often a field or a method call). */
struct aml_region {
	uint8_t space;
	bool resolved, reg_done, resolving;
	uint64_t base, length;
	const struct aml_table *t; /* deferred RegionOffset, RegionLen terms */
	size_t args_start, args_end;
	struct aml_node *node,
	    *scope; /* the region node; scope to resolve in */
	bool pci_resolved;
	struct {
		uint16_t segment;
		uint8_t bus, device, function;
	} pci;
};

/* DataRegion (19.6.26): a region over a loaded table's bytes (region.t);
 * not a RegionSpace value, internal only. */
#define AML_SPACE_TABLE 0xFE

enum aml_field_kind { AML_FIELD_REGION, AML_FIELD_INDEX, AML_FIELD_BANK };

struct aml_field {
	enum aml_field_kind kind;
	struct aml_node *region;       /* REGION, BANK */
	struct aml_node *index, *data; /* INDEX: the IndexName / DataName */
	struct aml_node *bank;	       /* BANK: the BankName field */
	uint64_t bank_value;
	uint32_t bit_offset, bit_length;
	uint8_t flags;	/* FieldFlags: 3:0 access type, 4 lock, 6:5 update */
	uint8_t attrib; /* AccessAttrib (AccessAs) */
	uint8_t access_len;	     /* AccessLength for ExtendedAccessField */
	struct aml_node *connection; /* Connection (GPIO/serial), unused */
};

/* CreateXField: a window into a Buffer object; index and width may be
 * deferred (evaluated on first use) when created at namespace level. */
struct aml_bfield {
	struct aml_obj *buffer; /* AML_BUFFER, referenced */
	uint64_t bit_offset, bit_length;
	bool resolved;
	const struct aml_table *t;
	size_t args_start, args_end;
	uint16_t opcode; /* which Create*Field, for deferred resolution */
	struct aml_node *scope;
};

struct aml_ref {
	enum aml_ref_kind kind;
	struct aml_node *node;	/* REF_NAME */
	struct aml_obj *target; /* REF_INDEX: the package/buffer/string */
	uint64_t index;
	struct aml_obj **slot; /* REF_LOCAL / REF_ARG: the frame slot */
	/* REF_NAME with node NULL: a package element naming an object not
	 * yet defined, resolved on first use (aml_ref_node) from scope. */
	struct aml_node *scope;
	uint8_t *path; /* the NameString's bytes (kmalloc'd) */
	uint32_t path_len;
};

struct aml_obj {
	enum aml_type type;
	uint32_t refs;
	union {
		uint64_t integer;
		struct {
			char *ptr; /* NUL-terminated */
			uint32_t len;
		} str;
		struct {
			uint8_t *ptr;
			uint32_t len;
		} buf;
		struct {
			struct aml_obj *
			    *elems; /* NULL element: uninitialized */
			uint32_t count;
		} pkg;
		struct aml_method method;
		struct aml_region region;
		struct aml_field field;
		struct aml_bfield bfield;
		struct aml_ref ref;
		struct {
			uint8_t sync_level;
			unsigned int depth; /* acquired how many times */
		} mutex;
		struct {
			unsigned int signals;
		} event;
		struct {
			uint8_t id;
			uint32_t pblk;
			uint8_t pblk_len;
		} processor;
		struct {
			uint8_t level;
			uint16_t order;
		} power;
	};
};

struct aml_obj *aml_obj_new(struct aml_ns *ns, enum aml_type type);
struct aml_obj *aml_int_new(struct aml_ns *ns, uint64_t v);
struct aml_obj *aml_str_new(struct aml_ns *ns, const char *s, size_t len);
struct aml_obj *aml_buf_new(struct aml_ns *ns, const uint8_t *src,
			    size_t len); /* src NULL: zeroed */
struct aml_obj *aml_pkg_new(struct aml_ns *ns, uint32_t count);
struct aml_obj *aml_obj_get(struct aml_obj *o);
void aml_obj_put(struct aml_obj *o);
/* A deep copy of a data object (integer/string/buffer/package); other
 * types are returned referenced (they are not copied by Store). */
struct aml_obj *aml_obj_copy(struct aml_ns *ns, struct aml_obj *o);
/* Object <-> API value (deep copies) */
int aml_obj_to_value(struct aml_ns *ns, struct aml_obj *o,
		     struct aml_value *out);
struct aml_obj *aml_value_to_obj(struct aml_ns *ns, const struct aml_value *v);

/* ---- namespace (namespace.c) ------------------------------------------ */

#define AML_NODE_TEMP 0x01 /* created by a running method: freed at return */
#define AML_NODE_ALIAS                                                         \
	0x02 /* obj is a REF_NAME to the aliased node;                         \
		aml_ns_resolve follows it */
#define AML_NODE_EXTERNAL                                                      \
	0x04 /* an External placeholder: replaced by the                       \
		real declaration */

struct aml_node {
	uint32_t name;
	struct aml_node *parent, *child, *next; /* children in creation order */
	struct aml_node *last_child;
	struct aml_obj *obj; /* NULL only for the root */
	uint16_t table;	     /* defining table's id */
	uint8_t flags;
	void *data; /* aml_node_set_data */
};

struct aml_node *aml_ns_root(struct aml_ns *ns);
/* A NameString as text ("\\_SB.PCI0", "^FOO"), for messages. */
void aml_name_text(const struct aml_name *n, char *buf, size_t size);
/* The child of parent named `name`, or NULL. */
struct aml_node *aml_node_child(const struct aml_node *parent, uint32_t name);
/*
 * Resolve a NameString from scope. A single segment with no prefix
 * searches scope and then each parent up to the root (5.3); any other
 * form names one exact node. NULL when not found.
 */
struct aml_node *aml_ns_resolve(struct aml_ns *ns, struct aml_node *scope,
				const struct aml_name *n);
/*
 * Create the node a NameString names (all segments but the last must
 * exist) with obj attached (a reference is taken). -EEXIST when it
 * exists (*out set to it), -ENOENT when the parent path does not.
 * flags AML_NODE_TEMP: the node is recorded on the running method's
 * frame (ns->frame) and deleted when it returns.
 */
int aml_ns_create_node(struct aml_ns *ns, struct aml_node *scope,
		       const struct aml_name *n, struct aml_obj *obj,
		       uint8_t flags, struct aml_node **out);
void aml_ns_delete_node(struct aml_ns *ns, struct aml_node *n);
/* A text path as aml_ns_lookup takes it, but a relative one names
 * exactly scope's descendant (no search up): aml_ns_eval's path. */
struct aml_node *aml_ns_lookup_child(struct aml_ns *ns, struct aml_node *scope,
				     const char *path);
/* Declare a named object at w's scope (Name, Create*Field, ...): in a
 * method a temporary node, deleted at return; obj's reference is taken
 * over (also on failure). The failure message names the object. */
int aml_declare(struct aml_walk *w, const struct aml_name *n,
		struct aml_obj *obj, struct aml_node **out);

/* ---- the interpreter state (exec.c, load.c) ---------------------------- */

struct aml_frame {
	struct aml_node *method; /* NULL at load time (module level) */
	struct aml_node *scope;	 /* where names resolve / are created */
	struct aml_obj *args[AML_NARGS];
	struct aml_obj *locals[AML_NLOCALS];
	struct aml_obj *ret;	 /* Return value */
	struct aml_node **temps; /* nodes this invocation created */
	unsigned int ntemps, captemps;
	struct aml_frame *caller;
};

/* How a statement list ended (exec.c). */
enum aml_flow {
	AML_FLOW_NEXT,
	AML_FLOW_RETURN,
	AML_FLOW_BREAK,
	AML_FLOW_CONTINUE
};

/* One evaluation in progress: the cursor, the frame, the bookkeeping. */
struct aml_walk {
	struct aml_ns *ns;
	struct aml_cursor c;
	struct aml_frame *f;
	unsigned int depth; /* expression/statement nesting */
	uint16_t op;	    /* the opcode being executed (0x5Bxx extended) */
	size_t op_pos;	    /* its offset, for messages */
	bool load;	    /* module-level code (load.c) */
	enum aml_flow flow; /* set by Return/Break/Continue (statements) */
};

/* What a Target or SuperName operand names (not yet stored to). */
enum aml_target_kind {
	AML_TGT_NULL, /* NullName / Zero: discard */
	AML_TGT_NODE, /* a named object */
	AML_TGT_LOCAL,
	AML_TGT_ARG,
	AML_TGT_DEBUG,
	AML_TGT_REF, /* the result of Index() / RefOf / DerefOf as target */
};

struct aml_target {
	enum aml_target_kind kind;
	struct aml_node *node;
	unsigned int slot;
	struct aml_obj *ref; /* AML_TGT_REF: a reference object, referenced */
};

/* Evaluate the TermArg at w->c to an object (*out referenced). */
int aml_eval_term(struct aml_walk *w, struct aml_obj **out);
/* ... and convert it (19.3.5 implicit rules) */
int aml_eval_integer(struct aml_walk *w, uint64_t *out);
int aml_eval_data(struct aml_walk *w, struct aml_obj **out); /* int/str/buf */
/* Parse a Target (may be NullName) or SuperName at w->c. */
int aml_parse_target(struct aml_walk *w, struct aml_target *t);
int aml_parse_supername(struct aml_walk *w, struct aml_target *t);
void aml_target_release(struct aml_target *t);
/* Store v to t with 19.3.5.8 rules (conversion to a fixed-type target:
 * a named Integer/String/Buffer/field/buffer field; otherwise copy). */
int aml_store(struct aml_walk *w, const struct aml_target *t,
	      struct aml_obj *v);
/* CopyObject: replace without conversion */
int aml_copy_object(struct aml_walk *w, const struct aml_target *t,
		    struct aml_obj *v);
/* The object a target or reference stands for, referenced (DerefOf,
 * Increment's read): a field unit / buffer field read, an Index read. */
int aml_target_read(struct aml_walk *w, const struct aml_target *t,
		    struct aml_obj **out);
int aml_deref(struct aml_walk *w, struct aml_obj *ref, struct aml_obj **out);
/* The node a REF_NAME stands for (resolving a lazy package element),
 * NULL when it names nothing (yet). */
struct aml_node *aml_ref_node(struct aml_ns *ns, struct aml_obj *ref);
/* Skip the TermArg at w->c without executing it (deferred arguments). */
int aml_skip_term(struct aml_walk *w);
/* A named object's value: field units and buffer fields are read,
 * methods are not called (that is exec.c's when a name is executed). */
int aml_node_value(struct aml_walk *w, struct aml_node *n,
		   struct aml_obj **out);
/* Run a method (args referenced by the callee) and return its value. */
int aml_call(struct aml_ns *ns, struct aml_frame *caller,
	     struct aml_node *method, struct aml_obj **args, unsigned int nargs,
	     struct aml_obj **ret);
/* Run a TermList [c->pos, c->end) (a method body, an If's block). */
int aml_exec_list(struct aml_walk *w, enum aml_flow *flow);

/*
 * Record the failure: the message gets the running method's path (or
 * "load of <table>"), the opcode name and offset; the first one per
 * top-level evaluation is kept for aml_ns_last_error. Returns err so a
 * caller writes `return aml_fail(w, -EINVAL, "Index %llu past %u", ...)`.
 */
int aml_fail(struct aml_walk *w, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Count one opcode against the evaluation's budget (-ETIMEDOUT when out). */
int aml_tick(struct aml_walk *w);

/* ---- the opcode table (parse.c builds it from the families) ----------- */

/* Operand kinds, evaluated by the generic executor (exec.c) in order
 * before fn is called. */
enum aml_arg_kind {
	AML_ARG_NONE = 0,
	AML_ARG_TERM,	/* TermArg, any object */
	AML_ARG_INT,	/* TermArg => Integer (implicit conversion) */
	AML_ARG_DATA,	/* TermArg => Integer, String or Buffer */
	AML_ARG_BUF,	/* TermArg => Buffer */
	AML_ARG_STR,	/* TermArg => String */
	AML_ARG_PKG,	/* TermArg => Package */
	AML_ARG_TARGET, /* Target (NullName allowed) */
	AML_ARG_SUPER,	/* SuperName */
	AML_ARG_BYTE,	/* ByteData literal */
	AML_ARG_WORD,	/* WordData literal */
	AML_ARG_DWORD,	/* DWordData literal */
	AML_ARG_NAME,	/* NameString, not resolved */
	AML_ARG_SIMPLE, /* SimpleName (CondRefOf): may not exist */
	/* only for skipping (aml_skip_term) a custom opcode's operands: */
	AML_ARG_QWORD,	/* QWordData literal */
	AML_ARG_ASCIIZ, /* String literal up to its NUL */
};

struct aml_operand {
	struct aml_obj *obj;   /* TERM/INT/DATA/BUF/STR/PKG (referenced) */
	uint64_t integer;      /* INT (also in obj), BYTE/WORD/DWORD */
	struct aml_target tgt; /* TARGET/SUPER/SIMPLE */
	struct aml_name name;  /* NAME */
	bool exists;	       /* SIMPLE: resolved */
};

struct aml_opinfo;
/*
 * An opcode family's function: operands evaluated per info->args; it
 * returns its result in *result (referenced, or NULL for none) and does
 * its own stores to Target operands (aml_store). The executor releases
 * the operands afterwards.
 */
typedef int (*aml_opfn)(struct aml_walk *w, const struct aml_opinfo *info,
			struct aml_operand *ops, struct aml_obj **result);

#define AML_OPF_PKGLEN 0x01 /* PkgLength follows the opcode */
#define AML_OPF_STMT   0x02 /* a statement (no value) */
#define AML_OPF_CUSTOM 0x04 /* fn parses its own operands (args ignored) */

struct aml_opinfo {
	uint16_t op; /* 0x00-0xFF, or 0x5B00 | second byte */
	const char *name;
	uint8_t args[AML_MAX_OPERANDS];
	uint8_t flags;
	aml_opfn fn;
};

/* Each family file exports one table, terminated by an entry with
 * name NULL; parse.c indexes them all. */
extern const struct aml_opinfo aml_ops_math[];	  /* op_math.c */
extern const struct aml_opinfo aml_ops_logic[];	  /* op_logic.c */
extern const struct aml_opinfo aml_ops_string[];  /* op_string.c */
extern const struct aml_opinfo aml_ops_convert[]; /* op_convert.c */
extern const struct aml_opinfo aml_ops_data[];	  /* op_data.c: Index,
						     SizeOf, ObjectType,
						     Match, RefOf, DerefOf,
						     CondRefOf, Create*Field */
extern const struct aml_opinfo aml_ops_core[];	  /* exec.c/load.c: data,
						     names, statements,
						     named objects */
const struct aml_opinfo *aml_opinfo_find(uint16_t op);
/* Read an opcode (one byte, or 0x5B + one) at c. */
int aml_read_opcode(struct aml_cursor *c, uint16_t *op);

/* ---- conversions (convert.c, 19.3.5) ----------------------------------- */

/* Integer width of the running table: 32 or 64 bits (mask). */
uint64_t aml_int_mask(const struct aml_walk *w);
int aml_to_integer(struct aml_walk *w, struct aml_obj *o, uint64_t *out);
int aml_to_buffer(struct aml_walk *w, struct aml_obj *o, struct aml_obj **out);
int aml_to_string(struct aml_walk *w, struct aml_obj *o,
		  struct aml_obj **out); /* ToString-like implicit rule */
/* Convert v to the type of an existing target object (Store rules). */
int aml_convert_to(struct aml_walk *w, struct aml_obj *v, enum aml_type type,
		   struct aml_obj **out);

/* ---- fields and regions (field.c) -------------------------------------- */

int aml_field_read(struct aml_walk *w, struct aml_node *field,
		   struct aml_obj **out);
int aml_field_write(struct aml_walk *w, struct aml_node *field,
		    struct aml_obj *v);
int aml_bfield_read(struct aml_walk *w, struct aml_obj *bf,
		    struct aml_obj **out);
int aml_bfield_write(struct aml_walk *w, struct aml_obj *bf, struct aml_obj *v);
int aml_region_resolve(struct aml_walk *w, struct aml_obj *region);

/* ---- predefined objects (predef.c) -------------------------------------- */

int aml_predef_install(struct aml_ns *ns); /* \_OSI, \_OS, \_REV, \_GL */

/* ---- sync.c -------------------------------------------------------------- */

int aml_notify(struct aml_walk *w, struct aml_node *n, uint64_t value);

/* ---- the instance (api.c) ------------------------------------------------ */

struct aml_ns {
	struct aml_node *root;
	struct aml_table **tables;
	unsigned int ntables, captables;
	struct aml_host_ops ops;
	void *ctx;
	struct aml_limits lim;
	struct aml_ns_stats st;
	uint64_t budget; /* ops left in this top-level evaluation */
	unsigned int call_depth;
	uint64_t slept_ms;
	char errmsg[AML_ERRMSG_LEN];
	bool errmsg_set;
	struct aml_frame *frame;    /* the running method's (temp nodes) */
	struct aml_obj *osi;	    /* predef.c: the _OSI strings (a Package) */
	struct aml_opblock *opfree; /* exec.c: operand blocks to reuse */
	uintptr_t stack_base;	    /* exec.c: the top-level entry's frame */
};

/* Log a line through ops->log (printf-like). */
void aml_log(struct aml_ns *ns, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
