/*
 * What the expression families (op_*.c, convert.c, predef.c) share among
 * themselves and with their host test (tests/unit/test_aml_ops.c): the
 * pure pieces of the operators, callable without an executor. Not part
 * of internal.h: nothing outside the ops files needs them.
 */
#ifndef KERNEL_FIRMWARE_ACPI_AML_OPS_LOCAL_H
#define KERNEL_FIRMWARE_ACPI_AML_OPS_LOCAL_H

#include "firmware/acpi/aml/internal.h"

/* How a string becomes an integer (19.3.5.x; ACPICA's two strtoul64s):
 * implicit conversions read hex (an optional "0x" tolerated), ToInteger
 * reads decimal unless the string starts with "0x". Leading white space
 * is skipped, the first character that is no digit ends the number, and
 * a digit that would overflow the integer width ends it too (the value
 * read so far is kept). */
uint64_t aml_str_to_int(const char *s, uint32_t len, bool explicit_conv,
			uint64_t mask);

/* Integer width in bytes (4 or 8) of the running table. */
unsigned int aml_int_bytes(const struct aml_walk *w);

/* Buffer -> String in the three forms ACPICA writes (19.6.137/138 and
 * the implicit rule): "0x01 0x02" (implicit), "0x01,0x02" (ToHexString),
 * "1,2" (ToDecimalString). */
enum aml_bufstr { AML_BUFSTR_IMPLICIT, AML_BUFSTR_HEX, AML_BUFSTR_DEC };
int aml_buf_to_str(struct aml_walk *w, struct aml_obj *b, enum aml_bufstr how,
		   struct aml_obj **out);
/* Integer -> String: hex with every digit of the width ("000000000000001A",
 * implicit and ToHexString), or decimal without leading zeros. */
struct aml_obj *aml_int_to_str(struct aml_walk *w, uint64_t v, bool decimal);

/* Compare two data objects as LEqual/LGreater/LLess do (19.6.68-72):
 * b is converted to a's type; *cmp < 0, 0, > 0. */
int aml_data_cmp(struct aml_walk *w, struct aml_obj *a, struct aml_obj *b,
		 int *cmp);

/* Concatenate (19.6.12) of any two objects. */
int aml_concat(struct aml_walk *w, struct aml_obj *a, struct aml_obj *b,
	       struct aml_obj **out);
/* ConcatenateResTemplate (19.6.13) of two resource templates. */
int aml_concat_res(struct aml_walk *w, struct aml_obj *a, struct aml_obj *b,
		   struct aml_obj **out);

/* ToBCD / FromBCD (19.6.131, 19.6.51): -ERANGE when the value does not
 * fit the width or a nibble is not a decimal digit. */
int aml_to_bcd(uint64_t v, uint64_t mask, uint64_t *out);
int aml_from_bcd(uint64_t v, uint64_t mask, uint64_t *out);

/* One Match comparison (19.6.80): does elem satisfy (op, obj)? Elements
 * that are not Integer/String/Buffer, or that obj cannot be converted
 * to, never match. -EINVAL for an opcode above 5. */
int aml_match_one(struct aml_walk *w, uint8_t op, struct aml_obj *elem,
		  struct aml_obj *obj, bool *hit);

/* _OSI's answer for a string (predef.c). */
bool aml_osi_supported(const char *s);

/* Store the result of an operator to its Target (NullName: nothing). */
int aml_ops_store(struct aml_walk *w, struct aml_operand *o, struct aml_obj *v);

#endif
