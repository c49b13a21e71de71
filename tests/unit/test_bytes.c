/* The firmware byte readers (kern/bytes.h), at every alignment. */
#include <stdint.h>

#include "kern/bytes.h"
#include "unit.h"

TEST(bytes_readers_at_any_alignment)
{
	static const uint8_t buf[] = {0xff, 0x01, 0x02, 0x03, 0x04, 0x05,
				      0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
				      0x0c, 0x0d, 0x0e, 0x0f, 0x10};

	for (unsigned int a = 0; a < 8; a++) {
		const uint8_t *p = buf + 1 + a;
		uint64_t b = a + 1; /* the first byte's value */

		CHECK_EQ_INT(get_le16(p), b | (b + 1) << 8);
		CHECK_EQ_INT(get_le32(p),
			     b | (b + 1) << 8 | (b + 2) << 16 | (b + 3) << 24);
		CHECK_EQ_INT(get_be32(p),
			     b << 24 | (b + 1) << 16 | (b + 2) << 8 | (b + 3));
		CHECK(get_le64(p) ==
		      ((uint64_t)get_le32(p + 4) << 32 | get_le32(p)));
		CHECK(get_be64(p) ==
		      ((uint64_t)get_be32(p) << 32 | get_be32(p + 4)));
	}
	/* The top bit of each width survives (no sign extension). */
	CHECK_EQ_INT(get_le16(buf), 0x01ff);
	CHECK(get_be32(buf) == 0xff010203u);
	CHECK(get_be64(buf) == 0xff01020304050607ull);
	CHECK(get_le64(buf) == 0x07060504030201ffull);
}
