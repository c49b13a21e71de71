/*
 * What the expression opcode families (op_*.c), the conversions
 * (convert.c) and the predefined objects (predef.c) share beyond
 * internal.h. Private to those files.
 */
#ifndef KERNEL_FIRMWARE_ACPI_AML_OP_COMMON_H
#define KERNEL_FIRMWARE_ACPI_AML_OP_COMMON_H

#include "firmware/acpi/aml/internal.h"

/* Operand kinds, short, for the opcode tables. */
#define OA_T	AML_ARG_TERM
#define OA_I	AML_ARG_INT
#define OA_D	AML_ARG_DATA
#define OA_B	AML_ARG_BUF
#define OA_S	AML_ARG_STR
#define OA_P	AML_ARG_PKG
#define OA_TG	AML_ARG_TARGET
#define OA_SN	AML_ARG_SUPER
#define OA_BY	AML_ARG_BYTE
#define OA_NM	AML_ARG_NAME
#define OA_SI	AML_ARG_SIMPLE
#define OP_X(x) ((uint16_t)(0x5B00 | (x)))

#define AML_DECL_OPS(fn)                                                       \
	static int fn(struct aml_walk *w, const struct aml_opinfo *info,       \
		      struct aml_operand *ops, struct aml_obj **result)

/* Integer width of the running table in bytes: 4 or 8 (19.6
 * DefinitionBlock ComplianceRevision < 2: 32-bit integers). */
unsigned int aml_int_bytes(const struct aml_walk *w);

/*
 * Hand a new object back as the opcode's result, stored first to the
 * Target operand tgt when there is one (NULL: none). v NULL means the
 * allocation failed. On failure v is released.
 */
int aml_op_result(struct aml_walk *w, struct aml_operand *tgt,
		  struct aml_obj *v, struct aml_obj **result);
/* The same for an integer result, masked to the table's width. */
int aml_op_int_result(struct aml_walk *w, struct aml_operand *tgt, uint64_t v,
		      struct aml_obj **result);

/* Conversions with their ACPICA flavour (19.3.5, 19.6 To*). */
enum aml_strconv {
	AML_STRCONV_IMPLICIT, /* integer: hex digits of the width; buffer:
				 "0x01 0x02" */
	AML_STRCONV_HEX,      /* ToHexString: buffer "0x01,0x02" */
	AML_STRCONV_DEC,      /* ToDecimalString: "12", buffer "1,2" */
};
int aml_conv_string(struct aml_walk *w, struct aml_obj *o, enum aml_strconv how,
		    struct aml_obj **out);
/* A string's integer value: implicit (hex digits, 19.3.5.x) or
 * explicit ToInteger (decimal, or hex after "0x"). */
int aml_str_integer(struct aml_walk *w, const char *s, uint32_t len,
		    bool explicit_conv, uint64_t *out);
/* "[Package]"-like text for an object that is not data (Concatenate). */
struct aml_obj *aml_type_string(struct aml_walk *w, struct aml_obj *o);
/* The object type ObjectType (19.6) reports for o. */
enum aml_type aml_obj_kind(struct aml_ns *ns, struct aml_obj *o);

/* Comparison of two data objects for LEqual/LGreater/LLess and Match:
 * b converted to a's type; *cmp < 0, 0, > 0. */
int aml_compare(struct aml_walk *w, struct aml_obj *a, struct aml_obj *b,
		int *cmp);

#endif
