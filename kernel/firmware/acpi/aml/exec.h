/*
 * Private to the core's files (exec*.c, load.c, field.c, sync.c, api.c):
 * what they share beyond internal.h. The opcode families of "ops" only
 * see internal.h.
 */
#ifndef KERNEL_FIRMWARE_ACPI_AML_EXEC_H
#define KERNEL_FIRMWARE_ACPI_AML_EXEC_H

#include "firmware/acpi/aml/internal.h"

#define AML_OP_EXT(x) ((uint16_t)(0x5B00 | (x)))
#define AML_OP_NONE   0xFFFF /* w->op before any opcode ran */

/* exec.c */
void aml_walk_init(struct aml_walk *w, struct aml_ns *ns, struct aml_frame *f,
		   const struct aml_table *t, size_t start, size_t end);
/* A statement: the term at w->c run, a value it gives dropped. */
int aml_exec_term(struct aml_walk *w);
/* The TermList [w->c.pos, end) in scope (NULL: unchanged); load-time
 * lists go on after a failing term (load.c), method lists stop. The
 * cursor ends at end. */
int aml_run_block(struct aml_walk *w, size_t end, struct aml_node *scope);
/* A method call or an object's value from anywhere (field.c resolving a
 * region's _ADR, api.c): no budget reset, the caller's evaluation. */
int aml_eval_node(struct aml_ns *ns, struct aml_node *n, struct aml_obj **args,
		  unsigned int nargs, struct aml_obj **out);
/* The path of a node, for messages (a static-free caller buffer). */
void aml_path_buf(const struct aml_node *n, char *buf, size_t size);
/* Put a frame's Args, Locals, return value and method-local nodes. */
void aml_frame_release(struct aml_ns *ns, struct aml_frame *f);
/* Begin a top-level evaluation: budget, first-error slot. */
void aml_top_begin(struct aml_ns *ns);

/*
 * How much C stack an evaluation may take below its top-level entry
 * point: past it the evaluation fails ("nesting past the stack bound")
 * instead of overrunning a kernel thread's 16 KiB stack. Host builds
 * (sanitizers make frames several times larger) get a generous bound.
 */
#ifndef AML_STACK_BOUND
#ifdef KITE_HOST_TEST
#define AML_STACK_BOUND (512u * 1024)
#else
#define AML_STACK_BOUND (10u * 1024)
#endif
#endif

/* exec.c's pool of operand blocks, freed at aml_ns_destroy */
void aml_opblocks_free(struct aml_ns *ns);

/* load.c */
int aml_load_list(struct aml_walk *w);
int aml_load_table_bytes(struct aml_ns *ns, const uint8_t *aml, size_t len,
			 bool owned, struct aml_table **out);

/* exec_store.c */
int aml_slot_get(struct aml_walk *w, uint16_t op, struct aml_obj ***slot);

/* The core's opcode functions (the table is in exec.c). */
#define AML_DECL_OP(fn)                                                        \
	int fn(struct aml_walk *w, const struct aml_opinfo *info,              \
	       struct aml_operand *ops, struct aml_obj **result)

/* exec_data.c: data objects, Local/Arg, statements, Store, CopyObject */
AML_DECL_OP(aml_op_const);
AML_DECL_OP(aml_op_literal);
AML_DECL_OP(aml_op_string_lit);
AML_DECL_OP(aml_op_buffer);
AML_DECL_OP(aml_op_package);
AML_DECL_OP(aml_op_local_arg);
AML_DECL_OP(aml_op_debug);
AML_DECL_OP(aml_op_if);
AML_DECL_OP(aml_op_else);
AML_DECL_OP(aml_op_while);
AML_DECL_OP(aml_op_flow);
AML_DECL_OP(aml_op_return);
AML_DECL_OP(aml_op_store);
AML_DECL_OP(aml_op_copy_object);

/* load.c: named-object declarations */
AML_DECL_OP(aml_op_name);
AML_DECL_OP(aml_op_alias);
AML_DECL_OP(aml_op_scope);
AML_DECL_OP(aml_op_method);
AML_DECL_OP(aml_op_external);
AML_DECL_OP(aml_op_device);
AML_DECL_OP(aml_op_mutex);
AML_DECL_OP(aml_op_event);
AML_DECL_OP(aml_op_region);
AML_DECL_OP(aml_op_data_region);
AML_DECL_OP(aml_op_field);

/* sync.c */
AML_DECL_OP(aml_op_notify);
AML_DECL_OP(aml_op_sleep_stall);
AML_DECL_OP(aml_op_acquire);
AML_DECL_OP(aml_op_release);
AML_DECL_OP(aml_op_event_ops);
AML_DECL_OP(aml_op_fatal);
AML_DECL_OP(aml_op_load);
AML_DECL_OP(aml_op_load_table);
AML_DECL_OP(aml_op_unload);
AML_DECL_OP(aml_op_timer);

#endif
