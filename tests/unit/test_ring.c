/* The byte ring (kern/ring.h) and CRC-32 (kern/crc32.c). */
#include <stdint.h>
#include <string.h>

#include "kern/crc32.h"
#include "kern/ring.h"
#include "unit.h"

TEST(ring_empty_and_full)
{
	uint8_t storage[8];
	struct ring r = RING_INIT(storage);

	CHECK(ring_empty(&r));
	CHECK_EQ_INT(ring_get(&r), -1);
	CHECK_EQ_INT(ring_space(&r), 8);
	for (int i = 0; i < 8; i++) {
		CHECK(ring_put(&r, (uint8_t)(i + 1)));
	}
	CHECK(ring_full(&r));
	CHECK(!ring_put(&r, 99)); /* refused, and nothing overwritten */
	CHECK_EQ_INT(ring_count(&r), 8);
	for (int i = 0; i < 8; i++) {
		CHECK_EQ_INT(ring_get(&r), i + 1);
	}
	CHECK(ring_empty(&r));
	CHECK_EQ_INT(ring_get(&r), -1);
}

TEST(ring_wraps_in_order)
{
	uint8_t storage[16];
	struct ring r = RING_INIT(storage);
	int next_in = 0, next_out = 0;

	/* Many laps with varying fill levels: FIFO order is kept. */
	for (int round = 0; round < 1000; round++) {
		int puts = round % 7 + 1, gets = round % 5 + 1;

		for (int i = 0; i < puts; i++) {
			if (ring_put(&r, (uint8_t)next_in)) {
				next_in++;
			}
		}
		for (int i = 0; i < gets; i++) {
			int c = ring_get(&r);

			if (c < 0) {
				break;
			}
			CHECK_EQ_INT(c, next_out & 0xff);
			next_out++;
		}
		CHECK_EQ_INT(ring_count(&r), (unsigned)(next_in - next_out));
		CHECK(ring_count(&r) <= 16);
	}
	CHECK(next_out > 1000);
}

TEST(ring_indices_wrap_at_32_bits)
{
	uint8_t storage[4];
	struct ring r = RING_INIT(storage);

	r.head = r.tail = 0xfffffffeu;
	CHECK(ring_put(&r, 1));
	CHECK(ring_put(&r, 2));
	CHECK(ring_put(&r, 3)); /* head wraps past zero */
	CHECK_EQ_INT(ring_count(&r), 3);
	CHECK_EQ_INT(ring_get(&r), 1);
	CHECK_EQ_INT(ring_get(&r), 2);
	CHECK_EQ_INT(ring_get(&r), 3);
	CHECK(ring_empty(&r));
}

TEST(crc32_known_values)
{
	/* The standard check value, and zlib's results. */
	CHECK_EQ_INT(crc32_update(0, "123456789", 9), 0xcbf43926);
	CHECK_EQ_INT(crc32_update(0, "", 0), 0);
	CHECK_EQ_INT(crc32_update(0, "a", 1), 0xe8b7be43);
	CHECK_EQ_INT(crc32_update(0,
				  "The quick brown fox jumps over the "
				  "lazy dog",
				  43),
		     0x414fa339);
}

TEST(crc32_in_pieces_equals_whole)
{
	uint8_t buf[1000];
	uint32_t whole, pieces = 0;

	for (size_t i = 0; i < sizeof(buf); i++) {
		buf[i] = (uint8_t)(i * 37 + 11);
	}
	whole = crc32_update(0, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i += 7) {
		size_t n = sizeof(buf) - i < 7 ? sizeof(buf) - i : 7;

		pieces = crc32_update(pieces, buf + i, n);
	}
	CHECK_EQ_INT(whole, pieces);
}
