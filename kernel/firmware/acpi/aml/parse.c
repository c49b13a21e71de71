/*
 * The byte level of AML (ACPI 6.5 chapter 20): a bounded cursor, the
 * PkgLength and NameString encodings, opcodes, and the opcode index built
 * from every family's table (internal.h).
 */
#include "kern/errno.h"
#include "kern/string.h"
#include "firmware/acpi/aml/internal.h"

#define OP_ZERO	  0x00
#define OP_EXT	  0x5B
#define OP_ROOT	  0x5C
#define OP_PARENT 0x5E
#define OP_DUAL	  0x2E
#define OP_MULTI  0x2F

int aml_rd8(struct aml_cursor *c, uint8_t *v)
{
	if (c->pos >= c->end) {
		return -EBADMSG;
	}
	*v = c->t->aml[c->pos++];
	return 0;
}

int aml_peek8(const struct aml_cursor *c, uint8_t *v)
{
	if (c->pos >= c->end) {
		return -EBADMSG;
	}
	*v = c->t->aml[c->pos];
	return 0;
}

int aml_rdn(struct aml_cursor *c, unsigned int n, uint64_t *v)
{
	unsigned int i;

	if (c->pos > c->end || c->end - c->pos < n) {
		return -EBADMSG;
	}
	*v = 0;
	for (i = 0; i < n; i++) {
		*v |= (uint64_t)c->t->aml[c->pos + i] << (8 * i);
	}
	c->pos += n;
	return 0;
}

/* The PkgLength encoding as a number (20.2.4): bits 7:6 of the lead byte
 * count the bytes that follow; with them the lead gives only 4 bits. */
static int pkg_value(struct aml_cursor *c, size_t *v)
{
	uint8_t lead, x;
	unsigned int n, i;
	size_t len;

	if (aml_rd8(c, &lead)) {
		return -EBADMSG;
	}
	n = lead >> 6;
	if (n == 0) {
		*v = lead & 0x3F;
		return 0;
	}
	len = lead & 0x0F;
	for (i = 0; i < n; i++) {
		if (aml_rd8(c, &x)) {
			return -EBADMSG;
		}
		len |= (size_t)x << (4 + 8 * i);
	}
	*v = len;
	return 0;
}

int aml_pkg_length(struct aml_cursor *c, size_t *end)
{
	size_t start = c->pos, len;

	if (pkg_value(c, &len)) {
		return -EBADMSG;
	}
	/* the length counts itself and must stay inside the window */
	if (len < c->pos - start || len > c->end - start) {
		return -EBADMSG;
	}
	*end = start + len;
	return 0;
}

/* A FieldList element's bit count uses the PkgLength encoding as a plain
 * number (20.2.5.2 NamedField). */
int aml_pkg_value(struct aml_cursor *c, size_t *v)
{
	return pkg_value(c, v);
}

static bool lead_char(uint8_t ch)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool name_char(uint8_t ch)
{
	return lead_char(ch) || (ch >= '0' && ch <= '9');
}

bool aml_name_start(uint8_t ch)
{
	return lead_char(ch) || ch == OP_ROOT || ch == OP_PARENT ||
	       ch == OP_DUAL || ch == OP_MULTI;
}

/* The prefix of a NameString: '\' or any number of '^' (20.2.2). */
static int name_prefix(struct aml_cursor *c, struct aml_name *n)
{
	uint8_t ch;

	if (aml_peek8(c, &ch)) {
		return -EBADMSG;
	}
	if (ch == OP_ROOT) {
		n->root = true;
		c->pos++;
		return 0;
	}
	while (ch == OP_PARENT) {
		n->up++;
		c->pos++;
		if (aml_peek8(c, &ch)) {
			return -EBADMSG;
		}
	}
	return 0;
}

/* nseg NameSegs: a lead character and three name characters each. */
static int name_segs(struct aml_cursor *c, struct aml_name *n)
{
	const uint8_t *s = c->t->aml + c->pos;
	unsigned int i, j;

	if ((size_t)n->nseg * 4 > c->end - c->pos) {
		return -EBADMSG;
	}
	for (i = 0; i < n->nseg; i++, s += 4) {
		if (!lead_char(s[0])) {
			return -EBADMSG;
		}
		for (j = 1; j < 4; j++) {
			if (!name_char(s[j])) {
				return -EBADMSG;
			}
		}
	}
	n->segs = c->t->aml + c->pos;
	c->pos += 4 * (size_t)n->nseg;
	return 0;
}

int aml_name_string(struct aml_cursor *c, struct aml_name *n)
{
	uint8_t ch, cnt;

	memset(n, 0, sizeof(*n));
	if (name_prefix(c, n) || aml_peek8(c, &ch)) {
		return -EBADMSG;
	}
	if (ch == OP_ZERO) { /* NullName */
		c->pos++;
		n->segs = c->t->aml + c->pos;
		return 0;
	}
	if (ch == OP_DUAL) {
		c->pos++;
		n->nseg = 2;
	} else if (ch == OP_MULTI) {
		c->pos++;
		if (aml_rd8(c, &cnt) || cnt == 0) {
			return -EBADMSG;
		}
		n->nseg = cnt;
	} else if (lead_char(ch)) {
		n->nseg = 1;
	} else {
		return -EBADMSG;
	}
	return name_segs(c, n);
}

int aml_read_opcode(struct aml_cursor *c, uint16_t *op)
{
	uint8_t b, x;

	if (aml_rd8(c, &b)) {
		return -EBADMSG;
	}
	if (b != OP_EXT) {
		*op = b;
		return 0;
	}
	if (aml_rd8(c, &x)) {
		return -EBADMSG;
	}
	*op = (uint16_t)(0x5B00 | x);
	return 0;
}

/* ---- the opcode index ------------------------------------------------ */

/*
 * One slot per one-byte opcode and per 0x5B-prefixed one. Built on first
 * use from the families' tables; the tables are const and every build
 * gives the same index, so two namespaces building it at once agree.
 */
static const struct aml_opinfo *op_index[2][256];
static bool op_index_built;

static void index_family(const struct aml_opinfo *t)
{
	for (; t->name != NULL; t++) {
		unsigned int ext = (t->op >> 8) == OP_EXT;

		if (op_index[ext][t->op & 0xFF] == NULL) {
			op_index[ext][t->op & 0xFF] = t;
		}
	}
}

static void build_index(void)
{
	static const struct aml_opinfo *const families[] = {
	    aml_ops_core,   aml_ops_math, aml_ops_logic,
	    aml_ops_string, aml_ops_data, aml_ops_convert,
	};
	unsigned int i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		index_family(families[i]);
	}
	op_index_built = true;
}

const struct aml_opinfo *aml_opinfo_find(uint16_t op)
{
	if (!op_index_built) {
		build_index();
	}
	if ((op >> 8) == OP_EXT) {
		return op_index[1][op & 0xFF];
	}
	if (op > 0xFF) {
		return NULL;
	}
	return op_index[0][op];
}
